// GatewayCaller: every outbound call to one gateway goes through here. It
// bounds how many calls run and wait at once, refuses calls while the
// gateway's circuit breaker is open, retries what is retryable with
// exponential back-off and full jitter (adapters/gateways/call_policy.h),
// never retries a business refusal or an answer that fails verification, and
// counts all of it for /metrics.
//
// A call is two functions: `build` makes the signed request of one attempt
// (afresh for each, so timestamps and nonces are new) and `parse` verifies
// and reads the answer (the codec's Parse* function). The gateways' calls are
// idempotent (out_trade_no, out_request_no / out_refund_no name them), so an
// attempt whose outcome is unknown may be repeated.
//
// Errors: what `build` or `parse` return, the transport's (outbound.h), or
// gateway_circuit_open (breaker open, queue full, or Stop() called). After the
// last attempt the last error is returned.
//
// Thread-safety: Call may be called from any number of threads at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/gateways/call_policy.h"
#include "adapters/gateways/gateway_api.h"
#include "adapters/http/metrics.h"
#include "adapters/http/outbound.h"

namespace folio::http {

struct GatewayCallerOptions {
  gateways::RetryOptions retry;
  gateways::BreakerOptions breaker;
  std::size_t in_flight_max = 8;  // calls on the wire at once
  std::size_t waiting_max = 64;   // calls waiting for a slot; beyond: refused
  std::uint64_t seed = 0;         // jitter; 0: from the clock
};

struct GatewayCallerStats {
  std::uint64_t calls = 0;      // Call() invocations
  std::uint64_t attempts = 0;   // requests sent (or tried)
  std::uint64_t retries = 0;    // attempts after the first
  std::uint64_t succeeded = 0;  // calls that ended ok
  std::uint64_t failed = 0;     // calls that ended in an error (any)
  std::uint64_t refused_breaker = 0;
  std::uint64_t refused_queue = 0;
};

class GatewayCaller {
 public:
  GatewayCaller(std::string gateway, std::unique_ptr<OutboundClient> client,
                GatewayCallerOptions opts);
  ~GatewayCaller();  // Stop()s.
  GatewayCaller(const GatewayCaller&) = delete;
  GatewayCaller& operator=(const GatewayCaller&) = delete;

  using Build = std::function<Result<gateways::OutboundRequest>()>;

  // `op` names the call in metrics ("precreate", "query", "refund", ...).
  template <class T>
  Result<T> Call(std::string_view op, const Build& build,
                 const std::function<Result<T>(const gateways::InboundResponse&)>& parse) {
    std::optional<T> value;
    Status s = Run(op, build, [&](const gateways::InboundResponse& r) -> Status {
      Result<T> v = parse(r);
      if (!v.ok()) return v.status();
      value.emplace(std::move(v).value());
      return OkStatus();
    });
    if (!s.ok()) return s;
    return std::move(*value);
  }

  // Wakes every call waiting for a slot or a back-off and makes it return
  // gateway_circuit_open; later calls are refused the same way. Calls on the
  // wire finish (their deadline bounds them).
  void Stop();

  const std::string& gateway() const { return gateway_; }
  GatewayCallerStats stats() const;
  gateways::CircuitBreaker::State breaker_state() const;
  // folio_gateway_* gauges and counters, labelled gateway="...".
  std::vector<Sample> MetricSamples() const;

 private:
  Status Run(std::string_view op, const Build& build,
             const std::function<Status(const gateways::InboundResponse&)>& consume);
  Status Attempt(const Build& build,
                 const std::function<Status(const gateways::InboundResponse&)>& consume);
  bool AcquireSlot();  // false: queue full or stopped
  void ReleaseSlot();
  bool WaitFor(std::chrono::milliseconds d);  // false: stopped

  const std::string gateway_;
  const std::unique_ptr<OutboundClient> client_;
  const GatewayCallerOptions opts_;
  gateways::CircuitBreaker breaker_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::size_t in_flight_ = 0;
  std::size_t waiting_ = 0;
  std::uint64_t seq_ = 0;  // seeds each call's jitter
  GatewayCallerStats stats_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> outcomes_;  // (op, outcome)
};

}  // namespace folio::http
