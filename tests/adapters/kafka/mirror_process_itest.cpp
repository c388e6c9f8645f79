// The mirror as separate processes: `folio kafka-dev` as the broker, `folio
// relay` SIGKILLed at random moments under load and restarted, `folio
// consume` rebuilding the projections downstream, and kcat reading the topic.
#include <doctest/doctest.h>

#include <unistd.h>

#include <boost/json.hpp>

#include <map>
#include <random>
#include <sstream>

#include "tests/adapters/kafka/kafka_checker.h"
#include "tests/test_support.h"

namespace folio {
namespace {

using namespace std::chrono_literals;
using testing::Child;
using testing::MirrorChecker;
using testing::RunCommand;
using testing::TempDir;

std::string Bin() { return FOLIO_BIN; }

std::string Run(const std::string& cmd, int want = 0) {
  std::string out;
  int rc = RunCommand(cmd, &out);
  CHECK_MESSAGE(rc == want, cmd << " exited " << rc << ": " << out);
  return out;
}

struct KafkaDev {
  Child child;
  std::string bootstrap;
  explicit KafkaDev(std::vector<std::string> extra = {})
      : child([&] {
          std::vector<std::string> a = {"kafka-dev", "--brokers", "3", "--partitions", "8"};
          a.insert(a.end(), extra.begin(), extra.end());
          return a;
        }()) {
    bootstrap = child.ReadLine(30s);
    REQUIRE_MESSAGE(!bootstrap.empty(), "kafka-dev printed no bootstrap servers");
  }
  ~KafkaDev() {
    child.Kill(SIGTERM);
    CHECK(child.Wait(30s) == 0);
  }
};

TEST_CASE("folio kafka-dev listens on fixed loopback ports") {
  // Below Linux's ephemeral range (32768-60999): the outgoing connections of
  // other tests cannot hold these ports (an ASan run once met one that did).
  const int base = 20'000 + static_cast<int>(getpid() % 4'000) * 3;
  KafkaDev dev({"--port-base", std::to_string(base)});
  std::string want;
  for (int i = 0; i < 3; ++i) {
    want += (i ? "," : "") + std::string("127.0.0.1:") + std::to_string(base + i);
  }
  CHECK(dev.bootstrap == want);
}

TEST_CASE("relay process SIGKILLed at random moments under load: every event exactly once") {
  KafkaDev dev;
  TempDir dir;
  const int rounds = 12;
  const std::uint64_t per_round = 25'000;
  const std::uint64_t total = per_round * (rounds + 1);
  MirrorChecker checker(dev.bootstrap, "folio.events", total);
  std::mt19937 rng(static_cast<unsigned>(getpid()));
  std::uniform_int_distribution<int> kill_after_ms(0, 1500);
  std::uniform_int_distribution<std::uint64_t> kill_after_events(1, per_round / 2);
  int killed_while_producing = 0;
  for (int r = 0; r < rounds; ++r) {
    const std::uint64_t seen_before = checker.distinct();
    Child relay({"relay", "--data", dir.str(), "--kafka-brokers", dev.bootstrap, "--load-to",
                 std::to_string(per_round * static_cast<std::uint64_t>(r + 1))},
                /*capture_stdout=*/false);
    // The crash point is random on purpose. Even rounds: once Kafka holds a
    // random number of this round's events, i.e. in the middle of producing.
    // Odd rounds: after a random time, which also hits start-up and read-back.
    if (r % 2 == 0) {
      const std::uint64_t target = seen_before + kill_after_events(rng);
      if (testing::PollUntil([&] { return checker.distinct() >= target; }, 60s)) {
        ++killed_while_producing;
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms(rng)));
    }
    relay.Kill(SIGKILL);
    CHECK(relay.Wait(30s) == 128 + SIGKILL);
  }
  CHECK(killed_while_producing == rounds / 2);
  // A last run that is left to finish.
  std::string out = Run(Bin() + " relay --data " + dir.str() + " --kafka-brokers " + dev.bootstrap +
                        " --load-to " + std::to_string(total) + " --until-mirrored 2>/dev/null");
  bool complete = checker.WaitComplete(180s);
  for (const std::string& e : checker.errors()) MESSAGE(e);
  for (std::uint64_t s : checker.Missing(10)) MESSAGE("missing seq " << s);
  CHECK(complete);
  CHECK(checker.duplicates() == 0);
  CHECK(checker.messages() == total);
  MESSAGE("last relay run: " << out);
}

