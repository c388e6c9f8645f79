#include "adapters/reconciliation/matcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace folio::reconciliation {
namespace {

// A signed amount: sign and magnitude (the ledger's Money is unsigned).
struct Signed {
  bool negative = false;
  u128 magnitude = 0;
};
Signed Minus(Signed a) {
  a.negative = !a.negative && a.magnitude != 0;
  return a;
}
Signed Plus(Signed a, Signed b) {
  if (a.negative == b.negative) return {a.negative, a.magnitude + b.magnitude};
  if (a.magnitude >= b.magnitude)
    return {a.negative && a.magnitude != b.magnitude, a.magnitude - b.magnitude};
  return {b.negative, b.magnitude - a.magnitude};
}
// What a movement does to the account: in less fee, or out.
Signed Effect(u128 amount, u128 fee, bool debit, bool refund) {
  if (debit) return {amount != 0, amount};
  if (refund) return {false, amount};
  return Plus({false, amount}, {fee != 0, fee});
}
bool Successful(std::string_view status) {
  return status != "REVOKED" && status != "CLOSED" && status != "PAYERROR" && status != "FAIL" &&
         status != "FAILED" && status != "PDNG" && status != "reversal";
}

}  // namespace

std::string_view RuleName(MatchRule r) {
  switch (r) {
    case MatchRule::kGatewayTxnId:
      return "gateway_txn_id";
    case MatchRule::kOrderNo:
      return "order_no";
    case MatchRule::kAmountWindow:
      return "amount_window";
  }
  return "";
}

std::string_view KindName(fb::DiscrepancyKind k) {
  switch (k) {
    case fb::DiscrepancyKind::MissingInLedger:
      return "missing_in_ledger";
    case fb::DiscrepancyKind::MissingInStatement:
      return "missing_in_statement";
    case fb::DiscrepancyKind::AmountMismatch:
      return "amount_mismatch";
    case fb::DiscrepancyKind::StatusMismatch:
      return "status_mismatch";
    case fb::DiscrepancyKind::FeeMismatch:
      return "fee_mismatch";
    case fb::DiscrepancyKind::Duplicate:
      return "duplicate";
    case fb::DiscrepancyKind::Timing:
      return "timing";
  }
  return "unknown";
}

Matcher::Matcher(std::vector<LedgerItem>* items, MatchOptions opts) : items_(items), opts_(opts) {
  by_ref_[0].reserve(items->size());
  by_order_[0].reserve(items->size() * 2);
  for (std::uint32_t i = 0; i < items->size(); ++i) {
    const LedgerItem& it = (*items)[i];
    const int dir = it.is_debit ? 1 : 0;
    if (asset_ == Asset::Unknown) asset_ = it.amount.asset();
    if (!it.gateway_ref.empty()) by_ref_[dir].emplace(it.gateway_ref, i);
    if (!it.order_ref.empty()) by_order_[dir].emplace(it.order_ref, i);
    by_order_[dir].emplace(it.id, i);
    if (it.status == ItemStatus::kSettled && InPeriod(it.booked_at_ns)) {
      (it.is_debit ? totals_.ledger_debits : totals_.ledger_credits) += it.amount.minor();
    }
  }
}

bool Matcher::InPeriod(std::int64_t ns) const {
  if (opts_.period_start_ns == 0 && opts_.period_end_ns == 0) return true;
  return ns >= opts_.period_start_ns && ns < opts_.period_end_ns;
}

std::optional<std::pair<std::uint32_t, MatchRule>> Matcher::Lookup(
    const statements::Line& l) const {
  const int dir = l.is_debit ? 1 : 0;
  if (!l.reference.empty()) {
    if (auto it = by_ref_[dir].find(l.reference); it != by_ref_[dir].end()) {
      return std::make_pair(it->second, MatchRule::kGatewayTxnId);
    }
  }
  for (const std::string* ref : {&l.order_ref, &l.reference}) {
    if (ref->empty()) continue;
    if (auto it = by_order_[dir].find(*ref); it != by_order_[dir].end()) {
      return std::make_pair(it->second, MatchRule::kOrderNo);
    }
  }
  return std::nullopt;
}

void Matcher::Add(const statements::Line& l) {
  ++totals_.lines;
  if (asset_ == Asset::Unknown) asset_ = l.amount.asset();
  (l.is_debit ? totals_.statement_debits : totals_.statement_credits) += l.amount.minor();
  if (auto found = Lookup(l)) {
    Judge(l, found->first, found->second);
  } else {
    waiting_.push_back(Waiting{l});
  }
}

