// The writer against RocksDB on disk: appends, reads, optimistic concurrency,
// idempotency (also across a reopen), fail-stop, and concurrent submitters.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <semaphore>
#include <thread>

#include "engine/verify.h"
#include "engine/writer.h"
#include "events/codes.h"
#include "tests/test_support.h"

namespace folio {
namespace {

using testing::SampleRawEnvelope;
using testing::TempDir;

Hash32 Fingerprint(std::string_view s) { return Sha256(s); }

// `body` stands for the request's content: another body under the same key
// is another request.
AppendRequest Request(const std::string& stream, std::uint64_t expected, const std::string& key,
                      std::size_t events = 1, const std::string& body = "") {
  AppendRequest r;
  r.stream_id = stream;
  r.expected_version = expected;
  r.idempotency_key = key;
  r.fingerprint = Fingerprint(stream + "|" + std::to_string(expected) + "|" + key + "|" + body);
  for (std::size_t i = 0; i < events; ++i) {
    r.envelopes.push_back(SampleRawEnvelope(stream, i, key, r.fingerprint));
  }
  return r;
}

struct Opened {
  std::unique_ptr<LogStore> store;
  std::unique_ptr<Writer> writer;
};

Opened Open(const TempDir& dir, WriterOptions opts = {}) {
  auto store = LogStore::Open(dir.str());
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  auto writer = Writer::Start(store->get(), std::move(opts));
  REQUIRE_MESSAGE(writer.ok(), writer.status().ToString());
  return Opened{std::move(store).value(), std::move(writer).value()};
}

void RequireVerified(const LogStore& store, std::uint64_t events) {
  auto report = VerifyLog(store);
  REQUIRE(report.ok());
  CHECK_MESSAGE(report->ok, report->reason);
  CHECK(report->events == events);
  CHECK(report->head_seq == events);
}

TEST_CASE("appends are sequenced, chained, indexed and readable") {
  TempDir dir;
  auto db = Open(dir);
  AppendOutcome a = db.writer->Append(Request("pay-1", kNoStream, "k1", 2));
  REQUIRE(a.status.ok());
  CHECK(a.first_seq == 1);
  CHECK(a.last_seq == 2);
  CHECK(a.stream_version == 2);
  AppendOutcome b = db.writer->Append(Request("pay-2", kNoStream, "k2", 1));
  REQUIRE(b.status.ok());
  CHECK(b.first_seq == 3);
  AppendOutcome c = db.writer->Append(Request("pay-1", 2, "k3", 1));
  REQUIRE(c.status.ok());
  CHECK(c.stream_version == 3);

  auto all = db.store->ReadFrom(1, 100);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 4);
  CHECK((*all)[0].prev_hash() == kGenesisHash);
  for (std::size_t i = 1; i < all->size(); ++i) {
    CHECK((*all)[i].seq() == i + 1);
    CHECK((*all)[i].prev_hash() == (*all)[i - 1].hash());
  }
  auto stream = db.store->ReadStream("pay-1", 2, 100);
  REQUIRE(stream.ok());
  REQUIRE(stream->size() == 2);
  CHECK((*stream)[0].stream_version() == 2);
  CHECK((*stream)[1].seq() == 4);
  auto head = db.store->ReadHead();
  REQUIRE(head.ok());
  CHECK(head->seq == 4);
  CHECK(head->hash == (*all)[3].hash());
  CHECK(db.writer->durable_head().seq == 4);
  RequireVerified(*db.store, 4);
}

TEST_CASE("a wrong expected version is a stream_version_conflict and writes nothing") {
  TempDir dir;
  auto db = Open(dir);
  REQUIRE(db.writer->Append(Request("s", kNoStream, "a")).status.ok());
  AppendOutcome o = db.writer->Append(Request("s", kNoStream, "b"));
  CHECK(o.status.code() == codes::kStreamVersionConflict);
  CHECK(o.stream_version == 1);
  o = db.writer->Append(Request("s", 5, "c"));
  CHECK(o.status.code() == codes::kStreamVersionConflict);
  CHECK(db.store->ReadHead()->seq == 1);
  // Not remembered: the same key may be retried with the right version.
  AppendRequest retry = Request("s", 1, "b");
  CHECK(db.writer->Append(std::move(retry)).status.ok());
}

TEST_CASE("idempotency: a repeat returns the first outcome, forever, another request conflicts") {
  TempDir dir;
  AppendOutcome first;
  {
    auto db = Open(dir);
    first = db.writer->Append(Request("pay-9", kNoStream, "idem-1", 2));
    REQUIRE(first.status.ok());
    AppendOutcome again = db.writer->Append(Request("pay-9", kNoStream, "idem-1", 2));
    CHECK(again.status.ok());
    CHECK(again.replayed);
    CHECK(again.first_seq == first.first_seq);
    CHECK(again.last_seq == first.last_seq);
    CHECK(db.store->ReadHead()->seq == 2);

    AppendRequest other = Request("pay-9", kNoStream, "idem-1", 1, "something else");
    AppendOutcome conflict = db.writer->Append(std::move(other));
    CHECK(conflict.status.code() == codes::kIdempotencyKeyConflict);

    AppendRequest rejected = Request("pay-10", kNoStream, "idem-rej", 0);
    rejected.rejection = Status::Error("refund_exceeds_settled", "60.00 + 50.00 > 100.00");
    AppendOutcome r1 = db.writer->Append(std::move(rejected));
    CHECK(r1.status.code() == "refund_exceeds_settled");
    CHECK(db.store->ReadHead()->seq == 2);
  }
  auto db = Open(dir);  // reopened: the records come from RocksDB, not memory
  AppendOutcome again = db.writer->Append(Request("pay-9", kNoStream, "idem-1", 2));
  CHECK(again.status.ok());
  CHECK(again.replayed);
  CHECK(again.first_seq == first.first_seq);
  CHECK(again.last_seq == first.last_seq);
  AppendRequest rejected = Request("pay-10", kNoStream, "idem-rej", 0);
  rejected.rejection = Status::Error("refund_exceeds_settled", "60.00 + 50.00 > 100.00");
  AppendOutcome r2 = db.writer->Append(std::move(rejected));
  CHECK(r2.replayed);
  CHECK(r2.status.code() == "refund_exceeds_settled");
  CHECK(r2.status.message() == "60.00 + 50.00 > 100.00");
  CHECK(db.store->ReadHead()->seq == 2);
  RequireVerified(*db.store, 2);
}

TEST_CASE("invalid requests are refused without writing") {
  TempDir dir;
  auto db = Open(dir);
  AppendRequest bad_stream = Request("ok", kNoStream, "k");
  bad_stream.stream_id = std::string("a\nb");
  CHECK(db.writer->Append(std::move(bad_stream)).status.code() == codes::kInvalidArgument);
  AppendRequest empty = Request("ok", kNoStream, "k", 0);
  CHECK(db.writer->Append(std::move(empty)).status.code() == codes::kInvalidArgument);
  AppendRequest long_key = Request("ok", kNoStream, std::string(201, 'k'));
  CHECK(db.writer->Append(std::move(long_key)).status.code() == codes::kInvalidArgument);
  CHECK(db.store->ReadHead()->seq == 0);
}

TEST_CASE("a failed write puts the writer in fail-stop until restart") {
  TempDir dir;
  std::atomic<bool> fail{false};
  {
    WriterOptions opts;
    opts.inject_write_error = [&] {
      return fail.load() ? rocksdb::Status::IOError("injected: disk full") : rocksdb::Status();
    };
    auto db = Open(dir, opts);
    REQUIRE(db.writer->Append(Request("s", kNoStream, "1")).status.ok());
    fail = true;
    AppendOutcome o = db.writer->Append(Request("s", 1, "2"));
    CHECK(o.status.code() == codes::kStoreFailed);
    CHECK(o.status.message().find("disk full") != std::string::npos);
    CHECK(db.writer->failed());
    fail = false;  // the disk is back, but the writer must not guess
    CHECK(db.writer->Append(Request("s", 1, "3")).status.code() == codes::kStoreFailed);
    CHECK(db.store->ReadHead()->seq == 1);
  }
  auto db = Open(dir);
  CHECK(db.writer->Append(Request("s", 1, "2")).status.ok());
  RequireVerified(*db.store, 2);
}

TEST_CASE(
    "8 threads x 10,000 appends: no gap, contiguous versions, conflicts reported, none lost") {
  TempDir dir;
  auto db = Open(dir);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10'000;
  std::atomic<std::uint64_t> ok_events{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::counting_semaphore<> slots(512);
      for (int i = 0; i < kPerThread; ++i) {
        slots.acquire();
        AppendRequest r;
        bool shared = i % 2 == 0;
        r.stream_id = shared ? "shared-" + std::to_string(i % 5) : "own-" + std::to_string(t);
        // Shared streams race on an expected version read just before; own
        // streams accept any version.
        r.expected_version = shared ? *db.store->StreamVersion(r.stream_id) : kAnyVersion;
        r.idempotency_key = "t" + std::to_string(t) + "-" + std::to_string(i);
        r.fingerprint = Fingerprint(r.idempotency_key);
        r.envelopes.push_back(SampleRawEnvelope(r.stream_id, static_cast<std::uint64_t>(i),
                                                r.idempotency_key, r.fingerprint));
        db.writer->Submit(std::move(r), [&](const AppendOutcome& o) {
          if (o.status.ok()) {
            ok_events.fetch_add(1);
          } else if (o.status.code() == codes::kStreamVersionConflict) {
            conflicts.fetch_add(1);
          } else {
            FAIL_CHECK("unexpected outcome " << o.status.ToString());
          }
          slots.release();
        });
      }
      for (int k = 0; k < 512; ++k) slots.acquire();  // every append answered
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok_events + conflicts == kThreads * kPerThread);
  CHECK(conflicts > 0);
  CHECK(db.writer->durable_head().seq == ok_events.load());
  // Every stream's versions are contiguous and the chain holds: verify checks both.
  RequireVerified(*db.store, ok_events.load());
  CHECK(db.writer->stats().groups < ok_events.load());  // group commit happened
}

}  // namespace
}  // namespace folio
