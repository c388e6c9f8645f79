// Derived state (engine/derived.h, engine/derived_state.h): what the
// acknowledged batch holds, what readers see before and after a checkpoint,
// what a reopen derives again, and the checkpoint's failure and its marker.
#include <doctest/doctest.h>

#include <memory>

#include <rocksdb/db.h>

#include "engine/checkpoint_io.h"
#include "engine/checkpoint_view.h"
#include "engine/derived_state.h"
#include "engine/domain/aggregates.h"
#include "engine/log_cursor.h"
#include "engine/verify.h"
#include "engine/verify_derived.h"
#include "engine/writer.h"
#include "events/codes.h"
#include "tests/test_support.h"

namespace folio {
namespace {

using testing::SampleRawEnvelope;
using testing::TempDir;

AppendRequest Create(const std::string& id, const std::string& key) {
  domain::PaymentCreate c;
  c.payment_id = id;
  c.customer_id = "c-" + id;
  c.order_id = "o-" + id;
  c.method = fb::Method::Alipay;
  c.amount = Money(Asset::CNY, 10'000);
  AppendRequest r;
  r.idempotency_key = key;
  r.fingerprint = Sha256(key + "|" + id);
  r.context.actor = "test";
  r.command = c;
  return r;
}

AppendRequest Settle(const std::string& id, const std::string& key) {
  domain::PaymentSettle c;
  c.payment_id = id;
  c.gateway_txn_id = "gt-" + id;
  AppendRequest r;
  r.idempotency_key = key;
  r.fingerprint = Sha256(key + "|" + id);
  r.context.actor = "test";
  r.command = c;
  return r;
}

std::size_t CountKeys(const LogStore& store, rocksdb::ColumnFamilyHandle* cf) {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, cf));
  std::size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  REQUIRE(it->status().ok());
  return n;
}

// Checkpoints only when asked (Stop), so the test sees the tail in memory.
WriterOptions NoTimedCheckpoints() {
  WriterOptions o;
  o.checkpoint_events_max = 1'000'000;
  o.checkpoint_interval = std::chrono::hours(1);
  return o;
}

TEST_CASE("the acknowledged batch holds events, refusals and the head, readers see derived state") {
  TempDir dir;
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  LogStore& s = **store;
  auto writer = Writer::Start(&s, NoTimedCheckpoints());
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Append(Create("p1", "k1")).status.ok());
  REQUIRE((*writer)->Append(Settle("p1", "k2")).status.ok());
  AppendOutcome refused = (*writer)->Append(Settle("nope", "k3"));
  CHECK(refused.status.code() == "payment_not_found");

  // Nothing derived reached the families: only events, the refusal, the head.
  CHECK(*LastEventSeq(s) == 2);  // events 1 and 2, nothing after
  CHECK(s.ReadFrom(1, 10)->size() == 2);
  CHECK(CountKeys(s, s.outcomes_cf()) == 1);
  CHECK(CountKeys(s, s.streams_cf()) == 0);
  CHECK(CountKeys(s, s.idempotency_cf()) == 0);
  CHECK(CountKeys(s, s.state_cf()) == 0);
  // Yet every reader sees it, from memory.
  CHECK(*s.StreamVersion("payment:p1") == 2);
  CHECK(**s.StreamIndex("payment:p1", 2) == 2);
  auto stream = s.ReadStream("payment:p1", 1, 10);
  REQUIRE(stream.ok());
  CHECK(stream->size() == 2);
  auto payment = s.LoadState(domain::PaymentKey("p1"));
  REQUIRE(payment.ok());
  REQUIRE(payment->has_value());
  domain::PaymentState p;
  domain::Decode(**payment, &p);
  CHECK(p.status == domain::PaymentStatus::kSettled);
  CHECK(s.derived().memory_events() == 2);
  CHECK(s.derived().marker().applied_seq == 0);

  (*writer)->Stop();  // the last checkpoint
  CHECK(s.derived().memory_events() == 0);
  CHECK(s.derived().marker().applied_seq == 2);
  CHECK(CountKeys(s, s.streams_cf()) == 3);      // 2 index entries + the head
  CHECK(CountKeys(s, s.idempotency_cf()) == 2);  // the two accepted commands
  CHECK(*s.StreamVersion("payment:p1") == 2);
  CHECK(s.LoadState(domain::PaymentKey("p1"))->has_value());
}

