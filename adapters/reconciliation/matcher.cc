#include "adapters/reconciliation/matcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace folio::reconciliation {
namespace {

using statements::Amount;
using statements::ExactSum;

bool Successful(std::string_view status) {
  return status != "REVOKED" && status != "CLOSED" && status != "PAYERROR" && status != "FAIL" &&
         status != "FAILED" && status != "PDNG" && status != "reversal";
}

// What a movement does to the account, exactly: in less fee, or out.
void AddEffect(ExactSum& sum, const Amount& amount, const Amount& fee, bool debit, bool refund,
               bool minus) {
  if (debit || refund) {
    sum.Add(amount, !minus);
    return;
  }
  sum.Add(amount, minus);
  if (!fee.currency().empty() && fee.currency() == amount.currency()) sum.Add(fee, !minus);
}

// The exact sum at the asset's minor unit, rounded half-up; the note says so
// when digits were dropped.
Money ToMinor(const ExactSum& sum, Asset asset, bool* negative, std::string* note) {
  *negative = sum.negative();
  if (asset == Asset::Unknown || !sum.ok()) return Money(asset, 0);
  const std::uint8_t scale = AssetScale(asset);
  u128 m = sum.magnitude();
  if (sum.scale() > scale) {
    u128 p = 1;
    for (int i = scale; i < sum.scale(); ++i) p *= 10;
    const u128 q = m / p, r = m % p;
    m = q + (r * 2 >= p ? 1 : 0);
    if (r != 0) {
      *note +=
          "; exact difference " + sum.ToString() + ", parked rounded half-up to the minor unit";
    }
  } else {
    for (int i = sum.scale(); i < scale; ++i) m *= 10;
  }
  return Money(asset, m);
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
  for (const std::string& ref : l.other_refs) {  // EREF, KREF, TxId, ...
    if (ref.empty()) continue;
    if (auto it = by_ref_[dir].find(ref); it != by_ref_[dir].end()) {
      return std::make_pair(it->second, MatchRule::kGatewayTxnId);
    }
    if (auto it = by_order_[dir].find(ref); it != by_order_[dir].end()) {
      return std::make_pair(it->second, MatchRule::kOrderNo);
    }
  }
  return std::nullopt;
}

void Matcher::Add(const statements::Line& l) {
  using K = fb::DiscrepancyKind;
  ++totals_.lines;
  if (!l.booked) {
    return Discrepancy(K::NotBooked, &l, nullptr,
                       "entry status " + l.status + ": not booked, not reconciled");
  }
  if (l.amount.asset() == Asset::Unknown) {
    return Discrepancy(K::CurrencyNotHeld, &l, nullptr,
                       "the ledger holds no " + std::string(l.amount.currency()) + "; " +
                           l.amount.ToDisplay() + " not reconciled");
  }
  if (asset_ == Asset::Unknown) asset_ = l.amount.asset();
  if (l.amount.asset() == asset_ && !l.amount.sub_minor()) {
    (l.is_debit ? totals_.statement_debits : totals_.statement_credits) += l.amount.minor();
  }
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
  if (!(l.amount == Amount(it.amount))) {
    return Discrepancy(
        K::AmountMismatch, &l, &it,
        "amounts differ: ledger " + it.amount.ToDisplay() + ", statement " + l.amount.ToDisplay());
  }
  const bool fee_compared = opts_.compare_fees && (l.is_refund || !l.is_debit);
  if (fee_compared && !l.fee.currency().empty() && !(l.fee == Amount(it.fee))) {
    return Discrepancy(K::FeeMismatch, &l, &it,
                       std::string(l.is_refund ? "fee given back" : "fee") + ": ledger " +
                           it.fee.ToString() + ", statement " + l.fee.ToString());
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

void Matcher::AddCheck(const statements::StatementCheck& check) {
  if (check.consistent) return;
  recon::ReconDiscrepancy d;
  d.discrepancy_id = fmt::format("d{:06}", discrepancies_.size() + 1);
  d.kind = fb::DiscrepancyKind::StatementInconsistent;
  d.line_no = check.line_no;
  d.statement_ref = check.statement_id.substr(0, 256);
  d.note = check.note.substr(0, 4096);
  const Asset a = asset_ == Asset::Unknown ? Asset::CNY : asset_;
  d.ledger_amount = d.statement_amount = d.difference = Money(a, 0);
  discrepancies_.push_back(std::move(d));
}

void Matcher::Discrepancy(fb::DiscrepancyKind kind, const statements::Line* l, const LedgerItem* it,
                          std::string note) {
  using K = fb::DiscrepancyKind;
  recon::ReconDiscrepancy d;
  d.discrepancy_id = fmt::format("d{:06}", discrepancies_.size() + 1);
  d.kind = kind;
  Asset a = it != nullptr ? it->amount.asset() : (l != nullptr ? l->amount.asset() : asset_);
  if (a == Asset::Unknown) a = asset_ == Asset::Unknown ? Asset::CNY : asset_;
  ExactSum diff;  // the statement's effect on the account minus the ledger's
  diff.Add(Amount(Money(a, 0)), false);
  if (l != nullptr) {
    d.line_no = l->line_no;
    d.statement_ref = l->reference.substr(0, 256);
    auto money = l->amount.ToMoney();
    d.statement_amount = money ? *money : Money(a, 0);
    if (!money) d.statement_amount_text = l->amount.ToDisplay();
  } else {
    d.statement_amount = Money(a, 0);
  }
  if (it != nullptr) {
    d.ledger_ref = it->id;
    d.ledger_amount = it->amount;
  } else {
    d.ledger_amount = Money(a, 0);
  }
  const bool settled_ledger = it != nullptr && it->status == ItemStatus::kSettled;
  const bool stmt_side = l != nullptr && l->amount.asset() == a;
  switch (kind) {
    case K::Duplicate:
    case K::MissingInLedger:
      if (stmt_side) AddEffect(diff, l->amount, l->fee, l->is_debit, l->is_refund, false);
      break;
    case K::StatusMismatch:  // gateway paid, ledger open; or ledger settled, gateway failed
      if (settled_ledger) {
        AddEffect(diff, it->amount, it->fee, it->is_debit, false, true);
      } else if (stmt_side) {
        AddEffect(diff, l->amount, l->fee, l->is_debit, l->is_refund, false);
      }
      break;
    case K::MissingInStatement:
      AddEffect(diff, it->amount, it->fee, it->is_debit, false, true);
      break;
    case K::AmountMismatch:
      if (stmt_side) AddEffect(diff, l->amount, l->fee, l->is_debit, l->is_refund, false);
      AddEffect(diff, it->amount, it->fee, it->is_debit, false, true);
      break;
    case K::FeeMismatch:  // payment: ledger fee - statement fee; refund: given back - expected
      diff.Add(l->fee, !l->is_refund);
      diff.Add(Amount(it->fee), l->is_refund);
      break;
    case K::Timing:
    case K::StatementInconsistent:
    case K::CurrencyNotHeld:
    case K::NotBooked:
      break;  // nothing posts
  }
  bool negative = false;
  d.difference = ToMinor(diff, a, &negative, &note);
  d.difference_is_debit = !negative;
  d.note = std::move(note);
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
        l.amount.sub_minor()
            ? by_amount.end()
            : by_amount.find({l.is_debit, static_cast<int>(l.amount.asset()), l.amount.minor()});
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
