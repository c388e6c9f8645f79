// WeChat Pay API v3 answers (wechat_api.h), the platform certificate download
// (LoadCertificates) and the sandbox's reading of a merchant request
// (wechat_api_sandbox.h).
// Input: byte 0 % 9 picks what is fed: 0-5 the answer to native order, query,
// close, refund, refund query, trade bill; 6 a /v3/certificates answer to a
// codec that knows no platform key yet; 7 one certificate entry (serial "\n"
// PEM, after two bytes of validity offsets) encrypted with the APIv3 key as
// /v3/certificates does; 8 a merchant request (method "\n" target "\n" body,
// or, unsigned, method "\n" target "\n" Authorization "\n" body).
// Byte 1: bit 0 signs (an answer with the platform key by
// SignWechatApiResponse, a request with the merchant key); unsigned answers
// are timestamp "\n" nonce "\n" signature "\n" serial "\n" body; bits 1-2 the
// Content-Type, bits 3-7 the HTTP status.
// Properties: an unsigned answer is never a success; a success has sane
// fields (ids valid, amounts positive CNY, the fact recorded from a query or
// a refund a valid notification); every error carries a documented code; a
// certificate download installs at most kKeysMax keys; an accepted request
// is the call its method and path name, for the signer's merchant.
#include "adapters/gateways/wechat_api.h"
#include "adapters/gateways/wechat_api_sandbox.h"
#include "tests/fuzz/gateway_api_fuzz_support.h"

