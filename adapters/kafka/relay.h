// Relay: mirrors the log into Kafka, every event exactly once (docs/kafka.md).
//
//   log (events CF) --LogCursor from cursor+1--> transactional producer --> folio.events
//                                                                    \--> payments.settled/failed,
//                                                                         refunds.succeeded,
//                                                                         credits.issued
//   meta "kafka.relay/<topic>" := cursor:u64be, the last event known to be in Kafka
//
// One background thread. Each round reads up to `txn_events_max` events after
// the cursor, produces them in ONE Kafka transaction (idempotent, acks=all,
// fenced by transactional.id) and, only after commit_transaction succeeded and
// every delivery report of the round was a success, writes the cursor to the
// last event of the round: the cursor advances contiguously and only over
// delivered events. On start, and after any aborted transaction, it reads
// back each partition's tail and skips the events Kafka already holds beyond
// the cursor (by the folio-seq header), so a crash between the commit and
// the cursor write does not produce them twice.
//
// Errors: transient ones (brokers down, request errors, timeouts) are retried
// with exponential backoff, forever, while the engine keeps appending; the
// lag grows and shrinks back. A fatal producer error is fatal to that
// producer instance only: when it says another instance owns the
// transactional.id (fenced) or Kafka refuses the producer (authorization,
// configuration), the relay stops: status().failed, the reason on stderr and
// in status().error; the cursor stays at the last delivered event. Any other
// fatal error (the idempotence sequence lost sync with a broker) replaces the
// producer: the new instance's init_transactions fences the old one and aborts
// its open transaction, and the read-back skips what already landed. More than
// `producer_restarts_max` replacements without a committed round stop the relay.
//
// Thread-safety: every public method may be called from any thread.
// REQUIRES: `store` outlives the relay; one relay per (store, topic).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include "adapters/kafka/event_message.h"
#include "adapters/kafka/mock_cluster.h"
#include "adapters/kafka/rd_handles.h"
#include "engine/log_store.h"

