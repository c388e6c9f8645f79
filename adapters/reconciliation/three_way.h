// Three-way trust reconciliation for a period (what a law firm shows its
// regulator each month):
//
//   bank statement closing balance
//     + deposits in transit       (ledger deposits not yet on the statement,
//                                  recorded within `transit_window` of the end)
//     - outstanding disbursements (ledger payments out not yet on the statement)
//     = adjusted bank balance
//   trust general ledger balance  (bank:trust, from the postings)
//   sum of client matter balances (liability:trust:{client}:{matter})
//
// The three must agree. Everything else that differs is a reconciling item
// named with its reference: a ledger deposit older than the transit window
// that the bank does not show (missing_from_bank), a bank line the ledger does
// not have (missing_from_ledger), amounts that differ (amount_mismatch),
// a bank line shown twice (duplicate). Negative matters are listed.
//
// Ledger movements are compared when booked inside the period; earlier ones
// are taken as reconciled by earlier statements. Balances are as of the end
// of the period (events with occurred_at < end and seq <= as_of_seq).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/statements/statement.h"
#include "engine/log_store.h"

namespace folio::reconciliation {

struct SignedMoney {
  bool negative = false;
  Money value;
  friend bool operator==(const SignedMoney&, const SignedMoney&) = default;
  std::string ToString() const {
    return (negative && !value.is_zero() ? "-" : "") + value.ToString();
  }
};

struct ThreeWayOptions {
  // Period; both 0: the statement's own period.
  std::int64_t period_start_ns = 0, period_end_ns = 0;
  // Deposits recorded this close to the end may not have reached the bank yet.
  // Default: 3 days.
  std::int64_t transit_window_ns = 3 * 86'400'000'000'000;
  // Amount-only matching window, as for imports. Default: 2 days.
  std::int64_t amount_window_ns = 2 * 86'400'000'000'000;
  std::uint64_t as_of_seq = 0;  // 0: the head
};

struct ReconcilingItem {
  std::string kind;  // deposit_in_transit, outstanding_disbursement, missing_from_bank,
                     // missing_from_ledger, amount_mismatch, duplicate
  std::string ledger_id, reference, client_id, matter_id, description;
  Money amount;  // ledger amount (bank amount for missing_from_ledger)
  Money bank_amount;
  bool is_debit = false;
  std::int64_t booked_at_ns = 0;
  std::uint32_t line_no = 0;
};

struct MatterBalance {
  std::string client_id, matter_id;
  SignedMoney balance;
};

struct ThreeWayResult {
  std::string statement_account;
  std::string statement_sha256;  // hex; empty when given lines, not a file
  Asset asset = Asset::CNY;
  std::int64_t period_start_ns = 0, period_end_ns = 0;
  std::uint64_t as_of_seq = 0;
  SignedMoney bank_closing;
  Money deposits_in_transit, outstanding_disbursements;
  SignedMoney adjusted_bank;
  SignedMoney trust_gl;
  SignedMoney client_ledgers;
  bool agree = false;
  std::uint32_t bank_lines = 0, matched = 0;
  std::vector<ReconcilingItem> in_transit, outstanding, unreconciled;
  std::vector<MatterBalance> matters;    // every matter with a balance or movement
  std::vector<MatterBalance> negatives;  // matters below zero
};

// Reads the statement file and the log.
Result<ThreeWayResult> ThreeWayReconcile(const LogStore& store, statements::Source source,
                                         const std::string& path, const ThreeWayOptions& opts);

// The same over an already parsed statement.
Result<ThreeWayResult> ThreeWayReconcile(const LogStore& store, const statements::Header& header,
                                         const std::vector<statements::Line>& lines,
                                         const ThreeWayOptions& opts);

}  // namespace folio::reconciliation
