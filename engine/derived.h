// Derived state: everything about the log that can be rebuilt from its events
// (docs/log-format.md, "Derived state"):
//
//   streams      stream id + version -> seq, and each stream's head version
//   idempotency  scoped key -> the outcome of the accepted request
//   state        aggregate snapshots of the domain (engine/domain/aggregates.h)
//
// None of it is in the synced batch that acknowledges a request. The writer
// keeps what the last checkpoint does not hold in memory as DerivedDeltas and
// writes them in the background (engine/checkpoint_io.h); on open the events
// after the checkpoint are derived again by the same Deriver.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/keys.h"
#include "engine/string_map.h"
#include "events/envelope.h"
#include "events/status.h"

namespace folio {

// Aggregate state changes: key -> new value, or nullopt for erased. A hash
// map: the sequencer looks keys up in four overlays per read and folds every
// group's overlay into the tail, and a std::map's string compares along shared
// key prefixes were its largest single cost in `bench append`. The domain's
// only range reads (the scheduler's clock.advance) filter and sort instead:
// ScanStateLayers, linear in the overlay's size.
using StateOverlay = StringMap<std::optional<std::string>>;

// The derived state of a run of consecutive events, in memory.
struct DerivedDelta {
  StringMap<std::uint64_t> stream_versions;  // stream id -> version after the run
  StringMap<std::uint64_t> index;            // keys::StreamIndexKey(stream, version) -> seq
  StringMap<std::string> idempotency;        // keys::IdempotencyKey -> record (engine/append.h)
  StateOverlay state;
  std::uint64_t events = 0;
  keys::Head through;  // the last event of the run; seq 0 when empty

  bool empty() const { return events == 0 && state.empty(); }
  // Folds `newer`, the delta of the events right after these, into this one.
  // REQUIRES: newer.events == 0 || newer's first event follows through.seq.
  void Absorb(DerivedDelta&& newer);
  // Sizes the tables for as many entries as `like` holds: a table grown one
  // doubling at a time hashes every key again at each step.
  void Reserve(const DerivedDelta& like);
  // Approximate heap bytes held (keys, values and table slots).
  std::size_t ApproxBytes() const;
};

// Where a Deriver reads what its own delta does not hold: the layers below it
// (an earlier group still being written, the writer's tail, the checkpoint).
class DerivedBelow {
 public:
  virtual ~DerivedBelow() = default;
  // Version of `stream` before the deriver's events (0: no events yet).
  virtual Result<std::uint64_t> StreamVersion(std::string_view stream) = 0;
  // The idempotency record of an accepted request under `key`, if any.
  virtual Result<std::optional<std::string>> Idempotency(std::string_view key) = 0;
  // The stream id of the event at `seq` (a request whose events continue
  // across two derivations needs its first event's stream).
  virtual Result<std::string> EventStream(std::uint64_t seq) = 0;
};

// Derives the streams and idempotency entries of stamped events, in log order,
// into a DerivedDelta. The writer, tail replay on open, sealed appends and
// `folio verify --deep` all derive through this one class, so what the writer
// keeps in memory is by construction what a rebuild would produce.
//
// Idempotency: the consecutive events that carry the same (scope, key) with a
// fingerprint are one request. Its record is
//   {fingerprint, first_seq, last_seq, stream_version, ok}
// where stream_version is the version, after the request, of the stream of its
// first event. Thread-compatible.
class Deriver {
 public:
  // REQUIRES: `delta` and `below` outlive the deriver.
  // `check_key_reuse`: look up every new request's key below and refuse an
  // event that reuses the key of an earlier request (events from outside;
  // the writer already looked each key up).
  Deriver(DerivedDelta& delta, DerivedBelow& below, bool check_key_reuse)
      : delta_(delta), below_(below), check_key_reuse_(check_key_reuse) {}

  // The version of `stream` after the events derived so far.
  Result<std::uint64_t> CurrentVersion(std::string_view stream);

  // Derives one stamped event whose hash is `hash`. Refused (corruption;
  // nothing derived) when its seq does not follow the last one, its stream
  // version does not follow its stream's, or it reuses an earlier key.
  Status Add(const fb::Envelope& env, const Hash32& hash);

  // What the record of the last event's request says so far.
  // REQUIRES: that event carried a request identity (EnvelopeRequest).
  struct RequestSpan {
    std::uint64_t first_seq = 0, last_seq = 0, stream_version = 0;
  };
  RequestSpan last_request() const;

 private:
  struct Run {
    std::string key;  // keys::IdempotencyKey
    Hash32 fingerprint{};
    std::uint64_t first_seq = 0, last_seq = 0, stream_version = 0;
    std::string first_stream;
  };
  Status TrackRequest(const fb::Envelope& env, std::uint64_t version);

  DerivedDelta& delta_;
  DerivedBelow& below_;
  const bool check_key_reuse_;
  std::optional<Run> run_;
};

}  // namespace folio
