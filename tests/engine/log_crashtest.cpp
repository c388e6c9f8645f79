// The log under SIGKILL. `folio torture` runs domain commands from several
// submitters (engine/torture_load.h: payments to trust, whose settlement
// appends two events on two streams, settlements, failures, and commands the
// rules refuse) and prints every durable outcome; the test kills it at a
// random point of that output, with checkpoints of the derived state every
// few hundred events, so kills land while a checkpoint is written, while the
// log is opened and its tail derived, and between. Each round then requires:
//
//   - every acknowledged command's events are in the log, under its key, and
//     no command's events are torn;
//   - the log verifies, and its derived-state checkpoint equals a rebuild
//     from the log byte for byte (engine/verify_derived.h);
//   - a retry of every acknowledged command, accepted or refused, returns its
//     first outcome, and a different body under the same key conflicts.
//
// All rounds run on one log, so each recovery starts from the previous one's
// result; every other round the checker's writer leaves its tail unwritten,
// so the next torture run starts by deriving it.
//
// The kill point is chosen by a seeded PRNG as "after reading K outcomes (+ a
// few bytes)"; nothing sleeps. A failure prints the seed: rerun with
// FOLIO_CRASH_SEED=<seed>. FOLIO_CRASH_ROUNDS=<n> soaks (scripts/crash-soak.sh);
// FOLIO_CRASH_DEEP_EVERY=<n> rebuilds the derived state every n-th round.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/log_cursor.h"
#include "engine/torture_load.h"
#include "engine/verify.h"
#include "engine/verify_derived.h"
#include "engine/writer.h"
#include "events/codes.h"
#include "tests/test_support.h"

namespace folio {
namespace {

using testing::TempDir;

constexpr std::uint64_t kSubmitters = 4;
constexpr std::uint64_t kRoundsDefault = 20;
constexpr std::uint64_t kAcksBeforeKillMax = 1500;
constexpr std::uint64_t kAcksBeforeKillEarlyMax = 3;  // "early" rounds, see PlanRound
constexpr std::uint64_t kExtraBytesMax = 48;
constexpr std::uint64_t kOlderRetriesPerRound = 32;
// Watchdog, not synchronisation: a child silent this long means a hung writer.
constexpr int kChildSilenceMsMax = 30'000;
constexpr std::size_t kProblemsShownMax = 10;

std::optional<std::uint64_t> ParseU64(std::string_view s) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// One line of torture's output: "<key> ok <first> <last> <version>" or
// "<key> rej <code>".
struct Ack {
  torture::StepId id;
  AppendOutcome outcome;  // status code only for a refusal
  std::string code;
  std::uint64_t round = 0;
};

std::optional<Ack> ParseAck(std::string_view line, std::uint64_t round) {
  std::vector<std::string_view> f;
  for (std::size_t pos = 0; pos <= line.size();) {
    std::size_t sp = line.find(' ', pos);
    if (sp == std::string_view::npos) sp = line.size();
    f.push_back(line.substr(pos, sp - pos));
    pos = sp + 1;
  }
  auto id = f.empty() ? std::nullopt : torture::ParseKey(f[0]);
  if (!id) return std::nullopt;
  Ack a{*id, {}, {}, round};
  if (f.size() == 5 && f[1] == "ok") {
    auto first = ParseU64(f[2]), last = ParseU64(f[3]), version = ParseU64(f[4]);
    if (!first || !last || !version) return std::nullopt;
    a.outcome.first_seq = *first;
    a.outcome.last_seq = *last;
    a.outcome.stream_version = *version;
    return a;
  }
  if (f.size() == 3 && f[1] == "rej" && !f[2].empty()) {
    a.code = std::string(f[2]);
    return a;
  }
  return std::nullopt;
}

std::string Describe(const Ack& a) {
  std::ostringstream s;
  s << torture::Key(a.id) << " (round " << a.round << ", ";
  if (a.code.empty()) {
    s << "ok seq " << a.outcome.first_seq << "-" << a.outcome.last_seq << " v"
      << a.outcome.stream_version << ")";
  } else {
    s << "refused " << a.code << ")";
  }
  return s.str();
}

// Collects what is wrong; the test shows the first few.
class Problems {
 public:
  void Add(std::string what) {
    if (shown_.size() < kProblemsShownMax) shown_.push_back(std::move(what));
    ++count_;
  }
  bool empty() const { return count_ == 0; }
  std::string Summary() const {
    std::string s = std::to_string(count_) + " problem(s):";
    for (const auto& p : shown_) s += "\n  " + p;
    return s;
  }

