// folio soak: `folio serve` SIGKILLed at random points under a loopback HTTP
// load, restarted on the same log, with its relay mirroring to a Kafka mock
// cluster in a process of its own; then every acknowledged answer is checked
// against the log, the server and Kafka.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <random>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "adapters/cli/soak_checks.h"
#include "adapters/cli/soak_kafka.h"
#include "adapters/cli/soak_load.h"
#include "adapters/cli/soak_process.h"
#include "adapters/cli/soak_serve.h"
#include "adapters/http/auth.h"
#include "events/codes.h"

namespace folio::cli {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSoakHelp =
    R"(Usage: folio soak [--rounds N] [--seed S] [--workers W] [--acks-max K]
                  [--verify-every V] [--dir DIR] [--keep]

Kills `folio serve` with SIGKILL N times (default 1000) under a loopback HTTP
load and restarts it on the same log. `folio kafka-dev` runs the Kafka cluster
in a process of its own, so it outlives the kills; serve's relay mirrors the
log to it, and read_committed consumers count every seq as it arrives.

The load: W workers (default 4) create and settle payments, request refunds
(some above the amount paid, refused by the rules) and mark them succeeded,
each command under its own Idempotency-Key, and record every answer (status
and body). A command whose answer was cut off by a kill is sent again, same
key and body, to the next server. Workers also repeat older commands and send
other bodies under older keys while the load runs. A round kills the server
after a random number (1..K, default K 300) of answers; one round in eight
kills it early: at once, once it listens, or after 1 to 3 answers, and one
in eight late: after K..5K answers, so that kills also land while the writer
checkpoints its derived state (every second under load).

After the rounds a last server answers every command again, then another
body under each key, and is stopped with SIGTERM. Checked: every 2xx's events
are in the log at the seqs it was answered with, once; refused commands have
none; every retry got its first answer ("replayed":true) and every other body
idempotency_key_conflict; `folio verify`, `folio verify --deep` and `folio
replay` (projections equal a rebuild) pass; folio.events holds seqs 1..head
exactly once, each stream in order, and payments.settled, payments.failed, refunds.succeeded and
credits.issued each the seqs of their events exactly once. Every V rounds
(default 10; 0: never) `folio verify --deep` also checks the log as the kill
left it.

Prints "N rounds, L lost, D duplicated" and, on failure, what went wrong.
Work files (log, keys, server and broker output) go to DIR (default a new
temporary directory, removed after a clean run unless --keep).

Exit status: 0 all checks passed, 1 a check failed, 2 usage, 3 setup failed.
)";

// Watchdogs, generous for sanitizer builds; nothing waits them out in a healthy run.
constexpr auto kStartTimeout = 120s;   // serve listening and ready, kafka-dev up
constexpr auto kRoundTimeout = 120s;   // answers of one round
constexpr auto kMirrorTimeout = 180s;  // the relay and the consumer catching up
constexpr std::uint64_t kEarlyKillAcksMax = 3;
constexpr std::uint64_t kLongRoundFactor = 5;
// The topics counted, by kafka::IntegrationKind (0, kNone: every event).
constexpr const char* kTopics[] = {"folio.events", "payments.settled", "payments.failed",
                                   "refunds.succeeded", "credits.issued"};

int Usage(const Status& s) {
  ReportError(s);
  std::fputs(kSoakHelp, stderr);
  return 2;
}

struct SoakOptions {
  std::uint64_t rounds = 1000, seed = 0, workers = 4, acks_max = 300, verify_every = 10;
  std::string dir;
  bool keep = false;
};

// Where a round kills the server.
struct KillPlan {
  enum Kind { kAtSpawn, kAtListening, kAfterAcks } kind = kAfterAcks;
  std::uint64_t acks = 0;
};

