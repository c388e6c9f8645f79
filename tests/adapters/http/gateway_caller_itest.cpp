// The outbound gateway client over real loopback sockets: a scripted
// HttpServer plays the gateway (5xx, a held answer, a huge body, ...), and
// GatewayCaller must retry, time out, refuse and count as documented.
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "adapters/gateways/gateway_codes.h"
#include "adapters/http/gateway_caller.h"
#include "adapters/http/outbound.h"
#include "adapters/http/server.h"
#include "events/codes.h"

namespace folio::http {
namespace {

namespace gcodes = gateways::codes;
using std::chrono::milliseconds;

// A gateway whose answers the test scripts: each request takes the next
// scripted answer (the last one repeats). kHold keeps the request unanswered
// until the peer is destroyed (a gateway that never answers).
class ScriptedPeer {
 public:
  static constexpr unsigned kHold = 0;
  explicit ScriptedPeer(std::vector<Response> script) : script_(std::move(script)) {
    ServerOptions so;
    so.drain_timeout = milliseconds(100);
    so.body_limit = 8u << 20;
    server_ = std::move(HttpServer::Start(so, [this](Request r, Responder done) {
                          std::unique_lock<std::mutex> lock(mu_);
                          seen_.push_back(std::move(r));
                          const Response& next =
                              script_[std::min(seen_.size(), script_.size()) - 1];
                          cv_.notify_all();
                          if (next.status == kHold) {
                            held_.push_back(std::move(done));
                            return;
                          }
                          lock.unlock();
                          done(next);
                        }).value());
  }
  ~ScriptedPeer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& d : held_) d(Response{500, "text/plain", "late", {}});
      held_.clear();
    }
    server_->Stop();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::size_t requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_.size();
  }
  Request request(std::size_t i) const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_.at(i);
  }
  // Blocks until `n` requests have arrived (the test's synchronisation).
  void AwaitRequests(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return seen_.size() >= n; });
  }

 private:
  std::vector<Response> script_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Request> seen_;
  std::vector<Responder> held_;
  std::unique_ptr<HttpServer> server_;
};

Response Answer(unsigned status, std::string body = "{}") {
  return Response{status, "application/json", std::move(body), {}};
}

// The codec's part, reduced: 200 is the answer, 5xx busy, 4xx a refusal.
Result<std::string> ParseAnswer(const gateways::InboundResponse& r) {
  if (r.status >= 500) return Status::Error(gcodes::kGatewayUnavailable, "5xx");
  if (r.status >= 400) return Status::Error(gcodes::kGatewayRefused, "4xx");
  return r.body;
}

GatewayCaller::Build Post(std::string body) {
  return [body = std::move(body)]() -> Result<gateways::OutboundRequest> {
    return gateways::OutboundRequest{"POST", "/gateway.do", {{"Content-Type", "text/plain"}}, body};
  };
}

std::unique_ptr<GatewayCaller> MakeCaller(const std::string& url, GatewayCallerOptions o,
                                          milliseconds timeout = milliseconds(2000)) {
  OutboundOptions oo;
  oo.timeout = timeout;
  oo.body_limit = 64u << 10;
  auto client = OutboundClient::Create(ParseBaseUrl(url).value(), oo);
  REQUIRE(client.ok());
  return std::make_unique<GatewayCaller>("alipay", std::move(client).value(), o);
}

GatewayCallerOptions FastRetries(unsigned attempts) {
  GatewayCallerOptions o;
  o.retry.attempts_max = attempts;
  o.retry.base = milliseconds(1);
  o.retry.cap = milliseconds(5);
  o.breaker.failures_to_open = 100;
  o.seed = 42;
  return o;
}

TEST_CASE("gateway caller: a 5xx is retried with back-off until the gateway answers") {
  ScriptedPeer peer({Answer(503), Answer(502), Answer(200, "{\"ok\":1}")});
  auto caller = MakeCaller(peer.url(), FastRetries(4));
  auto r = caller->Call<std::string>("precreate", Post("a=1"), ParseAnswer);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(*r == "{\"ok\":1}");
  CHECK(peer.requests() == 3);
  CHECK(peer.request(2).body == "a=1");
  CHECK(peer.request(2).target == "/gateway.do");
  const auto st = caller->stats();
  CHECK(st.attempts == 3);
  CHECK(st.retries == 2);
  CHECK(st.succeeded == 1);
}

TEST_CASE("gateway caller: a business refusal is never retried") {
  ScriptedPeer peer({Answer(400)});
  auto caller = MakeCaller(peer.url(), FastRetries(4));
  auto r = caller->Call<std::string>("refund", Post("x"), ParseAnswer);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == gcodes::kGatewayRefused);
  CHECK(peer.requests() == 1);
}

TEST_CASE("gateway caller: the attempts run out and the last error is returned") {
  ScriptedPeer peer({Answer(500)});
  auto caller = MakeCaller(peer.url(), FastRetries(3));
  auto r = caller->Call<std::string>("query", Post("x"), ParseAnswer);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == gcodes::kGatewayUnavailable);
  CHECK(peer.requests() == 3);
  CHECK(caller->stats().failed == 1);
}

