// /v3/certificates: WeChat Pay's platform certificates, as its answer lists
// them (docs/gateways.md, "Certificate rotation"): each one encrypted under
// the merchant's APIv3 key, with the serial and validity it is listed under
// checked against the certificate itself.
#include <algorithm>

#include "adapters/gateways/gateway_codes.h"
#include "adapters/gateways/wechat.h"
#include "adapters/gateways/wechat_api.h"
#include "adapters/gateways/wechat_api_internal.h"
#include "adapters/gateways/wechat_cert.h"

namespace folio::gateways::wechat_internal {
namespace {

namespace bj = boost::json;

// One item of "data".
Result<std::shared_ptr<const WechatPlatformKey>> DecodeCertificate(const bj::value& item,
                                                                   std::string_view apiv3_key) {
  if (!item.is_object()) return Invalid("data[] holds a non-object");
  const bj::object& o = item.as_object();
  ASSIGN_OR_RETURN(std::string serial_no, Str(o, "serial_no"));
  ASSIGN_OR_RETURN(std::string effective, Str(o, "effective_time"));
  ASSIGN_OR_RETURN(std::string expire, Str(o, "expire_time"));
  const std::optional<std::int64_t> effective_s = ParseWechatTime(effective);
  const std::optional<std::int64_t> expire_s = ParseWechatTime(expire);
  if (!effective_s || !expire_s) return Invalid("effective_time or expire_time is not RFC 3339");
  const bj::value* enc = o.if_contains("encrypt_certificate");
  if (enc == nullptr || !enc->is_object()) return Invalid("encrypt_certificate is missing");
  const bj::object& e = enc->as_object();
  ASSIGN_OR_RETURN(std::string algorithm, Str(e, "algorithm"));
  if (algorithm != "AEAD_AES_256_GCM") return Invalid("algorithm is not AEAD_AES_256_GCM");
  ASSIGN_OR_RETURN(std::string nonce, Str(e, "nonce"));
  ASSIGN_OR_RETURN(std::string ciphertext, Str(e, "ciphertext"));
  std::string aad;
  if (const bj::value* a = e.if_contains("associated_data"); a != nullptr && a->is_string()) {
    aad = std::string(a->as_string());
  }
  Result<std::string> pem = WechatDecrypt(apiv3_key, nonce, aad, ciphertext);
  if (!pem.ok()) {
    if (pem.status().code() == codes::kNotificationUndecryptable) return pem.status();
    return Invalid("encrypt_certificate: " + pem.status().message());
  }
  Result<X509Facts> facts = ReadX509(*pem);
  if (!facts.ok()) {
    return Status::Error(codes::kGatewayCertificateInvalid,
                         "certificate " + serial_no + ": " + facts.status().message());
  }
  if (!SameCertSerial(facts->serial_hex, serial_no)) {
    return Status::Error(
        codes::kGatewayCertificateInvalid,
        "the certificate listed as " + serial_no + " has serial " + facts->serial_hex);
  }
  auto key = std::make_shared<WechatPlatformKey>();
  key->serial = facts->serial_hex;
  key->not_before_s = std::max(*effective_s, facts->not_before_s);
  key->not_after_s = std::min(*expire_s, facts->not_after_s);
  key->key = std::move(facts->public_key);
  return std::shared_ptr<const WechatPlatformKey>(std::move(key));
}

}  // namespace

Result<std::vector<std::shared_ptr<const WechatPlatformKey>>> DecodeCertificates(
    const bj::object& body, std::string_view apiv3_key) {
  const bj::value* data = body.if_contains("data");
  if (data == nullptr || !data->is_array()) return Invalid("data is missing or not an array");
  const bj::array& items = data->as_array();
  if (items.empty() || items.size() > WechatPlatformKeys::kKeysMax) {
    return Invalid("data must hold 1 to 16 certificates");
  }
  std::vector<std::shared_ptr<const WechatPlatformKey>> out;
  for (const bj::value& item : items) {
    ASSIGN_OR_RETURN(std::shared_ptr<const WechatPlatformKey> key,
                     DecodeCertificate(item, apiv3_key));
    out.push_back(std::move(key));
  }
  return out;
}

}  // namespace folio::gateways::wechat_internal
