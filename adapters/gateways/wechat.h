// WeChat Pay API v3 notifications (支付通知 and 退款通知).
//
// Signature: Wechatpay-Signature = base64(SHA256withRSA(message)) by the
// platform certificate's key, where
//   message = Wechatpay-Timestamp "\n" Wechatpay-Nonce "\n" body "\n"
// and the body is the exact bytes received. Wechatpay-Serial names the
// platform certificate. The body's "resource" is AEAD_AES_256_GCM-encrypted
// with the merchant's APIv3 key: key = the 32 bytes of the key, nonce =
// resource.nonce (its bytes), associated data = resource.associated_data,
// input = base64-decoded resource.ciphertext = ciphertext || 16-byte tag.
// Mapping (docs/gateways.md): TRANSACTION.* by trade_state, REFUND.* by
// refund_status.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/gateways/notification.h"
#include "events/status.h"

namespace folio::gateways {

struct WechatConfig {
  // The platform certificate (PEM certificate or public key) WeChat Pay signs with.
  std::string platform_public_key_pem;
  // Its serial; Wechatpay-Serial must equal it (case-insensitive hex).
  std::string platform_serial;
  // The merchant's APIv3 key: exactly 32 bytes.
  std::string apiv3_key;
  // Our merchant id; a resource for another merchant is rejected.
  std::string mchid;
};

// The request headers, verbatim.
struct WechatHeaders {
  std::string timestamp;  // Wechatpay-Timestamp: Unix seconds
  std::string nonce;      // Wechatpay-Nonce
  std::string signature;  // Wechatpay-Signature
  std::string serial;     // Wechatpay-Serial
};

// Largest accepted distance between Wechatpay-Timestamp and now (5 minutes).
inline constexpr std::int64_t kWechatWindowS = 300;

// Checks, in this order (the first failing one decides):
//   1. gateway_config_invalid   the platform key does not parse, apiv3_key not 32 bytes
//   2. notification_malformed   a header is empty, the timestamp not decimal seconds
//   3. signature_expired        |now_s - timestamp| > 300 s
//   4. signature_key_unknown    Wechatpay-Serial is not the configured serial
//   5. signature_invalid        signature not base64, or it does not verify
//   6. notification_malformed   body not a JSON object, resource fields missing,
//                               resource_type / algorithm not the v3 ones,
//                               ciphertext not base64
//   7. notification_undecryptable  AES-256-GCM authentication fails
//   8. notification_malformed   the decrypted resource is not JSON or misses fields
//   9. gateway_merchant_mismatch   resource.mchid is not ours
//  10. gateway_unknown_status   event_type, trade_state or refund_status unknown
//  11. amount_* / currency_unknown   amount.total not a positive integer of fen
// Thread-safe.
Result<Notification> ParseWechatNotify(const WechatHeaders& headers, std::string_view body,
                                       const WechatConfig& config, std::int64_t now_s);

// The reply body: {"code":"SUCCESS","message":"成功"} or {"code":"FAIL","message":...}.
// An empty `message` gives "成功" / "失败".
std::string WechatReply(bool ok, std::string_view message);

// AEAD_AES_256_GCM as WeChat Pay uses it for notification resources and for
// the certificates of /v3/certificates: key = the APIv3 key, IV = the nonce's
// bytes, AAD = associated_data, input = base64(ciphertext || 16-byte tag).
// Errors: notification_malformed (nonce not 1 to 64 bytes, not base64),
// notification_undecryptable (GCM authentication fails).
Result<std::string> WechatDecrypt(std::string_view apiv3_key, std::string_view nonce,
                                  std::string_view associated_data,
                                  std::string_view ciphertext_b64);

// The message WeChat Pay signs: timestamp "\n" nonce "\n" body "\n".
std::string WechatSignedMessage(std::string_view timestamp, std::string_view nonce,
                                std::string_view body);

}  // namespace folio::gateways
