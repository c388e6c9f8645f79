// Dependencies point one way: bench -> adapters -> projections -> engine ->
// events (schemas, the generated FlatBuffers code, under all of them). The
// rule is read from the sources' #include lines, so an include that points
// up the stack (an adapter reaching into bench/, the engine into a
// projection) fails here rather than in review.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>

namespace folio {
namespace {

// Lower layers first.
const std::map<std::string, int>& Layers() {
  static const std::map<std::string, int> layers = {
      {"schemas", 0},     {"events", 1},   {"engine", 2},
      {"projections", 3}, {"adapters", 4}, {"bench", 5},
  };
  return layers;
}

// Each repository header a source file includes: (its top folder, the line).
std::multimap<std::string, std::string> Includes(const std::string& text) {
  static const std::regex include(R"(#include\s+"([a-z_]+)/[^"]*")");
  std::multimap<std::string, std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), include);
       it != std::sregex_iterator(); ++it) {
    out.emplace((*it)[1].str(), (*it)[0].str());
  }
  return out;
}

TEST_CASE("layering: no source includes a header of a folder above its own") {
  const std::filesystem::path root(FOLIO_SOURCE_DIR);
  std::size_t files = 0, includes = 0;
  for (const auto& [folder, rank] : Layers()) {
    if (folder == "schemas") continue;  // generated into the build tree
    for (const auto& e : std::filesystem::recursive_directory_iterator(root / folder)) {
      const std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || (ext != ".cc" && ext != ".h" && ext != ".cpp")) continue;
      ++files;
      std::ifstream in(e.path());
      const std::string text((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
      const std::string path = std::filesystem::relative(e.path(), root).generic_string();
      for (const auto& [target, line] : Includes(text)) {
        ++includes;
        const auto layer = Layers().find(target);
        // tests/ and anything unknown are not for the product's sources.
        CHECK_MESSAGE(layer != Layers().end(), path << ": " << line);
        if (layer == Layers().end()) continue;
        CHECK_MESSAGE(layer->second <= rank, path << " (" << folder << ") reaches up: " << line);
      }
    }
  }
  CHECK(files > 300);  // the walk found the tree
  CHECK(includes > 1000);
}

TEST_CASE("layering: the rule catches an include that points up") {
  // The check above applied to made-up sources, so that a broken regex (no
  // include ever matched) cannot pass for a clean tree.
  const auto includes = Includes(
      "#include <string>\n#include \"bench/replay_bench.h\"\n#include \"events/hash.h\"\n");
  REQUIRE(includes.size() == 2);
  CHECK(includes.count("bench") == 1);
  CHECK(Layers().at("bench") > Layers().at("adapters"));
  CHECK(Layers().at("engine") > Layers().at("events"));
}

}  // namespace
}  // namespace folio
