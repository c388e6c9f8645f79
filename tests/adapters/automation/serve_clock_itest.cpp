// The real `folio serve` runs its own clock: with nobody calling
// /v1/clock/advance, a scheduled payment falls due, a credit expires, and a
// gateway payment expires and is closed at the gateway (the `folio sandbox`
// process). With --no-clock none of that happens by itself.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <ctime>
#include <fstream>

#include "tests/adapters/automation/serve_child.h"
#include "tests/adapters/http/gateway_calls_harness.h"

namespace folio {
namespace {

using namespace folio::testing;

// RFC 3339 (UTC) `seconds` from now.
std::string InSeconds(int seconds) {
  const std::time_t t = std::time(nullptr) + seconds;
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::vector<std::pair<std::string, std::string>> Headers(const std::string& key,
                                                         const std::string& idem = "") {
  std::vector<std::pair<std::string, std::string>> h = {{"Authorization", "Bearer " + key},
                                                        {"Content-Type", "application/json"}};
  if (!idem.empty()) h.emplace_back("Idempotency-Key", idem);
  return h;
}

std::string StatusOf(const ServeChild& s, const std::string& key, const std::string& what) {
  auto c = s.Client();
  auto r = c.Send("GET", what, "", Headers(key));
  if (!r.ok() || r->status != 200) return "";
  const boost::json::value v = boost::json::parse(r->body);
  const auto* st = v.as_object().if_contains("status");
  return st != nullptr && st->is_string() ? std::string(st->as_string()) : "";
}

void Post(const ServeChild& s, const std::string& key, const std::string& target,
          const std::string& body, const std::string& idem) {
  auto c = s.Client();
  auto r = c.Send("POST", target, body, Headers(key, idem));
  REQUIRE(r.ok());
  REQUIRE_MESSAGE(r->status == 201, r->body);
}

// A scheduled payment due in 2 s, a credit expiring in 2 s, an Alipay
// payment whose time runs out in 2 s (never paid: the sandbox pays after 10
// minutes).
void CreateTimedThings(const ServeChild& s, const std::string& key) {
  Post(s, key, "/v1/payments",
       R"({"payment_id":"sched-1","customer_id":"c1","order_id":"o-1","method":"bank_transfer",)"
       R"("amount":"10.00","currency":"CNY","due_at":")" +
           InSeconds(2) + R"("})",
       "k-sched");
  Post(s, key, "/v1/credits",
       R"({"credit_id":"cr-1","customer_id":"c1","amount":"5.00","currency":"CNY",)"
       R"("expires_at":")" +
           InSeconds(2) + R"("})",
       "k-credit");
  Post(s, key, "/v1/payments",
       R"({"payment_id":"PAYEXP0001","customer_id":"c2","order_id":"o-2","method":"alipay",)"
       R"("amount":"20.00","currency":"CNY","timeout_s":2})",
       "k-exp");
}

std::string SandboxTradeState(const SandboxChild& sandbox, const std::string& id) {
  auto c = http::HttpClient::Connect("127.0.0.1", sandbox.port());
  if (!c.ok()) return "";
  auto r = c->Send("GET", "/sandbox/trades", "", {});
  if (!r.ok() || r->status != 200) return "";
  const boost::json::value v = boost::json::parse(r->body);
  const boost::json::array* trades =
      v.is_array() ? &v.as_array() : v.as_object().at("trades").if_array();
  if (trades == nullptr) return "";
  for (const auto& t : *trades) {
    const auto& o = t.as_object();
    if (o.at("out_trade_no").as_string() == id) return std::string(o.at("state").as_string());
  }
  return "";
}

TEST_CASE("folio serve clock: due payments, expiries and the gateway close happen by themselves") {
  TempDir dir;
  const std::string key = AddOperatorKey(dir.str() + "/keys");
  SandboxChild sandbox(dir.str(), {"--pay-after-ms", "600000", "--fail-permille", "0"});
  std::ofstream(dir.str() + "/config.json") << R"({"clock": {"tick_ms": 200}})";
  ServeChild serve(dir.str() + "/serve.log",
                   {"--data", dir.str() + "/data", "--keys", dir.str() + "/keys", "--gateways",
                    sandbox.config(), "--config", dir.str() + "/config.json"});
  CreateTimedThings(serve, key);
  CHECK(StatusOf(serve, key, "/v1/payments/sched-1") == "scheduled");
  CHECK(StatusOf(serve, key, "/v1/credits/cr-1") == "active");
  REQUIRE(PollUntil([&] { return SandboxTradeState(sandbox, "PAYEXP0001") == "pending"; },
                    std::chrono::seconds(30)));
  // Nobody calls /v1/clock/advance from here on.
  REQUIRE_MESSAGE(PollUntil(
                      [&] {
                        const std::string p = StatusOf(serve, key, "/v1/payments/PAYEXP0001");
                        return StatusOf(serve, key, "/v1/payments/sched-1") == "created" &&
                               StatusOf(serve, key, "/v1/credits/cr-1") == "expired" &&
                               (p == "expired" || p == "failed") &&
                               SandboxTradeState(sandbox, "PAYEXP0001") == "closed";
                      },
                      std::chrono::seconds(30)),
                  "sched-1 " << StatusOf(serve, key, "/v1/payments/sched-1") << ", cr-1 "
                             << StatusOf(serve, key, "/v1/credits/cr-1") << ", PAYEXP0001 "
                             << StatusOf(serve, key, "/v1/payments/PAYEXP0001")
                             << " (sandbox: " << SandboxTradeState(sandbox, "PAYEXP0001") << ")\n"
                             << serve.Log());
  auto c = serve.Client();
  auto metrics = c.Send("GET", "/metrics", "", {});
  REQUIRE(metrics.ok());
  CHECK(metrics->body.find("folio_clock_ticks_total{what=\"submitted\"}") != std::string::npos);
}

TEST_CASE("folio serve --no-clock: nothing falls due or expires by itself") {
  TempDir dir;
  const std::string key = AddOperatorKey(dir.str() + "/keys");
  SandboxChild sandbox(dir.str(), {"--pay-after-ms", "600000", "--fail-permille", "0"});
  ServeChild serve(dir.str() + "/serve.log",
                   {"--data", dir.str() + "/data", "--keys", dir.str() + "/keys", "--gateways",
                    sandbox.config(), "--no-clock"});
  CreateTimedThings(serve, key);
  // Past every deadline (the trade's close shows the time has passed)...
  REQUIRE(PollUntil([&] { return SandboxTradeState(sandbox, "PAYEXP0001") == "closed"; },
                    std::chrono::seconds(30)));
  // ...(the close comes after the payment's expiry, which is after the
  // other two deadlines) the scheduled payment and the credit are as they were.
  CHECK(StatusOf(serve, key, "/v1/payments/sched-1") == "scheduled");
  CHECK(StatusOf(serve, key, "/v1/credits/cr-1") == "active");
}

}  // namespace
}  // namespace folio
