// The event envelope: encoding, verified decoding and the in-place stamping the
// writer does when it assigns a sequence. Byte grammar and hashing rules:
// docs/log-format.md.
//
//   bytes := FlatBuffer(root = fb::Envelope, file_identifier "FOL1")
//   hash  := SHA-256(prev_hash || bytes with the 32 bytes of `hash` zeroed)
//
// Encoding always writes every scalar (ForceDefaults), so seq, stream_version,
// recorded_at_ns, prev_hash and hash have fixed places that StampEnvelope
// overwrites without rebuilding the buffer.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "events/hash.h"
#include "events/status.h"
#include "schemas/envelope_generated.h"

namespace folio {

inline constexpr std::uint16_t kSchemaVersion = 1;
// Largest envelope accepted by the decoder.
inline constexpr std::size_t kEnvelopeBytesMax = 4u << 20;

struct Uuid128 {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  friend bool operator==(const Uuid128&, const Uuid128&) = default;
};
// A random version-4 UUID (OpenSSL RAND_bytes). Thread-safe.
Uuid128 NewUuid();
// 8-4-4-4-12 lower-case hex.
std::string UuidToString(const Uuid128& id);
// The same appended to `out` (reuses its capacity).
void AppendUuid(std::string* out, const Uuid128& id);

// Fields of the envelope chosen by the caller. The writer fills seq,
// stream_version, recorded_at_ns and the hashes.
struct EnvelopeMeta {
  std::string stream_id;
  Uuid128 event_id;  // Default: a new random UUID when zero
  std::int64_t occurred_at_ns = 0;
  std::string actor;
  std::string correlation_id;
  std::string causation_id;
  std::string idempotency_key;
  // The request's idempotency scope and fingerprint (engine/append.h). Written
  // only when idempotency_key is set; they let the engine rebuild the
  // request's idempotency record from the log.
  std::string idempotency_scope;
  Hash32 request_fingerprint{};
};

// The (scope, key, fingerprint) an envelope carries; nullopt when it carries no
// idempotency key or was written before fingerprints were recorded.
struct RequestIdentity {
  std::string_view scope;
  std::string_view key;
  Hash32 fingerprint{};
  friend bool operator==(const RequestIdentity&, const RequestIdentity&) = default;
};
std::optional<RequestIdentity> EnvelopeRequest(const fb::Envelope& env);

using PayloadBuilder = std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)>;

// Builds an unstamped envelope (seq 0, zero hashes). `build` returns the
// offset of the payload table of type `type`.
std::string EncodeEnvelope(const EnvelopeMeta& meta, fb::Event type, const PayloadBuilder& build);

// Writes seq, stream_version, recorded_at_ns and prev_hash into `bytes` and
// then the chained hash; returns that hash.
// REQUIRES: `bytes` came from EncodeEnvelope (or decodes cleanly).
Hash32 StampEnvelope(std::string& bytes, std::uint64_t seq, std::uint64_t stream_version,
                     std::int64_t recorded_at_ns, const Hash32& prev_hash);

// Runs the checks of EventRecord::Decode on bytes in place (no copy).
// REQUIRES: bytes.data() is 8-byte aligned (heap std::string data is).
Status VerifyEnvelope(std::string_view bytes);

// A decoded, verified event: owns its bytes.
class EventRecord {
 public:
  // Runs the FlatBuffers verifier and the envelope's own rules (identifier,
  // required fields, known schema version, payload present). Never crashes on
  // hostile input; returns envelope_invalid with the reason.
  static Result<EventRecord> Decode(std::string bytes);

  const fb::Envelope& env() const { return *fb::GetEnvelope(bytes_.data()); }
  const std::string& bytes() const { return bytes_; }

  std::uint64_t seq() const { return env().seq(); }
  std::string_view stream_id() const { return env().stream_id()->string_view(); }
  std::uint64_t stream_version() const { return env().stream_version(); }
  fb::Event type() const { return env().event_type(); }
  std::string_view type_name() const { return fb::EnumNameEvent(type()); }
  Hash32 hash() const;
  Hash32 prev_hash() const;
  // The hash this record should carry given its own prev_hash field.
  Hash32 ComputeHash() const;

 private:
  explicit EventRecord(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string bytes_;
};

}  // namespace folio
