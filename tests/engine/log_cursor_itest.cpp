// LogCursor (engine/log_cursor.h): the verified way every reader reads the
// log. Each check below is one the cursor makes; each case breaks the log
// the way that check must catch.
#include <doctest/doctest.h>

#include "engine/log_cursor.h"
#include "engine/writer.h"
#include "events/codes.h"
#include "tests/test_support.h"

namespace folio {
namespace {

using testing::SampleRawEnvelope;
using testing::TempDir;

std::unique_ptr<LogStore> LogOf(const TempDir& dir, std::uint64_t n) {
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  {
    auto writer = Writer::Start(store->get());
    REQUIRE(writer.ok());
    for (std::uint64_t i = 0; i < n; ++i) {
      AppendRequest r;
      r.stream_id = "pay-" + std::to_string(i % 5);
      r.envelopes.push_back(SampleRawEnvelope(r.stream_id, i));
      REQUIRE((*writer)->Append(std::move(r)).status.ok());
    }
  }
  return std::move(store).value();
}

std::string Stored(LogStore& s, std::uint64_t seq) {
  std::string v;
  REQUIRE(s.db()->Get({}, s.events_cf(), keys::EventKey(seq), &v).ok());
  return v;
}

TEST_CASE("log cursor: pages carry the chain and end at the head") {
  TempDir dir;
  auto store = LogOf(dir, 40);
  LogCursor c(*store, 1, kGenesisHash);
  std::uint64_t expect = 1;
  for (auto page = c.Next(7); page.ok() && !page->empty(); page = c.Next(7)) {
    for (const EventRecord& e : *page) CHECK(e.seq() == expect++);
  }
  CHECK(expect == 41);
  CHECK(c.next_seq() == 41);
  CHECK(c.prev_hash() == store->ReadHead()->hash);
  CHECK_FALSE(c.fault());
  // Events appended later are read by the same cursor, chained to the last.
  {
    auto writer = Writer::Start(store.get());
    REQUIRE(writer.ok());
    AppendRequest r;
    r.stream_id = "pay-9";
    r.envelopes.push_back(SampleRawEnvelope(r.stream_id, 0));
    REQUIRE((*writer)->Append(std::move(r)).status.ok());
  }
  auto more = c.Next(10);
  REQUIRE(more.ok());
  REQUIRE(more->size() == 1);
  CHECK((*more)[0].seq() == 41);
}

TEST_CASE("log cursor: At learns the previous hash, to_seq bounds a scan") {
  TempDir dir;
  auto store = LogOf(dir, 20);
  auto c = LogCursor::At(*store, 11);
  REQUIRE(c.ok());
  std::vector<std::uint64_t> seen;
  REQUIRE(c->Scan(
               [&](EventRecord& e) {
                 seen.push_back(e.seq());
                 return true;
               },
               15)
              .ok());
  CHECK(seen == std::vector<std::uint64_t>{11, 12, 13, 14, 15});
  CHECK(c->next_seq() == 16);
  // A wrong starting hash is caught at the first event.
  Hash32 wrong = c->prev_hash();
  wrong[0] ^= 1;
  LogCursor bad(*store, 16, wrong);
  CHECK(bad.Next(3).status().code() == codes::kCorruption);
  REQUIRE(bad.fault());
  CHECK(bad.fault()->seq == 16);
  CHECK(bad.fault()->reason.find("prev_hash") != std::string::npos);
  // Past the end: nothing to read from, said plainly.
  CHECK(LogCursor::At(*store, 22).status().code() == codes::kNotFound);
  CHECK(store->ReadFrom(21, 5)->empty());
}

TEST_CASE("log cursor: an altered event stops it there, and it stays stopped") {
  TempDir dir;
  auto store = LogOf(dir, 30);
  // One byte of the stream id changes: the envelope still decodes, only its
  // hash gives it away.
  std::string v = Stored(*store, 12);
  const std::size_t at = v.find("pay-");
  REQUIRE(at != std::string::npos);
  v[at] = 'q';
  REQUIRE(VerifyEnvelope(v).ok());
  REQUIRE(store->db()->Put({}, store->events_cf(), keys::EventKey(12), v).ok());

  LogCursor c(*store, 1, kGenesisHash);
  std::uint64_t read = 0;
  Status s = c.Scan([&](EventRecord&) {
    ++read;
    return true;
  });
  CHECK(s.code() == codes::kCorruption);
  CHECK(read == 11);
  REQUIRE(c.fault());
  CHECK(c.fault()->seq == 12);
  CHECK(c.fault()->reason.find("hash mismatch") != std::string::npos);
  CHECK(c.Next(5).status().code() == codes::kCorruption);  // stopped for good
  CHECK(store->ReadFrom(10, 5).status().code() == codes::kCorruption);

  // Without hash checks the bytes are not hashed, but the chain's links
  // still hold (the altered event kept its hash field), so it reads on.
  CursorOptions no_hash;
  no_hash.check_hashes = false;
  LogCursor quick(*store, 1, kGenesisHash, no_hash);
  auto all = quick.Next(100);
  REQUIRE(all.ok());
  CHECK(all->size() == 30);
}

TEST_CASE("log cursor: a missing event is a gap, a moved one a key mismatch") {
  TempDir dir;
  auto store = LogOf(dir, 20);
  const std::string nine = Stored(*store, 9);
  REQUIRE(store->db()->Delete({}, store->events_cf(), keys::EventKey(9)).ok());
  LogCursor c(*store, 1, kGenesisHash);
  CHECK(c.Next(100).status().code() == codes::kCorruption);
  REQUIRE(c.fault());
  CHECK(c.fault()->seq == 9);
  CHECK(c.fault()->reason.find("sequence gap") != std::string::npos);

  // Event 9's bytes stored under key 9 again, and a copy under key 21.
  REQUIRE(store->db()->Put({}, store->events_cf(), keys::EventKey(9), nine).ok());
  REQUIRE(store->db()->Put({}, store->events_cf(), keys::EventKey(21), nine).ok());
  LogCursor d(*store, 1, kGenesisHash);
  auto page = d.Next(100);
  CHECK(page.status().code() == codes::kCorruption);
  REQUIRE(d.fault());
  CHECK(d.fault()->seq == 21);
  CHECK(d.fault()->reason.find("differs from its key") != std::string::npos);
  CHECK(*LastEventSeq(*store) == 21);
}

TEST_CASE("log cursor: bytes that are no envelope are refused, not read") {
  TempDir dir;
  auto store = LogOf(dir, 5);
  REQUIRE(store->db()->Put({}, store->events_cf(), keys::EventKey(3), "not an envelope").ok());
  LogCursor c(*store, 1, kGenesisHash);
  CHECK(c.Next(10).status().code() == codes::kCorruption);
  REQUIRE(c.fault());
  CHECK(c.fault()->seq == 3);
  CHECK(c.fault()->reason.find("envelope rejected") != std::string::npos);
  CHECK(store->ReadEvent(3).status().code() == codes::kCorruption);
  CHECK(store->ReadEvent(4)->has_value());
  CHECK_FALSE(store->ReadEvent(6)->has_value());
}

}  // namespace
}  // namespace folio
