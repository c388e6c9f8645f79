// Alipay OpenAPI answers (alipay_api.h), the sandbox's reading of a merchant
// request (alipay_sandbox_api.h) and RawJsonMember (raw_json.h).
// Input: byte 0 % 8 picks what is fed: 0-5 the answer to precreate, query,
// close, refund, refund query, bill download URL; 6 RawJsonMember
// (key "\n" json); 7 a merchant request form. Byte 1: bit 0 signs (an answer:
// the rest is the response object, wrapped and signed with Alipay's key by
// BuildAlipayApiResponse; a request: the rest is a form signed with the
// merchant's key), bits 1-2 the Content-Type, bits 3-7 the HTTP status.
// Properties: an unsigned answer is never a success; a success has sane
// fields (a paid query names its trade by a valid id, with a positive CNY
// amount, and the fact recorded from it is a valid notification); every
// error carries a documented code. RawJsonMember returns bytes of its input,
// and on JSON the strict parser accepts, exactly the member's value.
#include <boost/json/value.hpp>

#include "adapters/gateways/alipay_api.h"
#include "adapters/gateways/alipay_sandbox_api.h"
#include "adapters/gateways/raw_json.h"
#include "adapters/json/json_fields.h"
#include "tests/fuzz/gateway_api_fuzz_support.h"

