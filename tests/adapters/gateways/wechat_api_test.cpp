// WeChat Pay API v3 outbound codec: the exact signing message, request
// building, response verification (signature, window, serial, certificate
// rotation, public-key mode), hostile answers (truncation at every length,
// size, content type, statuses, error codes, amounts) and the sandbox side.
#include "adapters/gateways/wechat_api.h"

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/gateway_codes.h"
#include "adapters/gateways/wechat.h"
#include "adapters/gateways/wechat_api_sandbox.h"
#include "adapters/gateways/wechat_cert.h"

#include "tests/adapters/gateways/gateway_test_support.h"

namespace folio::gateways {
namespace {

namespace bj = boost::json;
using testing::CodeOf;
using testing::Keys;
using testing::kNow;
using testing::OtherKeys;

constexpr std::string_view kMerchantSerial = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C";
constexpr std::string_view kPublicKeyId = "PUB_KEY_ID_0114232134912410000000000001";

const crypto::RsaKeyPair& MerchantKeys() {
  static const crypto::RsaKeyPair keys = crypto::GenerateRsa2048();
  return keys;
}

// A second platform key with its own serial: the certificate WeChat Pay rotates to.
struct Platform {
  std::string private_pem, public_pem, serial;
};
const Platform& NextPlatform() {
  static const Platform p = [] {
    crypto::RsaKeyPair k = crypto::GenerateRsa2048();
    return Platform{k.private_pem, k.public_pem, "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"};
  }();
  return p;
}

WechatApiConfig Config() {
  WechatApiConfig c;
  c.mchid = Keys().wechat_mchid;
  c.appid = Keys().wechat_appid;
  c.merchant_serial = std::string(kMerchantSerial);
  c.merchant_private_key_pem = MerchantKeys().private_pem;
  c.apiv3_key = Keys().wechat_apiv3_key;
  c.notify_url = "https://folio.example/v1/gateways/wechatpay/notify";
  return c;
}

WechatApiCodec EmptyCodec(WechatApiConfig config = Config()) {
  Result<WechatApiCodec> c = WechatApiCodec::Create(std::move(config));
  INFO(c.status().ToString());
  REQUIRE(c.ok());
  return std::move(c).value();
}

WechatCertificateEntry SandboxCert(std::int64_t valid_s = 5 * 365 * 86400) {
  Result<WechatCertificateEntry> e = SandboxWechatCertificate(Keys(), kNow, valid_s);
  REQUIRE(e.ok());
  return std::move(e).value();
}

WechatCertificateEntry CertFor(const Platform& p, std::int64_t from_s, std::int64_t to_s) {
  SelfSignedSpec spec{p.private_pem, p.serial, from_s, to_s};
  Result<std::string> pem = MakeSelfSignedCert(spec);
  REQUIRE(pem.ok());
  return WechatCertificateEntry{p.serial, *pem, from_s, to_s};
}

// An answer signed by the sandbox platform key (or `pem` under `serial`).
InboundResponse Answer(unsigned status, std::string body, std::int64_t at_s = kNow,
                       std::string_view serial = Keys().wechat_platform_serial,
                       std::string_view pem = Keys().wechat_platform_private_key_pem) {
  Result<InboundResponse> r = SignWechatApiResponse(pem, serial, status, std::move(body), at_s);
  REQUIRE(r.ok());
  return std::move(r).value();
}

InboundResponse CertificatesAnswer(const std::vector<WechatCertificateEntry>& entries,
                                   std::string_view signer_serial, std::string_view signer_pem,
                                   std::string_view apiv3_key = Keys().wechat_apiv3_key) {
  return Answer(200, BuildWechatCertificatesBody(apiv3_key, entries), kNow, signer_serial,
                signer_pem);
}

// A codec that knows the sandbox platform certificate.
WechatApiCodec Codec() {
  WechatApiCodec codec = EmptyCodec();
  Result<std::size_t> n =
      codec.LoadCertificates(CertificatesAnswer({SandboxCert()}, Keys().wechat_platform_serial,
                                                Keys().wechat_platform_private_key_pem),
                             kNow);
  INFO(n.status().ToString());
  REQUIRE(n.ok());
  REQUIRE(*n == 1);
  return codec;
}

WechatStamp FixedStamp() { return WechatStamp{1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242"}; }

std::string HeaderOf(const OutboundRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

Result<WechatApiCall> SandboxParse(const OutboundRequest& r, std::int64_t now_s = 1554208460) {
  return ParseWechatApiRequest(r.method, r.target, r.headers, r.body, MerchantKeys().public_pem,
                               kMerchantSerial, now_s);
}

std::string FieldOf(const WechatApiCall& call, std::string_view name) {
  for (const auto& [k, v] : call.fields) {
    if (k == name) return v;
  }
  return "<absent>";
}

std::string QueryBody(
    std::string_view state,
    std::string_view amount_json = R"({"total":8888,"payer_total":8888,"currency":"CNY"})") {
  return R"({"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"pay-wx-0001",)"
         R"("transaction_id":"4200000000202611220001","trade_state":")" +
         std::string(state) + R"(","trade_state_desc":"x","amount":)" + std::string(amount_json) +
         "}";
}

std::string RefundBody(std::string_view status, std::string_view refund = "100") {
  return R"({"refund_id":"50000000382019052709732678859","out_refund_no":"ref-wx-1",)"
         R"("transaction_id":"4200000000202611220001","out_trade_no":"pay-wx-0001",)"
         R"("status":")" +
         std::string(status) + R"(","amount":{"refund":)" + std::string(refund) +
         R"(,"total":8888,"currency":"CNY"}})";
}

// ---- Signing -------------------------------------------------------------------

TEST_CASE("wechat api: the Authorization signing message on a fixed example") {
  const std::string body =
      R"({"appid":"wxd678efh567hg6787","mchid":"1900000109","description":"Image形象店-深圳腾大-QQ公仔"})";
  CHECK(WechatRequestMessage("POST", "/v3/pay/transactions/native", 1554208460,
                             "593BEC0C930BF1AFEB40B4A08C8FB242", body) ==
        "POST\n/v3/pay/transactions/native\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n" + body +
            "\n");
  CHECK(WechatRequestMessage("GET", "/v3/certificates", 1554208460,
                             "593BEC0C930BF1AFEB40B4A08C8FB242", "") ==
        "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n");

  const WechatApiCodec codec = EmptyCodec();
  Result<OutboundRequest> r = codec.QueryOrder("pay-wx-0001", FixedStamp());
  REQUIRE(r.ok());
  CHECK(r->method == "GET");
  CHECK(r->target == "/v3/pay/transactions/out-trade-no/pay-wx-0001?mchid=1900000109");
  CHECK(r->body.empty());
  const std::string auth = HeaderOf(*r, "Authorization");
  const std::string head =
      "WECHATPAY2-SHA256-RSA2048 "
      "mchid=\"1900000109\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\","
      "signature=\"";
  const std::string tail =
      "\",timestamp=\"1554208460\",serial_no=\"" + std::string(kMerchantSerial) + "\"";
  REQUIRE(auth.rfind(head, 0) == 0);
  REQUIRE(auth.size() > head.size() + tail.size());
  CHECK(auth.substr(auth.size() - tail.size()) == tail);
  const std::string sig_b64 = auth.substr(head.size(), auth.size() - head.size() - tail.size());
  const std::optional<std::string> sig = crypto::Base64Decode(sig_b64);
  REQUIRE(sig.has_value());
  Result<crypto::Pkey> pub = crypto::LoadRsaPublicKey(MerchantKeys().public_pem);
  REQUIRE(pub.ok());
  const std::string message =
      "GET\n/v3/pay/transactions/out-trade-no/pay-wx-0001?mchid=1900000109\n1554208460\n"
      "593BEC0C930BF1AFEB40B4A08C8FB242\n\n";
  CHECK(crypto::VerifySha256Rsa(pub->get(), message, *sig));
  CHECK_FALSE(crypto::VerifySha256Rsa(pub->get(), message + "x", *sig));
  CHECK(HeaderOf(*r, "Accept") == "application/json");
  CHECK(HeaderOf(*r, "Content-Type") == "<absent>");  // GET
  CHECK(HeaderOf(*r, "User-Agent") == "folio-wechatpay-apiv3/1");
  // PKCS#1 v1.5 is deterministic: the same stamp gives the same bytes.
  CHECK(HeaderOf(*codec.QueryOrder("pay-wx-0001", FixedStamp()), "Authorization") == auth);
}

TEST_CASE("wechat api: the Native order request carries the documented fields") {
  const WechatApiCodec codec = EmptyCodec();
  WechatNativeOrder order{"pay-wx-0001", "Folio order", Money(Asset::CNY, 8888), kNow + 7200};
  Result<OutboundRequest> r = codec.NativeOrder(order, FixedStamp());
  REQUIRE(r.ok());
  CHECK(r->method == "POST");
  CHECK(r->target == "/v3/pay/transactions/native");
  CHECK(HeaderOf(*r, "Content-Type") == "application/json");
  const bj::object body = bj::parse(r->body).as_object();
  CHECK(body.at("appid").as_string() == "wxd678efh567hg6787");
  CHECK(body.at("mchid").as_string() == "1900000109");
  CHECK(body.at("description").as_string() == "Folio order");
  CHECK(body.at("out_trade_no").as_string() == "pay-wx-0001");
  CHECK(body.at("time_expire").as_string() == "2026-11-22T11:00:00+08:00");
  CHECK(body.at("notify_url").as_string() == "https://folio.example/v1/gateways/wechatpay/notify");
  CHECK(body.at("amount").at("total").is_int64());  // an integer of fen, never a decimal
  CHECK(body.at("amount").at("total").as_int64() == 8888);
  CHECK(body.at("amount").at("currency").as_string() == "CNY");
  order.time_expire_s.reset();
  CHECK(bj::parse(codec.NativeOrder(order, FixedStamp())->body)
            .as_object()
            .if_contains("time_expire") == nullptr);
}

TEST_CASE("wechat api: refund, close, refund query, bill and certificates requests") {
  const WechatApiCodec codec = EmptyCodec();
  Result<OutboundRequest> refund = codec.Refund(
      {"pay-wx-0001", "ref-wx-1", Money(Asset::CNY, 100), Money(Asset::CNY, 8888), "damaged"},
      FixedStamp());
  REQUIRE(refund.ok());
  CHECK(refund->target == "/v3/refund/domestic/refunds");
  const bj::object rb = bj::parse(refund->body).as_object();
  CHECK(rb.at("out_refund_no").as_string() == "ref-wx-1");
  CHECK(rb.at("reason").as_string() == "damaged");
  CHECK(rb.at("amount").at("refund").as_int64() == 100);
  CHECK(rb.at("amount").at("total").as_int64() == 8888);
  CHECK(rb.at("amount").at("currency").as_string() == "CNY");

  Result<OutboundRequest> close = codec.CloseOrder("pay-wx-0001", FixedStamp());
  REQUIRE(close.ok());
  CHECK(close->target == "/v3/pay/transactions/out-trade-no/pay-wx-0001/close");
  CHECK(close->body == R"({"mchid":"1900000109"})");
  CHECK(codec.QueryRefund("ref-wx-1", FixedStamp())->target ==
        "/v3/refund/domestic/refunds/ref-wx-1");
  CHECK(codec.TradeBill("2026-11-21", FixedStamp())->target ==
        "/v3/bill/tradebill?bill_date=2026-11-21&bill_type=ALL");
  const OutboundRequest certs = *codec.Certificates(FixedStamp());
  CHECK(certs.method == "GET");
  CHECK(certs.target == "/v3/certificates");
  // '|' is in WeChat Pay's id alphabet but not a URI character.
  CHECK(codec.QueryOrder("pay|wx|01", FixedStamp())->target ==
        "/v3/pay/transactions/out-trade-no/pay%7Cwx%7C01?mchid=1900000109");
}

TEST_CASE("wechat api: builders refuse what WeChat Pay would refuse") {
  const WechatApiCodec codec = EmptyCodec();
  const auto order = [](std::string id, Money m) {
    return WechatNativeOrder{std::move(id), "d", m, std::nullopt};
  };
  const Money fen(Asset::CNY, 1);
  CHECK(CodeOf(codec.NativeOrder(order("pay01", fen), FixedStamp())) == "invalid_argument");
  CHECK(CodeOf(codec.NativeOrder(order(std::string(33, 'a'), fen), FixedStamp())) ==
        "invalid_argument");
  CHECK(CodeOf(codec.NativeOrder(order("pay/wx/01", fen), FixedStamp())) == "invalid_argument");
  CHECK(CodeOf(codec.NativeOrder(order("pay-wx-01", Money(Asset::USD, 1)), FixedStamp())) ==
        "invalid_argument");
  CHECK(CodeOf(codec.NativeOrder(order("pay-wx-01", Money(Asset::CNY, 0)), FixedStamp())) ==
        "invalid_argument");
  CHECK(CodeOf(codec.NativeOrder(order("pay-wx-01", Money(Asset::CNY, u128{1} << 63)),
                                 FixedStamp())) == "invalid_argument");
  CHECK(CodeOf(codec.NativeOrder(order("pay-wx-01", fen), FixedStamp())) == "ok");
  CHECK(CodeOf(codec.NativeOrder({"pay-wx-01", "", fen, std::nullopt}, FixedStamp())) ==
        "invalid_argument");
  CHECK(CodeOf(
            codec.Refund({"pay-wx-01", "ref-1", Money(Asset::CNY, 101), Money(Asset::CNY, 100), ""},
                         FixedStamp())) == "invalid_argument");
  CHECK(CodeOf(codec.Refund({"pay-wx-01", "ref-1", fen, fen, std::string(81, 'r')},
                            FixedStamp())) == "invalid_argument");
  CHECK(CodeOf(codec.TradeBill("2026-02-30", FixedStamp())) == "invalid_argument");
  CHECK(CodeOf(codec.TradeBill("2026-11-2", FixedStamp())) == "invalid_argument");
  CHECK(CodeOf(codec.QueryOrder("pay-wx-01", WechatStamp{kNow, "no spaces"})) ==
        "invalid_argument");
  CHECK(CodeOf(codec.QueryOrder("pay-wx-01", WechatStamp{kNow, std::string(33, 'n')})) ==
        "invalid_argument");
  CHECK(NewWechatStamp(kNow).nonce.size() == 32);
  CHECK(NewWechatStamp(kNow).nonce != NewWechatStamp(kNow).nonce);
}

TEST_CASE("wechat api: Create refuses an unusable configuration") {
  WechatApiConfig c = Config();
  c.apiv3_key.pop_back();
  CHECK(CodeOf(WechatApiCodec::Create(c)) == "gateway_config_invalid");
  c = Config();
  c.merchant_private_key_pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  CHECK(CodeOf(WechatApiCodec::Create(c)) == "gateway_config_invalid");
  c = Config();
  c.notify_url = "http://folio.example/notify";
  CHECK(CodeOf(WechatApiCodec::Create(c)) == "gateway_config_invalid");
  c = Config();
  c.mchid = "19000\"00109";
  CHECK(CodeOf(WechatApiCodec::Create(c)) == "gateway_config_invalid");
  c = Config();
  c.user_agent = "folio\r\nX-Injected: 1";
  CHECK(CodeOf(WechatApiCodec::Create(c)) == "gateway_config_invalid");
  c = Config();
  c.public_key_id = "KEY_0114";
  c.public_key_pem = Keys().wechat_platform_public_key_pem;
  CHECK(CodeOf(WechatApiCodec::Create(c)) == "gateway_config_invalid");
  CHECK(CodeOf(WechatApiCodec::Create(Config())) == "ok");
}

// ---- Sandbox side --------------------------------------------------------------

TEST_CASE("wechat api: the sandbox verifies every request the codec builds") {
  const WechatApiCodec codec = EmptyCodec();
  const WechatStamp st = FixedStamp();
  Result<WechatApiCall> native = SandboxParse(*codec.NativeOrder(
      {"pay-wx-0001", "Folio order", Money(Asset::CNY, 8888), std::nullopt}, st));
  INFO(native.status().ToString());
  REQUIRE(native.ok());
  CHECK(native->kind == WechatApiCallKind::kNativeOrder);
  CHECK(native->mchid == "1900000109");
  CHECK(FieldOf(*native, "amount.total") == "8888");
  CHECK(FieldOf(*native, "out_trade_no") == "pay-wx-0001");

  Result<WechatApiCall> query = SandboxParse(*codec.QueryOrder("pay|wx|01", st));
  REQUIRE(query.ok());
  CHECK(query->kind == WechatApiCallKind::kQueryOrder);
  CHECK(query->id == "pay|wx|01");
  CHECK(FieldOf(*query, "mchid") == "1900000109");

  Result<WechatApiCall> close = SandboxParse(*codec.CloseOrder("pay-wx-0001", st));
  REQUIRE(close.ok());
  CHECK(close->kind == WechatApiCallKind::kCloseOrder);
  CHECK(close->id == "pay-wx-0001");

  Result<WechatApiCall> refund = SandboxParse(*codec.Refund(
      {"pay-wx-0001", "ref-wx-1", Money(Asset::CNY, 100), Money(Asset::CNY, 8888), ""}, st));
  REQUIRE(refund.ok());
  CHECK(refund->kind == WechatApiCallKind::kRefund);
  CHECK(FieldOf(*refund, "amount.refund") == "100");

  CHECK(SandboxParse(*codec.QueryRefund("ref-wx-1", st))->kind == WechatApiCallKind::kQueryRefund);
  Result<WechatApiCall> bill = SandboxParse(*codec.TradeBill("2026-11-21", st));
  REQUIRE(bill.ok());
  CHECK(bill->kind == WechatApiCallKind::kTradeBill);
  CHECK(FieldOf(*bill, "bill_date") == "2026-11-21");
  CHECK(SandboxParse(*codec.Certificates(st))->kind == WechatApiCallKind::kCertificates);
}

TEST_CASE("wechat api: the sandbox refuses tampered, stale and foreign requests") {
  const WechatApiCodec codec = EmptyCodec();
  OutboundRequest r = *codec.Refund(
      {"pay-wx-0001", "ref-wx-1", Money(Asset::CNY, 100), Money(Asset::CNY, 8888), ""},
      FixedStamp());
  CHECK(CodeOf(SandboxParse(r)) == "ok");
  CHECK(CodeOf(SandboxParse(r, 1554208460 + 301)) == "signature_expired");
  CHECK(CodeOf(ParseWechatApiRequest(r.method, r.target, r.headers, r.body,
                                     MerchantKeys().public_pem, "0123456789ABCDEF", 1554208460)) ==
        "signature_key_unknown");
  CHECK(CodeOf(ParseWechatApiRequest(r.method, r.target, r.headers, r.body,
                                     Keys().alipay_public_key_pem, kMerchantSerial, 1554208460)) ==
        "signature_invalid");
  OutboundRequest tampered = r;
  tampered.body.replace(tampered.body.find("100"), 3, "999");
  CHECK(CodeOf(SandboxParse(tampered)) == "signature_invalid");
  OutboundRequest other_target = r;
  other_target.target = "/v3/refund/domestic/refunds?x=1";
  CHECK(CodeOf(SandboxParse(other_target)) == "signature_invalid");

  // A request signed correctly whose body names another merchant.
  const std::string body = R"({"mchid":"1900000999"})";
  const std::string target = "/v3/pay/transactions/out-trade-no/pay-wx-0001/close";
  Result<crypto::Pkey> key = crypto::LoadRsaPrivateKey(MerchantKeys().private_pem);
  REQUIRE(key.ok());
  const std::string sig = crypto::Base64Encode(crypto::SignSha256Rsa(
      key->get(), WechatRequestMessage("POST", target, 1554208460, "n1", body)));
  const std::vector<std::pair<std::string, std::string>> headers{
      {"authorization",
       "WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\",nonce_str=\"n1\","
       "signature=\"" +
           sig + "\",timestamp=\"1554208460\",serial_no=\"" + std::string(kMerchantSerial) + "\""}};
  CHECK(CodeOf(ParseWechatApiRequest("POST", target, headers, body, MerchantKeys().public_pem,
                                     kMerchantSerial, 1554208460)) == "gateway_merchant_mismatch");
}

TEST_CASE("wechat api: the sandbox refuses malformed Authorization headers") {
  const auto parse = [](std::string auth) {
    return CodeOf(ParseWechatApiRequest("GET", "/v3/certificates", {{"Authorization", auth}}, "",
                                        MerchantKeys().public_pem, kMerchantSerial, 1554208460));
  };
  const std::string fields =
      "nonce_str=\"n\",signature=\"AAAA\",timestamp=\"1554208460\",serial_no=\"" +
      std::string(kMerchantSerial) + "\"";
  CHECK(parse("") == "notification_malformed");
  CHECK(parse("WECHATPAY2-SHA256-RSA1024 mchid=\"1\"," + fields) == "notification_malformed");
  CHECK(parse("WECHATPAY2-SHA256-RSA2048 " + fields) == "notification_malformed");  // no mchid
  CHECK(parse("WECHATPAY2-SHA256-RSA2048 mchid=\"1\",mchid=\"1\"," + fields) ==
        "notification_malformed");
  CHECK(parse("WECHATPAY2-SHA256-RSA2048 mchid=\"1\",extra=\"1\"," + fields) ==
        "notification_malformed");
  CHECK(parse("WECHATPAY2-SHA256-RSA2048 mchid=1," + fields) == "notification_malformed");
  // Well-formed, so the signature decides.
  CHECK(parse("WECHATPAY2-SHA256-RSA2048 mchid=\"1\"," + fields) == "signature_invalid");

  const WechatApiCodec codec = EmptyCodec();
  const OutboundRequest fine = *codec.Certificates(FixedStamp());
  CHECK(CodeOf(ParseWechatApiRequest(fine.method, fine.target, fine.headers, fine.body, "not a key",
                                     kMerchantSerial, 1554208460)) == "gateway_config_invalid");
  OutboundRequest unknown = *codec.QueryOrder("pay-wx-0001", FixedStamp());
  unknown.method = "DELETE";
  CHECK(CodeOf(SandboxParse(unknown)) == "signature_invalid");  // the method is signed
}

// ---- Response verification -------------------------------------------------------

TEST_CASE("wechat api: sign and verify round trip with generated keys") {
  const WechatApiCodec codec = Codec();
  const InboundResponse ok = Answer(200, R"({"code_url":"weixin://wxpay/bizpayurl?pr=abc"})");
  CHECK(VerifyWechatResponse(ok, codec.platform_keys(), kNow).ok());
  Result<CreatedTrade> trade = codec.ParseNativeOrder(ok, kNow);
  INFO(trade.status().ToString());
  REQUIRE(trade.ok());
  CHECK(trade->qr_payload == "weixin://wxpay/bizpayurl?pr=abc");

  // 204: the signed message is timestamp\nnonce\n\n.
  const InboundResponse empty = Answer(204, "");
  Result<crypto::Pkey> pub = crypto::LoadRsaPublicKey(Keys().wechat_platform_public_key_pem);
  REQUIRE(pub.ok());
  const std::string message = std::string(empty.Header("wechatpay-timestamp")) + "\n" +
                              std::string(empty.Header("wechatpay-nonce")) + "\n\n";
  CHECK(crypto::VerifySha256Rsa(pub->get(), message,
                                *crypto::Base64Decode(empty.Header("wechatpay-signature"))));
  CHECK(codec.ParseCloseOrder(empty, kNow).ok());
}

TEST_CASE("wechat api: a response with a wrong signature is signature_invalid") {
  const WechatApiCodec codec = Codec();
  InboundResponse r = Answer(200, R"({"code_url":"weixin://wxpay/bizpayurl?pr=abc"})");
  InboundResponse flipped = r;
  flipped.body[flipped.body.size() - 3] ^= 1;
  CHECK(CodeOf(codec.ParseNativeOrder(flipped, kNow)) == "signature_invalid");
  // Another key under the same serial.
  const InboundResponse forged = Answer(200, r.body, kNow, Keys().wechat_platform_serial,
                                        OtherKeys().wechat_platform_private_key_pem);
  CHECK(CodeOf(codec.ParseNativeOrder(forged, kNow)) == "signature_invalid");
  for (const char* header :
       {"wechatpay-timestamp", "wechatpay-nonce", "wechatpay-signature", "wechatpay-serial"}) {
    CAPTURE(header);
    InboundResponse missing = r;
    std::erase_if(missing.headers, [&](const auto& h) { return h.first == header; });
    CHECK(CodeOf(codec.ParseNativeOrder(missing, kNow)) == "signature_invalid");
  }
  for (auto& [k, v] : r.headers) {
    if (k == "wechatpay-signature") v = "not base64!";
  }
  CHECK(CodeOf(codec.ParseNativeOrder(r, kNow)) == "signature_invalid");
}

TEST_CASE("wechat api: a stale or future response timestamp is signature_expired") {
  const WechatApiCodec codec = Codec();
  const std::string body = R"({"code_url":"weixin://wxpay/bizpayurl?pr=abc"})";
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(200, body, kNow - 301), kNow)) == "signature_expired");
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(200, body, kNow + 301), kNow)) == "signature_expired");
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(200, body, kNow - 300), kNow)) == "ok");
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(200, body, kNow + 300), kNow)) == "ok");
}

