// Reconciliation runs: the pure decide/apply of the `recon:{run_id}` stream.
//
// A run is its own aggregate, and its state is the fold of its stream (no
// `state` family entry): the import service (adapters/reconciliation/) folds
// the stream, decides, and appends with expected_version = the stream's
// version, so two writers of one run cannot interleave. Events, in order:
//
//   StatementImported, ReconciliationRunStarted          (ReconStart)
//   (ReconciliationItemMatched | DiscrepancyDetected)*   (ReconRecord, in chunks)
//   ReconciliationRunCompleted                           (ReconComplete)
//   DiscrepancyResolved*                                 (ReconResolve, any time after)
//
// Rejections (checked in this order per command; docs/reconciliation.md):
//   ReconStart:    invalid_command, recon_run_exists
//   ReconRecord:   invalid_command, recon_run_not_found, recon_run_completed,
//                  recon_discrepancy_exists
//   ReconComplete: recon_run_not_found, recon_run_completed
//   ReconResolve:  invalid_command, recon_run_not_found, recon_run_open,
//                  recon_discrepancy_not_found, recon_discrepancy_resolved
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/domain/domain.h"
#include "events/hash.h"
#include "events/money.h"

namespace folio::recon {

namespace rejections {
inline constexpr std::string_view kRunExists = "recon_run_exists";
inline constexpr std::string_view kRunNotFound = "recon_run_not_found";
inline constexpr std::string_view kRunCompleted = "recon_run_completed";
inline constexpr std::string_view kRunOpen = "recon_run_open";
inline constexpr std::string_view kDiscrepancyExists = "recon_discrepancy_exists";
inline constexpr std::string_view kDiscrepancyNotFound = "recon_discrepancy_not_found";
inline constexpr std::string_view kDiscrepancyResolved = "recon_discrepancy_resolved";
}  // namespace rejections

// Largest number of items (matches + discrepancies) of one ReconRecord.
inline constexpr std::size_t kRecordItemsMax = 4096;

inline constexpr std::string_view kSuspenseAccount = "suspense:reconciliation";

std::string RunStream(std::string_view run_id);  // "recon:{run_id}"

// "missing_in_ledger", ... (the names `folio import --json`, the run report
// and GET /v1/reconciliations/{run} print).
std::string_view DiscrepancyKindName(fb::DiscrepancyKind k);

struct ReconStart {
  std::string run_id;
  std::string statement_id;  // the file's SHA-256 in hex
  fb::StatementSource source = fb::StatementSource::Unknown;
  std::string account;            // "clearing:alipay", "bank:trust", ...
  std::string statement_account;  // as printed in the file
  std::int64_t period_start_ns = 0, period_end_ns = 0;
  Hash32 file_sha256{};
  Money opening, closing;
  std::uint32_t line_count = 0;
  std::uint64_t as_of_seq = 0;  // the ledger was read up to here
  // Exact, for statements Money cannot hold (any currency, sub-minor digits).
  std::string currency, opening_text, closing_text;
  std::uint32_t statements = 0;
};

struct ReconMatch {
  std::uint32_t line_no = 0;
  std::string ledger_ref, statement_ref;
  Money amount;
  std::string rule;  // gateway_txn_id / order_no / amount_window
};

struct ReconDiscrepancy {
  std::string discrepancy_id;  // unique within the run
  fb::DiscrepancyKind kind = fb::DiscrepancyKind::MissingInLedger;
  std::uint32_t line_no = 0;  // 0: no statement line (missing_in_statement)
  std::string ledger_ref, statement_ref;
  Money ledger_amount, statement_amount;
  std::string note;
  Money difference;                   // may be zero (timing): nothing posts
  bool difference_is_debit = false;   // statement holds more: Dr account, Cr suspense
  std::string statement_amount_text;  // exact, when statement_amount cannot hold it
};

struct ReconRecord {
  std::string run_id;
  std::vector<ReconMatch> matches;
  std::vector<ReconDiscrepancy> discrepancies;
};

struct ReconComplete {
  std::string run_id;
  Money statement_credits, statement_debits, ledger_credits, ledger_debits, matched_amount;
};

struct ReconResolve {
  std::string run_id;
  std::string discrepancy_id;
  std::string resolved_by;  // a named person
  std::string resolution;   // what was done
};

using ReconCommand = std::variant<ReconStart, ReconRecord, ReconComplete, ReconResolve>;

struct DiscrepancyState {
  fb::DiscrepancyKind kind = fb::DiscrepancyKind::MissingInLedger;
  Money difference;
  bool is_debit = false;
  bool resolved = false;
};

// The fold of one run's stream.
struct RunState {
  bool exists = false;
  bool completed = false;
  std::string account;
  std::uint32_t matched = 0;
  std::uint32_t line_count = 0;
  std::uint32_t statements = 0;  // statements in the file (0 for runs before issue 18)
  std::uint64_t as_of_seq = 0;
  std::uint64_t version = 0;  // events applied
  std::map<std::string, DiscrepancyState, std::less<>> discrepancies;
};

void ApplyRecon(RunState& state, const fb::Envelope& env);

// Pure: envelopes for stream RunStream(run_id), or a rejection.
domain::Decision DecideRecon(const RunState& state, const ReconCommand& command,
                             const domain::CommandContext& ctx);

// Identifies a command's content (idempotency fingerprint).
Hash32 ReconFingerprint(const ReconCommand& command);

}  // namespace folio::recon
