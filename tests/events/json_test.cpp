// EventToJson over every member of the Event union, checked against Boost.JSON
// and against the generated type tables (an oracle independent of the
// reflection walk in json.cc). Also: the envelope encodes deterministically and
// round-trips every field through encode -> stamp -> decode.
#include "events/json.h"

#include <doctest/doctest.h>

// Compiles Boost.JSON header-only into this test.
#include <boost/json/src.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "events/envelope.h"
#include "events/money.h"
#include "tests/events/event_samples.h"

namespace folio {
namespace {

namespace json = boost::json;
using testing::M;
using testing::PayloadCtx;
using testing::Sample;
using testing::Samples;

constexpr Uuid128 kEventId{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
// Above INT64_MAX: the JSON must keep all 64 bits.
constexpr std::uint64_t kSeq = 9'223'372'036'854'775'813ULL;
constexpr std::uint64_t kStreamVersion = 7;
constexpr std::int64_t kRecordedAtNs = 1'795'000'000'123'456'789;

EnvelopeMeta SampleMeta() {
  EnvelopeMeta meta;
  meta.stream_id = "payment-付款-0001";
  meta.event_id = kEventId;
  meta.occurred_at_ns = -5;  // before the epoch: negative numbers render too
  meta.actor = "ops@例子.cn";
  meta.correlation_id = "corr-1";
  meta.causation_id = "cause-1";
  meta.idempotency_key = "idem-1";
  return meta;
}

Hash32 SamplePrevHash() {
  Hash32 h{};
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(0xA0 + i);
  return h;
}

struct Encoded {
  std::string bytes;  // unstamped
  std::vector<std::string> strings;
};

Encoded Encode(fb::Event type, const Sample& sample) {
  Encoded e;
  e.bytes = EncodeEnvelope(SampleMeta(), type, [&](flatbuffers::FlatBufferBuilder& b) {
    e.strings.clear();  // the builder may in principle run more than once
    PayloadCtx ctx{b, e.strings};
    return sample.build(ctx);
  });
  return e;
}

EventRecord StampAndDecode(std::string bytes) {
  StampEnvelope(bytes, kSeq, kStreamVersion, kRecordedAtNs, SamplePrevHash());
  auto record = EventRecord::Decode(std::move(bytes));
  REQUIRE_MESSAGE(record.ok(), record.status().ToString());
  return std::move(record).value();
}

json::object ParseObject(const std::string& text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  REQUIRE_MESSAGE(!ec, ec.message() << " in " << text);
  REQUIRE(v.is_object());
  return v.as_object();
}

std::uint64_t U64(const json::value& v) {
  if (v.is_uint64()) return v.get_uint64();
  REQUIRE(v.is_int64());
  REQUIRE(v.get_int64() >= 0);
  return static_cast<std::uint64_t>(v.get_int64());
}

std::string Str(const json::value& v) {
  REQUIRE(v.is_string());
  return std::string(v.get_string());
}

void CollectStrings(const json::value& v, std::vector<std::string>& out) {
  if (v.is_string()) out.emplace_back(v.get_string());
  if (v.is_array()) {
    for (const auto& e : v.get_array()) CollectStrings(e, out);
  }
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) CollectStrings(kv.value(), out);
  }
}

std::vector<std::string> Keys(const json::object& o) {
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  return keys;
}

// Field names in declaration order, from the generated mini-reflection tables.
std::vector<std::string> DeclaredFields(const flatbuffers::TypeTable* tt) {
  return std::vector<std::string>(tt->names, tt->names + tt->num_elems);
}

const flatbuffers::TypeTable* MemberTable(fb::Event type) {
  const flatbuffers::TypeTable* tt = fb::EventTypeTable();
  auto value = static_cast<std::size_t>(type);
  REQUIRE(value < tt->num_elems);
  REQUIRE(tt->values == nullptr);  // consecutive members: index == value
  auto ref = tt->type_codes[value].sequence_ref;
  REQUIRE(ref >= 0);
  return tt->type_refs[static_cast<std::size_t>(ref)]();
}

void CheckEnvelopeJson(const EventRecord& record, const json::object& o) {
  const EnvelopeMeta meta = SampleMeta();
  std::vector<std::string> expected_keys = DeclaredFields(fb::EnvelopeTypeTable());
  for (auto& k : expected_keys) {
    if (k == "event_type") k = "type";
  }
  CHECK(Keys(o) == expected_keys);
  CHECK(Str(o.at("type")) == record.type_name());
  CHECK(Str(o.at("stream_id")) == meta.stream_id);
  CHECK(U64(o.at("seq")) == kSeq);
  CHECK(U64(o.at("stream_version")) == kStreamVersion);
  CHECK(U64(o.at("schema_version")) == kSchemaVersion);
  CHECK(o.at("occurred_at_ns").as_int64() == -5);
  CHECK(o.at("recorded_at_ns").as_int64() == kRecordedAtNs);
  CHECK(Str(o.at("event_id")) == "01234567-89ab-cdef-fedc-ba9876543210");
  CHECK(Str(o.at("actor")) == meta.actor);
  CHECK(Str(o.at("correlation_id")) == meta.correlation_id);
  CHECK(Str(o.at("causation_id")) == meta.causation_id);
  CHECK(Str(o.at("idempotency_key")) == meta.idempotency_key);
  CHECK(Str(o.at("hash")).size() == 64);
  CHECK(Str(o.at("hash")) == ToHex(record.hash()));
  CHECK(Str(o.at("prev_hash")) == ToHex(SamplePrevHash()));
}

TEST_CASE("EventToJson renders every member of the Event union") {
  const auto& samples = Samples();
  std::size_t rendered = 0;
  for (fb::Event type : fb::EnumValuesEvent()) {
    if (type == fb::Event::NONE) continue;
    const std::string name = fb::EnumNameEvent(type);
    CAPTURE(name);
    auto it = samples.find(type);
    REQUIRE_MESSAGE(it != samples.end(), "no sample builder for event type " << name);
    Encoded enc = Encode(type, it->second);
    EventRecord record = StampAndDecode(enc.bytes);
    REQUIRE(record.type() == type);
    const std::string text = EventToJson(record);
    CAPTURE(text);
    json::object o = ParseObject(text);
    CheckEnvelopeJson(record, o);

    REQUIRE(o.at("event").is_object());
    const json::object& event = o.at("event").as_object();
    // Every field was set, so every declared field is present, in order.
    CHECK(Keys(event) == DeclaredFields(MemberTable(type)));
    std::vector<std::string> seen;
    CollectStrings(event, seen);
    for (const std::string& s : enc.strings) {
      CHECK_MESSAGE(std::find(seen.begin(), seen.end(), s) != seen.end(), "missing string " << s);
    }
    const Sample& sample = it->second;
    if (sample.money_pointer != nullptr) {
      const json::value root(o);
      const json::value& money = root.at_pointer(sample.money_pointer);
      REQUIRE(money.is_object());
      CHECK(Keys(money.as_object()) == std::vector<std::string>{"amount", "currency"});
      CHECK(Str(money.at("amount")) == sample.amount);
      CHECK(Str(money.at("currency")) == sample.currency);
    }
    ++rendered;
  }
  CHECK(rendered == samples.size());  // no stale samples for removed members either
}

EventRecord RecordOf(fb::Event type) {
  return StampAndDecode(Encode(type, Samples().at(type)).bytes);
}

TEST_CASE("EventToJson renders scalars, enums, vectors and structs exactly") {
  json::object o = ParseObject(EventToJson(RecordOf(fb::Event::CryptoConfirmationsObserved)));
  CHECK(U64(o.at("event").at("block_height")) == 18'446'744'073'709'551'615ULL);
  CHECK(U64(o.at("event").at("confirmations")) == 12);

  o = ParseObject(EventToJson(RecordOf(fb::Event::PaymentCreated)));
  CHECK(Str(o.at("event").at("method")) == "Alipay");
  CHECK(Str(o.at("event").at("destination")) == "Trust");
  CHECK(o.at("event").at("expires_at_ns").as_int64() == 1'800'000'000'000'000'000);

  o = ParseObject(EventToJson(RecordOf(fb::Event::MethodConfigured)));
  CHECK(o.at("event").at("enabled") == json::value(false));
  CHECK(Str(o.at("event").at("method")) == "Card");
  const json::array& rules = o.at("event").at("rules").as_array();
  REQUIRE(rules.size() == 2);
  CHECK(Str(rules[0].at("asset")) == "CNY");
  CHECK(U64(rules[0].at("fee").at("rate_bp")) == 60);
  CHECK(Str(rules[1].at("fee").at("fixed").at("amount")) == "0.00001000");

  o = ParseObject(EventToJson(RecordOf(fb::Event::StatementImported)));
  CHECK(Str(o.at("event").at("source")) == "Alipay");
  CHECK(Str(o.at("event").at("file_sha256")) ==
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const json::array& lines = o.at("event").at("lines").as_array();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].at("is_debit") == json::value(false));
  CHECK(lines[1].at("is_debit") == json::value(true));
  CHECK(Str(lines[1].at("kind")) == "退款");

