// Apply for payment events, and the PaymentSettled emitter shared by
// settle and crypto auto-settlement.
#include "engine/domain/codec.h"
#include "engine/domain/internal.h"
#include "engine/domain/limits.h"
#include "engine/domain/scheduler.h"
#include "events/hash.h"

namespace folio::domain {
namespace {

PaymentState MustLoad(StateStore& s, std::string_view id) {
  std::optional<PaymentState> p = LoadAs<PaymentState>(s, PaymentKey(id));
  DomainCheck(p.has_value(), "apply: payment missing");
  return *p;
}

// Deadlines that no longer apply once a payment leaves the unpaid states.
void DropDeadlines(StateStore& s, std::string_view id, const PaymentState& p) {
  if (p.due_at_ns > 0) Unschedule(s, p.due_at_ns, ScheduleKind::kPaymentDue, id);
  if (p.expires_at_ns > 0) Unschedule(s, p.expires_at_ns, ScheduleKind::kPaymentExpiry, id);
}

void ApplyCreated(StateStore& s, const fb::Envelope& env, const fb::PaymentCreated& e) {
  PaymentState p;
  p.customer_id = Sv(e.customer_id());
  p.order_id = Sv(e.order_id());
  p.invoice_id = Sv(e.invoice_id());
  p.client_id = Sv(e.client_id());
  p.matter_id = Sv(e.matter_id());
  p.method = e.method();
  p.destination = e.destination();
  p.amount = MoneyOf(e.amount());
  p.fee = MoneyOf(e.fee());
  // Running sums start as zero in the payment's asset, so they always print.
  p.settled = p.gateway_fee = p.refunded = p.held = Money(p.amount.asset(), 0);
  p.created_at_ns = env.occurred_at_ns();
  p.due_at_ns = e.due_at_ns();
  p.expires_at_ns = e.expires_at_ns();
  p.status = p.due_at_ns > 0 ? PaymentStatus::kScheduled : PaymentStatus::kCreated;
  const std::string_view id = Sv(e.payment_id());
  if (p.due_at_ns > 0) Schedule(s, p.due_at_ns, ScheduleKind::kPaymentDue, id);
  if (p.expires_at_ns > 0) Schedule(s, p.expires_at_ns, ScheduleKind::kPaymentExpiry, id);
  LimitAdd(s, LimitKeysFor(p.customer_id, p.method, p.amount.asset(), p.created_at_ns),
           p.amount.minor());
  StoreAs(s, PaymentKey(id), p);
}

bool Closed(PaymentStatus s) {
  return s == PaymentStatus::kFailed || s == PaymentStatus::kCancelled ||
         s == PaymentStatus::kExpired;
}

void ApplySettled(StateStore& s, const fb::PaymentSettled& e) {
  const std::string_view id = Sv(e.payment_id());
  PaymentState p = MustLoad(s, id);
  DomainCheck(p.status != PaymentStatus::kSettled, "apply: payment settled twice");
  if (Closed(p.status)) {
    // Paid after all: it counts against the limits again (closing gave its
    // usage back), and its deadlines are gone already.
    LimitAdd(s, LimitKeysFor(p.customer_id, p.method, p.amount.asset(), p.created_at_ns),
             p.amount.minor());
  } else {
    DropDeadlines(s, id, p);
  }
  p.status = PaymentStatus::kSettled;
  p.settled = MoneyOf(e.amount());
  p.gateway_fee = MoneyOf(e.gateway_fee());
  StoreAs(s, PaymentKey(id), p);
  CustomerState c = LoadAs<CustomerState>(s, CustomerKey(p.customer_id)).value_or(CustomerState{});
  c.settled_count[static_cast<std::size_t>(p.method)] += 1;
  StoreAs(s, CustomerKey(p.customer_id), c);
}

// Failed, cancelled and expired payments give their limit usage back.
void ApplyClosed(StateStore& s, std::string_view id, PaymentStatus status) {
  PaymentState p = MustLoad(s, id);
  DropDeadlines(s, id, p);
  p.status = status;
  LimitRelease(s, LimitKeysFor(p.customer_id, p.method, p.amount.asset(), p.created_at_ns),
               p.amount.minor());
  StoreAs(s, PaymentKey(id), p);
}

void ApplyProgress(StateStore& s, std::string_view id, PaymentStatus status,
                   std::uint32_t confirmations) {
  PaymentState p = MustLoad(s, id);
  // A payment seen on chain stays confirming: a later gateway "pending" must
  // not make it expirable again (docs/methods.md: it no longer expires).
  if (status == PaymentStatus::kPending && p.status == PaymentStatus::kConfirming) {
    status = PaymentStatus::kConfirming;
    confirmations = p.confirmations;
  }
  if (p.status == PaymentStatus::kScheduled) {
    Unschedule(s, p.due_at_ns, ScheduleKind::kPaymentDue, id);
  }
  // Money seen on chain is no longer "unpaid": it must not expire under it.
  if (status == PaymentStatus::kConfirming && p.expires_at_ns > 0) {
    Unschedule(s, p.expires_at_ns, ScheduleKind::kPaymentExpiry, id);
  }
  p.status = status;
  if (status == PaymentStatus::kConfirming) p.confirmations = confirmations;
  StoreAs(s, PaymentKey(id), p);
}

}  // namespace

std::string LateRefundId(std::string_view payment_id) {
  // No separator: a payment id of letters and digits (UnionPay's orderId)
  // gives a refund id of letters and digits. Within an id's 128 bytes: a long
  // payment id keeps its first 90 bytes and gains 32 hex digits of its hash,
  // still one refund id per payment.
  if (payment_id.size() <= 124) return "late" + std::string(payment_id);
  const Hash32 h = Sha256(payment_id);
  return "late" + std::string(payment_id.substr(0, 90)) + "-" +
         ToHex(std::span<const std::uint8_t>(h.data(), 16));
}

void EmitPaymentSettled(Out& out, std::string_view payment_id, const PaymentState& p,
                        std::string_view gateway_txn_id, const Money& gateway_fee,
                        bool after_close) {
  const std::string id(payment_id), txn(gateway_txn_id);
  out.Emit(PaymentStream(id), fb::Event::PaymentSettled, [&](auto& b) {
    const fb::Money amount = p.amount.ToFb(), gfee = gateway_fee.ToFb(), fee = p.fee.ToFb();
    return fb::CreatePaymentSettledDirect(b, id.c_str(), txn.c_str(), &amount, &gfee, &fee,
                                          p.method, p.destination, p.customer_id.c_str(),
                                          p.order_id.c_str(), after_close)
        .Union();
  });
  if (p.destination != fb::Destination::Trust) {
    if (!after_close) return;
    // Money nobody may keep: it goes back the way it came, by the gateway
    // (the dispatcher sends the refund; the id makes it idempotent there).
    const std::string refund_id = LateRefundId(id), none;
    out.Emit(PaymentStream(id), fb::Event::RefundRequested, [&](auto& b) {
      const fb::Money amount = p.amount.ToFb();
      return fb::CreateRefundRequestedDirect(b, refund_id.c_str(), id.c_str(), &amount,
                                             fb::RefundTarget::OriginalMethod,
                                             "paid after the payment was closed", none.c_str(), 0)
          .Union();
    });
    return;
  }
  // Money paid to trust belongs to the client matter from settlement on (paid
  // late, too: it goes back to the client by trust.refund_client, by hand).
  const std::string deposit_id = PaymentStream(id);
  out.Emit(TrustStream(p.client_id, p.matter_id), fb::Event::TrustDepositRecorded, [&](auto& b) {
    const fb::Money amount = p.amount.ToFb();
    return fb::CreateTrustDepositRecordedDirect(b, deposit_id.c_str(), p.client_id.c_str(),
                                                p.matter_id.c_str(), &amount, p.method, txn.c_str(),
                                                p.customer_id.c_str(), id.c_str(), true)
        .Union();
  });
}

void ApplyPaymentEvent(StateStore& s, const fb::Envelope& env) {
  switch (env.event_type()) {
    case fb::Event::PaymentCreated:
      return ApplyCreated(s, env, *env.event_as_PaymentCreated());
    case fb::Event::PaymentBecameDue:
      return ApplyProgress(s, Sv(env.event_as_PaymentBecameDue()->payment_id()),
                           PaymentStatus::kCreated, 0);
    case fb::Event::PaymentPendingAtGateway:
      return ApplyProgress(s, Sv(env.event_as_PaymentPendingAtGateway()->payment_id()),
                           PaymentStatus::kPending, 0);
    case fb::Event::CryptoConfirmationsObserved: {
      const auto* e = env.event_as_CryptoConfirmationsObserved();
      return ApplyProgress(s, Sv(e->payment_id()), PaymentStatus::kConfirming, e->confirmations());
    }
    case fb::Event::PaymentSettled:
      return ApplySettled(s, *env.event_as_PaymentSettled());
    case fb::Event::PaymentFailed:
      return ApplyClosed(s, Sv(env.event_as_PaymentFailed()->payment_id()), PaymentStatus::kFailed);
    case fb::Event::PaymentCancelled:
      return ApplyClosed(s, Sv(env.event_as_PaymentCancelled()->payment_id()),
                         PaymentStatus::kCancelled);
    case fb::Event::PaymentExpired:
      return ApplyClosed(s, Sv(env.event_as_PaymentExpired()->payment_id()),
                         PaymentStatus::kExpired);
    default:
      DomainCheck(false, "ApplyPaymentEvent: not a payment event");
  }
}

}  // namespace folio::domain
