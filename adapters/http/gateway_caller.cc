#include "adapters/http/gateway_caller.h"

#include <utility>

namespace folio::http {

namespace gcodes = gateways::codes;

GatewayCaller::GatewayCaller(std::string gateway, std::unique_ptr<OutboundClient> client,
                             GatewayCallerOptions opts)
    : gateway_(std::move(gateway)),
      client_(std::move(client)),
      opts_(opts),
      breaker_(opts.breaker) {
  if (opts_.seed == 0) {
    seq_ = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  } else {
    seq_ = opts_.seed;
  }
}

GatewayCaller::~GatewayCaller() { Stop(); }

void GatewayCaller::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
  cv_.notify_all();
}

bool GatewayCaller::AcquireSlot() {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopped_) return false;
  if (in_flight_ < opts_.in_flight_max) {
    ++in_flight_;
    return true;
  }
  if (waiting_ >= opts_.waiting_max) {
    ++stats_.refused_queue;
    return false;
  }
  ++waiting_;
  cv_.wait(lock, [&] { return stopped_ || in_flight_ < opts_.in_flight_max; });
  --waiting_;
  if (stopped_) return false;
  ++in_flight_;
  return true;
}

void GatewayCaller::ReleaseSlot() {
  std::lock_guard<std::mutex> lock(mu_);
  --in_flight_;
  cv_.notify_all();
}

bool GatewayCaller::WaitFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  // A back-off, not a synchronisation: the wait is the policy itself.
  cv_.wait_for(lock, d, [&] { return stopped_; });
  return !stopped_;
}

Status GatewayCaller::Attempt(
    const Build& build, const std::function<Status(const gateways::InboundResponse&)>& consume) {
  Result<gateways::OutboundRequest> req = build();
  if (!req.ok()) return req.status();
  if (!AcquireSlot()) {
    return Status::Error(gcodes::kGatewayCircuitOpen,
                         gateway_ + ": too many calls waiting (or stopping); not sent");
  }
  Result<gateways::InboundResponse> res = client_->Send(*req);
  ReleaseSlot();
  if (!res.ok()) return res.status();
  return consume(*res);
}

Status GatewayCaller::Run(std::string_view op, const Build& build,
                          const std::function<Status(const gateways::InboundResponse&)>& consume) {
  std::uint64_t seed = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.calls;
    seed = ++seq_;
  }
  gateways::CallBackoff backoff(opts_.retry, seed);
  Status last = OkStatus();
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (!breaker_.Allow(now)) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.refused_breaker;
      last = Status::Error(gcodes::kGatewayCircuitOpen,
                           gateway_ + ": circuit open after repeated failures; not sent");
      break;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.attempts;
      if (backoff.attempts() > 1) ++stats_.retries;
    }
    last = Attempt(build, consume);
    const bool unwell = gateways::IsRetryable(last) && last.code() != gcodes::kGatewayCircuitOpen;
    if (unwell) {
      breaker_.OnFailure(std::chrono::steady_clock::now());
    } else if (last.code() != gcodes::kGatewayCircuitOpen) {
      breaker_.OnSuccess();  // an answer, even a refusal, means the gateway is up
    }
    if (!gateways::IsRetryable(last) || last.code() == gcodes::kGatewayCircuitOpen) break;
    const std::chrono::milliseconds wait = backoff.NextWait();
    if (wait.count() < 0) break;
    if (!WaitFor(wait)) break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (last.ok()) {
    ++stats_.succeeded;
  } else {
    ++stats_.failed;
  }
  ++outcomes_[{std::string(op), last.ok() ? std::string("ok") : std::string(last.code())}];
  return last;
}

GatewayCallerStats GatewayCaller::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

gateways::CircuitBreaker::State GatewayCaller::breaker_state() const {
  return breaker_.state(std::chrono::steady_clock::now());
}

std::vector<Sample> GatewayCaller::MetricSamples() const {
  std::vector<Sample> out;
  const std::pair<std::string, std::string> g{"gateway", gateway_};
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, n] : outcomes_) {
    out.push_back({"folio_gateway_calls_total",
                   "Outbound gateway calls by operation and outcome",
                   "counter",
                   {g, {"op", key.first}, {"outcome", key.second}},
                   static_cast<double>(n)});
  }
  out.push_back({"folio_gateway_attempts_total",
                 "Requests sent to the gateway (retries included)",
                 "counter",
                 {g},
                 static_cast<double>(stats_.attempts)});
  out.push_back({"folio_gateway_retries_total",
                 "Attempts after the first of a call",
                 "counter",
                 {g},
                 static_cast<double>(stats_.retries)});
  out.push_back({"folio_gateway_refused_total",
                 "Calls not sent: breaker open or queue full",
                 "counter",
                 {g, {"reason", "breaker"}},
                 static_cast<double>(stats_.refused_breaker)});
  out.push_back({"folio_gateway_refused_total",
                 "Calls not sent: breaker open or queue full",
                 "counter",
                 {g, {"reason", "queue"}},
                 static_cast<double>(stats_.refused_queue)});
  out.push_back({"folio_gateway_in_flight",
                 "Calls on the wire now",
                 "gauge",
                 {g},
                 static_cast<double>(in_flight_)});
  out.push_back({"folio_gateway_waiting",
                 "Calls waiting for a slot now",
                 "gauge",
                 {g},
                 static_cast<double>(waiting_)});
  const auto state = breaker_.state(std::chrono::steady_clock::now());
  out.push_back({"folio_gateway_breaker_open",
                 "1 while the circuit breaker refuses calls",
                 "gauge",
                 {g},
                 state == gateways::CircuitBreaker::State::kOpen ? 1.0 : 0.0});
  out.push_back({"folio_gateway_breaker_opened_total",
                 "Times the circuit breaker opened",
                 "counter",
                 {g},
                 static_cast<double>(breaker_.opened())});
  return out;
}

}  // namespace folio::http
