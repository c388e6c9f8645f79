// One read side (engine/log_cursor.h): no code but the cursor iterates the
// events column family. The rules are read from the sources, so a new reader
// that opens its own iterator, or a new caller of the unverified baseline
// scan, fails here rather than in review.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace folio {
namespace {

struct Source {
  std::string path;  // relative to the repository
  std::string text;
};

std::vector<Source> Sources() {
  const std::filesystem::path root(FOLIO_SOURCE_DIR);
  std::vector<Source> out;
  for (const char* dir : {"engine", "events", "projections", "adapters", "bench", "tests"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(root / dir)) {
      const std::string ext = e.path().extension().string();
      if (!e.is_regular_file() || (ext != ".cc" && ext != ".h" && ext != ".cpp")) continue;
      std::ifstream in(e.path());
      out.push_back(
          {std::filesystem::relative(e.path(), root).generic_string(),
           std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>())});
    }
  }
  return out;
}

// The statements (text up to each ';') that mention `what`.
std::vector<std::string> StatementsWith(const std::string& text, const std::string& what) {
  std::vector<std::string> out;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    const std::size_t begin = text.rfind(';', at);
    const std::size_t end = text.find(';', at);
    out.push_back(text.substr(begin == std::string::npos ? 0 : begin + 1,
                              (end == std::string::npos ? text.size() : end) -
                                  (begin == std::string::npos ? 0 : begin + 1)));
  }
  return out;
}

TEST_CASE("one read side: only the cursor opens an iterator on the events column family") {
  const std::vector<Source> sources = Sources();
  REQUIRE(sources.size() > 300);  // the scan found the tree
  const std::regex point_access(R"(\b(Get|Put|Delete)\s*\()");
  std::size_t cursor_iterators = 0;
  for (const Source& s : sources) {
    // This file names what it looks for; the store's header declares the handle.
    if (s.path == "tests/engine/log_cursor_sources_test.cpp" || s.path == "engine/log_store.h") {
      continue;
    }
    for (const std::string& st : StatementsWith(s.text, "events_cf()")) {
      if (s.path == "engine/log_cursor.cc") {
        if (st.find("NewIterator") != std::string::npos) ++cursor_iterators;
        continue;
      }
      // Elsewhere the handle is only for writing (the writer), point reads
      // (the store), or a test's tampering with one stored event.
      CHECK_MESSAGE(st.find("NewIterator") == std::string::npos, s.path << ": " << st);
      CHECK_MESSAGE(std::regex_search(st, point_access), s.path << ": " << st);
    }
    for (const std::string& st : StatementsWith(s.text, "column_family(\"events\")")) {
      CHECK_MESSAGE(false, s.path << " looks up the events family by name: " << st);
    }
  }
  CHECK(cursor_iterators == 2);  // the cursor's scan and the last-seq probe

  // Outside the engine only the writer's file and the store hold the handle.
  const std::set<std::string> engine_users = {"engine/log_store.h", "engine/log_store.cc",
                                              "engine/log_cursor.cc", "engine/writer_prepare.cc"};
  for (const Source& s : sources) {
    if (s.path.rfind("tests/", 0) == 0) continue;
    if (s.text.find("events_cf()") == std::string::npos) continue;
    CHECK_MESSAGE(engine_users.count(s.path) == 1, s.path << " uses the events family directly");
  }
}

TEST_CASE("one read side: the unverified scan serves only the benchmarks' raw baselines") {
  std::size_t callers = 0;
  for (const Source& s : Sources()) {
    if (s.path == "tests/engine/log_cursor_sources_test.cpp" ||
        s.path.rfind("engine/log_cursor.", 0) == 0) {
      continue;
    }
    if (s.text.find("ScanUnverifiedForBaseline") == std::string::npos) continue;
    ++callers;
    CHECK_MESSAGE(s.path.rfind("bench/", 0) == 0, s.path << " reads the log unverified");
  }
  CHECK(callers >= 1);  // the replay benchmark's raw scan
  for (const Source& s : Sources()) {
    if (s.path == "tests/engine/log_cursor_sources_test.cpp") continue;
    CHECK_MESSAGE(s.text.find("ScanRaw(") == std::string::npos, s.path << " calls ScanRaw");
  }
}

}  // namespace
}  // namespace folio
