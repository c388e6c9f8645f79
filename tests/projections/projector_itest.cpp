// The projector over a real log: incremental builds with restarts and a crash
// equal a full rebuild byte for byte; as-of answers equal a rebuild that stops
// there; version bumps rebuild; a tampered log stops the projection; WaitFor.
#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "engine/writer.h"
#include "projections/balances.h"
#include "projections/projector.h"
#include "projections/registry.h"
#include "projections/replay.h"
#include "tests/projections/balances_history.h"
#include "tests/test_support.h"

namespace folio::projections {
namespace {

using folio::testing::TempDir;

std::map<std::string, std::string> Family(const LogStore& store, std::string_view projection) {
  std::map<std::string, std::string> out;
  auto* cf = store.column_family(ColumnFamilyName(projection));
  REQUIRE(cf != nullptr);
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator({}, cf));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out[it->key().ToString()] = it->value().ToString();
  return out;
}

std::vector<std::unique_ptr<Projection>> Balances() {
  std::vector<std::unique_ptr<Projection>> v;
  v.push_back(std::make_unique<BalancesProjection>());
  return v;
}

std::uint64_t AppendHistory(LogStore* store, const folio::testing::CommandList& h, std::size_t from,
                            std::size_t to) {
  auto w = Writer::Start(store);
  REQUIRE(w.ok());
  return folio::testing::RunCommands(**w, h, from, to);
}

// A store holding a random history of `commands` commands, appended through
// the writer.
struct HistoryLog {
  TempDir dir;
  std::unique_ptr<LogStore> store;
  std::uint64_t head = 0;
  HistoryLog(std::size_t commands, std::uint32_t seed) {
    const auto history = folio::testing::RandomHistory(commands, seed);
    auto opened = LogStore::Open(dir.str());
    REQUIRE(opened.ok());
    store = std::move(opened).value();
    head = AppendHistory(store.get(), history, 0, history.size());
  }
};

// Changes the stored bytes of event `seq` behind the writer's back.
void TamperWithEvent(LogStore& store, std::uint64_t seq,
                     const std::function<void(std::string&)>& change) {
  std::string v;
  REQUIRE(store.db()->Get({}, store.events_cf(), keys::EventKey(seq), &v).ok());
  change(v);
  REQUIRE(store.db()->Put({}, store.events_cf(), keys::EventKey(seq), v).ok());
}

void CheckTrialBalanced(const BalancesReader& r, std::optional<std::uint64_t> as_of) {
  auto tb = r.TrialBalance(as_of);
  REQUIRE(tb.ok());
  for (const auto& a : *tb) CHECK_MESSAGE(a.balanced(), AssetCode(a.asset));
}

TEST_CASE("incremental build with restarts and a crash equals a full rebuild, byte for byte") {
  TempDir dir;
  const auto history = folio::testing::RandomHistory(5000, 7);
  const std::size_t chunks = 6;
  for (std::size_t c = 0; c < chunks; ++c) {
    auto store = LogStore::Open(dir.str());
    REQUIRE(store.ok());
    ProjectorOptions po;
    po.batch_events_max = 97;  // many batches, odd boundaries
    po.background = (c % 2 == 0);
    if (c == 3) po.test_crash_after_batches = 2;  // dies mid-catch-up
    auto p = Projector::Start(store->get(), Balances(), po);
    REQUIRE(p.ok());
    const std::uint64_t head = AppendHistory(store->get(), history, c * history.size() / chunks,
                                             (c + 1) * history.size() / chunks);
    (*p)->Notify();
    if (c == 3) {
      CHECK((*p)->CatchUp().code() == kProjectionFailed);  // the simulated crash
      auto st = (*p)->status();
      CHECK(st[0].applied_seq < head);
    } else if (c % 3 == 1) {
      // Stop without waiting for it: the next start picks up from the checkpoint.
    } else {
      REQUIRE((*p)->WaitFor(head, std::chrono::seconds(30)).ok());
      CHECK((*p)->status()[0].applied_seq == head);
    }
  }
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  ProjectorOptions po;
  po.background = false;
  auto p = Projector::Start(store->get(), Balances(), po);
  REQUIRE(p.ok());
  REQUIRE((*p)->CatchUp().ok());
  auto head = (*store)->ReadHead();
  REQUIRE(head.ok());
  CHECK(head->seq > 3000);  // some commands are rejected
  CHECK((*p)->status()[0].applied_seq == head->seq);
  const auto incremental = Family(**store, "balances");

  TempDir scratch;
  ReplayOptions ro;
  ro.scratch_dir = (scratch.path() / "db").string();
  auto report = Replay(**store, Balances(), ro);
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  CHECK(report->projections[0].mode == "bytes");
  CHECK(report->projections[0].compared == incremental.size());
  CHECK_MESSAGE(report->ok(), report->projections[0].first_difference);

  REQUIRE((*p)->Rebuild("balances").ok());
  CHECK((*p)->status()[0].state == ProjectionState::kRebuilding);
  CHECK((*p)->status()[0].applied_seq == 0);
  REQUIRE((*p)->CatchUp().ok());
  CHECK((*p)->status()[0].state == ProjectionState::kRunning);
  const auto rebuilt = Family(**store, "balances");
  CHECK(incremental.size() == rebuilt.size());
  CHECK(incremental == rebuilt);

  auto reader = BalancesReader::Open(**store);
  REQUIRE(reader.ok());
  CheckTrialBalanced(**reader, std::nullopt);
}

TEST_CASE("as-of answers at random points equal a rebuild that stops there") {
  TempDir dir;
  const auto history = folio::testing::RandomHistory(2000, 11);
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  const std::uint64_t head = AppendHistory(store->get(), history, 0, history.size());
  ProjectorOptions po;
  po.background = false;
  auto p = Projector::Start(store->get(), Balances(), po);
  REQUIRE(p.ok());
  REQUIRE((*p)->CatchUp().ok());
  auto live = BalancesReader::Open(**store);
  REQUIRE(live.ok());
  CHECK((*live)->applied_seq() == head);

  // Brute force for the time index: the running max of occurred_at per seq.
  auto events = (*store)->ReadFrom(1, head);
  REQUIRE(events.ok());
  std::vector<std::int64_t> running_max;
  for (const EventRecord& e : *events) {
    const std::int64_t t = e.env().occurred_at_ns();
    running_max.push_back(running_max.empty() ? t : std::max(running_max.back(), t));
  }

  std::mt19937_64 rng(3);
  for (int i = 0; i < 12; ++i) {
    const std::uint64_t n = 1 + rng() % head;
    CAPTURE(n);
    TempDir scratch_dir;
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(o, scratch_dir.str(), &raw).ok());
    std::unique_ptr<rocksdb::DB> scratch(raw);
    BalancesProjection proj;
    REQUIRE(RebuildInto(**store, proj, scratch.get(), scratch->DefaultColumnFamily(), n).ok());
    BalancesReader stopped(scratch.get(), scratch->DefaultColumnFamily(), n);

    auto want = stopped.TrialBalance();
    auto got = (*live)->TrialBalance(n);
    REQUIRE(want.ok());
    REQUIRE(got.ok());
    REQUIRE(want->size() == got->size());
    for (std::size_t a = 0; a < want->size(); ++a) {
      CHECK((*want)[a].debits == (*got)[a].debits);
      CHECK((*want)[a].credits == (*got)[a].credits);
      CHECK((*got)[a].balanced());
      REQUIRE((*want)[a].accounts.size() == (*got)[a].accounts.size());
      for (std::size_t k = 0; k < (*want)[a].accounts.size(); ++k) {
        const auto& w = (*want)[a].accounts[k];
        const auto& g = (*got)[a].accounts[k];
        CHECK(w.account == g.account);
        CHECK(w.BalanceString() == g.BalanceString());
        CHECK(g.as_of_seq == n);
        auto one = (*live)->Balance(w.account, w.asset, n);
        REQUIRE(one.ok());
        CHECK(one->debits == w.debits);
        CHECK(one->credits == w.credits);
      }
    }
    // As of a time: the last seq whose running-max business time is <= T.
    const std::int64_t t = running_max[n - 1];
    std::uint64_t expect = 0;
    while (expect < running_max.size() && running_max[expect] <= t) ++expect;
    auto seq = (*live)->SeqAtTime(t);
    REQUIRE(seq.ok());
    CHECK(*seq == expect);
    auto before = (*live)->SeqAtTime(t - 1);
    REQUIRE(before.ok());
    CHECK(*before < n);
  }
  auto none = (*live)->SeqAtTime(0);
  REQUIRE(none.ok());
  CHECK(*none == 0);
}

