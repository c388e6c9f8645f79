#include "adapters/gateways/hmac_notify.h"

#include <boost/json/object.hpp>

#include <cassert>
#include <limits>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/parse_support.h"
#include "events/codes.h"

namespace folio::gateways {
namespace {

namespace bj = boost::json;
using internal::JsonId;
using internal::JsonOptionalString;
using internal::JsonString;
using internal::Malformed;

Status CheckNonce(std::string_view nonce) {
  if (nonce.empty() || nonce.size() > kNonceBytesMax) {
    return Malformed("X-Folio-Nonce must be 1 to 128 characters");
  }
  for (char c : nonce) {
    if (c <= 0x20 || c >= 0x7f) return Malformed("X-Folio-Nonce must be printable ASCII");
  }
  return OkStatus();
}

// Steps 1 to 5 of the documented order.
Status Authenticate(const HmacHeaders& h, std::string_view body, const HmacConfig& config,
                    NonceCache& nonces, std::int64_t now_s) {
  if (config.secret.empty()) {
    return Status::Error(codes::kGatewayConfigInvalid, "the HMAC secret is empty");
  }
  if (h.signature.empty()) return Malformed("X-Folio-Signature is missing");
  ASSIGN_OR_RETURN(std::int64_t ts, internal::ParseUnixSeconds("X-Folio-Timestamp", h.timestamp));
  RETURN_IF_ERROR(CheckNonce(h.nonce));
  RETURN_IF_ERROR(internal::CheckWindow(ts, now_s, config.window_s));
  const std::optional<std::string> given = crypto::HexDecode(h.signature);
  if (!given || given->size() != 32) {
    return Status::Error(codes::kSignatureInvalid, "X-Folio-Signature must be 64 hex digits");
  }
  const std::string expected =
      crypto::HmacSha256(config.secret, HmacSignedMessage(h.timestamp, h.nonce, body));
  if (!crypto::ConstantTimeEqual(*given, expected)) {
    return Status::Error(codes::kSignatureInvalid, "X-Folio-Signature does not verify");
  }
  if (!nonces.CheckAndInsert(h.nonce, ts, now_s)) {
    return Status::Error(codes::kNotificationReplayed, "X-Folio-Nonce was already used");
  }
  return OkStatus();
}

Result<std::string> Text(const bj::object& body, std::string_view key) {
  ASSIGN_OR_RETURN(std::string v, JsonString(body, key));
  if (v.empty()) return Malformed("field " + std::string(key) + " is empty");
  return v;
}

Result<Notification> MapChain(const bj::object& body) {
  ASSIGN_OR_RETURN(std::string type, JsonString(body, "type"));
  ASSIGN_OR_RETURN(std::string payment_id, JsonId(body, "payment_id"));
  ASSIGN_OR_RETURN(std::string tx_hash, JsonId(body, "tx_hash"));
  Notification n;
  n.gateway = Gateway::kChain;
  n.gateway_status = type;
  if (type == "confirmations") {
    ASSIGN_OR_RETURN(std::uint64_t confirmations,
                     internal::JsonUnsigned(body, "confirmations", false));
    ASSIGN_OR_RETURN(std::uint64_t height, internal::JsonUnsigned(body, "block_height", false));
    if (confirmations > std::numeric_limits<std::uint32_t>::max()) {
      return Malformed("confirmations does not fit 32 bits");
    }
    n.dedupe_key = "chain:" + tx_hash + ":" + std::to_string(confirmations);
    n.command = domain::PaymentObserveConfirmations{
        payment_id, tx_hash, static_cast<std::uint32_t>(confirmations), height};
  } else if (type == "failed") {
    ASSIGN_OR_RETURN(std::string reason, Text(body, "reason"));
    n.dedupe_key = "chain:failed:" + tx_hash;
    n.command = domain::PaymentFail{payment_id, reason, "chain_failed"};
  } else {
    return internal::UnknownStatus("type " + type);
  }
  return n;
}

Result<Money> GenericAmount(const bj::object& body, std::string_view key) {
  ASSIGN_OR_RETURN(std::string currency, Text(body, "currency"));
  ASSIGN_OR_RETURN(std::string decimal, JsonString(body, key));
  const std::optional<Asset> asset = AssetFromCode(currency);
  if (!asset) return Status::Error(folio::codes::kCurrencyUnknown, "currency " + currency);
  return internal::PositiveAmount(key, decimal, *asset);
}

Result<domain::Command> GenericCommand(const bj::object& body, std::string_view type) {
  if (type.rfind("refund.", 0) == 0) {
    ASSIGN_OR_RETURN(std::string refund_id, JsonId(body, "refund_id"));
    if (type == "refund.succeeded") {
      ASSIGN_OR_RETURN(std::string gateway_refund_id, JsonId(body, "gateway_refund_id"));
      return domain::Command(domain::RefundSucceed{refund_id, gateway_refund_id});
    }
    if (type == "refund.failed") {
      ASSIGN_OR_RETURN(std::string reason, Text(body, "reason"));
      return domain::Command(domain::RefundFail{refund_id, reason});
    }
    return internal::UnknownStatus("type " + std::string(type));
  }
  ASSIGN_OR_RETURN(std::string payment_id, JsonId(body, "payment_id"));
  if (type == "payment.pending") {
    ASSIGN_OR_RETURN(std::string trade_no, JsonId(body, "gateway_txn_id"));
    const std::string qr = JsonOptionalString(body, "qr_payload").value_or("");
    return domain::Command(domain::PaymentMarkPending{payment_id, trade_no, qr});
  }
  if (type == "payment.succeeded") {
    ASSIGN_OR_RETURN(std::string txn_id, JsonId(body, "gateway_txn_id"));
    ASSIGN_OR_RETURN(Money amount, GenericAmount(body, "amount"));
    std::optional<Money> fee;
    if (body.contains("fee")) {
      ASSIGN_OR_RETURN(std::string decimal, JsonString(body, "fee"));
      ASSIGN_OR_RETURN(Money f, Money::Parse(decimal, amount.asset()));
      fee = f;
    }
    return domain::Command(domain::PaymentSettle{payment_id, txn_id, amount, fee});
  }
  if (type == "payment.failed") {
    ASSIGN_OR_RETURN(std::string reason, Text(body, "reason"));
    const std::string code = JsonOptionalString(body, "gateway_code").value_or("");
    return domain::Command(domain::PaymentFail{payment_id, reason, code});
  }
  if (type == "payment.cancelled") {
    ASSIGN_OR_RETURN(std::string reason, Text(body, "reason"));
    return domain::Command(domain::PaymentCancel{payment_id, reason});
  }
  return internal::UnknownStatus("type " + std::string(type));
}

}  // namespace

NonceCache::NonceCache(std::size_t capacity, std::int64_t window_s)
    : capacity_(capacity), window_s_(window_s), floor_s_(std::numeric_limits<std::int64_t>::min()) {
  assert(capacity > 0 && window_s >= 0);
}

void NonceCache::EvictOldestLocked() {
  const auto oldest = by_time_.begin();
  floor_s_ = std::max(floor_s_, oldest->first);
  by_nonce_.erase(oldest->second);
  by_time_.erase(oldest);
}

bool NonceCache::CheckAndInsert(std::string_view nonce, std::int64_t ts_s, std::int64_t now_s) {
  std::lock_guard<std::mutex> lock(mu_);
  // Forget what the window already rejects.
  while (!by_time_.empty() && by_time_.begin()->first < now_s - window_s_) EvictOldestLocked();
  if (ts_s < now_s - window_s_ || ts_s > now_s + window_s_) return false;
  if (ts_s <= floor_s_) return false;
  if (by_nonce_.find(nonce) != by_nonce_.end()) return false;
  if (by_nonce_.size() >= capacity_) {
    if (ts_s <= by_time_.begin()->first) return false;  // would be the one forgotten
    EvictOldestLocked();
  }
  by_nonce_.emplace(std::string(nonce), ts_s);
  by_time_.emplace(ts_s, std::string(nonce));
  return true;
}

std::size_t NonceCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_nonce_.size();
}