KillPlan PlanKill(std::mt19937_64& rng, std::uint64_t acks_max) {
  auto uniform = [&](std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
  };
  switch (uniform(0, 7)) {
    case 0:
      break;  // early
    case 1:   // long enough for the writer to checkpoint (every second) under the load
      return {KillPlan::kAfterAcks, uniform(acks_max, kLongRoundFactor * acks_max)};
    default:
      return {KillPlan::kAfterAcks, uniform(1, acks_max)};
  }
  switch (uniform(0, 2)) {
    case 0:
      return {KillPlan::kAtSpawn, 0};
    case 1:
      return {KillPlan::kAtListening, 0};
    default:
      return {KillPlan::kAfterAcks, uniform(1, kEarlyKillAcksMax)};
  }
}

// `folio ARGS` with its output in DIR/checks.log; "" when it exits 0.
std::string RunFolio(const SoakOptions& o, const std::vector<std::string>& args) {
  return RunChecked(args, (std::filesystem::path(o.dir) / "checks.log").string(), 600s);
}

class SoakRun {
 public:
  explicit SoakRun(SoakOptions o) : o_(std::move(o)), rng_(o_.seed) {}

  Status Setup() {
    const std::filesystem::path dir(o_.dir);
    std::filesystem::create_directories(dir);
    auto keys = http::KeyStore::Load((dir / "keys.txt").string());
    if (!keys.ok()) return keys.status();
    ASSIGN_OR_RETURN(api_key_, (*keys)->Create("soak", http::Role::kOperator));
    auto bootstrap = std::make_shared<LineWatch>();
    // 16 partitions: the mock keeps about 5 MB of each.
    ASSIGN_OR_RETURN(kafka_, SoakChild::Start({"kafka-dev", "--brokers", "3", "--partitions", "16"},
                                              (dir / "kafka-dev.log").string(),
                                              [bootstrap](std::string_view line) {
                                                if (line.starts_with("127.0.0.1:")) {
                                                  bootstrap->Offer(line, "");
                                                }
                                              }));
    brokers_ = bootstrap->Wait(kStartTimeout, *kafka_);
    if (brokers_.empty()) {
      return Status::Error(codes::kIoError, "kafka-dev printed no bootstrap servers");
    }
    for (std::size_t i = 0; i < std::size(kTopics); ++i) {
      counters_.push_back(std::make_unique<KafkaSeqCounter>(
          brokers_, kTopics[i],
          i == 0 ? KafkaSeqCounter::SeqFrom::kEnvelope : KafkaSeqCounter::SeqFrom::kHeader));
    }
    SoakLoadOptions lo;
    lo.workers = o_.workers;
    lo.seed = o_.seed;
    lo.api_key = api_key_;
    load_ = std::make_unique<SoakLoad>(lo, &problems_);
    return Status();
  }

  // One server from start to SIGKILL.
  Status Round(std::uint64_t round) {
    const KillPlan plan = PlanKill(rng_, o_.acks_max);
    const bool early = plan.kind != KillPlan::kAfterAcks || plan.acks <= kEarlyKillAcksMax;
    early_kills_ += early ? 1 : 0;
    late_kills_ += plan.acks > o_.acks_max ? 1 : 0;
    ASSIGN_OR_RETURN(auto serve, ServeProcess::Start(o_.dir, brokers_));
    if (plan.kind != KillPlan::kAtSpawn) {
      ASSIGN_OR_RETURN(std::uint16_t port, serve->WaitListening(kStartTimeout));
      if (plan.kind == KillPlan::kAfterAcks) {
        RETURN_IF_ERROR(WaitReady(port, kStartTimeout));
        load_->ServerUp(port, round);
        const std::uint64_t got = load_->WaitRoundAcks(plan.acks, kRoundTimeout);
        load_->ServerDown();
        if (got < plan.acks) {
          return Status::Error(
              codes::kIoError,
              std::to_string(got) + " of " + std::to_string(plan.acks) + " answers within 120 s");
        }
      }
    }
    serve->child().Kill(SIGKILL);
    auto status = serve->child().Wait(30s);
    if (!status || !WIFSIGNALED(*status) || WTERMSIG(*status) != SIGKILL) {
      return Status::Error(codes::kIoError,
                           "serve " + (status ? DescribeWaitStatus(*status) : "did not die") +
                               " before the kill (see serve.log)");
    }
    if (o_.verify_every != 0 && (round + 1) % o_.verify_every == 0) {
      // The log as the kill left it, and the derived state (the tail derived
      // in memory over the last checkpoint) against a rebuild.
      const std::string log_dir = (std::filesystem::path(o_.dir) / "log").string();
      if (std::string wrong = RunFolio(o_, {"verify", "--deep", "--data", log_dir});
          !wrong.empty()) {
        return Status::Error(codes::kCorruption, wrong);
      }
    }
    return Status();
  }

