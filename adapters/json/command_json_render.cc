// The command JSON format: rendering a parsed command back to its canonical
// line (RenderCommand). One writer per command type, the opposite of its
// reader in command_json.cc; fields at their defaults are left out.
#include "adapters/json/command_json.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <exception>
#include <string>

#include "adapters/json/json_codes.h"
#include "adapters/json/json_fields.h"
#include "events/codes.h"

namespace folio::json {
namespace bj = boost::json;
using internal::FieldWriter;
namespace d = domain;

namespace {

// --- writers (the opposite of the readers; defaults left out) ---

void Write(const d::PaymentCreate& c, FieldWriter& w) {
  w.Str("payment_id", c.payment_id);
  w.Str("customer_id", c.customer_id);
  w.Str("order_id", c.order_id);
  w.Str("invoice_id", c.invoice_id);
  w.Method("method", c.method);
  w.Str("network", c.network);
  w.Amount("amount", c.amount);
  if (c.destination != fb::Destination::Operating) w.Destination("destination", c.destination);
  w.Str("client_id", c.client_id);
  w.Str("matter_id", c.matter_id);
  w.Time("due_at", c.due_at_ns);
  w.U32("timeout_s", c.timeout_s);
  w.Str("description", c.description);
}

void Write(const d::PaymentMarkPending& c, FieldWriter& w) {
  w.Str("payment_id", c.payment_id);
  w.Str("gateway_trade_no", c.gateway_trade_no);
  w.Str("qr_payload", c.qr_payload);
}

void Write(const d::PaymentObserveConfirmations& c, FieldWriter& w) {
  w.Str("payment_id", c.payment_id);
  w.Str("tx_hash", c.tx_hash);
  w.U32("confirmations", c.confirmations);
  if (c.block_height != 0) w.U64("block_height", c.block_height);
}

void Write(const d::PaymentSettle& c, FieldWriter& w) {
  w.Str("payment_id", c.payment_id);
  w.Str("gateway_txn_id", c.gateway_txn_id);
  w.Amount("amount", c.amount);
  w.Amount("gateway_fee", c.gateway_fee);
  if (c.allow_closed) w.Bool("allow_closed", true);
}

void Write(const d::PaymentFail& c, FieldWriter& w) {
  w.Str("payment_id", c.payment_id);
  w.Str("reason", c.reason);
  w.Str("gateway_code", c.gateway_code);
}

void Write(const d::PaymentCancel& c, FieldWriter& w) {
  w.Str("payment_id", c.payment_id);
  w.Str("reason", c.reason);
}

void Write(const d::RefundRequest& c, FieldWriter& w) {
  w.Str("refund_id", c.refund_id);
  w.Str("payment_id", c.payment_id);
  w.Amount("amount", c.amount);
  if (c.target != fb::RefundTarget::OriginalMethod) w.RefundTarget("target", c.target);
  w.Str("reason", c.reason);
  w.Str("credit_id", c.credit_id);
  w.Time("credit_expires_at", c.credit_expires_at_ns);
}

void Write(const d::RefundSucceed& c, FieldWriter& w) {
  w.Str("refund_id", c.refund_id);
  w.Str("gateway_refund_id", c.gateway_refund_id);
}

void Write(const d::RefundFail& c, FieldWriter& w) {
  w.Str("refund_id", c.refund_id);
  w.Str("reason", c.reason);
}

void Write(const d::CreditIssue& c, FieldWriter& w) {
  w.Str("credit_id", c.credit_id);
  w.Str("customer_id", c.customer_id);
  w.Amount("amount", c.amount);
  w.Time("expires_at", c.expires_at_ns);
  w.Str("reason", c.reason);
}

void Write(const d::CreditApply& c, FieldWriter& w) {
  w.Str("credit_id", c.credit_id);
  w.Str("invoice_id", c.invoice_id);
  w.Amount("amount", c.amount);
  w.Str("application_id", c.application_id);
}

void Write(const d::CreditReverse& c, FieldWriter& w) {
  w.Str("credit_id", c.credit_id);
  w.Str("reason", c.reason);
}

// Zero amounts are the defaults of a rule and are left out; the rule's and the
// fee's money carry the rule's currency, written once as the rule's "currency".
bj::object WriteRule(const d::AssetRulesSpec& rule, FieldWriter& parent) {
  if (AssetCode(rule.asset).empty()) {
    parent.Merge(Status::Error(folio::codes::kCurrencyUnknown, "rules: unregistered asset"));
    return {};
  }
  FieldWriter r(rule.asset);
  auto amount = [](FieldWriter& w, std::string_view key, const Money& m) {
    if (!m.is_zero()) w.Amount(key, m);
  };
  amount(r, "min_amount", rule.min_amount);
  amount(r, "max_amount", rule.max_amount);
  amount(r, "daily_limit", rule.daily_limit);
  amount(r, "monthly_limit", rule.monthly_limit);
  FieldWriter fee(rule.asset);
  if (rule.fee.rate_bp != 0) fee.U32("rate_bp", rule.fee.rate_bp);
  amount(fee, "fixed", rule.fee.fixed);
  amount(fee, "min", rule.fee.min);
  amount(fee, "max", rule.fee.max);
  fee.object().erase("currency");
  if (!fee.object().empty()) r.Put("fee", std::move(fee.object()));
  r.Put("currency", bj::string(AssetCode(rule.asset)));
  parent.Merge(r.status());
  parent.Merge(fee.status());
  return std::move(r.object());
}

void Write(const d::MethodConfigure& c, FieldWriter& w) {
  w.Method("method", c.method);
  if (!c.enabled) w.Bool("enabled", false);
  bj::array rules;
  for (const d::AssetRulesSpec& rule : c.rules) rules.push_back(WriteRule(rule, w));
  w.Put("rules", std::move(rules));
  w.U32("confirmations_required", c.confirmations_required);
  w.U32("payment_timeout_s", c.payment_timeout_s);
}

void Write(const d::CustomerSetPreference& c, FieldWriter& w) {
  w.Str("customer_id", c.customer_id);
  w.Method("method", c.method);
}

void Write(const d::TrustDeposit& c, FieldWriter& w) {
  w.Str("deposit_id", c.deposit_id);
  w.Str("client_id", c.client_id);
  w.Str("matter_id", c.matter_id);
  w.Amount("amount", c.amount);
  if (c.method != fb::Method::BankTransfer) w.Method("method", c.method);
  w.Str("reference", c.reference);
  w.Str("payer", c.payer);
  if (!c.cleared) w.Bool("cleared", false);
}

void Write(const d::TrustClearDeposit& c, FieldWriter& w) {
  w.Str("deposit_id", c.deposit_id);
  w.Str("client_id", c.client_id);
  w.Str("matter_id", c.matter_id);
}

void Write(const d::TrustDisburse& c, FieldWriter& w) {
  w.Str("disbursement_id", c.disbursement_id);
  w.Str("client_id", c.client_id);
  w.Str("matter_id", c.matter_id);
  w.Amount("amount", c.amount);
  w.Str("payee", c.payee);
  w.Str("purpose", c.purpose);
  w.Str("reference", c.reference);
}

void Write(const d::TrustTransferFees& c, FieldWriter& w) {
  w.Str("transfer_id", c.transfer_id);
  w.Str("client_id", c.client_id);
  w.Str("matter_id", c.matter_id);
  w.Amount("amount", c.amount);
  w.Str("invoice_id", c.invoice_id);
}

void Write(const d::TrustRefundClient& c, FieldWriter& w) {
  w.Str("refund_id", c.refund_id);
  w.Str("client_id", c.client_id);
  w.Str("matter_id", c.matter_id);
  w.Amount("amount", c.amount);
  w.Str("reference", c.reference);
}

void Write(const d::ClockAdvance& c, FieldWriter& w) { w.Time("to", c.to_ns); }

}  // namespace

Result<std::string> RenderCommand(const ParsedCommand& parsed) {
  try {
    FieldWriter w;
    std::visit([&w](const auto& c) { Write(c, w); }, parsed.command);
    RETURN_IF_ERROR(w.status());
    bj::object& obj = w.object();
    const std::string_view type = CommandTypeName(parsed.command);
    obj["type"] = bj::string(type.data(), type.size());
    if (!parsed.idempotency_key.empty()) {
      obj["idempotency_key"] = bj::string(parsed.idempotency_key);
    }
    FieldWriter envelope;
    envelope.Time("at", parsed.at_ns);
    envelope.Str("correlation_id", parsed.correlation_id);
    for (auto& kv : envelope.object()) obj[kv.key()] = kv.value();
    std::string out;
    internal::AppendCanonical(obj, &out);
    return out;
  } catch (const std::exception& e) {
    return Status::Error(codes::kInvalidField, std::string("could not render: ") + e.what());
  }
}

}  // namespace folio::json
