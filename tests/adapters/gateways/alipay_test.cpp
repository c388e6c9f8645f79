// Alipay async notifications: RSA2 over the sorted decoded parameters, the
// trade_status mapping, and hostile input (each failure with its code).
#include "adapters/gateways/alipay.h"

#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "adapters/gateways/form.h"
#include "tests/adapters/gateways/gateway_test_support.h"

namespace folio::gateways {
namespace {

using testing::CodeOf;
using testing::Keys;
using testing::kNow;

SandboxPayment Payment() {
  return SandboxPayment{Gateway::kAlipay, "pay-alipay-1", Money(Asset::CNY, 8888), "2026112222001"};
}

Result<Notification> Parse(const std::string& body) {
  return ParseAlipayNotify(body, Keys().alipay_config());
}

// The minimum parameters of a notification, for hostile variations.
FormPairs Params(std::string total_amount = "88.88", std::string status = "TRADE_SUCCESS") {
  return FormPairs{{"notify_id", "ac05099524730693a8b330c5ecf72da9786"},
                   {"notify_type", "trade_status_sync"},
                   {"notify_time", "2026-11-22 09:00:00"},
                   {"app_id", Keys().alipay_app_id},
                   {"trade_no", "2026112222001"},
                   {"out_trade_no", "pay-alipay-1"},
                   {"total_amount", std::move(total_amount)},
                   {"trade_status", std::move(status)}};
}

FormPairs Without(FormPairs p, std::string_view name) {
  std::erase_if(p, [&](const auto& kv) { return kv.first == name; });
  return p;
}

TEST_CASE("alipay: TRADE_SUCCESS settles the payment with Alipay's trade_no and amount") {
  const OutgoingNotification out = BuildAlipayNotify(Keys(), Payment(), "TRADE_SUCCESS", kNow);
  CHECK(out.path == "/v1/gateways/alipay/notify");
  CHECK(out.body.find("sign_type=RSA2") != std::string::npos);
  auto n = Parse(out.body);
  INFO(n.status().ToString());
  REQUIRE(n.ok());
  CHECK(n->gateway == Gateway::kAlipay);
  CHECK(n->gateway_status == "TRADE_SUCCESS");
  CHECK(n->dedupe_key == "alipay:settle:2026112222001");
  REQUIRE(n->command.has_value());
  const auto* settle = std::get_if<domain::PaymentSettle>(&*n->command);
  REQUIRE(settle != nullptr);
  CHECK(settle->payment_id == "pay-alipay-1");
  CHECK(settle->gateway_txn_id == "2026112222001");
  REQUIRE(settle->amount.has_value());
  CHECK(*settle->amount == Money(Asset::CNY, 8888));
  CHECK_FALSE(settle->gateway_fee.has_value());
}

TEST_CASE(
    "alipay: TRADE_FINISHED is the same settle under the same key (a repeat, not a failure)") {
  auto success = Parse(BuildAlipayNotify(Keys(), Payment(), "TRADE_SUCCESS", kNow).body);
  auto finished = Parse(BuildAlipayNotify(Keys(), Payment(), "TRADE_FINISHED", kNow + 86400).body);
  REQUIRE(success.ok());
  REQUIRE(finished.ok());
  CHECK(finished->dedupe_key == success->dedupe_key);
  const auto& a = std::get<domain::PaymentSettle>(*success->command);
  const auto& b = std::get<domain::PaymentSettle>(*finished->command);
  CHECK(a.payment_id == b.payment_id);
  CHECK(a.gateway_txn_id == b.gateway_txn_id);
  CHECK(a.amount == b.amount);
}

TEST_CASE("alipay: a retried notification maps to the same key and command") {
  auto first = Parse(BuildAlipayNotify(Keys(), Payment(), "TRADE_SUCCESS", kNow).body);
  auto retry = Parse(BuildAlipayNotify(Keys(), Payment(), "TRADE_SUCCESS", kNow + 240).body);
  REQUIRE(first.ok());
  REQUIRE(retry.ok());
  CHECK(first->dedupe_key == retry->dedupe_key);
}

TEST_CASE("alipay: WAIT_BUYER_PAY is acknowledged with nothing to do") {
  auto n = Parse(BuildAlipayNotify(Keys(), Payment(), "WAIT_BUYER_PAY", kNow).body);
  REQUIRE(n.ok());
  CHECK_FALSE(n->command.has_value());
  CHECK(n->dedupe_key == "alipay:wait:2026112222001");
}

TEST_CASE("alipay: TRADE_CLOSED fails the payment") {
  auto n = Parse(BuildAlipayNotify(Keys(), Payment(), "TRADE_CLOSED", kNow).body);
  REQUIRE(n.ok());
  const auto* fail = std::get_if<domain::PaymentFail>(&*n->command);
  REQUIRE(fail != nullptr);
  CHECK(fail->payment_id == "pay-alipay-1");
  CHECK(fail->gateway_code == "TRADE_CLOSED");
  CHECK(n->dedupe_key == "alipay:close:2026112222001");
}

TEST_CASE("alipay: a refund notification (out_biz_no, refund_fee) succeeds the refund") {
  for (bool full : {false, true}) {
    auto n = Parse(
        BuildAlipayRefundNotify(Keys(), Payment(), "ref-1", Money(Asset::CNY, 1000), full, kNow)
            .body);
    INFO(n.status().ToString());
    REQUIRE(n.ok());
    const auto* ok = std::get_if<domain::RefundSucceed>(&*n->command);
    REQUIRE(ok != nullptr);
    CHECK(ok->refund_id == "ref-1");
    CHECK(ok->gateway_refund_id == "2026112222001");
    CHECK(n->dedupe_key == "alipay:refund:ref-1");
  }
}

TEST_CASE("alipay: unknown trade_status") {
  CHECK(CodeOf(Parse(BuildAlipayNotify(Keys(), Payment(), "TRADE_PENDING", kNow).body)) ==
        "gateway_unknown_status");
}

TEST_CASE("alipay: signature failures") {
  SUBCASE("signed by another key") {
    CHECK(CodeOf(Parse(
              BuildAlipayNotify(testing::OtherKeys(), Payment(), "TRADE_SUCCESS", kNow).body)) ==
          "signature_invalid");
  }
  SUBCASE("a parameter changed after signing") {
    std::string body = BuildAlipayNotify(Keys(), Payment(), "TRADE_SUCCESS", kNow).body;
    const std::size_t at = body.find("total_amount=88.88");
    REQUIRE(at != std::string::npos);
    body.replace(at, 18, "total_amount=0.01");
    CHECK(CodeOf(Parse(body)) == "signature_invalid");
  }
  SUBCASE("a parameter added after signing") {
    CHECK(CodeOf(Parse(BuildAlipayNotify(Keys(), Payment(), "TRADE_SUCCESS", kNow).body +
                       "&refund_fee=1.00")) == "signature_invalid");
  }
  SUBCASE("sign missing, sign_type not RSA2, sign not base64") {
    FormPairs p = Params();
    p.emplace_back("sign_type", "RSA2");
    CHECK(CodeOf(Parse(EncodeForm(p))) == "signature_invalid");
    p.emplace_back("sign", "!!!notbase64");
    CHECK(CodeOf(Parse(EncodeForm(p))) == "signature_invalid");
    auto parsed = ParseForm(BuildAlipayNotify(Keys(), Payment(), "TRADE_SUCCESS", kNow).body);
    REQUIRE(parsed.ok());
    for (auto& [k, v] : *parsed) {
      if (k == "sign_type") v = "RSA";
    }
    CHECK(CodeOf(Parse(EncodeForm(*parsed))) == "signature_invalid");
  }
  SUBCASE("an empty parameter is outside the signature, a non-empty one is inside") {
    // Alipay's rule: empty values are not signed, so adding one keeps the signature valid.
    CHECK(Parse(BuildAlipayNotify(Keys(), Payment(), "TRADE_SUCCESS", kNow).body + "&body=").ok());
  }
}

TEST_CASE("alipay: every truncation and every flipped byte is rejected, never a crash") {
  const std::string body = BuildAlipayNotify(Keys(), Payment(), "TRADE_SUCCESS", kNow).body;
  REQUIRE(Parse(body).ok());
  for (std::size_t n = 0; n < body.size(); ++n) {
    CAPTURE(n);
    CHECK_FALSE(Parse(body.substr(0, n)).ok());
  }
  for (std::size_t i = 0; i < body.size(); ++i) {
    std::string bad = body;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    CAPTURE(i);
    CHECK_FALSE(Parse(bad).ok());
  }
}

TEST_CASE("alipay: malformed form encoding is malformed, before any signature check") {
  const std::string body = BuildAlipayNotify(Keys(), Payment(), "TRADE_SUCCESS", kNow).body;
  CHECK(CodeOf(Parse(body + "&x=%ZZ")) == "notification_malformed");
  CHECK(CodeOf(Parse(body + "&x=%")) == "notification_malformed");
  CHECK(CodeOf(Parse(body + "&trade_status=TRADE_SUCCESS")) == "notification_malformed");
  CHECK(CodeOf(Parse("")) == "notification_malformed");
}

TEST_CASE("alipay: another app's notification") {
  SandboxKeys other_app = Keys();
  other_app.alipay_app_id = "2021000199999999";
  CHECK(CodeOf(Parse(BuildAlipayNotify(other_app, Payment(), "TRADE_SUCCESS", kNow).body)) ==
        "gateway_merchant_mismatch");
}

TEST_CASE("alipay: missing or bad fields in a correctly signed notification") {
  const auto sign = [](FormPairs p) { return Parse(SignAlipayForm(Keys(), std::move(p))); };
  CHECK(sign(Params()).ok());
  for (const char* field :
       {"notify_id", "notify_type", "trade_no", "out_trade_no", "trade_status", "total_amount"}) {
    CAPTURE(field);
    CHECK(CodeOf(sign(Without(Params(), field))) == "notification_malformed");
  }
  CHECK(CodeOf(sign(Without(Params(), "app_id"))) == "gateway_merchant_mismatch");
  FormPairs bad_type = Params();
  bad_type[1].second = "batch_trans_notify";
  CHECK(CodeOf(sign(bad_type)) == "notification_malformed");
  FormPairs bad_id = Params();
  bad_id[5].second = "pay/../1";
  CHECK(CodeOf(sign(bad_id)) == "notification_malformed");
}

TEST_CASE("alipay: total_amount must be a positive CNY decimal with at most 2 places") {
  const auto sign = [](std::string amount) {
    return CodeOf(Parse(SignAlipayForm(Keys(), Params(std::move(amount)))));
  };
  CHECK(sign("88.88") == "ok");
  CHECK(sign("88") == "ok");
  CHECK(sign("-88.88") == "amount_invalid");
  CHECK(sign("+88.88") == "amount_invalid");
  CHECK(sign("8.8e1") == "amount_invalid");
  CHECK(sign("88.888") == "amount_precision");
  CHECK(sign("88.880") == "amount_precision");
  CHECK(sign("0.00") == "amount_invalid");
  CHECK(sign(" 88.88") == "amount_invalid");
  CHECK(sign("999999999999999999999999999999999999999") == "amount_overflow");
  CHECK(sign("1" + std::string(40, '0')) == "amount_invalid");
}

TEST_CASE("alipay: an unusable configured key is a configuration error") {
  AlipayConfig config = Keys().alipay_config();
  config.alipay_public_key_pem = "garbage";
  CHECK(CodeOf(ParseAlipayNotify(BuildAlipayNotify(Keys(), Payment(), "TRADE_SUCCESS", kNow).body,
                                 config)) == "gateway_config_invalid");
}

TEST_CASE("alipay: replies") {
  CHECK(AlipayReply(true) == "success");
  CHECK(AlipayReply(false) == "failure");
}

}  // namespace
}  // namespace folio::gateways