TEST_CASE(
    "wechat api: an unknown serial asks for one refresh, then the certificates answer verifies "
    "it") {
  const WechatApiCodec codec = EmptyCodec();
  const InboundResponse r = Answer(200, QueryBody("SUCCESS"));
  Result<TradeQuery> first = codec.ParseQueryOrder(r, "pay-wx-0001", kNow);
  CHECK(CodeOf(first) == "signature_key_unknown");
  REQUIRE(NeedsWechatCertificateRefresh(first.status()));

  // The caller's one refresh: GET /v3/certificates, signed like any call.
  const OutboundRequest refresh = *codec.Certificates(NewWechatStamp(kNow));
  CHECK(ParseWechatApiRequest(refresh.method, refresh.target, refresh.headers, refresh.body,
                              MerchantKeys().public_pem, kMerchantSerial, kNow)
            .ok());
  // First load: the signer is the certificate inside the answer (bootstrap).
  Result<std::size_t> loaded =
      codec.LoadCertificates(CertificatesAnswer({SandboxCert()}, Keys().wechat_platform_serial,
                                                Keys().wechat_platform_private_key_pem),
                             kNow);
  INFO(loaded.status().ToString());
  REQUIRE(loaded.ok());
  CHECK(*loaded == 1);
  Result<TradeQuery> second = codec.ParseQueryOrder(r, "pay-wx-0001", kNow);
  INFO(second.status().ToString());
  REQUIRE(second.ok());
  CHECK(second->state == TradeState::kPaid);

  CHECK_FALSE(NeedsWechatCertificateRefresh(Status::Error(codes::kSignatureInvalid, "x")));
  CHECK_FALSE(NeedsWechatCertificateRefresh(Status::Error(codes::kSignatureExpired, "x")));
  CHECK_FALSE(NeedsWechatCertificateRefresh(OkStatus()));
}

