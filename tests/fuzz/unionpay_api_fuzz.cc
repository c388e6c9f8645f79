// UnionPay ACP 5.1.0 answers (unionpay_api.h) and the sandbox's reading of a
// merchant request (unionpay_sandbox_api.h).
// Input: byte 0 % 5 picks what is fed: 0-3 the answer to QR order, refund,
// query, refund query; 4 a merchant request form. Byte 1, bits 0-1: 0 the
// body as received; 1 (and 3) the rest is a form, signed (an answer by
// BuildUnionPayApiResponse with the sandbox chain's signing certificate, made
// once per process by GenerateTestCertChain; a request with the merchant's
// key); 2 the rest is the signPubKeyCert PEM of a well-formed success answer
// signed with the signing key (the chain check on fuzzed certificates).
// Bits 2-3 the Content-Type, bits 4-7 the HTTP status.
// Properties: an answer not signed through the chain is never a success; a
// success has sane fields (a paid query names its trade by a valid id, with a
// positive CNY amount, and the fact recorded from it is a valid
// notification); every error carries a documented code; an accepted request
// has the fixed version, encoding and sign method.
#include "adapters/gateways/cert_chain.h"
#include "adapters/gateways/unionpay.h"
#include "adapters/gateways/unionpay_api.h"
#include "adapters/gateways/unionpay_sandbox_api.h"
#include "tests/fuzz/gateway_api_fuzz_support.h"

