#include "events/envelope.h"

#include <openssl/rand.h>
#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "events/codes.h"

namespace folio {
namespace {

// FlatBufferBuilder::Finish pads a buffer to a multiple of its largest
// alignment, which for an envelope is at least 8 (seq is a ulong and always
// written). The verifier cannot see trailing padding, so this is what rejects
// an envelope truncated by 1..7 bytes.
constexpr std::size_t kEnvelopeSizeMultiple = 8;

Status Invalid(std::string why) { return Status::Error(codes::kEnvelopeInvalid, std::move(why)); }

fb::Hash32 ToFbHash(const Hash32& h) {
  fb::Hash32 out;
  std::memcpy(out.mutable_bytes()->Data(), h.data(), h.size());
  return out;
}

Hash32 FromFbHash(const fb::Hash32* h) {
  Hash32 out{};
  if (h != nullptr) std::memcpy(out.data(), h->bytes()->Data(), out.size());
  return out;
}

// Offset of the 32 hash bytes inside the buffer.
std::size_t HashOffset(const std::string& bytes) {
  const fb::Envelope* env = fb::GetEnvelope(bytes.data());
  return static_cast<std::size_t>(reinterpret_cast<const char*>(env->hash()->bytes()->Data()) -
                                  bytes.data());
}

// The hash an event's bytes should carry: its hash field read as zeros.
Hash32 HashWithZeroedField(const std::string& bytes, const Hash32& prev) {
  return Sha256ChainZeroed(
      prev, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, HashOffset(bytes));
}

// Random bytes for event ids, drawn from OpenSSL's DRBG a page at a time: one
// RAND_bytes call per event (its context look-up and locking) was a tenth of
// the writer's sequencer in `bench domain`. A forked child must never hand out
// bytes its parent buffered too: every fork moves the generation on, and a
// buffer of an older generation is drawn again.
std::atomic<std::uint64_t> g_fork_generation{0};

void MoveForkGeneration() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }

struct RandomPool {
  std::uint8_t bytes[4096];
  std::size_t used = sizeof bytes;
  std::uint64_t generation = 0;
};

void RandomBytes16(std::uint8_t* out) {
  [[maybe_unused]] static const int registered =
      pthread_atfork(nullptr, nullptr, MoveForkGeneration);
  thread_local RandomPool pool;
  const std::uint64_t generation = g_fork_generation.load(std::memory_order_relaxed);
  if (pool.used + 16 > sizeof pool.bytes || pool.generation != generation) {
    if (RAND_bytes(pool.bytes, sizeof pool.bytes) != 1) std::abort();
    pool.used = 0;
    pool.generation = generation;
  }
  std::memcpy(out, pool.bytes + pool.used, 16);
  std::memset(pool.bytes + pool.used, 0, 16);  // handed out once
  pool.used += 16;
}

}  // namespace

Uuid128 NewUuid() {
  std::uint8_t b[16];
  RandomBytes16(b);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  Uuid128 id;
  for (int i = 0; i < 8; ++i) id.hi = (id.hi << 8) | b[i];
  for (int i = 8; i < 16; ++i) id.lo = (id.lo << 8) | b[i];
  return id;
}

void AppendUuid(std::string* out, const Uuid128& id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::size_t at = out->size();
  out->resize(at + 36);
  char* p = out->data() + at;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) *p++ = '-';
    const std::uint64_t word = i < 16 ? id.hi : id.lo;
    *p++ = kDigits[(word >> (60 - 4 * (i % 16))) & 0xf];
  }
}

std::string UuidToString(const Uuid128& id) {
  std::string out;
  AppendUuid(&out, id);
  return out;
}

