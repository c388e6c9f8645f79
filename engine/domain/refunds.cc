// Refunds: decide and apply. A requested amount is held against the payment
// (PaymentState::held) until the refund succeeds or fails, so the sum of
// refunded + held never exceeds the settled amount, however requests interleave.
#include "engine/domain/codec.h"
#include "engine/domain/internal.h"
#include "engine/domain/rejections.h"
#include "engine/domain/scheduler.h"

namespace folio::domain {
namespace {

namespace rj = rejections;

// A refund to credit without a credit_id issues credit "refund-{refund_id}".
std::string CreditIdFor(const RefundRequest& c) {
  return c.credit_id.empty() ? "refund-" + c.refund_id : c.credit_id;
}

std::optional<Rejection> CheckRequestInput(const RefundRequest& c) {
  if (!ValidId(c.refund_id) || !ValidId(c.payment_id)) {
    return Reject(rj::kInvalidCommand, "refund_id and payment_id must be valid ids");
  }
  if (!ValidAmount(c.amount)) return Reject(rj::kInvalidCommand, "amount must be positive");
  if (c.target == fb::RefundTarget::CustomerCredit && !c.credit_id.empty() &&
      !ValidId(c.credit_id)) {
    return Reject(rj::kInvalidCommand, "credit_id");
  }
  if (c.credit_expires_at_ns.value_or(0) < 0) return Reject(rj::kInvalidCommand, "expiry");
  return std::nullopt;
}

// Within the settled amount, counting every refund still held.
bool FitsSettled(const PaymentState& p, const Money& amount) {
  const u128 used = p.refunded.minor() + p.held.minor();  // both <= settled
  return amount.minor() <= p.settled.minor() - used;
}

}  // namespace

Decision DecideRefundRequest(StateStore& s, const RefundRequest& c, const CommandContext& ctx) {
  if (auto r = CheckRequestInput(c)) return *r;
  if (s.Load(RefundKey(c.refund_id))) return Reject(rj::kRefundAlreadyExists, c.refund_id);
  const auto p = LoadAs<PaymentState>(s, PaymentKey(c.payment_id));
  if (!p) return Reject(rj::kPaymentNotFound, c.payment_id);
  if (p->status != PaymentStatus::kSettled) return Reject(rj::kPaymentNotSettled, c.payment_id);
  if (p->destination == fb::Destination::Trust) {
    return Reject(rj::kRefundTrustPayment, "trust money goes back by trust.refund_client");
  }
  if (c.amount.asset() != p->amount.asset()) {
    return Reject(rj::kCurrencyMismatch,
                  "the payment is in " + std::string(AssetCode(p->amount.asset())));
  }
  const bool to_credit = c.target == fb::RefundTarget::CustomerCredit;
  const std::string credit_id = to_credit ? CreditIdFor(c) : "";
  if (to_credit && s.Load(CreditKey(credit_id))) return Reject(rj::kCreditAlreadyExists, credit_id);
  if (!FitsSettled(*p, c.amount)) {
    return Reject(rj::kRefundExceedsSettled, "settled " + p->settled.ToDisplay() + ", refunded " +
                                                 p->refunded.ToString() + ", held " +
                                                 p->held.ToString());
  }
  Out out(ctx);
  out.Emit(PaymentStream(c.payment_id), fb::Event::RefundRequested, [&](auto& b) {
    const fb::Money amount = c.amount.ToFb();
    return fb::CreateRefundRequestedDirect(b, c.refund_id.c_str(), c.payment_id.c_str(), &amount,
                                           c.target, c.reason.c_str(), credit_id.c_str(),
                                           c.credit_expires_at_ns.value_or(0))
        .Union();
  });
  return out.Done();
}

namespace {

std::optional<Rejection> CheckPendingRefund(StateStore& s, std::string_view refund_id,
                                            std::optional<RefundState>* out) {
  if (!ValidId(refund_id)) return Reject(rj::kInvalidCommand, "refund_id");
  *out = LoadAs<RefundState>(s, RefundKey(refund_id));
  if (!*out) return Reject(rj::kRefundNotFound, std::string(refund_id));
  if ((*out)->status != RefundStatus::kRequested) {
    return Reject(rj::kRefundNotPending, std::string(refund_id));
  }
  return std::nullopt;
}

}  // namespace

Decision DecideRefundSucceed(StateStore& s, const RefundSucceed& c, const CommandContext& ctx) {
  std::optional<RefundState> r;
  if (auto rej = CheckPendingRefund(s, c.refund_id, &r)) return *rej;
  const auto p = LoadAs<PaymentState>(s, PaymentKey(r->payment_id));
  DomainCheck(p.has_value(), "refund without payment");
  Out out(ctx);
  out.Emit(PaymentStream(r->payment_id), fb::Event::RefundSucceeded, [&](auto& b) {
    const fb::Money amount = r->amount.ToFb();
    return fb::CreateRefundSucceededDirect(b, c.refund_id.c_str(), r->payment_id.c_str(), &amount,
                                           c.gateway_refund_id.c_str(), p->method, r->target,
                                           p->customer_id.c_str())
        .Union();
  });
  if (r->target == fb::RefundTarget::CustomerCredit) {
    out.Emit(CreditStream(r->credit_id), fb::Event::CreditIssued, [&](auto& b) {
      const fb::Money amount = r->amount.ToFb();
      return fb::CreateCreditIssuedDirect(b, r->credit_id.c_str(), p->customer_id.c_str(), &amount,
                                          r->credit_expires_at_ns, c.refund_id.c_str(), "refund")
          .Union();
    });
  }
  return out.Done();
}

Decision DecideRefundFail(StateStore& s, const RefundFail& c, const CommandContext& ctx) {
  std::optional<RefundState> r;
  if (auto rej = CheckPendingRefund(s, c.refund_id, &r)) return *rej;
  Out out(ctx);
  out.Emit(PaymentStream(r->payment_id), fb::Event::RefundFailed, [&](auto& b) {
    const fb::Money amount = r->amount.ToFb();
    return fb::CreateRefundFailedDirect(b, c.refund_id.c_str(), r->payment_id.c_str(), &amount,
                                        c.reason.c_str())
        .Union();
  });
  return out.Done();
}

namespace {

void ApplyRequested(StateStore& s, const fb::RefundRequested& e) {
  RefundState r;
  r.payment_id = Sv(e.payment_id());
  r.credit_id = Sv(e.credit_id());
  r.amount = MoneyOf(e.amount());
  r.target = e.target();
  r.credit_expires_at_ns = e.credit_expires_at_ns();
  StoreAs(s, RefundKey(Sv(e.refund_id())), r);
  auto p = LoadAs<PaymentState>(s, PaymentKey(r.payment_id));
  DomainCheck(p.has_value(), "apply: refund of a missing payment");
  p->held = MustAdd(p->held, r.amount);
  StoreAs(s, PaymentKey(r.payment_id), *p);
  if (r.target == fb::RefundTarget::CustomerCredit) {
    // Reserve the credit id so that no credit.issue takes it meanwhile.
    CreditState reserved;
    reserved.status = CreditStatus::kReserved;
    reserved.customer_id = p->customer_id;
    StoreAs(s, CreditKey(r.credit_id), reserved);
  }
}

void ApplyFinished(StateStore& s, std::string_view refund_id, bool succeeded) {
  auto r = LoadAs<RefundState>(s, RefundKey(refund_id));
  DomainCheck(r.has_value() && r->status == RefundStatus::kRequested, "apply: refund not pending");
  auto p = LoadAs<PaymentState>(s, PaymentKey(r->payment_id));
  DomainCheck(p.has_value(), "apply: refund of a missing payment");
  p->held = MustSub(p->held, r->amount);
  if (succeeded) p->refunded = MustAdd(p->refunded, r->amount);
  StoreAs(s, PaymentKey(r->payment_id), *p);
  r->status = succeeded ? RefundStatus::kSucceeded : RefundStatus::kFailed;
  StoreAs(s, RefundKey(refund_id), *r);
  if (!succeeded && r->target == fb::RefundTarget::CustomerCredit) s.Erase(CreditKey(r->credit_id));
}

}  // namespace

void ApplyRefundEvent(StateStore& s, const fb::Envelope& env) {
  switch (env.event_type()) {
    case fb::Event::RefundRequested:
      return ApplyRequested(s, *env.event_as_RefundRequested());
    case fb::Event::RefundSucceeded:
      return ApplyFinished(s, Sv(env.event_as_RefundSucceeded()->refund_id()), true);
    case fb::Event::RefundFailed:
      return ApplyFinished(s, Sv(env.event_as_RefundFailed()->refund_id()), false);
    default:
      DomainCheck(false, "ApplyRefundEvent: not a refund event");
  }
}

}  // namespace folio::domain
