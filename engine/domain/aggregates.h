// Aggregate state of the domain: one struct per aggregate, its key in the
// StateStore and its deterministic encoding (grammar in codec.h; each value
// starts with kStateVersion). Keys:
//
//   payment/{id}                 PaymentState
//   refund/{id}                  RefundState
//   credit/{id}                  CreditState (also reserved by a refund to credit)
//   method/{name}                MethodConfig (absent: the method's defaults)
//   customer/{id}                CustomerState
//   trust/{client}/{matter}      TrustMatter
//   trust_deposit/{id}           TrustDepositState
//   trust_txn/{id}               marker: a disbursement, fee transfer or refund id is used
//   limits/{customer}/{method}/{asset}/d{yyyymmdd} | m{yyyymm}   u128 used
//   sched/{be64 time}{kind}{id}  schedule entry (scheduler.h)
//
// Ids never contain '/' or ':' (checked by every command), so keys and stream
// ids cannot collide.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/state_store.h"
#include "events/money.h"
#include "schemas/envelope_generated.h"

namespace folio::domain {

inline constexpr std::uint8_t kStateVersion = 1;

enum class PaymentStatus : std::uint8_t {
  kScheduled = 0,   // created, due in the future
  kCreated = 1,     // payable
  kPending = 2,     // pending at the gateway
  kConfirming = 3,  // crypto: confirmations being collected
  kSettled = 4,
  kFailed = 5,
  kCancelled = 6,
  kExpired = 7,
};

struct PaymentState {
  PaymentStatus status = PaymentStatus::kCreated;
  std::string customer_id, order_id, invoice_id, client_id, matter_id;
  fb::Method method = fb::Method::Unknown;
  fb::Destination destination = fb::Destination::Operating;
  Money amount, fee;
  std::int64_t created_at_ns = 0, due_at_ns = 0, expires_at_ns = 0;
  std::uint32_t confirmations = 0;
  Money settled, gateway_fee;
  Money refunded;  // sum of succeeded refunds
  Money held;      // sum of requested refunds not yet succeeded or failed
};

enum class RefundStatus : std::uint8_t { kRequested = 0, kSucceeded = 1, kFailed = 2 };

struct RefundState {
  RefundStatus status = RefundStatus::kRequested;
  std::string payment_id, credit_id;
  Money amount;
  fb::RefundTarget target = fb::RefundTarget::OriginalMethod;
  std::int64_t credit_expires_at_ns = 0;
};

enum class CreditStatus : std::uint8_t {
  kReserved = 0,  // id taken by a requested refund to credit; not usable yet
  kActive = 1,
  kExpired = 2,
  kReversed = 3,
};

struct CreditState {
  CreditStatus status = CreditStatus::kActive;
  std::string customer_id;
  Money issued, remaining;
  std::int64_t expires_at_ns = 0;  // 0 = never
};

struct AssetRules {
  Asset asset = Asset::Unknown;
  Money min_amount, max_amount, daily_limit, monthly_limit;  // zero: none
  std::uint32_t fee_rate_bp = 0;
  Money fee_fixed, fee_min, fee_max;  // fee_max zero: no maximum
};

struct MethodConfig {
  bool enabled = true;
  std::vector<AssetRules> rules;  // the accepted assets
  std::uint32_t confirmations_required = 0;
  std::uint32_t payment_timeout_s = 0;  // 0: payments never expire
  const AssetRules* RulesFor(Asset asset) const;
};

inline constexpr std::size_t kMethodCount = 11;  // fb::Method values 0..10

struct CustomerState {
  fb::Method preference = fb::Method::Unknown;  // Unknown: none set
  std::array<std::uint64_t, kMethodCount> settled_count{};
};

struct TrustBalance {
  Asset asset = Asset::Unknown;
  u128 cleared = 0, uncleared = 0;
};

struct TrustMatter {
  std::vector<TrustBalance> balances;  // sorted by asset, one per asset
  TrustBalance Get(Asset asset) const;
  TrustBalance& Mutable(Asset asset);
};

struct TrustDepositState {
  std::string client_id, matter_id;
  Money amount;
  bool cleared = true;
};

// Keys.
std::string PaymentKey(std::string_view id);
std::string RefundKey(std::string_view id);
std::string CreditKey(std::string_view id);
std::string MethodKey(fb::Method method);
std::string CustomerKey(std::string_view id);
std::string TrustMatterKey(std::string_view client, std::string_view matter);
std::string TrustDepositKey(std::string_view id);
std::string TrustTxnKey(std::string_view id);

// The refund requested for money a gateway took after its payment was
// closed: "late<payment>" (a long id is shortened with its hash, so that
// the refund id stays a valid id).
std::string LateRefundId(std::string_view payment_id);

// Encoding. Decode aborts on bytes it did not write (see codec.h).
std::string Encode(const PaymentState& s);
std::string Encode(const RefundState& s);
std::string Encode(const CreditState& s);
std::string Encode(const MethodConfig& s);
std::string Encode(const CustomerState& s);
std::string Encode(const TrustMatter& s);
std::string Encode(const TrustDepositState& s);
void Decode(std::string_view in, PaymentState* s);
void Decode(std::string_view in, RefundState* s);
void Decode(std::string_view in, CreditState* s);
void Decode(std::string_view in, MethodConfig* s);
void Decode(std::string_view in, CustomerState* s);
void Decode(std::string_view in, TrustMatter* s);
void Decode(std::string_view in, TrustDepositState* s);

// Loads and decodes `key`; nullopt when absent.
template <typename T>
std::optional<T> LoadAs(StateStore& state, std::string_view key) {
  std::optional<std::string> bytes = state.Load(key);
  if (!bytes) return std::nullopt;
  T value;
  Decode(*bytes, &value);
  return value;
}

template <typename T>
void StoreAs(StateStore& state, std::string_view key, const T& value) {
  state.Store(key, Encode(value));
}

}  // namespace folio::domain