TEST_CASE("gateway caller: a gateway that never answers is a time-out, retried, outcome unknown") {
  ScriptedPeer peer({Answer(ScriptedPeer::kHold)});
  auto caller = MakeCaller(peer.url(), FastRetries(2), milliseconds(150));
  auto r = caller->Call<std::string>("precreate", Post("x"), ParseAnswer);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == gcodes::kGatewayTimeout);
  CHECK(peer.requests() == 2);
}

TEST_CASE("gateway caller: nobody listening is unavailable (nothing was sent)") {
  std::string url;
  {
    ScriptedPeer gone({Answer(200)});
    url = gone.url();
  }  // the port is closed now
  auto caller = MakeCaller(url, FastRetries(2));
  auto r = caller->Call<std::string>("query", Post("x"), ParseAnswer);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == gcodes::kGatewayUnavailable);
  CHECK(caller->stats().attempts == 2);
}

TEST_CASE("gateway caller: an answer over the body limit is invalid and not retried") {
  ScriptedPeer peer({Answer(200, std::string(200u << 10, 'x'))});
  auto caller = MakeCaller(peer.url(), FastRetries(4));
  auto r = caller->Call<std::string>("bill", Post("x"), ParseAnswer);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == gcodes::kGatewayResponseInvalid);
  CHECK(peer.requests() == 1);
}

TEST_CASE("gateway caller: https to a plain-HTTP peer fails the handshake, nothing sent") {
  ScriptedPeer peer({Answer(200)});
  std::string url = peer.url();
  url.replace(0, 4, "https");
  auto caller = MakeCaller(url, FastRetries(1));
  auto r = caller->Call<std::string>("query", Post("x"), ParseAnswer);
  REQUIRE(!r.ok());
  CHECK(r.status().code() == gcodes::kGatewayUnavailable);
  CHECK(peer.requests() == 0);
}

TEST_CASE("gateway caller: the breaker opens after repeated failures and stops the calls") {
  ScriptedPeer peer({Answer(503)});
  GatewayCallerOptions o = FastRetries(1);
  o.breaker.failures_to_open = 3;
  o.breaker.open_for = std::chrono::minutes(10);
  auto caller = MakeCaller(peer.url(), o);
  for (int i = 0; i < 3; ++i) {
    auto r = caller->Call<std::string>("query", Post("x"), ParseAnswer);
    CHECK(r.status().code() == gcodes::kGatewayUnavailable);
  }
  CHECK(caller->breaker_state() == gateways::CircuitBreaker::State::kOpen);
  auto refused = caller->Call<std::string>("query", Post("x"), ParseAnswer);
  CHECK(refused.status().code() == gcodes::kGatewayCircuitOpen);
  CHECK(peer.requests() == 3);  // the fourth call never left
  CHECK(caller->stats().refused_breaker == 1);
  bool saw_open = false;
  for (const Sample& s : caller->MetricSamples()) {
    if (s.name == "folio_gateway_breaker_open") saw_open = s.value == 1.0;
  }
  CHECK(saw_open);
}

TEST_CASE("gateway caller: a full queue refuses at once instead of piling up") {
  ScriptedPeer peer({Answer(ScriptedPeer::kHold)});
  GatewayCallerOptions o = FastRetries(1);
  o.in_flight_max = 1;
  o.waiting_max = 0;
  auto caller = MakeCaller(peer.url(), o, milliseconds(1000));
  std::thread first([&] { (void)caller->Call<std::string>("query", Post("1"), ParseAnswer); });
  peer.AwaitRequests(1);  // the first call holds the only slot
  auto second = caller->Call<std::string>("query", Post("2"), ParseAnswer);
  CHECK(second.status().code() == gcodes::kGatewayCircuitOpen);
  CHECK(caller->stats().refused_queue == 1);
  caller->Stop();
  first.join();
  CHECK(peer.requests() == 1);
}

TEST_CASE("gateway caller: build errors are returned and nothing is sent") {
  ScriptedPeer peer({Answer(200)});
  auto caller = MakeCaller(peer.url(), FastRetries(3));
  auto r = caller->Call<std::string>(
      "refund",
      []() -> Result<gateways::OutboundRequest> {
        return Status::Error(gcodes::kGatewayConfigInvalid, "no key");
      },
      ParseAnswer);
  CHECK(r.status().code() == gcodes::kGatewayConfigInvalid);
  CHECK(peer.requests() == 0);
}

TEST_CASE("outbound: base URLs parse, and bad ones are refused") {
  auto a = ParseBaseUrl("https://openapi.alipay.com");
  REQUIRE(a.ok());
  CHECK(a->tls);
  CHECK(a->host == "openapi.alipay.com");
  CHECK(a->port == 443);
  CHECK(a->path_prefix.empty());
  auto b = ParseBaseUrl("http://127.0.0.1:9300/sandbox/");
  REQUIRE(b.ok());
  CHECK(!b->tls);
  CHECK(b->port == 9300);
  CHECK(b->path_prefix == "/sandbox");
  for (const char* bad :
       {"ftp://x", "openapi.alipay.com", "https://", "http://h:0", "http://h:99999", "http://h:12a",
        "http://h/x?y=1", "http://h#f", "http://h st"}) {
    CAPTURE(bad);
    auto r = ParseBaseUrl(bad);
    CHECK(!r.ok());
    if (!r.ok()) CHECK(r.status().code() == codes::kInvalidArgument);
  }
}

}  // namespace
}  // namespace folio::http
