// Alipay asynchronous notifications (异步通知), RSA2.
//
// The body is application/x-www-form-urlencoded (form.h). The signed message
// is every parameter except `sign` and `sign_type` and except those with an
// empty value, sorted by name (bytes), joined "name=value&name=value" with
// URL-DECODED values; `sign` = base64(SHA256withRSA(message)) by Alipay's key.
// Mapping (docs/gateways.md):
//   WAIT_BUYER_PAY                 -> nothing (acknowledge)
//   TRADE_SUCCESS, TRADE_FINISHED  -> payment.settle (the same command and key
//                                     for both, so FINISHED after SUCCESS is a repeat)
//   TRADE_CLOSED                   -> payment.fail (gateway_code TRADE_CLOSED)
//   any status with out_biz_no     -> refund.succeed (refund_id = out_biz_no)
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/gateways/notification.h"
#include "events/status.h"

namespace folio::gateways {

struct AlipayConfig {
  // Alipay's public key (PEM, or the bare base64 the Alipay console shows).
  std::string alipay_public_key_pem;
  // Our application id; a notification for another app is rejected.
  std::string app_id;
};

// Checks, in this order (the first failing one decides):
//   1. gateway_config_invalid   the configured key does not parse
//   2. notification_malformed   the form does not parse (bad %XX, repeated name, ...)
//   3. signature_invalid        sign_type not RSA2, sign missing or not base64,
//                               or it does not verify
//   4. gateway_merchant_mismatch app_id is not ours
//   5. notification_malformed   notify_type not trade_status_sync, a required
//                               parameter missing or a bad id
//   6. gateway_unknown_status   trade_status unknown
//   7. amount_* / currency_*    total_amount (or refund_fee) not a positive CNY decimal
// Thread-safe.
Result<Notification> ParseAlipayNotify(std::string_view form_urlencoded_body,
                                       const AlipayConfig& config);

// The body Alipay expects: "success" (stop retrying) or "failure".
std::string AlipayReply(bool ok);

// The signed message of a parsed form (exposed for the sandbox and tests).
std::string AlipaySignedMessage(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace folio::gateways
