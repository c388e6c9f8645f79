// Where a projection got to, and the one code path that applies events to it
// (shared by the Projector and by `folio replay`).
//
// Checkpoint record, in the log's `meta` family:
//   key   := "proj/" name
//   value := version:u32be seq:u64be hash:32        (44 bytes)
// `seq` is the last event applied (0: none) and `hash` that event's hash
// (the genesis hash when seq is 0), so the next event's prev_hash must equal it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "events/envelope.h"
#include "events/hash.h"
#include "events/status.h"
#include "projections/projection.h"

namespace folio::projections {

inline constexpr std::string_view kProjectionLagTimeout = "projection_lag_timeout";
inline constexpr std::string_view kProjectionFailed = "projection_failed";
inline constexpr std::string_view kProjectionChainBroken = "projection_chain_broken";

struct Checkpoint {
  std::uint32_t version = 0;
  std::uint64_t seq = 0;
  Hash32 hash = kGenesisHash;
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

std::string CheckpointKey(std::string_view projection);
std::string EncodeCheckpoint(const Checkpoint& c);
std::optional<Checkpoint> DecodeCheckpoint(std::string_view value);

// Reads the checkpoint of `projection` from `meta_cf` (nullopt when none).
// `snapshot` may be null.
Result<std::optional<Checkpoint>> ReadCheckpoint(rocksdb::DB* db,
                                                 rocksdb::ColumnFamilyHandle* meta_cf,
                                                 std::string_view projection,
                                                 const rocksdb::Snapshot* snapshot = nullptr);

// Applies `events` in order to `projection`, whose state lives in `cf` of
// `db` at `*checkpoint`, adding its writes to `batch` (nothing is written to
// the database here). Each event must follow the checkpoint: seq + 1, its
// prev_hash equal to the checkpoint hash and its own hash correct (see
// HashCheck: a caller applying one batch to several projections hashes once); `*checkpoint`
// advances with every applied event. Stops at the first event that breaks the chain and returns
// projection_chain_broken (the events before it are in `batch`). An exception thrown by Apply
// (overflow) returns projection_failed; then `batch` must be discarded. The checkpoint record
// itself is NOT added; callers add it where they keep it. How ApplyEvents checks each event's own
// hash.
struct HashCheck {
  bool compute = true;  // recompute each event's SHA-256 here
  // The caller read the events through a LogCursor, which stopped at a broken
  // event: its seq (0: none) and why. Applying stops there too.
  std::uint64_t bad_seq = 0;
  std::string bad_reason;
};

Status ApplyEvents(Projection& projection, rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                   std::span<const EventRecord> events, HashCheck hash_check,
                   Checkpoint* checkpoint, rocksdb::WriteBatch* batch);

// Adds to `batch` the deletion of every key of `cf` (as seen now).
Status AddClearFamily(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, rocksdb::WriteBatch* batch);

}  // namespace folio::projections