namespace {

using namespace folio;
using gateways::Gateway;

constexpr std::string_view kOutTradeNo = "pay-wx-0001";
constexpr std::string_view kOutRefundNo = "rf-wx-0001";
constexpr std::string_view kMerchantSerial = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C";
constexpr std::string_view kNonce = "593BEC0C930BF1AFEB40B4A08C8FB242";

gateways::WechatApiConfig Config() {
  gateways::WechatApiConfig c;
  c.mchid = fuzz::Keys().wechat_mchid;
  c.appid = fuzz::Keys().wechat_appid;
  c.merchant_serial = std::string(kMerchantSerial);
  c.merchant_private_key_pem = fuzz::MerchantKeys().private_pem;
  c.apiv3_key = fuzz::Keys().wechat_apiv3_key;
  c.notify_url = "https://folio.example/v1/gateways/wechatpay/notify";
  return c;
}

gateways::WechatApiCodec EmptyCodec() {
  auto c = gateways::WechatApiCodec::Create(Config());
  if (!c.ok()) std::abort();
  return std::move(c).value();
}

const gateways::WechatCertificateEntry& SandboxCert() {
  static const gateways::WechatCertificateEntry e = [] {
    auto r = gateways::SandboxWechatCertificate(fuzz::Keys(), fuzz::kNow);
    if (!r.ok()) std::abort();
    return std::move(r).value();
  }();
  return e;
}

gateways::InboundResponse Signed(unsigned status, std::string body) {
  auto r = gateways::SignWechatApiResponse(fuzz::Keys().wechat_platform_private_key_pem,
                                           fuzz::Keys().wechat_platform_serial, status,
                                           std::move(body), fuzz::kNow);
  if (!r.ok()) std::abort();
  return std::move(r).value();
}

// A codec that knows the sandbox platform certificate (never changed after).
const gateways::WechatApiCodec& Codec() {
  static const gateways::WechatApiCodec codec = [] {
    gateways::WechatApiCodec c = EmptyCodec();
    auto n = c.LoadCertificates(Signed(200, gateways::BuildWechatCertificatesBody(
                                                fuzz::Keys().wechat_apiv3_key, {SandboxCert()})),
                                fuzz::kNow);
    if (!n.ok() || *n != 1) std::abort();
    return c;
  }();
  return codec;
}

gateways::InboundResponse Answer(std::uint8_t flags, std::string_view rest) {
  const unsigned status = fuzz::StatusOf(static_cast<std::uint8_t>(flags >> 3));
  gateways::InboundResponse r;
  if (flags & 1) {
    r = Signed(status, std::string(rest));
  } else {
    r.status = status;
    for (const char* name :
         {"wechatpay-timestamp", "wechatpay-nonce", "wechatpay-signature", "wechatpay-serial"}) {
      r.headers.emplace_back(name, fuzz::Field(&rest));
    }
    r.body = rest;
    r.headers.emplace_back("content-type", "application/json");
  }
  constexpr const char* kContentTypes[] = {nullptr, "application/json", "text/plain", ""};
  if (const char* ct = kContentTypes[(flags >> 1) & 3]) {
    std::erase_if(r.headers, [](const auto& h) { return h.first == "content-type"; });
    r.headers.emplace_back("content-type", ct);
  }
  return r;
}

void FeedAnswer(unsigned call, const gateways::InboundResponse& r, bool is_signed) {
  const gateways::WechatApiCodec& codec = Codec();
  Status error;
  switch (call) {
    case 0: {
      auto t = codec.ParseNativeOrder(r, fuzz::kNow);
      if (t.ok()) fuzz::CheckCreated(*t);
      error = t.status();
      break;
    }
    case 1: {
      auto q = codec.ParseQueryOrder(r, kOutTradeNo, fuzz::kNow);
      if (q.ok()) fuzz::CheckTradeQuery(Gateway::kWechatPay, kOutTradeNo, *q);
      error = q.status();
      break;
    }
    case 2:
      error = codec.ParseCloseOrder(r, fuzz::kNow);
      break;
    case 3:
    case 4: {
      auto a = call == 3 ? codec.ParseRefund(r, kOutRefundNo, fuzz::kNow)
                         : codec.ParseRefundQuery(r, kOutRefundNo, fuzz::kNow);
      if (a.ok()) fuzz::CheckRefund(Gateway::kWechatPay, kOutRefundNo, *a);
      error = a.status();
      break;
    }
    default: {
      auto b = codec.ParseTradeBill(r, fuzz::kNow);
      if (b.ok()) fuzz::CheckBill(*b);
      error = b.status();
    }
  }
  if (error.ok()) {
    FOLIO_FUZZ_CHECK(is_signed);
  } else {
    fuzz::CheckCode(error,
                    {gateways::codes::kSignatureExpired, gateways::codes::kSignatureKeyUnknown});
  }
}

void FeedCertificates(const gateways::InboundResponse& r, bool is_signed) {
  const gateways::WechatApiCodec codec = EmptyCodec();  // LoadCertificates installs keys
  Result<std::size_t> n = codec.LoadCertificates(r, fuzz::kNow);
  if (!n.ok()) {
    fuzz::CheckCode(
        n.status(),
        {gateways::codes::kSignatureExpired, gateways::codes::kSignatureKeyUnknown,
         gateways::codes::kNotificationUndecryptable, gateways::codes::kGatewayCertificateInvalid});
    FOLIO_FUZZ_CHECK(codec.platform_keys().size() == 0);  // all or nothing
    return;
  }
  FOLIO_FUZZ_CHECK(is_signed);
  FOLIO_FUZZ_CHECK(*n <= gateways::WechatPlatformKeys::kKeysMax);
  FOLIO_FUZZ_CHECK(codec.platform_keys().size() <= *n);
}

void FeedCertificateEntry(std::string_view rest) {
  if (rest.size() < 2) return;
  gateways::WechatCertificateEntry e;
  e.effective_s = fuzz::kNow + static_cast<std::int8_t>(rest[0]) * std::int64_t{86400};
  e.expire_s = fuzz::kNow + static_cast<std::int8_t>(rest[1]) * std::int64_t{30 * 86400};
  rest.remove_prefix(2);
  e.serial_no = fuzz::Field(&rest);
  e.certificate_pem = rest;
  FeedCertificates(
      Signed(200, gateways::BuildWechatCertificatesBody(fuzz::Keys().wechat_apiv3_key, {e})), true);
}

bool IsGet(gateways::WechatApiCallKind k) {
  using K = gateways::WechatApiCallKind;
  return k == K::kQueryOrder || k == K::kQueryRefund || k == K::kTradeBill || k == K::kCertificates;
}

bool HasId(gateways::WechatApiCallKind k) {
  using K = gateways::WechatApiCallKind;
  return k == K::kQueryOrder || k == K::kCloseOrder || k == K::kQueryRefund;
}

void FeedRequest(std::string_view rest, bool sign) {
  const std::string method = fuzz::Field(&rest);
  const std::string target = fuzz::Field(&rest);
  std::string authorization;
  if (sign) {
    static const gateways::crypto::Pkey key = [] {
      auto k = gateways::crypto::LoadRsaPrivateKey(fuzz::MerchantKeys().private_pem);
      if (!k.ok()) std::abort();
      return std::move(k).value();
    }();
    const std::string signature = gateways::crypto::Base64Encode(gateways::crypto::SignSha256Rsa(
        key.get(), gateways::WechatRequestMessage(method, target, fuzz::kNow, kNonce, rest)));
    authorization = std::string(gateways::kWechatAuthScheme) + " mchid=\"" +
                    fuzz::Keys().wechat_mchid + "\",nonce_str=\"" + std::string(kNonce) +
                    "\",signature=\"" + signature + "\",timestamp=\"" + std::to_string(fuzz::kNow) +
                    "\",serial_no=\"" + std::string(kMerchantSerial) + "\"";
  } else {
    authorization = fuzz::Field(&rest);
  }
  const std::vector<std::pair<std::string, std::string>> headers{
      {"Authorization", authorization}, {"Content-Type", "application/json"}};
  auto call = gateways::ParseWechatApiRequest(
      method, target, headers, rest, fuzz::MerchantKeys().public_pem, kMerchantSerial, fuzz::kNow);
  if (!call.ok()) {
    const std::string_view c = call.status().code();
    namespace codes = gateways::codes;
    FOLIO_FUZZ_CHECK(c == codes::kNotificationMalformed || c == codes::kSignatureExpired ||
                     c == codes::kSignatureKeyUnknown || c == codes::kSignatureInvalid ||
                     c == codes::kGatewayMerchantMismatch);
    return;
  }
  FOLIO_FUZZ_CHECK(sign);
  FOLIO_FUZZ_CHECK(IsGet(call->kind) == (method == "GET"));
  FOLIO_FUZZ_CHECK(HasId(call->kind) == !call->id.empty());
  FOLIO_FUZZ_CHECK(call->mchid == fuzz::Keys().wechat_mchid);
  for (const auto& [name, value] : call->fields) {
    if (name == "mchid") FOLIO_FUZZ_CHECK(value == call->mchid);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)Codec();  // the keys and the platform certificate, before the first input
  // Seeds that need this run's keys; the static ones are in
  // tests/fuzz/seeds/wechat_api.
  std::vector<std::string> seeds;
  seeds.push_back(std::string("\x06\x01", 2) + gateways::BuildWechatCertificatesBody(
                                                   fuzz::Keys().wechat_apiv3_key, {SandboxCert()}));
  seeds.push_back(std::string("\x07\x01\xff\x0c", 4) + SandboxCert().serial_no + "\n" +
                  SandboxCert().certificate_pem);
  fuzz::WriteSeedsIfAsked(seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const unsigned call = data[0] % 9;
  const bool sign = (data[1] & 1) != 0;
  const std::string_view rest = fuzz::Bytes(data + 2, size - 2);
  switch (call) {
    case 6:
      FeedCertificates(Answer(data[1], rest), sign);
      break;
    case 7:
      FeedCertificateEntry(rest);
      break;
    case 8:
      FeedRequest(rest, sign);
      break;
    default:
      FeedAnswer(call, Answer(data[1], rest), sign);
  }
  return 0;
}