  // The last server: answers the commands in doubt and every retry, lets the
  // relay catch up, and stops cleanly. Then the offline checks.
  Status Finish() {
    ASSIGN_OR_RETURN(auto serve, ServeProcess::Start(o_.dir, brokers_));
    ASSIGN_OR_RETURN(std::uint16_t port, serve->WaitListening(kStartTimeout));
    RETURN_IF_ERROR(WaitReady(port, kStartTimeout));
    load_->ServerUp(port, o_.rounds);
    load_->Stop();
    journal_ = load_->Journal();
    ASSIGN_OR_RETURN(retry_, CheckRetries(port, api_key_, journal_, &problems_));
    ASSIGN_OR_RETURN(std::uint64_t head, WaitRelayCaughtUp(port, kMirrorTimeout));
    if (!counters_[0]->WaitFor(head, kMirrorTimeout)) {
      problems_.Add("Kafka: " + std::to_string(counters_[0]->distinct()) + " of " +
                    std::to_string(head) + " seqs within 180 s");
    }
    serve->child().Kill(SIGTERM);
    auto status = serve->child().Wait(60s);
    if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
      problems_.Add("serve after SIGTERM: " +
                    (status ? DescribeWaitStatus(*status) : std::string("did not stop in 60 s")));
    }
    const std::string log_dir = (std::filesystem::path(o_.dir) / "log").string();
    ASSIGN_OR_RETURN(log_, CheckLog(log_dir, journal_, &problems_));
    if (log_.head_seq != head) {
      problems_.Add("the log's head is " + std::to_string(log_.head_seq) + ", served " +
                    std::to_string(head) + " before the retries' end");
    }
    CheckKafka();
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"verify", "--data", log_dir},
          {"verify", "--deep", "--data", log_dir},
          {"replay", "--data", log_dir}}) {
      if (std::string wrong = RunFolio(o_, args); !wrong.empty()) problems_.Add(wrong);
    }
    return Status();
  }

  // Each topic against the log: folio.events every seq 1..head, each
  // integration topic the seqs of its events; each once.
  void CheckKafka() {
    auto list = [](const std::vector<std::uint64_t>& seqs) {
      std::string out;
      for (std::uint64_t s : seqs) out += " " + std::to_string(s);
      return out;
    };
    for (std::size_t i = 0; i < counters_.size(); ++i) {
      std::vector<std::uint64_t> expected;
      if (i == 0) {
        for (std::uint64_t s = 1; s <= log_.head_seq; ++s) expected.push_back(s);
      } else {
        expected = log_.integration_seqs[i - 1];
      }
      KafkaSeqCounter& counter = *counters_[i];
      const std::string topic = kTopics[i];
      if (!counter.WaitFor(expected.size(), kMirrorTimeout)) {
        problems_.Add(topic + ": " + std::to_string(counter.distinct()) + " of " +
                      std::to_string(expected.size()) + " seqs within 180 s");
      }
      const auto c = counter.Compare(expected);
      kafka_missing_ += c.missing;
      kafka_duplicates_ += counter.duplicates();
      kafka_messages_ += counter.messages();
      if (c.missing > 0) {
        problems_.Add(topic + ": " + std::to_string(c.missing) +
                      " seqs missing:" + list(c.first_missing));
      }
      if (c.unexpected > 0) {
        problems_.Add(topic + ": " + std::to_string(c.unexpected) +
                      " seqs the log does not send there:" + list(c.first_unexpected));
      }
      if (counter.duplicates() > 0) {
        problems_.Add(topic + ": " + std::to_string(counter.duplicates()) +
                      " messages of a seq already seen");
      }
      for (const std::string& e : counter.errors()) problems_.Add(topic + ": " + e);
    }
  }

  // The result line on stdout, the details on stderr; the exit status.
  int Report(std::uint64_t rounds_done, const Status& fatal, double seconds) {
    const std::uint64_t lost = log_.lost + kafka_missing_;
    const std::uint64_t duplicated = log_.duplicated + kafka_duplicates_;
    if (fatal.ok()) {
      std::printf(
          "%llu rounds, %llu lost, %llu duplicated\n", static_cast<unsigned long long>(rounds_done),
          static_cast<unsigned long long>(lost), static_cast<unsigned long long>(duplicated));
    } else {  // the checks did not run: no counts to claim
      std::printf("soak stopped after %llu rounds: %s\n",
                  static_cast<unsigned long long>(rounds_done), fatal.ToString().c_str());
    }
    std::uint64_t refused = 0;
    for (const SoakAck& a : journal_) refused += a.status >= 300 ? 1 : 0;
    const auto c = load_->counts();
    std::fprintf(
        stderr,
        "soak: seed %llu; %llu answers journaled (%llu refused), %llu sends cut off by a "
        "kill and sent again, %llu 5xx retried; %llu early and %llu late kills; checked %llu "
        "retries "
        "and %llu other bodies during the load, %llu and %llu after; %llu events (%llu by "
        "the clock), %llu Kafka messages in %zu topics; %.0f s\n",
        static_cast<unsigned long long>(o_.seed), static_cast<unsigned long long>(journal_.size()),
        static_cast<unsigned long long>(refused), static_cast<unsigned long long>(c.in_doubt),
        static_cast<unsigned long long>(c.answers_5xx),
        static_cast<unsigned long long>(early_kills_), static_cast<unsigned long long>(late_kills_),
        static_cast<unsigned long long>(c.retries_checked),
        static_cast<unsigned long long>(c.conflicts_checked),
        static_cast<unsigned long long>(retry_.retries),
        static_cast<unsigned long long>(retry_.conflicts),
        static_cast<unsigned long long>(log_.events),
        static_cast<unsigned long long>(log_.clock_events),
        static_cast<unsigned long long>(kafka_messages_), counters_.size(), seconds);
    const bool failed = !fatal.ok() || problems_.count() > 0 || lost > 0 || duplicated > 0;
    if (problems_.count() > 0) std::printf("%zu problem(s):\n", problems_.count());
    for (const std::string& p : problems_.shown()) std::printf("  %s\n", p.c_str());
    WriteJournal();
    if (failed) {
      std::printf("work files (journal.jsonl, serve.log, the log) kept in %s\n", o_.dir.c_str());
    }
    return failed ? 1 : 0;
  }

  // Every first answer as JSON Lines, for a look after a failure.
  void WriteJournal() const {
    std::FILE* f = std::fopen((std::filesystem::path(o_.dir) / "journal.jsonl").c_str(), "w");
    if (f == nullptr) return;
    for (const SoakAck& a : load_ ? load_->Journal() : journal_) {
      boost::json::object j{{"key", a.cmd.key},       {"method", a.cmd.method},
                            {"target", a.cmd.target}, {"body", a.cmd.body},
                            {"round", a.round},       {"status", a.status},
                            {"answer", a.body}};
      std::fprintf(f, "%s\n", boost::json::serialize(j).c_str());
    }
    std::fclose(f);
  }

  void StopLoad() {
    if (load_) load_->Stop(/*abandon_in_doubt=*/true);
  }

 private:
  SoakOptions o_;
  std::mt19937_64 rng_;
  SoakProblems problems_;
  std::string api_key_, brokers_;
  std::unique_ptr<SoakChild> kafka_;
  std::vector<std::unique_ptr<KafkaSeqCounter>> counters_;  // by kTopics
  std::unique_ptr<SoakLoad> load_;
  std::vector<SoakAck> journal_;
  RetryCheck retry_;
  LogCheck log_;
  std::uint64_t kafka_missing_ = 0, kafka_duplicates_ = 0, kafka_messages_ = 0, early_kills_ = 0,
                late_kills_ = 0;
};

