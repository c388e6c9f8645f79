// The three-way trust reconciliation as main computed it before it read the
// trust and reconciliation projections (adapters/reconciliation/three_way.cc
// at 2bafadf): two folds of the log (its postings; its trust ledger items,
// trust_items_fold.h).
// Kept only as the reference the projection-based one must equal
// (three_way_projection_itest.cpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "adapters/reconciliation/import.h"
#include "adapters/reconciliation/ledger_items.h"
#include "adapters/reconciliation/matcher.h"
#include "adapters/reconciliation/scan_events.h"
#include "adapters/reconciliation/three_way.h"
#include "engine/domain/postings.h"
#include "engine/keys.h"
#include "events/codes.h"
#include "tests/adapters/reconciliation/trust_items_fold.h"

namespace folio::reconciliation::testing {

namespace fold_detail {

inline SignedMoney FromBalance(Asset a, u128 debit, u128 credit, bool credit_normal) {
  SignedMoney s;
  const u128 pos = credit_normal ? credit : debit, neg = credit_normal ? debit : credit;
  s.negative = neg > pos;
  s.value = Money(a, s.negative ? neg - pos : pos - neg);
  return s;
}

inline SignedMoney Add(SignedMoney a, bool negative, const Money& b) {
  if (a.negative == negative)
    return {a.negative, Money(a.value.asset(), a.value.minor() + b.minor())};
  if (a.value.minor() >= b.minor()) {
    return {a.negative && a.value.minor() != b.minor(),
            Money(a.value.asset(), a.value.minor() - b.minor())};
  }
  return {negative, Money(a.value.asset(), b.minor() - a.value.minor())};
}

struct Balances {
  SignedMoney bank_trust;
  std::map<std::pair<std::string, std::string>, SignedMoney> matters;
};

// bank:trust and every liability:trust:{client}:{matter} from the postings
// of events with seq <= as_of and occurred_at < end.
inline Result<Balances> TrustBalances(const LogStore& store, Asset asset, std::uint64_t as_of,
                                      std::int64_t end_ns) {
  domain::Ledger ledger;
  RETURN_IF_ERROR(ScanEvents(store, as_of, [&](const fb::Envelope& env) {
    if (env.occurred_at_ns() < end_ns) domain::Post(ledger, domain::PostingsFor(env));
  }));
  Balances b;
  b.bank_trust.value = Money(asset, 0);
  constexpr std::string_view kPrefix = "liability:trust:";
  for (const auto& [key, bal] : ledger) {
    if (key.second != asset) continue;
    if (key.first == "bank:trust") b.bank_trust = FromBalance(asset, bal.debit, bal.credit, false);
    if (key.first.rfind(kPrefix, 0) == 0) {
      const std::string rest = key.first.substr(kPrefix.size());
      const std::size_t colon = rest.find(':');
      b.matters[{rest.substr(0, colon), colon == std::string::npos ? "" : rest.substr(colon + 1)}] =
          FromBalance(asset, bal.debit, bal.credit, true);
    }
  }
  return b;
}

inline ReconcilingItem FromLedger(const LedgerItem& it, std::string kind) {
  ReconcilingItem r;
  r.kind = std::move(kind);
  r.ledger_id = it.id;
  r.reference = it.gateway_ref;
  r.client_id = it.client_id;
  r.matter_id = it.matter_id;
  r.amount = it.amount;
  r.bank_amount = Money(it.amount.asset(), 0);
  r.is_debit = it.is_debit;
  r.booked_at_ns = it.booked_at_ns;
  return r;
}

}  // namespace fold_detail
using namespace fold_detail;

inline Result<ThreeWayResult> FoldThreeWay(const LogStore& store, const statements::Header& header,
                                           const std::vector<statements::Line>& lines,
                                           const ThreeWayOptions& opts) {
  ThreeWayResult r;
  r.asset = header.asset == Asset::Unknown ? Asset::CNY : header.asset;
  r.statement_account = header.account;
  r.period_start_ns = opts.period_start_ns != 0 || opts.period_end_ns != 0 ? opts.period_start_ns
                                                                           : header.period_start_ns;
  r.period_end_ns = opts.period_start_ns != 0 || opts.period_end_ns != 0 ? opts.period_end_ns
                                                                         : header.period_end_ns;
  if (!header.has_balances) {
    return Status::Error(codes::kInvalidArgument,
                         "a three-way reconciliation needs a statement with a closing balance");
  }
  const std::optional<Money> closing = header.closing.ToMoney();
  if (!closing || closing->asset() != r.asset) {
    return Status::Error(codes::kInvalidArgument,
                         "a three-way reconciliation needs a closing balance in a currency the "
                         "ledger holds, in whole minor units; the statement says " +
                             header.closing.ToDisplay());
  }
  r.bank_closing = {header.closing_is_debit, *closing};
  r.bank_lines = static_cast<std::uint32_t>(lines.size());
  ASSIGN_OR_RETURN(LedgerSnapshot snap, FoldTrustBankItems(store, opts.as_of_seq));
  r.as_of_seq = snap.as_of_seq;
  std::vector<LedgerItem> items;
  for (LedgerItem& it : snap.items) {
    if (it.amount.asset() == r.asset && it.booked_at_ns >= r.period_start_ns &&
        it.booked_at_ns < r.period_end_ns) {
      items.push_back(std::move(it));
    }
  }
  MatchOptions mo;
  mo.period_start_ns = r.period_start_ns;
  mo.period_end_ns = r.period_end_ns;
  mo.amount_window_ns = opts.amount_window_ns;
  mo.compare_fees = false;
  Matcher m(&items, mo);
  for (const statements::Line& l : lines) m.Add(l);
  m.Finish();
  r.matched = static_cast<std::uint32_t>(m.matches().size());
  r.deposits_in_transit = Money(r.asset, 0);
  r.outstanding_disbursements = Money(r.asset, 0);
  std::map<std::string, const LedgerItem*> by_id;
  for (const LedgerItem& it : items) by_id[it.id] = &it;
  for (const recon::ReconDiscrepancy& d : m.discrepancies()) {
    const LedgerItem* it = d.ledger_ref.empty() ? nullptr : by_id[d.ledger_ref];
    if (d.kind == fb::DiscrepancyKind::MissingInStatement && it != nullptr) {
      if (it->is_debit) {
        r.outstanding.push_back(FromLedger(*it, "outstanding_disbursement"));
        r.outstanding_disbursements =
            Money(r.asset, r.outstanding_disbursements.minor() + it->amount.minor());
      } else if (it->booked_at_ns >= r.period_end_ns - opts.transit_window_ns) {
        r.in_transit.push_back(FromLedger(*it, "deposit_in_transit"));
        r.deposits_in_transit = Money(r.asset, r.deposits_in_transit.minor() + it->amount.minor());
      } else {
        r.unreconciled.push_back(FromLedger(*it, "missing_from_bank"));
      }
      continue;
    }
    ReconcilingItem ri;
    if (it != nullptr) ri = FromLedger(*it, "");
    ri.kind = d.kind == fb::DiscrepancyKind::MissingInLedger
                  ? "missing_from_ledger"
                  : std::string(recon::DiscrepancyKindName(d.kind));
    ri.line_no = d.line_no;
    ri.reference = d.statement_ref.empty() ? ri.reference : d.statement_ref;
    ri.bank_amount = d.statement_amount;
    ri.amount = d.ledger_amount;
    ri.description = d.note;
    r.unreconciled.push_back(std::move(ri));
  }
  SignedMoney adjusted = r.bank_closing;
  adjusted = Add(adjusted, false, r.deposits_in_transit);
  adjusted = Add(adjusted, true, r.outstanding_disbursements);
  r.adjusted_bank = adjusted;
  ASSIGN_OR_RETURN(Balances b, TrustBalances(store, r.asset, r.as_of_seq, r.period_end_ns));
  r.trust_gl = b.bank_trust;
  SignedMoney total{false, Money(r.asset, 0)};
  for (const auto& [key, bal] : b.matters) {
    total = Add(total, bal.negative, bal.value);
    r.matters.push_back(MatterBalance{key.first, key.second, bal});
    if (bal.negative && !bal.value.is_zero()) r.negatives.push_back(r.matters.back());
  }
  r.client_ledgers = total;
  r.agree = r.adjusted_bank == r.trust_gl && r.trust_gl == r.client_ledgers;
  return r;
}

}  // namespace folio::reconciliation::testing
