// `folio bench append`: appends payment events (each payment created, then
// settled: events/synthetic.h) through the real writer from several
// submitter threads, with the checkpointer running, then (same process, same
// options, same disk) writes the same envelope bytes to a raw RocksDB, one key
// each, in WriteBatches of the same average size with sync=true. The ratio of
// the two rates is the cost of being a ledger: sequencing, hashing, the
// idempotency checks, applying the events to the aggregate state, and
// deriving and checkpointing the stream index, idempotency records and state.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "events/status.h"

namespace folio::bench {

struct AppendBenchOptions {
  std::string data_dir;  // keep the Folio log here; Default: a temp dir, removed
  std::uint64_t events = 1'000'000;
  std::size_t event_bytes = 0;  // pad envelopes to about this size; Default: natural (~400)
  std::size_t submitters = 8;
  std::size_t in_flight_per_submitter_max = 8192;
  // Run the raw baselines after Folio (false: only build the log). Default: true.
  bool baselines = true;
  // Rebuild the derived state from the log afterwards and compare (untimed).
  // Default: true.
  bool verify_derived = true;
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

struct AppendBenchResult {
  std::uint64_t events = 0;
  std::size_t submitters = 0;
  double event_bytes_avg = 0;
  double batch_events_avg = 0;
  std::uint64_t groups = 0;
  double build_seconds = 0;         // building the requests, before the clock starts
  double ack_seconds = 0;           // until the last append was acknowledged
  double folio_seconds = 0;         // ...and the writer stopped: last checkpoint written
  double folio_events_per_s = 0;    // events / folio_seconds
  double rocksdb_events_per_s = 0;  // mean of two runs after Folio's
  double rocksdb_events_per_s_run1 = 0;
  double rocksdb_events_per_s_run2 = 0;
  double ratio = 0;
  double ack_latency_p50_us = 0;
  double ack_latency_p99_us = 0;
  double ack_latency_max_us = 0;
  double writer_prepare_s = 0;  // sequencer busy preparing groups
  double writer_write_s = 0;    // committer time inside RocksDB Write
  double writer_wait_s = 0;     // sequencer waiting on the committer
  double writer_retire_s = 0;   // sequencer folding written groups into the tail
  std::uint64_t checkpoints = 0;
  double checkpoint_seconds = 0;  // checkpointer busy
  std::uint64_t checkpoint_bytes = 0;
  std::uint64_t checkpoint_records = 0;
  bool verified = false;          // folio verify
  bool derived_verified = false;  // folio verify --deep (when asked)
};

Result<AppendBenchResult> RunAppendBench(const AppendBenchOptions& opts);

// Raw RocksDB baseline: `count` values cycled from `values` (real envelopes,
// so compression sees the same bytes), u64 keys, batches of `batch_values`,
// sync=true, into a fresh database at `dir` with Folio's RocksDB options.
// Returns values/s.
Result<double> RawRocksDbSyncWrites(const std::string& dir, std::uint64_t count,
                                    const std::vector<std::string>& values,
                                    std::size_t batch_values);

}  // namespace folio::bench
