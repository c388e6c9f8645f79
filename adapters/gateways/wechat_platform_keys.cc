#include "adapters/gateways/wechat_platform_keys.h"

#include <algorithm>
#include <mutex>

#include "adapters/gateways/gateway_codes.h"
#include "adapters/gateways/parse_support.h"
#include "adapters/gateways/wechat.h"
#include "adapters/gateways/wechat_cert.h"

namespace folio::gateways {

// REQUIRES: timestamps within 12 digits, so the window arithmetic cannot overflow.
Result<WechatSignedHeaders> ReadWechatSignedHeaders(const InboundResponse& r, std::int64_t now_s) {
  if (r.body.size() > kMaxResponseBytes) {
    return Status::Error(codes::kGatewayResponseInvalid,
                         "body of " + std::to_string(r.body.size()) + " bytes is over the limit");
  }
  WechatSignedHeaders h{r.Header("wechatpay-timestamp"), r.Header("wechatpay-nonce"),
                        r.Header("wechatpay-signature"), r.Header("wechatpay-serial")};
  if (h.timestamp.empty() || h.nonce.empty() || h.signature.empty() || h.serial.empty()) {
    return Status::Error(codes::kSignatureInvalid, "a Wechatpay-* header is missing");
  }
  if (h.timestamp.size() > 12 || !std::all_of(h.timestamp.begin(), h.timestamp.end(),
                                              [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::Error(codes::kSignatureInvalid, "Wechatpay-Timestamp is not decimal seconds");
  }
  const std::int64_t ts = std::stoll(std::string(h.timestamp));  // <= 12 digits: no throw
  RETURN_IF_ERROR(internal::CheckWindow(ts, now_s, kWechatResponseWindowS));
  return h;
}

Status VerifyWechatSignature(const WechatPlatformKey& key, const WechatSignedHeaders& h,
                             std::string_view body, std::int64_t now_s) {
  if (now_s > key.not_after_s || now_s < key.not_before_s) {
    return Status::Error(codes::kSignatureExpired,
                         "platform certificate " + key.serial + " is not valid now");
  }
  const std::optional<std::string> sig = crypto::Base64Decode(h.signature);
  if (!sig) return Status::Error(codes::kSignatureInvalid, "Wechatpay-Signature is not base64");
  if (!crypto::VerifySha256Rsa(key.key.get(), WechatSignedMessage(h.timestamp, h.nonce, body),
                               *sig)) {
    return Status::Error(codes::kSignatureInvalid, "Wechatpay-Signature does not verify");
  }
  return OkStatus();
}

void WechatPlatformKeys::Install(std::vector<std::shared_ptr<const WechatPlatformKey>> keys) {
  std::unique_lock lock(mu_);
  for (auto& k : keys) {
    std::erase_if(keys_, [&](const auto& old) { return old->serial == k->serial; });
    keys_.push_back(std::move(k));
  }
  if (keys_.size() > kKeysMax) {
    std::sort(keys_.begin(), keys_.end(),
              [](const auto& a, const auto& b) { return a->not_after_s > b->not_after_s; });
    keys_.resize(kKeysMax);
  }
}

std::shared_ptr<const WechatPlatformKey> WechatPlatformKeys::Find(std::string_view serial) const {
  std::shared_lock lock(mu_);
  for (const auto& k : keys_) {
    if (k->serial == serial || SameCertSerial(k->serial, serial)) return k;
  }
  return nullptr;
}

std::size_t WechatPlatformKeys::size() const {
  std::shared_lock lock(mu_);
  return keys_.size();
}

Status VerifyWechatResponse(const InboundResponse& response, const WechatPlatformKeys& keys,
                            std::int64_t now_s) {
  ASSIGN_OR_RETURN(WechatSignedHeaders h, ReadWechatSignedHeaders(response, now_s));
  const std::shared_ptr<const WechatPlatformKey> key = keys.Find(h.serial);
  if (!key) {
    return Status::Error(codes::kSignatureKeyUnknown,
                         "no platform key with serial " + std::string(h.serial));
  }
  return VerifyWechatSignature(*key, h, response.body, now_s);
}

bool NeedsWechatCertificateRefresh(const Status& s) {
  return s.code() == codes::kSignatureKeyUnknown;
}

}  // namespace folio::gateways
