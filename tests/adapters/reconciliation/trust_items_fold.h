// The trust bank account's ledger items as main read them before they came
// from the trust projection (adapters/reconciliation/ledger_items.cc at
// c953a84): a fold of the log. Kept only as the reference the projection-based
// ReadLedgerItems(kTrustBank) must equal (three_way_projection_itest.cpp), and
// for FoldThreeWay (three_way_fold.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/reconciliation/ledger_items.h"
#include "adapters/reconciliation/scan_events.h"
#include "engine/keys.h"
#include "events/fields.h"

namespace folio::reconciliation::testing {

namespace trust_fold_detail {

template <typename E>
void TrustItem(const fb::Envelope& env, const E& e, ItemKind kind, std::string_view id,
               std::string_view ref, bool debit, LedgerSnapshot* out) {
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
  out->items.push_back(std::move(it));
}

inline void Trust(const fb::Envelope& env, LedgerSnapshot* out) {
  switch (env.event_type()) {
    case fb::Event::TrustDepositRecorded: {
      const auto* e = env.event_as_TrustDepositRecorded();
      return TrustItem(env, *e, ItemKind::kTrustDeposit, Sv(e->deposit_id()), Sv(e->reference()),
                       false, out);
    }
    case fb::Event::TrustDisbursementRecorded: {
      const auto* e = env.event_as_TrustDisbursementRecorded();
      return TrustItem(env, *e, ItemKind::kTrustDisbursement, Sv(e->disbursement_id()),
                       Sv(e->reference()), true, out);
    }
    case fb::Event::TrustFeeTransferred: {
      const auto* e = env.event_as_TrustFeeTransferred();
      return TrustItem(env, *e, ItemKind::kTrustFeeTransfer, Sv(e->transfer_id()), "", true, out);
    }
    case fb::Event::TrustRefundedToClient: {
      const auto* e = env.event_as_TrustRefundedToClient();
      return TrustItem(env, *e, ItemKind::kTrustClientRefund, Sv(e->refund_id()),
                       Sv(e->reference()), true, out);
    }
    default:
      return;
  }
}

}  // namespace trust_fold_detail

// Every trust bank movement with seq <= as_of_seq (0: the head), in log order.
inline Result<LedgerSnapshot> FoldTrustBankItems(const LogStore& store, std::uint64_t as_of_seq) {
  LedgerSnapshot snap;
  ASSIGN_OR_RETURN(keys::Head head, store.ReadHead());
  snap.as_of_seq = as_of_seq == 0 || as_of_seq > head.seq ? head.seq : as_of_seq;
  RETURN_IF_ERROR(ScanEvents(store, snap.as_of_seq,
                             [&](const fb::Envelope& e) { trust_fold_detail::Trust(e, &snap); }));
  return snap;
}

}  // namespace folio::reconciliation::testing