std::string HmacSignedMessage(std::string_view timestamp, std::string_view nonce,
                              std::string_view body) {
  std::string m;
  m.reserve(timestamp.size() + nonce.size() + body.size() + 2);
  m.append(timestamp).append(".").append(nonce).append(".").append(body);
  return m;
}

std::string HmacSignature(std::string_view secret, std::string_view timestamp,
                          std::string_view nonce, std::string_view body) {
  return crypto::HexLower(crypto::HmacSha256(secret, HmacSignedMessage(timestamp, nonce, body)));
}

Result<Notification> ParseChainNotify(const HmacHeaders& headers, std::string_view json_body,
                                      const HmacConfig& config, NonceCache& nonces,
                                      std::int64_t now_s) {
  RETURN_IF_ERROR(Authenticate(headers, json_body, config, nonces, now_s));
  ASSIGN_OR_RETURN(bj::object body, internal::ParseJsonObject(json_body, "body"));
  RETURN_IF_ERROR(JsonId(body, "id").status());
  return MapChain(body);
}

Result<Notification> ParseGenericNotify(const HmacHeaders& headers, std::string_view json_body,
                                        const HmacConfig& config, NonceCache& nonces,
                                        std::int64_t now_s) {
  RETURN_IF_ERROR(Authenticate(headers, json_body, config, nonces, now_s));
  ASSIGN_OR_RETURN(bj::object body, internal::ParseJsonObject(json_body, "body"));
  ASSIGN_OR_RETURN(std::string id, JsonId(body, "id"));
  ASSIGN_OR_RETURN(std::string type, JsonString(body, "type"));
  ASSIGN_OR_RETURN(domain::Command command, GenericCommand(body, type));
  Notification n;
  n.gateway = Gateway::kGeneric;
  n.gateway_status = type;
  n.dedupe_key = "generic:" + id;
  n.command = std::move(command);
  return n;
}

}  // namespace folio::gateways