TEST_CASE("wechat api: rotation installs the next certificate next to the current one") {
  const WechatApiCodec codec = Codec();
  const Platform& next = NextPlatform();
  const std::string body = R"({"code_url":"weixin://wxpay/bizpayurl?pr=abc"})";
  const InboundResponse by_next = Answer(200, body, kNow, next.serial, next.private_pem);
  CHECK(CodeOf(codec.ParseNativeOrder(by_next, kNow)) == "signature_key_unknown");
  // The answer lists both and is signed by the new one (not yet known).
  Result<std::size_t> loaded = codec.LoadCertificates(
      CertificatesAnswer({SandboxCert(), CertFor(next, kNow - 60, kNow + 86400 * 365)}, next.serial,
                         next.private_pem),
      kNow);
  INFO(loaded.status().ToString());
  REQUIRE(loaded.ok());
  CHECK(*loaded == 2);
  CHECK(codec.platform_keys().size() == 2);
  CHECK(CodeOf(codec.ParseNativeOrder(by_next, kNow)) == "ok");
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(200, body), kNow)) == "ok");
  // Serials are hex numbers: case does not matter.
  CHECK(codec.platform_keys().Find("5157f09efdc096de15ebe81a47057a7232f1b8e1") != nullptr);
}

TEST_CASE("wechat api: a certificates answer signed by a known key is checked with it") {
  const WechatApiCodec codec = Codec();
  // Signed under the known serial by another key: refused before anything is read.
  const InboundResponse forged = CertificatesAnswer({SandboxCert()}, Keys().wechat_platform_serial,
                                                    OtherKeys().wechat_platform_private_key_pem);
  CHECK(CodeOf(codec.LoadCertificates(forged, kNow)) == "signature_invalid");
  // An error answer is believed only from a known signer.
  const std::string error = R"({"code":"PARAM_ERROR","message":"m"})";
  CHECK(CodeOf(codec.LoadCertificates(Answer(400, error), kNow)) == "gateway_refused");
  CHECK(CodeOf(EmptyCodec().LoadCertificates(Answer(400, error), kNow)) == "signature_key_unknown");
  // Unknown signer that is not among the listed certificates.
  const Platform& next = NextPlatform();
  CHECK(CodeOf(EmptyCodec().LoadCertificates(
            CertificatesAnswer({SandboxCert()}, next.serial, next.private_pem), kNow)) ==
        "signature_key_unknown");
}

