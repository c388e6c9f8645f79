#include "adapters/gateways/call_policy.h"

#include <algorithm>

namespace folio::gateways {

std::chrono::milliseconds CallBackoff::Ceiling(const RetryOptions& opts, unsigned n) {
  if (n == 0) return std::chrono::milliseconds(0);
  // base * 2^(n-1) without overflow: stop doubling once past the cap.
  std::int64_t c = opts.base.count();
  for (unsigned i = 1; i < n && c < opts.cap.count(); ++i) c *= 2;
  return std::chrono::milliseconds(std::min<std::int64_t>(c, opts.cap.count()));
}

std::chrono::milliseconds CallBackoff::NextWait() {
  if (attempts_ >= opts_.attempts_max) return std::chrono::milliseconds(-1);
  const std::int64_t ceiling = Ceiling(opts_, attempts_).count();
  ++attempts_;
  if (ceiling <= 0) return std::chrono::milliseconds(0);
  std::uniform_int_distribution<std::int64_t> d(0, ceiling);
  return std::chrono::milliseconds(d(rng_));
}

bool CircuitBreaker::Allow(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!open_) return true;
  if (now >= open_until_ && !trial_out_) {
    trial_out_ = true;  // half-open: this call is the trial
    return true;
  }
  ++refused_;
  return false;
}

void CircuitBreaker::OnSuccess() {
  std::lock_guard<std::mutex> lock(mu_);
  consecutive_ = 0;
  open_ = false;
  trial_out_ = false;
}

void CircuitBreaker::OnFailure(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (open_) {
    // The trial failed (or a call that started before the breaker opened):
    // stay open for another period.
    if (trial_out_) {
      trial_out_ = false;
      open_until_ = now + opts_.open_for;
      ++opened_;
    }
    return;
  }
  if (++consecutive_ >= opts_.failures_to_open) {
    open_ = true;
    trial_out_ = false;
    open_until_ = now + opts_.open_for;
    ++opened_;
  }
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!open_) return State::kClosed;
  if (trial_out_ || now >= open_until_) return State::kHalfOpen;
  return State::kOpen;
}

std::uint64_t CircuitBreaker::opened() const {
  std::lock_guard<std::mutex> lock(mu_);
  return opened_;
}

std::uint64_t CircuitBreaker::refused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_;
}

std::string_view CircuitBreaker::StateName(State s) {
  switch (s) {
    case State::kClosed:
      return "closed";
    case State::kOpen:
      return "open";
    case State::kHalfOpen:
      return "half_open";
  }
  return "unknown";
}

}  // namespace folio::gateways
