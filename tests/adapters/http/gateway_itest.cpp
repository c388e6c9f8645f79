// Gateway notification endpoints over a real socket, with keys the test
// generates: signed notifications settle payments exactly once; bad, expired
// and replayed ones get a 4xx with their code and write nothing; the sandbox
// gateway pays end to end.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include <librdkafka/rdkafkacpp.h>

#include "adapters/http/gateway_routes.h"
#include "adapters/http/sandbox_gateway.h"
#include "adapters/kafka/mock_cluster.h"
#include "adapters/kafka/relay.h"
#include "engine/domain/methods.h"
#include "tests/adapters/http/http_harness.h"

namespace folio {
namespace {

using namespace folio::testing;

std::int64_t NowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const gateways::SandboxKeys& Keys() {
  static const gateways::SandboxKeys keys = gateways::SandboxKeys::Generate();
  return keys;
}

struct GatewayServer : TestServer {
  GatewayServer() { http::AddGatewayRoutes(*api, http::GatewayConfigs::FromSandbox(Keys())); }

  void CreatePayment(const std::string& id, const std::string& method, const std::string& amount,
                     const std::string& currency = "CNY", const std::string& extra = "") {
    auto c = Client();
    auto r = c.Send("POST", "/v1/payments",
                    R"({"payment_id":")" + id + R"(","customer_id":"c1","order_id":"o-)" + id +
                        R"(","method":")" + method + R"(","amount":")" + amount +
                        R"(","currency":")" + currency + "\"" + extra + "}",
                    Auth(kOperatorKey, "create-" + id));
    REQUIRE(r.ok());
    REQUIRE_MESSAGE(r->status == 201, r->body);
  }
  http::ClientResponse Deliver(const gateways::OutgoingNotification& n) {
    auto c = Client();
    auto r = c.Send("POST", n.path, n.body, n.headers);
    REQUIRE(r.ok());
    return std::move(*r);
  }
  std::string Status(const std::string& id) {
    auto c = Client();
    auto r = c.Send("GET", "/v1/payments/" + id, "", Auth(kAuditorKey));
    REQUIRE(r.ok());
    return std::string(JsonOf(r->body).at("status").as_string());
  }
};

gateways::SandboxPayment Pay(gateways::Gateway g, const std::string& id, const char* amount,
                             const char* currency = "CNY") {
  return gateways::SandboxPayment{g, id, Money::Parse(amount, currency).value(), ""};
}

TEST_CASE(
    "each gateway's signed notification settles its payment once, retries get the same reply") {
  GatewayServer s;
  struct Case {
    const char* method;
    gateways::Gateway gateway;
    const char* ok_body;  // the gateway's success reply
  };
  const Case cases[] = {{"alipay", gateways::Gateway::kAlipay, "success"},
                        {"wechat_pay", gateways::Gateway::kWechatPay, nullptr},
                        {"unionpay", gateways::Gateway::kUnionPay, "ok"}};
  int n = 0;
  for (const Case& k : cases) {
    CAPTURE(k.method);
    const std::string id = "p-" + std::to_string(++n);
    s.CreatePayment(id, k.method, "88.00");
    const auto pay = Pay(k.gateway, id, "88.00");
    gateways::OutgoingNotification note;
    if (k.gateway == gateways::Gateway::kAlipay) {
      note = gateways::BuildAlipayNotify(Keys(), pay, "TRADE_SUCCESS", NowS());
    } else if (k.gateway == gateways::Gateway::kWechatPay) {
      note = gateways::BuildWechatNotify(Keys(), pay, "SUCCESS", NowS());
    } else {
      note = gateways::BuildUnionPayNotify(Keys(), pay, "00", NowS());
    }
    auto r = s.Deliver(note);
    CHECK_MESSAGE(r.status == 200, r.body);
    if (k.ok_body != nullptr)
      CHECK(r.body == k.ok_body);
    else
      CHECK(r.body.find("SUCCESS") != std::string::npos);
    CHECK(s.Status(id) == "settled");
    const auto head = s.Head();
    auto again = s.Deliver(note);  // the gateway retries
    CHECK(again.status == r.status);
    CHECK(again.body == r.body);
    CHECK(s.Head() == head);
  }
  // Alipay TRADE_FINISHED after TRADE_SUCCESS: success, nothing new.
  const auto head = s.Head();
  auto fin = s.Deliver(gateways::BuildAlipayNotify(
      Keys(), Pay(gateways::Gateway::kAlipay, "p-1", "88.00"), "TRADE_FINISHED", NowS()));
  CHECK(fin.body == "success");
  CHECK(s.Head() == head);
}

TEST_CASE("chain confirmations over HMAC settle a USDT payment, a replayed nonce is refused") {
  GatewayServer s;
  s.CreatePayment("p-usdt", "usdt_trc20", "50.000000", "USDT", R"(,"network":"TRC20")");
  const auto pay = Pay(gateways::Gateway::kChain, "p-usdt", "50.000000", "USDT");
  auto first = gateways::BuildChainNotify(Keys(), pay, 1, 100, NowS());
  CHECK(s.Deliver(first).status == 200);
  CHECK(s.Status("p-usdt") == "confirming");
  const auto head = s.Head();
  auto replay = s.Deliver(first);  // same nonce: a replay, not a retry
  CHECK(replay.status == 409);
  CHECK(replay.Header("x-folio-code") == "notification_replayed");
  CHECK(s.Head() == head);
  CHECK(s.Deliver(gateways::BuildChainNotify(Keys(), pay, 64, 163, NowS())).status == 200);
  CHECK(s.Status("p-usdt") == "settled");
}

TEST_CASE("bad, foreign, expired and tampered notifications: 4xx with a code, nothing written") {
  GatewayServer s;
  s.CreatePayment("p-x", "alipay", "10.00");
  s.CreatePayment("p-w", "wechat_pay", "10.00");
  const auto head = s.Head();
  const auto ali = Pay(gateways::Gateway::kAlipay, "p-x", "10.00");
  const auto wx = Pay(gateways::Gateway::kWechatPay, "p-w", "10.00");

  auto tampered = gateways::BuildAlipayNotify(Keys(), ali, "TRADE_SUCCESS", NowS());
  auto pos = tampered.body.find("total_amount=10.00");
  REQUIRE(pos != std::string::npos);
  tampered.body.replace(pos, 18, "total_amount=11.00");
  auto r = s.Deliver(tampered);
  CHECK(r.status == 401);
  CHECK(r.body != "success");
  CHECK(r.Header("x-folio-code") == "signature_invalid");

  // Signed by a key that is not Alipay's.
  static const gateways::SandboxKeys other = gateways::SandboxKeys::Generate();
  r = s.Deliver(gateways::BuildAlipayNotify(other, ali, "TRADE_SUCCESS", NowS()));
  CHECK(r.Header("x-folio-code") == "signature_invalid");

  // WeChat Pay: ten minutes old.
  r = s.Deliver(gateways::BuildWechatNotify(Keys(), wx, "SUCCESS", NowS() - 600));
  CHECK(r.status == 401);
  CHECK(r.Header("x-folio-code") == "signature_expired");
  CHECK(r.body.find("FAIL") != std::string::npos);

  // Truncated body.
  auto cut = gateways::BuildWechatNotify(Keys(), wx, "SUCCESS", NowS());
  cut.body.resize(cut.body.size() / 2);
  r = s.Deliver(cut);
  CHECK(r.status >= 400);
  CHECK(r.status < 500);

  // HMAC: wrong secret, expired window.
  auto chain = gateways::BuildChainNotify(other, Pay(gateways::Gateway::kChain, "p-x", "10.00"), 1,
                                          1, NowS());
  r = s.Deliver(chain);
  CHECK(r.Header("x-folio-code") == "signature_invalid");
  r = s.Deliver(gateways::BuildChainNotify(Keys(), Pay(gateways::Gateway::kChain, "p-x", "10.00"),
                                           1, 1, NowS() - 3600));
  CHECK(r.Header("x-folio-code") == "signature_expired");

  // Garbage form.
  auto c = s.Client();
  auto g = c.Send("POST", "/v1/gateways/alipay/notify", "sign=%zz&a=b");
  REQUIRE(g.ok());
  CHECK(g->status == 400);
  CHECK(g->Header("x-folio-code") == "notification_malformed");
  auto unknown = c.Send("POST", "/v1/gateways/paypal/notify", "{}");
  REQUIRE(unknown.ok());
  CHECK(unknown->status == 404);

  CHECK(s.Head() == head);
  CHECK(s.Status("p-x") == "created");
}

TEST_CASE("the sandbox gateway pays end to end, through duplicates and lost deliveries") {
  GatewayServer s;
  http::SandboxOptions so;
  so.fail_permille = 0;
  so.duplicate_permille = 1000;  // every notification twice
  so.drop_permille = 1000;       // every first delivery lost, then retried
  so.pay_after = std::chrono::milliseconds(10);
  so.retry_after = std::chrono::milliseconds(10);
  http::SandboxGateway sandbox(Keys(), so, s.api.get());
  sandbox.Start(s.server->port());
  // The API's on_committed hook is the server's wiring; here the test hands
  // the sandbox each created payment the same way.
  const char* methods[] = {"alipay", "wechat_pay", "unionpay", "alipay", "wechat_pay", "unionpay"};
  for (int i = 0; i < 6; ++i) {
    const std::string id = "p-s" + std::to_string(i);
    s.CreatePayment(id, methods[i], "12.34");
    domain::PaymentCreate create;
    create.payment_id = id;
    create.method = *domain::MethodFromName(methods[i]);
    create.amount = Money::Parse("12.34", "CNY").value();
    sandbox.OnCommitted(create, AppendOutcome{});
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!sandbox.idle() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  REQUIRE(sandbox.idle());
  auto st = sandbox.stats();
  CHECK(st.notifications == 6);
  CHECK(st.duplicates == 6);
  CHECK(st.dropped == 6);  // the first delivery of each payment's notification
  CHECK(st.retries == 6);

  CHECK(st.gave_up == 0);
  for (int i = 0; i < 6; ++i) CHECK(s.Status("p-s" + std::to_string(i)) == "settled");
  // Each payment: created, pending, settled. Duplicates added nothing.
  CHECK(s.Head() == 18);
  const std::string head = std::to_string(s.Head());
  auto c = s.Client();
  auto r = c.Send("GET", "/v1/balances?account=clearing:alipay&asset=CNY&min_seq=" + head, "",
                  Auth(kAuditorKey));
  REQUIRE(r.ok());
  CHECK(JsonOf(r->body).at("debits").as_string() == "24.68");
}

// The gateway end to end: the sandbox pays, the server settles, the relay
// puts the settlement on Kafka (payments.settled and folio.events) and the
// balance endpoint shows it.
TEST_CASE("end to end: sandbox pays, server settles, Kafka has it, the balance shows it") {
  auto cluster = kafka::MockCluster::Start(3, 0);
  REQUIRE(cluster.ok());
  GatewayServer s;
  kafka::RelayOptions ro;
  ro.brokers = (*cluster)->bootstrap();
  auto relay = kafka::Relay::Start(s.store, ro);
  REQUIRE_MESSAGE(relay.ok(), relay.status().ToString());
  http::SandboxOptions so;
  so.fail_permille = 0;
  so.pay_after = std::chrono::milliseconds(10);
  http::SandboxGateway sandbox(Keys(), so, s.api.get());
  sandbox.Start(s.server->port());

  s.CreatePayment("p-e2e", "wechat_pay", "321.00");
  domain::PaymentCreate create;
  create.payment_id = "p-e2e";
  create.method = fb::Method::WechatPay;
  create.amount = Money::Parse("321.00", "CNY").value();
  sandbox.OnCommitted(create, AppendOutcome{});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!sandbox.idle() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  REQUIRE(s.Status("p-e2e") == "settled");
  (*relay)->Notify();
  REQUIRE((*relay)->Flush(std::chrono::seconds(30)).ok());

  // A downstream consumer of the integration topic sees the settlement.
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  REQUIRE(conf->set("bootstrap.servers", (*cluster)->bootstrap(), err) == RdKafka::Conf::CONF_OK);
  REQUIRE(conf->set("group.id", "e2e-test", err) == RdKafka::Conf::CONF_OK);
  REQUIRE(conf->set("auto.offset.reset", "earliest", err) == RdKafka::Conf::CONF_OK);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  REQUIRE_MESSAGE(consumer, err);
  REQUIRE(consumer->subscribe({"payments.settled"}) == RdKafka::ERR_NO_ERROR);
  std::string found;
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (found.empty() && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(200));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    std::string value(static_cast<const char*>(m->payload()), m->len());
    if (value.find("\"p-e2e\"") != std::string::npos) found = value;
  }
  consumer->close();
  REQUIRE_MESSAGE(!found.empty(), "payments.settled never carried p-e2e");
  auto j = JsonOf(found);
  CHECK(j.at("amount").as_string() == "321.00");
  CHECK(j.at("currency").as_string() == "CNY");
  CHECK(j.at("method").as_string() == "wechat_pay");

  auto c = s.Client();
  auto r = c.Send(
      "GET",
      "/v1/balances?account=clearing:wechat_pay&asset=CNY&min_seq=" + std::to_string(s.Head()), "",
      Auth(kAuditorKey));
  REQUIRE(r.ok());
  CHECK(JsonOf(r->body).at("debits").as_string() == "321.00");
  sandbox.Stop();
  (*relay)->Stop();
}

}  // namespace
}  // namespace folio
