// UnionPay ACP 5.1.0 backend notifications: RSA over the hex SHA-256 of the
// sorted parameters, txnType/respCode mapping, hostile input.
#include "adapters/gateways/unionpay.h"

#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "adapters/gateways/cert_chain.h"
#include "adapters/gateways/crypto.h"
#include "adapters/gateways/form.h"
#include "tests/adapters/gateways/gateway_test_support.h"

namespace folio::gateways {
namespace {

using testing::CodeOf;
using testing::Keys;
using testing::kNow;

SandboxPayment Payment() {
  return SandboxPayment{Gateway::kUnionPay, "payup1", Money(Asset::CNY, 8888),
                        "782611220900000000011"};
}

Result<Notification> Parse(const std::string& body) {
  return ParseUnionPayNotify(body, Keys().unionpay_config());
}

template <typename T>
const T& CommandAs(const Result<Notification>& n) {
  INFO(n.status().ToString());
  REQUIRE(n.ok());
  REQUIRE(n->command.has_value());
  const T* c = std::get_if<T>(&*n->command);
  REQUIRE(c != nullptr);
  return *c;
}

FormPairs Params(std::string txn_amt = "8888", std::string txn_type = "01",
                 std::string currency = "156") {
  return FormPairs{{"version", "5.1.0"},
                   {"encoding", "UTF-8"},
                   {"certId", Keys().unionpay_cert_id},
                   {"txnType", std::move(txn_type)},
                   {"txnSubType", "01"},
                   {"merId", Keys().unionpay_mer_id},
                   {"orderId", "payup1"},
                   {"queryId", "782611220900000000011"},
                   {"txnAmt", std::move(txn_amt)},
                   {"currencyCode", std::move(currency)},
                   {"respCode", "00"},
                   {"respMsg", "成功[0000000]"}};
}

Result<Notification> Signed(FormPairs p) { return Parse(SignUnionPayForm(Keys(), std::move(p))); }

FormPairs Without(FormPairs p, std::string_view name) {
  std::erase_if(p, [&](const auto& kv) { return kv.first == name; });
  return p;
}

TEST_CASE("unionpay: the signature is RSA over the lower-case hex SHA-256 of the sorted string") {
  const FormPairs p{{"b", "2"}, {"a", "1 x"}, {"signature", "zzz"}, {"c", ""}};
  CHECK(UnionPaySignedDigestHex(p) == crypto::HexLower(crypto::Sha256("a=1 x&b=2")));
  CHECK(UnionPaySignedDigestHex(p).size() == 64);
}

TEST_CASE("unionpay: consume success settles with queryId and txnAmt in fen") {
  const OutgoingNotification out = BuildUnionPayNotify(Keys(), Payment(), "00", kNow);
  CHECK(out.path == "/v1/gateways/unionpay/notify");
  auto n = Parse(out.body);
  const auto& settle = CommandAs<domain::PaymentSettle>(n);
  CHECK(settle.payment_id == "payup1");
  CHECK(settle.gateway_txn_id == "782611220900000000011");
  CHECK(settle.amount == Money(Asset::CNY, 8888));
  CHECK(n->gateway == Gateway::kUnionPay);
  CHECK(n->gateway_status == "00");
  CHECK(n->dedupe_key == "unionpay:01:782611220900000000011:ok");
  auto retry = Parse(BuildUnionPayNotify(Keys(), Payment(), "00", kNow + 600).body);
  REQUIRE(retry.ok());
  CHECK(retry->dedupe_key == n->dedupe_key);
}

TEST_CASE("unionpay: consume with another respCode fails the payment") {
  auto n = Parse(BuildUnionPayNotify(Keys(), Payment(), "61", kNow).body);
  const auto& fail = CommandAs<domain::PaymentFail>(n);
  CHECK(fail.payment_id == "payup1");
  CHECK(fail.gateway_code == "61");
  CHECK(fail.reason == "交易失败[61]");
  CHECK(n->dedupe_key == "unionpay:01:782611220900000000011:fail");
}

TEST_CASE("unionpay: refund (04) and consume cancellation (31) settle or fail the refund") {
  for (const char* type : {"04", "31"}) {
    CAPTURE(type);
    auto ok = Parse(BuildUnionPayRefundNotify(Keys(), Payment(), type, "refup1",
                                              Money(Asset::CNY, 100), "00", kNow)
                        .body);
    const auto& succeed = CommandAs<domain::RefundSucceed>(ok);
    CHECK(succeed.refund_id == "refup1");
    CHECK(succeed.gateway_refund_id.size() == 21);
    auto bad = Parse(BuildUnionPayRefundNotify(Keys(), Payment(), type, "refup1",
                                               Money(Asset::CNY, 100), "12", kNow)
                         .body);
    CHECK(CommandAs<domain::RefundFail>(bad).refund_id == "refup1");
  }
}

TEST_CASE("unionpay: unknown txnType") {
  CHECK(CodeOf(Signed(Params("8888", "79"))) == "gateway_unknown_status");
  CHECK(CodeOf(Signed(Params("8888", ""))) == "notification_malformed");
}

TEST_CASE("unionpay: signature failures") {
  const std::string body = BuildUnionPayNotify(Keys(), Payment(), "00", kNow).body;
  CHECK(CodeOf(Parse(BuildUnionPayNotify(testing::OtherKeys(), Payment(), "00", kNow).body)) ==
        "signature_invalid");
  std::string tampered = body;
  const std::size_t at = tampered.find("txnAmt=8888");
  REQUIRE(at != std::string::npos);
  tampered.replace(at, 11, "txnAmt=8889");
  CHECK(CodeOf(Parse(tampered)) == "signature_invalid");
  CHECK(CodeOf(Parse(body + "&reserved=x")) == "signature_invalid");
  // signMethod other than 01 (e.g. 11, SM3) is not accepted.
  auto form = ParseForm(body);
  REQUIRE(form.ok());
  for (auto& [k, v] : *form) {
    if (k == "signMethod") v = "11";
  }
  CHECK(CodeOf(Parse(EncodeForm(*form))) == "signature_invalid");
  for (auto& [k, v] : *form) {
    if (k == "signMethod") v = "01";
    if (k == "signature") v = "@@@@";
  }
  CHECK(CodeOf(Parse(EncodeForm(*form))) == "signature_invalid");
  CHECK(CodeOf(Parse(EncodeForm(Without(*form, "signature")))) == "signature_invalid");
  for (auto& [k, v] : *form) {
    if (k == "certId") v = "69042905377";
  }
  CHECK(CodeOf(Parse(EncodeForm(*form))) == "signature_key_unknown");
}

TEST_CASE("unionpay: every truncation and every flipped byte is rejected") {
  const std::string body = BuildUnionPayNotify(Keys(), Payment(), "00", kNow).body;
  REQUIRE(Parse(body).ok());
  for (std::size_t n = 0; n < body.size(); n += 3) {
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

TEST_CASE("unionpay: malformed form, merchant, missing fields") {
  const std::string body = BuildUnionPayNotify(Keys(), Payment(), "00", kNow).body;
  CHECK(CodeOf(Parse(body + "&respMsg=%E6%88")) == "notification_malformed");  // repeated
  CHECK(CodeOf(Parse(body + "&x=%E")) == "notification_malformed");
  SandboxKeys other_merchant = Keys();
  other_merchant.unionpay_mer_id = "777290058110099";
  CHECK(CodeOf(Parse(BuildUnionPayNotify(other_merchant, Payment(), "00", kNow).body)) ==
        "gateway_merchant_mismatch");
  CHECK(Signed(Params()).ok());
  for (const char* field :
       {"orderId", "queryId", "txnType", "respCode", "txnAmt", "currencyCode"}) {
    CAPTURE(field);
    CHECK(CodeOf(Signed(Without(Params(), field))) == "notification_malformed");
  }
}

TEST_CASE("unionpay: txnAmt must be positive whole fen, currencyCode known") {
  CHECK(CodeOf(Signed(Params("1"))) == "ok");
  CHECK(CodeOf(Signed(Params("-1"))) == "amount_invalid");
  CHECK(CodeOf(Signed(Params("88.88"))) == "amount_invalid");
  CHECK(CodeOf(Signed(Params("1e3"))) == "amount_invalid");
  CHECK(CodeOf(Signed(Params("0"))) == "amount_invalid");
  CHECK(CodeOf(Signed(Params(" 1"))) == "amount_invalid");
  CHECK(CodeOf(Signed(Params(std::string(40, '9')))) == "amount_overflow");
  CHECK(CodeOf(Signed(Params("1", "01", "392"))) == "currency_unknown");
  auto usd = Signed(Params("1", "01", "840"));
  CHECK(CommandAs<domain::PaymentSettle>(usd).amount == Money(Asset::USD, 1));
}

TEST_CASE("unionpay: the configured key must parse") {
  UnionPayConfig config = Keys().unionpay_config();
  config.unionpay_public_key_pem = "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n";
  CHECK(CodeOf(ParseUnionPayNotify(BuildUnionPayNotify(Keys(), Payment(), "00", kNow).body,
                                   config)) == "gateway_config_invalid");
  CHECK(UnionPayReply(true) == "ok");
}

// ACP 5.1.0's certificate chain check on notifications: the sandbox's UnionPay
// key with a certificate from a generated root and middle CA.
struct ChainedKeys {
  TestCertChain chain;
  SandboxKeys keys;
  UnionPayConfig config;
};

ChainedKeys Chained(std::int64_t not_after_s = 4102444800) {
  TestCertChainOptions o;
  o.signing_key_pem = Keys().unionpay_private_key_pem;
  o.not_before_s = kNow - 86400;
  o.not_after_s = not_after_s;
  ChainedKeys c{GenerateTestCertChain(o), Keys(), {}};
  c.keys.unionpay_signing_cert_pem = c.chain.signing_cert_pem;
  c.keys.unionpay_cert_id = c.chain.signing_cert_id;
  c.config = c.keys.unionpay_config();
  c.config.unionpay_public_key_pem.clear();  // the chain is the only trust
  c.config.root_cert_pem = c.chain.root_pem;
  c.config.middle_cert_pem = c.chain.middle_pem;
  return c;
}

TEST_CASE("unionpay: with root and middle configured, signPubKeyCert must chain to them") {
  const ChainedKeys ok = Chained();
  const std::string body = BuildUnionPayNotify(ok.keys, Payment(), "00", kNow).body;
  CHECK(body.find("signPubKeyCert=") != std::string::npos);
  auto n = ParseUnionPayNotify(body, ok.config, kNow);
  CHECK(CommandAs<domain::PaymentSettle>(n).payment_id == "payup1");

  // The same notification without its certificate: nothing to verify with.
  SandboxKeys bare = ok.keys;
  bare.unionpay_signing_cert_pem.clear();
  CHECK(CodeOf(ParseUnionPayNotify(BuildUnionPayNotify(bare, Payment(), "00", kNow).body, ok.config,
                                   kNow)) == "signature_invalid");

  // Signed by the right key, but its certificate comes from another CA.
  const ChainedKeys other = Chained();
  CHECK(CodeOf(ParseUnionPayNotify(BuildUnionPayNotify(other.keys, Payment(), "00", kNow).body,
                                   ok.config, kNow)) == "signature_key_unknown");

  // Its certificate expired before the notification arrived.
  const ChainedKeys expired = Chained(kNow - 60);
  CHECK(CodeOf(ParseUnionPayNotify(BuildUnionPayNotify(expired.keys, Payment(), "00", kNow).body,
                                   expired.config, kNow)) == "signature_expired");

  // A chained certificate, but the signature by another key.
  SandboxKeys forger = testing::OtherKeys();
  forger.unionpay_signing_cert_pem = ok.chain.signing_cert_pem;
  forger.unionpay_cert_id = ok.chain.signing_cert_id;
  CHECK(CodeOf(ParseUnionPayNotify(BuildUnionPayNotify(forger, Payment(), "00", kNow).body,
                                   ok.config, kNow)) == "signature_invalid");
}

}  // namespace
}  // namespace folio::gateways
