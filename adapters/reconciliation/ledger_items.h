// The ledger's side of a reconciliation: the money movements the ledger
// expects a statement to show, as of a sequence.
//
//   gateway bills (alipay, wechatpay, unionpay): payments of that method (settled ones
//     at their settlement time; unsettled ones so a paid-but-open payment is
//     a status mismatch) and refunds to the original method that succeeded;
//   bank statements (camt053, mt940, csv): movements of `bank:trust`: trust
//     deposits (credits), disbursements, fee transfers and refunds to clients
//     (debits).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/log_store.h"
#include "events/money.h"

namespace folio::reconciliation {

enum class ItemStatus : std::uint8_t { kSettled, kOpen, kClosed };
enum class ItemKind : std::uint8_t {
  kPayment,
  kRefund,
  kTrustDeposit,
  kTrustDisbursement,
  kTrustFeeTransfer,
  kTrustClientRefund
};

struct LedgerItem {
  std::string id;           // payment / refund / deposit / disbursement id
  std::string gateway_ref;  // gateway transaction or refund id; bank reference
  std::string order_ref;    // merchant order number (payments)
  Money amount, fee;        // fee: the gateway fee the ledger recorded; on a refund,
                            // the fee the gateway should give back (the payment's
                            // fee pro rata, half-up; the last refund takes the rest)
  std::int64_t booked_at_ns = 0;
  std::uint64_t seq = 0;             // the event that booked it
  std::string client_id, matter_id;  // trust items
  ItemStatus status = ItemStatus::kSettled;
  ItemKind kind = ItemKind::kPayment;
  bool is_debit = false;  // money out of the account
  bool matched = false;   // set by the matcher
};

enum class LedgerScope : std::uint8_t { kAlipay, kWechatPay, kTrustBank, kUnionPay };

struct LedgerSnapshot {
  std::vector<LedgerItem> items;  // in log order
  std::uint64_t as_of_seq = 0;    // the last sequence read
};

// What a payment's refunds so far took (minor units), for FeeGivenBack.
struct RefundedSoFar {
  u128 amount = 0;    // refunded
  u128 fee_back = 0;  // fee given back
};

// The fee a gateway gives back on `refund` of a payment of `amount` that
// carried `fee`: the fee pro rata, rounded half-up; the refund that completes
// the payment gets the rest, so the fees given back add up to the fee. Call
// once per refund of the payment, in the order they were made; `so_far`
// carries the earlier ones. REQUIRES: amount > 0, all three in one asset.
Money FeeGivenBack(const Money& amount, const Money& fee, const Money& refund,
                   RefundedSoFar* so_far);

// The items as of as_of_seq (0: the head). The trust bank's come from the
// trust projection (through ProjectionView: the projection's rows plus the
// events the projector has not applied yet, read through the verified
// cursor). The gateways' still fold the log up to as_of_seq (no projection
// keeps payments by method with their state yet); envelopes are verified, a
// bad one is corruption.
Result<LedgerSnapshot> ReadLedgerItems(const LogStore& store, LedgerScope scope,
                                       std::uint64_t as_of_seq = 0);

}  // namespace folio::reconciliation
