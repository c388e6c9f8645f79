#include "adapters/reconciliation/ledger_items.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "adapters/reconciliation/scan_events.h"
#include "engine/keys.h"
#include "events/codes.h"
#include "events/fields.h"
#include "projections/trust_ledger.h"
#include "projections/view.h"

namespace folio::reconciliation {
namespace {

class Collector {
 public:
  Collector(LedgerScope scope, LedgerSnapshot* out) : scope_(scope), out_(out) {}

  void Add(const fb::Envelope& env) {
    const fb::Method method = scope_ == LedgerScope::kAlipay     ? fb::Method::Alipay
                              : scope_ == LedgerScope::kUnionPay ? fb::Method::UnionPay
                                                                 : fb::Method::WechatPay;
    switch (env.event_type()) {
      case fb::Event::PaymentCreated: {
        const auto* e = env.event_as_PaymentCreated();
        if (e->method() != method) return;
        LedgerItem it;
        it.id = std::string(Sv(e->payment_id()));
        it.order_ref =
            e->order_id() && e->order_id()->size() ? std::string(Sv(e->order_id())) : it.id;
        it.amount = MoneyOf(e->amount());
        it.fee = Money(it.amount.asset(), 0);
        it.status = ItemStatus::kOpen;
        it.booked_at_ns = env.occurred_at_ns();
        it.seq = env.seq();
        payments_[it.id] = out_->items.size();
        out_->items.push_back(std::move(it));
        return;
      }
      case fb::Event::PaymentSettled: {
        const auto* e = env.event_as_PaymentSettled();
        LedgerItem* it = Payment(Sv(e->payment_id()));
        if (it == nullptr) return;
        it->status = ItemStatus::kSettled;
        it->gateway_ref = std::string(Sv(e->gateway_txn_id()));
        it->amount = MoneyOf(e->amount());
        it->fee = MoneyOf(e->gateway_fee());
        it->booked_at_ns = env.occurred_at_ns();
        it->seq = env.seq();
        return;
      }
      case fb::Event::PaymentFailed:
        return Close(Sv(env.event_as_PaymentFailed()->payment_id()));
      case fb::Event::PaymentCancelled:
        return Close(Sv(env.event_as_PaymentCancelled()->payment_id()));
      case fb::Event::PaymentExpired:
        return Close(Sv(env.event_as_PaymentExpired()->payment_id()));
      case fb::Event::RefundSucceeded: {
        const auto* e = env.event_as_RefundSucceeded();
        if (e->method() != method || e->target() != fb::RefundTarget::OriginalMethod) return;
        LedgerItem it;
        it.kind = ItemKind::kRefund;
        it.id = std::string(Sv(e->refund_id()));
        it.order_ref = it.id;
        it.gateway_ref = std::string(Sv(e->gateway_refund_id()));
        it.amount = MoneyOf(e->amount());
        it.fee = FeeBack(Sv(e->payment_id()), it.amount);
        it.is_debit = true;
        it.booked_at_ns = env.occurred_at_ns();
        it.seq = env.seq();
        out_->items.push_back(std::move(it));
        return;
      }
      default:
        return;
    }
  }

