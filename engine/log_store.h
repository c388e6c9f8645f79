// LogStore: the RocksDB database that holds the log, and its read side.
//
// Column families (docs/log-format.md): events, outcomes, meta (written with
// the events, synced) and streams, idempotency, state (derived state, written
// by checkpoints). Writes go only through engine/writer.h; this class opens
// the database, owns its handles, brings the derived state up to the head
// (engine/derived_state.h) and answers reads. Reads are thread-safe and may
// run while the writer appends; they see a consistent prefix of the log up to
// the head they read.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/file_system.h>

#include "engine/keys.h"
#include "events/envelope.h"
#include "events/status.h"

namespace folio {

class DerivedState;

struct LogStoreOptions {
  // Create the database when the directory holds none. Default: true.
  bool create_if_missing = true;
  // Block cache shared by all column families, bytes. Default: 64 MiB.
  std::size_t block_cache_bytes = 64u << 20;
  // Memtable size per column family, bytes. Default: 64 MiB.
  std::size_t write_buffer_bytes = 64u << 20;
  // All memtables together, bytes: past it RocksDB flushes the largest.
  // Default: 512 MiB.
  std::size_t memtables_total_bytes = 512u << 20;
  // Open without the ability to write (verify, inspect). Default: false.
  bool read_only = false;
  // Further column families to open, created when missing (projections keep
  // their state in "proj.<name>"). A read-only open cannot create them: the
  // missing ones are simply absent (column_family() returns nullptr).
  // Families already present in the database are always opened, listed here
  // or not, since RocksDB refuses to open a database without all of them.
  // Default: none.
  std::vector<std::string> extra_column_families;
  // The file system RocksDB reads and writes through; the storage-fault tests
  // put engine/fault_fs.h here. Default: none (the operating system's).
  std::shared_ptr<rocksdb::FileSystem> file_system;
};

// The RocksDB options every Folio database (and the raw-RocksDB baseline of
// the benchmarks) is opened with.
rocksdb::Options BaseRocksOptions(const LogStoreOptions& opts);

class LogStore {
 public:
  static Result<std::unique_ptr<LogStore>> Open(const std::string& dir,
                                                const LogStoreOptions& opts = {});
  ~LogStore();
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  // The durable head as stored in `meta` (seq 0 and the genesis hash for an
  // empty log).
  Result<keys::Head> ReadHead() const;

  // Up to `limit` events with seq >= from_seq, in order, read through a
  // LogCursor (engine/log_cursor.h: every envelope verified, the chain
  // checked from event from_seq - 1). A reader that reads on keeps its own
  // LogCursor instead, which carries the chain across pages.
  Result<std::vector<EventRecord>> ReadFrom(std::uint64_t from_seq, std::size_t limit) const;

  // Event `seq` by a point read (no iterator), its envelope verified and its
  // seq checked against the key; nullopt when the log has no such event. Its
  // hash is not recomputed: the caller wants one event, not the chain.
  Result<std::optional<EventRecord>> ReadEvent(std::uint64_t seq) const;

  // Up to `limit` events of `stream_id` with version >= from_version.
  Result<std::vector<EventRecord>> ReadStream(std::string_view stream_id,
                                              std::uint64_t from_version, std::size_t limit) const;

  // Current version of a stream (0 when it has no events).
  Result<std::uint64_t> StreamVersion(std::string_view stream_id) const;
  // The seq of version `version` of a stream; nullopt when there is none.
  Result<std::optional<std::uint64_t>> StreamIndex(std::string_view stream_id,
                                                   std::uint64_t version) const;
  // An aggregate's state (engine/domain/aggregates.h keys) as of the last
  // written event; nullopt when absent.
  Result<std::optional<std::string>> LoadState(std::string_view key) const;

  // The derived state (stream index, idempotency, aggregates) as layers of
  // memory over its checkpoint. The writer drives it; readers use the calls
  // above.
  DerivedState& derived() const { return *derived_; }

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* events_cf() const { return cfs_[kEvents]; }
  rocksdb::ColumnFamilyHandle* streams_cf() const { return cfs_[kStreams]; }
  rocksdb::ColumnFamilyHandle* idempotency_cf() const { return cfs_[kIdempotency]; }
  rocksdb::ColumnFamilyHandle* state_cf() const { return cfs_[kState]; }
  rocksdb::ColumnFamilyHandle* meta_cf() const { return cfs_[kMeta]; }
  rocksdb::ColumnFamilyHandle* outcomes_cf() const { return cfs_[kOutcomes]; }
  const std::string& dir() const { return dir_; }

  // The handle of any open column family, by name; nullptr when absent.
  // Handles stay valid until the store is destroyed. Thread-safe.
  rocksdb::ColumnFamilyHandle* column_family(std::string_view name) const;
  // Opens `name`, creating it when missing. Thread-safe.
  // REQUIRES: the store was not opened read_only (else invalid_argument).
  Result<rocksdb::ColumnFamilyHandle*> EnsureColumnFamily(const std::string& name);
  bool read_only() const { return read_only_; }
  // Background errors RocksDB reported since the store was opened (a failed
  // WAL write, flush, compaction or ingestion: it stops writing until it
  // recovers), counted by an EventListener. Thread-safe.
  std::uint64_t background_errors() const { return bg_errors_->load(std::memory_order_acquire); }

 private:
  enum CfIndex {
    kDefault = 0,
    kEvents,
    kStreams,
    kIdempotency,
    kState,
    kMeta,
    kOutcomes,
    kCfCount
  };
  LogStore() = default;
  Status Get(rocksdb::ColumnFamilyHandle* cf, std::string_view key, std::string* value,
             bool* found) const;

  std::string dir_;
  std::unique_ptr<rocksdb::Env> env_;  // over opts.file_system; outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;
  bool read_only_ = false;
  std::shared_ptr<std::atomic<std::uint64_t>> bg_errors_ =
      std::make_shared<std::atomic<std::uint64_t>>(0);
  std::unique_ptr<DerivedState> derived_;
  rocksdb::ColumnFamilyOptions extra_cf_options_;
  mutable std::mutex extra_mu_;
  // Families beyond the fixed ones (projections), by name.
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> extra_cfs_;
};

// Converts a RocksDB status to ours (io_error / no_space / corruption /
// not_found).
Status FromRocks(const rocksdb::Status& s, std::string_view what);

}  // namespace folio
