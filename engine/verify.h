// Verification of a whole log: what `folio verify` runs.
//
// Walks the events column family in order and checks, for every event: the
// envelope decodes and passes the FlatBuffers verifier; its seq equals its key
// and follows the previous one (no gap, starting at 1); prev_hash equals the
// previous event's hash (genesis: 32 zero bytes); its hash recomputes; the
// stream index has (stream, version) -> seq. Then walks the stream index:
// every stream's versions run 1, 2, 3, ... and each entry points at an event
// of that stream and version. Finally the head in `meta` must name the last
// event and its hash, and the derived-state checkpoint's marker an event of
// the log by its hash. Memory stays bounded: nothing is kept per event.
// (The derived state itself against a rebuild: engine/verify_derived.h.)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/log_store.h"

namespace folio {

struct VerifyReport {
  bool ok = true;
  std::uint64_t events = 0;
  std::uint64_t streams = 0;
  std::uint64_t head_seq = 0;
  Hash32 head_hash = kGenesisHash;
  std::optional<std::uint64_t> first_bad_seq;  // set when !ok and a seq is to blame
  std::string reason;                          // set when !ok
};

// Called every `progress_every` events with the count so far.
using VerifyProgress = std::function<void(std::uint64_t events_checked)>;

// Fails (non-OK Status) only when the log cannot be read at all; a damaged
// log gives ok == false in the report.
Result<VerifyReport> VerifyLog(const LogStore& store, const VerifyProgress& progress = nullptr,
                               std::uint64_t progress_every = 100'000);

}  // namespace folio
