// `folio bench domain`: payment create + settle command pairs through the
// real writer (domain decide/apply in the sequencer, durable group commit),
// from several submitter threads.
#pragma once

#include <cstdint>
#include <string>

#include "events/status.h"

namespace folio::bench {

struct DomainBenchOptions {
  std::string data_dir;           // keep the log here; Default: a temp dir, removed
  std::uint64_t pairs = 200'000;  // create+settle pairs
  std::size_t submitters = 8;
  std::size_t customers = 10'000;  // payments spread over this many customers
};

struct DomainBenchResult {
  std::uint64_t commands = 0;
  std::uint64_t events = 0;
  std::uint64_t rejections = 0;
  double seconds = 0;
  double commands_per_s = 0;
  double events_per_s = 0;
  double batch_events_avg = 0;
  double ack_latency_p50_us = 0;
  double ack_latency_p99_us = 0;
  bool verified = false;
};

Result<DomainBenchResult> RunDomainBench(const DomainBenchOptions& opts);

}  // namespace folio::bench