TEST_CASE("wechat api: an expired platform certificate is skipped at load and refused at use") {
  const Platform& next = NextPlatform();
  // Listed but expired: not installed.
  const WechatApiCodec codec = Codec();
  Result<std::size_t> loaded = codec.LoadCertificates(
      CertificatesAnswer({SandboxCert(), CertFor(next, kNow - 86400 * 400, kNow - 86400)},
                         Keys().wechat_platform_serial, Keys().wechat_platform_private_key_pem),
      kNow);
  REQUIRE(loaded.ok());
  CHECK(*loaded == 1);
  CHECK(codec.platform_keys().Find(next.serial) == nullptr);
  CHECK(CodeOf(codec.ParseNativeOrder(
            Answer(200, R"({"code_url":"weixin://x"})", kNow, next.serial, next.private_pem),
            kNow)) == "signature_key_unknown");

  // Valid when loaded, expired when used.
  const WechatApiCodec short_lived = EmptyCodec();
  REQUIRE(short_lived
              .LoadCertificates(
                  CertificatesAnswer({SandboxCert(86400 + 100)}, Keys().wechat_platform_serial,
                                     Keys().wechat_platform_private_key_pem),
                  kNow)
              .ok());
  const std::string body = R"({"code_url":"weixin://x"})";
  CHECK(CodeOf(short_lived.ParseNativeOrder(Answer(200, body, kNow + 50), kNow + 50)) == "ok");
  CHECK(CodeOf(short_lived.ParseNativeOrder(Answer(200, body, kNow + 200), kNow + 200)) ==
        "signature_expired");
}

TEST_CASE("wechat api: public-key mode verifies by PUB_KEY_ID without certificates") {
  WechatApiConfig c = Config();
  c.public_key_id = std::string(kPublicKeyId);
  c.public_key_pem = Keys().wechat_platform_public_key_pem;
  const WechatApiCodec codec = EmptyCodec(c);
  CHECK(codec.platform_keys().size() == 1);
  const std::string body = R"({"code_url":"weixin://wxpay/bizpayurl?pr=abc"})";
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(200, body, kNow, kPublicKeyId), kNow)) == "ok");
  CHECK(CodeOf(codec.ParseNativeOrder(
            Answer(200, body, kNow, kPublicKeyId, OtherKeys().wechat_platform_private_key_pem),
            kNow)) == "signature_invalid");
  // The id is compared exactly; a certificate serial is still unknown.
  CHECK(CodeOf(codec.ParseNativeOrder(
            Answer(200, body, kNow, "PUB_KEY_ID_0114232134912410000000000002"), kNow)) ==
        "signature_key_unknown");
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(200, body), kNow)) == "signature_key_unknown");
}

