// EventRecord::Decode against hostile bytes, in the manner of LevelDB's
// log_test: every truncation, every single-byte flip, random garbage, and
// well-formed FlatBuffers that break the envelope's own rules. Decode must
// never crash; every corruption is caught by the decoder or by the hash.
#include "events/envelope.h"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <set>
#include <span>
#include <string>

#include "events/money.h"
#include "tests/test_support.h"

namespace folio {
namespace {

Hash32 SomePrevHash() {
  Hash32 h{};
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(3 * i + 1);
  return h;
}

std::string StampedEnvelope() {
  std::string bytes = testing::SampleSettledEnvelope("payment-0001", 1);
  StampEnvelope(bytes, 42, 3, 1'795'000'000'000'000'000, SomePrevHash());
  return bytes;
}

// Byte range of the `hash` field inside `bytes`.
std::size_t HashOffsetOf(const EventRecord& r) {
  return static_cast<std::size_t>(reinterpret_cast<const char*>(r.env().hash()->bytes()->Data()) -
                                  r.bytes().data());
}

// Address of a scalar field of the envelope, for tests that forge values the
// generated API has no mutator for.
std::uint8_t* EnvelopeField(std::string& bytes, flatbuffers::voffset_t field) {
  auto* table = reinterpret_cast<flatbuffers::Table*>(fb::GetMutableEnvelope(bytes.data()));
  std::uint8_t* p = table->GetAddressOf(field);
  REQUIRE(p != nullptr);
  return p;
}

void CheckRejected(const std::string& bytes) {
  auto r = EventRecord::Decode(bytes);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == "envelope_invalid");
}

TEST_CASE("Decode accepts a stamped envelope and its hash verifies") {
  std::string bytes = StampedEnvelope();
  auto r = EventRecord::Decode(bytes);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->ComputeHash() == r->hash());
  CHECK(r->prev_hash() == SomePrevHash());
  CHECK(r->seq() == 42);
}

TEST_CASE("the zeroed-field hash equals the hash of a zeroed copy, wherever the field is") {
  std::mt19937_64 rng(7);
  const Hash32 prev = Sha256(std::string_view("previous"));
  for (std::size_t size : {32u, 33u, 64u, 65u, 119u, 550u}) {
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    for (std::size_t at : {std::size_t{0}, size / 2 - size / 2 % 8, size - 32}) {
      if (at + 32 > size) continue;
      std::string copy = bytes;
      std::memset(copy.data() + at, 0, 32);
      const auto span = [](const std::string& s) {
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()),
                                             s.size());
      };
      CHECK(Sha256ChainZeroed(prev, span(bytes), at) == Sha256Chain(prev, span(copy)));
      // The bytes under the field do not count; every other byte does.
      std::string other = bytes;
      other[at] = static_cast<char>(other[at] ^ 1);
      CHECK(Sha256ChainZeroed(prev, span(other), at) == Sha256ChainZeroed(prev, span(bytes), at));
      if (at + 32 < size) {
        other = bytes;
        other[at + 32] = static_cast<char>(other[at + 32] ^ 1);
        CHECK(Sha256ChainZeroed(prev, span(other), at) != Sha256ChainZeroed(prev, span(bytes), at));
      }
    }
  }
}

TEST_CASE("Decode rejects every truncation") {
  const std::string bytes = StampedEnvelope();
  for (std::size_t len = 0; len < bytes.size(); ++len) {
    CAPTURE(len);
    CHECK_FALSE(EventRecord::Decode(bytes.substr(0, len)).ok());
  }
}

TEST_CASE("Every single-byte flip is caught by the decoder or the hash") {
  const std::string original = StampedEnvelope();
  auto good = EventRecord::Decode(original);
  REQUIRE(good.ok());
  const Hash32 original_hash = good->hash();
  const std::size_t hash_begin = HashOffsetOf(*good);
  std::size_t rejected = 0, caught_by_hash = 0;
  for (std::size_t pos = 0; pos < original.size(); ++pos) {
    for (std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xFF}}) {
      CAPTURE(pos);
      CAPTURE(static_cast<int>(mask));
      std::string bytes = original;
      bytes[pos] = static_cast<char>(static_cast<std::uint8_t>(bytes[pos]) ^ mask);
      auto r = EventRecord::Decode(bytes);
      if (!r.ok()) {
        CHECK(r.status().code() == "envelope_invalid");
        ++rejected;
        continue;
      }
      ++caught_by_hash;
      CHECK(r->ComputeHash() != r->hash());
      if (pos >= hash_begin && pos < hash_begin + sizeof(Hash32)) {
        // The flip hit the stored hash: the content still hashes to the original.
        CHECK(r->ComputeHash() == original_hash);
      }
    }
  }
  CHECK(rejected + caught_by_hash == 3 * original.size());
  MESSAGE("flips rejected by Decode: " << rejected << ", caught by the hash: " << caught_by_hash);
}