TEST_CASE("a reopen derives the events after the checkpoint, equal to a rebuild, retries answer") {
  TempDir dir, scratch;
  AppendOutcome first_create, refused;
  {
    auto store = LogStore::Open(dir.str());
    REQUIRE(store.ok());
    WriterOptions o = NoTimedCheckpoints();
    o.checkpoint_at_stop = false;  // leave the tail to derive on open
    auto writer = Writer::Start(store->get(), o);
    REQUIRE(writer.ok());
    first_create = (*writer)->Append(Create("p1", "k1"));
    REQUIRE(first_create.status.ok());
    REQUIRE((*writer)->Append(Settle("p1", "k2")).status.ok());
    refused = (*writer)->Append(Settle("p1", "k3"));
    CHECK(refused.status.code() == "payment_already_settled");
  }
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  CHECK((*store)->derived().replayed_events() == 2);
  CHECK((*store)->derived().marker().applied_seq == 0);
  CHECK(*(*store)->StreamVersion("payment:p1") == 2);
  auto writer = Writer::Start(store->get());
  REQUIRE(writer.ok());
  AppendOutcome again = (*writer)->Append(Create("p1", "k1"));
  CHECK(again.replayed);
  CHECK(again.first_seq == first_create.first_seq);
  CHECK(again.stream_version == first_create.stream_version);
  AppendOutcome refused_again = (*writer)->Append(Settle("p1", "k3"));
  CHECK(refused_again.status.code() == "payment_already_settled");
  CHECK(refused_again.replayed);
  AppendRequest other = Create("p2", "k1");  // another body under k1
  CHECK((*writer)->Append(std::move(other)).status.code() == codes::kIdempotencyKeyConflict);
  (*writer)->Stop();
  auto deep = VerifyDerived(**store, (scratch.path() / "rebuild").string());
  REQUIRE(deep.ok());
  CHECK_MESSAGE(deep->ok, deep->family << " " << deep->key_hex << ": " << deep->reason);
  CHECK(deep->applied_seq == 2);
  CHECK(deep->records_compared > 0);
}

TEST_CASE(
    "a writer started on a derived tail checkpoints it at once, without waiting an interval") {
  TempDir dir;
  {
    auto store = LogStore::Open(dir.str());
    REQUIRE(store.ok());
    WriterOptions o = NoTimedCheckpoints();
    o.checkpoint_at_stop = false;  // leave the tail to derive on open, as after a crash
    auto writer = Writer::Start(store->get(), o);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Append(Create("p1", "k1")).status.ok());
    REQUIRE((*writer)->Append(Settle("p1", "k2")).status.ok());
  }
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  REQUIRE((*store)->derived().replayed_events() == 2);
  // An hour's interval and nothing appended: only the start itself can
  // checkpoint (a server killed again and again would derive more each time).
  WriterOptions o = NoTimedCheckpoints();
  o.checkpoint_interval = std::chrono::hours(1);
  auto writer = Writer::Start(store->get(), o);
  REQUIRE(writer.ok());
  CHECK(testing::PollUntil([&] { return (*writer)->stats().checkpoints >= 1; },
                           std::chrono::seconds(30)));
  (*writer)->Stop();
  CHECK((*store)->derived().marker().applied_seq == 2);
}

TEST_CASE("a changed derived record is a difference the deep check names") {
  TempDir dir, scratch;
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  {
    auto writer = Writer::Start(store->get());
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Append(Create("p1", "k1")).status.ok());
  }
  std::string v;
  REQUIRE((*store)->db()->Get({}, (*store)->state_cf(), domain::PaymentKey("p1"), &v).ok());
  v.back() = static_cast<char>(v.back() ^ 0x01);
  REQUIRE((*store)->db()->Put({}, (*store)->state_cf(), domain::PaymentKey("p1"), v).ok());
  auto deep = VerifyDerived(**store, (scratch.path() / "rebuild").string());
  REQUIRE(deep.ok());
  CHECK_FALSE(deep->ok);
  CHECK(deep->family == "state");
  CHECK(deep->reason.find("a rebuild") != std::string::npos);
}

TEST_CASE("a raw event that does not fit the state is refused, and nothing is written") {
  TempDir dir;
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  auto writer = Writer::Start(store->get());
  REQUIRE(writer.ok());
  AppendRequest r;
  r.stream_id = "payment:ghost";
  r.envelopes.push_back(testing::SampleSettledEnvelope("ghost", 1));  // no such payment
  AppendOutcome o = (*writer)->Append(std::move(r));
  CHECK(o.status.code() == codes::kInvalidArgument);
  CHECK(o.status.message().find("payment missing") != std::string::npos);
  CHECK((*writer)->durable_head().seq == 0);
  AppendRequest fits;
  fits.stream_id = "run-1";
  fits.envelopes.push_back(SampleRawEnvelope("run-1", 1));
  CHECK((*writer)->Append(std::move(fits)).status.ok());
}

