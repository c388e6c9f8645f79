// Import a statement and reconcile it in one step: what `folio import` and
// the HTTP import endpoint call.
//
//   1. SHA-256 of the file (of several files: of their SHA-256s, in order);
//      run id = "{source}-{first 16 hex digits}".
//      A completed run of the same file is answered from the log (replayed):
//      re-importing a file is idempotent. A run cut short by a crash resumes
//      against the same ledger prefix (the run's as_of_seq), so its commands
//      come out identical and the ones already written are skipped.
//   2. The ledger items of the source (ledger_items.h) up to the head.
//   3. The file is parsed and matched in one streaming pass (matcher.h); a
//      parse error stops before anything is written.
//   4. The run is appended to stream recon:{run_id}: StatementImported and
//      RunStarted, matches and discrepancies in chunks of at most 4096,
//      RunCompleted; each chunk with expected_version and an idempotency key.
//
// Thread-safety: one import per run at a time (expected_version turns a
// concurrent second one into stream_version_conflict).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "adapters/statements/statement.h"
#include "engine/log_store.h"
#include "engine/recon/recon.h"
#include "engine/writer.h"

namespace folio::reconciliation {

struct ImportOptions {
  statements::Source source = statements::Source::kCsv;
  std::string path;
  // More files of the same source read as one statement set after `path`, in
  // this order (a day's camt.053 files): one run, named by the SHA-256 of the
  // files' SHA-256s. Default: none.
  std::vector<std::string> more_paths;
  std::string actor = "folio-import";
  // Ledger account the statement speaks for. Default: clearing:alipay,
  // clearing:wechat_pay, or bank:trust for bank statements.
  std::string account;
  // Amount-only matches within this distance in time. Default: 2 days.
  std::int64_t amount_window_ns = 2 * 86'400'000'000'000;
  // Clock for occurred_at of the run's events. Default: the system clock.
  const Clock* clock = nullptr;
  // The period the statement covers when the file does not say (WeChat Pay's
  // bills): [start, end) in UTC ns. Both 0 (the default): the Shanghai days
  // its lines fall on. The scheduled job passes the day it asked for, so
  // that an empty bill still makes every item of that day missing. UnionPay:
  // the start is also the settle date whose year the file's MMDD times take
  // (statements::ParseOptions::settle_date_ns).
  std::int64_t period_start_ns = 0;
  std::int64_t period_end_ns = 0;
};

struct ImportResult {
  std::string run_id;
  std::string statement_id;  // SHA-256 of the file, hex
  std::string account;
  std::uint32_t lines = 0;
  std::uint32_t matched = 0;
  std::uint32_t statements = 0;                        // statements in the file (0 when replayed)
  std::map<std::string, std::uint32_t> discrepancies;  // every kind, zero or not
  bool replayed = false;                               // the file was imported before
  std::uint64_t as_of_seq = 0;
  std::uint64_t events = 0;  // appended by this call
  // Timings (seconds) for `folio bench recon`.
  double ledger_read_s = 0, parse_match_s = 0, append_s = 0;
};

Result<ImportResult> ImportStatement(LogStore& store, Writer& writer, const ImportOptions& opts);

// Records a resolution of a discrepancy by a named person; the resolution
// releases what the discrepancy parked in suspense:reconciliation.
// Rejections are returned as errors with the code of engine/recon/recon.h.
Result<AppendOutcome> ResolveDiscrepancy(LogStore& store, Writer& writer,
                                         const recon::ReconResolve& resolve,
                                         const std::string& actor, const Clock* clock = nullptr);

// The fold of a run's stream; recon_run_not_found when it has no events.
Result<recon::RunState> LoadRun(const LogStore& store, std::string_view run_id);

// SHA-256 of a file, streamed.
Result<Hash32> FileSha256(const std::string& path);

// JSON of an ImportResult: {"run_id","statement_id","account","lines","matched",
// "statements","discrepancies":{kind:count},"replayed","as_of_seq"}.
std::string ImportResultJson(const ImportResult& r);

}  // namespace folio::reconciliation
