// ApiRoutes against real requests: each listed route is served (and counted
// under its own template in /metrics), the other methods on its path are 405,
// and paths not listed are 404. With routes_test.cpp (ApiRoutes equals the
// operations of docs/openapi.yaml) the document matches what is served.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "tests/adapters/http/http_harness.h"

namespace folio {
namespace {

using namespace folio::testing;

http::ClientResponse Must(Result<http::ClientResponse> r) {
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(*r);
}

// The template with a value in each parameter: one the handler accepts
// where the parameter names a table entry (a report kind, a gateway).
std::string Concrete(const std::string& tmpl) {
  static const std::map<std::string, std::string> kValues = {{"kind", "fees"},
                                                             {"gateway", "testgw"}};
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] != '{') {
      out += tmpl[i++];
      continue;
    }
    auto end = tmpl.find('}', i);
    REQUIRE(end != std::string::npos);
    auto name = tmpl.substr(i + 1, end - i - 1);
    auto it = kValues.find(name);
    out += it != kValues.end() ? it->second : "x1";
    i = end + 1;
  }
  return out;
}

TEST_CASE("every route ApiRoutes lists is served, other methods are 405, other paths 404") {
  TestServer ts;
  // A gateway, so that /v1/gateways/{gateway}/notify has one to reach; it
  // refuses every notification in its own format.
  http::GatewayRoute gw;
  gw.name = "testgw";
  gw.parse = [](const http::Request&) -> Result<http::GatewayVerdict> {
    return Status::Error("signature_invalid", "the test gateway refuses everything");
  };
  gw.reply = [](const Status&) { return http::Response{200, "text/plain", "fail", {}}; };
  ts.api->AddGateway(std::move(gw));
  auto c = ts.Client();

  const auto routes = http::ApiRoutes();
  REQUIRE(routes.size() > 10);
  std::map<std::string, std::set<std::string>> methods_of;  // path template -> methods
  for (const auto& r : routes) {
    const std::string target = Concrete(r.path);
    CAPTURE(r.method);
    CAPTURE(target);
    // The auditor's key: queries answer, writes are refused by role (403),
    // so nothing runs, yet the route is known.
    auto res = Must(c.Send(r.method, target, "{}", Auth(kAuditorKey, "routes-" + target)));
    CHECK_MESSAGE(res.status != 405, res.body);
    CHECK_MESSAGE(!(res.status == 404 && CodeOf(res) == "route_not_found"), res.body);
    auto m = Must(c.Send("GET", "/metrics"));
    // The router counted it under this route (a gateway under its own name).
    const std::string label = r.path.find("{gateway}") != std::string::npos ? target : r.path;
    CHECK_MESSAGE(m.body.find("folio_http_requests_total{method=\"" + r.method + "\",route=\"" +
                              label + "\"") != std::string::npos,
                  "no metric for route " << label);
    methods_of[r.path].insert(r.method);
  }

  for (const auto& [path, methods] : methods_of) {
    for (const char* other : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
      if (methods.count(other) != 0) continue;
      CAPTURE(other);
      CAPTURE(path);
      auto res = Must(c.Send(other, Concrete(path), "{}", Auth(kAuditorKey, "routes-other")));
      CHECK_MESSAGE(res.status == 405, res.body);
      CHECK(CodeOf(res) == "method_not_allowed");
    }
  }

  for (const char* unlisted :
       {"/", "/v1", "/v2/payments", "/v1/nope", "/v1/payments/x1/nope", "/v1/reports",
        "/v1/gateways/testgw", "/healthz/x", "/v1/reconciliation/runs/r1/discrepancies/d1"}) {
    CAPTURE(unlisted);
    auto res = Must(c.Send("GET", unlisted, "", Auth(kAuditorKey)));
    CHECK(res.status == 404);
    CHECK(CodeOf(res) == "route_not_found");
  }
  CHECK(ts.Head() == 0);  // nothing was written
}

}  // namespace
}  // namespace folio
