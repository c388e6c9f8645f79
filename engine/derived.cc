#include "engine/derived.h"

#include "engine/append.h"
#include "engine/assert.h"
#include "events/codes.h"

namespace folio {
namespace {

Status Corrupt(std::uint64_t seq, std::string why) {
  return Status::Error(codes::kCorruption, "seq " + std::to_string(seq) + ": " + why);
}

template <typename Map>
void MoveInto(Map& to, Map&& from) {
  if (to.empty() && to.bucket_count() < from.bucket_count()) {  // keep a reserved table
    to = std::move(from);
    return;
  }
  for (auto& [k, v] : from)
    to.insert_or_assign(std::move(const_cast<std::string&>(k)), std::move(v));
  from.clear();
}

}  // namespace

void DerivedDelta::Absorb(DerivedDelta&& newer) {
  FOLIO_ASSERT(newer.events == 0 || events == 0 || newer.through.seq > through.seq,
               "a delta absorbs only the events after its own");
  MoveInto(stream_versions, std::move(newer.stream_versions));
  MoveInto(index, std::move(newer.index));
  MoveInto(idempotency, std::move(newer.idempotency));
  MoveInto(state, std::move(newer.state));
  if (newer.events > 0) through = newer.through;
  events += newer.events;
  newer = DerivedDelta{};
}

void DerivedDelta::Reserve(const DerivedDelta& like) {
  stream_versions.reserve(like.stream_versions.size());
  index.reserve(like.index.size());
  idempotency.reserve(like.idempotency.size());
  state.reserve(like.state.size());
}

std::size_t DerivedDelta::ApproxBytes() const {
  // Slots of the flat maps, plus the heap of strings longer than the SSO buffer.
  constexpr std::size_t kSso = 15;
  auto str = [](const std::string& s) { return s.size() > kSso ? s.capacity() + 1 : 0; };
  std::size_t bytes = 0;
  bytes += stream_versions.bucket_count() * (sizeof(std::string) + 8 + 1);
  for (const auto& [k, v] : stream_versions) bytes += str(k);
  bytes += index.bucket_count() * (sizeof(std::string) + 8 + 1);
  for (const auto& [k, v] : index) bytes += str(k);
  bytes += idempotency.bucket_count() * (2 * sizeof(std::string) + 1);
  for (const auto& [k, v] : idempotency) bytes += str(k) + str(v);
  bytes += state.bucket_count() * (sizeof(std::string) + sizeof(std::optional<std::string>) + 1);
  for (const auto& [k, v] : state) bytes += str(k) + (v ? str(*v) : 0);
  return bytes;
}

Result<std::uint64_t> Deriver::CurrentVersion(std::string_view stream) {
  if (auto it = delta_.stream_versions.find(stream); it != delta_.stream_versions.end()) {
    return it->second;
  }
  ASSIGN_OR_RETURN(std::uint64_t v, below_.StreamVersion(stream));
  delta_.stream_versions.emplace(std::string(stream), v);
  return v;
}

Status Deriver::Add(const fb::Envelope& env, const Hash32& hash) {
  const std::uint64_t seq = env.seq();
  if (delta_.through.seq != 0 && seq != delta_.through.seq + 1) {
    return Corrupt(seq, "does not follow seq " + std::to_string(delta_.through.seq));
  }
  const std::string_view stream = env.stream_id()->string_view();
  ASSIGN_OR_RETURN(std::uint64_t current, CurrentVersion(stream));
  if (env.stream_version() != current + 1) {
    return Corrupt(seq, "stream '" + std::string(stream) + "' version " +
                            std::to_string(env.stream_version()) + " does not follow " +
                            std::to_string(current));
  }
  RETURN_IF_ERROR(TrackRequest(env, env.stream_version()));
  if (auto it = delta_.stream_versions.find(stream); it != delta_.stream_versions.end()) {
    it->second = env.stream_version();  // CurrentVersion above put the stream in
  }
  delta_.index.insert_or_assign(keys::StreamIndexKey(stream, env.stream_version()), seq);
  delta_.through = keys::Head{seq, hash};
  ++delta_.events;
  return OkStatus();
}

// The consecutive events of one request share (scope, key); a request whose
// first event this deriver did not see started in an earlier derivation, and
// its record so far is found below.
Status Deriver::TrackRequest(const fb::Envelope& env, std::uint64_t version) {
  const std::uint64_t seq = env.seq();
  std::optional<RequestIdentity> id = EnvelopeRequest(env);
  if (!id) {
    run_.reset();
    return OkStatus();
  }
  std::string key = keys::IdempotencyKey(id->scope, id->key);
  const std::string_view stream = env.stream_id()->string_view();
  const bool continues = run_ && run_->key == key && run_->last_seq + 1 == seq;
  if (!continues) {
    const bool first_of_derivation = !run_.has_value() && delta_.events == 0;
    run_.reset();
    std::optional<std::string> earlier;
    if (auto it = delta_.idempotency.find(key); it != delta_.idempotency.end()) {
      earlier = it->second;
    } else if (check_key_reuse_ || first_of_derivation) {
      ASSIGN_OR_RETURN(earlier, below_.Idempotency(key));
    }
    if (earlier) {
      auto rec = DecodeIdempotencyRecord(*earlier);
      if (!rec || rec->first != id->fingerprint || rec->second.last_seq + 1 != seq) {
        return Corrupt(seq, "idempotency key '" + std::string(id->key) +
                                "' was already used by an earlier request");
      }
      ASSIGN_OR_RETURN(std::string first_stream, below_.EventStream(rec->second.first_seq));
      run_ = Run{key,
                 id->fingerprint,
                 rec->second.first_seq,
                 rec->second.last_seq,
                 rec->second.stream_version,
                 std::move(first_stream)};
    } else {
      run_ = Run{std::move(key), id->fingerprint, seq, seq, version, std::string(stream)};
    }
  } else if (run_->fingerprint != id->fingerprint) {
    return Corrupt(seq, "events of one request carry different fingerprints");
  }
  run_->last_seq = seq;
  if (stream == run_->first_stream) run_->stream_version = version;
  AppendOutcome o;
  o.first_seq = run_->first_seq;
  o.last_seq = run_->last_seq;
  o.stream_version = run_->stream_version;
  delta_.idempotency.insert_or_assign(run_->key, EncodeIdempotencyRecord(run_->fingerprint, o));
  return OkStatus();
}

Deriver::RequestSpan Deriver::last_request() const {
  FOLIO_ASSERT(run_.has_value(), "last_request after an event without a request identity");
  return RequestSpan{run_->first_seq, run_->last_seq, run_->stream_version};
}

}  // namespace folio
