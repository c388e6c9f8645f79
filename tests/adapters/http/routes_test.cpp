// docs/openapi.yaml against the router: every route the API serves
// (ApiRoutes, made from the tables Dispatch uses) is in the document, and
// every operation in the document is served. The document's validity as
// OpenAPI 3 is checked by scripts/openapi-check.sh (a CTest test too).
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "adapters/http/api.h"

namespace folio {
namespace {

// "METHOD /path/{param}" for every operation under `paths:` in an OpenAPI
// document written in block style: the paths at two spaces, their methods
// at four. A path whose methods are not found that way (a flow mapping on
// the path's line) is returned as "? /path", so that the comparison fails
// and names it.
std::set<std::string> OpenApiOperations(const std::string& yaml) {
  static const std::set<std::string> kMethods = {"get",  "put",     "post",  "delete",
                                                 "head", "options", "patch", "trace"};
  std::set<std::string> ops;
  std::istringstream in(yaml);
  std::string line, path;
  bool in_paths = false, path_has_method = false;
  const auto close_path = [&] {
    if (!path.empty() && !path_has_method) ops.insert("? " + path);
    path.clear();
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.find_first_not_of(' ') == std::string::npos) continue;
    const auto indent = line.find_first_not_of(' ');
    if (line[indent] == '#') continue;
    if (indent == 0) {
      close_path();
      in_paths = line == "paths:";
      continue;
    }
    if (!in_paths) continue;
    const auto colon = line.find(':', indent);
    if (colon == std::string::npos) continue;
    std::string key = line.substr(indent, colon - indent);
    if (key.size() >= 2 && (key.front() == '\'' || key.front() == '"')) {
      key = key.substr(1, key.size() - 2);
    }
    if (indent == 2) {
      close_path();
      path = key;
      path_has_method = false;
    } else if (indent == 4 && !path.empty() && kMethods.count(key) != 0) {
      std::string method;
      for (char c : key) method += static_cast<char>(c - 'a' + 'A');
      ops.insert(method + " " + path);
      path_has_method = true;
    }
  }
  close_path();
  return ops;
}

std::set<std::string> RouterOperations() {
  std::set<std::string> ops;
  for (const auto& r : http::ApiRoutes()) ops.insert(r.method + " " + r.path);
  return ops;
}

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += "\n  " + x;
  return out.empty() ? " (none)" : out;
}

std::set<std::string> Minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  for (const auto& x : a) {
    if (b.count(x) == 0) out.insert(x);
  }
  return out;
}

TEST_CASE("the OpenAPI path reader: block-style paths and methods, flow-style paths flagged") {
  const std::string doc =
      "openapi: 3.0.3\n"
      "components:\n"
      "  schemas:\n"
      "    get: {type: object}\n"  // not under paths: ignored
      "paths:\n"
      "  /a:\n"
      "    parameters: []\n"
      "    get:\n"
      "      summary: x\n"
      "      responses:\n"
      "        post: {description: not a method at this depth}\n"
      "    post:\n"
      "      summary: y\n"
      "  '/b/{id}':\n"
      "    put:\n"
      "  /c: {post: {summary: flow}}\n"
      "x-after:\n"
      "  /d:\n"
      "    get:\n";
  CHECK(OpenApiOperations(doc) ==
        std::set<std::string>{"GET /a", "POST /a", "PUT /b/{id}", "? /c"});
}

TEST_CASE("ApiRoutes: well-formed, no route twice") {
  const auto routes = http::ApiRoutes();
  CHECK(routes.size() == RouterOperations().size());
  for (const auto& r : routes) {
    CAPTURE(r.path);
    CHECK((r.method == "GET" || r.method == "POST" || r.method == "PUT"));
    REQUIRE(!r.path.empty());
    CHECK(r.path.front() == '/');
    CHECK(r.path.find("//") == std::string::npos);
    CHECK(r.path.back() != '/');
  }
}

TEST_CASE("docs/openapi.yaml lists every route the server serves, and nothing else") {
  std::ifstream f(std::string(FOLIO_SOURCE_DIR) + "/docs/openapi.yaml");
  REQUIRE(f.good());
  std::stringstream buf;
  buf << f.rdbuf();
  const auto documented = OpenApiOperations(buf.str());
  const auto served = RouterOperations();
  REQUIRE(documented.size() > 10);  // the reader found the paths section
  INFO("served, not in docs/openapi.yaml:" << Join(Minus(served, documented)));
  INFO("in docs/openapi.yaml, not served:" << Join(Minus(documented, served)));
  CHECK(documented == served);
}

}  // namespace
}  // namespace folio
