// folio kafka-dev, relay and consume: the Kafka mirror (docs/kafka.md).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include <boost/json.hpp>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "adapters/kafka/mirror_consumer.h"
#include "adapters/kafka/relay.h"
#include "adapters/kafka/synthetic_load.h"
#include "engine/writer.h"
#include "events/codes.h"
#include "projections/projector.h"
#include "projections/registry.h"

namespace folio::cli {
namespace {

constexpr const char* kKafkaDevHelp =
    R"(Usage: folio kafka-dev [--brokers N] [--port-base P] [--partitions K]

Runs librdkafka's mock Kafka cluster (in memory) as this process: broker i
(1..N, default 3) listens on 127.0.0.1:(P + i - 1); without --port-base the
ports are ephemeral. Creates folio.events, payments.settled,
payments.failed, refunds.succeeded, credits.issued and folio.alerts with K
partitions (default 3); other topics are created on first use with 4.
Prints the bootstrap servers as the first line of stdout,
then runs until SIGTERM or SIGINT.

The mock keeps only about 5 MB per partition and does not hide aborted
transactions from read_committed consumers: see docs/kafka.md.
Read it with kcat:  kcat -C -b <bootstrap> -t folio.events -J
)";

constexpr const char* kRelayHelp = R"(Usage: folio relay --data DIR [--kafka-brokers B] [options]

Mirrors the log in DIR into Kafka until SIGTERM or SIGINT: every event once,
to folio.events (key: stream id, value: the envelope, CloudEvents headers plus
folio-seq and folio-hash), settled and failed payments, succeeded refunds and
issued credits also as JSON to payments.settled, payments.failed,
refunds.succeeded and credits.issued. The cursor lives in DIR's meta family.
On SIGTERM it waits (at most 10 s) until Kafka has the head, then prints one
JSON status line on stdout.

  --kafka-brokers B      bootstrap servers; without it an in-process mock
                         cluster of --mock-brokers (default 3) is started and
                         its bootstrap printed on stderr
  --topic-prefix P       prefix of folio.events (default none)
  --transactional-id T   default folio-relay
  --load-to N            also append synthetic settled payments through the
                         writer until the log holds N events (demos, crash
                         tests; DIR must then be used by no other process)
  --until-mirrored       exit (0) once the load is appended and Kafka has the
                         head, instead of waiting for a signal
  --progress             a status line on stderr every second

Exit status: 0 ok, 1 the relay failed or could not flush, 2 usage, 3 cannot
open DIR.
)";

constexpr const char* kConsumeHelp = R"(Usage: folio consume --kafka-brokers B --data DIR2 [options]

A downstream consumer: rebuilds a Folio log in DIR2 from folio.events alone
(consumer group, committed offsets, dedupe by folio-seq, every envelope and
the hash chain verified on receipt) and keeps the balances and trust
projections on it. Afterwards `folio balance`, `trial-balance` and `trust`
with --data DIR2 answer exactly as on the engine's log.

  --group G              consumer group (default folio-consume)
  --topic-prefix P       prefix of folio.events (default none)
  --until-seq N          exit once the mirror holds seq N (default: run until
                         SIGTERM or SIGINT)
  --timeout-ms T         with --until-seq: give up after T ms (exit 1)
  --json                 print a JSON status line on exit

Exit status: 0 ok, 1 an error (a message failed verification, a gap), 2 usage.
)";

// SIGTERM/SIGINT, blocked in every thread and taken by sigwait on one. The
// waiting thread is detached and outlives the command (nothing wakes it), so
// what it reads and writes is kept alive by the thread itself, not by this
// object: the set used to live here, on the command's stack, and TSan saw the
// waiter read it after the command had returned and the stack was reused.
class StopSignal {
 public:
  StopSignal() : state_(std::make_shared<State>()) {
    sigemptyset(&state_->set);
    sigaddset(&state_->set, SIGTERM);
    sigaddset(&state_->set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &state_->set, nullptr);  // before any other thread starts
    std::thread([state = state_] {
      int sig = 0;
      sigwait(&state->set, &sig);
      state->stop.store(true);
    }).detach();
  }
  bool stopped() const { return state_->stop.load(); }
  const std::atomic<bool>* flag() const { return &state_->stop; }

 private:
  struct State {
    sigset_t set;
    std::atomic<bool> stop{false};
  };
  std::shared_ptr<State> state_;
};

