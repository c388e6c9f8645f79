// What a caller hands the writer, and what it gets back.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "engine/domain/commands.h"
#include "events/hash.h"
#include "events/status.h"

namespace folio {

// expected_version values with special meaning.
inline constexpr std::uint64_t kAnyVersion = std::numeric_limits<std::uint64_t>::max();
inline constexpr std::uint64_t kNoStream = 0;  // the stream must not exist yet

struct AppendRequest {
  std::string stream_id;
  // The stream's version the caller expects before this append: kNoStream,
  // a version, or kAnyVersion (no check). Versions start at 1.
  std::uint64_t expected_version = kAnyVersion;
  // Idempotency: the key is looked up within its scope (say, the API key's
  // tenant). An empty key means "not idempotent" (internal use only).
  std::string idempotency_scope;
  std::string idempotency_key;
  // Identifies the request's content (not its attempt): the same key with a
  // different fingerprint is an idempotency_key_conflict.
  Hash32 fingerprint{};
  // Unstamped envelopes from EncodeEnvelope, in stream order. May be empty
  // only when the outcome to remember is a rejection (see `rejection`).
  // With an idempotency key, every envelope carries the request's scope, key
  // and fingerprint (EnvelopeMeta); without one, none does. That is what lets
  // the request's idempotency record be rebuilt from the log.
  std::vector<std::string> envelopes;
  // When true, `envelopes` are sealed: stamped and hash-chained by another
  // writer (a log mirrored from Kafka). They are appended as they are when
  // they continue this log (next seq, prev_hash = the head's hash, each hash
  // recomputes, stream versions follow) and their events apply to the
  // aggregate state; their derived state is maintained like any other's.
  // stream_id, expected_version, the idempotency fields, `rejection` and
  // `command` must be empty: idempotency comes from the envelopes.
  bool sealed = false;
  // When set, nothing is appended: the rejection is recorded under the
  // idempotency key so a retry gets the same answer.
  std::optional<Status> rejection;
  // When set, the writer runs the domain's Decide on it (against the state
  // left by the earlier requests of the group) and appends what it decides;
  // `envelopes` must then be empty and `stream_id` may be empty (the
  // command's primary stream is used).
  std::optional<domain::Command> command;
  domain::CommandContext context;  // for `command`; now_ns 0 = the writer's clock
};

// The outcome of an append. Once recorded under an idempotency key it is
// returned, unchanged, to every repeat of the same request.
struct AppendOutcome {
  Status status;                // ok, or the error / rejection code
  std::uint64_t first_seq = 0;  // 0 when nothing was appended
  std::uint64_t last_seq = 0;
  // After an append: the version of the stream of its first event (for a
  // command, its primary stream when it has events there). After a
  // stream_version_conflict: the stream's current version. Otherwise 0.
  std::uint64_t stream_version = 0;
  bool replayed = false;  // true when answered from the idempotency record
};

using AppendCallback = std::function<void(const AppendOutcome&)>;

// Idempotency record value (docs/log-format.md):
//   record := 0x01 fingerprint:32 first_seq:u64be last_seq:u64be stream_version:u64be
//             code_len:u16be code message_len:u32be message
std::string EncodeIdempotencyRecord(const Hash32& fingerprint, const AppendOutcome& outcome);
// Decodes into fingerprint and outcome (replayed = true). nullopt when malformed.
std::optional<std::pair<Hash32, AppendOutcome>> DecodeIdempotencyRecord(std::string_view value);

}  // namespace folio
