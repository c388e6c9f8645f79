// Commands: what a caller asks Folio to do. One struct per command type; the
// JSON form of each (the same for `folio exec` and the HTTP API) is in
// docs/commands.md and parsed by adapters/json/command_json.h.
//
// Amounts are Money (exact u128 minor units). Times are ns since the Unix
// epoch, UTC. Optional fields use std::optional; "absent" and "zero" differ.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "events/hash.h"
#include "events/money.h"
#include "schemas/envelope_generated.h"

namespace folio::domain {

struct PaymentCreate {
  std::string payment_id;
  std::string customer_id;
  std::string order_id;
  std::string invoice_id;
  fb::Method method = fb::Method::Unknown;
  std::string network;  // crypto: "TRC20", "ERC20", "BEP20", "BTC", "ETH"
  Money amount;
  fb::Destination destination = fb::Destination::Operating;
  std::string client_id;                   // destination trust
  std::string matter_id;                   // destination trust
  std::optional<std::int64_t> due_at_ns;   // scheduled payment: payable from then
  std::optional<std::uint32_t> timeout_s;  // Default: the method's payment_timeout_s
  std::string description;
};

struct PaymentMarkPending {
  std::string payment_id;
  std::string gateway_trade_no;
  std::string qr_payload;
};

struct PaymentObserveConfirmations {
  std::string payment_id;
  std::string tx_hash;
  std::uint32_t confirmations = 0;
  std::uint64_t block_height = 0;
};

struct PaymentSettle {
  std::string payment_id;
  std::string gateway_txn_id;
  std::optional<Money> amount;       // Default: the payment's amount; must equal it
  std::optional<Money> gateway_fee;  // fee the gateway reports; Default: the computed fee
  // The gateway's own word that it took the money: recorded even when the
  // payment is closed or past its expiry (the money is then refunded,
  // docs/gateways.md). Set on every gateway fact; an operator may set it too.
  bool allow_closed = false;
};

struct PaymentFail {
  std::string payment_id;
  std::string reason;
  std::string gateway_code;
};

struct PaymentCancel {
  std::string payment_id;
  std::string reason;
};

struct RefundRequest {
  std::string refund_id;
  std::string payment_id;
  Money amount;
  fb::RefundTarget target = fb::RefundTarget::OriginalMethod;
  std::string reason;
  std::string credit_id;  // target credit: the credit to issue
  std::optional<std::int64_t> credit_expires_at_ns;
};

struct RefundSucceed {
  std::string refund_id;
  std::string gateway_refund_id;
};

struct RefundFail {
  std::string refund_id;
  std::string reason;
};

struct CreditIssue {
  std::string credit_id;
  std::string customer_id;
  Money amount;
  std::optional<std::int64_t> expires_at_ns;  // absent: never expires
  std::string reason;
};

struct CreditApply {
  std::string credit_id;
  std::string invoice_id;
  Money amount;
  std::string application_id;
};

struct CreditReverse {
  std::string credit_id;
  std::string reason;
};

struct FeeScheduleSpec {
  std::uint32_t rate_bp = 0;
  Money fixed, min, max;  // max zero: no maximum
};

struct AssetRulesSpec {
  Asset asset = Asset::Unknown;
  Money min_amount, max_amount, daily_limit, monthly_limit;  // zero limit: none
  FeeScheduleSpec fee;
};

struct MethodConfigure {
  fb::Method method = fb::Method::Unknown;
  bool enabled = true;
  std::vector<AssetRulesSpec> rules;  // the accepted assets, exactly
  std::optional<std::uint32_t> confirmations_required;
  std::optional<std::uint32_t> payment_timeout_s;
};

struct CustomerSetPreference {
  std::string customer_id;
  fb::Method method = fb::Method::Unknown;
};

struct TrustDeposit {
  std::string deposit_id;
  std::string client_id;
  std::string matter_id;
  Money amount;
  fb::Method method = fb::Method::BankTransfer;
  std::string reference;
  std::string payer;
  bool cleared = true;
};

struct TrustClearDeposit {
  std::string deposit_id;
  std::string client_id;
  std::string matter_id;
};

struct TrustDisburse {
  std::string disbursement_id;
  std::string client_id;
  std::string matter_id;
  Money amount;
  std::string payee;
  std::string purpose;
  std::string reference;
};

struct TrustTransferFees {
  std::string transfer_id;
  std::string client_id;
  std::string matter_id;
  Money amount;
  std::string invoice_id;
};

struct TrustRefundClient {
  std::string refund_id;
  std::string client_id;
  std::string matter_id;
  Money amount;
  std::string reference;
};

// Runs the scheduler up to `to_ns`: expiries, payments falling due, credit expiry.
struct ClockAdvance {
  std::int64_t to_ns = 0;
};

using Command =
    std::variant<PaymentCreate, PaymentMarkPending, PaymentObserveConfirmations, PaymentSettle,
                 PaymentFail, PaymentCancel, RefundRequest, RefundSucceed, RefundFail, CreditIssue,
                 CreditApply, CreditReverse, MethodConfigure, CustomerSetPreference, TrustDeposit,
                 TrustClearDeposit, TrustDisburse, TrustTransferFees, TrustRefundClient,
                 ClockAdvance>;

// Who asked, and when; recorded in every envelope the command produces.
struct CommandContext {
  std::string actor;
  std::string idempotency_key;
  // Set by the writer from the request (engine/append.h), recorded in the
  // envelopes so the request's idempotency record can be rebuilt from the log.
  std::string idempotency_scope;
  Hash32 request_fingerprint{};
  std::string correlation_id;
  std::int64_t now_ns = 0;
};

}  // namespace folio::domain