int Usage(const Status& s, const char* help) {
  ReportError(s);
  std::fputs(help, stderr);
  return 2;
}

int ToInt(std::uint64_t v) { return static_cast<int>(std::min<std::uint64_t>(v, 1'000'000)); }

boost::json::object StatusJson(const kafka::RelayStatus& s) {
  boost::json::object o;
  o["cursor_seq"] = s.cursor_seq;
  o["head_seq"] = s.head_seq;
  o["lag_events"] = s.lag_events;
  o["lag_seconds"] = s.lag_seconds;
  o["failed"] = s.failed;
  o["error"] = s.error;
  o["produced"] = s.produced;
  o["skipped"] = s.skipped;
  o["retries"] = s.retries;
  o["transactions"] = s.transactions;
  o["producer_restarts"] = s.producer_restarts;
  return o;
}

}  // namespace

int RunKafkaDev(const Argv& argv) {
  auto args = Args::Parse(argv, {{"brokers", "port-base", "partitions"}, {}});
  if (!args.ok()) return Usage(args.status(), kKafkaDevHelp);
  if (args->help()) return std::fputs(kKafkaDevHelp, stdout), 0;
  auto brokers = args->GetU64("brokers", 3);
  auto port_base = args->GetU64("port-base", 0);
  auto partitions = args->GetU64("partitions", 3);
  for (const Status& s : {brokers.status(), port_base.status(), partitions.status()}) {
    if (!s.ok()) return Usage(s, kKafkaDevHelp);
  }
  StopSignal stop;
  auto cluster = kafka::MockCluster::Start(ToInt(*brokers), ToInt(*port_base));
  if (!cluster.ok()) return ReportError(cluster.status());
  for (const char* t : {"folio.events", "payments.settled", "payments.failed", "refunds.succeeded",
                        "credits.issued", "folio.alerts"}) {
    Status s = (*cluster)->CreateTopic({t, ToInt(*partitions)});
    if (!s.ok()) return ReportError(s);
  }
  std::printf("%s\n", (*cluster)->bootstrap().c_str());
  std::fflush(stdout);
  while (!stop.stopped()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return 0;
}

int RunRelay(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "kafka-brokers", "topic-prefix", "transactional-id",
                                  "load-to", "mock-brokers"},
                                 {"progress", "until-mirrored"}});
  if (!args.ok()) return Usage(args.status(), kRelayHelp);
  if (args->help()) return std::fputs(kRelayHelp, stdout), 0;
  auto dir = args->Get("data");
  if (!dir) return Usage(Status::Error(codes::kInvalidArgument, "--data is required"), kRelayHelp);
  auto load_to = args->GetU64("load-to", 0);
  auto mock_brokers = args->GetU64("mock-brokers", 3);
  for (const Status& s : {load_to.status(), mock_brokers.status()}) {
    if (!s.ok()) return Usage(s, kRelayHelp);
  }
  StopSignal stop;
  std::unique_ptr<kafka::MockCluster> mock;
  kafka::RelayOptions o;
  o.brokers = args->GetOr("kafka-brokers", "");
  o.topic_prefix = args->GetOr("topic-prefix", "");
  o.transactional_id = args->GetOr("transactional-id", o.transactional_id);
  if (o.brokers.empty()) {
    auto c = kafka::MockCluster::Start(ToInt(*mock_brokers), 0);
    if (!c.ok()) return ReportError(c.status());
    mock = std::move(*c);
    o.brokers = mock->bootstrap();
    std::fprintf(stderr, "folio relay: in-process mock cluster at %s\n", o.brokers.c_str());
  }
  auto store = LogStore::Open(*dir);
  if (!store.ok()) return ReportError(store.status()), 3;
  auto relay = kafka::Relay::Start(store->get(), o);
  if (!relay.ok()) return ReportError(relay.status());
  std::unique_ptr<Writer> writer;
  std::thread load;
  Status load_status;
  std::atomic<bool> load_done{false};
  if (*load_to > 0) {
    auto w = Writer::Start(store->get());
    if (!w.ok()) return ReportError(w.status());
    writer = std::move(*w);
    auto head = (*store)->ReadHead();
    if (!head.ok()) return ReportError(head.status());
    if (head->seq < *load_to) {
      kafka::SyntheticLoadOptions lo;
      // Payments of their own: the log may hold anything before them.
      lo.id_prefix = "syn" + std::to_string(head->seq) + "-";
      lo.count = *load_to - head->seq;
      lo.stop = stop.flag();
      lo.on_durable = [r = relay->get()](std::uint64_t) { r->Notify(); };
      load = std::thread([&, lo] {
        load_status = kafka::AppendSynthetic(*writer, lo);
        load_done.store(true);
      });
    }
  }
  if (!load.joinable()) load_done.store(true);
  const bool until_mirrored = args->Has("until-mirrored");
  auto last_print = std::chrono::steady_clock::now();
  while (!stop.stopped() && !(*relay)->status().failed) {
    if (until_mirrored && load_done.load() && (*relay)->status().lag_events == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (args->Has("progress") &&
        std::chrono::steady_clock::now() - last_print > std::chrono::seconds(1)) {
      last_print = std::chrono::steady_clock::now();
      auto s = (*relay)->status();
      std::fprintf(stderr, "relay: cursor %llu head %llu lag %llu events %.2f s retries %llu\n",
                   static_cast<unsigned long long>(s.cursor_seq),
                   static_cast<unsigned long long>(s.head_seq),
                   static_cast<unsigned long long>(s.lag_events), s.lag_seconds,
                   static_cast<unsigned long long>(s.retries));
    }
  }
  if (load.joinable()) load.join();
  if (writer) writer->Stop();
  Status flushed = (*relay)->Flush(std::chrono::seconds(10));
  (*relay)->Stop();
  kafka::RelayStatus final_status = (*relay)->status();
  std::cout << boost::json::serialize(StatusJson(final_status)) << "\n";
  if (final_status.failed) return 1;
  if (!load_status.ok()) return ReportError(load_status);
  if (!flushed.ok()) return ReportError(flushed);
  return 0;
}

