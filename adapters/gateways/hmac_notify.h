// The HMAC scheme of the crypto chain watcher and the generic gateway.
//
// Headers: X-Folio-Timestamp (Unix seconds, decimal), X-Folio-Nonce (1 to 128
// printable ASCII characters, unique per notification), X-Folio-Signature
// (64 hex digits). The signed message is
//   timestamp "." nonce "." body
// (the exact header strings and body bytes), and
//   signature = hex(HMAC-SHA256(secret, message)).
// The nonce is inside the MAC so that a captured request cannot be replayed
// under a fresh nonce. Verification compares in constant time (CRYPTO_memcmp),
// rejects timestamps more than window_s away from now, and records the nonce
// in a NonceCache after the signature verified (unsigned junk cannot fill the
// cache). Bodies are JSON; their fields are in docs/gateways.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "adapters/gateways/notification.h"
#include "events/status.h"

namespace folio::gateways {

inline constexpr std::string_view kHmacTimestampHeader = "X-Folio-Timestamp";
inline constexpr std::string_view kHmacNonceHeader = "X-Folio-Nonce";
inline constexpr std::string_view kHmacSignatureHeader = "X-Folio-Signature";
inline constexpr std::size_t kNonceBytesMax = 128;

// Remembers the nonces of accepted notifications for as long as their
// timestamps are inside the window. Bounded: at most `capacity` nonces. When
// full, the oldest is forgotten and every timestamp at or before it is
// refused from then on (a "floor"), so a forgotten nonce can never be
// replayed; under such pressure a legitimate sender retries with a fresh
// timestamp. Construct it with the window of the HmacConfig it serves (a
// shorter one refuses valid notifications as replays). Memory: about
// capacity * (nonce size + 100) bytes. Thread-safe.
class NonceCache {
 public:
  // REQUIRES: capacity > 0, window_s >= 0.
  explicit NonceCache(std::size_t capacity, std::int64_t window_s);

  // True, and the nonce is recorded, when `nonce` was not seen, `ts_s` is
  // within window_s of `now_s` and above the floor. False otherwise.
  bool CheckAndInsert(std::string_view nonce, std::int64_t ts_s, std::int64_t now_s);

  std::size_t size() const;

 private:
  void EvictOldestLocked();

  const std::size_t capacity_;
  const std::int64_t window_s_;
  mutable std::mutex mu_;
  std::map<std::string, std::int64_t, std::less<>> by_nonce_;  // nonce -> ts
  std::set<std::pair<std::int64_t, std::string>> by_time_;     // (ts, nonce)
  std::int64_t floor_s_;                                       // timestamps <= floor_s_ are refused
};

struct HmacConfig {
  std::string secret;           // REQUIRES: non-empty (gateway_config_invalid otherwise)
  std::int64_t window_s = 300;  // Default: 5 minutes either side of now
};

// The request headers, verbatim.
struct HmacHeaders {
  std::string timestamp, nonce, signature;
};

// The message signed: timestamp "." nonce "." body.
std::string HmacSignedMessage(std::string_view timestamp, std::string_view nonce,
                              std::string_view body);
// hex(HMAC-SHA256(secret, HmacSignedMessage(...))), lower case.
std::string HmacSignature(std::string_view secret, std::string_view timestamp,
                          std::string_view nonce, std::string_view body);

// Checks, in this order (the first failing one decides):
//   1. gateway_config_invalid   empty secret
//   2. notification_malformed   a header missing, timestamp not decimal
//                               seconds, nonce longer than 128 or not printable
//   3. signature_expired        |now_s - timestamp| > window_s
//   4. signature_invalid        signature not 64 hex digits, or not equal
//   5. notification_replayed    the nonce was already accepted (or is below the floor)
//   6. notification_malformed   body not a JSON object, fields missing or mistyped
//   7. gateway_unknown_status   "type" unknown
//   8. amount_* / currency_*    (generic) amount fields
// Thread-safe (the cache is).
// Chain watcher body: {"id","type":"confirmations"|"failed","payment_id",
// "tx_hash","confirmations","block_height","reason"}.
Result<Notification> ParseChainNotify(const HmacHeaders& headers, std::string_view json_body,
                                      const HmacConfig& config, NonceCache& nonces,
                                      std::int64_t now_s);
// Generic gateway body: {"id","type":"payment.pending"|"payment.succeeded"|
// "payment.failed"|"payment.cancelled"|"refund.succeeded"|"refund.failed", ...}.
Result<Notification> ParseGenericNotify(const HmacHeaders& headers, std::string_view json_body,
                                        const HmacConfig& config, NonceCache& nonces,
                                        std::int64_t now_s);

}  // namespace folio::gateways