namespace folio::kafka {

struct RelayOptions {
  // Bootstrap servers, "host:port,...". Required.
  std::string brokers;
  // Prepended to the events topic: prefix + events_topic. Default: "".
  std::string topic_prefix = "";
  // The topic of every event. Default: "folio.events".
  std::string events_topic = "folio.events";
  // Fences other producers with the same id (real Kafka). Default: "folio-relay".
  std::string transactional_id = "folio-relay";
  // Integration topics (JSON); not prefixed. Default: payments.settled,
  // payments.failed, refunds.succeeded, credits.issued.
  std::string settled_topic = "payments.settled";
  std::string failed_topic = "payments.failed";
  std::string refunded_topic = "refunds.succeeded";
  std::string credited_topic = "credits.issued";
  // Produce the integration topics at all. Default: true.
  bool integration_topics = true;
  // CloudEvents ce_source. Default: "/folio".
  std::string ce_source = "/folio";
  // Events per Kafka transaction (and per cursor write). Default: 20,000.
  std::size_t txn_events_max = 20'000;
  // How long the idle thread waits for Notify() before looking at the head
  // again. Default: 100 ms.
  std::chrono::milliseconds idle_poll{100};
  // One commit_transaction attempt; a timed-out commit is retried. Default: 10 s.
  std::chrono::milliseconds commit_timeout{10'000};
  // Backoff between retries after a transient error, doubling. Default: 50 ms .. 2 s.
  std::chrono::milliseconds backoff_min{50};
  std::chrono::milliseconds backoff_max{2'000};
  // Producer compression.codec. Default: "lz4" (consumers of the mock read
  // uncompressed batches far slower).
  std::string compression = "lz4";
  // Further librdkafka properties for the producer (and read-back consumer
  // where they apply). Default: none.
  ConfPairs extra_config;
  // Producer replacements after a non-fencing fatal error, in a row without a
  // committed round, before the relay gives up. Default: 5.
  std::uint32_t producer_restarts_max = 5;
  // Where loud messages go (fatal errors, retries). Default: stderr.
  std::function<void(const std::string&)> log;
};

struct RelayStatus {
  std::uint64_t cursor_seq = 0;  // last event known to be in Kafka
  std::uint64_t head_seq = 0;    // log head as last seen
  std::uint64_t lag_events = 0;
  double lag_seconds = 0;  // age (recorded_at to now) of the oldest unmirrored event
  bool failed = false;
  std::string error;                    // why it failed (or the last transient error)
  std::uint64_t produced = 0;           // events produced to folio.events by this relay
  std::uint64_t skipped = 0;            // events found already in Kafka on read-back
  std::uint64_t retries = 0;            // transient errors retried
  std::uint64_t transactions = 0;       // committed
  std::uint64_t producer_restarts = 0;  // producers replaced after a fatal error
  std::uint64_t queue_full_waits = 0;   // produce calls that found librdkafka's queue full
};

class Relay {
 public:
  // Reads the cursor and starts the thread, which connects, initialises the
  // transactions (fencing an older instance) and reads back, retrying while
  // the brokers cannot be reached. Fails only on an invalid configuration or
  // an unreadable store.
  static Result<std::unique_ptr<Relay>> Start(LogStore* store, RelayOptions opts);
  ~Relay();  // Stop()s.
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // New events were appended: wakes the thread. Cheap; never blocks on I/O.
  void Notify();
  RelayStatus status() const;
  // Waits until the cursor reaches the head as read now (graceful shutdown).
  // kafka_timeout after `timeout`; kafka_fatal when the relay failed.
  Status Flush(std::chrono::milliseconds timeout);
  // Stops the thread after its current step; an open transaction is left
  // uncommitted (the next start reads back). Idempotent.
  void Stop();

  // The meta key of the cursor for `events_topic` (with its prefix).
  static std::string CursorKey(const std::string& events_topic);

  // Fault drills and tests: raises `err` as a fatal error in the current
  // producer (librdkafka's rd_kafka_test_fatal_error), as a broker would.
  void InjectFatalError(rd_kafka_resp_err_t err, const std::string& reason);

 private:
  struct Producer;
  Relay(LogStore* store, RelayOptions opts);
  Result<std::unique_ptr<Producer>> NewProducer() const;
  void Loop();
  // One transaction over (cursor, last]. Non-OK: transient unless failed_.
  Status MirrorRound(std::uint64_t last);
  Status Commit();
  // Aborts the failed transaction (if any). Non-OK: try again later.
  Status AbortIfPending();
  Status InitTransactions();
  Status ReadBackAll();
  Status WriteCursor(std::uint64_t seq);
  // The integration topic of `kind` (!= kNone).
  const std::string& IntegrationTopic(IntegrationKind kind) const;
  void Fail(const Status& why);
  // A fatal error of the producer: Fail() or schedule its replacement.
  void ProducerFatal(const Status& why);
  Status RestartProducer();
  void Log(const std::string& msg) const;
  bool WaitOrStop(std::chrono::milliseconds d);

  LogStore* const store_;
  const RelayOptions opts_;
  const std::string events_topic_;
  std::unique_ptr<Producer> p_;  // replaced under producer_mu_ by the thread only
  mutable std::mutex producer_mu_;

  mutable std::mutex mu_;
  std::condition_variable wake_cv_;      // the thread waits for Notify/Stop
  std::condition_variable progress_cv_;  // Flush waits for the cursor
  bool notified_ = false;
  bool stopping_ = false;
  // stopping_ as the produce loop sees it without taking mu_: set by Stop()
  // before it joins, so a produce waiting for queue room gives up.
  std::atomic<bool> stop_requested_{false};
  std::string error_;

  std::atomic<std::uint64_t> cursor_{0}, head_{0};
  std::atomic<bool> failed_{false};
  std::atomic<std::uint64_t> produced_{0}, skipped_{0}, retries_{0}, txns_{0}, restarts_{0};
  std::atomic<std::uint64_t> queue_full_waits_{0};
  // Thread-owned: events (per topic) already in Kafka beyond the cursor.
  std::unordered_set<std::uint64_t> present_events_;
  std::unordered_set<std::uint64_t> present_integration_[kIntegrationKinds];  // by kind - 1
  bool need_read_back_ = true;
  bool abort_pending_ = false;     // a transaction failed and is not aborted yet
  bool initialized_ = false;       // init_transactions succeeded
  bool restart_producer_ = false;  // the producer hit a survivable fatal error
  std::uint32_t restarts_in_a_row_ = 0;

  std::thread thread_;
  std::once_flag stop_once_;
};

}  // namespace folio::kafka
