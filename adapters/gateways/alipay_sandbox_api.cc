#include "adapters/gateways/alipay_sandbox_api.h"

#include <boost/json/object.hpp>

#include "adapters/gateways/alipay_api.h"
#include "adapters/gateways/form.h"
#include "adapters/gateways/parse_support.h"

namespace folio::gateways {

namespace bj = boost::json;

std::optional<std::string_view> AlipayApiCall::Biz(std::string_view name) const {
  for (const auto& [k, v] : biz) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

Result<AlipayApiCall> ParseAlipayApiRequest(std::string_view body, EVP_PKEY* merchant_public_key) {
  ASSIGN_OR_RETURN(FormPairs form, ParseForm(body));
  if (FormValue(form, "sign_type").value_or("") != "RSA2") {
    return Status::Error(codes::kSignatureInvalid, "sign_type must be RSA2");
  }
  const std::string_view sign = FormValue(form, "sign").value_or("");
  if (sign.empty()) return Status::Error(codes::kSignatureInvalid, "sign is missing");
  const std::optional<std::string> raw = crypto::Base64Decode(sign);
  if (!raw) return Status::Error(codes::kSignatureInvalid, "sign is not base64");
  if (!crypto::VerifySha256Rsa(merchant_public_key, AlipayRequestSignedMessage(form), *raw)) {
    return Status::Error(codes::kSignatureInvalid, "sign does not verify with the merchant's key");
  }
  // After this point the parameters are the merchant's own.
  for (const auto& [name, fixed] :
       {std::pair{"format", "JSON"}, std::pair{"charset", "utf-8"}, std::pair{"version", "1.0"}}) {
    if (FormValue(form, name).value_or("") != fixed) {
      return internal::Malformed(std::string(name) + " must be " + fixed);
    }
  }
  AlipayApiCall call;
  ASSIGN_OR_RETURN(std::string_view app_id, internal::Required(form, "app_id"));
  ASSIGN_OR_RETURN(std::string_view method, internal::Required(form, "method"));
  ASSIGN_OR_RETURN(std::string_view timestamp, internal::Required(form, "timestamp"));
  ASSIGN_OR_RETURN(std::string_view biz_content, internal::Required(form, "biz_content"));
  ASSIGN_OR_RETURN(bj::object biz, internal::ParseJsonObject(biz_content, "biz_content"));
  call.app_id = app_id;
  call.method = method;
  call.timestamp = timestamp;
  call.notify_url = FormValue(form, "notify_url").value_or("");
  call.biz_content = biz_content;
  for (const auto& member : biz) {
    if (member.value().is_string()) {
      call.biz.emplace_back(std::string(member.key()), std::string(member.value().as_string()));
    }
  }
  return call;
}

std::string BuildAlipayApiResponse(EVP_PKEY* alipay_private_key, std::string_view method,
                                   std::string_view response_object_json) {
  const std::string sign =
      crypto::Base64Encode(crypto::SignSha256Rsa(alipay_private_key, response_object_json));
  std::string out = "{\"" + AlipayResponseKey(method) + "\":";
  out.append(response_object_json).append(",\"sign\":\"").append(sign).append("\"}");
  return out;
}

}  // namespace folio::gateways
