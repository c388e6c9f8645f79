#include "adapters/automation/clock_ticker.h"

#include <cstdio>

#include "events/hash.h"

namespace folio::automation {

ClockTicker::ClockTicker(http::Api* api, ClockOptions opts) : api_(api), opts_(std::move(opts)) {}

ClockTicker::~ClockTicker() { Stop(); }

void ClockTicker::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stop_) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void ClockTicker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  // The tick in flight answers on the writer's thread: wait for it, so that
  // its callback never outlives this object.
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !in_flight_; });
}

std::int64_t ClockTicker::NowNs() const {
  if (opts_.now_ns) return opts_.now_ns();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ClockTicker::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (in_flight_) {
      ++stats_.skipped;
    } else {
      const std::int64_t to = NowNs();
      const std::string key = "tick-" + std::to_string(to / 1'000'000);
      in_flight_ = true;
      ++stats_.ticks;
      stats_.last_to_ns = to;
      lock.unlock();
      api_->Submit(domain::ClockAdvance{to}, "clock", "clock", key, Sha256(key),
                   [this](const AppendOutcome& o) {
                     std::lock_guard<std::mutex> done(mu_);
                     in_flight_ = false;
                     if (o.status.ok()) {
                       if (o.first_seq != 0 && !o.replayed) {
                         stats_.fired += o.last_seq - o.first_seq + 1;
                       }
                     } else if (stats_.errors++ == 0) {
                       std::fprintf(stderr, "folio serve: clock: %s\n",
                                    o.status.ToString().c_str());
                     }
                     cv_.notify_all();
                   });
      lock.lock();
    }
    cv_.wait_for(lock, opts_.tick, [&] { return stop_; });
  }
}

ClockStats ClockTicker::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::vector<http::Sample> ClockTicker::MetricSamples() const {
  const ClockStats s = stats();
  auto counter = [](const char* what, std::uint64_t v) {
    return http::Sample{"folio_clock_ticks_total",
                        "The server clock's ticks (clock.advance to now)",
                        "counter",
                        {{"what", what}},
                        static_cast<double>(v)};
  };
  return {counter("submitted", s.ticks), counter("skipped", s.skipped), counter("errors", s.errors),
          http::Sample{"folio_clock_fired_events_total",
                       "Events the clock's ticks appended (due, expired)",
                       "counter",
                       {},
                       static_cast<double>(s.fired)},
          http::Sample{"folio_clock_last_tick_seconds",
                       "Unix time the last tick advanced the ledger to",
                       "gauge",
                       {},
                       static_cast<double>(s.last_to_ns / 1'000'000'000)}};
}

}  // namespace folio::automation