namespace {

using namespace folio;
using gateways::FormPairs;
using gateways::Gateway;

constexpr std::string_view kOrder = "pay20261122001";
constexpr std::string_view kRefundOrder = "rf20261122001";

const gateways::TestCertChain& Chain() {
  static const gateways::TestCertChain chain = gateways::GenerateTestCertChain();
  return chain;
}

const gateways::UnionPayApi& Api() {
  static const gateways::UnionPayApi api = [] {
    gateways::UnionPayApiConfig c;
    c.mer_id = fuzz::Keys().unionpay_mer_id;
    c.merchant_private_key_pem = fuzz::MerchantKeys().private_pem;
    c.merchant_cert_id = "69629715588";
    c.root_cert_pem = Chain().root_pem;
    c.middle_cert_pem = Chain().middle_pem;
    c.back_url = "https://folio.example/v1/gateways/unionpay/notify";
    auto r = gateways::UnionPayApi::Create(std::move(c));
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

EVP_PKEY* SigningKey() {
  static const gateways::crypto::Pkey key = LoadPrivate(Chain().signing_key_pem);
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

std::string_view OrderOf(unsigned call) { return call == 1 || call == 3 ? kRefundOrder : kOrder; }

// A success answer to `call`, unsigned (the fields BuildUnionPayApiResponse signs).
FormPairs SuccessForm(unsigned call) {
  FormPairs f{{"version", "5.1.0"},
              {"encoding", "UTF-8"},
              {"respCode", "00"},
              {"respMsg", "成功[0000000]"},
              {"merId", fuzz::Keys().unionpay_mer_id},
              {"orderId", std::string(OrderOf(call))}};
  if (call == 0) f.emplace_back("qrCode", "https://qr.95516.com/00010000/01234567890123456789");
  if (call >= 1) f.emplace_back("queryId", "782611220900000000011");
  if (call >= 2) {
    f.emplace_back("origRespCode", "00");
    f.emplace_back("txnAmt", "8888");
    f.emplace_back("currencyCode", "156");
  }
  return f;
}

void FeedAnswer(unsigned call, const gateways::InboundResponse& r, bool is_signed) {
  const gateways::UnionPayApi& api = Api();
  const std::string_view order = OrderOf(call);
  Status error;
  switch (call) {
    case 0: {
      auto t = api.ParseApplyQrCode(r, order, fuzz::kNow);
      if (t.ok()) fuzz::CheckCreated(*t);
      error = t.status();
      break;
    }
    case 1:
    case 3: {
      auto a = call == 1 ? api.ParseRefund(r, order, fuzz::kNow)
                         : api.ParseRefundQuery(r, order, fuzz::kNow);
      if (a.ok()) fuzz::CheckRefund(Gateway::kUnionPay, order, *a);
      error = a.status();
      break;
    }
    default: {
      auto q = api.ParseQuery(r, order, fuzz::kNow);
      if (q.ok()) fuzz::CheckTradeQuery(Gateway::kUnionPay, order, *q);
      error = q.status();
    }
  }
  if (error.ok()) {
    FOLIO_FUZZ_CHECK(is_signed);
  } else {
    fuzz::CheckCode(error,
                    {gateways::codes::kSignatureExpired, gateways::codes::kSignatureKeyUnknown});
  }
}

void FeedRequest(std::string_view rest, bool sign) {
  std::string body(rest);
  if (sign) {
    auto form = gateways::ParseForm(body);
    if (!form.ok()) return;
    const std::string digest = gateways::UnionPaySignedDigestHex(*form);
    form->emplace_back("signature", gateways::crypto::Base64Encode(gateways::crypto::SignSha256Rsa(
                                        MerchantPrivate(), digest)));
    body = gateways::EncodeForm(*form);
  }
  auto form = gateways::ParseUnionPayApiRequest(body, MerchantPublic());
  if (!form.ok()) {
    const std::string_view c = form.status().code();
    FOLIO_FUZZ_CHECK(c == gateways::codes::kSignatureInvalid ||
                     c == gateways::codes::kNotificationMalformed);
    return;
  }
  FOLIO_FUZZ_CHECK(sign);
  FOLIO_FUZZ_CHECK(gateways::FormValue(*form, "version") == "5.1.0");
  FOLIO_FUZZ_CHECK(gateways::FormValue(*form, "encoding") == "UTF-8");
  FOLIO_FUZZ_CHECK(gateways::FormValue(*form, "signMethod") == "01");
  FOLIO_FUZZ_CHECK(!gateways::FormValue(*form, "txnType").value_or("").empty());
  FOLIO_FUZZ_CHECK(!gateways::FormValue(*form, "merId").value_or("").empty());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)Api();  // the chain and the keys, before the first input
  (void)SigningKey();
  (void)MerchantPrivate();
  (void)MerchantPublic();
  // Mode 2 seeds carry this run's signing certificate; the static ones are in
  // tests/fuzz/seeds/unionpay_api.
  std::vector<std::string> seeds;
  for (char call = 0; call < 4; ++call) {
    seeds.push_back(std::string{call, '\x02'} + Chain().signing_cert_pem);
    seeds.push_back(std::string{call, '\x01'} + gateways::EncodeForm(SuccessForm(call)));
  }
  fuzz::WriteSeedsIfAsked(seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const unsigned call = data[0] % 5;
  const unsigned mode = data[1] & 3;
  const std::string_view rest = fuzz::Bytes(data + 2, size - 2);
  if (call == 4) {
    FeedRequest(rest, mode != 0);
    return 0;
  }
  constexpr const char* kContentTypes[] = {"application/x-www-form-urlencoded;charset=UTF-8",
                                           "text/plain", "text/html;charset=UTF-8",
                                           "application/json"};
  gateways::InboundResponse r;
  r.status = fuzz::StatusOf(static_cast<std::uint8_t>(data[1] >> 4));
  r.headers = {{"content-type", kContentTypes[(data[1] >> 2) & 3]}};
  if (mode == 0) {
    r.body = rest;
  } else if (mode == 2) {
    r.body = gateways::BuildUnionPayApiResponse(SigningKey(), rest, SuccessForm(call));
  } else {
    auto form = gateways::ParseForm(rest);
    if (!form.ok()) return 0;
    r.body = gateways::BuildUnionPayApiResponse(SigningKey(), Chain().signing_cert_pem,
                                                std::move(*form));
  }
  FeedAnswer(call, r, mode != 0);
  return 0;
}
