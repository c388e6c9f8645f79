// A poll's answer records exactly what the notification of the same outcome
// records: same idempotency key, same command (adapters/gateways/poll_facts.h).
#include <doctest/doctest.h>

#include "adapters/gateways/poll_facts.h"
#include "adapters/json/command_json.h"
#include "tests/adapters/gateways/gateway_test_support.h"

namespace folio::gateways {
namespace {

using testing::Keys;
using testing::kNow;

std::string Rendered(const Notification& n) {
  REQUIRE(n.command.has_value());
  json::ParsedCommand pc;
  pc.command = *n.command;
  pc.idempotency_key = n.dedupe_key;
  return json::RenderCommand(pc).value();
}

Notification ParseSent(const OutgoingNotification& out, Gateway g) {
  auto header = [&](std::string_view name) {
    for (const auto& [k, v] : out.headers) {
      std::string lower = k;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == name) return v;
    }
    return std::string();
  };
  Result<Notification> n = Status::Error("x", "x");
  switch (g) {
    case Gateway::kAlipay:
      n = ParseAlipayNotify(out.body, Keys().alipay_config());
      break;
    case Gateway::kWechatPay:
      n = ParseWechatNotify(
          WechatHeaders{header("wechatpay-timestamp"), header("wechatpay-nonce"),
                        header("wechatpay-signature"), header("wechatpay-serial")},
          out.body, Keys().wechat_config(), kNow);
      break;
    default:
      n = ParseUnionPayNotify(out.body, Keys().unionpay_config());
      break;
  }
  REQUIRE_MESSAGE(n.ok(), n.status().ToString());
  return *n;
}

SandboxPayment Payment(Gateway g) {
  return SandboxPayment{g, "pay-77", Money(Asset::CNY, 12345), ""};
}

TEST_CASE("poll facts: a paid trade is the settle its notification would record") {
  struct Case {
    Gateway g;
    const char* status;
  };
  for (const Case c : {Case{Gateway::kAlipay, "TRADE_SUCCESS"},
                       Case{Gateway::kWechatPay, "SUCCESS"}, Case{Gateway::kUnionPay, "00"}}) {
    CAPTURE(GatewayName(c.g));
    const SandboxPayment p = Payment(c.g);
    std::optional<OutgoingNotification> sent;
    switch (c.g) {
      case Gateway::kAlipay:
        sent = BuildAlipayNotify(Keys(), p, c.status, kNow);
        break;
      case Gateway::kWechatPay:
        sent = BuildWechatNotify(Keys(), p, c.status, kNow);
        break;
      default:
        sent = BuildUnionPayNotify(Keys(), p, c.status, kNow);
        break;
    }
    const Notification notified = ParseSent(*sent, c.g);
    TradeQuery q;
    q.state = TradeState::kPaid;
    q.gateway_status = c.status;
    q.gateway_txn_id = SandboxTxnId(p);
    q.amount = p.amount;
    auto polled = FactFromTradeQuery(c.g, p.payment_id, q);
    REQUIRE(polled.ok());
    CHECK(polled->dedupe_key == notified.dedupe_key);
    CHECK(Rendered(*polled) == Rendered(notified));
  }
}

TEST_CASE("poll facts: a failed trade is the fail its notification would record") {
  struct Case {
    Gateway g;
    const char* status;
    TradeState state;
  };
  for (const Case c : {Case{Gateway::kAlipay, "TRADE_CLOSED", TradeState::kClosed},
                       Case{Gateway::kWechatPay, "PAYERROR", TradeState::kFailed},
                       Case{Gateway::kWechatPay, "CLOSED", TradeState::kClosed},
                       Case{Gateway::kUnionPay, "61", TradeState::kFailed}}) {
    CAPTURE(GatewayName(c.g));
    CAPTURE(c.status);
    const SandboxPayment p = Payment(c.g);
    std::optional<OutgoingNotification> sent;
    switch (c.g) {
      case Gateway::kAlipay:
        sent = BuildAlipayNotify(Keys(), p, c.status, kNow);
        break;
      case Gateway::kWechatPay:
        sent = BuildWechatNotify(Keys(), p, c.status, kNow);
        break;
      default:
        sent = BuildUnionPayNotify(Keys(), p, c.status, kNow);
        break;
    }
    const Notification notified = ParseSent(*sent, c.g);
    TradeQuery q;
    q.state = c.state;
    q.gateway_status = c.status;
    q.gateway_txn_id = SandboxTxnId(p);
    auto polled = FactFromTradeQuery(c.g, p.payment_id, q);
    REQUIRE(polled.ok());
    CHECK(polled->dedupe_key == notified.dedupe_key);
    // The reason text may differ from a notification's description; the key
    // decides: the second of the two is a replay or a conflict, never a fact.
    REQUIRE(polled->command.has_value());
    CHECK(polled->command->index() == notified.command->index());
  }
}

TEST_CASE("poll facts: pending and unknown trades record nothing") {
  for (TradeState s : {TradeState::kPending, TradeState::kNotFound}) {
    TradeQuery q;
    q.state = s;
    auto f = FactFromTradeQuery(Gateway::kAlipay, "pay-1", q);
    REQUIRE(f.ok());
    CHECK(!f->command.has_value());
  }
  TradeQuery paid_without_id;
  paid_without_id.state = TradeState::kPaid;
  CHECK(FactFromTradeQuery(Gateway::kAlipay, "pay-1", paid_without_id).status().code() ==
        codes::kGatewayResponseInvalid);
}

TEST_CASE("poll facts: a refund answer is the refund notification's fact") {
  const SandboxPayment p = Payment(Gateway::kAlipay);
  const Money refund(Asset::CNY, 2345);
  const Notification alipay =
      ParseSent(BuildAlipayRefundNotify(Keys(), p, "ref-9", refund, false, kNow), Gateway::kAlipay);
  RefundAnswer a;
  a.state = RefundState::kSucceeded;
  a.gateway_status = "10000";
  auto polled = FactFromRefund(Gateway::kAlipay, "ref-9", SandboxTxnId(p), a);
  REQUIRE(polled.ok());
  CHECK(polled->dedupe_key == alipay.dedupe_key);
  CHECK(Rendered(*polled) == Rendered(alipay));

  const SandboxPayment w = Payment(Gateway::kWechatPay);
  const Notification wechat = ParseSent(
      BuildWechatRefundNotify(Keys(), w, "ref-9", refund, "SUCCESS", kNow), Gateway::kWechatPay);
  const auto& succeed = std::get<domain::RefundSucceed>(*wechat.command);
  RefundAnswer wa;
  wa.state = RefundState::kSucceeded;
  wa.gateway_status = "SUCCESS";
  wa.gateway_refund_id = succeed.gateway_refund_id;
  auto wpolled = FactFromRefund(Gateway::kWechatPay, "ref-9", SandboxTxnId(w), wa);
  REQUIRE(wpolled.ok());
  CHECK(wpolled->dedupe_key == wechat.dedupe_key);
  CHECK(Rendered(*wpolled) == Rendered(wechat));

  RefundAnswer processing;
  processing.state = RefundState::kProcessing;
  CHECK(!FactFromRefund(Gateway::kWechatPay, "ref-9", "", processing)->command.has_value());
}

}  // namespace
}  // namespace folio::gateways
