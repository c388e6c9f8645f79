// UnionPay online payments (ACP 5.1.0) backend notifications (后台通知).
//
// The body is application/x-www-form-urlencoded (form.h). With signMethod=01:
//   message   = every parameter except `signature` and except empty values,
//               sorted by name (bytes), joined "name=value&name=value",
//               values URL-decoded
//   signature = base64(SHA256withRSA(lower-case hex(SHA-256(message))))
// i.e. the RSA signature is over the 64 ASCII hex characters of the digest,
// as ACP's SDK does (validateBySoft256 over sha256X16Str). We verify with a
// configured UnionPay public key; ACP's signPubKeyCert chain check (against
// the root and middle certificates) is not done: configure the key instead.
// Mapping (docs/gateways.md): txnType 01 consume, 04 refund, 31 consume
// cancellation, each by respCode ("00" success, anything else failure).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/gateways/notification.h"
#include "events/status.h"

namespace folio::gateways {

struct UnionPayConfig {
  // UnionPay's signing key: PEM public key or certificate.
  std::string unionpay_public_key_pem;
  // Our merchant id (merId); a notification for another merchant is rejected.
  std::string mer_id;
  // The signing certificate's certId. Default (empty): not checked.
  std::string cert_id;
  // ACP 5.1.0's own check: when root_cert_pem is set, a notification must
  // carry its signing certificate (`signPubKeyCert`, part of the signed
  // message), which must chain to root_cert_pem through middle_cert_pem, be
  // valid at the notification's arrival and name expected_cert_org in its CN
  // (cert_chain.h); the signature is verified with that certificate's key and
  // unionpay_public_key_pem is not used. Default (empty): the configured key.
  std::string root_cert_pem;
  std::string middle_cert_pem;
  std::string expected_cert_org = "中国银联股份有限公司";
};

// Checks, in this order (the first failing one decides):
//   1. gateway_config_invalid    the configured key does not parse
//   2. notification_malformed    the form does not parse
//   3. signature_key_unknown     certId is not the configured one (when configured)
//   4. with root_cert_pem: signature_invalid (signPubKeyCert missing or not a
//      certificate), signature_expired (a certificate of its chain not valid at
//      now_s), signature_key_unknown (it does not chain to the root, or its CN
//      does not name expected_cert_org)
//   5. signature_invalid         signMethod not 01, signature missing, not base64,
//                                or it does not verify
//   6. gateway_merchant_mismatch merId is not ours
//   7. notification_malformed    a required parameter missing, a bad id
//   8. gateway_unknown_status    txnType not 01, 04 or 31
//   9. amount_* / currency_unknown  txnAmt not a positive integer of minor units,
//                                currencyCode not 156 (CNY), 344, 840 or 978
// Thread-safe.
// `now_s`: Unix seconds of arrival (the certificate check); 0: the system clock.
Result<Notification> ParseUnionPayNotify(std::string_view form_urlencoded_body,
                                         const UnionPayConfig& config, std::int64_t now_s = 0);

// The body UnionPay expects with HTTP 200: "ok" (anything else means retry).
std::string UnionPayReply(bool ok);

// The string ACP signs with signMethod 01: lower-case hex SHA-256 of the
// sorted parameters (exposed for the sandbox and tests).
std::string UnionPaySignedDigestHex(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace folio::gateways