  o = ParseObject(EventToJson(RecordOf(fb::Event::TrustDepositRecorded)));
  CHECK(o.at("event").at("cleared") == json::value(false));
  CHECK(Str(o.at("event").at("method")) == "BankTransfer");

  o = ParseObject(EventToJson(RecordOf(fb::Event::ReconciliationRunStarted)));
  CHECK(o.at("event").at("period_start_ns").as_int64() == -1'000'000'000);
}

EventRecord Settled(const fb::Money& amount, const std::string& payment_id) {
  EnvelopeMeta meta = SampleMeta();
  std::string bytes = EncodeEnvelope(meta, fb::Event::PaymentSettled, [&](auto& b) {
    return fb::CreatePaymentSettledDirect(b, payment_id.c_str(), nullptr, &amount, &amount, &amount)
        .Union();
  });
  return StampAndDecode(std::move(bytes));
}

TEST_CASE("EventToJson renders Money outside the registry by its minor units") {
  const u128 big = (u128{0x1234} << 64) | 5;  // needs the high half
  SUBCASE("unknown asset value") {
    fb::Money m(5, 0x1234, static_cast<Asset>(200));
    json::object o = ParseObject(EventToJson(Settled(m, "p")));
    const json::object& amount = o.at("event").at("amount").as_object();
    CHECK(Keys(amount) == std::vector<std::string>{"minor", "asset"});
    CHECK(Str(amount.at("minor")) == U128ToString(big));
    CHECK(Str(amount.at("minor")) == "85961827383486510530565");
    CHECK(U64(amount.at("asset")) == 200);
  }
  SUBCASE("Asset::Unknown") {
    fb::Money m(7, 0, Asset::Unknown);
    json::object o = ParseObject(EventToJson(Settled(m, "p")));
    CHECK(Str(o.at("event").at("amount").at("minor")) == "7");
    CHECK(U64(o.at("event").at("amount").at("asset")) == 0);
  }
  SUBCASE("registered asset with a high half") {
    fb::Money m(5, 0x1234, Asset::ETH);
    json::object o = ParseObject(EventToJson(Settled(m, "p")));
    CHECK(Str(o.at("event").at("amount").at("amount")) == "85961.827383486510530565");
  }
}

TEST_CASE("EventToJson renders an enum value the schema does not know as a number") {
  EnvelopeMeta meta = SampleMeta();
  std::string bytes = EncodeEnvelope(meta, fb::Event::CustomerPreferenceSet, [&](auto& b) {
    return fb::CreateCustomerPreferenceSetDirect(b, "c", static_cast<fb::Method>(200)).Union();
  });
  json::object o = ParseObject(EventToJson(StampAndDecode(std::move(bytes))));
  CHECK(U64(o.at("event").at("method")) == 200);
}

// Folio writes every scalar (ForceDefaults), so a scalar absent from an event
// is one the schema gained after the event was written: leaving it out keeps
// an old event's JSON the same bytes (tests/adapters/legacy_log_itest.cpp).
TEST_CASE("EventToJson shows the fields an event was written with, default values included") {
  EnvelopeMeta meta = SampleMeta();
  std::string bytes = EncodeEnvelope(meta, fb::Event::PaymentCreated, [&](auto& b) {
    fb::PaymentCreatedBuilder pb(b);
    pb.add_method(fb::Method::Btc);
    pb.add_destination(fb::Destination::Operating);  // the default, written
    pb.add_due_at_ns(0);                             // the default, written
    return pb.Finish().Union();                      // no expires_at_ns, no strings
  });
  json::object o = ParseObject(EventToJson(StampAndDecode(std::move(bytes))));
  const json::object& event = o.at("event").as_object();
  CHECK(Keys(event) == std::vector<std::string>{"method", "destination", "due_at_ns"});
  CHECK(Str(event.at("method")) == "Btc");
  CHECK(Str(event.at("destination")) == "Operating");
  CHECK(event.at("due_at_ns").as_int64() == 0);
}

TEST_CASE("EventToJson escapes strings and replaces invalid UTF-8") {
  // quote, backslash, controls, DEL, 2/3/4-byte UTF-8, then invalid: a lone
  // continuation byte, an overlong '/', a surrogate, past U+10FFFF, a cut sequence.
  const std::string raw =
      "q\"b\\c\x01\n\t\x1f\x7f|中文|é|\xF0\x9F\x92\xB0|\x80|\xC0\xAF|\xED\xA0\x80|\xF4\x90\x80\x80|"
      "\xE4\xB8";
  json::object o = ParseObject(EventToJson(Settled(M(Asset::CNY, 1), raw)));
  const std::string text = EventToJson(Settled(M(Asset::CNY, 1), raw));
  CHECK(text.find(R"("q\"b\\c\u0001\u000a\u0009\u001f)") != std::string::npos);
  const std::string expected =
      "q\"b\\c\x01\n\t\x1f\x7f|中文|é|\xF0\x9F\x92\xB0|\uFFFD|\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD|"
      "\uFFFD\uFFFD\uFFFD\uFFFD|\uFFFD\uFFFD";
  CHECK(Str(o.at("event").at("payment_id")) == expected);
  // The output itself is valid UTF-8 with only ASCII escapes for the bad bytes.
  CHECK(text.find("\\ufffd") != std::string::npos);
}

TEST_CASE("EventToJson renders valid JSON for every flipped envelope that Decode accepts") {
  std::size_t rendered = 0;
  for (fb::Event type : {fb::Event::StatementImported, fb::Event::MethodConfigured}) {
    std::string original = Encode(type, Samples().at(type)).bytes;
    StampEnvelope(original, kSeq, kStreamVersion, kRecordedAtNs, SamplePrevHash());
    for (std::size_t pos = 0; pos < original.size(); ++pos) {
      for (std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xFF}}) {
        std::string bytes = original;
        bytes[pos] = static_cast<char>(static_cast<std::uint8_t>(bytes[pos]) ^ mask);
        auto r = EventRecord::Decode(std::move(bytes));
        if (!r.ok()) continue;
        CAPTURE(pos);
        const std::string text = EventToJson(*r);
        json::error_code ec;
        json::value v = json::parse(text, ec);
        CHECK_MESSAGE(!ec, text);
        CHECK(v.is_object());
        ++rendered;
      }
    }
  }
  CHECK(rendered > 0);
}