std::string TakeLast(const std::string& out) {
  std::istringstream in(out);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

TEST_CASE("folio consume rebuilds balances and trust ledgers identical to the engine's") {
  KafkaDev dev;
  TempDir src, dst;
  Run(Bin() + " exec --data " + src.str() + " " + FOLIO_SOURCE_DIR +
      "/tests/data/history.jsonl > /dev/null");
  auto head = boost::json::parse(Run(Bin() + " verify --json --data " + src.str()));
  const std::int64_t n = head.at("head_seq").as_int64();
  REQUIRE(n > 0);
  Run(Bin() + " relay --data " + src.str() + " --kafka-brokers " + dev.bootstrap +
      " --until-mirrored > /dev/null 2>&1");
  std::string consumed =
      Run(Bin() + " consume --kafka-brokers " + dev.bootstrap + " --data " + dst.str() +
          " --until-seq " + std::to_string(n) + " --timeout-ms 60000 --json");
  auto c = boost::json::parse(TakeLast(consumed));
  CHECK(c.at("head_seq").as_int64() == n);
  CHECK(c.at("duplicates").as_int64() == 0);
  CHECK(Run(Bin() + " verify --data " + dst.str()).rfind("ok:", 0) == 0);
  for (const std::string q : {"trial-balance --json", "trust ledger --client cl1 --json",
                              "trust negative --json", "stats --json"}) {
    std::string a = Run(Bin() + " " + q + " --data " + src.str());
    std::string b = Run(Bin() + " " + q + " --data " + dst.str());
    CHECK_MESSAGE(a == b, q);
    CHECK(a.size() > 2);
  }
  // The integration topics, as the old payment service's consumers read them.
  auto settled = testing::ReadTopic(dev.bootstrap, "payments.settled", 30s);
  auto failed = testing::ReadTopic(dev.bootstrap, "payments.failed", 30s);
  std::string settled_events = Run(Bin() + " inspect --data " + src.str() + " --limit 100000");
  std::size_t settled_count = 0;
  for (std::size_t at = 0;
       (at = settled_events.find("\"PaymentSettled\"", at)) != std::string::npos; ++at) {
    ++settled_count;
  }
  CHECK(settled.size() == settled_count);
  REQUIRE(failed.size() == 1);
  for (const auto& m : settled) {
    auto j = boost::json::parse(m.value).as_object();
    CHECK(j.at("paymentId").as_string() == m.key);
    CHECK(!j.at("orderId").as_string().empty());
    CHECK(!j.at("userId").as_string().empty());
    CHECK(j.at("amount").as_string().find('.') != std::string::npos);
    CHECK(!j.at("currency").as_string().empty());
    CHECK(!j.at("method").as_string().empty());
    CHECK(j.at("settledAt").as_string().size() >= 20);
    CHECK(j.contains("requestId"));
  }
  auto f = boost::json::parse(failed[0].value).as_object();
  CHECK(f.at("paymentId").as_string() == failed[0].key);
  CHECK(!f.at("orderId").as_string().empty());  // from the payment's creation event
  CHECK(!f.at("amount").as_string().empty());
  CHECK(!f.at("reason").as_string().empty());
  CHECK(f.at("failedAt").as_string().size() >= 20);
  MESSAGE("payments.failed: " << failed[0].value);
  if (!settled.empty()) MESSAGE("payments.settled: " << settled[0].value);

  // Refunds and credits: one message per RefundSucceeded / CreditIssued,
  // keyed by the refund or credit id, with the fields the JSON promises.
  auto count_events = [&](std::string_view type) {
    std::size_t count = 0;
    const std::string quoted = "\"" + std::string(type) + "\"";
    for (std::size_t at = 0; (at = settled_events.find(quoted, at)) != std::string::npos; ++at) {
      ++count;
    }
    return count;
  };
  auto refunded = testing::ReadTopic(dev.bootstrap, "refunds.succeeded", 30s);
  auto credited = testing::ReadTopic(dev.bootstrap, "credits.issued", 30s);
  REQUIRE(!refunded.empty());
  REQUIRE(!credited.empty());
  CHECK(refunded.size() == count_events("RefundSucceeded"));
  CHECK(credited.size() == count_events("CreditIssued"));
  bool credit_refund_seen = false;
  for (const auto& m : refunded) {
    auto j = boost::json::parse(m.value).as_object();
    CHECK(j.at("refundId").as_string() == m.key);
    CHECK(!j.at("paymentId").as_string().empty());
    CHECK(j.at("amount").as_string().find('.') != std::string::npos);
    CHECK(!j.at("currency").as_string().empty());
    CHECK(!j.at("method").as_string().empty());
    const std::string target(j.at("target").as_string());
    CHECK((target == "original_method" || target == "customer_credit"));
    credit_refund_seen = credit_refund_seen || target == "customer_credit";
    CHECK(j.at("refundedAt").as_string().size() >= 20);
    CHECK(j.contains("requestId"));
  }
  CHECK(credit_refund_seen);  // the history refunds r2 to a customer credit
  for (const auto& m : credited) {
    auto j = boost::json::parse(m.value).as_object();
    CHECK(j.at("creditId").as_string() == m.key);
    CHECK(!j.at("userId").as_string().empty());
    CHECK(j.at("amount").as_string().find('.') != std::string::npos);
    CHECK((j.at("expiresAt").is_null() || j.at("expiresAt").as_string().size() >= 20));
    CHECK((j.at("sourceRefundId").is_null() || !j.at("sourceRefundId").as_string().empty()));
    CHECK(j.at("issuedAt").as_string().size() >= 20);
  }
  MESSAGE("refunds.succeeded: " << refunded[0].value);
  MESSAGE("credits.issued: " << credited[0].value);

  // More events later: a second run of the same group resumes from its
  // committed offsets and receives only the new ones.
  const std::int64_t n2 = n + 1'000;
  Run(Bin() + " relay --data " + src.str() + " --kafka-brokers " + dev.bootstrap + " --load-to " +
      std::to_string(n2) + " --until-mirrored > /dev/null 2>&1");
  std::string again =
      Run(Bin() + " consume --kafka-brokers " + dev.bootstrap + " --data " + dst.str() +
          " --until-seq " + std::to_string(n2) + " --timeout-ms 60000 --json");
  auto c2 = boost::json::parse(TakeLast(again));
  CHECK(c2.at("head_seq").as_int64() == n2);
  CHECK(c2.at("appended").as_int64() == 1'000);
  CHECK(c2.at("received").as_int64() == 1'000);
  CHECK(c2.at("duplicates").as_int64() == 0);
  CHECK(Run(Bin() + " trial-balance --json --data " + src.str()) ==
        Run(Bin() + " trial-balance --json --data " + dst.str()));
}

TEST_CASE("kcat reads folio.events with its headers") {
  std::string which;
  if (RunCommand("command -v kcat", &which) != 0) {
    MESSAGE("kcat not installed: skipped (docs/kafka.md shows the command)");
    return;
  }
  KafkaDev dev;
  TempDir src;
  Run(Bin() + " relay --data " + src.str() + " --kafka-brokers " + dev.bootstrap +
      " --load-to 500 --until-mirrored > /dev/null 2>&1");
  // kcat -J does not escape binary payloads into valid JSON, so the lines are
  // checked as text: the headers array comes before the payload.
  std::string out = Run("kcat -C -b " + dev.bootstrap + " -t folio.events -J -e -q");
  std::istringstream in(out);
  int lines = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    ++lines;
    auto at = line.find("\"headers\":[");
    REQUIRE(at != std::string::npos);
    std::string h = line.substr(at, line.find(']', at) - at);
    CHECK(h.find("\"ce_specversion\",\"1.0\",\"ce_id\",\"") != std::string::npos);
    CHECK(h.find("\"ce_source\",\"/folio\"") != std::string::npos);
    CHECK((h.find("\"ce_type\",\"folio.PaymentSettled\"") != std::string::npos ||
           h.find("\"ce_type\",\"folio.PaymentCreated\"") != std::string::npos));
    CHECK(h.find("\"ce_time\",\"") != std::string::npos);
    CHECK(h.find("\"content-type\",\"application/vnd.folio.envelope+flatbuffers\"") !=
          std::string::npos);
    CHECK(h.find("\"folio-seq\",\"") != std::string::npos);
    CHECK(h.find("\"folio-hash\",\"") != std::string::npos);
    CHECK(line.find("\"key\":\"payment:syn") != std::string::npos);
  }
  CHECK(lines == 500);
}

}  // namespace
}  // namespace folio