std::string EncodeEnvelope(const EnvelopeMeta& meta, fb::Event type, const PayloadBuilder& build) {
  // One builder per thread: its buffer is reused instead of allocated per event.
  thread_local flatbuffers::FlatBufferBuilder b(1024);
  b.Clear();
  b.ForceDefaults(true);
  auto payload = build(b);
  Uuid128 id = (meta.event_id == Uuid128{}) ? NewUuid() : meta.event_id;
  fb::Uuid event_id(id.hi, id.lo);
  fb::Hash32 zero = ToFbHash(kGenesisHash);
  const bool keyed = !meta.idempotency_key.empty();
  fb::Hash32 fingerprint = ToFbHash(meta.request_fingerprint);
  auto env = fb::CreateEnvelopeDirect(
      b, /*seq=*/0, &event_id, meta.stream_id.c_str(), /*stream_version=*/0, kSchemaVersion,
      meta.occurred_at_ns, /*recorded_at_ns=*/0, meta.actor.c_str(), meta.correlation_id.c_str(),
      meta.causation_id.c_str(), meta.idempotency_key.c_str(), &zero, &zero, type, payload,
      keyed ? meta.idempotency_scope.c_str() : nullptr, keyed ? &fingerprint : nullptr);
  fb::FinishEnvelopeBuffer(b, env);
  if (b.GetSize() % kEnvelopeSizeMultiple != 0) std::abort();  // Decode relies on it
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Hash32 StampEnvelope(std::string& bytes, std::uint64_t seq, std::uint64_t stream_version,
                     std::int64_t recorded_at_ns, const Hash32& prev_hash) {
  fb::Envelope* env = fb::GetMutableEnvelope(bytes.data());
  bool ok = env->mutate_seq(seq) && env->mutate_stream_version(stream_version) &&
            env->mutate_recorded_at_ns(recorded_at_ns);
  if (!ok) std::abort();  // REQUIRES violated: not built by EncodeEnvelope
  char* base = bytes.data();
  auto* prev = const_cast<std::uint8_t*>(env->prev_hash()->bytes()->Data());
  std::memcpy(prev, prev_hash.data(), prev_hash.size());
  std::uint8_t* hash = reinterpret_cast<std::uint8_t*>(base + HashOffset(bytes));
  std::memset(hash, 0, sizeof(Hash32));
  Hash32 h =
      Sha256Chain(prev_hash, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
  std::memcpy(hash, h.data(), h.size());
  return h;
}

Status VerifyEnvelope(std::string_view bytes) {
  // The verifier reads scalars in place: a misaligned buffer would be UB.
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(std::uint64_t) != 0) {
    return Invalid("envelope buffer is not 8-byte aligned");
  }
  if (bytes.size() < 16) return Invalid("envelope shorter than 16 bytes");
  if (bytes.size() > kEnvelopeBytesMax) return Invalid("envelope larger than 4 MiB");
  if (bytes.size() % kEnvelopeSizeMultiple != 0) {
    return Invalid("envelope size not a multiple of 8 (truncated?)");
  }
  if (!fb::EnvelopeBufferHasIdentifier(bytes.data())) return Invalid("missing FOL1 identifier");
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 32;
  opts.max_tables = 1'000'000;
  flatbuffers::Verifier verifier(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                                 opts);
  if (!fb::VerifyEnvelopeBuffer(verifier)) return Invalid("FlatBuffers verifier rejected envelope");
  const fb::Envelope* env = fb::GetEnvelope(bytes.data());
  if (env->stream_id() == nullptr || env->stream_id()->size() == 0) {
    return Invalid("stream_id missing");
  }
  if (env->event_id() == nullptr) return Invalid("event_id missing");
  if (env->prev_hash() == nullptr || env->hash() == nullptr) return Invalid("hash fields missing");
  if (env->schema_version() == 0 || env->schema_version() > kSchemaVersion) {
    return Invalid("unknown schema_version " + std::to_string(env->schema_version()));
  }
  if (env->event_type() == fb::Event::NONE || env->event_type() > fb::Event::MAX ||
      env->event() == nullptr) {
    return Invalid("event payload missing");
  }
  return OkStatus();
}

std::optional<RequestIdentity> EnvelopeRequest(const fb::Envelope& env) {
  if (env.idempotency_key() == nullptr || env.idempotency_key()->size() == 0 ||
      env.request_fingerprint() == nullptr) {
    return std::nullopt;
  }
  RequestIdentity id;
  id.scope = env.idempotency_scope() ? env.idempotency_scope()->string_view() : std::string_view();
  id.key = env.idempotency_key()->string_view();
  id.fingerprint = FromFbHash(env.request_fingerprint());
  return id;
}

Result<EventRecord> EventRecord::Decode(std::string bytes) {
  RETURN_IF_ERROR(VerifyEnvelope(bytes));
  return EventRecord(std::move(bytes));
}

Hash32 EventRecord::hash() const { return FromFbHash(env().hash()); }
Hash32 EventRecord::prev_hash() const { return FromFbHash(env().prev_hash()); }
Hash32 EventRecord::ComputeHash() const { return HashWithZeroedField(bytes_, prev_hash()); }

}  // namespace folio
