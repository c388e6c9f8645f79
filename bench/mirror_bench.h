// `folio bench mirror`: events/s from the log into Kafka, acknowledged (the
// relay's cursor reaches the head), against raw librdkafka producing the same
// number of messages of the same key, value and header sizes to the same
// in-process mock cluster, idempotent, acks=all, same batching and
// compression (twice: before and after the relay; the mean is the baseline).
//
// It lives in adapters/kafka, not bench/: it needs the relay, and the
// libraries depend one way (adapters -> bench).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "events/status.h"

namespace folio::kafka {

struct MirrorBenchOptions {
  std::string data_dir;  // keep the source log here; Default: a temp dir, removed
  std::uint64_t events = 1'000'000;
  int brokers = 3;
  int partitions = 3;
  // Also produce payments.settled JSON (every synthetic event is a settled
  // payment, so this doubles the messages). Default: false.
  bool integration_topics = false;
  std::function<void(const std::string& phase)> progress;
};

struct MirrorBenchResult {
  std::uint64_t events = 0;
  double event_bytes_avg = 0;  // value bytes
  double header_bytes_avg = 0;
  double fill_seconds = 0;
  double folio_seconds = 0;
  double folio_events_per_s = 0;
  double raw_msgs_per_s = 0;  // mean of two runs
  double raw_msgs_per_s_run1 = 0, raw_msgs_per_s_run2 = 0;
  double ratio = 0;
  // Raw librdkafka, transactional, committing as often as the relay (not in ratio).
  double raw_txn_msgs_per_s = 0;
  std::uint64_t transactions = 0;
  bool integration_topics = false;
  bool exactly_once_checked = false;  // cursor == head and produced == events
};

Result<MirrorBenchResult> RunMirrorBench(const MirrorBenchOptions& opts);

}  // namespace folio::kafka
