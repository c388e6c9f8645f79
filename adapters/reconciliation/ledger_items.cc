#include "adapters/reconciliation/ledger_items.h"

#include <algorithm>
#include <unordered_map>

#include "adapters/reconciliation/scan_events.h"
#include "engine/keys.h"
#include "events/codes.h"
#include "events/fields.h"

namespace folio::reconciliation {
namespace {

class Collector {
 public:
  Collector(LedgerScope scope, LedgerSnapshot* out) : scope_(scope), out_(out) {}

  void Add(const fb::Envelope& env) {
    if (scope_ == LedgerScope::kTrustBank) return Trust(env);
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
  template <typename E>
  void TrustItem(const fb::Envelope& env, const E& e, ItemKind kind, std::string_view id,
                 std::string_view ref, bool debit) {
    LedgerItem it;
    it.kind = kind;
    it.id = std::string(id);
    it.order_ref = it.id;
    it.gateway_ref = ref.empty() ? it.id : std::string(ref);
    it.amount = MoneyOf(e.amount());
    it.fee = Money(it.amount.asset(), 0);
    it.is_debit = debit;
    it.client_id = std::string(Sv(e.client_id()));
    it.matter_id = std::string(Sv(e.matter_id()));
    it.booked_at_ns = env.occurred_at_ns();
    it.seq = env.seq();
    out_->items.push_back(std::move(it));
  }
  void Trust(const fb::Envelope& env) {
    switch (env.event_type()) {
      case fb::Event::TrustDepositRecorded: {
        const auto* e = env.event_as_TrustDepositRecorded();
        return TrustItem(env, *e, ItemKind::kTrustDeposit, Sv(e->deposit_id()), Sv(e->reference()),
                         false);
      }
      case fb::Event::TrustDisbursementRecorded: {
        const auto* e = env.event_as_TrustDisbursementRecorded();
        return TrustItem(env, *e, ItemKind::kTrustDisbursement, Sv(e->disbursement_id()),
                         Sv(e->reference()), true);
      }
      case fb::Event::TrustFeeTransferred: {
        const auto* e = env.event_as_TrustFeeTransferred();
        return TrustItem(env, *e, ItemKind::kTrustFeeTransfer, Sv(e->transfer_id()), "", true);
      }
      case fb::Event::TrustRefundedToClient: {
        const auto* e = env.event_as_TrustRefundedToClient();
        return TrustItem(env, *e, ItemKind::kTrustClientRefund, Sv(e->refund_id()),
                         Sv(e->reference()), true);
      }
      default:
        return;
    }
  }

  LedgerScope scope_;
  LedgerSnapshot* out_;
  std::unordered_map<std::string, std::size_t> payments_;
  std::unordered_map<std::string, RefundedSoFar> refunded_;  // by payment id
};

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
  Collector c(scope, &snap);
  RETURN_IF_ERROR(ScanEvents(store, snap.as_of_seq, [&](const fb::Envelope& e) { c.Add(e); }));
  return snap;
}

}  // namespace folio::reconciliation
