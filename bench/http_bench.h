// The HTTP benchmark: POST /v1/payments through the whole server (Beast,
// JSON parsing, the writer's durable group commit, the answer), against the
// same server's GET /healthz as the HTTP ceiling, in the same run, with the
// same keep-alive load generator (one blocking client per connection).
#pragma once

#include <cstdint>
#include <string>

#include "events/status.h"

namespace folio::bench {

struct HttpBenchOptions {
  std::string data_dir;             // empty: a temporary directory
  std::uint64_t posts = 100'000;    // POST /v1/payments requests
  std::uint64_t healthz = 200'000;  // GET /healthz requests
  unsigned connections = 64;        // keep-alive connections, one thread each
  unsigned server_threads = 2;
};

struct HttpBenchResult {
  std::uint64_t posts = 0, healthz = 0;
  double post_payments_per_s = 0, healthz_per_s = 0;
  double post_p50_ms = 0, post_p99_ms = 0, healthz_p50_ms = 0, healthz_p99_ms = 0;
  std::uint64_t post_errors = 0;  // non-201 answers (must be 0)
  std::uint64_t head_seq = 0;     // events in the log afterwards (= posts)
  double ratio() const { return healthz_per_s > 0 ? post_payments_per_s / healthz_per_s : 0; }
};

Result<HttpBenchResult> RunHttpBench(const HttpBenchOptions& opts);

}  // namespace folio::bench
