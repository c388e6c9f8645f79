// The command JSON format, one command type at a time: parsing. Each command
// has a Spec: its "type", its fields (for unknown_field) and a reader. Field
// order in a reader is the order errors are reported in, and the order of
// docs/commands.md. The writers (RenderCommand) are in command_json_render.cc.
#include "adapters/json/command_json.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <exception>
#include <type_traits>
#include <unordered_set>
#include <utility>

#include "adapters/json/json_codes.h"
#include "adapters/json/json_fields.h"
#include "events/codes.h"

namespace folio::json {
namespace bj = boost::json;
using internal::FieldReader;
using internal::Need;
namespace d = domain;

namespace {

constexpr Need kReq = Need::kRequired;
constexpr Need kOpt = Need::kOptional;

// Fields every command may carry besides its own.
constexpr std::string_view kEnvelopeFields = "type idempotency_key at correlation_id";

// --- readers (one per command; fields in documented order) ---

Status Read(FieldReader& f, d::PaymentCreate* c) {
  RETURN_IF_ERROR(f.Id("payment_id", &c->payment_id, kReq));
  RETURN_IF_ERROR(f.Id("customer_id", &c->customer_id, kReq));
  RETURN_IF_ERROR(f.Id("order_id", &c->order_id, kReq));
  RETURN_IF_ERROR(f.Id("invoice_id", &c->invoice_id, kOpt));
  RETURN_IF_ERROR(f.Method("method", &c->method, kReq));
  RETURN_IF_ERROR(f.Network("network", &c->network, kOpt));
  RETURN_IF_ERROR(f.Amount("amount", &c->amount, kReq));
  RETURN_IF_ERROR(f.Destination("destination", &c->destination, kOpt));
  RETURN_IF_ERROR(f.Id("client_id", &c->client_id, kOpt));
  RETURN_IF_ERROR(f.Id("matter_id", &c->matter_id, kOpt));
  RETURN_IF_ERROR(f.Time("due_at", &c->due_at_ns));
  RETURN_IF_ERROR(f.U32("timeout_s", &c->timeout_s));
  return f.Text("description", &c->description, kOpt);
}

Status Read(FieldReader& f, d::PaymentMarkPending* c) {
  RETURN_IF_ERROR(f.Id("payment_id", &c->payment_id, kReq));
  RETURN_IF_ERROR(f.Id("gateway_trade_no", &c->gateway_trade_no, kOpt));
  return f.Text("qr_payload", &c->qr_payload, kOpt);
}

Status Read(FieldReader& f, d::PaymentObserveConfirmations* c) {
  RETURN_IF_ERROR(f.Id("payment_id", &c->payment_id, kReq));
  RETURN_IF_ERROR(f.Id("tx_hash", &c->tx_hash, kReq));
  RETURN_IF_ERROR(f.U32("confirmations", &c->confirmations, kReq));
  return f.U64("block_height", &c->block_height, kOpt);
}

Status Read(FieldReader& f, d::PaymentSettle* c) {
  RETURN_IF_ERROR(f.Id("payment_id", &c->payment_id, kReq));
  RETURN_IF_ERROR(f.Id("gateway_txn_id", &c->gateway_txn_id, kReq));
  RETURN_IF_ERROR(f.Amount("amount", &c->amount));
  RETURN_IF_ERROR(f.Amount("gateway_fee", &c->gateway_fee));
  return f.Bool("allow_closed", &c->allow_closed, kOpt);
}

Status Read(FieldReader& f, d::PaymentFail* c) {
  RETURN_IF_ERROR(f.Id("payment_id", &c->payment_id, kReq));
  RETURN_IF_ERROR(f.Text("reason", &c->reason, kOpt));
  return f.Text("gateway_code", &c->gateway_code, kOpt);
}

Status Read(FieldReader& f, d::PaymentCancel* c) {
  RETURN_IF_ERROR(f.Id("payment_id", &c->payment_id, kReq));
  return f.Text("reason", &c->reason, kOpt);
}

Status Read(FieldReader& f, d::RefundRequest* c) {
  RETURN_IF_ERROR(f.Id("refund_id", &c->refund_id, kReq));
  RETURN_IF_ERROR(f.Id("payment_id", &c->payment_id, kReq));
  RETURN_IF_ERROR(f.Amount("amount", &c->amount, kReq));
  RETURN_IF_ERROR(f.RefundTarget("target", &c->target, kOpt));
  RETURN_IF_ERROR(f.Text("reason", &c->reason, kOpt));
  RETURN_IF_ERROR(f.Id("credit_id", &c->credit_id, kOpt));
  return f.Time("credit_expires_at", &c->credit_expires_at_ns);
}

Status Read(FieldReader& f, d::RefundSucceed* c) {
  RETURN_IF_ERROR(f.Id("refund_id", &c->refund_id, kReq));
  return f.Id("gateway_refund_id", &c->gateway_refund_id, kOpt);
}

Status Read(FieldReader& f, d::RefundFail* c) {
  RETURN_IF_ERROR(f.Id("refund_id", &c->refund_id, kReq));
  return f.Text("reason", &c->reason, kOpt);
}

Status Read(FieldReader& f, d::CreditIssue* c) {
  RETURN_IF_ERROR(f.Id("credit_id", &c->credit_id, kReq));
  RETURN_IF_ERROR(f.Id("customer_id", &c->customer_id, kReq));
  RETURN_IF_ERROR(f.Amount("amount", &c->amount, kReq));
  RETURN_IF_ERROR(f.Time("expires_at", &c->expires_at_ns));
  return f.Text("reason", &c->reason, kOpt);
}

Status Read(FieldReader& f, d::CreditApply* c) {
  RETURN_IF_ERROR(f.Id("credit_id", &c->credit_id, kReq));
  RETURN_IF_ERROR(f.Id("invoice_id", &c->invoice_id, kReq));
  RETURN_IF_ERROR(f.Amount("amount", &c->amount, kReq));
  return f.Id("application_id", &c->application_id, kOpt);
}

Status Read(FieldReader& f, d::CreditReverse* c) {
  RETURN_IF_ERROR(f.Id("credit_id", &c->credit_id, kReq));
  return f.Text("reason", &c->reason, kOpt);
}

constexpr std::string_view kRuleFields =
    "currency min_amount max_amount daily_limit monthly_limit fee";
constexpr std::string_view kFeeFields = "rate_bp fixed min max";

// A rule's money fields use the rule's own "currency", so a rule is read like
// a small command of its own; its fee object shares the rule's currency.
Status ReadRule(const bj::object& obj, const std::string& path, d::AssetRulesSpec* rule) {
  FieldReader f(obj, path);
  RETURN_IF_ERROR(f.CheckKnown(kRuleFields));
  RETURN_IF_ERROR(f.Currency("currency", &rule->asset, kReq));
  const Money zero(rule->asset, 0);
  rule->min_amount = rule->max_amount = rule->daily_limit = rule->monthly_limit = zero;
  rule->fee.fixed = rule->fee.min = rule->fee.max = zero;
  RETURN_IF_ERROR(f.Amount("min_amount", &rule->min_amount, kOpt));
  RETURN_IF_ERROR(f.Amount("max_amount", &rule->max_amount, kOpt));
  RETURN_IF_ERROR(f.Amount("daily_limit", &rule->daily_limit, kOpt));
  RETURN_IF_ERROR(f.Amount("monthly_limit", &rule->monthly_limit, kOpt));
  const bj::object* fee = nullptr;
  RETURN_IF_ERROR(f.Object("fee", &fee, kOpt));
  if (fee == nullptr) return OkStatus();
  // The fee's amounts are in the rule's currency: give the fee reader a copy
  // of the fee object with the rule's "currency" in it.
  bj::object fee_with_currency = *fee;
  FieldReader ff(fee_with_currency, path + "fee.");
  RETURN_IF_ERROR(ff.CheckKnown(kFeeFields));
  fee_with_currency["currency"] = obj.at("currency");
  RETURN_IF_ERROR(ff.U32("rate_bp", &rule->fee.rate_bp, kOpt));
  RETURN_IF_ERROR(ff.Amount("fixed", &rule->fee.fixed, kOpt));
  RETURN_IF_ERROR(ff.Amount("min", &rule->fee.min, kOpt));
  return ff.Amount("max", &rule->fee.max, kOpt);
}

Status Read(FieldReader& f, d::MethodConfigure* c) {
  RETURN_IF_ERROR(f.Method("method", &c->method, kReq));
  RETURN_IF_ERROR(f.Bool("enabled", &c->enabled, kOpt));
  const bj::array* rules = nullptr;
  RETURN_IF_ERROR(f.Array("rules", &rules, kReq));
  if (rules->size() > kRulesMax) {
    return Status::Error(codes::kInvalidField,
                         f.Name("rules") + ": more than " + std::to_string(kRulesMax) + " rules");
  }
  std::unordered_set<std::uint8_t> seen;
  for (std::size_t i = 0; i < rules->size(); ++i) {
    const std::string element = f.Name("rules") + "[" + std::to_string(i) + "]";
    const std::string path = element + ".";
    const bj::value& v = (*rules)[i];
    if (!v.is_object()) {
      return Status::Error(codes::kInvalidField, element + ": expected an object");
    }
    d::AssetRulesSpec rule;
    RETURN_IF_ERROR(ReadRule(v.get_object(), path, &rule));
    if (!seen.insert(static_cast<std::uint8_t>(rule.asset)).second) {
      return Status::Error(codes::kInvalidField, path + "currency: a second rule for " +
                                                     std::string(AssetCode(rule.asset)));
    }
    c->rules.push_back(rule);
  }
  RETURN_IF_ERROR(f.U32("confirmations_required", &c->confirmations_required));
  return f.U32("payment_timeout_s", &c->payment_timeout_s);
}

Status Read(FieldReader& f, d::CustomerSetPreference* c) {
  RETURN_IF_ERROR(f.Id("customer_id", &c->customer_id, kReq));
  return f.Method("method", &c->method, kReq);
}

Status Read(FieldReader& f, d::TrustDeposit* c) {
  RETURN_IF_ERROR(f.Id("deposit_id", &c->deposit_id, kReq));
  RETURN_IF_ERROR(f.Id("client_id", &c->client_id, kReq));
  RETURN_IF_ERROR(f.Id("matter_id", &c->matter_id, kReq));
  RETURN_IF_ERROR(f.Amount("amount", &c->amount, kReq));
  RETURN_IF_ERROR(f.Method("method", &c->method, kOpt));
  RETURN_IF_ERROR(f.Text("reference", &c->reference, kOpt));
  RETURN_IF_ERROR(f.Text("payer", &c->payer, kOpt));
  return f.Bool("cleared", &c->cleared, kOpt);
}

Status Read(FieldReader& f, d::TrustClearDeposit* c) {
  RETURN_IF_ERROR(f.Id("deposit_id", &c->deposit_id, kReq));
  RETURN_IF_ERROR(f.Id("client_id", &c->client_id, kReq));
  return f.Id("matter_id", &c->matter_id, kReq);
}

Status Read(FieldReader& f, d::TrustDisburse* c) {
  RETURN_IF_ERROR(f.Id("disbursement_id", &c->disbursement_id, kReq));
  RETURN_IF_ERROR(f.Id("client_id", &c->client_id, kReq));
  RETURN_IF_ERROR(f.Id("matter_id", &c->matter_id, kReq));
  RETURN_IF_ERROR(f.Amount("amount", &c->amount, kReq));
  RETURN_IF_ERROR(f.Text("payee", &c->payee, kReq));
  RETURN_IF_ERROR(f.Text("purpose", &c->purpose, kReq));
  return f.Text("reference", &c->reference, kOpt);
}

Status Read(FieldReader& f, d::TrustTransferFees* c) {
  RETURN_IF_ERROR(f.Id("transfer_id", &c->transfer_id, kReq));
  RETURN_IF_ERROR(f.Id("client_id", &c->client_id, kReq));
  RETURN_IF_ERROR(f.Id("matter_id", &c->matter_id, kReq));
  RETURN_IF_ERROR(f.Amount("amount", &c->amount, kReq));
  return f.Id("invoice_id", &c->invoice_id, kReq);
}

Status Read(FieldReader& f, d::TrustRefundClient* c) {
  RETURN_IF_ERROR(f.Id("refund_id", &c->refund_id, kReq));
  RETURN_IF_ERROR(f.Id("client_id", &c->client_id, kReq));
  RETURN_IF_ERROR(f.Id("matter_id", &c->matter_id, kReq));
  RETURN_IF_ERROR(f.Amount("amount", &c->amount, kReq));
  return f.Text("reference", &c->reference, kOpt);
}

Status Read(FieldReader& f, d::ClockAdvance* c) { return f.Time("to", &c->to_ns, kReq); }

// --- the table of command types ---

using ReadFn = Result<d::Command> (*)(FieldReader&);

template <typename T>
Result<d::Command> ReadAs(FieldReader& f) {
  T c;
  RETURN_IF_ERROR(Read(f, &c));
  RETURN_IF_ERROR(f.CheckCurrencyUsed());
  return d::Command(std::move(c));
}

template <typename T, typename V>
struct VariantIndex;
template <typename T, typename... Ts>
struct VariantIndex<T, std::variant<Ts...>> {
  static constexpr std::size_t value = [] {
    std::size_t i = 0;
    const bool found = ((std::is_same_v<T, Ts> || (++i, false)) || ...);
    return found ? i : sizeof...(Ts);
  }();
};

struct Spec {
  std::string_view type;
  std::string_view fields;  // space-separated, besides kEnvelopeFields
  std::size_t index;        // in d::Command
  ReadFn read;
};

template <typename T>
constexpr Spec Make(std::string_view type, std::string_view fields) {
  return {type, fields, VariantIndex<T, d::Command>::value, &ReadAs<T>};
}

// In the order of d::Command's alternatives (checked below).
constexpr std::array<Spec, std::variant_size_v<d::Command>> kSpecs = {{
    Make<d::PaymentCreate>("payment.create",
                           "payment_id customer_id order_id invoice_id method network amount "
                           "currency destination client_id matter_id due_at timeout_s description"),
    Make<d::PaymentMarkPending>("payment.mark_pending", "payment_id gateway_trade_no qr_payload"),
    Make<d::PaymentObserveConfirmations>("payment.observe_confirmations",
                                         "payment_id tx_hash confirmations block_height"),
    Make<d::PaymentSettle>("payment.settle",
                           "payment_id gateway_txn_id amount gateway_fee currency allow_closed"),
    Make<d::PaymentFail>("payment.fail", "payment_id reason gateway_code"),
    Make<d::PaymentCancel>("payment.cancel", "payment_id reason"),
    Make<d::RefundRequest>(
        "refund.request",
        "refund_id payment_id amount currency target reason credit_id credit_expires_at"),
    Make<d::RefundSucceed>("refund.succeed", "refund_id gateway_refund_id"),
    Make<d::RefundFail>("refund.fail", "refund_id reason"),
    Make<d::CreditIssue>("credit.issue", "credit_id customer_id amount currency expires_at reason"),
    Make<d::CreditApply>("credit.apply", "credit_id invoice_id amount currency application_id"),
    Make<d::CreditReverse>("credit.reverse", "credit_id reason"),
    Make<d::MethodConfigure>("method.configure",
                             "method enabled rules confirmations_required payment_timeout_s"),
    Make<d::CustomerSetPreference>("customer.set_preference", "customer_id method"),
    Make<d::TrustDeposit>(
        "trust.deposit",
        "deposit_id client_id matter_id amount currency method reference payer cleared"),
    Make<d::TrustClearDeposit>("trust.clear_deposit", "deposit_id client_id matter_id"),
    Make<d::TrustDisburse>(
        "trust.disburse",
        "disbursement_id client_id matter_id amount currency payee purpose reference"),
    Make<d::TrustTransferFees>("trust.transfer_fees",
                               "transfer_id client_id matter_id amount currency invoice_id"),
    Make<d::TrustRefundClient>("trust.refund_client",
                               "refund_id client_id matter_id amount currency reference"),
    Make<d::ClockAdvance>("clock.advance", "to"),
}};

constexpr bool SpecsInVariantOrder() {
  for (std::size_t i = 0; i < kSpecs.size(); ++i) {
    if (kSpecs[i].index != i) return false;
  }
  return true;
}
static_assert(SpecsInVariantOrder(), "kSpecs must list d::Command's alternatives in order");

const Spec* FindSpec(std::string_view type) {
  for (const Spec& s : kSpecs) {
    if (s.type == type) return &s;
  }
  return nullptr;
}

// `obj` holds the command's own fields and the envelope fields except "type"
// (and, for a body, except "idempotency_key").
Result<ParsedCommand> ParseObject(const Spec& spec, const bj::object& obj,
                                  std::string_view allowed_envelope,
                                  std::optional<std::string_view> header_key) {
  FieldReader f(obj, "");
  RETURN_IF_ERROR(f.CheckKnown(std::string(allowed_envelope) + " " + std::string(spec.fields)));
  ParsedCommand out;
  if (header_key) {
    bj::object key_holder;
    key_holder["idempotency_key"] = bj::string(header_key->data(), header_key->size());
    FieldReader hf(key_holder, "");
    RETURN_IF_ERROR(hf.Id("idempotency_key", &out.idempotency_key, kReq));
  } else {
    RETURN_IF_ERROR(f.Id("idempotency_key", &out.idempotency_key, kReq));
  }
  RETURN_IF_ERROR(f.Time("at", &out.at_ns));
  RETURN_IF_ERROR(f.Id("correlation_id", &out.correlation_id, kOpt));
  ASSIGN_OR_RETURN(out.command, spec.read(f));

  bj::object rest = obj;
  rest.erase("idempotency_key");
  rest.erase("at");
  rest.erase("correlation_id");
  rest["type"] = bj::string(spec.type.data(), spec.type.size());
  internal::AppendCanonical(rest, &out.canonical);
  return out;
}

Status TypeError(std::string_view code, std::string message) {
  return Status::Error(code, std::move(message));
}

Result<ParsedCommand> ParseCommandImpl(std::string_view json_text) {
  ASSIGN_OR_RETURN(bj::value doc, internal::ParseStrict(json_text));
  if (!doc.is_object()) return TypeError(codes::kInvalidJson, "expected a JSON object");
  const bj::object& obj = doc.get_object();
  const bj::value* type = obj.if_contains("type");
  if (type == nullptr) return TypeError(codes::kMissingField, "type: required");
  if (!type->is_string()) return TypeError(codes::kInvalidField, "type: expected a string");
  const bj::string& type_name = type->get_string();
  const Spec* spec = FindSpec(std::string_view(type_name.data(), type_name.size()));
  if (spec == nullptr) {
    const std::string shown =
        type_name.size() <= 64 ? std::string(type_name.data(), type_name.size()) : "(too long)";
    return TypeError(codes::kUnknownCommandType, "type: unknown command type \"" + shown + "\"");
  }
  return ParseObject(*spec, obj, kEnvelopeFields, std::nullopt);
}

Result<ParsedCommand> ParseBodyImpl(std::string_view type, std::string_view json_text,
                                    std::string_view idempotency_key) {
  const Spec* spec = FindSpec(type);
  if (spec == nullptr) {
    return TypeError(codes::kUnknownCommandType,
                     "unknown command type \"" + std::string(type) + "\"");
  }
  ASSIGN_OR_RETURN(bj::value doc, internal::ParseStrict(json_text));
  if (!doc.is_object()) return TypeError(codes::kInvalidJson, "expected a JSON object");
  return ParseObject(*spec, doc.get_object(), "at correlation_id", idempotency_key);
}

Status Unexpected(const char* what) {
  return Status::Error(codes::kInvalidJson, std::string("could not process the input: ") + what);
}

}  // namespace

// The public functions are the edge: no exception (bad_alloc, a Boost.JSON
// throw we did not foresee) leaves them.
Result<ParsedCommand> ParseCommand(std::string_view json_text) {
  try {
    return ParseCommandImpl(json_text);
  } catch (const std::exception& e) {
    return Unexpected(e.what());
  } catch (...) {
    return Unexpected("unknown exception");
  }
}

Result<ParsedCommand> ParseCommandBody(std::string_view type, std::string_view json_text,
                                       std::string_view idempotency_key) {
  try {
    return ParseBodyImpl(type, json_text, idempotency_key);
  } catch (const std::exception& e) {
    return Unexpected(e.what());
  } catch (...) {
    return Unexpected("unknown exception");
  }
}

std::string_view CommandTypeName(const d::Command& command) { return kSpecs[command.index()].type; }

}  // namespace folio::json
