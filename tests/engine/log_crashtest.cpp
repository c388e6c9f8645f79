// The log under SIGKILL. `folio torture` appends from several submitters and
// prints every acknowledged append; the test kills it at a random point of
// that output, reopens the log and requires that every acknowledged append is
// there, the log verifies, no multi-event append was torn, and the log still
// takes writes. All rounds run on one log, so each recovery starts from the
// previous one's result.
//
// The kill point is chosen by a seeded PRNG as "after reading K
// acknowledgements (+ a few bytes)"; nothing sleeps. A failure prints the
// seed: rerun with FOLIO_CRASH_SEED=<seed>. FOLIO_CRASH_ROUNDS=<n> soaks.
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
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/verify.h"
#include "engine/writer.h"
#include "tests/test_support.h"

namespace folio {
namespace {

using testing::SampleSettledEnvelope;
using testing::TempDir;

constexpr std::uint64_t kSubmitters = 4;
constexpr std::uint64_t kRoundsDefault = 24;
constexpr std::uint64_t kAcksBeforeKillMax = 2000;
constexpr std::uint64_t kAcksBeforeKillEarlyMax = 3;  // "early" rounds, see PlanRound
constexpr std::uint64_t kExtraBytesMax = 48;
// Watchdog, not synchronisation: a child silent this long means a hung writer.
constexpr int kChildSilenceMsMax = 30'000;
constexpr std::size_t kProblemsShownMax = 10;
constexpr const char* kProofStream = "crashtest-proof";

// The torture tool's fixed pattern (adapters/cli/cmd_demo.cc, RunTorture):
// in every run, submitter t's i-th append (i from 0) goes to stream
// "torture-t-(i % 97)" and carries two events when i % 3 == 0, else one.
std::string TortureStream(std::uint64_t submitter, std::uint64_t append_index) {
  return "torture-" + std::to_string(submitter) + "-" + std::to_string(append_index % 97);
}
std::uint64_t TortureEvents(std::uint64_t append_index) { return append_index % 3 == 0 ? 2 : 1; }

std::optional<std::uint64_t> ParseU64(std::string_view s) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// The submitter that owns a torture stream ("torture-<submitter>-<slot>").
std::optional<std::uint64_t> TortureSubmitter(std::string_view stream) {
  constexpr std::string_view kPrefix = "torture-";
  if (!stream.starts_with(kPrefix)) return std::nullopt;
  stream.remove_prefix(kPrefix.size());
  auto dash = stream.find('-');
  if (dash == std::string_view::npos || !ParseU64(stream.substr(dash + 1))) return std::nullopt;
  auto submitter = ParseU64(stream.substr(0, dash));
  if (!submitter || *submitter >= kSubmitters) return std::nullopt;
  return submitter;
}

// One line of torture's output: the append ending at `seq` left `stream` at
// `version`.
struct Ack {
  std::uint64_t seq = 0;
  std::string stream;
  std::uint64_t version = 0;
  std::uint64_t round = 0;
};

std::optional<Ack> ParseAck(std::string_view line, std::uint64_t round) {
  auto sp1 = line.find(' ');
  auto sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp1 == sp2) return std::nullopt;
  auto seq = ParseU64(line.substr(0, sp1));
  auto version = ParseU64(line.substr(sp2 + 1));
  if (!seq || !version) return std::nullopt;
  return Ack{*seq, std::string(line.substr(sp1 + 1, sp2 - sp1 - 1)), *version, round};
}

std::string Describe(const Ack& a) {
  std::ostringstream s;
  s << "ack of round " << a.round << " (seq " << a.seq << ", " << a.stream << " v" << a.version
    << ")";
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
  explicit TortureChild(const std::string& dir) {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    fd_ = fds[0];
    std::vector<std::string> args = {FOLIO_BIN, "torture",      "--data",
                                     dir,       "--submitters", std::to_string(kSubmitters)};
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
};

std::uint64_t Uniform(std::mt19937_64& rng, std::uint64_t lo, std::uint64_t hi) {
  return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
}

RoundPlan PlanRound(std::mt19937_64& rng) {
  RoundPlan plan;
  // One round in eight kills the child at once or after its first appends,
  // often while RocksDB is still recovering from the previous kill.
  bool early = Uniform(rng, 0, 7) == 0;
  plan.acks_before_kill =
      early ? Uniform(rng, 0, kAcksBeforeKillEarlyMax) : Uniform(rng, 1, kAcksBeforeKillMax);
  plan.extra_bytes = Uniform(rng, 0, kExtraBytesMax);
  return plan;
}

struct RoundOutput {
  std::uint64_t acks_before_kill = 0;
  std::uint64_t acks_drained = 0;  // printed before death, parsed after the kill
};

// Runs torture to the planned kill point, SIGKILLs it, then drains the pipe:
// every line in it was printed, so acknowledged, before the child died.
RoundOutput RunTorture(const std::string& dir, const RoundPlan& plan, std::uint64_t round,
                       std::vector<Ack>* acks) {
  RoundOutput out;
  TortureChild child(dir);
  auto take = [&](const std::string& line) {
    auto ack = ParseAck(line, round);
    REQUIRE_MESSAGE(ack.has_value(), "unparsable line from torture: '" << line << "'");
    acks->push_back(*ack);
  };
  for (; out.acks_before_kill < plan.acks_before_kill; ++out.acks_before_kill) {
    auto line = child.ReadLine();
    if (!line) {
      int status = child.KillAndReap();
      FAIL("torture exited by itself (wait status " << status << ") after " << out.acks_before_kill
                                                    << " acks");
    }
    take(*line);
  }
  if (plan.extra_bytes > 0) child.ReadSome(plan.extra_bytes);
  int status = child.KillAndReap();
  REQUIRE_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                  "torture ended before the kill, wait status " << status);
  for (auto line = child.ReadLine(); line; line = child.ReadLine()) {
    take(*line);
    ++out.acks_drained;
  }
  // A write() of one short line to a pipe is atomic, so nothing is left over.
  CHECK(child.partial_line_bytes() == 0);
  return out;
}

// Every acknowledged append's last event is at its seq, decodes, and has the
// acknowledged stream and version.
void CheckAcksPresent(const LogStore& store, std::span<const Ack> acks, Problems* problems) {
  for (const Ack& a : acks) {
    std::string value;
    rocksdb::Status s =
        store.db()->Get(rocksdb::ReadOptions(), store.events_cf(), keys::EventKey(a.seq), &value);
    if (!s.ok()) {
      problems->Add(Describe(a) + ": event not readable: " + s.ToString());
      continue;
    }
    auto rec = EventRecord::Decode(std::move(value));
    if (!rec.ok()) {
      problems->Add(Describe(a) + ": event does not decode: " + rec.status().ToString());
    } else if (rec->seq() != a.seq || rec->stream_id() != a.stream ||
               rec->stream_version() != a.version) {
      problems->Add(Describe(a) + ": the log has seq " + std::to_string(rec->seq()) + ", " +
                    std::string(rec->stream_id()) + " v" + std::to_string(rec->stream_version()));
    }
  }
}

// One append as found in the log.
struct Appended {
  std::uint64_t last_seq = 0;
  std::string stream;
  std::uint64_t version = 0;
};

struct SubmitterLog {
  std::uint64_t next_append = 0;     // index within the round
  std::uint64_t events_pending = 0;  // events of append `next_append` seen so far
  std::uint64_t last_seq = 0;
  std::vector<Appended> appends;
};

// Splits the events with seq in [from_seq, to_seq] (one torture run) into
// each submitter's appends, following the torture pattern, and checks stream
// versions against `versions` (stream -> version before the run; updated).
// An append whose events are not consecutive, or that ends the run with
// fewer events than it carried, was torn.
std::vector<SubmitterLog> SplitIntoAppends(const LogStore& store, std::uint64_t from_seq,
                                           std::uint64_t to_seq,
                                           std::map<std::string, std::uint64_t>* versions,
                                           Problems* problems) {
  std::vector<SubmitterLog> subs(kSubmitters);
  Status s = store.ScanRaw(from_seq, [&](std::string_view key, std::string_view value) {
    auto seq = keys::ParseEventKey(key);
    if (!seq || *seq > to_seq) return false;
    auto rec = EventRecord::Decode(std::string(value));
    auto submitter = rec.ok() ? TortureSubmitter(rec->stream_id()) : std::nullopt;
    if (!submitter) {
      problems->Add("seq " + std::to_string(*seq) + ": not an event of a torture submitter");
      return true;
    }
    SubmitterLog& sub = subs[*submitter];
    std::string stream(rec->stream_id());
    std::string at = "seq " + std::to_string(*seq) + " (" + stream + " v" +
                     std::to_string(rec->stream_version()) + "): ";
    std::string want = TortureStream(*submitter, sub.next_append);
    if (stream != want) problems->Add(at + "expected stream " + want);
    std::uint64_t& version = (*versions)[stream];
    if (rec->stream_version() != version + 1) {
      problems->Add(at + "expected version " + std::to_string(version + 1));
    }
    version = rec->stream_version();
    if (sub.events_pending > 0 && *seq != sub.last_seq + 1) {
      problems->Add(at + "its append's events are not consecutive");
    }
    sub.last_seq = *seq;
    if (++sub.events_pending == TortureEvents(sub.next_append)) {
      sub.appends.push_back(Appended{*seq, stream, version});
      ++sub.next_append;
      sub.events_pending = 0;
    }
    return true;
  });
  if (!s.ok()) problems->Add("scan: " + s.ToString());
  for (std::uint64_t t = 0; t < kSubmitters; ++t) {
    if (subs[t].events_pending == 0) continue;
    problems->Add("torn append: submitter " + std::to_string(t) + "'s append " +
                  std::to_string(subs[t].next_append) + " has " +
                  std::to_string(subs[t].events_pending) + " of its " +
                  std::to_string(TortureEvents(subs[t].next_append)) + " events");
  }
  return subs;
}

// A submitter's acks are printed in the order of its appends, and it has at
// most one append in flight: so the log holds exactly its acknowledged
// appends, in order, plus perhaps one durable but unacknowledged.
void MatchAcks(const std::vector<SubmitterLog>& subs, std::span<const Ack> round_acks,
               Problems* problems) {
  std::vector<std::vector<const Ack*>> acked(kSubmitters);
  for (const Ack& a : round_acks) {
    auto submitter = TortureSubmitter(a.stream);
    if (!submitter) {
      problems->Add(Describe(a) + ": not a torture stream");
      continue;
    }
    acked[*submitter].push_back(&a);
  }
  for (std::uint64_t t = 0; t < kSubmitters; ++t) {
    const auto& log = subs[t].appends;
    if (log.size() < acked[t].size() || log.size() > acked[t].size() + 1) {
      problems->Add("submitter " + std::to_string(t) + ": " + std::to_string(acked[t].size()) +
                    " appends acknowledged, " + std::to_string(log.size()) + " in the log");
    }
    for (std::size_t n = 0; n < std::min(log.size(), acked[t].size()); ++n) {
      const Ack& a = *acked[t][n];
      if (log[n].last_seq != a.seq || log[n].stream != a.stream || log[n].version != a.version) {
        problems->Add(Describe(a) + ": submitter's append " + std::to_string(n) +
                      " in the log ends at seq " + std::to_string(log[n].last_seq) + ", " +
                      log[n].stream + " v" + std::to_string(log[n].version));
      }
    }
  }
}

std::uint64_t CountEventsFrom(const LogStore& store, std::uint64_t from_seq) {
  std::uint64_t n = 0;
  Status s = store.ScanRaw(from_seq, [&](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return n;
}

// The recovered log verifies and its head covers every acknowledged append.
// Returns the head seq.
std::uint64_t CheckRecoveredHead(const LogStore& store, std::span<const Ack> acks) {
  auto head = store.ReadHead();
  REQUIRE_MESSAGE(head.ok(), head.status().ToString());
  auto report = VerifyLog(store);
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  REQUIRE_MESSAGE(report->ok, "verify: " << report->reason << " (first bad seq "
                                         << report->first_bad_seq.value_or(0) << ")");
  CHECK(report->head_seq == head->seq);
  std::uint64_t acked_max = 0;
  for (const Ack& a : acks) acked_max = std::max(acked_max, a.seq);
  REQUIRE_MESSAGE(head->seq >= acked_max,
                  "head " << head->seq << " is behind acknowledged seq " << acked_max);
  CHECK_MESSAGE(CountEventsFrom(store, head->seq + 1) == 0, "events past the head");
  return head->seq;
}

// The reopened log takes writes: one append to the proof stream, whose
// version counts the rounds. Returns the new head seq.
std::uint64_t AppendAfterRecovery(LogStore* store, std::uint64_t round, std::uint64_t head_seq) {
  auto writer = Writer::Start(store);
  REQUIRE_MESSAGE(writer.ok(), writer.status().ToString());
  AppendRequest r;
  r.stream_id = kProofStream;
  r.expected_version = round;  // kNoStream in round 0
  r.envelopes.push_back(SampleSettledEnvelope(kProofStream, round));
  AppendOutcome o = (*writer)->Append(std::move(r));
  (*writer)->Stop();
  REQUIRE_MESSAGE(o.status.ok(), o.status.ToString());
  CHECK(o.first_seq == head_seq + 1);
  CHECK(o.last_seq == head_seq + 1);
  CHECK(o.stream_version == round + 1);
  CHECK((*writer)->durable_head().seq == head_seq + 1);
  auto head = store->ReadHead();
  REQUIRE(head.ok());
  REQUIRE(head->seq == head_seq + 1);
  return head->seq;
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

TEST_CASE("SIGKILL never loses an acknowledged append nor tears one, and the log recovers") {
  const std::uint64_t seed = EnvU64("FOLIO_CRASH_SEED", RandomSeed());
  const std::uint64_t rounds = EnvU64("FOLIO_CRASH_ROUNDS", kRoundsDefault);
  MESSAGE("seed " << seed << " (rerun: FOLIO_CRASH_SEED=" << seed << "), " << rounds << " rounds");
  INFO("seed ", seed);
  const auto t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng(seed);
  TempDir dir;
  std::vector<Ack> acks;                          // every round's, re-checked every round
  std::map<std::string, std::uint64_t> versions;  // torture streams, across rounds
  std::uint64_t run_start_seq = 0;                // head before the current torture run
  std::uint64_t drained = 0, early_rounds = 0;
  for (std::uint64_t round = 0; round < rounds; ++round) {
    RoundPlan plan = PlanRound(rng);
    INFO("round ", round, ": kill after ", plan.acks_before_kill, " acks + ", plan.extra_bytes,
         " bytes");
    const std::size_t first_ack = acks.size();
    RoundOutput out = RunTorture(dir.str(), plan, round, &acks);
    drained += out.acks_drained;
    early_rounds += plan.acks_before_kill <= kAcksBeforeKillEarlyMax ? 1 : 0;

    auto store = LogStore::Open(dir.str());
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    std::uint64_t head_seq = CheckRecoveredHead(**store, acks);
    Problems problems;
    CheckAcksPresent(**store, acks, &problems);
    auto subs = SplitIntoAppends(**store, run_start_seq + 1, head_seq, &versions, &problems);
    MatchAcks(subs, std::span<const Ack>(acks).subspan(first_ack), &problems);
    REQUIRE_MESSAGE(problems.empty(), problems.Summary());
    run_start_seq = AppendAfterRecovery(store->get(), round, head_seq);
  }
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  auto report = VerifyLog(**store);
  REQUIRE(report.ok());
  CHECK_MESSAGE(report->ok, report->reason);
  CHECK(report->head_seq == run_start_seq);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  MESSAGE(rounds << " rounds (" << early_rounds << " early kills), " << acks.size() << " acks ("
                 << drained << " drained after the kill), " << report->events
                 << " events in the log, " << ms.count() << " ms");
}

}  // namespace
}  // namespace folio