 private:
  std::vector<std::string> shown_;
  std::size_t count_ = 0;
};

// `folio torture` with its stdout on a pipe. The destructor SIGKILLs and reaps
// it, so a failed assertion never leaves it running.
class TortureChild {
 public:
  TortureChild(const std::string& dir, std::uint64_t run, std::uint64_t checkpoint_events,
               std::uint64_t checkpoint_ms) {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    fd_ = fds[0];
    std::vector<std::string> args = {FOLIO_BIN,
                                     "torture",
                                     "--data",
                                     dir,
                                     "--submitters",
                                     std::to_string(kSubmitters),
                                     "--run",
                                     std::to_string(run),
                                     "--checkpoint-events",
                                     std::to_string(checkpoint_events),
                                     "--checkpoint-ms",
                                     std::to_string(checkpoint_ms)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    int rc = posix_spawn(&pid_, FOLIO_BIN, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);  // EOF on our end once the child is gone
    if (rc != 0) {  // no destructor runs when the constructor throws
      close(fd_);
      pid_ = -1;
    }
    REQUIRE_MESSAGE(rc == 0, "posix_spawn " << FOLIO_BIN << ": " << std::string(std::strerror(rc)));
  }
  ~TortureChild() {
    if (pid_ > 0) KillAndReap();
    if (fd_ >= 0) close(fd_);
  }
  TortureChild(const TortureChild&) = delete;
  TortureChild& operator=(const TortureChild&) = delete;

  // The next complete line; nullopt at end of file.
  std::optional<std::string> ReadLine() {
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      if (!ReadSome(4096)) return std::nullopt;
    }
  }

  // One read() of at most `bytes_max` bytes into the line buffer; false at EOF.
  bool ReadSome(std::size_t bytes_max) {
    pollfd p{fd_, POLLIN, 0};
    int ready;
    do ready = poll(&p, 1, kChildSilenceMsMax);
    while (ready < 0 && errno == EINTR);
    REQUIRE_MESSAGE(ready > 0, "torture printed nothing for " << kChildSilenceMsMax << " ms");
    char chunk[4096];
    ssize_t got;
    do got = read(fd_, chunk, std::min(bytes_max, sizeof chunk));
    while (got < 0 && errno == EINTR);
    REQUIRE_MESSAGE(got >= 0, "read: " << std::string(std::strerror(errno)));
    buffer_.append(chunk, static_cast<std::size_t>(got));
    return got > 0;
  }

