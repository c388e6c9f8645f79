// The derived-state checkpoint on disk (docs/log-format.md, "Derived state").
//
//   meta  key := "derived"
//         value := 0x01 applied_seq:u64be applied_hash:32 legacy_through_seq:u64be
//
// A checkpoint is one SST file per family (streams, idempotency, state), built
// sorted with rocksdb::SstFileWriter, plus one holding the marker, ingested by
// a single IngestExternalFiles call. RocksDB records an ingestion across
// families in one MANIFEST write, so after a crash either all of a checkpoint
// is in the store, marker included, or none of it is: the marker never names
// events whose derived state is missing, and no derived record is newer than
// the marker. No WAL and no memtable take part.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/derived.h"
#include "events/hash.h"
#include "events/status.h"

namespace folio {

class LogStore;

struct CheckpointMarker {
  // Derived state in the store covers the events 1..applied_seq.
  std::uint64_t applied_seq = 0;
  Hash32 applied_hash = kGenesisHash;  // the hash of event applied_seq
  // Events 1..legacy_through_seq were written before the checkpoint existed,
  // with their derived records in the same batch; their idempotency records
  // cannot be rebuilt (their envelopes carry no fingerprint). 0 for new logs.
  std::uint64_t legacy_through_seq = 0;
};

inline constexpr std::string_view kMetaDerived = "derived";
std::string EncodeCheckpointMarker(const CheckpointMarker& m);
std::optional<CheckpointMarker> DecodeCheckpointMarker(std::string_view value);

// Reads the marker; nullopt when the log has none (new, or written before).
Result<std::optional<CheckpointMarker>> ReadCheckpointMarker(const LogStore& store);

struct CheckpointWriteStats {
  std::uint64_t records = 0;     // keys written (puts and deletes)
  std::uint64_t file_bytes = 0;  // SST bytes ingested
};

// Writes `delta` and `marker` as one checkpoint. `delta` holds the derived
// state of the events marker.applied_seq - delta.events + 1 .. applied_seq
// over the checkpoint already in the store.
// REQUIRES: the store is writable; no other checkpoint is written at the same
// time. Errors: io_error (nothing of this checkpoint is in the store).
Status WriteCheckpoint(LogStore& store, const DerivedDelta& delta, const CheckpointMarker& marker,
                       CheckpointWriteStats* stats = nullptr);

// Removes files a checkpoint left when the process died while writing it.
void RemoveCheckpointScratch(const LogStore& store);

}  // namespace folio