TEST_CASE("wechat api: a certificates answer under another APIv3 key is undecryptable") {
  const WechatApiCodec codec = EmptyCodec();
  const InboundResponse r =
      CertificatesAnswer({SandboxCert()}, Keys().wechat_platform_serial,
                         Keys().wechat_platform_private_key_pem, OtherKeys().wechat_apiv3_key);
  CHECK(CodeOf(codec.LoadCertificates(r, kNow)) == "notification_undecryptable");
  CHECK(codec.platform_keys().size() == 0);
}

TEST_CASE("wechat api: a certificate whose serial is not its serial_no is refused") {
  WechatCertificateEntry entry = SandboxCert();
  entry.serial_no = NextPlatform().serial;
  // Bootstrap and known signer alike: nothing is installed.
  const WechatApiCodec empty = EmptyCodec();
  CHECK(CodeOf(empty.LoadCertificates(CertificatesAnswer({entry}, Keys().wechat_platform_serial,
                                                         Keys().wechat_platform_private_key_pem),
                                      kNow)) == "gateway_certificate_invalid");
  CHECK(empty.platform_keys().size() == 0);
  const WechatApiCodec known = Codec();
  CHECK(CodeOf(known.LoadCertificates(
            CertificatesAnswer({SandboxCert(), entry}, Keys().wechat_platform_serial,
                               Keys().wechat_platform_private_key_pem),
            kNow)) == "gateway_certificate_invalid");
  CHECK(known.platform_keys().size() == 1);
  WechatCertificateEntry garbage = SandboxCert();
  garbage.certificate_pem = "not a certificate";
  CHECK(CodeOf(known.LoadCertificates(CertificatesAnswer({garbage}, Keys().wechat_platform_serial,
                                                         Keys().wechat_platform_private_key_pem),
                                      kNow)) == "gateway_certificate_invalid");
}