TEST_CASE("Decode rejects every truncation of every sample envelope") {
  for (const auto& [type, sample] : Samples()) {
    CAPTURE(fb::EnumNameEvent(type));
    std::string bytes = Encode(type, sample).bytes;
    StampEnvelope(bytes, kSeq, kStreamVersion, kRecordedAtNs, SamplePrevHash());
    for (std::size_t len = 0; len < bytes.size(); ++len) {
      CAPTURE(len);
      CHECK_FALSE(EventRecord::Decode(bytes.substr(0, len)).ok());
    }
  }
}

TEST_CASE("EventToJson is safe to call from many threads") {
  EventRecord record = RecordOf(fb::Event::StatementImported);
  const std::string expected = EventToJson(record);
  std::vector<std::thread> threads;
  std::vector<std::string> outputs(8);
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 50; ++k) outputs[i] = EventToJson(record);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& out : outputs) CHECK(out == expected);
}

TEST_CASE("EncodeEnvelope is deterministic for the same meta and payload") {
  for (const auto& [type, sample] : Samples()) {
    CAPTURE(fb::EnumNameEvent(type));
    Encoded a = Encode(type, sample);
    Encoded b = Encode(type, sample);
    CHECK(a.bytes == b.bytes);
    StampEnvelope(a.bytes, 1, 1, 1, kGenesisHash);
    StampEnvelope(b.bytes, 1, 1, 1, kGenesisHash);
    CHECK(a.bytes == b.bytes);
  }
}

