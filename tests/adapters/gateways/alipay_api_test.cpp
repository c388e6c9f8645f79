// Alipay OpenAPI calls: the exact request bytes and their RSA2 signature, the
// raw-bytes signature of answers, the code mapping of every call, and hostile
// answers (each failure with its code).
#include "adapters/gateways/alipay_api.h"

#include <doctest/doctest.h>

#include <random>
#include <string>

#include "adapters/gateways/alipay.h"
#include "adapters/gateways/alipay_sandbox_api.h"
#include "adapters/gateways/crypto.h"
#include "adapters/gateways/form.h"
#include "adapters/gateways/gateway_codes.h"
#include "adapters/gateways/raw_json.h"
#include "engine/domain/civil_time.h"
#include "tests/adapters/gateways/gateway_test_support.h"

namespace folio::gateways {
namespace {

using testing::CodeOf;
using testing::Keys;
using testing::kNow;
using testing::OtherKeys;

constexpr std::string_view kPrecreate = "alipay.trade.precreate";
constexpr std::string_view kQuery = "alipay.trade.query";
constexpr std::string_view kClose = "alipay.trade.close";
constexpr std::string_view kRefund = "alipay.trade.refund";
constexpr std::string_view kRefundQuery = "alipay.trade.fastpay.refund.query";
constexpr std::string_view kBill = "alipay.data.dataservice.bill.downloadurl.query";
constexpr std::string_view kNotifyUrl = "https://folio.example/v1/gateways/alipay/notify";

const crypto::RsaKeyPair& MerchantKeys() {
  static const crypto::RsaKeyPair keys = crypto::GenerateRsa2048();
  return keys;
}

AlipayApiConfig Config() {
  return AlipayApiConfig{Keys().alipay_app_id, MerchantKeys().private_pem,
                         Keys().alipay_public_key_pem, std::string(kNotifyUrl)};
}

const AlipayApi& Api() {
  static const AlipayApi api = [] {
    Result<AlipayApi> r = AlipayApi::Create(Config());
    if (!r.ok()) std::abort();
    return std::move(r).value();
  }();
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
                     std::string content_type = "application/json;charset=utf-8") {
  return InboundResponse{status, {{"content-type", std::move(content_type)}}, std::move(body)};
}

// An answer signed the way Alipay signs it (by `keys`' Alipay key).
InboundResponse Signed(std::string_view method, std::string_view object_json,
                       const SandboxKeys& keys = Keys()) {
  const crypto::Pkey key = PrivateKey(keys.alipay_private_key_pem);
  return Http(BuildAlipayApiResponse(key.get(), method, object_json));
}

InboundResponse Unsigned(std::string_view method, std::string_view object_json) {
  return Http("{\"" + AlipayResponseKey(method) + "\":" + std::string(object_json) + "}");
}

std::string QueryObject(std::string_view status, std::string_view extra = "") {
  return R"({"code":"10000","msg":"Success","trade_no":"2026112222001","out_trade_no":"pay-1",)"
         R"("trade_status":")" +
         std::string(status) + R"(","total_amount":"88.88")" + std::string(extra) + "}";
}

std::string Failure(std::string_view code, std::string_view sub_code) {
  return R"({"code":")" + std::string(code) + R"(","msg":"Business Failed","sub_code":")" +
         std::string(sub_code) + R"(","sub_msg":"failed"})";
}

const std::string kPrecreateOk =
    R"({"code":"10000","msg":"Success","out_trade_no":"pay-1","qr_code":"https://qr.alipay.com/bax01"})";

TEST_CASE("alipay api: the request signing string of a fixed example, byte for byte") {
  const FormPairs params{{"method", "alipay.trade.query"},
                         {"app_id", "2014072300007148"},
                         {"sign_type", "RSA2"},
                         {"sign", "ignored"},
                         {"timestamp", "2014-07-24 03:07:50"},
                         {"app_auth_token", ""},
                         {"charset", "utf-8"},
                         {"version", "1.0"},
                         {"biz_content", R"({"out_trade_no":"a&b=c"})"}};
  // sign and the empty app_auth_token are left out; sign_type is signed;
  // values stay raw (no URL encoding of '&', '=', space or quotes).
  CHECK(AlipayRequestSignedMessage(params) ==
        R"(app_id=2014072300007148&biz_content={"out_trade_no":"a&b=c"}&charset=utf-8&)"
        R"(method=alipay.trade.query&sign_type=RSA2&timestamp=2014-07-24 03:07:50&version=1.0)");
  // A notification leaves sign_type out as well: the two rules differ.
  CHECK(AlipaySignedMessage(params).find("sign_type") == std::string::npos);
}