// The balances projection under another version number.
class BalancesV2 final : public Projection {
 public:
  std::string_view name() const override { return inner_.name(); }
  std::uint32_t version() const override { return 2; }
  void Apply(const EventRecord& e, ProjectionStore& s) override { inner_.Apply(e, s); }

 private:
  BalancesProjection inner_;
};

TEST_CASE("a version bump clears the projection and rebuilds it from seq 1") {
  TempDir dir;
  const auto history = folio::testing::RandomHistory(300, 5);
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  const std::uint64_t head = AppendHistory(store->get(), history, 0, history.size());
  ProjectorOptions po;
  po.background = false;
  {
    auto p = Projector::Start(store->get(), Balances(), po);
    REQUIRE(p.ok());
    REQUIRE((*p)->CatchUp().ok());
  }
  const auto v1 = Family(**store, "balances");
  auto* cf = (*store)->column_family("proj.balances");
  REQUIRE((*store)->db()->Put({}, cf, "zz/stale", "from v1").ok());
  std::vector<std::unique_ptr<Projection>> v2;
  v2.push_back(std::make_unique<BalancesV2>());
  auto p = Projector::Start(store->get(), std::move(v2), po);
  REQUIRE(p.ok());
  CHECK((*p)->status()[0].state == ProjectionState::kRebuilding);
  CHECK((*p)->status()[0].applied_seq == 0);
  CHECK(Family(**store, "balances").empty());
  REQUIRE((*p)->CatchUp().ok());
  CHECK((*p)->status()[0].applied_seq == head);
  CHECK(Family(**store, "balances") == v1);
  auto ckpt = ReadCheckpoint((*store)->db(), (*store)->meta_cf(), "balances");
  REQUIRE(ckpt.ok());
  REQUIRE(ckpt->has_value());
  CHECK((*ckpt)->version == 2);
  CHECK((*ckpt)->seq == head);
}