void Matcher::Judge(const statements::Line& l, std::uint32_t idx, MatchRule rule) {
  using K = fb::DiscrepancyKind;
  LedgerItem& it = (*items_)[idx];
  if (it.matched) {
    return Discrepancy(K::Duplicate, &l, &it, "the statement shows this transaction again");
  }
  it.matched = true;
  if (it.status != ItemStatus::kSettled || !Successful(l.status)) {
    return Discrepancy(K::StatusMismatch, &l, &it,
                       it.status != ItemStatus::kSettled
                           ? "the gateway completed it; the ledger has it not settled"
                           : "the ledger settled it; the statement says " + l.status);
  }
  if (it.amount != l.amount) {
    return Discrepancy(K::AmountMismatch, &l, &it, "amounts differ");
  }
  if (opts_.compare_fees && !l.is_debit && !l.is_refund && it.fee.minor() != l.fee.minor()) {
    return Discrepancy(K::FeeMismatch, &l, &it,
                       "fee: ledger " + it.fee.ToString() + ", statement " + l.fee.ToString());
  }
  if (InPeriod(it.booked_at_ns) != InPeriod(l.booked_at_ns)) {
    return Discrepancy(K::Timing, &l, &it, "booked on different sides of the period's cut-off");
  }
  totals_.matched += l.amount.minor();
  MatchRecord m;
  m.line_no = l.line_no;
  m.item = idx;
  m.rule = rule;
  if (l.reference != it.gateway_ref) m.statement_ref = l.reference;
  matches_.push_back(std::move(m));
}

void Matcher::Discrepancy(fb::DiscrepancyKind kind, const statements::Line* l, const LedgerItem* it,
                          std::string note) {
  using K = fb::DiscrepancyKind;
  recon::ReconDiscrepancy d;
  d.discrepancy_id = fmt::format("d{:06}", discrepancies_.size() + 1);
  d.kind = kind;
  d.note = std::move(note);
  const Asset a = l != nullptr ? l->amount.asset() : it->amount.asset();
  Signed stmt, ledger;
  if (l != nullptr) {
    d.line_no = l->line_no;
    d.statement_ref = l->reference;
    d.statement_amount = l->amount;
    stmt = Effect(l->amount.minor(), l->fee.minor(), l->is_debit, l->is_refund);
  } else {
    d.statement_amount = Money(a, 0);
  }
  if (it != nullptr) {
    d.ledger_ref = it->id;
    d.ledger_amount = it->amount;
    ledger = Effect(it->amount.minor(), it->fee.minor(), it->is_debit, false);
  } else {
    d.ledger_amount = Money(a, 0);
  }
  Signed diff;
  switch (kind) {
    case K::Duplicate:
    case K::StatusMismatch:
    case K::MissingInLedger:
      diff = stmt;
      break;
    case K::MissingInStatement:
      diff = Minus(ledger);
      break;
    case K::AmountMismatch:
    case K::FeeMismatch:
      diff = Plus(stmt, Minus(ledger));
      break;
    case K::Timing:
      break;
  }
  // A status mismatch the other way round (ledger settled, gateway failed):
  // the statement moved nothing.
  if (kind == K::StatusMismatch && it != nullptr && it->status == ItemStatus::kSettled) {
    diff = Minus(ledger);
  }
  d.difference = Money(a, diff.magnitude);
  d.difference_is_debit = !diff.negative;
  discrepancies_.push_back(std::move(d));
}

void Matcher::Finish() {
  // Unmatched settled items by (direction, asset, amount), for pass 2.
  std::map<std::tuple<bool, int, u128>, std::vector<std::uint32_t>> by_amount;
  for (std::uint32_t i = 0; i < items_->size(); ++i) {
    const LedgerItem& it = (*items_)[i];
    if (!it.matched && it.status == ItemStatus::kSettled) {
      by_amount[{it.is_debit, static_cast<int>(it.amount.asset()), it.amount.minor()}].push_back(i);
    }
  }
  for (const Waiting& w : waiting_) {
    const statements::Line& l = w.line;
    auto bucket =
        by_amount.find({l.is_debit, static_cast<int>(l.amount.asset()), l.amount.minor()});
    std::optional<std::uint32_t> best;
    std::int64_t best_gap = 0;
    if (bucket != by_amount.end()) {
      for (std::uint32_t i : bucket->second) {
        const LedgerItem& it = (*items_)[i];
        if (it.matched) continue;
        const std::int64_t gap = it.booked_at_ns > l.booked_at_ns
                                     ? it.booked_at_ns - l.booked_at_ns
                                     : l.booked_at_ns - it.booked_at_ns;
        if (gap <= opts_.amount_window_ns && (!best || gap < best_gap)) {
          best = i;
          best_gap = gap;
        }
      }
    }
    if (best) {
      Judge(l, *best, MatchRule::kAmountWindow);
    } else {
      Discrepancy(fb::DiscrepancyKind::MissingInLedger, &l, nullptr,
                  "no ledger transaction with this reference, order or amount");
    }
  }
  waiting_.clear();
  for (std::uint32_t i = 0; i < items_->size(); ++i) {
    const LedgerItem& it = (*items_)[i];
    if (!it.matched && it.status == ItemStatus::kSettled && InPeriod(it.booked_at_ns)) {
      Discrepancy(fb::DiscrepancyKind::MissingInStatement, nullptr, &it,
                  "settled in the ledger, absent from the statement");
    }
  }
}

}  // namespace folio::reconciliation