TEST_CASE("alipay api: precreate request, every parameter and the signature") {
  auto req = Api().Precreate("pay-1", Money(Asset::CNY, 8888), "Folio 订单", 30, kNow);
  INFO(req.status().ToString());
  REQUIRE(req.ok());
  CHECK(req->method == "POST");
  CHECK(req->target == "/gateway.do");
  REQUIRE(req->headers.size() == 1);
  CHECK(req->headers[0].first == "Content-Type");
  CHECK(req->headers[0].second == "application/x-www-form-urlencoded;charset=utf-8");
  auto form = ParseForm(req->body);
  REQUIRE(form.ok());
  CHECK(FormValue(*form, "app_id") == Keys().alipay_app_id);
  CHECK(FormValue(*form, "method") == "alipay.trade.precreate");
  CHECK(FormValue(*form, "format") == "JSON");
  CHECK(FormValue(*form, "charset") == "utf-8");
  CHECK(FormValue(*form, "sign_type") == "RSA2");
  CHECK(FormValue(*form, "timestamp") == "2026-11-22 09:00:00");  // kNow is 01:00Z
  CHECK(FormValue(*form, "version") == "1.0");
  CHECK(FormValue(*form, "notify_url") == kNotifyUrl);
  CHECK(FormValue(*form, "biz_content") ==
        R"({"out_trade_no":"pay-1","total_amount":"88.88","subject":"Folio 订单",)"
        R"("timeout_express":"30m"})");
  const auto sign = crypto::Base64Decode(FormValue(*form, "sign").value_or(""));
  REQUIRE(sign.has_value());
  const crypto::Pkey merchant = PublicKey(MerchantKeys().public_pem);
  CHECK(crypto::VerifySha256Rsa(merchant.get(), AlipayRequestSignedMessage(*form), *sign));
  // Signed including sign_type: the notification rule would not verify.
  CHECK_FALSE(crypto::VerifySha256Rsa(merchant.get(), AlipaySignedMessage(*form), *sign));
}

TEST_CASE("alipay api: the other calls carry their biz_content, notify_url only where it belongs") {
  struct Case {
    Result<OutboundRequest> req;
    std::string_view method;
    std::string biz;
    bool notify;
  };
  Case cases[] = {
      {Api().Query("pay-1", kNow), kQuery, R"({"out_trade_no":"pay-1"})", false},
      {Api().Close("pay-1", kNow), kClose, R"({"out_trade_no":"pay-1"})", false},
      {Api().Refund("pay-1", "rf-1", Money(Asset::CNY, 100), "客户退货", kNow), kRefund,
       R"({"out_trade_no":"pay-1","refund_amount":"1.00","out_request_no":"rf-1",)"
       R"("refund_reason":"客户退货"})",
       true},
      {Api().Refund("pay-1", "rf-1", Money(Asset::CNY, 5), "", kNow), kRefund,
       R"({"out_trade_no":"pay-1","refund_amount":"0.05","out_request_no":"rf-1"})", true},
      {Api().RefundQuery("pay-1", "rf-1", kNow), kRefundQuery,
       R"({"out_trade_no":"pay-1","out_request_no":"rf-1"})", false},
      {Api().BillDownloadUrl("2026-11-21", kNow), kBill,
       R"({"bill_type":"trade","bill_date":"2026-11-21"})", false},
  };
  for (const Case& c : cases) {
    INFO(c.method);
    REQUIRE(c.req.ok());
    auto form = ParseForm(c.req->body);
    REQUIRE(form.ok());
    CHECK(FormValue(*form, "method") == c.method);
    CHECK(FormValue(*form, "biz_content") == c.biz);
    CHECK(FormValue(*form, "notify_url").has_value() == c.notify);
  }
}

TEST_CASE("alipay api: no notify_url when none is configured") {
  AlipayApiConfig cfg = Config();
  cfg.notify_url.clear();
  auto api = AlipayApi::Create(cfg);
  REQUIRE(api.ok());
  auto req = api->Precreate("pay-1", Money(Asset::CNY, 1), "s", 5, kNow);
  REQUIRE(req.ok());
  CHECK(req->body.find("notify_url") == std::string::npos);
}

TEST_CASE("alipay api: timestamps are Asia/Shanghai wall-clock time") {
  CHECK(domain::ShanghaiDateTime(0) == "1970-01-01 08:00:00");
  CHECK(domain::ShanghaiDateTime(kNow) == "2026-11-22 09:00:00");
  // 16:30Z is already the next day in Shanghai.
  CHECK(domain::ShanghaiDateTime(kNow + 15 * 3600 + 1800) == "2026-11-23 00:30:00");
  CHECK(domain::ShanghaiDateTime(951839999) == "2000-02-29 23:59:59");  // leap day, 15:59:59Z
  CHECK(domain::ShanghaiCompactDateTime(kNow + 59) == "20261122090059");
  CHECK(domain::ShanghaiDateTime(domain::kShanghaiTimeMaxS) == "9999-12-31 23:59:59");
}

