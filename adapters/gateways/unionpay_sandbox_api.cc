#include "adapters/gateways/unionpay_sandbox_api.h"

#include "adapters/gateways/parse_support.h"
#include "adapters/gateways/unionpay.h"

namespace folio::gateways {

Result<FormPairs> ParseUnionPayApiRequest(std::string_view body, EVP_PKEY* merchant_public_key) {
  ASSIGN_OR_RETURN(FormPairs form, ParseForm(body));
  if (FormValue(form, "signMethod").value_or("") != "01") {
    return Status::Error(codes::kSignatureInvalid, "signMethod must be 01 (RSA-SHA256)");
  }
  const std::string_view signature = FormValue(form, "signature").value_or("");
  if (signature.empty()) return Status::Error(codes::kSignatureInvalid, "signature is missing");
  const std::optional<std::string> raw = crypto::Base64Decode(signature);
  if (!raw) return Status::Error(codes::kSignatureInvalid, "signature is not base64");
  if (!crypto::VerifySha256Rsa(merchant_public_key, UnionPaySignedDigestHex(form), *raw)) {
    return Status::Error(codes::kSignatureInvalid,
                         "signature does not verify with the merchant's key");
  }
  // After this point the fields are the merchant's own.
  if (FormValue(form, "version").value_or("") != "5.1.0") {
    return internal::Malformed("version must be 5.1.0");
  }
  if (FormValue(form, "encoding").value_or("") != "UTF-8") {
    return internal::Malformed("encoding must be UTF-8");
  }
  RETURN_IF_ERROR(internal::Required(form, "txnType").status());
  RETURN_IF_ERROR(internal::Required(form, "merId").status());
  return form;
}

std::string BuildUnionPayApiResponse(EVP_PKEY* signing_key, std::string_view signing_cert_pem,
                                     FormPairs fields) {
  fields.emplace_back("signMethod", "01");
  fields.emplace_back("signPubKeyCert", std::string(signing_cert_pem));
  std::string signature =
      crypto::Base64Encode(crypto::SignSha256Rsa(signing_key, UnionPaySignedDigestHex(fields)));
  fields.emplace_back("signature", std::move(signature));
  return EncodeForm(fields);
}

}  // namespace folio::gateways
