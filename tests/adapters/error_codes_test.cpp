// Every error code is documented: each `inline constexpr std::string_view
// kName = "snake_case";` in a header of events/, engine/, projections/ or
// adapters/ is a stable code and must appear, in backquotes, in
// docs/errors.md or docs/rejections.md (except the few constants that are
// storage keys, not codes). A code added without its documentation fails here.
//
// And each code has one HTTP status, in one table (adapters/http/
// error_status.cc), which docs/errors.md repeats under "HTTP status of every
// code": a code without a row, a row without a code, or a status that differs
// between the table and the docs fails here.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "adapters/http/error_status.h"

namespace folio {
namespace {

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every `inline constexpr std::string_view kName = "code";` in the headers
// of events/, engine/, projections/ and adapters/ that is a code: code -> the
// first file defining it.
std::map<std::string, std::string> CodeConstants(const std::filesystem::path& root) {
  // Names of string constants that are keys of the `meta` column family.
  const std::set<std::string> not_codes = {"kMetaHead", "kMetaSchemaVersion", "kMetaDerived"};
  const std::regex constant(R"re(inline constexpr std::string_view (k\w+) = "([a-z_]+)";)re");
  std::map<std::string, std::string> codes;
  for (const char* dir : {"events", "engine", "projections", "adapters"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / dir)) {
      if (entry.path().extension() != ".h") continue;
      const std::string text = ReadAll(entry.path());
      for (std::sregex_iterator it(text.begin(), text.end(), constant), end; it != end; ++it) {
        if (not_codes.count((*it)[1].str()) != 0) continue;
        codes.emplace((*it)[2].str(), entry.path().string());
      }
    }
  }
  return codes;
}

// The rows of the markdown table under `heading` (up to the next heading),
// without its header: each row's cells, trimmed.
std::vector<std::vector<std::string>> TableUnder(const std::string& doc,
                                                 const std::string& heading) {
  std::vector<std::vector<std::string>> rows;
  std::size_t at = doc.find("\n" + heading + "\n");
  if (at == std::string::npos) return rows;
  std::istringstream in(doc.substr(at + heading.size() + 2));
  std::string line;
  bool body = false;
  while (std::getline(in, line) && !line.starts_with("#")) {
    if (line.starts_with("|---")) body = true;  // the rows after the header's rule
    if (!body || !line.starts_with("|") || line.starts_with("|---")) continue;
    std::vector<std::string> cells;
    std::size_t from = 1;
    for (std::size_t bar; (bar = line.find('|', from)) != std::string::npos; from = bar + 1) {
      std::string cell = line.substr(from, bar - from);
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(' ') + 1);
      cells.push_back(cell);
    }
    rows.push_back(std::move(cells));
  }
  return rows;
}

// "`a`, `b`" -> {a, b}.
std::vector<std::string> Backquoted(const std::string& cell) {
  std::vector<std::string> out;
  const std::regex quoted("`([a-z_]+)`");
  for (std::sregex_iterator it(cell.begin(), cell.end(), quoted), end; it != end; ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

TEST_CASE(
    "error codes: every code constant is documented in docs/errors.md or docs/rejections.md") {
  const std::filesystem::path root = FOLIO_SOURCE_DIR;
  const std::string docs =
      ReadAll(root / "docs" / "errors.md") + ReadAll(root / "docs" / "rejections.md");
  REQUIRE(docs.size() > 1000);
  const auto codes = CodeConstants(root);
  for (const auto& [code, file] : codes) {
    CAPTURE(file);
    CAPTURE(code);
    CHECK(docs.find("`" + code + "`") != std::string::npos);
  }
  CHECK(codes.size() > 100);  // the scan found the code tables at all
}

TEST_CASE("error codes: one HTTP status per code, in one table, and the docs say the same") {
  const std::filesystem::path root = FOLIO_SOURCE_DIR;
  const auto codes = CodeConstants(root);
  const auto table = http::ErrorStatusTable();
  REQUIRE(table.size() > 100);

  // The table: grouped by status, sorted within a group, each code once,
  // each a code some header defines, and every such code in it.
  std::map<std::string, unsigned> rows;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& row = table[i];
    const std::string code(row.code);
    CAPTURE(code);
    CHECK(rows.emplace(code, row.status).second);
    CHECK(codes.count(code) == 1);
    CHECK(row.status >= 400);
    CHECK(row.status <= 599);
    CHECK(http::HttpStatusFor(row.code) == row.status);
    if (i > 0) {
      const auto& prev = table[i - 1];
      CHECK(std::make_pair(prev.status, prev.code) < std::make_pair(row.status, row.code));
    }
  }
  for (const auto& [code, file] : codes) {
    CAPTURE(file);
    CAPTURE(code);
    CHECK(rows.count(code) == 1);
  }

  // docs/errors.md lists exactly the same pairs, one status a row.
  const std::string doc = ReadAll(root / "docs" / "errors.md");
  std::map<std::string, unsigned> documented;
  const auto by_status = TableUnder(doc, "## HTTP status of every code");
  REQUIRE(by_status.size() > 5);
  for (const auto& cells : by_status) {
    REQUIRE(cells.size() == 2);
    CAPTURE(cells[0]);
    const unsigned status = static_cast<unsigned>(std::stoul(cells[0]));
    for (const auto& code : Backquoted(cells[1])) {
      CAPTURE(code);
      CHECK(documented.emplace(code, status).second);
    }
  }
  CHECK(documented == rows);

  // The HTTP layer's own table (code | status | meaning) agrees too.
  const auto layer = TableUnder(doc, "## HTTP API (docs/api.md)");
  REQUIRE(layer.size() > 5);
  for (const auto& cells : layer) {
    REQUIRE(cells.size() == 3);
    for (const auto& code : Backquoted(cells[0])) {
      CAPTURE(code);
      CHECK(http::HttpStatusFor(code) == static_cast<unsigned>(std::stoul(cells[1])));
    }
  }

  // A code made at run time, not in the table, is a business refusal.
  CHECK(http::HttpStatusFor("no_such_code_anywhere") == 422);
}

}  // namespace
}  // namespace folio
