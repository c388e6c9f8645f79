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
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "engine/string_map.h"
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

// A projection's writes not yet in the database, over the database: reads
// see them first. One per ApplyEvents call, or kept across many (a bulk
// build, which then ingests them: IngestWithCheckpoint).
//
// Keys and values are copied into an arena of large chunks and the table
// holds views of them: no allocation per write, and Clear() frees a few
// chunks instead of two strings per key. A value rewritten with no more
// bytes than it had is overwritten in place; a longer one is appended.
class OverlayStore final : public ProjectionStore {
 public:
  OverlayStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) : db_(db), cf_(cf) {}

  std::optional<std::string> Get(std::string_view key) override;
  void Put(std::string_view key, std::string_view value) override;
  void Delete(std::string_view key) override;

  std::size_t size() const { return writes_.size(); }
  // About the heap the writes hold (the arena and the table).
  std::size_t bytes() const;
  // Adds the writes to `batch` in key order: sorted inserts make the
  // memtable's work cheaper, and the batch's bytes do not depend on the hash
  // table's layout. Throws std::runtime_error when the batch refuses one.
  void AddTo(rocksdb::WriteBatch* batch) const;
  // Writes them, in key order, to a new SST file at `path` with the family's
  // options (rocksdb::SstFileWriter). REQUIRES: size() > 0.
  Status WriteSst(const std::string& path) const;
  void Clear();

 private:
  struct Value {
    const char* data = nullptr;  // in the arena; null: deleted
    std::uint32_t size = 0;
    std::uint32_t capacity = 0;  // bytes reserved at data
  };
  using Writes = boost::unordered_flat_map<std::string_view, Value, StringHash, std::equal_to<>>;
  char* Allocate(std::size_t n);
  void Assign(Value* v, std::string_view value);
  std::vector<const Writes::value_type*> Sorted() const;

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  Writes writes_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t chunk_used_ = 0;  // in chunks_.back()
  std::size_t chunk_size_ = 0;  // of chunks_.back()
  std::size_t arena_bytes_ = 0;
};

// The same as above, into `store` (kept or not by the caller).
Status ApplyEvents(Projection& projection, OverlayStore& store, std::span<const EventRecord> events,
                   HashCheck hash_check, Checkpoint* checkpoint);

// Puts `writes` (may be empty) into `cf` and `checkpoint` into `meta_cf` as
// SST files, written under `dir` and ingested in one
// rocksdb::DB::IngestExternalFiles call: after a crash either both are in
// the database or neither is, and a reader's snapshot sees both or neither.
// The files are moved into the database; on failure they are removed.
Status IngestWithCheckpoint(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                            rocksdb::ColumnFamilyHandle* meta_cf, std::string_view projection,
                            const OverlayStore& writes, const Checkpoint& checkpoint,
                            const std::string& dir);

// Adds to `batch` the deletion of every key of `cf` (as seen now).
Status AddClearFamily(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, rocksdb::WriteBatch* batch);

}  // namespace folio::projections