TEST_CASE("Decode rejects random garbage") {
  std::mt19937_64 rng(20261121);
  const std::string valid = StampedEnvelope();
  for (std::size_t size = 0; size <= 1024; size += (size < 64 ? 1 : 37)) {
    for (int round = 0; round < 20; ++round) {
      std::string bytes(size, '\0');
      for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
      if (round % 2 == 1 && size >= 8) {
        // Past the identifier check, into the verifier: a root offset inside
        // the buffer and the right identifier.
        auto root = static_cast<std::uint32_t>(rng() % size) & ~3u;
        std::memcpy(bytes.data(), &root, sizeof root);
        std::memcpy(bytes.data() + 4, "FOL1", 4);
      }
      CAPTURE(size);
      CHECK_FALSE(EventRecord::Decode(bytes).ok());
    }
  }
  // A valid envelope with its tail replaced by garbage.
  for (std::size_t keep = 0; keep < valid.size(); keep += 8) {
    std::string bytes = valid;
    for (std::size_t i = keep; i < bytes.size(); ++i) bytes[i] = static_cast<char>(rng() & 0xff);
    auto r = EventRecord::Decode(bytes);
    if (r.ok()) CHECK(r->ComputeHash() != r->hash());
  }
}

TEST_CASE("Decode rejects malformed envelopes") {
  SUBCASE("empty") { CheckRejected(""); }

  SUBCASE("wrong identifier") {
    std::string bytes = StampedEnvelope();
    std::memcpy(bytes.data() + 4, "FOL2", 4);
    CheckRejected(bytes);
  }

  SUBCASE("larger than kEnvelopeBytesMax") {
    std::string bytes = StampedEnvelope();
    bytes.resize(kEnvelopeBytesMax + 8, '\0');
    CheckRejected(bytes);
  }

  SUBCASE("a valid FlatBuffer of another root type") {
    flatbuffers::FlatBufferBuilder b;
    b.ForceDefaults(true);
    auto amount = Money(Asset::CNY, 100).ToFb();
    auto root = fb::CreatePaymentSettledDirect(b, "pay-1", "txn-1", &amount, &amount, &amount);
    b.Finish(root, fb::EnvelopeIdentifier());
    CheckRejected(std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()));
  }

  SUBCASE("schema_version unknown") {
    for (std::uint16_t version :
         {std::uint16_t{0}, std::uint16_t{kSchemaVersion + 1}, std::uint16_t{0xFFFF}}) {
      CAPTURE(version);
      std::string bytes = StampedEnvelope();
      REQUIRE(fb::GetMutableEnvelope(bytes.data())->mutate_schema_version(version));
      CheckRejected(bytes);
    }
  }

  SUBCASE("union type NONE or beyond the last member") {
    const auto max = static_cast<std::uint8_t>(fb::Event::MAX);
    for (std::uint8_t type :
         {std::uint8_t{0}, static_cast<std::uint8_t>(max + 1), std::uint8_t{0xFF}}) {
      CAPTURE(static_cast<int>(type));
      std::string bytes = StampedEnvelope();
      *EnvelopeField(bytes, fb::Envelope::VT_EVENT_TYPE) = type;
      CheckRejected(bytes);
    }
  }

  SUBCASE("stream_id empty") {
    EnvelopeMeta meta;
    std::string bytes = EncodeEnvelope(meta, fb::Event::PaymentExpired, [](auto& b) {
      return fb::CreatePaymentExpiredDirect(b, "p").Union();
    });
    CheckRejected(bytes);
  }

  SUBCASE("payload missing") {
    EnvelopeMeta meta;
    meta.stream_id = "s";
    std::string bytes = EncodeEnvelope(meta, fb::Event::PaymentExpired,
                                       [](auto&) { return flatbuffers::Offset<void>(); });
    CheckRejected(bytes);
  }
}

// Event ids come from a per-thread buffer of OpenSSL random bytes.
TEST_CASE("event ids are version 4 and never repeat across buffer refills") {
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
  for (int i = 0; i < 2000; ++i) {  // several 4 KiB buffers
    const Uuid128 id = NewUuid();
    CHECK(((id.hi >> 12) & 0xf) == 4);  // version
    CHECK(((id.lo >> 62) & 0x3) == 2);  // RFC 4122 variant
    CHECK(seen.emplace(id.hi, id.lo).second);
  }
}

TEST_CASE("a forked child does not hand out the ids its parent buffered") {
  NewUuid();  // the parent's buffer now holds ids not yet handed out
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const Uuid128 id = NewUuid();
    const bool sent = write(fds[1], &id, sizeof id) == static_cast<ssize_t>(sizeof id);
    _exit(sent ? 0 : 1);
  }
  close(fds[1]);
  Uuid128 from_child;
  const ssize_t got = read(fds[0], &from_child, sizeof from_child);
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(got == static_cast<ssize_t>(sizeof from_child));
  REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  const Uuid128 mine = NewUuid();
  CHECK_FALSE((mine.hi == from_child.hi && mine.lo == from_child.lo));
}

}  // namespace
}  // namespace folio
