// WeChat Pay platform keys and the signature of WeChat Pay's API answers.
//
//   message             = Wechatpay-Timestamp "\n" Wechatpay-Nonce "\n" body "\n"
//   Wechatpay-Signature = base64(SHA256withRSA(platform key, message))
//
// The key is the one Wechatpay-Serial names: a platform certificate
// downloaded from /v3/certificates (WechatApiCodec::LoadCertificates), or
// the configured WeChat Pay public key ("PUB_KEY_ID_..."). Pure: no I/O, no
// clock (now_s is passed in).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/gateway_api.h"
#include "events/status.h"

namespace folio::gateways {

// Largest accepted distance between Wechatpay-Timestamp and now (5 minutes).
inline constexpr std::int64_t kWechatResponseWindowS = 300;

// One platform key, by its serial.
struct WechatPlatformKey {
  std::string serial;  // certificate serial (upper-case hex) or public key id
  std::int64_t not_before_s = INT64_MIN;
  std::int64_t not_after_s = INT64_MAX;  // the certificate's expire_time
  crypto::Pkey key;
};

// The platform keys answers are verified with. Thread-safe: any number of
// concurrent Find() with one writer (Install); a verification keeps the key
// it found alive even if an Install replaces it meanwhile (OpenSSL 3 allows
// concurrent verifications with one EVP_PKEY).
class WechatPlatformKeys {
 public:
  // Most keys kept; installing more drops the ones that expire first.
  static constexpr std::size_t kKeysMax = 16;

  // Adds the keys, replacing any with the same serial. All or nothing.
  void Install(std::vector<std::shared_ptr<const WechatPlatformKey>> keys);
  // The key named `serial` (certificate serials compare as hex numbers, a
  // public key id exactly); nullptr when unknown.
  std::shared_ptr<const WechatPlatformKey> Find(std::string_view serial) const;
  std::size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::shared_ptr<const WechatPlatformKey>> keys_;  // guarded by mu_
};

// Checks, in this order (the first failing one decides):
//   1. gateway_response_invalid  body larger than kMaxResponseBytes
//   2. signature_invalid   a Wechatpay-* header missing, the timestamp not
//                          1 to 12 decimal digits
//   3. signature_expired   |now_s - Wechatpay-Timestamp| > 300 s
//   4. signature_key_unknown  no key with that serial (refresh: see below)
//   5. signature_expired   the key's certificate is expired (or not yet valid)
//   6. signature_invalid   the signature is not base64 or does not verify
Status VerifyWechatResponse(const InboundResponse& response, const WechatPlatformKeys& keys,
                            std::int64_t now_s);

// True when `s` is signature_key_unknown: refresh the certificates once, then
// verify (parse) the same response again. Any other error: do not refresh.
bool NeedsWechatCertificateRefresh(const Status& s);

// The signature headers of one answer (views into it), read and
// window-checked: checks 1-3 of VerifyWechatResponse.
struct WechatSignedHeaders {
  std::string_view timestamp, nonce, signature, serial;
};
Result<WechatSignedHeaders> ReadWechatSignedHeaders(const InboundResponse& response,
                                                    std::int64_t now_s);
// Checks 5-6 of VerifyWechatResponse with `key`.
Status VerifyWechatSignature(const WechatPlatformKey& key, const WechatSignedHeaders& headers,
                             std::string_view body, std::int64_t now_s);

}  // namespace folio::gateways
