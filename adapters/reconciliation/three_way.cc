#include "adapters/reconciliation/three_way.h"

#include <limits>
#include <map>

#include "adapters/reconciliation/import.h"
#include "adapters/reconciliation/matcher.h"
#include "engine/domain/postings.h"
#include "events/codes.h"
#include "projections/reconciliation.h"
#include "projections/view.h"

namespace folio::reconciliation {
namespace {

SignedMoney FromBalance(Asset a, u128 debit, u128 credit, bool credit_normal) {
  SignedMoney s;
  const u128 pos = credit_normal ? credit : debit, neg = credit_normal ? debit : credit;
  s.negative = neg > pos;
  s.value = Money(a, s.negative ? neg - pos : pos - neg);
  return s;
}

SignedMoney Add(SignedMoney a, bool negative, const Money& b) {
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

// bank:trust and every liability:trust:{client}:{matter} of `ledger` in `asset`.
Balances TrustBalances(const domain::Ledger& ledger, Asset asset) {
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

// As engine/domain/postings.cc: `amount` from `cr` to `dr`, nothing when zero.
void Pair(domain::Ledger& ledger, std::string dr, std::string cr, const Money& amount) {
  if (amount.is_zero()) return;
  const Money zero(amount.asset(), 0);
  domain::Post(ledger, {domain::Posting{std::move(dr), amount.asset(), amount, zero},
                        domain::Posting{std::move(cr), amount.asset(), zero, amount}});
}

// The trust side of the reconciliation, read from the projections as of
// `as_of` (0: the head), never from the log: the ledger items of the trust
// bank account (the trust projection's general ledger, in log order, each
// with its line's bank reference), and the postings on bank:trust and the
// client matters of events with occurred_at < end_ns (the trust movements,
// and the differences reconciliations parked between bank:trust and
// suspense). The same items and balances the fold of the log gave.
struct TrustSide {
  LedgerSnapshot snap;
  domain::Ledger ledger;
};
Result<TrustSide> ReadTrustSide(const LogStore& store, std::uint64_t as_of, std::int64_t end_ns) {
  TrustSide side;
  // ReadLedgerItems takes 0 or a seq past the head as the head, and says
  // which seq it read as of.
  ASSIGN_OR_RETURN(side.snap, ReadLedgerItems(store, LedgerScope::kTrustBank, as_of));
  for (const LedgerItem& it : side.snap.items) {
    if (it.booked_at_ns >= end_ns) continue;
    std::string liability = "liability:trust:" + it.client_id + ":" + it.matter_id;
    if (it.is_debit) {
      Pair(side.ledger, std::move(liability), "bank:trust", it.amount);
    } else {
      Pair(side.ledger, "bank:trust", std::move(liability), it.amount);
    }
  }
  projections::ReconciliationProjection recon_projection;
  ASSIGN_OR_RETURN(auto recon,
                   projections::ProjectionView::Open(store, recon_projection, side.snap.as_of_seq));
  for (const auto& m : projections::ReconAccountMoves(*recon, recon->as_of())) {
    if (m.at_ns >= end_ns) continue;
    if (m.debit) {
      Pair(side.ledger, m.account, std::string(recon::kSuspenseAccount), m.amount);
    } else {
      Pair(side.ledger, std::string(recon::kSuspenseAccount), m.account, m.amount);
    }
  }
  return side;
}

ReconcilingItem FromLedger(const LedgerItem& it, std::string kind) {
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

}  // namespace

Result<ThreeWayResult> ThreeWayReconcile(const LogStore& store, const statements::Header& header,
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
  ASSIGN_OR_RETURN(TrustSide side, ReadTrustSide(store, opts.as_of_seq, r.period_end_ns));
  LedgerSnapshot& snap = side.snap;
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
  const Balances b = TrustBalances(side.ledger, r.asset);
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

Result<ThreeWayResult> ThreeWayReconcile(const LogStore& store, statements::Source source,
                                         const std::string& path, const ThreeWayOptions& opts) {
  std::vector<statements::Line> lines;
  ASSIGN_OR_RETURN(statements::Header h,
                   statements::ParseStatementFile(source, path, [&](const statements::Line& l) {
                     lines.push_back(l);
                     return OkStatus();
                   }));
  ASSIGN_OR_RETURN(Hash32 sha, FileSha256(path));
  ASSIGN_OR_RETURN(ThreeWayResult r, ThreeWayReconcile(store, h, lines, opts));
  r.statement_sha256 = ToHex(sha);
  return r;
}

}  // namespace folio::reconciliation