TEST_CASE("alipay api: bad builder arguments are invalid_argument, nothing is signed") {
  const Money yuan(Asset::CNY, 100);
  CHECK(CodeOf(Api().Precreate("", yuan, "s", 30, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Precreate("a/b", yuan, "s", 30, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Precreate(std::string(65, 'a'), yuan, "s", 30, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Precreate(std::string(64, 'a'), yuan, "s", 30, kNow)) == "ok");
  CHECK(CodeOf(Api().Precreate("p", Money(Asset::USD, 100), "s", 30, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Precreate("p", Money(Asset::CNY, 0), "s", 30, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Precreate("p", Money(Asset::CNY, 10'000'000'001), "s", 30, kNow)) ==
        "invalid_argument");
  CHECK(CodeOf(Api().Precreate("p", Money(Asset::CNY, 10'000'000'000), "s", 30, kNow)) == "ok");
  CHECK(CodeOf(Api().Precreate("p", yuan, "", 30, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Precreate("p", yuan, std::string(257, 'x'), 30, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Precreate("p", yuan, "bad \xff utf-8", 30, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Precreate("p", yuan, "line\nbreak", 30, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Precreate("p", yuan, "s", 0, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Precreate("p", yuan, "s", 21601, kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Precreate("p", yuan, "s", 30, -1)) == "invalid_argument");
  CHECK(CodeOf(Api().Refund("p", "", yuan, "", kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Refund("p", "r", yuan, "\xc3\x28", kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().Refund("p", "r", Money(Asset::CNY, 0), "", kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().RefundQuery("p", "r:1", kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().BillDownloadUrl("2026-11", kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().BillDownloadUrl("2026-13-01", kNow)) == "invalid_argument");
  CHECK(CodeOf(Api().BillDownloadUrl("2026/11/21", kNow)) == "invalid_argument");
}

TEST_CASE("alipay api: unusable configuration is gateway_config_invalid") {
  AlipayApiConfig cfg = Config();
  cfg.merchant_private_key_pem = "garbage";
  CHECK(CodeOf(AlipayApi::Create(cfg)) == "gateway_config_invalid");
  cfg = Config();
  cfg.alipay_public_key_pem = "not a key";
  CHECK(CodeOf(AlipayApi::Create(cfg)) == "gateway_config_invalid");
  cfg = Config();
  cfg.app_id.clear();
  CHECK(CodeOf(AlipayApi::Create(cfg)) == "gateway_config_invalid");
}

TEST_CASE("alipay api: the sandbox reads and verifies a merchant request") {
  auto req = Api().Refund("pay-1", "rf-1", Money(Asset::CNY, 100), "", kNow);
  REQUIRE(req.ok());
  const crypto::Pkey merchant = PublicKey(MerchantKeys().public_pem);
  auto call = ParseAlipayApiRequest(req->body, merchant.get());
  INFO(call.status().ToString());
  REQUIRE(call.ok());
  CHECK(call->method == kRefund);
  CHECK(call->app_id == Keys().alipay_app_id);
  CHECK(call->timestamp == "2026-11-22 09:00:00");
  CHECK(call->notify_url == kNotifyUrl);
  CHECK(call->Biz("refund_amount") == "1.00");
  CHECK(call->Biz("out_request_no") == "rf-1");
  CHECK_FALSE(call->Biz("refund_reason").has_value());

  // Signed by another merchant key.
  const crypto::Pkey other = PublicKey(OtherKeys().alipay_public_key_pem);
  CHECK(CodeOf(ParseAlipayApiRequest(req->body, other.get())) == "signature_invalid");
  // A changed amount after signing.
  std::string changed = req->body;
  const std::size_t at = changed.find("1.00");
  REQUIRE(at != std::string::npos);
  changed.replace(at, 4, "9.00");
  CHECK(CodeOf(ParseAlipayApiRequest(changed, merchant.get())) == "signature_invalid");
  // sign_type RSA (SHA1) is not accepted.
  auto form = ParseForm(req->body);
  REQUIRE(form.ok());
  for (auto& [k, v] : *form) {
    if (k == "sign_type") v = "RSA";
  }
  CHECK(CodeOf(ParseAlipayApiRequest(EncodeForm(*form), merchant.get())) == "signature_invalid");
}

TEST_CASE("alipay api: the sandbox refuses a correctly signed request with bad common fields") {
  const crypto::Pkey merchant_private = PrivateKey(MerchantKeys().private_pem);
  const crypto::Pkey merchant = PublicKey(MerchantKeys().public_pem);
  auto sign = [&](FormPairs p) {
    p.emplace_back("sign", crypto::Base64Encode(crypto::SignSha256Rsa(
                               merchant_private.get(), AlipayRequestSignedMessage(p))));
    return EncodeForm(p);
  };
  const FormPairs base{{"app_id", "1"},       {"method", std::string(kQuery)},
                       {"format", "JSON"},    {"charset", "utf-8"},
                       {"sign_type", "RSA2"}, {"timestamp", "2026-11-22 09:00:00"},
                       {"version", "1.0"},    {"biz_content", R"({"out_trade_no":"p"})"}};
  CHECK(CodeOf(ParseAlipayApiRequest(sign(base), merchant.get())) == "ok");
  for (const auto& change :
       {std::pair{"format", "XML"}, std::pair{"charset", "gbk"}, std::pair{"version", "2.0"},
        std::pair{"biz_content", "[1]"}, std::pair{"biz_content", R"({"a":1,"a":2})"},
        std::pair{"method", ""}}) {
    FormPairs p = base;
    for (auto& [k, v] : p) {
      if (k == change.first) v = change.second;
    }
    INFO(change.first << "=" << change.second);
    CHECK(CodeOf(ParseAlipayApiRequest(sign(p), merchant.get())) == "notification_malformed");
  }
}

TEST_CASE("alipay api: precreate answer round trip gives the QR payload") {
  auto t = Api().ParsePrecreate(Signed(kPrecreate, kPrecreateOk), "pay-1");
  INFO(t.status().ToString());
  REQUIRE(t.ok());
  CHECK(t->qr_payload == "https://qr.alipay.com/bax01");
  CHECK(t->gateway_txn_id.empty());
  // The answer for another trade.
  CHECK(CodeOf(Api().ParsePrecreate(Signed(kPrecreate, kPrecreateOk), "pay-2")) ==
        "gateway_response_invalid");
  // No qr_code.
  CHECK(CodeOf(Api().ParsePrecreate(Signed(kPrecreate, R"({"code":"10000","msg":"Success"})"),
                                    "pay-1")) == "gateway_response_invalid");
}

TEST_CASE("alipay api: the signature covers the exact bytes of the response object") {
  // Spaces and key order as Alipay happened to write them: a verifier that
  // re-serialized the object would compute other bytes and fail here.
  const std::string spaced =
      "{ \"qr_code\" : \"https://qr.alipay.com/bax01\",\n  \"code\":\"10000\", \"msg\":\"Success\" "
      "}";
  auto t = Api().ParsePrecreate(Signed(kPrecreate, spaced), "pay-1");
  INFO(t.status().ToString());
  REQUIRE(t.ok());
  CHECK(t->qr_payload == "https://qr.alipay.com/bax01");
  // The same answer with `sign` first and spaces around the members.
  const crypto::Pkey key = PrivateKey(Keys().alipay_private_key_pem);
  const std::string sign = crypto::Base64Encode(crypto::SignSha256Rsa(key.get(), spaced));
  const std::string reordered =
      "{ \"sign\" : \"" + sign + "\" ,\n \"alipay_trade_precreate_response\" : " + spaced + " }\n";
  CHECK(CodeOf(Api().ParsePrecreate(Http(reordered), "pay-1")) == "ok");
}

TEST_CASE("alipay api: signature failures are signature_invalid") {
  // Signed by another Alipay key.
  CHECK(CodeOf(Api().ParsePrecreate(Signed(kPrecreate, kPrecreateOk, OtherKeys()), "pay-1")) ==
        "signature_invalid");
  // One byte of the object changed after signing (the QR payload).
  InboundResponse r = Signed(kPrecreate, kPrecreateOk);
  const std::size_t at = r.body.find("bax01");
  REQUIRE(at != std::string::npos);
  r.body[at + 4] = '2';
  CHECK(CodeOf(Api().ParsePrecreate(r, "pay-1")) == "signature_invalid");
  // Whitespace added inside the object: still other bytes.
  r = Signed(kPrecreate, kPrecreateOk);
  r.body.insert(r.body.find("\"msg\""), " ");
  CHECK(CodeOf(Api().ParsePrecreate(r, "pay-1")) == "signature_invalid");
  // sign not base64, sign of another object.
  CHECK(CodeOf(Api().ParsePrecreate(
            Http(R"({"alipay_trade_precreate_response":)" + kPrecreateOk + R"(,"sign":"@@@@"})"),
            "pay-1")) == "signature_invalid");
  const crypto::Pkey key = PrivateKey(Keys().alipay_private_key_pem);
  const std::string other_sign = crypto::Base64Encode(crypto::SignSha256Rsa(key.get(), "{}"));
  CHECK(CodeOf(Api().ParsePrecreate(Http(R"({"alipay_trade_precreate_response":)" + kPrecreateOk +
                                         R"(,"sign":")" + other_sign + "\"}"),
                                    "pay-1")) == "signature_invalid");
  // sign of the wrong JSON type.
  CHECK(CodeOf(Api().ParsePrecreate(
            Http(R"({"alipay_trade_precreate_response":)" + kPrecreateOk + R"(,"sign":1})"),
            "pay-1")) == "gateway_response_invalid");
}

TEST_CASE("alipay api: an unsigned answer is never a success, only an error") {
  CHECK(CodeOf(Api().ParsePrecreate(Unsigned(kPrecreate, kPrecreateOk), "pay-1")) ==
        "signature_invalid");
  CHECK(CodeOf(Api().ParsePrecreate(
            Http(R"({"alipay_trade_precreate_response":)" + kPrecreateOk + R"(,"sign":""})"),
            "pay-1")) == "signature_invalid");
  // An unsigned 40002 (e.g. our signature was refused) is a refusal.
  auto refused =
      Api().ParsePrecreate(Http(R"({"error_response":{"code":"40002","msg":"Invalid Arguments",)"
                                R"("sub_code":"isv.invalid-signature","sub_msg":"bad sign"}})"),
                           "pay-1");
  CHECK(CodeOf(refused) == "gateway_refused");
  CHECK(refused.status().message().find("isv.invalid-signature") != std::string::npos);
  // Unsigned "trade does not exist" is not believed as kNotFound or as closed.
  CHECK(CodeOf(Api().ParseQuery(Unsigned(kQuery, Failure("40004", "ACQ.TRADE_NOT_EXIST")),
                                "pay-1")) == "gateway_refused");
  CHECK(
      Api().ParseClose(Unsigned(kClose, Failure("40004", "ACQ.TRADE_NOT_EXIST")), "pay-1").code() ==
      "gateway_refused");
}

TEST_CASE("alipay api: every truncation of an answer is gateway_response_invalid") {
  const InboundResponse full = Signed(kQuery, QueryObject("TRADE_SUCCESS"));
  REQUIRE(CodeOf(Api().ParseQuery(full, "pay-1")) == "ok");
  for (std::size_t n = 0; n < full.body.size(); ++n) {
    InboundResponse cut = full;
    cut.body.resize(n);
    INFO("prefix " << n);
    CHECK(CodeOf(Api().ParseQuery(cut, "pay-1")) == "gateway_response_invalid");
  }
}

TEST_CASE("alipay api: every flipped byte of a signed answer is refused, never a success") {
  const InboundResponse full = Signed(kQuery, QueryObject("TRADE_SUCCESS"));
  REQUIRE(CodeOf(Api().ParseQuery(full, "pay-1")) == "ok");
  for (std::size_t i = 0; i < full.body.size(); ++i) {
    InboundResponse flipped = full;
    flipped.body[i] = static_cast<char>(flipped.body[i] ^ 0x01);
    const std::string code = CodeOf(Api().ParseQuery(flipped, "pay-1"));
    INFO("byte " << i << ": " << code);
    CHECK((code == "gateway_response_invalid" || code == "signature_invalid"));
  }
}

TEST_CASE("alipay api: a mutated answer is accepted only when the signed object is intact") {
  const std::string object = QueryObject("TRADE_SUCCESS");
  const InboundResponse full = Signed(kQuery, object);
  std::mt19937 rng(7);
  static constexpr std::string_view kAlphabet = "{}[]\":, \nsign_\\0aAZ=+/";
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    InboundResponse r = full;
    const std::size_t pos = rng() % r.body.size();
    const char c = kAlphabet[rng() % kAlphabet.size()];
    switch (rng() % 3) {
      case 0:
        r.body[pos] = c;
        break;
      case 1:
        r.body.insert(r.body.begin() + static_cast<std::ptrdiff_t>(pos), c);
        break;
      default:
        r.body.erase(pos, 1 + rng() % 4);
        break;
    }
    auto q = Api().ParseQuery(r, "pay-1");
    if (!q.ok()) continue;
    ++accepted;  // e.g. whitespace outside the object
    INFO(r.body);
    CHECK(RawJsonMember(r.body, "alipay_trade_query_response") == object);
    CHECK(q->state == TradeState::kPaid);
    CHECK(q->amount == Money(Asset::CNY, 8888));
  }
  CHECK(accepted < 3000);
}

TEST_CASE("alipay api: HTTP status, size and content type come first") {
  for (unsigned status : {500u, 502u, 503u, 504u}) {
    CHECK(CodeOf(Api().ParseQuery(Http("", status), "pay-1")) == "gateway_unavailable");
  }
  for (unsigned status : {0u, 201u, 204u, 302u, 400u, 404u}) {
    CHECK(CodeOf(Api().ParseQuery(Http("{}", status), "pay-1")) == "gateway_response_invalid");
  }
  InboundResponse huge = Signed(kQuery, QueryObject("TRADE_SUCCESS"));
  huge.body.append(kMaxResponseBytes, ' ');
  CHECK(CodeOf(Api().ParseQuery(huge, "pay-1")) == "gateway_response_invalid");
  InboundResponse r = Signed(kQuery, QueryObject("TRADE_SUCCESS"));
  for (std::string type :
       {"text/plain", "application/x-www-form-urlencoded", "", "application/jsonx"}) {
    r.headers = {{"content-type", type}};
    INFO(type);
    CHECK(CodeOf(Api().ParseQuery(r, "pay-1")) == "gateway_response_invalid");
  }
  // The real gateway labels its JSON text/html; both are read.
  for (std::string type : {"text/html;charset=utf-8", "Application/JSON", "application/json"}) {
    r.headers = {{"content-type", type}};
    INFO(type);
    CHECK(CodeOf(Api().ParseQuery(r, "pay-1")) == "ok");
  }
}

TEST_CASE("alipay api: code mapping of a signed failure") {
  struct Row {
    const char* code;
    const char* sub_code;
    const char* expected;
  };
  const Row rows[] = {
      {"20000", "isp.unknow-error", "gateway_unavailable"},
      {"40004", "ACQ.SYSTEM_ERROR", "gateway_unavailable"},
      {"40004", "aop.ACQ.SYSTEM_ERROR", "gateway_unavailable"},
      {"40004", "ACQ.SYSTEM_BUSY", "gateway_unavailable"},
      {"40004", "ACQ.TRADE_HAS_CLOSE", "gateway_refused"},
      {"40004", "ACQ.INVALID_PARAMETER", "gateway_refused"},
      {"20001", "aop.invalid-auth-token", "gateway_refused"},
      {"40001", "isv.missing-method", "gateway_refused"},
      {"40002", "isv.invalid-app-id", "gateway_refused"},
      {"40006", "isv.insufficient-isv-permissions", "gateway_refused"},
      {"99999", "unheard.of", "gateway_refused"},
  };
  for (const Row& row : rows) {
    INFO(row.code << " " << row.sub_code);
    auto t = Api().ParsePrecreate(Signed(kPrecreate, Failure(row.code, row.sub_code)), "pay-1");
    CHECK(CodeOf(t) == row.expected);
    CHECK(t.status().message().find(row.sub_code) != std::string::npos);
    CHECK(t.status().message().find(row.code) != std::string::npos);
  }
  // The configuration codes say so.
  auto config = Api().ParsePrecreate(Signed(kPrecreate, Failure("40006", "isv.x")), "pay-1");
  CHECK(config.status().message().find("configuration") != std::string::npos);
  // A signed error_response reads the same way; with code 10000 it is nonsense.
  const crypto::Pkey key = PrivateKey(Keys().alipay_private_key_pem);
  const std::string err = Failure("40002", "isv.invalid-app-id");
  const std::string body = R"({"error_response":)" + err + R"(,"sign":")" +
                           crypto::Base64Encode(crypto::SignSha256Rsa(key.get(), err)) + "\"}";
  CHECK(CodeOf(Api().ParsePrecreate(Http(body), "pay-1")) == "gateway_refused");
  const std::string ok = R"({"code":"10000","qr_code":"x"})";
  CHECK(CodeOf(Api().ParsePrecreate(
            Http(R"({"error_response":)" + ok + R"(,"sign":")" +
                 crypto::Base64Encode(crypto::SignSha256Rsa(key.get(), ok)) + "\"}"),
            "pay-1")) == "gateway_response_invalid");
}

TEST_CASE("alipay api: query trade_status mapping") {
  struct Row {
    std::string status, extra;
    TradeState state;
    bool txn_id;
  };
  const Row rows[] = {
      {"WAIT_BUYER_PAY", "", TradeState::kPending, false},
      {"TRADE_SUCCESS", R"(,"send_pay_date":"2026-11-22 09:01:00")", TradeState::kPaid, true},
      {"TRADE_FINISHED", "", TradeState::kPaid, true},
      {"TRADE_CLOSED", "", TradeState::kClosed, false},
      {"TRADE_CLOSED", R"(,"send_pay_date":"")", TradeState::kClosed, false},
      {"TRADE_CLOSED", R"(,"send_pay_date":"2026-11-22 09:01:00")", TradeState::kRefunded, true},
  };
  for (const Row& row : rows) {
    INFO(row.status << row.extra);
    auto q = Api().ParseQuery(Signed(kQuery, QueryObject(row.status, row.extra)), "pay-1");
    INFO(q.status().ToString());
    REQUIRE(q.ok());
    CHECK(q->state == row.state);
    CHECK(q->gateway_status == row.status);
    CHECK(q->gateway_txn_id == (row.txn_id ? "2026112222001" : ""));
    CHECK(q->amount == Money(Asset::CNY, 8888));
  }
  CHECK(CodeOf(Api().ParseQuery(Signed(kQuery, QueryObject("TRADE_PENDING")), "pay-1")) ==
        "gateway_response_invalid");
  // Signed "no such trade" (precreated, never scanned) is kNotFound.
  auto missing = Api().ParseQuery(Signed(kQuery, Failure("40004", "ACQ.TRADE_NOT_EXIST")), "pay-1");
  REQUIRE(missing.ok());
  CHECK(missing->state == TradeState::kNotFound);
  CHECK_FALSE(missing->amount.has_value());
  // The answer is about another trade, or does not say which.
  CHECK(CodeOf(Api().ParseQuery(Signed(kQuery, QueryObject("TRADE_SUCCESS")), "pay-2")) ==
        "gateway_response_invalid");
  CHECK(CodeOf(Api().ParseQuery(
            Signed(kQuery,
                   R"({"code":"10000","trade_status":"TRADE_SUCCESS","total_amount":"1.00"})"),
            "pay-1")) == "gateway_response_invalid");
  // Paid without a trade_no.
  CHECK(
      CodeOf(Api().ParseQuery(
          Signed(kQuery, R"({"code":"10000","out_trade_no":"pay-1","trade_status":"TRADE_SUCCESS",)"
                         R"("total_amount":"1.00"})"),
          "pay-1")) == "gateway_response_invalid");
}

TEST_CASE("alipay api: amounts in answers are positive yuan with at most 2 decimals") {
  auto query = [](std::string amount_json) {
    const std::string obj =
        R"({"code":"10000","trade_no":"t1","out_trade_no":"pay-1","trade_status":"TRADE_SUCCESS",)"
        R"("total_amount":)" +
        amount_json + "}";
    return Api().ParseQuery(Signed(kQuery, obj), "pay-1");
  };
  auto ok = query(R"("88.8")");
  REQUIRE(ok.ok());
  CHECK(ok->amount == Money(Asset::CNY, 8880));
  CHECK(query(R"("0.01")")->amount == Money(Asset::CNY, 1));
  CHECK(query(R"("100")")->amount == Money(Asset::CNY, 10000));
  for (std::string bad :
       {R"("88.888")", R"("88.880")", R"("-1.00")", R"("0.00")", R"("")", R"("1e3")", R"(" 1.00")",
        R"("1,000.00")", R"("99999999999999999999999999999999999999999.00")", "88.88", "null"}) {
    INFO(bad);
    auto r = query(bad);
    CHECK(CodeOf(r) == "gateway_response_invalid");
  }
  // The money code is named in the message.
  CHECK(query(R"("88.888")").status().message().find("amount_precision") != std::string::npos);
}

TEST_CASE("alipay api: hostile JSON answers") {
  const crypto::Pkey key = PrivateKey(Keys().alipay_private_key_pem);
  auto with_sign = [&](std::string_view head, std::string_view obj, std::string_view tail = "") {
    return Http(std::string(head) + std::string(obj) + R"(,"sign":")" +
                crypto::Base64Encode(crypto::SignSha256Rsa(key.get(), obj)) + "\"" +
                std::string(tail) + "}");
  };
  const std::string obj = QueryObject("TRADE_SUCCESS");
  CHECK(CodeOf(Api().ParseQuery(with_sign(R"({"alipay_trade_query_response":)", obj), "pay-1")) ==
        "ok");
  // The response object twice (the strict parser and the raw scanner both refuse).
  CHECK(CodeOf(Api().ParseQuery(
            with_sign(R"({"alipay_trade_query_response":)" + QueryObject("WAIT_BUYER_PAY") +
                          R"(,"alipay_trade_query_response":)",
                      obj),
            "pay-1")) == "gateway_response_invalid");
  // A duplicate key inside the object.
  const std::string dup = R"({"code":"10000","code":"40004"})";
  CHECK(CodeOf(Api().ParseQuery(with_sign(R"({"alipay_trade_query_response":)", dup), "pay-1")) ==
        "gateway_response_invalid");
  // Both the call's object and error_response.
  CHECK(CodeOf(Api().ParseQuery(
            with_sign(R"({"error_response":{"code":"40004"},"alipay_trade_query_response":)", obj),
            "pay-1")) == "gateway_response_invalid");
  // The key spelled with an escape: the same key to a JSON parser, not as written.
  CHECK(CodeOf(Api().ParseQuery(with_sign(R"({"alipay_trade_query\u005fresponse":)", obj),
                                "pay-1")) == "gateway_response_invalid");
  // The answer of another call.
  CHECK(CodeOf(Api().ParseQuery(Signed(kPrecreate, kPrecreateOk), "pay-1")) ==
        "gateway_response_invalid");
  // Deep nesting inside the signed object.
  std::string deep = R"({"code":"10000","x":)";
  for (int i = 0; i < 40; ++i) deep += "[";
  for (int i = 0; i < 40; ++i) deep += "]";
  deep += "}";
  CHECK(CodeOf(Api().ParseQuery(Signed(kQuery, deep), "pay-1")) == "gateway_response_invalid");
  // Not an object, not JSON, trailing bytes, an array body, code missing or not a string.
  CHECK(CodeOf(Api().ParseQuery(Signed(kQuery, "[]"), "pay-1")) == "gateway_response_invalid");
  CHECK(CodeOf(Api().ParseQuery(Http("<html>busy</html>"), "pay-1")) == "gateway_response_invalid");
  CHECK(CodeOf(Api().ParseQuery(Http("[1,2]"), "pay-1")) == "gateway_response_invalid");
  InboundResponse trailing = Signed(kQuery, obj);
  trailing.body += "{}";
  CHECK(CodeOf(Api().ParseQuery(trailing, "pay-1")) == "gateway_response_invalid");
  CHECK(CodeOf(Api().ParseQuery(Signed(kQuery, R"({"msg":"Success"})"), "pay-1")) ==
        "gateway_response_invalid");
  CHECK(CodeOf(Api().ParseQuery(Signed(kQuery, R"({"code":10000})"), "pay-1")) ==
        "gateway_response_invalid");
  CHECK(CodeOf(Api().ParseQuery(Http("{}"), "pay-1")) == "gateway_response_invalid");
}

TEST_CASE("alipay api: the raw member scanner") {
  const std::string_view doc =
      R"( {"a" : {"s":"}\"{\\","n":[1,{"b":2}]} , "c":"x\u00e9", "d":-1.5e3 } )";
  CHECK(RawJsonMember(doc, "a") == R"({"s":"}\"{\\","n":[1,{"b":2}]})");
  CHECK(RawJsonMember(doc, "c") == R"("x\u00e9")");
  CHECK(RawJsonMember(doc, "d") == "-1.5e3");
  CHECK_FALSE(RawJsonMember(doc, "b").has_value());  // nested, not top-level
  CHECK_FALSE(RawJsonMember(doc, "s").has_value());
  CHECK_FALSE(RawJsonMember(R"({"a":1,"a":2})", "a").has_value());
  CHECK_FALSE(RawJsonMember(R"({"a":1} x)", "a").has_value());
  CHECK_FALSE(RawJsonMember(R"({"a":"unterminated})", "a").has_value());
  CHECK_FALSE(RawJsonMember(R"({"a":"bad \q escape"})", "a").has_value());
  CHECK_FALSE(RawJsonMember(R"({"a":"\u12"})", "a").has_value());
  CHECK_FALSE(RawJsonMember("{\"a\":\"raw\ncontrol\"}", "a").has_value());
  CHECK_FALSE(RawJsonMember(R"({"a":[1,2})", "a").has_value());
  CHECK_FALSE(RawJsonMember(R"({"a":})", "a").has_value());
  CHECK_FALSE(RawJsonMember(R"([{"a":1}])", "a").has_value());
  CHECK_FALSE(RawJsonMember("", "a").has_value());
  std::string deep = R"({"a":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  CHECK_FALSE(RawJsonMember(deep + "}", "a").has_value());
  CHECK(RawJsonMember(R"({})", "a") == std::nullopt);
}

TEST_CASE("alipay api: close") {
  const std::string ok =
      R"({"code":"10000","msg":"Success","out_trade_no":"pay-1","trade_no":"t1"})";
  CHECK(Api().ParseClose(Signed(kClose, ok), "pay-1").ok());
  CHECK(Api().ParseClose(Signed(kClose, ok), "pay-2").code() == "gateway_response_invalid");
  // Never scanned, so never created: nothing can be paid, closing is done.
  CHECK(Api().ParseClose(Signed(kClose, Failure("40004", "ACQ.TRADE_NOT_EXIST")), "pay-1").ok());
  // Already paid (or finished): refused, the caller must query.
  const Status paid =
      Api().ParseClose(Signed(kClose, Failure("40004", "ACQ.TRADE_STATUS_ERROR")), "pay-1");
  CHECK(paid.code() == "gateway_refused");
  CHECK(paid.message().find("ACQ.TRADE_STATUS_ERROR") != std::string::npos);
  CHECK(Api().ParseClose(Signed(kClose, Failure("40004", "ACQ.SYSTEM_ERROR")), "pay-1").code() ==
        "gateway_unavailable");
}

TEST_CASE("alipay api: refund") {
  auto refund = [](std::string obj) { return Api().ParseRefund(Signed(kRefund, obj), "pay-1"); };
  auto moved = refund(
      R"({"code":"10000","msg":"Success","trade_no":"t1","out_trade_no":"pay-1","fund_change":"Y",)"
      R"("refund_fee":"1.00"})");
  REQUIRE(moved.ok());
  CHECK(moved->state == RefundState::kSucceeded);
  CHECK(moved->gateway_status == "fund_change=Y");
  CHECK_FALSE(moved->refunded.has_value());  // refund_fee is cumulative
  auto repeat = refund(R"({"code":"10000","out_trade_no":"pay-1","fund_change":"N"})");
  REQUIRE(repeat.ok());
  CHECK(repeat->state == RefundState::kProcessing);
  CHECK(CodeOf(refund(R"({"code":"10000","out_trade_no":"pay-1"})")) == "gateway_response_invalid");
  CHECK(CodeOf(refund(R"({"code":"10000","fund_change":"maybe"})")) == "gateway_response_invalid");
  CHECK(CodeOf(refund(R"({"code":"10000","fund_change":"Y","refund_fee":"1.001"})")) ==
        "gateway_response_invalid");
  CHECK(CodeOf(refund(R"({"code":"10000","out_trade_no":"pay-2","fund_change":"Y"})")) ==
        "gateway_response_invalid");
  CHECK(CodeOf(refund(Failure("40004", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"))) == "gateway_refused");
  // A refund of a trade Alipay does not know is refused, not "not found".
  CHECK(CodeOf(refund(Failure("40004", "ACQ.TRADE_NOT_EXIST"))) == "gateway_refused");
  CHECK(CodeOf(refund(Failure("20000", "isp.unknow-error"))) == "gateway_unavailable");
}

TEST_CASE("alipay api: refund query") {
  auto query = [](std::string obj, std::string_view request_no = "rf-1") {
    return Api().ParseRefundQuery(Signed(kRefundQuery, obj), "pay-1", request_no);
  };
  auto done =
      query(R"({"code":"10000","msg":"Success","out_trade_no":"pay-1","out_request_no":"rf-1",)"
            R"("refund_status":"REFUND_SUCCESS","refund_amount":"12.30","total_amount":"88.88"})");
  REQUIRE(done.ok());
  CHECK(done->state == RefundState::kSucceeded);
  CHECK(done->gateway_status == "REFUND_SUCCESS");
  CHECK(done->refunded == Money(Asset::CNY, 1230));
  auto absent = query(R"({"code":"10000","msg":"Success"})");
  REQUIRE(absent.ok());
  CHECK(absent->state == RefundState::kNotFound);
  CHECK(CodeOf(query(R"({"code":"10000","refund_status":"REFUND_SUCCESS"})")) ==
        "gateway_response_invalid");
  CHECK(CodeOf(query(R"({"code":"10000","refund_status":"REFUND_PENDING","refund_amount":"1"})")) ==
        "gateway_response_invalid");
  CHECK(CodeOf(query(R"({"code":"10000","out_request_no":"rf-9","refund_status":"REFUND_SUCCESS",)"
                     R"("refund_amount":"1.00"})")) == "gateway_response_invalid");
  auto no_trade = query(Failure("40004", "ACQ.TRADE_NOT_EXIST"));
  REQUIRE(no_trade.ok());
  CHECK(no_trade->state == RefundState::kNotFound);
  CHECK(CodeOf(query(Failure("40004", "ACQ.SYSTEM_ERROR"))) == "gateway_unavailable");
}

TEST_CASE("alipay api: bill download URL") {
  auto bill = [](std::string obj) { return Api().ParseBillDownloadUrl(Signed(kBill, obj)); };
  auto ok = bill(
      R"({"code":"10000","msg":"Success","bill_download_url":"https://dwbillcenter.alipay.com/d?x=1"})");
  REQUIRE(ok.ok());
  CHECK(ok->download_url == "https://dwbillcenter.alipay.com/d?x=1");
  CHECK(ok->hash_type.empty());
  CHECK(CodeOf(bill(R"({"code":"10000","bill_download_url":"file:///etc/passwd"})")) ==
        "gateway_response_invalid");
  CHECK(CodeOf(bill(R"({"code":"10000"})")) == "gateway_response_invalid");
  CHECK(CodeOf(bill(Failure("40004", "isp.bill_not_exist"))) == "gateway_refused");
}

}  // namespace
}  // namespace folio::gateways
