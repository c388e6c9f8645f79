// WeChat Pay v3 notifications: the RSA signature over timestamp\nnonce\nbody\n,
// the 5-minute window, AEAD_AES_256_GCM resources, trade_state and refund
// mappings, and hostile input (each failure with its code).
#include "adapters/gateways/wechat.h"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cctype>
#include <functional>
#include <string>
#include <variant>

#include "adapters/gateways/crypto.h"

#include "tests/adapters/gateways/gateway_test_support.h"

namespace folio::gateways {
namespace {

using testing::CodeOf;
using testing::Keys;
using testing::kNow;

SandboxPayment Payment() {
  return SandboxPayment{Gateway::kWechatPay, "pay-wx-1", Money(Asset::CNY, 8888),
                        "4200000000202611220001"};
}

std::string Header(const OutgoingNotification& out, std::string_view name) {
  for (const auto& [k, v] : out.headers) {
    if (k == name) return v;
  }
  return std::string();
}

WechatHeaders HeadersOf(const OutgoingNotification& out) {
  return WechatHeaders{Header(out, "Wechatpay-Timestamp"), Header(out, "Wechatpay-Nonce"),
                       Header(out, "Wechatpay-Signature"), Header(out, "Wechatpay-Serial")};
}

Result<Notification> Parse(const OutgoingNotification& out, std::int64_t now_s = kNow) {
  return ParseWechatNotify(HeadersOf(out), out.body, Keys().wechat_config(), now_s);
}

template <typename T>
const T& CommandAs(const Result<Notification>& n) {
  REQUIRE(n.ok());
  REQUIRE(n->command.has_value());
  const T* c = std::get_if<T>(&*n->command);
  REQUIRE(c != nullptr);
  return *c;
}

TEST_CASE("wechat: TRANSACTION.SUCCESS settles with transaction_id and the amount in fen") {
  const OutgoingNotification out = BuildWechatNotify(Keys(), Payment(), "SUCCESS", kNow);
  CHECK(out.path == "/v1/gateways/wechatpay/notify");
  CHECK(out.body.find("encrypt-resource") != std::string::npos);
  CHECK(out.body.find("pay-wx-1") == std::string::npos);  // encrypted
  auto n = Parse(out);
  INFO(n.status().ToString());
  REQUIRE(n.ok());
  CHECK(n->gateway == Gateway::kWechatPay);
  CHECK(n->gateway_status == "SUCCESS");
  CHECK(n->dedupe_key == "wechatpay:settle:4200000000202611220001");
  const auto& settle = CommandAs<domain::PaymentSettle>(n);
  CHECK(settle.payment_id == "pay-wx-1");
  CHECK(settle.gateway_txn_id == "4200000000202611220001");
  CHECK(settle.amount == Money(Asset::CNY, 8888));
}

TEST_CASE("wechat: a retry (new nonce, new timestamp) maps to the same key") {
  auto a = Parse(BuildWechatNotify(Keys(), Payment(), "SUCCESS", kNow));
  auto b = Parse(BuildWechatNotify(Keys(), Payment(), "SUCCESS", kNow + 200), kNow + 200);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->dedupe_key == b->dedupe_key);
}

TEST_CASE("wechat: trade_state mapping") {
  for (const char* state : {"NOTPAY", "USERPAYING", "REFUND"}) {
    CAPTURE(state);
    auto n = Parse(BuildWechatNotify(Keys(), Payment(), state, kNow));
    REQUIRE(n.ok());
    CHECK_FALSE(n->command.has_value());
    CHECK(n->dedupe_key == "wechatpay:pay-wx-1:" + std::string(state));
  }
  for (const char* state : {"CLOSED", "PAYERROR"}) {
    CAPTURE(state);
    auto n = Parse(BuildWechatNotify(Keys(), Payment(), state, kNow));
    const auto& fail = CommandAs<domain::PaymentFail>(n);
    CHECK(fail.payment_id == "pay-wx-1");
    CHECK(fail.gateway_code == state);
  }
  auto revoked = Parse(BuildWechatNotify(Keys(), Payment(), "REVOKED", kNow));
  CHECK(CommandAs<domain::PaymentCancel>(revoked).payment_id == "pay-wx-1");
  CHECK(CodeOf(Parse(BuildWechatNotify(Keys(), Payment(), "FROZEN", kNow))) ==
        "gateway_unknown_status");
}

TEST_CASE("wechat: refund notifications") {
  auto ok = Parse(BuildWechatRefundNotify(Keys(), Payment(), "ref-wx-1", Money(Asset::CNY, 100),
                                          "SUCCESS", kNow));
  INFO(ok.status().ToString());
  const auto& succeed = CommandAs<domain::RefundSucceed>(ok);
  CHECK(succeed.refund_id == "ref-wx-1");
  CHECK(succeed.gateway_refund_id.rfind("50000", 0) == 0);
  CHECK(ok->dedupe_key == "wechatpay:refund:" + succeed.gateway_refund_id + ":SUCCESS");
  for (const char* status : {"CLOSED", "ABNORMAL"}) {
    CAPTURE(status);
    auto n = Parse(BuildWechatRefundNotify(Keys(), Payment(), "ref-wx-1", Money(Asset::CNY, 100),
                                           status, kNow));
    CHECK(CommandAs<domain::RefundFail>(n).refund_id == "ref-wx-1");
  }
  CHECK(CodeOf(Parse(BuildWechatRefundNotify(Keys(), Payment(), "ref-wx-1", Money(Asset::CNY, 100),
                                             "PROCESSING", kNow))) == "gateway_unknown_status");
}

TEST_CASE("wechat: the 5-minute window, both ways") {
  const OutgoingNotification out = BuildWechatNotify(Keys(), Payment(), "SUCCESS", kNow);
  CHECK(Parse(out, kNow + 300).ok());
  CHECK(Parse(out, kNow - 300).ok());
  CHECK(CodeOf(Parse(out, kNow + 301)) == "signature_expired");  // too old
  CHECK(CodeOf(Parse(out, kNow - 301)) == "signature_expired");  // from the future
}

TEST_CASE("wechat: signature failures") {
  const OutgoingNotification out = BuildWechatNotify(Keys(), Payment(), "SUCCESS", kNow);
  const WechatConfig config = Keys().wechat_config();
  SUBCASE("signed by another platform key") {
    const OutgoingNotification other =
        BuildWechatNotify(testing::OtherKeys(), Payment(), "SUCCESS", kNow);
    CHECK(CodeOf(Parse(other)) == "signature_invalid");
  }
  SUBCASE("body changed after signing") {
    std::string body = out.body;
    body.insert(body.size() - 1, ",\"x\":1");
    CHECK(CodeOf(ParseWechatNotify(HeadersOf(out), body, config, kNow)) == "signature_invalid");
  }
  SUBCASE("every truncation of the body") {
    for (std::size_t n = 0; n < out.body.size(); n += 7) {
      CAPTURE(n);
      CHECK(CodeOf(ParseWechatNotify(HeadersOf(out), out.body.substr(0, n), config, kNow)) ==
            "signature_invalid");
    }
  }
  SUBCASE("timestamp or nonce changed (they are signed)") {
    WechatHeaders h = HeadersOf(out);
    h.timestamp = std::to_string(kNow + 1);
    CHECK(CodeOf(ParseWechatNotify(h, out.body, config, kNow)) == "signature_invalid");
    h = HeadersOf(out);
    h.nonce[0] = h.nonce[0] == 'A' ? 'B' : 'A';
    CHECK(CodeOf(ParseWechatNotify(h, out.body, config, kNow)) == "signature_invalid");
  }
  SUBCASE("signature not base64, empty headers, bad timestamp") {
    WechatHeaders h = HeadersOf(out);
    h.signature = "%%%";
    CHECK(CodeOf(ParseWechatNotify(h, out.body, config, kNow)) == "signature_invalid");
    h.signature = h.signature.substr(1);
    h = HeadersOf(out);
    h.signature.pop_back();
    CHECK(CodeOf(ParseWechatNotify(h, out.body, config, kNow)) == "signature_invalid");
    h = HeadersOf(out);
    h.signature.clear();
    CHECK(CodeOf(ParseWechatNotify(h, out.body, config, kNow)) == "notification_malformed");
    h = HeadersOf(out);
    h.timestamp = "17953092OO";
    CHECK(CodeOf(ParseWechatNotify(h, out.body, config, kNow)) == "notification_malformed");
    h.timestamp = "-1795309200";
    CHECK(CodeOf(ParseWechatNotify(h, out.body, config, kNow)) == "notification_malformed");
  }
  SUBCASE("unknown certificate serial") {
    WechatHeaders h = HeadersOf(out);
    h.serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
    CHECK(CodeOf(ParseWechatNotify(h, out.body, config, kNow)) == "signature_key_unknown");
    h = HeadersOf(out);
    for (char& c : h.serial) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK(ParseWechatNotify(h, out.body, config, kNow).ok());  // hex case does not matter
  }
}

// Resources built by hand, encrypted and signed correctly: only the resource is wrong.
Result<Notification> WithResource(std::string_view event_type, std::string_view resource) {
  return Parse(WechatNotifyFromResource(Keys(), event_type, resource, kNow));
}

std::string Transaction(std::string_view amount_json, std::string_view mchid = "",
                        std::string_view state = "SUCCESS") {
  const std::string m = mchid.empty() ? Keys().wechat_mchid : std::string(mchid);
  return std::string("{\"mchid\":\"") + m +
         "\",\"out_trade_no\":\"pay-wx-1\",\"transaction_id\":\"4200000000202611220001\","
         "\"trade_state\":\"" +
         std::string(state) + "\",\"amount\":" + std::string(amount_json) + "}";
}

TEST_CASE("wechat: amounts must be positive integers of fen in a known currency") {
  CHECK(
      WithResource("TRANSACTION.SUCCESS", Transaction("{\"total\":1,\"currency\":\"CNY\"}")).ok());
  CHECK(CodeOf(WithResource("TRANSACTION.SUCCESS",
                            Transaction("{\"total\":-1,\"currency\":\"CNY\"}"))) ==
        "amount_invalid");
  CHECK(CodeOf(WithResource("TRANSACTION.SUCCESS",
                            Transaction("{\"total\":88.88,\"currency\":\"CNY\"}"))) ==
        "amount_invalid");
  CHECK(CodeOf(WithResource("TRANSACTION.SUCCESS",
                            Transaction("{\"total\":1e3,\"currency\":\"CNY\"}"))) ==
        "amount_invalid");
  CHECK(CodeOf(WithResource("TRANSACTION.SUCCESS",
                            Transaction("{\"total\":\"8888\",\"currency\":\"CNY\"}"))) ==
        "amount_invalid");
  CHECK(CodeOf(WithResource("TRANSACTION.SUCCESS",
                            Transaction("{\"total\":0,\"currency\":\"CNY\"}"))) ==
        "amount_invalid");
  CHECK(CodeOf(WithResource(
            "TRANSACTION.SUCCESS",
            Transaction("{\"total\":99999999999999999999999,\"currency\":\"CNY\"}"))) ==
        "amount_overflow");
  CHECK(CodeOf(WithResource("TRANSACTION.SUCCESS",
                            Transaction("{\"total\":1,\"currency\":\"XYZ\"}"))) ==
        "currency_unknown");
  CHECK(CodeOf(WithResource("TRANSACTION.SUCCESS", Transaction("{\"currency\":\"CNY\"}"))) ==
        "notification_malformed");
}

TEST_CASE("wechat: resource fields, merchant and event type") {
  CHECK(CodeOf(WithResource("TRANSACTION.SUCCESS", Transaction("{\"total\":1}", "1900000999"))) ==
        "gateway_merchant_mismatch");
  CHECK(CodeOf(WithResource("TRANSACTION.SUCCESS", "not json")) == "notification_malformed");
  CHECK(CodeOf(WithResource("TRANSACTION.SUCCESS", "{\"mchid\":1}")) == "notification_malformed");
  CHECK(CodeOf(WithResource("TRANSACTION.SUCCESS", "{\"mchid\":\"" + Keys().wechat_mchid +
                                                       "\",\"trade_state\":\"SUCCESS\"}")) ==
        "notification_malformed");
  CHECK(CodeOf(WithResource("MCH.SOMETHING", Transaction("{\"total\":1}"))) ==
        "gateway_unknown_status");
  CHECK(CodeOf(WithResource("TRANSACTION.SUCCESS", Transaction("{\"total\":1}", "", "WHATEVER"))) ==
        "gateway_unknown_status");
}

// Changes the envelope after encryption, then re-signs the whole body with
// the platform key: the signature is valid, the resource is not.
Result<Notification> WithEnvelope(const std::function<void(boost::json::object&)>& change) {
  const OutgoingNotification out = BuildWechatNotify(Keys(), Payment(), "SUCCESS", kNow);
  boost::json::value v = boost::json::parse(out.body);
  change(v.as_object());
  return Parse(SignWechatBody(Keys(), boost::json::serialize(v), kNow));
}

boost::json::object& Resource(boost::json::object& envelope) {
  return envelope["resource"].as_object();
}

std::string FlipByteOfCiphertext(const boost::json::object& resource, std::size_t from_end) {
  std::string raw = *crypto::Base64Decode(std::string(resource.at("ciphertext").as_string()));
  raw[raw.size() - 1 - from_end] = static_cast<char>(raw[raw.size() - 1 - from_end] ^ 0x01);
  return crypto::Base64Encode(raw);
}

TEST_CASE("wechat: the encrypted resource") {
  CHECK(WithEnvelope([](boost::json::object&) {}).ok());
  SUBCASE("a changed tag or ciphertext byte fails GCM authentication") {
    CHECK(CodeOf(WithEnvelope([](auto& e) {
            Resource(e)["ciphertext"] = FlipByteOfCiphertext(Resource(e), 0);  // tag
          })) == "notification_undecryptable");
    CHECK(CodeOf(WithEnvelope([](auto& e) {
            Resource(e)["ciphertext"] = FlipByteOfCiphertext(Resource(e), 40);  // ciphertext
          })) == "notification_undecryptable");
  }
  SUBCASE("changed associated_data or nonce fails GCM authentication") {
    CHECK(CodeOf(WithEnvelope([](auto& e) { Resource(e)["associated_data"] = "refund"; })) ==
          "notification_undecryptable");
    CHECK(CodeOf(WithEnvelope([](auto& e) { Resource(e)["nonce"] = "000000000000"; })) ==
          "notification_undecryptable");
  }
  SUBCASE("a resource encrypted with another APIv3 key") {
    const OutgoingNotification other =
        WechatNotifyFromResource(testing::OtherKeys(), "TRANSACTION.SUCCESS", "{}", kNow);
    boost::json::value v = boost::json::parse(other.body);
    CHECK(CodeOf(Parse(SignWechatBody(Keys(), boost::json::serialize(v), kNow))) ==
          "notification_undecryptable");
  }
  SUBCASE("a truncated ciphertext (shorter than the tag) or malformed base64") {
    CHECK(CodeOf(WithEnvelope([](auto& e) { Resource(e)["ciphertext"] = "AAAA"; })) ==
          "notification_undecryptable");
    CHECK(CodeOf(WithEnvelope([](auto& e) { Resource(e)["ciphertext"] = "AAA*"; })) ==
          "notification_malformed");
    CHECK(CodeOf(WithEnvelope([](auto& e) {
            std::string c(Resource(e)["ciphertext"].as_string());
            Resource(e)["ciphertext"] = c.substr(0, c.size() - 1);
          })) == "notification_malformed");
  }
  SUBCASE("the v3 envelope fields") {
    CHECK(CodeOf(WithEnvelope([](auto& e) { Resource(e)["algorithm"] = "AEAD_AES_128_GCM"; })) ==
          "notification_malformed");
    CHECK(CodeOf(WithEnvelope([](auto& e) { e["resource_type"] = "plain"; })) ==
          "notification_malformed");
    CHECK(CodeOf(WithEnvelope([](auto& e) { e.erase("resource"); })) == "notification_malformed");
    CHECK(CodeOf(WithEnvelope([](auto& e) { e.erase("id"); })) == "notification_malformed");
    CHECK(CodeOf(WithEnvelope([](auto& e) { e["event_type"] = 7; })) == "notification_malformed");
    CHECK(CodeOf(WithEnvelope([](auto& e) { Resource(e).erase("nonce"); })) ==
          "notification_malformed");
  }
  SUBCASE("a body that is not one JSON object") {
    CHECK(CodeOf(Parse(SignWechatBody(Keys(), "[1,2]", kNow))) == "notification_malformed");
    CHECK(CodeOf(Parse(SignWechatBody(Keys(), "{\"id\":1,\"id\":2}", kNow))) ==
          "notification_malformed");
    CHECK(CodeOf(Parse(SignWechatBody(Keys(), "", kNow))) == "notification_malformed");
  }
}

TEST_CASE("wechat: configuration errors") {
  const OutgoingNotification out = BuildWechatNotify(Keys(), Payment(), "SUCCESS", kNow);
  WechatConfig config = Keys().wechat_config();
  config.apiv3_key = "short";
  CHECK(CodeOf(ParseWechatNotify(HeadersOf(out), out.body, config, kNow)) ==
        "gateway_config_invalid");
  config = Keys().wechat_config();
  config.platform_public_key_pem.clear();
  CHECK(CodeOf(ParseWechatNotify(HeadersOf(out), out.body, config, kNow)) ==
        "gateway_config_invalid");
}

TEST_CASE("wechat: replies") {
  CHECK(WechatReply(true, "") == "{\"code\":\"SUCCESS\",\"message\":\"成功\"}");
  CHECK(WechatReply(false, "bad \"sig\"") == "{\"code\":\"FAIL\",\"message\":\"bad \\\"sig\\\"\"}");
  CHECK(WechatSignedMessage("1", "n", "{}") == "1\nn\n{}\n");
}

}  // namespace
}  // namespace folio::gateways
