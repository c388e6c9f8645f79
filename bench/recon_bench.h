// folio bench recon: reconciliation of a large gateway bill against a ledger
// of the same size, end to end through ImportStatement (hash, validating
// parse, ledger read, matching parse, appending the run durably).
//
// Setup (not timed): a log of `lines` settled WeChat Pay payments (created +
// settled events through the real writer) and a WeChat Pay bill of the same
// payments with one line in every 1,000 planted wrong (an amount, a fee, a
// line missing, an unknown line), written to the scratch directory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "events/status.h"

namespace folio::reconciliation {

struct ReconBenchOptions {
  std::uint64_t lines = 1'000'000;  // Default: 1,000,000
  std::string data_dir;             // kept when given; else a temporary directory
  std::function<void(const std::string& phase, std::uint64_t done, std::uint64_t total)> progress;
};

struct ReconBenchResult {
  std::uint64_t lines = 0, matched = 0, discrepancies = 0, events_appended = 0;
  std::uint64_t bill_bytes = 0;
  double total_seconds = 0;        // ImportStatement, all of it
  double lines_per_s = 0;          // lines / total_seconds
  double parse_match_seconds = 0;  // both parses and the matching
  double match_lines_per_s = 0;    // lines / parse_match_seconds
  double ledger_read_seconds = 0;
  double append_seconds = 0;
  std::uint64_t rss_peak_kb = 0;  // VmHWM, reset before the import
  bool rss_peak_reset = false;
  std::uint64_t rss_before_kb = 0;  // VmRSS just before the import
};

Result<ReconBenchResult> RunReconBench(const ReconBenchOptions& opts);

}  // namespace folio::reconciliation
