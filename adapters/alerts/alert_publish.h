// Where alert transitions go, once each: AlertPublisher hands every
// transition of AlertEngine::Evaluate to each sink (Kafka, webhook: see
// alert_sinks.h) and keeps, per sink, the alerts that sink was told are firing
// in a mark file, so that a restart (which replays every event into a fresh
// engine) publishes nothing twice.
//
// The mark file `<dir>/alerts.mark` is JSON, rewritten atomically (write a
// temp file, fsync, rename, fsync the directory) after every publish a sink
// accepted:
//   {"version":1, "mark_seq":N,
//    "sinks":{"kafka":[alert...], "webhook":[alert...]}}
//   alert := {"id","rule","subject","severity","summary","since_ns","source_seq"}
// mark_seq is the highest source_seq of an event-raised alert any sink
// accepted. The per-sink lists are what decides (docs/alerts.md, "Once"):
//   - a firing transition whose rule:subject the sink already holds is not
//     sent again (after a restart the replayed engine fires it anew);
//   - a resolved transition is sent only for an alert the sink holds, with
//     that alert's id and since (so a consumer pairs firing and resolved);
//   - after the transitions, the sink's list is brought in line with the
//     engine's Firing(): what is firing and was never accepted (a sink was
//     down) is sent, what the sink holds and is no longer firing (it
//     resolved while the server was down) is sent as resolved.
// Probe alerts (circuit open, write path, relay lag) and the failure rate are
// re-evaluated after a restart: their since is the first Evaluate that saw
// them, so one still firing keeps its first id, one that stopped and fired
// again while the server was down is a new alert.
//
// Thread-safety: Publish from one thread at a time; MetricSamples from any.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/alerts/alert_rules.h"
#include "adapters/http/metrics.h"
#include "events/status.h"

namespace folio::alerts {

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // "kafka", "webhook": the label in metrics and the key in the mark file.
  virtual std::string_view name() const = 0;
  // OK once the receiver has the transition (Kafka acknowledged it, the
  // webhook answered 2xx). Called from one thread at a time.
  virtual Status Publish(const AlertTransition& t) = 0;
};

inline constexpr std::string_view kMarkFileName = "alerts.mark";

class AlertPublisher {
 public:
  // Alerts one sink may hold as firing; past this a firing alert is not sent
  // to it (counted as a failure) until others resolve.
  static constexpr std::size_t kHeldMax = 100'000;

  // Reads `<dir>/alerts.mark` when it exists. REQUIRES: `dir` exists; sink
  // names are distinct. Errors: io_error (unreadable), corruption (not a mark
  // file), invalid_argument (two sinks with one name).
  static Result<std::unique_ptr<AlertPublisher>> Open(
      std::string dir, std::vector<std::unique_ptr<AlertSink>> sinks);

  // Sends `transitions` (in order) and then reconciles every sink with
  // `firing`; see above.
  // REQUIRES: `firing` is AlertEngine::Firing() read after the Evaluate that
  // returned `transitions` (not both in one call's arguments: C++ leaves
  // their order unspecified, and a Firing() read before would resolve
  // everything just published).
  // A sink that fails is not called again in this round (the next round
  // retries). Returns the first failure (a sink's, or io_error writing the
  // mark), OK when everything was sent and recorded.
  Status Publish(const std::vector<AlertTransition>& transitions, const std::vector<Alert>& firing,
                 std::int64_t now_ns);

  // folio_alerts_firing{rule} (every rule, from the last Publish's `firing`),
  // folio_alerts_published_total{sink,state}, folio_alerts_publish_failures_total{sink}.
  std::vector<http::Sample> MetricSamples() const;

  std::uint64_t mark_seq() const { return mark_seq_; }
  // rule:subject -> alert, what `sink` was told is firing; nullptr for no such
  // sink. From the thread that calls Publish.
  const std::map<std::string, Alert>* Held(std::string_view sink) const;

 private:
  struct SinkState {
    std::unique_ptr<AlertSink> sink;
    std::map<std::string, Alert> held;  // by AlertKey
    bool failed_this_round = false;
  };
  AlertPublisher(std::string dir, std::vector<SinkState> sinks)
      : dir_(std::move(dir)), sinks_(std::move(sinks)) {}

  Status Load();
  Status WriteMark() const;
  // Sends one transition to one sink and records the outcome.
  Status Send(SinkState& s, const AlertTransition& t);
  Status Apply(SinkState& s, const AlertTransition& t);
  Status Reconcile(SinkState& s, const std::map<std::string, const Alert*>& firing,
                   std::int64_t now_ns);

  const std::string dir_;
  std::vector<SinkState> sinks_;
  std::uint64_t mark_seq_ = 0;

  mutable std::mutex mu_;  // guards the counters below
  std::map<std::string, std::uint64_t> firing_by_rule_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> published_;  // (sink, state)
  std::map<std::string, std::uint64_t> failures_;                           // by sink
};

}  // namespace folio::alerts