int RunConsume(const Argv& argv) {
  auto args = Args::Parse(
      argv,
      {{"data", "kafka-brokers", "group", "topic-prefix", "until-seq", "timeout-ms"}, {"json"}});
  if (!args.ok()) return Usage(args.status(), kConsumeHelp);
  if (args->help()) return std::fputs(kConsumeHelp, stdout), 0;
  auto dir = args->Get("data");
  auto brokers = args->Get("kafka-brokers");
  if (!dir || !brokers) {
    return Usage(Status::Error(codes::kInvalidArgument, "--data and --kafka-brokers are required"),
                 kConsumeHelp);
  }
  auto until = args->GetU64("until-seq", UINT64_MAX);
  auto timeout_ms = args->GetU64("timeout-ms", UINT64_MAX / 2);
  for (const Status& s : {until.status(), timeout_ms.status()}) {
    if (!s.ok()) return Usage(s, kConsumeHelp);
  }
  StopSignal stop;
  LogStoreOptions so;
  auto store = LogStore::Open(*dir, so);
  if (!store.ok()) return ReportError(store.status()), 3;
  kafka::MirrorConsumerOptions o;
  o.brokers = *brokers;
  o.group = args->GetOr("group", o.group);
  o.topic = args->GetOr("topic-prefix", "") + o.topic;
  auto consumer = kafka::MirrorConsumer::Start(store->get(), o);
  if (!consumer.ok()) return ReportError(consumer.status());
  auto projector = projections::Projector::Start(store->get(), projections::AllProjections());
  if (!projector.ok()) return ReportError(projector.status());
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(std::min<std::uint64_t>(*timeout_ms, 1ull << 40));
  Status s;
  while (!stop.stopped() && (*consumer)->stats().head_seq < *until) {
    if (std::chrono::steady_clock::now() > deadline) {
      s = Status::Error(kafka::kKafkaTimeout, "seq " + std::to_string(*until) + " not reached");
      break;
    }
    s = (*consumer)->Poll(std::chrono::milliseconds(200));
    if (!s.ok()) break;
    (*projector)->Notify();
  }
  (*consumer)->Close();
  auto st = (*consumer)->stats();
  if (s.ok()) s = (*projector)->WaitFor(st.head_seq, std::chrono::seconds(60));
  (*projector)->Stop();
  if (args->Has("json")) {
    boost::json::object j;
    j["head_seq"] = st.head_seq;
    j["received"] = st.received;
    j["duplicates"] = st.duplicates;
    j["appended"] = st.appended;
    j["waiting"] = st.waiting;
    j["ok"] = s.ok();
    if (!s.ok()) j["error"] = s.ToString();
    std::cout << boost::json::serialize(j) << "\n";
  }
  if (!s.ok()) return ReportError(s);
  return 0;
}

}  // namespace folio::cli
