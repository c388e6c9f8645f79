// Customer credits: decide and apply. A credit's remaining balance never goes
// negative and is never used at or after its expiry time, whether or not the
// scheduler has expired it yet.
#include "engine/domain/codec.h"
#include "engine/domain/internal.h"
#include "engine/domain/rejections.h"
#include "engine/domain/scheduler.h"

namespace folio::domain {
namespace {

namespace rj = rejections;

// Checks shared by apply and reverse, in this order.
std::optional<Rejection> CheckUsable(const std::optional<CreditState>& c, std::string_view id,
                                     std::int64_t now_ns) {
  if (!c || c->status == CreditStatus::kReserved) {
    return Reject(rj::kCreditNotFound, std::string(id));
  }
  if (c->status == CreditStatus::kReversed) return Reject(rj::kCreditReversed, std::string(id));
  if (c->status == CreditStatus::kExpired ||
      (c->expires_at_ns != 0 && now_ns >= c->expires_at_ns)) {
    return Reject(rj::kCreditExpired, std::string(id));
  }
  return std::nullopt;
}

}  // namespace

Decision DecideCreditIssue(StateStore& s, const CreditIssue& c, const CommandContext& ctx) {
  if (!ValidId(c.credit_id) || !ValidId(c.customer_id)) {
    return Reject(rj::kInvalidCommand, "credit_id and customer_id must be valid ids");
  }
  if (!ValidAmount(c.amount)) return Reject(rj::kInvalidCommand, "amount must be positive");
  if (c.expires_at_ns && *c.expires_at_ns <= ctx.now_ns) {
    return Reject(rj::kInvalidCommand, "expires_at must be in the future");
  }
  if (s.Load(CreditKey(c.credit_id))) return Reject(rj::kCreditAlreadyExists, c.credit_id);
  Out out(ctx);
  out.Emit(CreditStream(c.credit_id), fb::Event::CreditIssued, [&](auto& b) {
    const fb::Money amount = c.amount.ToFb();
    return fb::CreateCreditIssuedDirect(b, c.credit_id.c_str(), c.customer_id.c_str(), &amount,
                                        c.expires_at_ns.value_or(0), "", c.reason.c_str())
        .Union();
  });
  return out.Done();
}

Decision DecideCreditApply(StateStore& s, const CreditApply& c, const CommandContext& ctx) {
  if (!ValidId(c.credit_id) || !ValidId(c.invoice_id)) {
    return Reject(rj::kInvalidCommand, "credit_id and invoice_id must be valid ids");
  }
  if (!ValidAmount(c.amount)) return Reject(rj::kInvalidCommand, "amount must be positive");
  const auto credit = LoadAs<CreditState>(s, CreditKey(c.credit_id));
  if (auto r = CheckUsable(credit, c.credit_id, ctx.now_ns)) return *r;
  if (c.amount.asset() != credit->remaining.asset()) {
    return Reject(rj::kCurrencyMismatch,
                  "the credit is in " + std::string(AssetCode(credit->remaining.asset())));
  }
  if (c.amount.minor() > credit->remaining.minor()) {
    return Reject(rj::kCreditInsufficient, "remaining " + credit->remaining.ToDisplay());
  }
  Out out(ctx);
  out.Emit(CreditStream(c.credit_id), fb::Event::CreditApplied, [&](auto& b) {
    const fb::Money amount = c.amount.ToFb();
    return fb::CreateCreditAppliedDirect(b, c.credit_id.c_str(), credit->customer_id.c_str(),
                                         c.invoice_id.c_str(), &amount, c.application_id.c_str())
        .Union();
  });
  return out.Done();
}

Decision DecideCreditReverse(StateStore& s, const CreditReverse& c, const CommandContext& ctx) {
  if (!ValidId(c.credit_id)) return Reject(rj::kInvalidCommand, "credit_id");
  const auto credit = LoadAs<CreditState>(s, CreditKey(c.credit_id));
  if (auto r = CheckUsable(credit, c.credit_id, ctx.now_ns)) return *r;
  if (credit->remaining.is_zero()) return Reject(rj::kCreditInsufficient, "nothing left");
  Out out(ctx);
  out.Emit(CreditStream(c.credit_id), fb::Event::CreditReversed, [&](auto& b) {
    const fb::Money amount = credit->remaining.ToFb();
    return fb::CreateCreditReversedDirect(b, c.credit_id.c_str(), credit->customer_id.c_str(),
                                          &amount, c.reason.c_str())
        .Union();
  });
  return out.Done();
}

namespace {

CreditState MustLoad(StateStore& s, std::string_view id) {
  auto c = LoadAs<CreditState>(s, CreditKey(id));
  DomainCheck(c.has_value(), "apply: credit missing");
  return *c;
}

void ApplyIssued(StateStore& s, const fb::CreditIssued& e) {
  CreditState c;
  c.status = CreditStatus::kActive;
  c.customer_id = Sv(e.customer_id());
  c.issued = MoneyOf(e.amount());
  c.remaining = c.issued;
  c.expires_at_ns = e.expires_at_ns();
  const std::string_view id = Sv(e.credit_id());
  if (c.expires_at_ns > 0) Schedule(s, c.expires_at_ns, ScheduleKind::kCreditExpiry, id);
  StoreAs(s, CreditKey(id), c);
}

void ApplyApplied(StateStore& s, const fb::CreditApplied& e) {
  const std::string_view id = Sv(e.credit_id());
  CreditState c = MustLoad(s, id);
  c.remaining = MustSub(c.remaining, MoneyOf(e.amount()));
  // A used-up credit has nothing left to expire.
  if (c.remaining.is_zero() && c.expires_at_ns > 0) {
    Unschedule(s, c.expires_at_ns, ScheduleKind::kCreditExpiry, id);
  }
  StoreAs(s, CreditKey(id), c);
}

void ApplyEnded(StateStore& s, std::string_view id, CreditStatus status) {
  CreditState c = MustLoad(s, id);
  if (c.expires_at_ns > 0) Unschedule(s, c.expires_at_ns, ScheduleKind::kCreditExpiry, id);
  c.status = status;
  c.remaining = Money(c.remaining.asset(), 0);
  StoreAs(s, CreditKey(id), c);
}

}  // namespace

void ApplyCreditEvent(StateStore& s, const fb::Envelope& env) {
  switch (env.event_type()) {
    case fb::Event::CreditIssued:
      return ApplyIssued(s, *env.event_as_CreditIssued());
    case fb::Event::CreditApplied:
      return ApplyApplied(s, *env.event_as_CreditApplied());
    case fb::Event::CreditExpired:
      return ApplyEnded(s, Sv(env.event_as_CreditExpired()->credit_id()), CreditStatus::kExpired);
    case fb::Event::CreditReversed:
      return ApplyEnded(s, Sv(env.event_as_CreditReversed()->credit_id()), CreditStatus::kReversed);
    default:
      DomainCheck(false, "ApplyCreditEvent: not a credit event");
  }
}

}  // namespace folio::domain
