#include "adapters/automation/alert_runner.h"

#include <cstdio>

namespace folio::automation {

Result<std::unique_ptr<AlertRunner>> AlertRunner::Start(
    LogStore* store, alerts::AlertRulesConfig rules, std::string mark_dir,
    std::vector<std::unique_ptr<alerts::AlertSink>> sinks, AlertRunnerOptions opts) {
  ASSIGN_OR_RETURN(auto publisher,
                   alerts::AlertPublisher::Open(std::move(mark_dir), std::move(sinks)));
  std::unique_ptr<AlertRunner> r(
      new AlertRunner(store, std::move(rules), std::move(publisher), std::move(opts)));
  r->thread_ = std::thread([p = r.get()] { p->Loop(); });
  return r;
}

AlertRunner::AlertRunner(LogStore* store, alerts::AlertRulesConfig rules,
                         std::unique_ptr<alerts::AlertPublisher> publisher, AlertRunnerOptions opts)
    : store_(store),
      engine_(std::move(rules)),
      publisher_(std::move(publisher)),
      opts_(std::move(opts)) {}

AlertRunner::~AlertRunner() { Stop(); }

void AlertRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

Status AlertRunner::Round() {
  // Every event not yet seen, in order.
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<EventRecord> page, store_->ReadFrom(next_seq_, 4096));
    if (page.empty()) break;
    for (const EventRecord& e : page) engine_.OnEvent(e);
    next_seq_ = page.back().seq() + 1;
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return Status();
  }
  const std::int64_t now = opts_.now_ns ? opts_.now_ns()
                                        : std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count();
  const alerts::AlertEngine::Probes probes =
      opts_.probes ? opts_.probes() : alerts::AlertEngine::Probes{};
  const std::vector<alerts::AlertTransition> changed = engine_.Evaluate(now, probes);
  const std::vector<alerts::Alert> firing = engine_.Firing();  // after Evaluate
  return publisher_->Publish(changed, firing, now);
}

void AlertRunner::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    Status s = Round();
    lock.lock();
    ++rounds_;
    if (!s.ok() && errors_++ == 0) {
      // Later failures show in the publisher's metrics; the first is told.
      std::fprintf(stderr, "folio serve: alerts: %s\n", s.ToString().c_str());
    }
    cv_.wait_for(lock, opts_.every, [&] { return stop_; });
  }
}

std::uint64_t AlertRunner::rounds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rounds_;
}

std::vector<http::Sample> AlertRunner::MetricSamples() const {
  std::vector<http::Sample> out = publisher_->MetricSamples();
  std::lock_guard<std::mutex> lock(mu_);
  out.push_back({"folio_alert_rounds_total",
                 "Rounds of the alert rules evaluated",
                 "counter",
                 {},
                 static_cast<double>(rounds_)});
  out.push_back({"folio_alert_round_errors_total",
                 "Rounds whose log read or publication failed (retried next round)",
                 "counter",
                 {},
                 static_cast<double>(errors_)});
  return out;
}

}  // namespace folio::automation