 private:
  LedgerItem* Payment(std::string_view id) {
    auto p = payments_.find(std::string(id));
    return p == payments_.end() ? nullptr : &out_->items[p->second];
  }
  // The fee a gateway gives back on a refund (FeeGivenBack), in log order.
  Money FeeBack(std::string_view payment_id, const Money& refund) {
    const LedgerItem* p = Payment(payment_id);
    if (p == nullptr || p->amount.minor() == 0 || p->fee.asset() != refund.asset()) {
      return Money(refund.asset(), 0);
    }
    return FeeGivenBack(p->amount, p->fee, refund, &refunded_[std::string(payment_id)]);
  }
  void Close(std::string_view id) {
    if (LedgerItem* it = Payment(id); it != nullptr && it->status == ItemStatus::kOpen) {
      it->status = ItemStatus::kClosed;
    }
  }
  LedgerScope scope_;
  LedgerSnapshot* out_;
  std::unordered_map<std::string, std::size_t> payments_;
  std::unordered_map<std::string, RefundedSoFar> refunded_;  // by payment id
};

ItemKind TrustItemKind(projections::TrustLineKind k) {
  switch (k) {
    case projections::TrustLineKind::kDisbursement:
      return ItemKind::kTrustDisbursement;
    case projections::TrustLineKind::kFeeTransfer:
      return ItemKind::kTrustFeeTransfer;
    case projections::TrustLineKind::kRefundToClient:
      return ItemKind::kTrustClientRefund;
    default:
      return ItemKind::kTrustDeposit;
  }
}

// The trust bank account's items as of `as_of` (<= the head), from the trust
// projection's general ledger (in log order), each with its line's bank
// reference: the rows plus the projector's lag, not a fold of the log.
Result<LedgerSnapshot> ReadTrustBankItems(const LogStore& store, std::uint64_t as_of) {
  LedgerSnapshot snap;
  snap.as_of_seq = as_of;
  projections::TrustLedgerProjection projection;
  ASSIGN_OR_RETURN(auto trust, projections::ProjectionView::Open(store, projection, as_of));
  for (const projections::TrustGlLine& g : projections::TrustGeneralLedger(
           *trust, 0, trust->as_of(), std::numeric_limits<std::size_t>::max())) {
    LedgerItem it;
    it.kind = TrustItemKind(g.kind);
    it.id = g.txn_id;
    it.order_ref = it.id;
    std::string reference;  // a fee transfer's is its invoice, not a bank reference
    if (g.kind != projections::TrustLineKind::kFeeTransfer) {
      auto line = projections::TrustLineAt(*trust, g.client_id, g.matter_id, g.seq);
      if (line) reference = std::move(line->reference);
    }
    it.gateway_ref = reference.empty() ? it.id : std::move(reference);
    it.amount = Money(g.asset, g.amount_minor);
    it.fee = Money(g.asset, 0);
    it.is_debit = g.kind != projections::TrustLineKind::kDeposit;
    it.client_id = g.client_id;
    it.matter_id = g.matter_id;
    it.booked_at_ns = g.occurred_at_ns;
    it.seq = g.seq;
    snap.items.push_back(std::move(it));
  }
  return snap;
}

}  // namespace

Money FeeGivenBack(const Money& amount, const Money& fee, const Money& refund,
                   RefundedSoFar* so_far) {
  const u128 f = fee.minor(), a = amount.minor(), given_back = so_far->fee_back;
  u128 back = 0;
  if (so_far->amount + refund.minor() >= a) {
    back = f >= given_back ? f - given_back : 0;
  } else if (f == 0 || refund.minor() <= ~static_cast<u128>(0) / f) {
    const u128 product = f * refund.minor();
    back = product / a + ((product % a) * 2 >= a ? 1 : 0);
    back = std::min(back, f >= given_back ? f - given_back : 0);
  }
  so_far->amount += refund.minor();
  so_far->fee_back += back;
  return Money(refund.asset(), back);
}

Result<LedgerSnapshot> ReadLedgerItems(const LogStore& store, LedgerScope scope,
                                       std::uint64_t as_of_seq) {
  LedgerSnapshot snap;
  ASSIGN_OR_RETURN(keys::Head head, store.ReadHead());
  snap.as_of_seq = as_of_seq == 0 || as_of_seq > head.seq ? head.seq : as_of_seq;
  if (scope == LedgerScope::kTrustBank) return ReadTrustBankItems(store, snap.as_of_seq);
  Collector c(scope, &snap);
  RETURN_IF_ERROR(ScanEvents(store, snap.as_of_seq, [&](const fb::Envelope& e) { c.Add(e); }));
  return snap;
}

}  // namespace folio::reconciliation
