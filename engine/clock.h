// The clock is injected everywhere time matters, so that tests and scripted
// histories run with a deterministic time. Domain code never reads a clock:
// it is handed `now`.
#pragma once

#include <atomic>
#include <cstdint>

namespace folio {

class Clock {
 public:
  virtual ~Clock() = default;
  // Nanoseconds since the Unix epoch, UTC.
  virtual std::int64_t NowNs() const = 0;
};

// The system's real-time clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  std::int64_t NowNs() const override;
  static SystemClock* Default();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t now_ns) : now_ns_(now_ns) {}
  std::int64_t NowNs() const override { return now_ns_.load(std::memory_order_relaxed); }
  void Set(std::int64_t now_ns) { now_ns_.store(now_ns, std::memory_order_relaxed); }
  void Advance(std::int64_t delta_ns) { now_ns_.fetch_add(delta_ns, std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> now_ns_;
};

}  // namespace folio
