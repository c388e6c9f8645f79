// AlertRunner: the alert rules (adapters/alerts) run by the server. One
// thread follows the log (from seq 1 at start: the engine's state is rebuilt
// from the events, the publisher's mark keeps what was already sent), and
// every `every` evaluates the rules with the probes the server gives
// (gateway breakers, the writer, the Kafka relay) and publishes what changed.
//
// Thread-safety: Start/Stop from the owner's thread; MetricSamples from any.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/alerts/alert_publish.h"
#include "adapters/alerts/alert_rules.h"
#include "adapters/http/metrics.h"
#include "engine/log_store.h"

namespace folio::automation {

struct AlertRunnerOptions {
  std::chrono::milliseconds every{1000};
  std::function<alerts::AlertEngine::Probes()> probes;
  std::function<std::int64_t()> now_ns;  // default: the system clock
};

class AlertRunner {
 public:
  // Errors: AlertPublisher::Open's.
  static Result<std::unique_ptr<AlertRunner>> Start(
      LogStore* store, alerts::AlertRulesConfig rules, std::string mark_dir,
      std::vector<std::unique_ptr<alerts::AlertSink>> sinks, AlertRunnerOptions opts);
  ~AlertRunner();  // Stop()s.
  AlertRunner(const AlertRunner&) = delete;
  AlertRunner& operator=(const AlertRunner&) = delete;

  void Stop();
  std::vector<http::Sample> MetricSamples() const;
  // Rounds evaluated so far (tests wait on it).
  std::uint64_t rounds() const;

 private:
  AlertRunner(LogStore* store, alerts::AlertRulesConfig rules,
              std::unique_ptr<alerts::AlertPublisher> publisher, AlertRunnerOptions opts);
  void Loop();
  Status Round();

  LogStore* const store_;
  alerts::AlertEngine engine_;  // the loop's thread only
  std::unique_ptr<alerts::AlertPublisher> publisher_;
  const AlertRunnerOptions opts_;
  std::uint64_t next_seq_ = 1;  // the loop's thread only
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::uint64_t rounds_ = 0;
  std::uint64_t errors_ = 0;
  std::thread thread_;
};

}  // namespace folio::automation
