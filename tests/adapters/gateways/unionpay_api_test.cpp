// UnionPay ACP 5.1.0 calls: the exact request fields and their signature,
// the signPubKeyCert chain check (root, middle, validity, CN), the respCode
// mapping of every call, and hostile answers (each failure with its code).
#include "adapters/gateways/unionpay_api.h"

#include <doctest/doctest.h>

#include <cctype>
#include <string>

#include "adapters/gateways/cert_chain.h"
#include "adapters/gateways/crypto.h"
#include "adapters/gateways/form.h"
#include "adapters/gateways/unionpay.h"
#include "adapters/gateways/unionpay_sandbox_api.h"
#include "adapters/statements/zip_archive.h"
#include "tests/adapters/gateways/gateway_test_support.h"

namespace folio::gateways {
namespace {

using testing::CodeOf;
using testing::kNow;

constexpr std::string_view kMerId = "777290058110048";
constexpr std::string_view kCertId = "69629715588";
constexpr std::string_view kBackUrl = "https://folio.example/v1/gateways/unionpay/notify";
constexpr std::string_view kOrder = "pay20261122001";
constexpr std::string_view kRefundOrder = "rf20261122001";
constexpr std::string_view kQueryId = "782611220900000000011";
constexpr std::int64_t kYearS = 365 * 86400;

const crypto::RsaKeyPair& MerchantKeys() {
  static const crypto::RsaKeyPair keys = crypto::GenerateRsa2048();
  return keys;
}

// UnionPay's chain, as the sandbox makes it.
const TestCertChain& Chain() {
  static const TestCertChain chain = GenerateTestCertChain();
  return chain;
}

// An unrelated CA with a leaf of the same CN.
const TestCertChain& OtherChain() {
  static const TestCertChain chain = GenerateTestCertChain();
  return chain;
}

UnionPayApiConfig Config(const TestCertChain& trusted = Chain()) {
  UnionPayApiConfig c;
  c.mer_id = kMerId;
  c.merchant_private_key_pem = MerchantKeys().private_pem;
  c.merchant_cert_id = kCertId;
  c.root_cert_pem = trusted.root_pem;
  c.middle_cert_pem = trusted.middle_pem;
  c.back_url = kBackUrl;
  return c;
}

UnionPayApi MakeApi(const UnionPayApiConfig& c) {
  Result<UnionPayApi> r = UnionPayApi::Create(c);
  if (!r.ok()) std::abort();
  return std::move(r).value();
}

const UnionPayApi& Api() {
  static const UnionPayApi api = MakeApi(Config());
  return api;
}

crypto::Pkey PrivateKey(const std::string& pem) {
  Result<crypto::Pkey> k = crypto::LoadRsaPrivateKey(pem);
  REQUIRE(k.ok());
  return std::move(k).value();
}

crypto::Pkey PublicKey(const std::string& pem) {
  Result<crypto::Pkey> k = crypto::LoadRsaPublicKey(pem);
  REQUIRE(k.ok());
  return std::move(k).value();
}

InboundResponse Http(std::string body, unsigned status = 200,
                     std::string content_type = "text/plain;charset=UTF-8") {
  return InboundResponse{status, {{"content-type", std::move(content_type)}}, std::move(body)};
}

// Signed as UnionPay signs: by the signing key of `cert_pem`.
InboundResponse Answer(FormPairs fields, const std::string& key_pem = Chain().signing_key_pem,
                       const std::string& cert_pem = Chain().signing_cert_pem) {
  const crypto::Pkey key = PrivateKey(key_pem);
  return Http(BuildUnionPayApiResponse(key.get(), cert_pem, std::move(fields)));
}

FormPairs Base(std::string_view order_id, std::string resp_code) {
  return FormPairs{{"version", "5.1.0"},           {"encoding", "UTF-8"},
                   {"bizType", "000000"},          {"accessType", "0"},
                   {"merId", std::string(kMerId)}, {"orderId", std::string(order_id)},
                   {"txnTime", "20261122090000"},  {"respCode", std::move(resp_code)},
                   {"respMsg", "成功[0000000]"}};
}

FormPairs QrOk() {
  FormPairs f = Base(kOrder, "00");
  f.emplace_back("txnType", "01");
  f.emplace_back("txnSubType", "07");
  f.emplace_back("qrCode", "https://qr.95516.com/00010000/01234567890123");
  return f;
}

FormPairs QueryAnswer(std::string_view order_id, std::string orig_resp_code) {
  FormPairs f = Base(order_id, "00");
  f.emplace_back("txnType", "00");
  f.emplace_back("origRespCode", std::move(orig_resp_code));
  f.emplace_back("origRespMsg", "成功[0000000]");
  f.emplace_back("queryId", std::string(kQueryId));
  f.emplace_back("txnAmt", "8888");
  f.emplace_back("currencyCode", "156");
  return f;
}

FormPairs With(FormPairs f, std::string_view name, std::string value) {
  for (auto& [k, v] : f) {
    if (k == name) {
      v = std::move(value);
      return f;
    }
  }
  f.emplace_back(std::string(name), std::move(value));
  return f;
}

FormPairs Without(FormPairs f, std::string_view name) {
  std::erase_if(f, [&](const auto& kv) { return kv.first == name; });
  return f;
}

TEST_CASE("unionpay api: QR order request, every field and the signature") {
  auto req = Api().ApplyQrCode(kOrder, Money(Asset::CNY, 8888), kNow);
  INFO(req.status().ToString());
  REQUIRE(req.ok());
  CHECK(req->method == "POST");
  CHECK(req->target == "/gateway/api/backTransReq.do");
  REQUIRE(req->headers.size() == 1);
  CHECK(req->headers[0].second == "application/x-www-form-urlencoded;charset=UTF-8");
  auto form = ParseForm(req->body);
  REQUIRE(form.ok());
  const FormPairs expected{{"version", "5.1.0"},
                           {"encoding", "UTF-8"},
                           {"signMethod", "01"},
                           {"certId", std::string(kCertId)},
                           {"txnType", "01"},
                           {"txnSubType", "07"},
                           {"bizType", "000000"},
                           {"channelType", "08"},
                           {"accessType", "0"},
                           {"merId", std::string(kMerId)},
                           {"orderId", std::string(kOrder)},
                           {"txnTime", "20261122090000"},
                           {"txnAmt", "8888"},
                           {"currencyCode", "156"},
                           {"backUrl", std::string(kBackUrl)}};
  REQUIRE(form->size() == expected.size() + 1);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK((*form)[i] == expected[i]);
  }
  // signature = base64(RSA-SHA256 over the hex SHA-256 of the sorted fields).
  CHECK((*form)[expected.size()].first == "signature");
  const auto sig = crypto::Base64Decode((*form)[expected.size()].second);
  REQUIRE(sig.has_value());
  const crypto::Pkey merchant = PublicKey(MerchantKeys().public_pem);
  CHECK(crypto::VerifySha256Rsa(merchant.get(), UnionPaySignedDigestHex(expected), *sig));
  CHECK(UnionPaySignedDigestHex(expected).size() == 64);
}

TEST_CASE("unionpay api: refund and query requests") {
  auto refund = Api().Refund(kRefundOrder, kQueryId, Money(Asset::CNY, 100), kNow + 3600);
  REQUIRE(refund.ok());
  CHECK(refund->target == "/gateway/api/backTransReq.do");
  auto rf = ParseForm(refund->body);
  REQUIRE(rf.ok());
  CHECK(FormValue(*rf, "txnType") == "04");
  CHECK(FormValue(*rf, "txnSubType") == "00");
  CHECK(FormValue(*rf, "orderId") == kRefundOrder);
  CHECK(FormValue(*rf, "origQryId") == kQueryId);
  CHECK(FormValue(*rf, "txnAmt") == "100");
  CHECK(FormValue(*rf, "txnTime") == "20261122100000");
  CHECK(FormValue(*rf, "backUrl") == kBackUrl);

  // The query names the original transaction by orderId and ITS txnTime.
  auto query = Api().Query(kOrder, kNow);
  REQUIRE(query.ok());
  CHECK(query->target == "/gateway/api/queryTrans.do");
  auto q = ParseForm(query->body);
  REQUIRE(q.ok());
  CHECK(FormValue(*q, "txnType") == "00");
  CHECK(FormValue(*q, "txnSubType") == "00");
  CHECK(FormValue(*q, "txnTime") == "20261122090000");
  CHECK_FALSE(FormValue(*q, "txnAmt").has_value());
  CHECK_FALSE(FormValue(*q, "backUrl").has_value());
}

TEST_CASE("unionpay api: bad builder arguments are invalid_argument") {
  const Money yuan(Asset::CNY, 100);
  CHECK(CodeOf(Api().ApplyQrCode("pay1234", yuan, kNow)) == "invalid_argument");  // 7 < 8
  CHECK(CodeOf(Api().ApplyQrCode(std::string(41, '1'), yuan, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().ApplyQrCode(std::string(40, '1'), yuan, kNow)) == "ok");
  CHECK(CodeOf(Api().ApplyQrCode("pay-2026-11-22", yuan, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().ApplyQrCode(kOrder, Money(Asset::HKD, 100), kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().ApplyQrCode(kOrder, Money(Asset::CNY, 0), kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().ApplyQrCode(kOrder, Money(Asset::CNY, 1'000'000'000'000), kNow)) ==
        "invalid_argument");
  CHECK(CodeOf(Api().ApplyQrCode(kOrder, yuan, -1)) == "invalid_argument");
  CHECK(CodeOf(Api().Refund(kRefundOrder, "", yuan, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Refund(kRefundOrder, "78&x=1", yuan, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Query("short", kNow)) == "invalid_argument");
}

TEST_CASE("unionpay api: unusable configuration is gateway_config_invalid") {
  UnionPayApiConfig c = Config();
  c.root_cert_pem = "garbage";
  CHECK(CodeOf(UnionPayApi::Create(c)) == "gateway_config_invalid");
  c = Config();
  c.middle_cert_pem.clear();
  CHECK(CodeOf(UnionPayApi::Create(c)) == "gateway_config_invalid");
  c = Config();
  c.merchant_private_key_pem = MerchantKeys().public_pem;
  CHECK(CodeOf(UnionPayApi::Create(c)) == "gateway_config_invalid");
  c = Config();
  c.merchant_cert_id.clear();
  CHECK(CodeOf(UnionPayApi::Create(c)) == "gateway_config_invalid");
}

TEST_CASE("unionpay api: the sandbox reads and verifies a merchant request") {
  auto req = Api().ApplyQrCode(kOrder, Money(Asset::CNY, 8888), kNow);
  REQUIRE(req.ok());
  const crypto::Pkey merchant = PublicKey(MerchantKeys().public_pem);
  auto fields = ParseUnionPayApiRequest(req->body, merchant.get());
  INFO(fields.status().ToString());
  REQUIRE(fields.ok());
  CHECK(FormValue(*fields, "orderId") == kOrder);
  CHECK(FormValue(*fields, "txnAmt") == "8888");
  const crypto::Pkey other = PublicKey(crypto::GenerateRsa2048().public_pem);
  CHECK(CodeOf(ParseUnionPayApiRequest(req->body, other.get())) == "signature_invalid");
  std::string changed = req->body;
  changed.replace(changed.find("txnAmt=8888"), 11, "txnAmt=1888");
  CHECK(CodeOf(ParseUnionPayApiRequest(changed, merchant.get())) == "signature_invalid");
  auto form = ParseForm(req->body);
  REQUIRE(form.ok());
  CHECK(CodeOf(ParseUnionPayApiRequest(EncodeForm(With(*form, "signMethod", "02")),
                                       merchant.get())) == "signature_invalid");
  CHECK(CodeOf(ParseUnionPayApiRequest(EncodeForm(Without(*form, "signature")), merchant.get())) ==
        "signature_invalid");
  // Correctly signed, wrong version.
  const crypto::Pkey merchant_private = PrivateKey(MerchantKeys().private_pem);
  FormPairs v = With(Without(*form, "signature"), "version", "5.0.0");
  v.emplace_back("signature", crypto::Base64Encode(crypto::SignSha256Rsa(
                                  merchant_private.get(), UnionPaySignedDigestHex(v))));
  CHECK(CodeOf(ParseUnionPayApiRequest(EncodeForm(v), merchant.get())) == "notification_malformed");
}

TEST_CASE("unionpay api: a QR answer signed by a certificate of the configured chain") {
  auto t = Api().ParseApplyQrCode(Answer(QrOk()), kOrder, kNow);
  INFO(t.status().ToString());
  REQUIRE(t.ok());
  CHECK(t->qr_payload == "https://qr.95516.com/00010000/01234567890123");
  CHECK(t->gateway_txn_id.empty());
  // The content type UnionPay may use.
  for (std::string type :
       {"application/x-www-form-urlencoded;charset=UTF-8", "text/html", "TEXT/PLAIN"}) {
    InboundResponse r = Answer(QrOk());
    r.headers = {{"content-type", type}};
    CHECK(CodeOf(Api().ParseApplyQrCode(r, kOrder, kNow)) == "ok");
  }
  CHECK(CodeOf(Api().ParseApplyQrCode(Answer(Without(QrOk(), "qrCode")), kOrder, kNow)) ==
        "gateway_response_invalid");
}

TEST_CASE("unionpay api: signPubKeyCert must chain to the configured root") {
  // The other CA's leaf, correctly signed by its own key: not our root.
  const InboundResponse foreign =
      Answer(QrOk(), OtherChain().signing_key_pem, OtherChain().signing_cert_pem);
  auto r = Api().ParseApplyQrCode(foreign, kOrder, kNow);
  CHECK(CodeOf(r) == "signature_key_unknown");
  // Trusting the other chain accepts it and refuses ours.
  const UnionPayApi other = MakeApi(Config(OtherChain()));
  CHECK(CodeOf(other.ParseApplyQrCode(foreign, kOrder, kNow)) == "ok");
  CHECK(CodeOf(other.ParseApplyQrCode(Answer(QrOk()), kOrder, kNow)) == "signature_key_unknown");
  // A self-signed certificate (the other CA's root, signing for itself).
  CHECK(CodeOf(Api().ParseApplyQrCode(
            Answer(QrOk(), OtherChain().root_key_pem, OtherChain().root_pem), kOrder, kNow)) ==
        "signature_key_unknown");
  // Our own middle CA certificate as the "signing" certificate: it chains,
  // but a CA certificate is not a signing certificate (even with the CN
  // check off).
  const InboundResponse middle = Answer(QrOk(), Chain().signing_key_pem, Chain().middle_pem);
  CHECK(CodeOf(Api().ParseApplyQrCode(middle, kOrder, kNow)) == "signature_key_unknown");
  UnionPayApiConfig no_cn = Config();
  no_cn.expected_cert_org.clear();
  auto ca = MakeApi(no_cn).ParseApplyQrCode(middle, kOrder, kNow);
  CHECK(CodeOf(ca) == "signature_key_unknown");
  CHECK(ca.status().message().find("CA certificate") != std::string::npos);
}

TEST_CASE("unionpay api: signPubKeyCert validity window against now_s") {
  TestCertChainOptions opts;
  opts.not_before_s = kNow - 2 * kYearS;
  opts.not_after_s = kNow - kYearS;  // expired a year ago
  const TestCertChain expired = GenerateTestCertChain(opts);
  const UnionPayApi api = MakeApi(Config(expired));
  const InboundResponse answer = Answer(QrOk(), expired.signing_key_pem, expired.signing_cert_pem);
  CHECK(CodeOf(api.ParseApplyQrCode(answer, kOrder, kNow)) == "signature_expired");
  // The same answer, read when the certificate was valid.
  CHECK(CodeOf(api.ParseApplyQrCode(answer, kOrder, kNow - kYearS - 86400)) == "ok");
  // Not yet valid.
  CHECK(CodeOf(api.ParseApplyQrCode(answer, kOrder, kNow - 3 * kYearS)) == "signature_expired");
}

TEST_CASE("unionpay api: signPubKeyCert's CN must name UnionPay unless configured otherwise") {
  TestCertChainOptions opts;
  opts.signing_cn = "041@Z12@Some Other Company@00000002";
  const TestCertChain chain = GenerateTestCertChain(opts);
  const InboundResponse answer = Answer(QrOk(), chain.signing_key_pem, chain.signing_cert_pem);
  auto r = MakeApi(Config(chain)).ParseApplyQrCode(answer, kOrder, kNow);
  CHECK(CodeOf(r) == "signature_key_unknown");
  CHECK(r.status().message().find("CN") != std::string::npos);
  UnionPayApiConfig c = Config(chain);
  c.expected_cert_org = "Some Other Company";
  CHECK(CodeOf(MakeApi(c).ParseApplyQrCode(answer, kOrder, kNow)) == "ok");
  c.expected_cert_org.clear();  // not checked
  CHECK(CodeOf(MakeApi(c).ParseApplyQrCode(answer, kOrder, kNow)) == "ok");
  // A CN without '@' fields.
  opts.signing_cn = "中国银联股份有限公司";
  const TestCertChain plain = GenerateTestCertChain(opts);
  CHECK(CodeOf(MakeApi(Config(plain))
                   .ParseApplyQrCode(Answer(QrOk(), plain.signing_key_pem, plain.signing_cert_pem),
                                     kOrder, kNow)) == "signature_key_unknown");
}

TEST_CASE("unionpay api: signature failures are signature_invalid") {
  // A field changed after signing.
  InboundResponse r = Answer(QrOk());
  const std::size_t at = r.body.find("01234567890123");
  REQUIRE(at != std::string::npos);
  r.body[at] = '9';
  CHECK(CodeOf(Api().ParseApplyQrCode(r, kOrder, kNow)) == "signature_invalid");
  // Signed by another key than signPubKeyCert's.
  CHECK(CodeOf(Api().ParseApplyQrCode(Answer(QrOk(), OtherChain().signing_key_pem), kOrder,
                                      kNow)) == "signature_invalid");
  auto form = ParseForm(Answer(QrOk()).body);
  REQUIRE(form.ok());
  for (const FormPairs& f :
       {With(*form, "signMethod", "02"), Without(*form, "signMethod"),
        With(*form, "signature", "@@@@"), Without(*form, "signPubKeyCert"),
        With(*form, "signPubKeyCert",
             "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")}) {
    CHECK(CodeOf(Api().ParseApplyQrCode(Http(EncodeForm(f)), kOrder, kNow)) == "signature_invalid");
  }
  // No signature at all with respCode 00: never a success.
  CHECK(CodeOf(Api().ParseApplyQrCode(Http(EncodeForm(Without(*form, "signature"))), kOrder,
                                      kNow)) == "signature_invalid");
}

TEST_CASE("unionpay api: every truncation of an answer is refused") {
  const InboundResponse full = Answer(QueryAnswer(kOrder, "00"));
  REQUIRE(CodeOf(Api().ParseQuery(full, kOrder, kNow)) == "ok");
  for (std::size_t n = 0; n < full.body.size(); ++n) {
    InboundResponse cut = full;
    cut.body.resize(n);
    const std::string code = CodeOf(Api().ParseQuery(cut, kOrder, kNow));
    INFO("prefix " << n << ": " << code);
    CHECK((code == "gateway_response_invalid" || code == "signature_invalid"));
  }
}

TEST_CASE("unionpay api: every flipped byte of a signed answer is refused, never a success") {
  const InboundResponse full = Answer(QueryAnswer(kOrder, "00"));
  REQUIRE(CodeOf(Api().ParseQuery(full, kOrder, kNow)) == "ok");
  for (std::size_t i = 0; i < full.body.size(); ++i) {
    InboundResponse flipped = full;
    flipped.body[i] = static_cast<char>(flipped.body[i] ^ 0x01);
    const std::string code = CodeOf(Api().ParseQuery(flipped, kOrder, kNow));
    INFO("byte " << i << ": " << code);
    // A flip inside signPubKeyCert breaks its CA's signature: key unknown.
    CHECK((code == "gateway_response_invalid" || code == "signature_invalid" ||
           code == "signature_key_unknown"));
  }
}

TEST_CASE("unionpay api: HTTP status, size and content type come first") {
  CHECK(CodeOf(Api().ParseQuery(Http("", 503), kOrder, kNow)) == "gateway_unavailable");
  CHECK(CodeOf(Api().ParseQuery(Http("", 500), kOrder, kNow)) == "gateway_unavailable");
  CHECK(CodeOf(Api().ParseQuery(Http("respCode=00", 404), kOrder, kNow)) ==
        "gateway_response_invalid");
  InboundResponse r = Answer(QueryAnswer(kOrder, "00"));
  r.headers = {{"content-type", "application/json"}};
  CHECK(CodeOf(Api().ParseQuery(r, kOrder, kNow)) == "gateway_response_invalid");
  r = Answer(QueryAnswer(kOrder, "00"));
  r.body.append(kMaxResponseBytes, 'a');
  CHECK(CodeOf(Api().ParseQuery(r, kOrder, kNow)) == "gateway_response_invalid");
  // Form-level garbage: a repeated field, a bad escape.
  CHECK(CodeOf(Api().ParseQuery(Http("respCode=00&respCode=34"), kOrder, kNow)) ==
        "gateway_response_invalid");
  CHECK(CodeOf(Api().ParseQuery(Http("respCode=%G0"), kOrder, kNow)) == "gateway_response_invalid");
}

TEST_CASE("unionpay api: respCode mapping of a signed answer") {
  struct Row {
    const char* resp_code;
    const char* expected;
  };
  const Row rows[] = {{"03", "gateway_unavailable"}, {"04", "gateway_unavailable"},
                      {"05", "gateway_unavailable"}, {"01", "gateway_refused"},
                      {"12", "gateway_refused"},     {"34", "gateway_refused"},
                      {"61", "gateway_refused"},     {"94", "gateway_refused"}};
  for (const Row& row : rows) {
    INFO(row.resp_code);
    FormPairs f = With(Without(QrOk(), "qrCode"), "respCode", row.resp_code);
    f = With(f, "respMsg", "失败");
    auto r = Api().ParseApplyQrCode(Answer(f), kOrder, kNow);
    CHECK(CodeOf(r) == row.expected);
    CHECK(r.status().message().find(std::string("respCode ") + row.resp_code) != std::string::npos);
  }
  // Unsigned failures are read as failures, never as "not found".
  const FormPairs unsigned_34 = With(Base(kOrder, "34"), "respMsg", "无此交易");
  CHECK(CodeOf(Api().ParseQuery(Http(EncodeForm(unsigned_34)), kOrder, kNow)) == "gateway_refused");
  auto signed_34 = Api().ParseQuery(Answer(unsigned_34), kOrder, kNow);
  REQUIRE(signed_34.ok());
  CHECK(signed_34->state == TradeState::kNotFound);
  CHECK(signed_34->gateway_status == "34");
}

TEST_CASE("unionpay api: query origRespCode mapping") {
  struct Row {
    const char* orig;
    TradeState state;
  };
  const Row rows[] = {{"00", TradeState::kPaid},    {"03", TradeState::kPending},
                      {"04", TradeState::kPending}, {"05", TradeState::kPending},
                      {"01", TradeState::kFailed},  {"61", TradeState::kFailed}};
  for (const Row& row : rows) {
    INFO(row.orig);
    auto q = Api().ParseQuery(Answer(QueryAnswer(kOrder, row.orig)), kOrder, kNow);
    INFO(q.status().ToString());
    REQUIRE(q.ok());
    CHECK(q->state == row.state);
    CHECK(q->gateway_status == row.orig);
    CHECK(q->amount == Money(Asset::CNY, 8888));
    CHECK(q->gateway_txn_id == (row.state == TradeState::kPaid ? kQueryId : ""));
  }
  const FormPairs paid = QueryAnswer(kOrder, "00");
  auto bad = [&](const FormPairs& f) { return CodeOf(Api().ParseQuery(Answer(f), kOrder, kNow)); };
  CHECK(bad(Without(paid, "origRespCode")) == "gateway_response_invalid");
  CHECK(bad(Without(paid, "queryId")) == "gateway_response_invalid");
  CHECK(bad(Without(paid, "txnAmt")) == "gateway_response_invalid");
  CHECK(bad(With(paid, "txnAmt", "88.88")) == "gateway_response_invalid");
  CHECK(bad(With(paid, "txnAmt", "0")) == "gateway_response_invalid");
  CHECK(bad(With(paid, "txnAmt", "-1")) == "gateway_response_invalid");
  CHECK(bad(With(paid, "txnAmt", std::string(45, '9'))) == "gateway_response_invalid");
  // ACP's bounds on an answer, as on a request: 12 digits of fen at most,
  // origRespCode two letters or digits.
  CHECK(bad(With(paid, "txnAmt", "1000000000000")) == "gateway_response_invalid");
  CHECK(Api().ParseQuery(Answer(With(paid, "txnAmt", "999999999999")), kOrder, kNow).ok());
  CHECK(bad(With(paid, "origRespCode", "0")) == "gateway_response_invalid");
  CHECK(bad(With(paid, "origRespCode", "000")) == "gateway_response_invalid");
  CHECK(bad(With(paid, "origRespCode", "0-")) == "gateway_response_invalid");
  CHECK(bad(With(paid, "currencyCode", "840")) == "gateway_response_invalid");
  CHECK(bad(With(paid, "merId", "777290058110049")) == "gateway_response_invalid");
  CHECK(bad(With(paid, "orderId", "pay20261122002")) == "gateway_response_invalid");
  CHECK(bad(Without(paid, "orderId")) == "gateway_response_invalid");
  CHECK(bad(Without(paid, "respCode")) == "gateway_response_invalid");
}

TEST_CASE("unionpay api: refund and refund query") {
  FormPairs accepted = Base(kRefundOrder, "00");
  accepted.emplace_back("txnType", "04");
  accepted.emplace_back("queryId", "782611221000000000022");
  auto rf = Api().ParseRefund(Answer(accepted), kRefundOrder, kNow);
  INFO(rf.status().ToString());
  REQUIRE(rf.ok());
  CHECK(rf->state == RefundState::kProcessing);
  CHECK(rf->gateway_refund_id == "782611221000000000022");
  CHECK(CodeOf(Api().ParseRefund(Answer(With(accepted, "respCode", "05")), kRefundOrder, kNow)) ==
        "gateway_unavailable");
  CHECK(CodeOf(Api().ParseRefund(Answer(With(accepted, "respCode", "34")), kRefundOrder, kNow)) ==
        "gateway_refused");
  // A resent refund (its first answer lost) is a duplicate: processing, query it.
  auto duplicate = Api().ParseRefund(Answer(With(Without(accepted, "queryId"), "respCode", "12")),
                                     kRefundOrder, kNow);
  REQUIRE(duplicate.ok());
  CHECK(duplicate->state == RefundState::kProcessing);
  CHECK(duplicate->gateway_status == "12");
  FormPairs unsigned_12 = With(Without(accepted, "queryId"), "respCode", "12");
  CHECK(CodeOf(Api().ParseRefund(Http(EncodeForm(unsigned_12)), kRefundOrder, kNow)) ==
        "gateway_refused");
  // For a QR order, 12 is a refusal: the QR payload is not in the answer.
  CHECK(CodeOf(Api().ParseApplyQrCode(Answer(With(Without(QrOk(), "qrCode"), "respCode", "12")),
                                      kOrder, kNow)) == "gateway_refused");
  CHECK(CodeOf(Api().ParseRefund(Answer(accepted), kOrder, kNow)) == "gateway_response_invalid");

  auto done = Api().ParseRefundQuery(Answer(QueryAnswer(kRefundOrder, "00")), kRefundOrder, kNow);
  REQUIRE(done.ok());
  CHECK(done->state == RefundState::kSucceeded);
  CHECK(done->refunded == Money(Asset::CNY, 8888));
  CHECK(done->gateway_refund_id == kQueryId);
  auto pending =
      Api().ParseRefundQuery(Answer(QueryAnswer(kRefundOrder, "05")), kRefundOrder, kNow);
  REQUIRE(pending.ok());
  CHECK(pending->state == RefundState::kProcessing);
  auto failed = Api().ParseRefundQuery(Answer(QueryAnswer(kRefundOrder, "01")), kRefundOrder, kNow);
  REQUIRE(failed.ok());
  CHECK(failed->state == RefundState::kFailed);
  auto missing = Api().ParseRefundQuery(Answer(Base(kRefundOrder, "34")), kRefundOrder, kNow);
  REQUIRE(missing.ok());
  CHECK(missing->state == RefundState::kNotFound);
}

TEST_CASE("unionpay api: the generated chain and CertChainVerifier directly") {
  CHECK(Chain().signing_cert_id == CertSerialDecimal(Chain().signing_cert_pem));
  CHECK_FALSE(Chain().signing_cert_id.empty());
  CHECK(Chain().signing_cert_id.find_first_not_of("0123456789") == std::string::npos);
  CHECK(CertSerialDecimal("garbage").empty());
  auto v = CertChainVerifier::Create(Chain().root_pem, Chain().middle_pem,
                                     std::string(kUnionPayCertOrg));
  REQUIRE(v.ok());
  CHECK(CodeOf(v->VerifyLeaf(Chain().signing_cert_pem, kNow)) == "ok");
  CHECK(CodeOf(v->VerifyLeaf(OtherChain().signing_cert_pem, kNow)) == "signature_key_unknown");
  CHECK(CodeOf(v->VerifyLeaf("", kNow)) == "signature_invalid");
  // Without the middle certificate the leaf cannot chain.
  auto root_only = CertChainVerifier::Create(Chain().root_pem, OtherChain().middle_pem, "");
  REQUIRE(root_only.ok());
  CHECK(CodeOf(root_only->VerifyLeaf(Chain().signing_cert_pem, kNow)) == "signature_key_unknown");
  // A leaf made for a given key (the sandbox's own UnionPay key).
  TestCertChainOptions opts;
  opts.signing_key_pem = MerchantKeys().private_pem;
  const TestCertChain mine = GenerateTestCertChain(opts);
  auto verifier = CertChainVerifier::Create(mine.root_pem, mine.middle_pem, "");
  REQUIRE(verifier.ok());
  auto key = verifier->VerifyLeaf(mine.signing_cert_pem, kNow);
  REQUIRE(key.ok());
  const crypto::Pkey signer = PrivateKey(MerchantKeys().private_pem);
  CHECK(crypto::VerifySha256Rsa(key->get(), "m", crypto::SignSha256Rsa(signer.get(), "m")));
}

// ---- The file transfer (txnType 76): the merchant reconciliation file. ----

const std::string kInn = "S22 one fixed-width record\r\nS30 another\r\n";

// The answer UnionPay gives: fileContent = base64(zlib(zip)) unless `plain_zip`.
FormPairs FileAnswer(const std::string& archive, bool plain_zip = false) {
  FormPairs f{{"version", "5.1.0"},
              {"encoding", "UTF-8"},
              {"bizType", "000000"},
              {"txnType", "76"},
              {"txnSubType", "01"},
              {"accessType", "0"},
              {"merId", std::string(kMerId)},
              {"settleDate", "1121"},
              {"txnTime", "20261122090000"},
              {"fileType", "00"},
              {"respCode", "00"},
              {"respMsg", "成功[0000000]"},
              {"fileName", std::string(kMerId) + "_20261121.zip"}};
  f.emplace_back("fileContent",
                 crypto::Base64Encode(plain_zip ? archive : statements::ZlibDeflate(archive)));
  return f;
}

std::string Archive(const std::string& inn_name = "INN26112101ACOMN") {
  return statements::MakeZip({{"INN26112101ZME", "errors file"}, {inn_name, kInn}});
}

TEST_CASE("unionpay api: file transfer request, every field and the signature") {
  auto req = Api().FileTransfer("1121", kNow);
  INFO(req.status().ToString());
  REQUIRE(req.ok());
  CHECK(req->method == "POST");
  CHECK(req->target == "/gateway/api/fileTransRequest.do");
  auto form = ParseForm(req->body);
  REQUIRE(form.ok());
  const FormPairs expected{{"version", "5.1.0"},
                           {"encoding", "UTF-8"},
                           {"signMethod", "01"},
                           {"certId", std::string(kCertId)},
                           {"txnType", "76"},
                           {"txnSubType", "01"},
                           {"bizType", "000000"},
                           {"accessType", "0"},
                           {"merId", std::string(kMerId)},
                           {"settleDate", "1121"},
                           {"txnTime", "20261122090000"},
                           {"fileType", "00"}};
  REQUIRE(form->size() == expected.size() + 1);
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK((*form)[i] == expected[i]);
  CHECK_FALSE(FormValue(*form, "orderId").has_value());
  const auto sig = crypto::Base64Decode(FormValue(*form, "signature").value_or(""));
  REQUIRE(sig.has_value());
  const crypto::Pkey merchant = PublicKey(MerchantKeys().public_pem);
  CHECK(crypto::VerifySha256Rsa(merchant.get(), UnionPaySignedDigestHex(expected), *sig));
  // The sandbox's side reads it as a merchant request.
  CHECK(ParseUnionPayApiRequest(req->body, merchant.get()).ok());
  // settleDate is MMDD of a real day (0229 included: ACP names no year).
  CHECK(Api().FileTransfer("0229", kNow).ok());
  for (const char* bad : {"", "112", "11211", "1131", "1300", "0000", "11a1", "0230"}) {
    CAPTURE(bad);
    CHECK(CodeOf(Api().FileTransfer(bad, kNow)) == "invalid_argument");
  }
}

TEST_CASE("unionpay api: file transfer answer gives the INN file of the settle date") {
  auto file = Api().ParseFileTransfer(Answer(FileAnswer(Archive())), "1121", kNow);
  INFO(file.status().ToString());
  REQUIRE(file.ok());
  CHECK(file->name == "INN26112101ACOMN");
  CHECK(file->bytes == kInn);
  CHECK(file->archive_name == std::string(kMerId) + "_20261121.zip");
  // A fileContent that is a ZIP after base64 (no zlib layer) reads the same.
  auto plain = Api().ParseFileTransfer(Answer(FileAnswer(Archive(), true)), "1121", kNow);
  REQUIRE(plain.ok());
  CHECK(plain->bytes == kInn);
  // In a folder of the archive.
  auto nested = Api().ParseFileTransfer(Answer(FileAnswer(Archive("20261121/INN26112101ACOMN"))),
                                        "1121", kNow);
  REQUIRE(nested.ok());
  CHECK(nested->bytes == kInn);
}

TEST_CASE("unionpay api: a tampered or wrong file transfer answer is refused") {
  const InboundResponse good = Answer(FileAnswer(Archive()));
  REQUIRE(CodeOf(Api().ParseFileTransfer(good, "1121", kNow)) == "ok");
  // One character of fileContent changed after signing: the signature fails.
  InboundResponse tampered = good;
  const std::size_t at = tampered.body.find("fileContent=");
  REQUIRE(at != std::string::npos);
  std::size_t c = at + std::string_view("fileContent=").size() + 10;
  // A plain base64 letter, not one of a %XX escape.
  while (!std::isalpha(static_cast<unsigned char>(tampered.body[c])) ||
         tampered.body[c - 1] == '%' || tampered.body[c - 2] == '%') {
    ++c;
  }
  tampered.body[c] = tampered.body[c] == 'A' ? 'B' : 'A';
  CHECK(CodeOf(Api().ParseFileTransfer(tampered, "1121", kNow)) == "signature_invalid");
  // Signed by a key that is not UnionPay's chain's.
  CHECK(CodeOf(Api().ParseFileTransfer(Answer(FileAnswer(Archive()), OtherChain().signing_key_pem),
                                       "1121", kNow)) == "signature_invalid");
  CHECK(CodeOf(Api().ParseFileTransfer(Answer(FileAnswer(Archive()), OtherChain().signing_key_pem,
                                              OtherChain().signing_cert_pem),
                                       "1121", kNow)) == "signature_key_unknown");
  // Unsigned: never a file.
  auto form = ParseForm(good.body);
  REQUIRE(form.ok());
  CHECK(CodeOf(Api().ParseFileTransfer(Http(EncodeForm(Without(*form, "signature"))), "1121",
                                       kNow)) == "signature_invalid");
  // Signed, but not the file asked for, or not a file at all.
  const std::string inn_only_zme = statements::MakeZip({{"INN26112101ZME", "x"}});
  const std::string two_inn =
      statements::MakeZip({{"INN26112101ACOMN", kInn}, {"a/INN26112101ACOMN", kInn}});
  const std::vector<std::pair<const char*, FormPairs>> invalid = {
      {"another settleDate", With(FileAnswer(Archive()), "settleDate", "1120")},
      {"no settleDate", Without(FileAnswer(Archive()), "settleDate")},
      {"no fileContent", Without(FileAnswer(Archive()), "fileContent")},
      {"fileContent not base64", With(FileAnswer(Archive()), "fileContent", "@@@@")},
      {"fileContent not zlib",
       With(FileAnswer(Archive()), "fileContent", crypto::Base64Encode("not compressed"))},
      {"a cut zlib stream",
       With(FileAnswer(Archive()), "fileContent",
            crypto::Base64Encode(statements::ZlibDeflate(Archive()).substr(0, 40)))},
      {"zlib of something else", With(FileAnswer(Archive()), "fileContent",
                                      crypto::Base64Encode(statements::ZlibDeflate("hello")))},
      {"no INN file", FileAnswer(inn_only_zme)},
      {"two INN files", FileAnswer(two_inn)},
      {"the INN file of another day", FileAnswer(Archive("INN26112001ACOMN"))},
      {"an orderId in the answer", With(FileAnswer(Archive()), "orderId", "pay20261122001")},
  };
  for (const auto& [what, fields] : invalid) {
    CAPTURE(what);
    CHECK(CodeOf(Api().ParseFileTransfer(Answer(fields), "1121", kNow)) ==
          "gateway_response_invalid");
  }
  // No file for that day yet (98) is a refusal: the scheduled job waits.
  CHECK(CodeOf(Api().ParseFileTransfer(
            Answer(Without(With(FileAnswer(Archive()), "respCode", "98"), "fileContent")), "1121",
            kNow)) == "gateway_refused");
  CHECK(CodeOf(Api().ParseFileTransfer(Answer(With(FileAnswer(Archive()), "respCode", "04")),
                                       "1121", kNow)) == "gateway_unavailable");
  // Every truncation of the answer is refused.
  for (std::size_t n = 0; n < good.body.size(); n += 11) {
    InboundResponse cut = good;
    cut.body.resize(n);
    const std::string code = CodeOf(Api().ParseFileTransfer(cut, "1121", kNow));
    CAPTURE(n);
    CHECK((code == "gateway_response_invalid" || code == "signature_invalid"));
  }
}

}  // namespace
}  // namespace folio::gateways
