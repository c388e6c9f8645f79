// The sandbox gateway's half of UnionPay ACP 5.1.0 (unionpay_api.h): it
// reads and verifies a merchant's request and writes UnionPay's signed
// answer (with the certificate of cert_chain.h's GenerateTestCertChain), so
// that the sandbox process speaks the same protocol Folio calls. No I/O.
#pragma once

#include <string>
#include <string_view>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/form.h"
#include "events/status.h"

namespace folio::gateways {

// Verifies a merchant's request: notification_malformed (the form; version
// not 5.1.0, encoding not UTF-8, txnType or merId missing), signature_invalid
// (signMethod not 01, signature missing, not base64, not verifying with
// `merchant_public_key`). Returns the fields in body order.
// REQUIRES: merchant_public_key is an RSA public key. Thread-safe.
Result<FormPairs> ParseUnionPayApiRequest(std::string_view body, EVP_PKEY* merchant_public_key);

// The response body: `fields` plus signMethod=01, signPubKeyCert and
// signature (by `signing_key`, whose certificate is `signing_cert_pem`),
// form-encoded in the given order. REQUIRES: signing_key is an RSA private key.
std::string BuildUnionPayApiResponse(EVP_PKEY* signing_key, std::string_view signing_cert_pem,
                                     FormPairs fields);

}  // namespace folio::gateways
