// Every error code is documented: each `inline constexpr std::string_view
// kName = "snake_case";` in a header of events/, engine/, projections/ or
// adapters/ is a stable code and must appear, in backquotes, in
// docs/errors.md or docs/rejections.md (except the few constants that are
// storage keys, not codes). A code added without its documentation fails here.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace folio {
namespace {

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE(
    "error codes: every code constant is documented in docs/errors.md or docs/rejections.md") {
  const std::filesystem::path root = FOLIO_SOURCE_DIR;
  const std::string docs =
      ReadAll(root / "docs" / "errors.md") + ReadAll(root / "docs" / "rejections.md");
  REQUIRE(docs.size() > 1000);
  // Names of string constants that are keys of the `meta` column family.
  const std::set<std::string> not_codes = {"kMetaHead", "kMetaSchemaVersion", "kMetaDerived"};
  const std::regex constant(R"re(inline constexpr std::string_view (k\w+) = "([a-z_]+)";)re");
  std::size_t codes = 0;
  for (const char* dir : {"events", "engine", "projections", "adapters"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / dir)) {
      if (entry.path().extension() != ".h") continue;
      const std::string text = ReadAll(entry.path());
      for (std::sregex_iterator it(text.begin(), text.end(), constant), end; it != end; ++it) {
        if (not_codes.count((*it)[1].str()) != 0) continue;
        ++codes;
        const std::string code = (*it)[2].str();
        CAPTURE(entry.path().string());
        CAPTURE(code);
        CHECK(docs.find("`" + code + "`") != std::string::npos);
      }
    }
  }
  CHECK(codes > 100);  // the scan found the code tables at all
}

}  // namespace
}  // namespace folio