TEST_CASE("Encode, stamp and decode round-trip every envelope field") {
  for (const auto& [type, sample] : Samples()) {
    CAPTURE(fb::EnumNameEvent(type));
    std::string bytes = Encode(type, sample).bytes;
    const std::size_t size_before = bytes.size();
    Hash32 h = StampEnvelope(bytes, kSeq, kStreamVersion, kRecordedAtNs, SamplePrevHash());
    CHECK(bytes.size() == size_before);  // stamped in place
    auto decoded = EventRecord::Decode(bytes);
    REQUIRE(decoded.ok());
    const EventRecord& r = *decoded;
    const EnvelopeMeta meta = SampleMeta();
    CHECK(r.bytes() == bytes);
    CHECK(r.seq() == kSeq);
    CHECK(r.stream_id() == meta.stream_id);
    CHECK(r.stream_version() == kStreamVersion);
    CHECK(r.type() == type);
    CHECK(r.hash() == h);
    CHECK(r.ComputeHash() == h);
    CHECK(r.prev_hash() == SamplePrevHash());
    const fb::Envelope& env = r.env();
    CHECK(env.event_id()->hi() == kEventId.hi);
    CHECK(env.event_id()->lo() == kEventId.lo);
    CHECK(env.schema_version() == kSchemaVersion);
    CHECK(env.occurred_at_ns() == meta.occurred_at_ns);
    CHECK(env.recorded_at_ns() == kRecordedAtNs);
    CHECK(env.actor()->string_view() == meta.actor);
    CHECK(env.correlation_id()->string_view() == meta.correlation_id);
    CHECK(env.causation_id()->string_view() == meta.causation_id);
    CHECK(env.idempotency_key()->string_view() == meta.idempotency_key);
    CHECK(env.event() != nullptr);
  }
}

