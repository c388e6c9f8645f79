// `folio bench statement`: a client's trust statement on a large log.
//
// Builds a log of about N events through the real writer (payments created
// and settled, and between them trust deposits and refunds to client for C
// clients, 8 submitters), brings the trust projection up to the head, then
// asks Q statements (JSON, all history, as of the head) for random clients,
// each the whole path a caller takes: BuildReport + RenderReport, one
// snapshot of the projection each. The baseline in the same process is raw
// RocksDB reading the same client's rows (one iterator over the client's
// line range of proj.trust, every value touched), so `ratio` is the
// statement's cost over the bare read of its rows. `log_scan_ms` is an
// unverified raw scan of the whole log: what a statement that folds the log
// (as before issue 17) had to read at the least, each time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "events/status.h"

namespace folio::bench {

struct StatementBenchOptions {
  std::string data_dir;  // keep the log here; Default: a temp dir, removed
  std::uint64_t events = 1'000'000;
  std::size_t clients = 1'000;  // a multiple of the 8 submitters
  std::uint64_t queries = 2'000;
  std::function<void(const std::string& phase, std::uint64_t done, std::uint64_t total)> progress;
};

struct StatementBenchResult {
  std::uint64_t events = 0;        // in the log
  std::uint64_t trust_lines = 0;   // movements of client money in it
  double lines_per_statement = 0;  // mean over the queries
  double build_seconds = 0;        // writing the log (not measured further)
  double catch_up_seconds = 0;     // the trust projection to the head
  double statement_p50_us = 0, statement_p99_us = 0, statement_max_us = 0;
  double raw_rows_p50_us = 0, raw_rows_p99_us = 0;
  double ratio = 0;  // raw_rows_p50_us / statement_p50_us
  double log_scan_ms = 0;
  std::uint64_t statement_bytes_avg = 0;
};

Result<StatementBenchResult> RunStatementBench(const StatementBenchOptions& opts);

}  // namespace folio::bench
