// The pure domain: decide and apply. No I/O, no clock, no RocksDB.
//
//   Decide(state, command, ctx) -> events (unstamped envelopes) | Rejection
//   Apply(state, envelope)      -> state changes
//
// The writer runs Decide then Apply for each command of a group in order,
// against a StateStore holding the state left by the earlier commands, so a
// group behaves exactly as if its commands ran one by one. Replay runs the
// same Apply over the log. Decide never changes state; a rejection leaves the
// state byte-identical.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/domain/commands.h"
#include "engine/domain/state_store.h"
#include "events/envelope.h"

namespace folio::domain {

struct Rejection {
  std::string_view code;  // a constant of engine/domain/rejections.h (docs/rejections.md)
  std::string message;
};

// Envelopes from EncodeEnvelope (stream_id set per event; they may span
// several streams, e.g. a settled trust payment also deposits to the matter).
using Events = std::vector<std::string>;
using Decision = std::variant<Events, Rejection>;

Decision Decide(StateStore& state, const Command& command, const CommandContext& ctx);

// REQUIRES: `env` is a verified envelope of a Folio event.
void Apply(StateStore& state, const fb::Envelope& env);

// Apply for an event that did not come from Decide on this state (a raw
// append, an event read from Kafka): when the event does not fit the state
// (a settlement of an unknown payment, an amount in another asset, ...), where
// Apply would stop the process, it returns false with the reason in `why` and
// leaves `state` untouched. Otherwise the same changes as Apply.
// REQUIRES: `env` is a verified envelope.
bool TryApply(StateStore& state, const fb::Envelope& env, std::string* why);
// The same for several events, all or none: when one does not fit, none of
// them changes `state`.
bool TryApply(StateStore& state, const std::vector<const fb::Envelope*>& events, std::string* why);

// The aggregate keys Decide of `command` at `now_ns` (and Apply of its
// events), or Apply of `event`, will read first: a hint for batched reads.
std::vector<std::string> StateKeysOf(const Command& command, std::int64_t now_ns);
std::vector<std::string> StateKeysOf(const fb::Envelope& event);

// The stream a command is primarily about ("payment:p1", "trust:cl1:m1", ...).
std::string PrimaryStream(const Command& command);

}  // namespace folio::domain
