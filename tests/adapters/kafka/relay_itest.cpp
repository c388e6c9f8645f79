// The relay in-process against a mock cluster over TCP: a large log mirrored
// exactly once while a checker reads, and a broker outage with request errors
// in the middle of a load.
#include <doctest/doctest.h>

#include <signal.h>

#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/kafka/relay.h"
#include "adapters/kafka/synthetic_load.h"
#include "engine/writer.h"
#include "tests/adapters/kafka/kafka_checker.h"
#include "tests/test_support.h"

namespace folio {
namespace {

using namespace std::chrono_literals;
using testing::MirrorChecker;
using testing::PollUntil;
using testing::TempDir;

std::uint64_t EnvU64(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

void ReportChecker(const MirrorChecker& c) {
  for (const std::string& e : c.errors()) MESSAGE(e);
  for (std::uint64_t s : c.Missing(10)) MESSAGE("missing seq " << s);
}

struct Rig {
  TempDir dir;
  std::unique_ptr<kafka::MockCluster> cluster;
  std::unique_ptr<LogStore> store;
  std::unique_ptr<Writer> writer;
  std::unique_ptr<kafka::Relay> relay;

  std::string brokers;

  // With `external_brokers` empty, an in-process mock cluster with a
  // folio.events topic of `partitions`; else that cluster.
  explicit Rig(int partitions, kafka::RelayOptions opts = {}, std::string external_brokers = "") {
    if (external_brokers.empty()) {
      auto c = kafka::MockCluster::Start(3, 0);
      REQUIRE(c.ok());
      cluster = std::move(*c);
      REQUIRE(cluster->CreateTopic({"folio.events", partitions}).ok());
      brokers = cluster->bootstrap();
    } else {
      brokers = std::move(external_brokers);
    }
    auto s = LogStore::Open(dir.str());
    REQUIRE(s.ok());
    store = std::move(*s);
    auto w = Writer::Start(store.get());
    REQUIRE(w.ok());
    writer = std::move(*w);
    opts.brokers = brokers;
    opts.log = [](const std::string&) {};  // retries are expected here
    auto r = kafka::Relay::Start(store.get(), opts);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    relay = std::move(*r);
  }

  Status Append(std::uint64_t first, std::uint64_t count) {
    kafka::SyntheticLoadOptions lo;
    lo.first = first;
    lo.count = count;
    lo.on_durable = [this](std::uint64_t) { relay->Notify(); };
    return kafka::AppendSynthetic(*writer, lo);
  }

  // Appends the first `count` events and waits until the relay committed some.
  void StartMirroring(std::uint64_t count) {
    REQUIRE(Append(0, count).ok());
    REQUIRE(PollUntil([&] { return relay->status().cursor_seq > 0; }, 60s));
  }
};

// The relay's lag back to 0 and the checker saw `n` messages, each seq once.
void ExpectCaughtUpExactlyOnce(Rig& rig, MirrorChecker& checker, std::uint64_t n) {
  REQUIRE(PollUntil([&] { return rig.relay->status().lag_events == 0; }, 120s));
  bool complete = checker.WaitComplete(120s);
  ReportChecker(checker);
  CHECK(complete);
  CHECK(checker.duplicates() == 0);
  CHECK(checker.messages() == n);
}

// Appends n events while the relay runs and a checker reads all partitions
// concurrently (the mock prunes what it holds beyond ~5 MB per partition).
void MirrorLargeLog(Rig& rig, std::uint64_t n) {
  MirrorChecker checker(rig.brokers, "folio.events", n);
  auto t0 = std::chrono::steady_clock::now();
  std::thread load([&] { REQUIRE(rig.Append(0, n).ok()); });
  load.join();
  REQUIRE(rig.relay->Flush(600s).ok());
  auto t1 = std::chrono::steady_clock::now();
  bool complete = checker.WaitComplete(300s);
  ReportChecker(checker);
  CHECK(complete);
  CHECK(checker.distinct() == n);
  CHECK(checker.duplicates() == 0);
  CHECK(checker.messages() == n);
  kafka::RelayStatus st = rig.relay->status();
  CHECK(st.cursor_seq == n);
  CHECK(st.produced == n);
  CHECK(st.lag_events == 0);
  CHECK_FALSE(st.failed);
  MESSAGE(n << " events appended and mirrored in " << std::chrono::duration<double>(t1 - t0).count()
            << " s; checker read all in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
            << " s; " << st.transactions << " transactions");
}

TEST_CASE("relay mirrors a large log exactly once in stream order with CloudEvents headers") {
  // 1,000,000 by default; FOLIO_KAFKA_EVENTS overrides. 32 partitions, so
  // that the mock's ~5 MB each hold what the checker has not read yet.
  Rig rig(32);
  MirrorLargeLog(rig, EnvU64("FOLIO_KAFKA_EVENTS", 1'000'000));
}

TEST_CASE("relay mirrors a large log through folio kafka-dev in another process") {
  testing::Child dev({"kafka-dev", "--brokers", "3", "--partitions", "32"});
  std::string bootstrap = dev.ReadLine(30s);
  REQUIRE(!bootstrap.empty());
  {
    Rig rig(32, {}, bootstrap);
    MirrorLargeLog(rig, EnvU64("FOLIO_KAFKA_EVENTS", 1'000'000));
  }
  dev.Kill(SIGTERM);
  CHECK(dev.Wait(30s) == 0);
}

TEST_CASE("relay rides out brokers down and pushed request errors: nothing lost or duplicated") {
  kafka::RelayOptions o;
  o.commit_timeout = 1000ms;  // so the outage shows up as retried commits
  o.txn_events_max = 5'000;
  Rig rig(8, o);
  const std::uint64_t phase = 20'000;
  MirrorChecker checker(rig.brokers, "folio.events", 3 * phase);
  rig.StartMirroring(phase);

  // Outage: every broker down. The log keeps accepting writes meanwhile.
  for (int b = 1; b <= 3; ++b) REQUIRE(rig.cluster->SetBrokerDown(b).ok());
  auto down_at = std::chrono::steady_clock::now();
  REQUIRE(rig.Append(phase, phase).ok());
  PollUntil([&] { return std::chrono::steady_clock::now() - down_at > 4s; }, 10s);
  kafka::RelayStatus during = rig.relay->status();
  CHECK(during.lag_events > 0);
  CHECK(during.lag_seconds > 1.0);
  CHECK_FALSE(during.failed);

  // Back up, but the next produce and commit requests fail (retriable errors).
  rig.cluster->PushRequestErrors(0 /* Produce */, 10, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
  rig.cluster->PushRequestErrors(26 /* EndTxn */, 2, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE);
  for (int b = 1; b <= 3; ++b) REQUIRE(rig.cluster->SetBrokerUp(b).ok());
  REQUIRE(rig.Append(2 * phase, phase).ok());
  ExpectCaughtUpExactlyOnce(rig, checker, 3 * phase);
  kafka::RelayStatus after = rig.relay->status();
  CHECK(after.cursor_seq == 3 * phase);
  CHECK(after.lag_seconds == 0);
  CHECK(after.retries > 0);
  CHECK_FALSE(after.failed);
  MESSAGE("during the outage: lag " << during.lag_events << " events, " << during.lag_seconds
                                    << " s; retries " << after.retries << "; producer restarts "
                                    << after.producer_restarts);
}

TEST_CASE("relay replaces a producer whose sequence broke: nothing lost or duplicated") {
  // What a broker's "out of order sequence number" does to an idempotent
  // producer (seen on CI after pushed NOT_LEADER errors): librdkafka declares
  // the instance dead. The relay must carry on with a new one.
  kafka::RelayOptions o;
  o.txn_events_max = 2'000;
  Rig rig(8, o);
  const std::uint64_t phase = 10'000;
  MirrorChecker checker(rig.brokers, "folio.events", 2 * phase);
  rig.StartMirroring(phase);
  rig.relay->InjectFatalError(RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                              "sequence desynchronization (injected)");
  REQUIRE(rig.Append(phase, phase).ok());
  ExpectCaughtUpExactlyOnce(rig, checker, 2 * phase);
  kafka::RelayStatus st = rig.relay->status();
  CHECK(st.producer_restarts == 1);
  CHECK_FALSE(st.failed);
  CHECK(st.cursor_seq == 2 * phase);
}

TEST_CASE("relay gives up after producer_restarts_max replacements in a row") {
  kafka::RelayOptions o;
  o.producer_restarts_max = 0;
  Rig rig(4, o);
  REQUIRE(rig.Append(0, 100).ok());
  REQUIRE(rig.relay->Flush(60s).ok());
  rig.relay->InjectFatalError(RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID, "injected");
  REQUIRE(rig.Append(100, 100).ok());
  rig.relay->Notify();
  REQUIRE(PollUntil([&] { return rig.relay->status().failed; }, 60s));
  kafka::RelayStatus st = rig.relay->status();
  CHECK(st.cursor_seq == 100);
  CHECK(st.producer_restarts == 0);
  CHECK(st.error.find("after 0 producer restarts") != std::string::npos);
}

TEST_CASE("relay restarted on the same log produces nothing twice") {
  Rig rig(4);
  REQUIRE(rig.Append(0, 5'000).ok());
  REQUIRE(rig.relay->Flush(60s).ok());
  rig.relay->Stop();
  // As if the cursor write had been lost in a crash after the commit.
  std::string v;
  keys::PutU64Be(&v, 2'000);
  REQUIRE(rig.store->db()
              ->Put({}, rig.store->meta_cf(), kafka::Relay::CursorKey("folio.events"), v)
              .ok());
  kafka::RelayOptions o;
  o.brokers = rig.cluster->bootstrap();
  o.log = [](const std::string&) {};
  o.txn_events_max = 100;  // a read-back window far smaller than what is there: it must widen
  auto again = kafka::Relay::Start(rig.store.get(), o);
  REQUIRE(again.ok());
  REQUIRE((*again)->Flush(60s).ok());
  kafka::RelayStatus st = (*again)->status();
  CHECK(st.produced == 0);
  CHECK(st.skipped == 3'000);
  CHECK(st.cursor_seq == 5'000);
  MirrorChecker checker(rig.cluster->bootstrap(), "folio.events", 5'000);
  CHECK(checker.WaitComplete(60s));
  ReportChecker(checker);
  CHECK(checker.messages() == 5'000);
}

TEST_CASE("relay stops while its producer queue is full and every broker is down") {
  kafka::RelayOptions o;
  o.commit_timeout = 1000ms;
  // A queue of 50 messages and nobody to send them to: produce finds it full
  // and waits for room that never comes, until Stop().
  o.extra_config = {{"queue.buffering.max.messages", "50"}};
  Rig rig(4, o);
  rig.StartMirroring(100);
  REQUIRE(rig.relay->Flush(60s).ok());
  for (int b = 1; b <= 3; ++b) REQUIRE(rig.cluster->SetBrokerDown(b).ok());
  REQUIRE(rig.Append(100, 2'000).ok());
  rig.relay->Notify();
  REQUIRE(PollUntil([&] { return rig.relay->status().queue_full_waits > 0; }, 60s));

  // Stop() on another thread, with a deadline: before the fix it never returned.
  auto stopped = std::make_shared<std::promise<void>>();
  std::future<void> done = stopped->get_future();
  std::thread([relay = rig.relay.get(), stopped] {
    relay->Stop();
    stopped->set_value();
  }).detach();
  if (done.wait_for(30s) != std::future_status::ready) {
    FAIL_CHECK("Relay::Stop() did not return within 30 s while produce waited for queue room");
    std::_Exit(1);  // the relay thread cannot be joined; do not hang the suite
  }
  kafka::RelayStatus st = rig.relay->status();
  CHECK(st.cursor_seq == 100);  // nothing beyond what was committed is claimed
  CHECK_FALSE(st.failed);
}

TEST_CASE("relay stops loudly on a fatal producer error and keeps its cursor") {
  std::mutex mu;
  std::vector<std::string> logged;
  kafka::RelayOptions o;
  Rig rig(4, o);
  REQUIRE(rig.Append(0, 1'000).ok());
  REQUIRE(rig.relay->Flush(60s).ok());
  rig.relay->Stop();
  o.brokers = rig.cluster->bootstrap();
  o.log = [&](const std::string& m) {
    std::lock_guard lock(mu);
    logged.push_back(m);
  };
  auto relay = kafka::Relay::Start(rig.store.get(), o);
  REQUIRE(relay.ok());
  REQUIRE(PollUntil([&] { return (*relay)->status().transactions == 0; }, 1s));
  // A transactional producer whose produce requests are answered "fenced"
  // must not go on: on real Kafka another instance owns the transactional.id.
  rig.cluster->PushRequestErrors(0 /* Produce */, 5, RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH);
  REQUIRE(rig.Append(1'000, 1'000).ok());
  (*relay)->Notify();
  REQUIRE(PollUntil([&] { return (*relay)->status().failed; }, 60s));
  kafka::RelayStatus st = (*relay)->status();
  CHECK(st.cursor_seq == 1'000);
  CHECK(st.lag_events == 1'000);
  CHECK(st.error.rfind("kafka_fatal", 0) == 0);
  Status flushed = (*relay)->Flush(1s);
  CHECK(flushed.code() == kafka::kKafkaFatal);
  std::lock_guard lock(mu);
  bool loud = false;
  for (const std::string& m : logged) loud = loud || m.rfind("FATAL", 0) == 0;
  CHECK(loud);
  CHECK(st.producer_restarts == 0);  // fenced: no second producer
  MESSAGE("relay error: " << st.error);
}

}  // namespace
}  // namespace folio
