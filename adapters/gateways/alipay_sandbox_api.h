// The sandbox gateway's half of the Alipay OpenAPI (alipay_api.h): it reads
// and verifies a merchant's request and writes Alipay's signed answer, so
// that the sandbox process speaks the same protocol Folio calls. No I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/gateways/crypto.h"
#include "events/status.h"

namespace folio::gateways {

// A request as Alipay reads it.
struct AlipayApiCall {
  std::string app_id;
  std::string method;
  std::string timestamp;
  std::string notify_url;   // empty when not sent
  std::string biz_content;  // the raw JSON text
  // biz_content's top-level members whose values are strings, in order.
  std::vector<std::pair<std::string, std::string>> biz;
  std::optional<std::string_view> Biz(std::string_view name) const;
};

// Verifies a merchant's request: notification_malformed (form, a common
// parameter missing or not the fixed value, biz_content not a strict JSON
// object), signature_invalid (sign_type not RSA2, sign missing, not base64 or
// not verifying with `merchant_public_key`). REQUIRES: merchant_public_key
// is an RSA public key (crypto::LoadRsaPublicKey). Thread-safe.
Result<AlipayApiCall> ParseAlipayApiRequest(std::string_view body, EVP_PKEY* merchant_public_key);

// {"<method>_response":<response_object_json>,"sign":"<base64>"}, signed with
// Alipay's private key over response_object_json exactly. REQUIRES:
// response_object_json is a JSON object; alipay_private_key an RSA private key.
std::string BuildAlipayApiResponse(EVP_PKEY* alipay_private_key, std::string_view method,
                                   std::string_view response_object_json);

}  // namespace folio::gateways