TEST_CASE("wechat api: certificates answers of the wrong shape are gateway_response_invalid") {
  const WechatApiCodec codec = Codec();
  const auto load = [&](std::string body) {
    return CodeOf(codec.LoadCertificates(Answer(200, std::move(body)), kNow));
  };
  CHECK(load(R"({"data":[]})") == "gateway_response_invalid");
  CHECK(load(R"({"data":{}})") == "gateway_response_invalid");
  CHECK(load(R"({"items":[]})") == "gateway_response_invalid");
  std::string body = BuildWechatCertificatesBody(Keys().wechat_apiv3_key, {SandboxCert()});
  std::string bad_time = body;
  bad_time.replace(bad_time.find("+08:00"), 6, "+0800");
  CHECK(load(bad_time) == "gateway_response_invalid");
  std::string bad_algorithm = body;
  bad_algorithm.replace(bad_algorithm.find("AEAD_AES_256_GCM"), 16, "AEAD_AES_128_GCM");
  CHECK(load(bad_algorithm) == "gateway_response_invalid");
  std::vector<WechatCertificateEntry> many(17, SandboxCert());
  CHECK(load(BuildWechatCertificatesBody(Keys().wechat_apiv3_key, many)) ==
        "gateway_response_invalid");
  CHECK(load(body) == "ok");
}

// ---- Hostile answers -------------------------------------------------------------

TEST_CASE("wechat api: truncated JSON at every prefix length is gateway_response_invalid") {
  const WechatApiCodec codec = Codec();
  const std::string native = R"({"code_url":"weixin://wxpay/bizpayurl?pr=abc"})";
  for (std::size_t n = 0; n < native.size(); ++n) {
    CAPTURE(n);
    CHECK(CodeOf(codec.ParseNativeOrder(Answer(200, native.substr(0, n)), kNow)) ==
          "gateway_response_invalid");
  }
  const std::string query = QueryBody("SUCCESS");
  for (std::size_t n = 0; n < query.size(); ++n) {
    CAPTURE(n);
    CHECK(CodeOf(codec.ParseQueryOrder(Answer(200, query.substr(0, n)), "pay-wx-0001", kNow)) ==
          "gateway_response_invalid");
  }
  CHECK(CodeOf(codec.ParseQueryOrder(Answer(200, query), "pay-wx-0001", kNow)) == "ok");
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(200, R"({"code_url":"a","code_url":"b"})"), kNow)) ==
        "gateway_response_invalid");
}

TEST_CASE("wechat api: a body over kMaxResponseBytes is refused before its signature") {
  const WechatApiCodec codec = Codec();
  InboundResponse huge;
  huge.status = 200;
  huge.headers = {{"content-type", "application/json"}};
  huge.body = R"({"code_url":")" + std::string(kMaxResponseBytes, 'a') + "\"}";
  CHECK(CodeOf(codec.ParseNativeOrder(huge, kNow)) == "gateway_response_invalid");
  CHECK(CodeOf(codec.LoadCertificates(huge, kNow)) == "gateway_response_invalid");
  CHECK(VerifyWechatResponse(huge, codec.platform_keys(), kNow).code() ==
        "gateway_response_invalid");
}

TEST_CASE("wechat api: a JSON answer must say application/json") {
  const WechatApiCodec codec = Codec();
  InboundResponse r = Answer(200, R"({"code_url":"weixin://wxpay/bizpayurl?pr=abc"})");
  const auto with_type = [&](std::string type) {
    InboundResponse copy = r;
    for (auto& [k, v] : copy.headers) {
      if (k == "content-type") v = type;
    }
    return CodeOf(codec.ParseNativeOrder(copy, kNow));
  };
  CHECK(with_type("application/json; charset=utf-8") == "ok");
  CHECK(with_type("Application/JSON") == "ok");
  CHECK(with_type("text/html") == "gateway_response_invalid");
  CHECK(with_type("application/jsonp") == "gateway_response_invalid");
  CHECK(with_type("") == "gateway_response_invalid");
}

TEST_CASE("wechat api: HTTP 5xx is gateway_unavailable and retryable, other statuses invalid") {
  const WechatApiCodec codec = Codec();
  for (unsigned status : {500u, 502u, 503u, 504u}) {
    CAPTURE(status);
    InboundResponse bare;  // a proxy's answer: unsigned, not JSON
    bare.status = status;
    bare.body = "<html>Bad Gateway</html>";
    Result<CreatedTrade> r = codec.ParseNativeOrder(bare, kNow);
    CHECK(CodeOf(r) == "gateway_unavailable");
    CHECK(IsRetryable(r.status()));
    CHECK(codec.ParseCloseOrder(bare, kNow).code() == "gateway_unavailable");
  }
  const std::string body = R"({"code_url":"weixin://wxpay/bizpayurl?pr=abc"})";
  for (unsigned status : {100u, 201u, 204u, 302u}) {
    CAPTURE(status);
    CHECK(CodeOf(codec.ParseNativeOrder(Answer(status, body), kNow)) == "gateway_response_invalid");
  }
  CHECK(codec.ParseCloseOrder(Answer(200, R"({})"), kNow).code() == "gateway_response_invalid");
  CHECK(codec.ParseCloseOrder(Answer(204, R"({})"), kNow).code() == "gateway_response_invalid");
}

TEST_CASE("wechat api: error codes map to unavailable or refused") {
  const WechatApiCodec codec = Codec();
  const auto error = [](unsigned status, std::string_view code) {
    return Answer(status, R"({"code":")" + std::string(code) + R"(","message":"m"})");
  };
  struct Row {
    unsigned status;
    const char* code;
    const char* expected;
  };
  for (const Row& row : std::vector<Row>{
           {400, "SYSTEM_ERROR", "gateway_unavailable"},
           {400, "SYSTEMERROR", "gateway_unavailable"},
           {429, "FREQUENCY_LIMITED", "gateway_unavailable"},
           {403, "BANKERROR", "gateway_unavailable"},
           {400, "ORDER_CLOSED", "gateway_refused"},
           {403, "ORDERPAID", "gateway_refused"},
           {403, "NOT_ENOUGH", "gateway_refused"},
           {400, "INVALID_REQUEST", "gateway_refused"},
           {400, "PARAM_ERROR", "gateway_refused"},
           {401, "SIGN_ERROR", "gateway_refused"},
           {403, "NO_AUTH", "gateway_refused"},
           {400, "MCH_NOT_EXISTS", "gateway_refused"},
           {404, "ORDER_NOT_EXIST", "gateway_refused"},  // not a query: a refusal
       }) {
    CAPTURE(row.code);
    Result<CreatedTrade> r = codec.ParseNativeOrder(error(row.status, row.code), kNow);
    CHECK(CodeOf(r) == row.expected);
    CHECK(r.status().message().find(row.code) == 0);
    CHECK(IsRetryable(r.status()) == (std::string_view(row.expected) == "gateway_unavailable"));
  }
  CHECK(codec.ParseCloseOrder(error(400, "ORDER_CLOSED"), kNow).code() == "gateway_refused");
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(400, R"({"message":"no code"})"), kNow)) ==
        "gateway_response_invalid");
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(400, "Bad Request"), kNow)) ==
        "gateway_response_invalid");
  // Error answers are signed too.
  InboundResponse forged =
      Answer(400, R"({"code":"ORDER_CLOSED","message":"m"})", kNow, Keys().wechat_platform_serial,
             OtherKeys().wechat_platform_private_key_pem);
  CHECK(CodeOf(codec.ParseNativeOrder(forged, kNow)) == "signature_invalid");

  // The queries' "no such thing" is an answer.
  Result<TradeQuery> missing =
      codec.ParseQueryOrder(error(404, "ORDER_NOT_EXIST"), "pay-wx-0001", kNow);
  REQUIRE(missing.ok());
  CHECK(missing->state == TradeState::kNotFound);
  Result<RefundAnswer> no_refund =
      codec.ParseRefundQuery(error(404, "RESOURCE_NOT_EXISTS"), "ref-wx-1", kNow);
  REQUIRE(no_refund.ok());
  CHECK(no_refund->state == RefundState::kNotFound);
  CHECK(CodeOf(codec.ParseRefund(error(404, "RESOURCE_NOT_EXISTS"), "ref-wx-1", kNow)) ==
        "gateway_refused");
  CHECK(CodeOf(codec.ParseRefund(error(403, "NOT_ENOUGH"), "ref-wx-1", kNow)) == "gateway_refused");
}

