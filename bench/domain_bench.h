// `folio bench domain`: payment create + settle command pairs through the
// real writer (domain decide/apply in the sequencer, durable group commit,
// derived state checkpointed in the background), from several submitters.
//
// Two runs on one log, back to back:
//   closed loop  every submitter keeps up to `window` commands in flight:
//                the saturated rate, and its (queueing) latencies;
//   open loop    commands are issued at a fixed total rate (default: half the
//                saturated rate) whatever the answers, and each latency is
//                measured from the moment the command was due, so a stall is
//                not hidden by the submitters waiting (no coordinated
//                omission).
// Then raw RocksDB writes the same number of events of the same sizes (the
// log's own envelopes), one key each, in batches of the closed loop's
// average size, sync=true: events_ratio is Folio's events/s over it.
#pragma once

#include <cstdint>
#include <string>

#include "events/status.h"

namespace folio::bench {

struct DomainBenchOptions {
  std::string data_dir;           // keep the log here; Default: a temp dir, removed
  std::uint64_t pairs = 500'000;  // closed loop: create+settle pairs
  std::size_t submitters = 8;
  std::size_t window = 4096;       // closed loop: commands in flight per submitter
  std::size_t customers = 10'000;  // payments spread over this many customers
  // Open loop: commands per second in all (0: half the closed loop's rate),
  // for this long. Default: 0, 10 s.
  double open_rate = 0;
  double open_seconds = 10;
  bool open_loop = true;
  bool baseline = true;
};

struct LatencySummary {
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};

struct DomainBenchResult {
  // Closed loop.
  std::uint64_t commands = 0;
  std::uint64_t events = 0;
  std::uint64_t rejections = 0;
  double seconds = 0;  // until every command was acknowledged
  double commands_per_s = 0;
  double events_per_s = 0;
  double batch_events_avg = 0;
  LatencySummary closed;
  double event_bytes_avg = 0;
  // Open loop.
  double open_rate_target = 0;
  double open_rate_achieved = 0;
  std::uint64_t open_commands = 0;
  LatencySummary open;
  // Raw RocksDB, same events.
  double raw_events_per_s = 0;
  double events_ratio = 0;
  // Writer.
  std::uint64_t checkpoints = 0;
  double checkpoint_seconds = 0;
  std::uint64_t checkpoint_bytes = 0;
  // Memory: peak RSS (VmHWM) over the whole benchmark, and what the
  // configured caches allow (block cache, memtables, the writer's caches and
  // its uncheckpointed tail at its configured size).
  std::uint64_t rss_peak_kb = 0;
  std::uint64_t caches_configured_kb = 0;
  std::uint64_t distinct_idempotency_keys = 0;
  bool verified = false;
};

Result<DomainBenchResult> RunDomainBench(const DomainBenchOptions& opts);

}  // namespace folio::bench
