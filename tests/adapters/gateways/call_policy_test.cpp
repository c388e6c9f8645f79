// Back-off with full jitter and the circuit breaker (adapters/gateways/call_policy.h).
#include <doctest/doctest.h>

#include <set>

#include "adapters/gateways/call_policy.h"
#include "adapters/gateways/gateway_api.h"
#include "adapters/gateways/gateway_codes.h"
#include "events/codes.h"

namespace folio::gateways {
namespace {

using std::chrono::milliseconds;

TEST_CASE("call policy: the back-off ceiling doubles from base up to the cap") {
  RetryOptions o;
  o.base = milliseconds(100);
  o.cap = milliseconds(1000);
  CHECK(CallBackoff::Ceiling(o, 1) == milliseconds(100));
  CHECK(CallBackoff::Ceiling(o, 2) == milliseconds(200));
  CHECK(CallBackoff::Ceiling(o, 3) == milliseconds(400));
  CHECK(CallBackoff::Ceiling(o, 4) == milliseconds(800));
  CHECK(CallBackoff::Ceiling(o, 5) == milliseconds(1000));
  CHECK(CallBackoff::Ceiling(o, 200) == milliseconds(1000));  // no overflow
}

TEST_CASE("call policy: every wait lies in its jitter range and the attempts run out") {
  RetryOptions o;
  o.attempts_max = 5;
  o.base = milliseconds(50);
  o.cap = milliseconds(300);
  std::set<std::int64_t> first_waits;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    CallBackoff b(o, seed);
    for (unsigned n = 1; n < o.attempts_max; ++n) {
      const milliseconds w = b.NextWait();
      CHECK(w.count() >= 0);
      CHECK(w <= CallBackoff::Ceiling(o, n));
      if (n == 1) first_waits.insert(w.count());
    }
    CHECK(b.attempts() == o.attempts_max);
    CHECK(b.NextWait().count() < 0);  // used up
  }
  // Full jitter: callers that failed together do not come back together.
  CHECK(first_waits.size() > 10);
}

TEST_CASE("call policy: one attempt only means no retry at all") {
  RetryOptions o;
  o.attempts_max = 1;
  CallBackoff b(o, 7);
  CHECK(b.NextWait().count() < 0);
}

TEST_CASE("call policy: the breaker opens after consecutive failures and refuses while open") {
  BreakerOptions o;
  o.failures_to_open = 3;
  o.open_for = milliseconds(1000);
  CircuitBreaker cb(o);
  const auto t0 = CircuitBreaker::Clock::now();
  for (int i = 0; i < 2; ++i) {
    CHECK(cb.Allow(t0));
    cb.OnFailure(t0);
  }
  CHECK(cb.state(t0) == CircuitBreaker::State::kClosed);
  cb.OnSuccess();  // a healthy answer resets the count
  for (int i = 0; i < 2; ++i) cb.OnFailure(t0);
  CHECK(cb.state(t0) == CircuitBreaker::State::kClosed);
  cb.OnFailure(t0);
  CHECK(cb.state(t0) == CircuitBreaker::State::kOpen);
  CHECK(cb.opened() == 1);
  CHECK(!cb.Allow(t0 + milliseconds(999)));
  CHECK(cb.refused() == 1);
}

TEST_CASE("call policy: half-open lets one trial through, which closes or reopens it") {
  BreakerOptions o;
  o.failures_to_open = 1;
  o.open_for = milliseconds(100);
  CircuitBreaker cb(o);
  const auto t0 = CircuitBreaker::Clock::now();
  cb.OnFailure(t0);
  const auto t1 = t0 + milliseconds(100);
  CHECK(cb.state(t1) == CircuitBreaker::State::kHalfOpen);
  CHECK(cb.Allow(t1));   // the trial
  CHECK(!cb.Allow(t1));  // nobody else while it is out
  cb.OnFailure(t1);      // the trial failed: open again, from now
  CHECK(cb.opened() == 2);
  CHECK(!cb.Allow(t1 + milliseconds(99)));
  const auto t2 = t1 + milliseconds(100);
  CHECK(cb.Allow(t2));
  cb.OnSuccess();
  CHECK(cb.state(t2) == CircuitBreaker::State::kClosed);
  CHECK(cb.Allow(t2));
  CHECK(cb.Allow(t2));
}

TEST_CASE("call policy: retryable codes are exactly the transient ones") {
  CHECK(IsRetryable(Status::Error(codes::kGatewayUnavailable, "x")));
  CHECK(IsRetryable(Status::Error(codes::kGatewayTimeout, "x")));
  CHECK(IsRetryable(Status::Error(codes::kGatewayCircuitOpen, "x")));
  CHECK(IsRetryable(Status::Error(folio::codes::kIoError, "x")));
  CHECK(!IsRetryable(Status::Error(codes::kGatewayRefused, "x")));
  CHECK(!IsRetryable(Status::Error(codes::kGatewayResponseInvalid, "x")));
  CHECK(!IsRetryable(Status::Error(codes::kSignatureInvalid, "x")));
  CHECK(!IsRetryable(OkStatus()));
}

}  // namespace
}  // namespace folio::gateways