TEST_CASE("wechat api: each trade_state maps to a TradeState") {
  const WechatApiCodec codec = Codec();
  struct Row {
    const char* word;
    TradeState state;
  };
  for (const Row& row : std::vector<Row>{{"SUCCESS", TradeState::kPaid},
                                         {"REFUND", TradeState::kRefunded},
                                         {"NOTPAY", TradeState::kPending},
                                         {"USERPAYING", TradeState::kPending},
                                         {"CLOSED", TradeState::kClosed},
                                         {"REVOKED", TradeState::kClosed},
                                         {"PAYERROR", TradeState::kFailed}}) {
    CAPTURE(row.word);
    Result<TradeQuery> q =
        codec.ParseQueryOrder(Answer(200, QueryBody(row.word)), "pay-wx-0001", kNow);
    INFO(q.status().ToString());
    REQUIRE(q.ok());
    CHECK(q->state == row.state);
    CHECK(q->gateway_status == row.word);
    CHECK(q->amount == Money(Asset::CNY, 8888));
  }
  Result<TradeQuery> paid =
      codec.ParseQueryOrder(Answer(200, QueryBody("SUCCESS")), "pay-wx-0001", kNow);
  REQUIRE(paid.ok());
  CHECK(paid->gateway_txn_id == "4200000000202611220001");
  // Before payment the amount may come without a total: no amount, not an error.
  Result<TradeQuery> unpaid = codec.ParseQueryOrder(
      Answer(200, QueryBody("NOTPAY", R"({"currency":"CNY"})")), "pay-wx-0001", kNow);
  REQUIRE(unpaid.ok());
  CHECK_FALSE(unpaid->amount.has_value());
  CHECK(CodeOf(codec.ParseQueryOrder(Answer(200, QueryBody("NOTPAY", R"({"total":-5})")),
                                     "pay-wx-0001", kNow)) == "gateway_response_invalid");
  CHECK(CodeOf(codec.ParseQueryOrder(Answer(200, QueryBody("SUCCESS", R"({"currency":"CNY"})")),
                                     "pay-wx-0001", kNow)) == "gateway_response_invalid");
  CHECK(CodeOf(codec.ParseQueryOrder(Answer(200, QueryBody("FROZEN")), "pay-wx-0001", kNow)) ==
        "gateway_response_invalid");
  // Paid without a transaction id, for another merchant, for another order.
  std::string no_txn = QueryBody("SUCCESS");
  no_txn.replace(no_txn.find("transaction_id"), 14, "transactionXid");
  CHECK(CodeOf(codec.ParseQueryOrder(Answer(200, no_txn), "pay-wx-0001", kNow)) ==
        "gateway_response_invalid");
  std::string other_mch = QueryBody("SUCCESS");
  other_mch.replace(other_mch.find("1900000109"), 10, "1900000999");
  CHECK(CodeOf(codec.ParseQueryOrder(Answer(200, other_mch), "pay-wx-0001", kNow)) ==
        "gateway_response_invalid");
  CHECK(CodeOf(codec.ParseQueryOrder(Answer(200, QueryBody("SUCCESS")), "pay-wx-0002", kNow)) ==
        "gateway_response_invalid");
}

TEST_CASE("wechat api: each refund status maps to a RefundState") {
  const WechatApiCodec codec = Codec();
  struct Row {
    const char* word;
    RefundState state;
  };
  for (const Row& row : std::vector<Row>{{"SUCCESS", RefundState::kSucceeded},
                                         {"PROCESSING", RefundState::kProcessing},
                                         {"CLOSED", RefundState::kFailed},
                                         {"ABNORMAL", RefundState::kFailed}}) {
    CAPTURE(row.word);
    const InboundResponse answer = Answer(200, RefundBody(row.word));
    for (const Result<RefundAnswer>& a : {codec.ParseRefund(answer, "ref-wx-1", kNow),
                                          codec.ParseRefundQuery(answer, "ref-wx-1", kNow)}) {
      INFO(a.status().ToString());
      REQUIRE(a.ok());
      CHECK(a->state == row.state);
      CHECK(a->gateway_status == row.word);
      CHECK(a->gateway_refund_id == "50000000382019052709732678859");
      CHECK(a->refunded == Money(Asset::CNY, 100));
    }
  }
  CHECK(CodeOf(codec.ParseRefund(Answer(200, RefundBody("REFUNDING")), "ref-wx-1", kNow)) ==
        "gateway_response_invalid");
  CHECK(CodeOf(codec.ParseRefund(Answer(200, RefundBody("SUCCESS")), "ref-wx-2", kNow)) ==
        "gateway_response_invalid");
}

// Found by tests/fuzz/wechat_api_fuzz.cc: the ids of an answer become the
// settle command's gateway_txn_id or the refund's gateway_refund_id and part
// of the fact's idempotency key, so they follow the rule the notification
// parser applies to the same fields (parse_support.h: 1 to 128 bytes, no
// control character, '/' or ':').
TEST_CASE("wechat api: transaction_id and refund_id must be valid ids") {
  const WechatApiCodec codec = Codec();
  const std::string txn = "4200000000202611220001";
  const std::string refund_id = "50000000382019052709732678859";
  for (const std::string& bad : {std::string("4200:0001"), std::string("4200/0001"),
                                 std::string(R"(4200\u00010001)"), std::string(129, '4')}) {
    CAPTURE(bad);
    std::string query = QueryBody("SUCCESS");
    query.replace(query.find(txn), txn.size(), bad);
    CHECK(CodeOf(codec.ParseQueryOrder(Answer(200, query), "pay-wx-0001", kNow)) ==
          "gateway_response_invalid");
    std::string refund = RefundBody("SUCCESS");
    refund.replace(refund.find(refund_id), refund_id.size(), bad);
    CHECK(CodeOf(codec.ParseRefund(Answer(200, refund), "ref-wx-1", kNow)) ==
          "gateway_response_invalid");
    CHECK(CodeOf(codec.ParseRefundQuery(Answer(200, refund), "ref-wx-1", kNow)) ==
          "gateway_response_invalid");
  }
  std::string longest = QueryBody("SUCCESS");
  longest.replace(longest.find(txn), txn.size(), std::string(128, '4'));
  CHECK(CodeOf(codec.ParseQueryOrder(Answer(200, longest), "pay-wx-0001", kNow)) == "ok");
}