TEST_CASE("a failed checkpoint stops the writer, a restart derives the tail and verifies") {
  TempDir dir;
  std::uint64_t acked = 0;
  {
    auto store = LogStore::Open(dir.str());
    REQUIRE(store.ok());
    WriterOptions o = NoTimedCheckpoints();
    o.checkpoint_events_max = 3;
    o.inject_checkpoint_error = [] { return rocksdb::Status::IOError("injected: disk gone"); };
    auto writer = Writer::Start(store->get(), o);
    REQUIRE(writer.ok());
    for (int i = 0; i < 3; ++i) {
      AppendOutcome out =
          (*writer)->Append(Create("p" + std::to_string(i), "k" + std::to_string(i)));
      REQUIRE(out.status.ok());
      acked = out.last_seq;
    }
    // The checkpoint of those three fails in the background; from then on,
    // nothing is accepted.
    AppendOutcome later;
    for (int i = 3; i < 100 && later.status.code() != codes::kStoreFailed; ++i) {
      later = (*writer)->Append(Create("p" + std::to_string(i), "k" + std::to_string(i)));
      if (later.status.ok()) acked = later.last_seq;
    }
    CHECK(later.status.code() == codes::kStoreFailed);
    CHECK((*writer)->failed());
  }
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  CHECK((*store)->derived().marker().applied_seq == 0);
  CHECK((*store)->derived().replayed_events() == acked);
  auto report = VerifyLog(**store);
  REQUIRE(report.ok());
  CHECK(report->ok);
  CHECK(report->head_seq == acked);
  auto writer = Writer::Start(store->get());
  REQUIRE(writer.ok());
  CHECK((*writer)->Append(Create("p-after", "k-after")).status.ok());
}

TEST_CASE("a checkpoint marker that names another event is caught by verify") {
  TempDir dir;
  {
    auto store = LogStore::Open(dir.str());
    REQUIRE(store.ok());
    auto writer = Writer::Start(store->get());
    REQUIRE(writer.ok());
    REQUIRE((*writer)->Append(Create("p1", "k1")).status.ok());
    REQUIRE((*writer)->Append(Create("p2", "k2")).status.ok());
  }
  {
    auto store = LogStore::Open(dir.str());
    REQUIRE(store.ok());
    CheckpointMarker m = (*store)->derived().marker();
    m.applied_hash[0] ^= 1;
    REQUIRE((*store)
                ->db()
                ->Put({}, (*store)->meta_cf(), std::string(kMetaDerived), EncodeCheckpointMarker(m))
                .ok());
  }
  LogStoreOptions ro;
  ro.read_only = true;
  auto store = LogStore::Open(dir.str(), ro);
  REQUIRE(store.ok());
  auto report = VerifyLog(**store);
  REQUIRE(report.ok());
  CHECK_FALSE(report->ok);
  CHECK(report->reason.find("checkpoint") != std::string::npos);
}

// The overlays are hash maps: a range read (the scheduler's) must still come
// back in key order, newest overlay winning, erasures hiding stored entries,
// and `limit` counted after the erasures.
TEST_CASE("a state scan lays the overlays over the checkpoint in key order") {
  TempDir dir;
  auto store = LogStore::Open(dir.path());
  REQUIRE(store.ok());
  rocksdb::WriteOptions wo;
  for (const char* k : {"sched/a", "sched/c", "sched/e", "sched/f", "other/x"}) {
    REQUIRE((*store)->db()->Put(wo, (*store)->state_cf(), k, std::string("db:") + k).ok());
  }
  StateOverlay older, newer;
  older.emplace("sched/b", "older:b");
  older.emplace("sched/c", std::nullopt);  // erases a stored entry
  older.emplace("sched/d", "older:d");
  newer.emplace("sched/b", "newer:b");
  newer.emplace("sched/d", std::nullopt);  // erases an older overlay's entry
  newer.emplace("sched/y", "newer:y");     // at `to`: outside the range
  newer.emplace("other/a", "newer:a");     // below `from`
  using KV = std::vector<std::pair<std::string, std::string>>;
  auto all = ScanStateLayers(**store, {&older, nullptr, &newer}, "sched/", "sched/y", 100);
  REQUIRE(all.ok());
  CHECK(*all == KV{{"sched/a", "db:sched/a"},
                   {"sched/b", "newer:b"},
                   {"sched/e", "db:sched/e"},
                   {"sched/f", "db:sched/f"}});
  auto first = ScanStateLayers(**store, {&older, &newer}, "sched/", "sched/y", 3);
  REQUIRE(first.ok());
  CHECK(*first == KV{{"sched/a", "db:sched/a"}, {"sched/b", "newer:b"}, {"sched/e", "db:sched/e"}});
}

}  // namespace
}  // namespace folio