TEST_CASE("EncodeEnvelope assigns a random version-4 event_id when none is given") {
  EnvelopeMeta meta = SampleMeta();
  meta.event_id = Uuid128{};
  auto build = [](flatbuffers::FlatBufferBuilder& b) {
    return fb::CreatePaymentExpiredDirect(b, "p").Union();
  };
  auto a = EventRecord::Decode(EncodeEnvelope(meta, fb::Event::PaymentExpired, build));
  auto b = EventRecord::Decode(EncodeEnvelope(meta, fb::Event::PaymentExpired, build));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  Uuid128 ida{a->env().event_id()->hi(), a->env().event_id()->lo()};
  Uuid128 idb{b->env().event_id()->hi(), b->env().event_id()->lo()};
  CHECK_FALSE(ida == idb);
  std::string s = UuidToString(ida);
  CHECK(s.size() == 36);
  CHECK(s[14] == '4');
  CHECK((s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b'));
}

TEST_CASE("UUIDs and hashes print as lower-case hex, appended after what is there") {
  const Uuid128 id{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
  CHECK(UuidToString(id) == "01234567-89ab-cdef-fedc-ba9876543210");
  CHECK(UuidToString({}) == "00000000-0000-0000-0000-000000000000");
  std::string out = "id=";
  AppendUuid(&out, id);
  CHECK(out == "id=01234567-89ab-cdef-fedc-ba9876543210");
  const std::uint8_t bytes[] = {0x00, 0x0f, 0xa0, 0xff};
  CHECK(ToHex(bytes) == "000fa0ff");
  out = "h:";
  AppendHex(&out, bytes);
  CHECK(out == "h:000fa0ff");
}

}  // namespace
}  // namespace folio