namespace {

using namespace folio;
using gateways::Gateway;

constexpr std::string_view kOutTradeNo = "pay-1";
constexpr std::string_view kOutRequestNo = "rf-1";
constexpr const char* kMethods[] = {
    "alipay.trade.precreate",
    "alipay.trade.query",
    "alipay.trade.close",
    "alipay.trade.refund",
    "alipay.trade.fastpay.refund.query",
    "alipay.data.dataservice.bill.downloadurl.query",
};

const gateways::AlipayApi& Api() {
  static const gateways::AlipayApi api = [] {
    auto r =
        gateways::AlipayApi::Create({fuzz::Keys().alipay_app_id, fuzz::MerchantKeys().private_pem,
                                     fuzz::Keys().alipay_public_key_pem, ""});
    if (!r.ok()) std::abort();
    return std::move(r).value();
  }();
  return api;
}

gateways::crypto::Pkey LoadPrivate(const std::string& pem) {
  auto k = gateways::crypto::LoadRsaPrivateKey(pem);
  if (!k.ok()) std::abort();
  return std::move(k).value();
}

EVP_PKEY* AlipayKey() {
  static const gateways::crypto::Pkey key = LoadPrivate(fuzz::Keys().alipay_private_key_pem);
  return key.get();
}

EVP_PKEY* MerchantPrivate() {
  static const gateways::crypto::Pkey key = LoadPrivate(fuzz::MerchantKeys().private_pem);
  return key.get();
}

EVP_PKEY* MerchantPublic() {
  static const gateways::crypto::Pkey key = [] {
    auto k = gateways::crypto::LoadRsaPublicKey(fuzz::MerchantKeys().public_pem);
    if (!k.ok()) std::abort();
    return std::move(k).value();
  }();
  return key.get();
}

void FeedAnswer(unsigned call, const gateways::InboundResponse& r, bool is_signed) {
  const gateways::AlipayApi& api = Api();
  Status error;
  switch (call) {
    case 0: {
      auto t = api.ParsePrecreate(r, kOutTradeNo);
      if (t.ok()) fuzz::CheckCreated(*t);
      error = t.status();
      break;
    }
    case 1: {
      auto q = api.ParseQuery(r, kOutTradeNo);
      if (q.ok()) fuzz::CheckTradeQuery(Gateway::kAlipay, kOutTradeNo, *q);
      error = q.status();
      break;
    }
    case 2:
      error = api.ParseClose(r, kOutTradeNo);
      break;
    case 3: {
      auto a = api.ParseRefund(r, kOutTradeNo);
      if (a.ok()) fuzz::CheckRefund(Gateway::kAlipay, kOutRequestNo, *a);
      error = a.status();
      break;
    }
    case 4: {
      auto a = api.ParseRefundQuery(r, kOutTradeNo, kOutRequestNo);
      if (a.ok()) fuzz::CheckRefund(Gateway::kAlipay, kOutRequestNo, *a);
      error = a.status();
      break;
    }
    default: {
      auto b = api.ParseBillDownloadUrl(r);
      if (b.ok()) fuzz::CheckBill(*b);
      error = b.status();
    }
  }
  if (error.ok()) {
    FOLIO_FUZZ_CHECK(is_signed);
  } else {
    fuzz::CheckCode(error);
  }
}

void FeedRawJson(std::string_view rest) {
  const std::string key = fuzz::Field(&rest);
  const std::string_view json = rest;
  const std::optional<std::string_view> v = gateways::RawJsonMember(json, key);
  if (!v) return;
  FOLIO_FUZZ_CHECK(!v->empty());
  FOLIO_FUZZ_CHECK(v->data() >= json.data() && v->data() + v->size() <= json.data() + json.size());
  const Result<boost::json::value> doc = json::internal::ParseStrict(json);
  // Beyond structure, spelling (numbers, literals, UTF-8) is the strict
  // parser's to check; a key is compared as written, escapes included.
  if (!doc.ok() || key.find('\\') != std::string::npos) return;
  FOLIO_FUZZ_CHECK(doc->is_object());
  const boost::json::value* member = doc->as_object().if_contains(key);
  FOLIO_FUZZ_CHECK(member != nullptr);
  const Result<boost::json::value> value = json::internal::ParseStrict(*v);
  FOLIO_FUZZ_CHECK(value.ok() && *value == *member);
}

void FeedRequest(std::string_view rest, bool sign) {
  std::string body(rest);
  if (sign) {
    auto form = gateways::ParseForm(body);
    if (!form.ok()) return;
    const std::string message = gateways::AlipayRequestSignedMessage(*form);
    form->emplace_back("sign", gateways::crypto::Base64Encode(
                                   gateways::crypto::SignSha256Rsa(MerchantPrivate(), message)));
    body = gateways::EncodeForm(*form);
  }
  auto call = gateways::ParseAlipayApiRequest(body, MerchantPublic());
  if (!call.ok()) {
    const std::string_view c = call.status().code();
    FOLIO_FUZZ_CHECK(c == gateways::codes::kSignatureInvalid ||
                     c == gateways::codes::kNotificationMalformed);
    return;
  }
  FOLIO_FUZZ_CHECK(sign);
  FOLIO_FUZZ_CHECK(!call->app_id.empty() && !call->method.empty() && !call->timestamp.empty());
  for (const auto& [name, value] : call->biz) FOLIO_FUZZ_CHECK(call->Biz(name).has_value());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Static seeds are in tests/fuzz/seeds/alipay_api; the keys are made here,
  // before the first input, so that no input pays for them.
  (void)Api();
  (void)AlipayKey();
  (void)MerchantPrivate();
  (void)MerchantPublic();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const unsigned call = data[0] % 8;
  const bool sign = (data[1] & 1) != 0;
  const std::string_view rest = fuzz::Bytes(data + 2, size - 2);
  if (call == 6) {
    FeedRawJson(rest);
    return 0;
  }
  if (call == 7) {
    FeedRequest(rest, sign);
    return 0;
  }
  constexpr const char* kContentTypes[] = {"application/json;charset=utf-8",
                                           "text/html;charset=utf-8", "application/json",
                                           "text/plain"};
  gateways::InboundResponse r;
  r.status = fuzz::StatusOf(static_cast<std::uint8_t>(data[1] >> 3));
  r.headers = {{"content-type", kContentTypes[(data[1] >> 1) & 3]}};
  r.body = sign ? gateways::BuildAlipayApiResponse(AlipayKey(), kMethods[call], rest)
                : std::string(rest);
  FeedAnswer(call, r, sign);
  return 0;
}
