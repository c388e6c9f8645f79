// ClockTicker: the server's own clock. Every `tick` it submits
// clock.advance to now, so that scheduled payments fall due, payments and
// credits expire, by themselves (docs/automation.md).
//
// Each tick's command has its own idempotency key, "tick-<to in ms>" in scope
// "clock": a tick sent twice (a retry, a restart within the same
// millisecond) is one fact. One tick is in flight at a time; a tick that
// finds the previous one unanswered is skipped (counted), so a slow writer
// never gets a queue of ticks. A tick that fires nothing writes nothing.
//
// Thread-safety: Start/Stop from the owner's thread; stats() from any.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/api.h"

namespace folio::automation {

struct ClockOptions {
  std::chrono::milliseconds tick{1000};
  // Unix ns; default: the system clock.
  std::function<std::int64_t()> now_ns;
};

struct ClockStats {
  std::uint64_t ticks = 0;    // clock.advance submitted
  std::uint64_t skipped = 0;  // the previous tick was still in flight
  std::uint64_t fired = 0;    // events the ticks appended
  std::uint64_t errors = 0;   // ticks answered with an error (logged once each)
  std::int64_t last_to_ns = 0;
};

class ClockTicker {
 public:
  ClockTicker(http::Api* api, ClockOptions opts);
  ~ClockTicker();  // Stop()s.
  ClockTicker(const ClockTicker&) = delete;
  ClockTicker& operator=(const ClockTicker&) = delete;

  void Start();
  void Stop();  // waits for the tick in flight
  ClockStats stats() const;
  std::vector<http::Sample> MetricSamples() const;

 private:
  void Loop();
  std::int64_t NowNs() const;

  http::Api* const api_;
  const ClockOptions opts_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = true;
  bool in_flight_ = false;
  ClockStats stats_;
  std::thread thread_;
};

}  // namespace folio::automation
