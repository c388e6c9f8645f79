// How Folio calls a gateway again after a failure, and when it stops calling:
// exponential back-off with full jitter, a per-gateway circuit breaker.
// Pure logic on a caller-given clock (no I/O, no sleeping), so that the
// caller (adapters/http/gateway_caller.h) decides when to wait.
//
// Thread-safety: CallBackoff is one call's; CircuitBreaker is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string_view>

namespace folio::gateways {

struct RetryOptions {
  unsigned attempts_max = 4;             // the first call included
  std::chrono::milliseconds base{100};   // the cap of the first wait
  std::chrono::milliseconds cap{5'000};  // no wait is longer
};

// "Full jitter": the n-th wait (n = 1 after the first failure) is uniform in
// [0, min(cap, base * 2^(n-1))]. Spreads the retries of many callers that
// failed together, instead of sending them back in waves.
class CallBackoff {
 public:
  CallBackoff(RetryOptions opts, std::uint64_t seed) : opts_(opts), rng_(seed) {}
  // The wait before the next attempt, or nullopt-like -1 ms when the attempts
  // are used up. Call once per failed attempt.
  std::chrono::milliseconds NextWait();
  unsigned attempts() const { return attempts_; }
  // The largest wait NextWait() may return for failure `n` (tests, docs).
  static std::chrono::milliseconds Ceiling(const RetryOptions& opts, unsigned n);

 private:
  RetryOptions opts_;
  std::mt19937_64 rng_;
  unsigned attempts_ = 1;  // the first call is made before any wait
};

struct BreakerOptions {
  unsigned failures_to_open = 5;               // consecutive retryable failures
  std::chrono::milliseconds open_for{10'000};  // then one trial call (half-open)
};

// Closed: calls go through; `failures_to_open` consecutive failures open it.
// Open: calls are refused (gateway_circuit_open) until `open_for` has passed;
// then the breaker lets exactly one trial call through (half-open): its
// success closes the breaker, its failure opens it for another `open_for`.
// Only failures that say the gateway is unwell count (time-outs, 5xx, busy);
// a business refusal is a healthy answer.
class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };
  using Clock = std::chrono::steady_clock;
  explicit CircuitBreaker(BreakerOptions opts) : opts_(opts) {}

  // May a call start now? In half-open, true once (the trial) until it reports.
  bool Allow(Clock::time_point now);
  void OnSuccess();
  void OnFailure(Clock::time_point now);

  State state(Clock::time_point now) const;
  std::uint64_t opened() const;   // times it opened
  std::uint64_t refused() const;  // calls it refused
  static std::string_view StateName(State s);

 private:
  const BreakerOptions opts_;
  mutable std::mutex mu_;
  unsigned consecutive_ = 0;
  bool open_ = false;
  bool trial_out_ = false;
  Clock::time_point open_until_{};
  std::uint64_t opened_ = 0;
  std::uint64_t refused_ = 0;
};

}  // namespace folio::gateways
