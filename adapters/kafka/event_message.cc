#include "adapters/kafka/event_message.h"

#include <charconv>

#include <boost/json.hpp>

#include "adapters/json/rfc3339.h"
#include "engine/domain/methods.h"
#include "events/money.h"

namespace folio::kafka {
namespace {

std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

std::string MoneyAmount(const fb::Money* m) {
  if (m == nullptr) return "";
  Money money = Money::FromFb(*m);
  if (AssetCode(money.asset()).empty()) return U128ToString(money.minor());
  return money.ToString();
}

std::string Currency(const fb::Money* m) {
  return m ? std::string(AssetCode(Money::FromFb(*m).asset())) : std::string();
}

// When the event happened: occurred_at, else when it was recorded.
std::int64_t WhenNs(const fb::Envelope& env) {
  return env.occurred_at_ns() != 0 ? env.occurred_at_ns() : env.recorded_at_ns();
}

std::string When(const fb::Envelope& env) { return json::FormatRfc3339(WhenNs(env)); }

}  // namespace

void EventHeaders(const fb::Envelope& env, std::string_view ce_source, Header (&out)[8]) {
  // Values are rebuilt in place, so an `out` reused across events (the
  // relay's) allocates nothing after the first one.
  static constexpr std::string_view kNames[8] = {"ce_specversion", "ce_id",    "ce_source",
                                                 "ce_type",        "ce_time",  "content-type",
                                                 kHeaderSeq,       kHeaderHash};
  for (int i = 0; i < 8; ++i) {
    out[i].name = kNames[i];
    out[i].value.clear();
  }
  out[0].value = "1.0";
  if (const fb::Uuid* id = env.event_id()) AppendUuid(&out[1].value, {id->hi(), id->lo()});
  out[2].value = ce_source;
  out[3].value.append("folio.").append(fb::EnumNameEvent(env.event_type()));
  json::AppendRfc3339(&out[4].value, WhenNs(env));
  out[5].value = kEnvelopeContentType;
  char seq[20];
  out[6].value.append(seq, std::to_chars(seq, seq + sizeof seq, env.seq()).ptr);
  if (env.hash()) AppendHex(&out[7].value, {env.hash()->bytes()->data(), 32});
}

IntegrationKind IntegrationKindOf(const fb::Envelope& env) {
  switch (env.event_type()) {
    case fb::Event::PaymentSettled:
      return IntegrationKind::kSettled;
    case fb::Event::PaymentFailed:
      return IntegrationKind::kFailed;
    case fb::Event::RefundSucceeded:
      return IntegrationKind::kRefunded;
    case fb::Event::CreditIssued:
      return IntegrationKind::kCredited;
    default:
      return IntegrationKind::kNone;
  }
}

std::string_view IntegrationKey(const fb::Envelope& env) {
  const flatbuffers::String* id = nullptr;
  if (auto* s = env.event_as_PaymentSettled()) id = s->payment_id();
  if (auto* f = env.event_as_PaymentFailed()) id = f->payment_id();
  if (auto* r = env.event_as_RefundSucceeded()) id = r->refund_id();
  if (auto* c = env.event_as_CreditIssued()) id = c->credit_id();
  return id ? id->string_view() : env.stream_id()->string_view();
}

std::optional<PaymentContext> ContextOfCreated(const fb::Envelope& env) {
  const fb::PaymentCreated* c = env.event_as_PaymentCreated();
  if (c == nullptr) return std::nullopt;
  return PaymentContext{Str(c->order_id()), Str(c->customer_id()), MoneyAmount(c->amount()),
                        Currency(c->amount()), std::string(domain::MethodName(c->method()))};
}

std::string IntegrationJson(const fb::Envelope& env, const PaymentContext* created) {
  boost::json::object o;
  if (const fb::RefundSucceeded* r = env.event_as_RefundSucceeded()) {
    o["refundId"] = Str(r->refund_id());
    o["paymentId"] = Str(r->payment_id());
    o["userId"] = Str(r->customer_id());
    o["amount"] = MoneyAmount(r->amount());
    o["currency"] = Currency(r->amount());
    o["method"] = std::string(domain::MethodName(r->method()));
    o["target"] =
        r->target() == fb::RefundTarget::CustomerCredit ? "customer_credit" : "original_method";
    o["gatewayRefundId"] = Str(r->gateway_refund_id());
    o["refundedAt"] = When(env);
  } else if (const fb::CreditIssued* c = env.event_as_CreditIssued()) {
    o["creditId"] = Str(c->credit_id());
    o["userId"] = Str(c->customer_id());
    o["amount"] = MoneyAmount(c->amount());
    o["currency"] = Currency(c->amount());
    if (c->expires_at_ns() != 0) {
      o["expiresAt"] = json::FormatRfc3339(c->expires_at_ns());
    } else {
      o["expiresAt"] = nullptr;
    }
    if (std::string src = Str(c->source_refund_id()); !src.empty()) {
      o["sourceRefundId"] = src;
    } else {
      o["sourceRefundId"] = nullptr;
    }
    o["reason"] = Str(c->reason());
    o["issuedAt"] = When(env);
  } else {
    o["paymentId"] = std::string(IntegrationKey(env));
  }
  if (const fb::PaymentSettled* s = env.event_as_PaymentSettled()) {
    o["orderId"] = Str(s->order_id());
    o["userId"] = Str(s->customer_id());
    o["amount"] = MoneyAmount(s->amount());
    o["currency"] = Currency(s->amount());
    o["method"] = std::string(domain::MethodName(s->method()));
    o["settledAt"] = When(env);
    // Paid after Folio closed the payment: recorded, and refunded
    // (docs/gateways.md, "Money paid after the payment was closed").
    if (s->after_close()) {
      o["reason"] = "paid_after_close";
    } else {
      o["reason"] = nullptr;
    }
  } else if (const fb::PaymentFailed* f = env.event_as_PaymentFailed()) {
    PaymentContext none;
    const PaymentContext& c = created ? *created : none;
    o["orderId"] = c.order_id;
    o["userId"] = c.user_id;
    o["amount"] = c.amount;
    o["currency"] = c.currency;
    o["method"] = c.method;
    o["failedAt"] = When(env);
    o["reason"] = Str(f->reason());
  }
  // The request that caused the event: its correlation id, else its
  // idempotency key (what a caller of the command API supplied).
  std::string request = Str(env.correlation_id());
  o["requestId"] = request.empty() ? Str(env.idempotency_key()) : request;
  return boost::json::serialize(o);
}

std::optional<std::uint64_t> ParseSeq(std::string_view text) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

}  // namespace folio::kafka