TEST_CASE("a changed byte in the log stops the projection with a clear error") {
  HistoryLog log(200, 9);
  auto* store = &log.store;
  const std::uint64_t head = log.head;
  REQUIRE(head > 50);
  const std::uint64_t bad = head / 2;
  TamperWithEvent(**store, bad, [](std::string& v) {
    v[v.size() - 3] = static_cast<char>(v[v.size() - 3] ^ 0x01);
  });

  ProjectorOptions po;
  po.background = false;
  po.batch_events_max = 16;
  auto p = Projector::Start(store->get(), Balances(), po);
  REQUIRE(p.ok());
  Status st = (*p)->CatchUp();
  CHECK(!st.ok());
  // Either the envelope no longer decodes, or its hash no longer matches.
  const bool chain = st.code() == kProjectionChainBroken;
  CHECK_MESSAGE((chain || st.code() == "envelope_invalid" || st.code() == "corruption"),
                st.ToString());
  auto s = (*p)->status();
  CHECK(s[0].state == ProjectionState::kFailed);
  CHECK(s[0].applied_seq == bad - 1);
  CHECK(s[0].error.code() == st.code());
  MESSAGE(st.ToString());
  // WaitFor reports the failure instead of waiting.
  CHECK((*p)->WaitFor(head, std::chrono::milliseconds(100)).code() == st.code());
  // Rebuild clears the failure and stops at the same place again.
  REQUIRE((*p)->Rebuild("balances").ok());
  CHECK((*p)->CatchUp().code() == st.code());
  CHECK((*p)->status()[0].applied_seq == bad - 1);
}

