// `folio bench replay`: rebuilds every projection from a log of N events and,
// in the same run, scans the same log with a raw RocksDB iterator (before and
// after the rebuild; the mean is the baseline). The log is built first with
// the append benchmark's settled-payment events. Then 10,000 random as-of
// balance queries measure the seek path. Peak RSS is read from VmHWM after
// resetting it (/proc/self/clear_refs) just before the rebuild, so it shows
// the rebuild's own peak, not the append phase's.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "events/status.h"

namespace folio::bench {

struct ReplayBenchOptions {
  std::string data_dir;  // build the log here (must not exist); Default: a temp dir, removed
  // data_dir (required) already holds a log: rebuild its projections (events
  // is ignored).
  bool reuse = false;
  std::uint64_t events = 1'000'000;
  std::uint64_t queries = 10'000;
  std::function<void(const std::string& phase, std::uint64_t done, std::uint64_t total)> progress;
};

struct ReplayBenchResult {
  std::uint64_t events = 0;
  double replay_seconds = 0;
  double replay_events_per_s = 0;
  double raw_scan_events_per_s = 0;  // mean of the scans before and after
  double ratio = 0;                  // replay / raw scan
  // The rebuild's time by phase (the projector's own counters), and what it
  // wrote: records (puts and deletes) and WriteBatch bytes per event.
  double replay_read_seconds = 0;
  double replay_apply_seconds = 0;
  double replay_write_seconds = 0;  // inside RocksDB Write, summed over threads
  // CPU (user + system) the whole process spent during the rebuild: with
  // replay_seconds, how busy the machine's cores were.
  double replay_cpu_seconds = 0;
  double records_per_event = 0;
  double batch_bytes_per_event = 0;
  // Raw RocksDB writing the batches a rebuild wrote (captured by a second,
  // untimed rebuild) into a fresh store, one thread, nothing else to do; and
  // its ratio to the raw scan: what the rebuild could reach if reading and
  // applying cost nothing.
  double raw_write_events_per_s = 0;
  double write_ceiling_ratio = 0;
  double asof_query_p50_us = 0;
  double asof_query_p99_us = 0;
  std::uint64_t rss_peak_kb = 0;  // VmHWM during the rebuild and queries
  // VmRSS when the peak was reset: what the process held before the rebuild
  // (the reopened store, heap the append phase left after malloc_trim).
  std::uint64_t rss_before_kb = 0;
  bool rss_peak_reset = false;  // clear_refs worked (else VmHWM includes the append phase)
};

Result<ReplayBenchResult> RunReplayBench(const ReplayBenchOptions& opts);

}  // namespace folio::bench
