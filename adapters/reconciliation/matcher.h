// Matching statement lines against ledger items. Pure: no I/O.
//
// Pass 1 (Add, streaming, one line at a time): a line is looked up by its
// gateway transaction id (rule gateway_txn_id), then by merchant order number
// (rule order_no), in the same direction (money in / money out). Found:
//   - the item already matched an earlier line        -> duplicate
//   - the ledger item is not settled (open / closed)   -> status_mismatch
//   - the gross amounts differ                         -> amount_mismatch
//   - the fees differ (gateway bills, payments only)   -> fee_mismatch
//   - one side booked inside the period, one outside   -> timing (nothing posts)
//   - otherwise                                        -> matched
// Lines not found by reference wait for pass 2.
// Pass 2 (Finish): each waiting line, in file order, takes the unmatched
// settled item of the same direction and amount booked nearest in time within
// the window (rule amount_window; a fee difference is still fee_mismatch), or
// is missing_in_ledger. Then every settled item booked in the period that no
// line matched is missing_in_statement.
//
// Before any of that (Add): a line that is not booked (camt.053 PDNG/INFO) is
// not_booked, a line in a currency the ledger does not hold is
// currency_not_held; neither is reconciled and neither parks anything.
// AddCheck turns a statement that contradicts itself (balances, totals lines)
// into statement_inconsistent, which parks nothing either.
//
// Amounts compare exactly (statements::Amount): a line with digits below the
// minor unit ("0.00600" CNY) never equals the ledger's whole minor units.
// On a refund, the fee the gateway gives back is compared with the fee the
// ledger expects back (ledger_items.h: the payment's fee pro rata).
//
// The difference a discrepancy parks in suspense is the statement's effect on
// the account minus the ledger's (a payment's effect is its amount less its
// fee; a refund's, minus its amount; for a refund's fee_mismatch, the fee
// given back minus the fee expected back), computed exactly and parked
// rounded half-up to the minor unit (the ledger holds whole minor units);
// when that rounding changed it, the note gives the exact difference.
//
// Memory: the ledger items and their two indexes, one compact record per
// matched line and the lines waiting for pass 2.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/reconciliation/ledger_items.h"
#include "adapters/statements/statement.h"
#include "engine/recon/recon.h"

namespace folio::reconciliation {

struct MatchOptions {
  std::int64_t period_start_ns = 0;  // [start, end); both 0: no period (no timing checks)
  std::int64_t period_end_ns = 0;
  // Largest distance between ledger and statement booking times for an
  // amount-only match. Default: 2 days.
  std::int64_t amount_window_ns = 2 * 86'400'000'000'000;
  bool compare_fees = true;  // gateway bills: yes; bank statements: no
};

enum class MatchRule : std::uint8_t { kGatewayTxnId, kOrderNo, kAmountWindow };
std::string_view RuleName(MatchRule r);

struct MatchRecord {
  std::uint32_t line_no = 0;
  std::uint32_t item = 0;  // index into the ledger items
  MatchRule rule = MatchRule::kGatewayTxnId;
  std::string statement_ref;  // empty: equal to the item's gateway_ref
};

struct MatchTotals {
  u128 statement_credits = 0, statement_debits = 0;
  u128 ledger_credits = 0, ledger_debits = 0;  // settled items booked in the period
  u128 matched = 0;
  std::uint32_t lines = 0;
};

class Matcher {
 public:
  // REQUIRES: `items` outlives the matcher and is not resized while it lives;
  // the matcher sets their `matched`.
  Matcher(std::vector<LedgerItem>* items, MatchOptions opts);
  void Add(const statements::Line& line);
  // A statement of the file that contradicts itself: statement_inconsistent.
  void AddCheck(const statements::StatementCheck& check);
  void Finish();

  const std::vector<MatchRecord>& matches() const { return matches_; }
  const std::vector<recon::ReconDiscrepancy>& discrepancies() const { return discrepancies_; }
  const MatchTotals& totals() const { return totals_; }
  Asset asset() const { return asset_; }

 private:
  struct Waiting {
    statements::Line line;
  };
  std::optional<std::pair<std::uint32_t, MatchRule>> Lookup(const statements::Line& l) const;
  void Judge(const statements::Line& l, std::uint32_t item, MatchRule rule);
  void Discrepancy(fb::DiscrepancyKind kind, const statements::Line* l, const LedgerItem* it,
                   std::string note);
  bool InPeriod(std::int64_t ns) const;

  std::vector<LedgerItem>* items_;
  MatchOptions opts_;
  // Views into the items' strings (the items never move); [0] money in, [1] out.
  std::unordered_map<std::string_view, std::uint32_t> by_ref_[2], by_order_[2];
  std::vector<MatchRecord> matches_;
  std::vector<recon::ReconDiscrepancy> discrepancies_;
  std::vector<Waiting> waiting_;
  MatchTotals totals_;
  Asset asset_ = Asset::Unknown;
};

}  // namespace folio::reconciliation