TEST_CASE("wechat api: amounts must be positive integers of fen within 64 bits") {
  const WechatApiCodec codec = Codec();
  const auto query = [&](std::string amount) {
    return codec.ParseQueryOrder(Answer(200, QueryBody("SUCCESS", amount)), "pay-wx-0001", kNow);
  };
  for (const char* bad :
       {R"({"total":-1})", R"({"total":88.88})", R"({"total":"8888"})", R"({"total":0})",
        R"({"total":18446744073709551616})", R"({"total":1e3})", R"({"total":null})", R"({})",
        R"({"total":8888,"currency":"USD"})", R"("8888")"}) {
    CAPTURE(bad);
    CHECK(CodeOf(query(bad)) == "gateway_response_invalid");
  }
  Result<TradeQuery> max = query(R"({"total":18446744073709551615,"currency":"CNY"})");
  REQUIRE(max.ok());
  CHECK(max->amount == Money(Asset::CNY, 18446744073709551615ull));
  for (const char* bad : {"-100", "1.5", "0", "\"100\"", "99999999999999999999"}) {
    CAPTURE(bad);
    CHECK(CodeOf(codec.ParseRefund(Answer(200, RefundBody("SUCCESS", bad)), "ref-wx-1", kNow)) ==
          "gateway_response_invalid");
  }
}

TEST_CASE("wechat api: native order and trade bill answers") {
  const WechatApiCodec codec = Codec();
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(200, R"({"prepay_id":"wx1"})"), kNow)) ==
        "gateway_response_invalid");
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(200, R"({"code_url":"https://evil.example"})"),
                                      kNow)) == "gateway_response_invalid");
  CHECK(CodeOf(codec.ParseNativeOrder(Answer(200, R"([1])"), kNow)) == "gateway_response_invalid");
  const std::string hash = "79bb0f45fc4c42234a918000b2668d689e2bde04";
  const auto bill = [&](std::string type, std::string url) {
    return codec.ParseTradeBill(Answer(200, R"({"hash_type":")" + type + R"(","hash_value":")" +
                                                hash + R"(","download_url":")" + url + R"("})"),
                                kNow);
  };
  Result<BillLocation> ok =
      bill("SHA1", "https://api.mch.weixin.qq.com/v3/billdownload/file?token=x");
  REQUIRE(ok.ok());
  CHECK(ok->download_url == "https://api.mch.weixin.qq.com/v3/billdownload/file?token=x");
  CHECK(ok->hash_type == "SHA1");
  CHECK(ok->hash_value == hash);
  CHECK(CodeOf(bill("MD5", "https://x")) == "gateway_response_invalid");
  CHECK(CodeOf(bill("SHA1", "http://x")) == "gateway_response_invalid");
  CHECK(CodeOf(codec.ParseTradeBill(Answer(400, R"({"code":"NO_STATEMENT_EXIST","message":"m"})"),
                                    kNow)) == "gateway_refused");
}

// ---- Time and certificates -------------------------------------------------------

TEST_CASE("wechat api: RFC 3339 times in China Standard Time") {
  CHECK(WechatTime(kNow) == "2026-11-22T09:00:00+08:00");
  CHECK(WechatTime(0) == "1970-01-01T08:00:00+08:00");
  CHECK(ParseWechatTime("2026-11-22T09:00:00+08:00") == kNow);
  CHECK(ParseWechatTime("2026-11-22T01:00:00Z") == kNow);
  CHECK(ParseWechatTime("2026-11-21T20:00:00-05:00") == kNow);
  CHECK(ParseWechatTime("2026-11-22T09:00:00.123+08:00") == kNow);
  for (const char* bad :
       {"", "2026-11-22", "2026-11-22T09:00:00", "2026-11-22T09:00:00+0800", "2026-02-30T09:00:00Z",
        "2026-11-22T24:00:00Z", "2026-11-22 09:00:00Z", "2026-11-22T09:00:00Zx"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseWechatTime(bad).has_value());
  }
  for (std::int64_t t : {kNow, kNow + 1, std::int64_t{951782400}, std::int64_t{4102444799}}) {
    CHECK(ParseWechatTime(WechatTime(t)) == t);
  }
}

TEST_CASE("wechat api: a self-signed certificate carries the serial and validity asked for") {
  SelfSignedSpec spec{Keys().wechat_platform_private_key_pem, "0A1B2C3D4E5F", kNow - 10,
                      kNow + 86400};
  Result<std::string> pem = MakeSelfSignedCert(spec);
  REQUIRE(pem.ok());
  Result<X509Facts> facts = ReadX509(*pem);
  REQUIRE(facts.ok());
  CHECK(facts->serial_hex == "A1B2C3D4E5F");
  CHECK(SameCertSerial(facts->serial_hex, "0a1b2c3d4e5f"));
  CHECK_FALSE(SameCertSerial(facts->serial_hex, "0A1B2C3D4E50"));
  CHECK(facts->not_before_s == kNow - 10);
  CHECK(facts->not_after_s == kNow + 86400);
  Result<crypto::Pkey> priv = crypto::LoadRsaPrivateKey(Keys().wechat_platform_private_key_pem);
  REQUIRE(priv.ok());
  CHECK(crypto::VerifySha256Rsa(facts->public_key.get(), "m",
                                crypto::SignSha256Rsa(priv->get(), "m")));
  spec.serial_hex = "XYZ";
  CHECK(CodeOf(MakeSelfSignedCert(spec)) == "gateway_config_invalid");
  spec.serial_hex = "01";
  spec.not_after_s = spec.not_before_s;
  CHECK(CodeOf(MakeSelfSignedCert(spec)) == "gateway_config_invalid");
  CHECK(CodeOf(ReadX509("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")) ==
        "gateway_response_invalid");
}

TEST_CASE("wechat api: verification runs concurrently with a certificate refresh") {
  const WechatApiCodec codec = Codec();
  const InboundResponse r = Answer(200, R"({"code_url":"weixin://wxpay/bizpayurl?pr=abc"})");
  const InboundResponse certs = CertificatesAnswer({SandboxCert()}, Keys().wechat_platform_serial,
                                                   Keys().wechat_platform_private_key_pem);
  std::atomic<int> failures{0};
  std::thread reader([&] {
    for (int i = 0; i < 40; ++i) {
      if (!codec.ParseNativeOrder(r, kNow).ok()) ++failures;
    }
  });
  for (int i = 0; i < 10; ++i) {
    if (!codec.LoadCertificates(certs, kNow).ok()) ++failures;
  }
  reader.join();
  CHECK(failures.load() == 0);
  CHECK(codec.platform_keys().size() == 1);
}

}  // namespace
}  // namespace folio::gateways