Result<SoakOptions> ParseOptions(const Args& args) {
  SoakOptions o;
  ASSIGN_OR_RETURN(o.rounds, args.GetU64("rounds", o.rounds));
  ASSIGN_OR_RETURN(o.workers, args.GetU64("workers", o.workers));
  ASSIGN_OR_RETURN(o.acks_max, args.GetU64("acks-max", o.acks_max));
  ASSIGN_OR_RETURN(o.verify_every, args.GetU64("verify-every", o.verify_every));
  std::random_device rd;
  ASSIGN_OR_RETURN(o.seed, args.GetU64("seed", (std::uint64_t{rd()} << 32) | rd()));
  if (o.workers == 0 || o.workers > 64 || o.acks_max == 0) {
    return Status::Error(codes::kInvalidArgument, "--workers must be 1..64, --acks-max above 0");
  }
  o.keep = args.Has("keep");
  o.dir = args.GetOr("dir", "");
  return o;
}

}  // namespace

int RunSoak(const Argv& argv) {
  auto args = Args::Parse(
      argv, {{"rounds", "seed", "workers", "acks-max", "verify-every", "dir"}, {"keep"}});
  if (!args.ok()) return Usage(args.status());
  if (args->help()) return std::fputs(kSoakHelp, stdout), 0;
  auto o = ParseOptions(*args);
  if (!o.ok()) return Usage(o.status());
  const bool temporary = o->dir.empty();
  if (temporary) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "folio-soak-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      return ReportError(Status::Error(codes::kIoError, "mkdtemp failed")), 3;
    }
    o->dir = tmpl;
  } else if (std::filesystem::exists(std::filesystem::path(o->dir) / "log")) {
    return Usage(Status::Error(codes::kInvalidArgument, o->dir + "/log exists: use a new --dir"));
  }
  std::fprintf(stderr, "soak: %llu rounds, seed %llu (rerun: --seed %llu), work files in %s\n",
               static_cast<unsigned long long>(o->rounds), static_cast<unsigned long long>(o->seed),
               static_cast<unsigned long long>(o->seed), o->dir.c_str());
  const auto t0 = std::chrono::steady_clock::now();
  SoakRun run(*o);
  Status s = run.Setup();
  if (!s.ok()) {
    ReportError(s);
    std::fprintf(stderr, "work files kept in %s\n", o->dir.c_str());
    return 3;
  }
  std::uint64_t done = 0;
  for (; done < o->rounds && s.ok(); ++done) {
    s = run.Round(done);
    if (!s.ok()) s = Status::Error(s.code(), "round " + std::to_string(done) + ": " + s.message());
    if (s.ok() && (done + 1) % 10 == 0) {
      std::fprintf(stderr, "soak: %llu rounds\n", static_cast<unsigned long long>(done + 1));
    }
  }
  if (s.ok()) {
    s = run.Finish();
  } else {
    --done;  // the failed round did not complete
    run.StopLoad();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int rc = run.Report(done, s, seconds);
  if (rc == 0 && temporary && !o->keep) {
    std::error_code ec;
    std::filesystem::remove_all(o->dir, ec);
  }
  return rc;
}

}  // namespace folio::cli