TEST_CASE("an event whose content no longer matches its hash stops every projection before it") {
  HistoryLog log(200, 11);
  auto* store = &log.store;
  const std::uint64_t head = log.head;
  REQUIRE(head > 50);
  // One letter of the stream id changes: the envelope still decodes, only
  // its hash gives it away. The projector hashes each event once for all.
  const std::uint64_t bad = head / 2 + 3;
  TamperWithEvent(**store, bad, [](std::string& v) {
    const std::string stream(fb::GetEnvelope(v.data())->stream_id()->string_view());
    const std::size_t at = v.find(stream);
    REQUIRE(at != std::string::npos);
    v[at] = v[at] == 'x' ? 'y' : 'x';
    REQUIRE(VerifyEnvelope(v).ok());
  });

  ProjectorOptions po;
  po.background = false;
  po.batch_events_max = 64;
  auto p = Projector::Start(store->get(), AllProjections(), po);
  REQUIRE(p.ok());
  const Status st = (*p)->CatchUp();
  CHECK(st.code() == kProjectionChainBroken);
  CHECK(st.message().find("at seq " + std::to_string(bad) +
                          ": hash mismatch: the event's bytes were altered") != std::string::npos);
  const auto statuses = (*p)->status();
  REQUIRE(statuses.size() >= 3);
  for (const auto& s : statuses) {
    CAPTURE(s.name);
    CHECK(s.state == ProjectionState::kFailed);
    CHECK(s.applied_seq == bad - 1);
  }
  p->reset();
  // Without hash checks the changed event is applied like any other.
  po.verify_hashes = false;
  auto trusting = Projector::Start(store->get(), AllProjections(), po);
  REQUIRE(trusting.ok());
  for (const auto& s : (*trusting)->status()) REQUIRE((*trusting)->Rebuild(s.name).ok());
  CHECK((*trusting)->CatchUp().ok());
  for (const auto& s : (*trusting)->status()) CHECK(s.applied_seq == head);
}

TEST_CASE("projections applied in parallel in large batches give the bytes of small batches") {
  HistoryLog log(4000, 21);
  REQUIRE(log.head > 2 * 1024);
  const auto families = [&] {
    std::map<std::string, std::map<std::string, std::string>> out;
    for (const auto& p : AllProjections())
      out[std::string(p->name())] = Family(*log.store, p->name());
    return out;
  };
  ProjectorOptions po;
  po.background = false;
  po.batch_events_max = 1024;  // several projections, 1,024 events: applied in parallel
  std::mutex mu;
  std::set<std::thread::id> writers;  // the threads that wrote projection batches
  po.batch_written = [&](const rocksdb::WriteBatch&) {
    std::lock_guard<std::mutex> lock(mu);
    writers.insert(std::this_thread::get_id());
  };
  std::map<std::string, std::map<std::string, std::string>> parallel;
  {
    auto p = Projector::Start(log.store.get(), AllProjections(), po);
    REQUIRE(p.ok());
    REQUIRE((*p)->CatchUp().ok());
    for (const auto& s : (*p)->status()) CHECK(s.applied_seq == log.head);
    parallel = families();
    CHECK(writers.size() >= 2);
  }
  po.batch_events_max = 100;  // below the parallel threshold: one after another
  po.batch_written = nullptr;
  auto p = Projector::Start(log.store.get(), AllProjections(), po);
  REQUIRE(p.ok());
  for (const auto& s : (*p)->status()) REQUIRE((*p)->Rebuild(s.name).ok());
  REQUIRE((*p)->CatchUp().ok());
  const auto sequential = families();
  CHECK(parallel.at("balances").size() > 1000);
  CHECK(parallel == sequential);
}

TEST_CASE("read your writes: WaitFor returns once the projection applied the seq") {
  TempDir dir;
  const auto history = folio::testing::RandomHistory(400, 13);
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  auto w = Writer::Start(store->get());
  REQUIRE(w.ok());
  ProjectorOptions po;
  po.idle_poll = std::chrono::hours(1);  // only Notify wakes it
  auto p = Projector::Start(store->get(), Balances(), po);
  REQUIRE(p.ok());
  for (std::size_t from = 0; from < history.size(); from += 50) {
    const std::uint64_t seq = folio::testing::RunCommands(**w, history, from, from + 50);
    REQUIRE((*p)->WaitFor(seq, std::chrono::seconds(10)).ok());
    auto r = BalancesReader::Open(**store);
    REQUIRE(r.ok());
    CHECK((*r)->applied_seq() >= seq);
    CheckTrialBalanced(**r, std::nullopt);
  }
  const std::uint64_t head = (*w)->durable_head().seq;
  Status late = (*p)->WaitFor(head + 1, std::chrono::milliseconds(50));
  CHECK(late.code() == kProjectionLagTimeout);
  auto st = (*p)->status();
  CHECK(st[0].lag_events == 0);
  CHECK(st[0].head_seq == head);
}

}  // namespace
}  // namespace folio::projections