  // Returns the wait status.
  int KillAndReap() {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

  std::size_t partial_line_bytes() const { return buffer_.size(); }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;
};

struct RoundPlan {
  std::uint64_t acks_before_kill = 0;
  std::uint64_t extra_bytes = 0;  // read past the K-th line, so kills also land mid-line
  std::uint64_t checkpoint_events = 0;
  std::uint64_t checkpoint_ms = 0;
};

std::uint64_t Uniform(std::mt19937_64& rng, std::uint64_t lo, std::uint64_t hi) {
  return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
}

RoundPlan PlanRound(std::mt19937_64& rng) {
  RoundPlan plan;
  // One round in eight kills the child at once or after its first outcomes,
  // often while it is still opening the log and deriving its tail.
  bool early = Uniform(rng, 0, 7) == 0;
  plan.acks_before_kill =
      early ? Uniform(rng, 0, kAcksBeforeKillEarlyMax) : Uniform(rng, 1, kAcksBeforeKillMax);
  plan.extra_bytes = Uniform(rng, 0, kExtraBytesMax);
  plan.checkpoint_events = Uniform(rng, 20, 3000);
  plan.checkpoint_ms = Uniform(rng, 1, 100);
  return plan;
}

// Runs torture to the planned kill point, SIGKILLs it, then drains the pipe:
// every line in it was printed, so durable, before the child died.
std::vector<Ack> RunTorture(const std::string& dir, const RoundPlan& plan, std::uint64_t round,
                            std::uint64_t* drained) {
  std::vector<Ack> acks;
  TortureChild child(dir, round, plan.checkpoint_events, plan.checkpoint_ms);
  auto take = [&](const std::string& line) {
    auto ack = ParseAck(line, round);
    REQUIRE_MESSAGE(ack.has_value(), "unparsable line from torture: '" << line << "'");
    acks.push_back(*ack);
  };
  while (acks.size() < plan.acks_before_kill) {
    auto line = child.ReadLine();
    if (!line) {
      int status = child.KillAndReap();
      FAIL("torture exited by itself (wait status " << status << ") after " << acks.size()
                                                    << " outcomes");
    }
    take(*line);
  }
  if (plan.extra_bytes > 0) child.ReadSome(plan.extra_bytes);
  int status = child.KillAndReap();
  REQUIRE_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                  "torture ended before the kill, wait status " << status);
  for (auto line = child.ReadLine(); line; line = child.ReadLine()) {
    take(*line);
    ++*drained;
  }
  // A write() of one short line to a pipe is atomic, so nothing is left over.
  CHECK(child.partial_line_bytes() == 0);
  return acks;
}

// The events of this round's run, [from_seq, to_seq], split into commands by
// their idempotency key: each command's events are consecutive and complete.
// Returns the keys found. At most one command per submitter may be in the
// log without an acknowledgement (durable, but killed before it printed).
std::set<std::string> CheckRoundEvents(const LogStore& store, std::uint64_t from_seq,
                                       std::uint64_t to_seq, std::span<const Ack> acks,
                                       Problems* problems) {
  std::set<std::string> found;
  std::string open_key;
  std::uint64_t open_events = 0;
  std::optional<torture::StepId> open_id;
  auto close = [&] {
    if (open_id && open_events != torture::EventsWhenAccepted(*open_id)) {
      problems->Add("torn command " + open_key + ": " + std::to_string(open_events) + " of " +
                    std::to_string(torture::EventsWhenAccepted(*open_id)) + " events");
    }
    open_key.clear();
    open_events = 0;
    open_id.reset();
  };
  auto cursor = LogCursor::At(store, from_seq);
  if (!cursor.ok()) {
    problems->Add("scan: " + cursor.status().ToString());
    return found;
  }
  Status s = cursor->Scan(
      [&](EventRecord& rec) {
        const fb::Envelope* env = &rec.env();
        std::string k = env->idempotency_key() ? env->idempotency_key()->str() : "";
        auto id = torture::ParseKey(k);
        if (!id) {
          problems->Add("seq " + std::to_string(rec.seq()) + ": not an event of a torture command");
          return true;
        }
        if (k != open_key) {
          close();
          if (!found.insert(k).second) problems->Add(k + ": its events are not consecutive");
          open_key = k;
          open_id = id;
        }
        ++open_events;
        return true;
      },
      to_seq);
  close();
  if (!s.ok()) problems->Add("scan: " + s.ToString());
  std::set<std::string> acked;
  for (const Ack& a : acks) {
    acked.insert(torture::Key(a.id));
    const bool in_log = found.count(torture::Key(a.id)) > 0;
    if (a.code.empty() && !in_log) problems->Add(Describe(a) + ": acknowledged, not in the log");
    if (!a.code.empty() && in_log) problems->Add(Describe(a) + ": refused, but has events");
  }
  std::map<std::uint64_t, int> unacked;
  for (const std::string& k : found) {
    if (acked.count(k) == 0) ++unacked[torture::ParseKey(k)->submitter];
  }
  for (const auto& [submitter, n] : unacked) {
    if (n > 1) {
      problems->Add("submitter " + std::to_string(submitter) + ": " + std::to_string(n) +
                    " commands in the log that were never acknowledged");
    }
  }
  return found;
}

// Every acknowledged command's events sit at its acknowledged seqs.
void CheckAcksAtTheirSeqs(const LogStore& store, std::span<const Ack> acks, Problems* problems) {
  for (const Ack& a : acks) {
    if (!a.code.empty()) continue;
    auto events = store.ReadFrom(a.outcome.first_seq, a.outcome.last_seq - a.outcome.first_seq + 1);
    if (!events.ok() || events->size() != a.outcome.last_seq - a.outcome.first_seq + 1) {
      problems->Add(Describe(a) + ": events not readable");
      continue;
    }
    for (const EventRecord& e : *events) {
      auto key = e.env().idempotency_key();
      if (key == nullptr || key->string_view() != torture::Key(a.id)) {
        problems->Add(Describe(a) + ": seq " + std::to_string(e.seq()) + " is another command's");
      }
    }
  }
}

// A retry of each acknowledged command returns its first outcome; another
// body under the first one's key conflicts.
void CheckRetries(Writer& writer, std::span<const Ack> acks, Problems* problems) {
  for (const Ack& a : acks) {
    AppendOutcome o = writer.Append(torture::Request(a.id));
    if (a.code.empty()) {
      if (!o.status.ok() || !o.replayed || o.first_seq != a.outcome.first_seq ||
          o.last_seq != a.outcome.last_seq || o.stream_version != a.outcome.stream_version) {
        problems->Add(Describe(a) + ": retry answered " + o.status.ToString() + " seq " +
                      std::to_string(o.first_seq) + "-" + std::to_string(o.last_seq) + " v" +
                      std::to_string(o.stream_version));
      }
    } else if (o.status.code() != a.code || !o.replayed) {
      problems->Add(Describe(a) + ": retry answered " + o.status.ToString());
    }
  }
  if (acks.empty()) return;
  AppendOutcome other = writer.Append(torture::Request(acks.front().id, /*other_body=*/true));
  if (other.status.code() != codes::kIdempotencyKeyConflict) {
    problems->Add(Describe(acks.front()) + ": another body answered " + other.status.ToString());
  }
}

void CheckDerivedEqualsRebuild(const LogStore& store, const TempDir& scratch_parent) {
  auto derived = VerifyDerived(store, (scratch_parent.path() / "rebuild").string());
  REQUIRE_MESSAGE(derived.ok(), derived.status().ToString());
  REQUIRE_MESSAGE(derived->ok, "derived state differs from a rebuild: "
                                   << derived->family << " key " << derived->key_hex << ": "
                                   << derived->reason);
}

std::uint64_t EnvU64(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  auto parsed = ParseU64(v);
  REQUIRE_MESSAGE(parsed.has_value(), name << " must be an unsigned number, not '" << v << "'");
  return *parsed;
}

std::uint64_t RandomSeed() {
  std::random_device rd;
  return (std::uint64_t{rd()} << 32) | rd();
}

// (No semicolons in a test name: CTest would split it into several.)
TEST_CASE(
    "SIGKILL loses no acknowledged command, derived state equals a rebuild, retries answer "
    "as the first time") {
  const std::uint64_t seed = EnvU64("FOLIO_CRASH_SEED", RandomSeed());
  const std::uint64_t rounds = EnvU64("FOLIO_CRASH_ROUNDS", kRoundsDefault);
  const std::uint64_t deep_every = std::max<std::uint64_t>(1, EnvU64("FOLIO_CRASH_DEEP_EVERY", 1));
  MESSAGE("seed " << seed << " (rerun: FOLIO_CRASH_SEED=" << seed << "), " << rounds << " rounds");
  INFO("seed ", seed);
  const auto t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng(seed);
  TempDir dir, scratch;
  std::vector<Ack> all;
  std::uint64_t prev_head = 0, drained = 0, early = 0, tails_left = 0;
  for (std::uint64_t round = 0; round < rounds; ++round) {
    RoundPlan plan = PlanRound(rng);
    INFO("round ", round, ": kill after ", plan.acks_before_kill, " outcomes + ", plan.extra_bytes,
         " bytes, checkpoint every ", plan.checkpoint_events, " events / ", plan.checkpoint_ms,
         " ms");
    early += plan.acks_before_kill <= kAcksBeforeKillEarlyMax ? 1 : 0;
    std::vector<Ack> acks = RunTorture(dir.str(), plan, round, &drained);

    auto store = LogStore::Open(dir.str());
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    auto report = VerifyLog(**store);
    REQUIRE_MESSAGE(report.ok(), report.status().ToString());
    REQUIRE_MESSAGE(report->ok, "verify: " << report->reason << " (first bad seq "
                                           << report->first_bad_seq.value_or(0) << ")");
    Problems problems;
    CheckRoundEvents(**store, prev_head + 1, report->head_seq, acks, &problems);
    CheckAcksAtTheirSeqs(**store, acks, &problems);
    REQUIRE_MESSAGE(problems.empty(), problems.Summary());
    if (round % deep_every == 0) CheckDerivedEqualsRebuild(**store, scratch);

    WriterOptions wo;
    wo.checkpoint_at_stop = round % 2 == 0;  // else the next run derives a tail first
    tails_left += wo.checkpoint_at_stop ? 0 : 1;
    auto writer = Writer::Start(store->get(), wo);
    REQUIRE_MESSAGE(writer.ok(), writer.status().ToString());
    CheckRetries(**writer, acks, &problems);
    std::vector<Ack> older;
    std::sample(all.begin(), all.end(), std::back_inserter(older), kOlderRetriesPerRound, rng);
    CheckRetries(**writer, older, &problems);
    (*writer)->Stop();
    REQUIRE_MESSAGE(problems.empty(), problems.Summary());
    CHECK((*writer)->durable_head().seq == report->head_seq);  // retries append nothing
    prev_head = report->head_seq;
    all.insert(all.end(), acks.begin(), acks.end());
  }
  // The end: everything checkpointed, then compared with a rebuild whole.
  auto store = LogStore::Open(dir.str());
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  {
    auto writer = Writer::Start(store->get());
    REQUIRE(writer.ok());
    (*writer)->Stop();
  }
  CHECK((*store)->derived().memory_events() == 0);
  CheckDerivedEqualsRebuild(**store, scratch);
  auto report = VerifyLog(**store);
  REQUIRE(report.ok());
  CHECK_MESSAGE(report->ok, report->reason);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  std::uint64_t refused = 0;
  for (const Ack& a : all) refused += a.code.empty() ? 0u : 1u;
  MESSAGE(rounds << " rounds, 0 lost (" << early << " early kills, " << tails_left
                 << " runs started on a tail); " << all.size() << " acknowledged outcomes ("
                 << refused << " refusals, " << drained << " drained after the kill), "
                 << report->events << " events, " << ms.count() << " ms");
}

}  // namespace
}  // namespace folio
