// Error codes of the gateway notification parsers (adapters/gateways/).
// Stable: append only, never rename. Documented in docs/errors.md and
// docs/gateways.md.
//
// Amount fields also return the money codes of events/codes.h:
// amount_invalid, amount_precision, amount_overflow, currency_unknown.
#pragma once

#include <string_view>

namespace folio::gateways::codes {

// The signature is missing, not well-formed (bad base64 or hex, wrong
// sign_type/signMethod), made with another key, or the signed bytes changed.
inline constexpr std::string_view kSignatureInvalid = "signature_invalid";
// The signed timestamp is outside the accepted window (too old or in the future).
inline constexpr std::string_view kSignatureExpired = "signature_expired";
// The certificate serial (WeChat Wechatpay-Serial, UnionPay certId) is not the configured one.
inline constexpr std::string_view kSignatureKeyUnknown = "signature_key_unknown";
// The nonce was already seen inside the window (HMAC schemes).
inline constexpr std::string_view kNotificationReplayed = "notification_replayed";
// The body does not parse (bad %XX escape, duplicate parameter, bad JSON),
// a required field is missing or has the wrong type, or an id is malformed.
inline constexpr std::string_view kNotificationMalformed = "notification_malformed";
// The encrypted resource (WeChat Pay AEAD_AES_256_GCM) does not decrypt:
// wrong key, changed ciphertext, tag or associated data.
inline constexpr std::string_view kNotificationUndecryptable = "notification_undecryptable";
// A status, event type or transaction type this parser does not know.
inline constexpr std::string_view kGatewayUnknownStatus = "gateway_unknown_status";
// The notification is for another merchant (app_id, mchid, merId).
inline constexpr std::string_view kGatewayMerchantMismatch = "gateway_merchant_mismatch";
// The configuration is unusable: a key that does not parse, an APIv3 key that
// is not 32 bytes, an empty HMAC secret. Not the sender's fault.
inline constexpr std::string_view kGatewayConfigInvalid = "gateway_config_invalid";
// A WeChat Pay platform certificate from /v3/certificates is unusable: it is
// not an X.509 PEM certificate with an RSA key, or its serial is not the
// serial_no it is listed under.
inline constexpr std::string_view kGatewayCertificateInvalid = "gateway_certificate_invalid";

}  // namespace folio::gateways::codes
