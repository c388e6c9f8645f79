// `folio bench recovery`: how long a log takes to open after a crash at full
// load. A child process runs the domain load (create + settle pairs, 8
// submitters, the writer's default checkpoint settings) on a fresh log; once
// it has written `events` events the parent SIGKILLs it mid-stream, then
// opens the log (RocksDB's own recovery, then deriving the events after the
// last checkpoint) and starts a writer on it, timing each step.
#pragma once

#include <cstdint>
#include <string>

#include "events/status.h"

namespace folio::bench {

struct RecoveryBenchOptions {
  std::string data_dir;              // keep the log here; Default: a temp dir
  std::uint64_t events = 2'000'000;  // written before the kill
  std::size_t submitters = 8;
};

struct RecoveryBenchResult {
  std::uint64_t events_in_log = 0;    // after recovery
  std::uint64_t events_replayed = 0;  // derived again on open
  std::uint64_t checkpoint_seq = 0;   // the last checkpoint found
  double open_seconds = 0;            // LogStore::Open, all of it
  double replay_seconds = 0;          // ...of which deriving the tail
  double writer_start_seconds = 0;    // then Writer::Start
  double replay_events_per_s = 0;
};

Result<RecoveryBenchResult> RunRecoveryBench(const RecoveryBenchOptions& opts);

}  // namespace folio::bench
