// Reconciliation runs (projection "recon"): each run of stream
// recon:{run_id} (engine/recon/recon.h) as read models: the run (the
// statement it imported, the ledger account and prefix it was matched
// against, its completion and totals), its matches, its discrepancies with
// their resolution, and the resolutions. GET /v1/reconciliations/{run} and
// the reconciliation-run report read them; a run costs its own rows, never
// a read of the log. Format and semantics: docs/projections.md.
//
// Every row carries the seq of the event that wrote it (and a discrepancy the
// seq of its first resolution), so a reader asks for the run as of any
// sequence and gets exactly what the run's events up to there say, however
// far the projector has got.
//
// The log does not hold a statement's lines (StatementImported names the file
// by its SHA-256; `lines` stays empty); a line's outcome is the match or the
// discrepancy that names its line_no.
//
// State keys (key parts: projections/row_codec.h; seq big-endian):
//   "r/" run                   -> run row
//   "m/" run seq               -> match
//   "d/" run seq               -> discrepancy (+ resolved_seq)
//   "x/" run discrepancy_id    -> seq of the discrepancy's latest detection
//   "v/" run seq               -> resolution
//
// Hostile logs (events of a run that never started, a resolution of an
// unknown discrepancy, an id detected twice) are recorded as they come, the
// way the run report's fold of the stream reads them; nothing aborts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/money.h"
#include "projections/projection.h"
#include "projections/reader.h"

namespace folio::projections {

// A run's own events, each part with the seq of the event that wrote it
// (seq 0: not applied).
struct ReconImported {  // StatementImported
  std::uint64_t seq = 0;
  std::int64_t at_ns = 0;
  std::string by;
  fb::StatementSource source = fb::StatementSource::Unknown;
  std::string statement_account;
  std::int64_t period_start_ns = 0, period_end_ns = 0;
  std::string file_sha256_hex;  // empty when the event has none
  std::uint32_t line_count = 0;
  std::uint32_t statements = 0;
  Money opening, closing;
  bool exact_balances = false;  // the texts below are the statement's balances
  std::string opening_text, closing_text;
};
struct ReconStarted {  // ReconciliationRunStarted
  std::uint64_t seq = 0;
  std::string ledger_account;
  std::uint64_t ledger_as_of_seq = 0;
};
struct ReconCompleted {  // ReconciliationRunCompleted
  std::uint64_t seq = 0;
  std::int64_t at_ns = 0;
  std::uint32_t matched = 0, discrepancies = 0;
  Money statement_credits, statement_debits, ledger_credits, ledger_debits, matched_amount;
};
struct ReconRunRow {
  std::string run_id;
  ReconImported imported;
  ReconStarted started;
  ReconCompleted completed;
};

struct ReconMatchRow {
  std::uint64_t seq = 0;
  std::uint32_t line_no = 0;
  std::string ledger_ref, statement_ref, rule;
  Money amount;
};

struct ReconDiscrepancyRow {
  std::uint64_t seq = 0;
  std::int64_t at_ns = 0;
  std::string discrepancy_id;
  fb::DiscrepancyKind kind = fb::DiscrepancyKind::MissingInLedger;
  std::uint32_t line_no = 0;
  std::string ledger_ref, statement_ref, note;
  Money ledger_amount, statement_amount;
  bool exact_statement_amount = false;  // statement_amount_text holds it
  std::string statement_amount_text;
  std::string account;  // the ledger account the difference posts to (against suspense)
  Money difference;
  bool difference_is_debit = false;  // the statement holds more: Dr account
  std::uint64_t resolved_seq = 0;    // first resolution; 0: none yet
  bool resolved = false;             // as of the query
};

struct ReconResolutionRow {
  std::uint64_t seq = 0;
  std::int64_t at_ns = 0;
  std::string discrepancy_id, resolved_by, resolution;
  Money amount;           // released from suspense
  std::string account;    // the detection's account, posted back
  bool is_debit = false;  // the detection's side (true: Cr account now)
};

// A run as of one sequence: the rows of its events up to there, in log order.
struct ReconRunView {
  ReconRunRow run;  // parts written after the as-of sequence are empty
  std::vector<ReconMatchRow> matches;
  std::vector<ReconDiscrepancyRow> discrepancies;
  std::vector<ReconResolutionRow> resolutions;
  // The discrepancies whose latest detection is not resolved as of the query
  // (ids in order), what the run still holds in suspense.
  std::vector<const ReconDiscrepancyRow*> Unresolved() const;
};

class ReconciliationProjection final : public Projection {
 public:
  std::string_view name() const override { return "recon"; }
  std::uint32_t version() const override { return 1; }
  void Apply(const EventRecord& event, ProjectionStore& store) override;
};

// The run as of `as_of_seq` (nullopt: everything in the reader); nullopt when
// none of its events is at or before it.
std::optional<ReconRunView> ReconRun(ProjectionReader& reader, std::string_view run_id,
                                     std::optional<std::uint64_t> as_of_seq = std::nullopt);

// What the reconciliation did to one ledger account: a detection parks its
// difference between `account` and suspense:reconciliation, a resolution
// posts it back (engine/domain/postings.cc).
struct ReconAccountMove {
  std::uint64_t seq = 0;
  std::int64_t at_ns = 0;
  std::string account;
  Money amount;
  bool debit = false;  // `account` debited (else credited)
};

// Every detection and resolution of every run with seq <= as_of_seq, in seq
// order (cost: the rows of every discrepancy and resolution, not the log).
std::vector<ReconAccountMove> ReconAccountMoves(ProjectionReader& reader,
                                                std::optional<std::uint64_t> as_of_seq);

// {"run_id","status":"open"|"completed","statement":{...},"ledger":{...},
//  "totals":{...}|null,"matched_by_rule":[...],"discrepancies":[...],
//  "resolutions":[...],"unresolved":N,"as_of_seq":N}; docs/api.md.
// `matches` adds every match ("matches":[...]), which a large run has many of.
std::string ReconRunJson(const ReconRunView& view, std::uint64_t as_of_seq, bool matches);

// Row codecs (exposed for the tests' hostile-row cases).
std::string EncodeReconRunRow(const ReconRunRow& r);
std::optional<ReconRunRow> DecodeReconRunRow(std::string_view row);

}  // namespace folio::projections
