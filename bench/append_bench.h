// `folio bench append`: appends realistic events through the real writer from
// several submitter threads, then (same process, same options, same disk)
// writes the same number of same-sized values to a raw RocksDB in WriteBatches
// of the same average size with sync=true: no hashing, no index, no
// idempotency. The ratio of the two rates is the cost of being a ledger.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "events/status.h"

namespace folio::bench {

// Which of a Folio group's per-event records a raw baseline writes besides
// the event itself (the head is always written, once per batch).
struct LedgerRecords {
  bool index = true;        // streams: stream_id 0x00 version -> seq
  bool stream_head = true;  // streams: the stream's head version
  bool idempotency = true;  // idempotency: key -> record
  std::string Name() const;
};

struct AppendBenchOptions {
  std::string data_dir;  // keep the Folio log here; Default: a temp dir, removed
  std::uint64_t events = 1'000'000;
  std::size_t event_bytes = 0;  // pad envelopes to about this size; Default: natural (~250)
  std::size_t submitters = 8;
  std::size_t in_flight_per_submitter_max = 8192;
  // Run the raw baselines after Folio (false: only build the log). Default: true.
  bool baselines = true;
  // Also run the raw baseline with records dropped in turn (storage_floor).
  bool storage_floor = false;
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

struct AppendBenchResult {
  std::uint64_t events = 0;
  std::size_t submitters = 0;
  double event_bytes_avg = 0;
  double batch_events_avg = 0;
  std::uint64_t groups = 0;
  double folio_seconds = 0;
  double folio_events_per_s = 0;
  double rocksdb_events_per_s = 0;  // mean of two runs after Folio's
  double rocksdb_events_per_s_run1 = 0;
  double rocksdb_events_per_s_run2 = 0;
  double ratio = 0;
  // Raw RocksDB writing, per event, the records a Folio group holds (event,
  // stream index entry, stream head, idempotency record; the head once per
  // batch), same sizes, same batches, sorted per family: what the storage
  // model alone costs, with no lookups, hashing or sequencing.
  double rocksdb_ledger_keys_events_per_s = 0;
  // With --storage-floor: the same with fewer records, events/s each.
  std::vector<std::pair<LedgerRecords, double>> storage_floor;
  double ack_latency_p50_us = 0;
  double ack_latency_p99_us = 0;
  double ack_latency_max_us = 0;
  double writer_prepare_s = 0;  // sequencer busy time
  double writer_write_s = 0;    // committer time inside RocksDB Write
  double writer_wait_s = 0;     // sequencer waiting on the committer
  bool verified = false;
};

Result<AppendBenchResult> RunAppendBench(const AppendBenchOptions& opts);

// The storage-model floor: raw RocksDB in a store opened with Folio's column
// families and options, writing the same records per event as the writer
// (see rocksdb_ledger_keys_events_per_s), sync=true. Returns events/s.
Result<double> RawLedgerKeySyncWrites(const std::string& dir, std::uint64_t count,
                                      const std::vector<std::string>& values,
                                      std::size_t batch_values, std::size_t submitters,
                                      LedgerRecords records);

// Raw RocksDB baseline: `count` values cycled from `values` (real envelopes,
// so compression sees the same bytes), u64 keys, batches of `batch_values`,
// sync=true, into a fresh database at `dir` with Folio's RocksDB options.
// Returns values/s.
Result<double> RawRocksDbSyncWrites(const std::string& dir, std::uint64_t count,
                                    const std::vector<std::string>& values,
                                    std::size_t batch_values);

}  // namespace folio::bench
