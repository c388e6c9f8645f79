// Bulk builds (ProjectorOptions::bulk_events_min): a projection far behind
// collects its writes in memory and ingests them as SST files together with
// its checkpoint. These tests hold it to what the WriteBatch path promises:
// the same bytes; a reader never sees state that disagrees with its
// checkpoint; a crash, a power cut or a failed ingestion loses nothing that
// was made durable and nothing is applied twice.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <vector>

#include "engine/fault_fs.h"
#include "engine/writer.h"
#include "projections/balances.h"
#include "projections/projector.h"
#include "projections/registry.h"
#include "tests/projections/balances_history.h"
#include "tests/test_support.h"

namespace folio::projections {
namespace {

using folio::testing::TempDir;
using Families = std::map<std::string, std::map<std::string, std::string>>;

Families AllFamilies(const LogStore& store) {
  Families out;
  for (const auto& p : AllProjections()) {
    auto* cf = store.column_family(ColumnFamilyName(p->name()));
    REQUIRE(cf != nullptr);
    auto& family = out[std::string(p->name())];
    std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator({}, cf));
    for (it->SeekToFirst(); it->Valid(); it->Next())
      family[it->key().ToString()] = it->value().ToString();
    REQUIRE(it->status().ok());
  }
  return out;
}

std::uint64_t AppendRandomHistory(LogStore* store, std::size_t commands, std::uint32_t seed) {
  const auto history = folio::testing::RandomHistory(commands, seed);
  auto w = Writer::Start(store);
  REQUIRE(w.ok());
  return folio::testing::RunCommands(**w, history, 0, history.size());
}

ProjectorOptions NoBulk() {
  ProjectorOptions po;
  po.background = false;
  po.batch_events_max = 256;
  po.bulk_events_min = UINT64_MAX;
  return po;
}

// Bulk from the first event, ingesting every few kilobytes: many ingestions.
ProjectorOptions SmallBulk() {
  ProjectorOptions po;
  po.background = false;
  po.batch_events_max = 97;
  po.bulk_events_min = 1;
  po.bulk_bytes_max = 16 << 10;
  return po;
}

// Builds every projection of `store` through WriteBatches and returns them.
Families BatchBuild(LogStore* store) {
  auto p = Projector::Start(store, AllProjections(), NoBulk());
  REQUIRE(p.ok());
  for (const auto& s : (*p)->status()) REQUIRE((*p)->Rebuild(s.name).ok());
  REQUIRE((*p)->CatchUp().ok());
  CHECK((*p)->stats().ingestions == 0);
  return AllFamilies(*store);
}

std::size_t FilesIn(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return 0;
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.is_regular_file() ? 1u : 0u;
  return n;
}

// One account/asset's totals in a trial balance, for comparing two of them.
std::map<std::string, std::pair<u128, u128>> Totals(const std::vector<AssetTrialBalance>& tb) {
  std::map<std::string, std::pair<u128, u128>> out;
  for (const auto& a : tb) {
    for (const auto& b : a.accounts) {
      out[b.account + "/" + std::string(AssetCode(b.asset))] = {b.debits, b.credits};
    }
  }
  return out;
}

TEST_CASE("a bulk build writes the same bytes as WriteBatches, and readers see whole ingestions") {
  TempDir dir;
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  const std::uint64_t head = AppendRandomHistory(store->get(), 3000, 21);
  const Families batches = BatchBuild(store->get());
  REQUIRE(batches.at("balances").size() > 1000);

  // While the bulk build runs, after every round: what a reader sees (one
  // snapshot: the checkpoint and the rows) must be the balances as of that
  // checkpoint, whatever was ingested.
  struct Seen {
    std::uint64_t seq;
    std::map<std::string, std::pair<u128, u128>> totals;
  };
  std::vector<Seen> seen;
  ProjectorOptions po = SmallBulk();
  po.progress = [&](std::uint64_t, std::uint64_t) {
    auto r = BalancesReader::Open(**store);
    REQUIRE(r.ok());
    auto tb = (*r)->TrialBalance();
    REQUIRE(tb.ok());
    if (seen.empty() || seen.back().seq != (*r)->applied_seq()) {
      seen.push_back({(*r)->applied_seq(), Totals(*tb)});
    }
  };
  auto p = Projector::Start(store->get(), AllProjections(), po);
  REQUIRE(p.ok());
  for (const auto& s : (*p)->status()) REQUIRE((*p)->Rebuild(s.name).ok());
  REQUIRE((*p)->CatchUp().ok());
  for (const auto& s : (*p)->status()) CHECK(s.applied_seq == head);
  const ProjectorStats stats = (*p)->stats();
  CHECK(stats.ingestions > 10);  // it did build in bulk
  CHECK(AllFamilies(**store) == batches);
  CHECK(FilesIn(dir.str() + "/bulk") == 0);

  // Every reader's view equals the as-of answer at its checkpoint.
  REQUIRE(seen.size() > 5);
  auto r = BalancesReader::Open(**store);
  REQUIRE(r.ok());
  for (const Seen& s : seen) {
    CAPTURE(s.seq);
    auto tb = (*r)->TrialBalance(s.seq);
    REQUIRE(tb.ok());
    CHECK(Totals(*tb) == s.totals);
  }
}

TEST_CASE("a crash in a bulk build keeps the last ingestion and applies nothing twice") {
  TempDir dir;
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  const std::uint64_t head = AppendRandomHistory(store->get(), 3000, 22);
  const Families batches = BatchBuild(store->get());
  for (std::uint64_t crash_after : {std::uint64_t{3}, std::uint64_t{11}, head / 97 - 2}) {
    CAPTURE(crash_after);
    {
      ProjectorOptions po = SmallBulk();
      po.test_crash_after_batches = crash_after;
      auto p = Projector::Start(store->get(), AllProjections(), po);
      REQUIRE(p.ok());
      for (const auto& s : (*p)->status()) REQUIRE((*p)->Rebuild(s.name).ok());
      CHECK((*p)->CatchUp().code() == kProjectionFailed);  // the simulated crash
      const auto status = (*p)->status();
      // What survives is what was ingested: behind the crash point, not nothing.
      const std::uint64_t applied = status[0].applied_seq;
      CHECK(applied > 0);
      CHECK(applied <= crash_after * po.batch_events_max);
      CHECK((*p)->stats().ingestions > 0);
    }
    // A restart goes on from there: WriteBatches this time (too little is left
    // for a bulk build by default), and ends with the same bytes.
    ProjectorOptions po;
    po.background = false;
    auto p = Projector::Start(store->get(), AllProjections(), po);
    REQUIRE(p.ok());
    REQUIRE((*p)->CatchUp().ok());
    for (const auto& s : (*p)->status()) CHECK(s.applied_seq == head);
    CHECK(AllFamilies(**store) == batches);
  }
}

TEST_CASE(
    "a failed ingestion leaves the checkpoint where it was, and after the fault the bytes are the "
    "same") {
  TempDir dir;
  auto fs = std::make_shared<FaultFs>(5);
  LogStoreOptions lo;
  lo.file_system = fs;
  auto store = LogStore::Open(dir.str(), lo);
  REQUIRE(store.ok());
  const std::uint64_t head = AppendRandomHistory(store->get(), 2000, 23);
  const Families batches = BatchBuild(store->get());

  auto p = Projector::Start(store->get(), AllProjections(), SmallBulk());
  REQUIRE(p.ok());
  for (const auto& s : (*p)->status()) REQUIRE((*p)->Rebuild(s.name).ok());
  fs->Arm(Fault::kWriteError, {.one_in = 1, .path_contains = "/bulk/"});
  const Status failed = (*p)->CatchUp();
  CHECK_FALSE(failed.ok());
  CHECK(fs->injected(Fault::kWriteError) > 0);
  for (const auto& s : (*p)->status()) CHECK(s.applied_seq == 0);
  CHECK(FilesIn(dir.str() + "/bulk") == 0);  // the half-written file is gone

  fs->DisarmAll();
  REQUIRE((*p)->CatchUp().ok());
  for (const auto& s : (*p)->status()) CHECK(s.applied_seq == head);
  CHECK(AllFamilies(**store) == batches);
}

TEST_CASE("a power cut after bulk ingestions: the reopened store holds them, whole") {
  TempDir dir;
  auto fs = std::make_shared<FaultFs>(6);
  LogStoreOptions lo;
  lo.file_system = fs;
  Families batches;
  std::uint64_t head = 0;
  {
    auto store = LogStore::Open(dir.str(), lo);
    REQUIRE(store.ok());
    head = AppendRandomHistory(store->get(), 2000, 24);
    batches = BatchBuild(store->get());
    auto p = Projector::Start(store->get(), AllProjections(), SmallBulk());
    REQUIRE(p.ok());
    for (const auto& s : (*p)->status()) REQUIRE((*p)->Rebuild(s.name).ok());
    REQUIRE((*p)->CatchUp().ok());
    CHECK((*p)->stats().ingestions > 10);
    fs->PowerOff();
  }
  REQUIRE(fs->LoseUnsyncedData().ok());
  auto store = LogStore::Open(dir.str(), lo);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  // Whatever checkpoint survived, the state agrees with it: catching up from
  // there gives the same bytes as building from scratch.
  auto p = Projector::Start(store->get(), AllProjections(), NoBulk());
  REQUIRE(p.ok());
  REQUIRE((*p)->CatchUp().ok());
  for (const auto& s : (*p)->status()) CHECK(s.applied_seq == head);
  CHECK(AllFamilies(**store) == batches);
}

}  // namespace
}  // namespace folio::projections
