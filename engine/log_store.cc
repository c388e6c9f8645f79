#include "engine/log_store.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <cstring>

#include "engine/derived_state.h"
#include "engine/log_cursor.h"
#include "events/codes.h"

namespace folio {
namespace {

constexpr const char* kCfNames[] = {"default", "events", "streams", "idempotency",
                                    "state",   "meta",   "outcomes"};

// Prefix of a streams key: the stream id and its 0x00 separator, so all
// versions of one stream share a hash bucket and stay ordered within it.
class StreamPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "folio.StreamPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* sep = std::memchr(key.data(), 0, key.size());
    return rocksdb::Slice(key.data(),
                          static_cast<std::size_t>(static_cast<const char*>(sep) - key.data()) + 1);
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), 0, key.size()) != nullptr;
  }
};

// The index, idempotency and state families are mostly probed for keys that
// do not exist yet (a new payment, a new idempotency key): bloom filters in
// the memtable and in every table file answer those misses cheaply. (Hash
// memtables were tried: cheaper inserts, but each flush must sort them, and
// at a million events they lost 15% against skiplists; see docs/benchmarks.md.)
rocksdb::ColumnFamilyOptions CfOptions(const rocksdb::Options& base, int cf_index) {
  rocksdb::ColumnFamilyOptions cf(base);
  if (cf_index >= 2 && cf_index <= 4) {
    // Derived families receive a checkpoint file every second or so under
    // load: a deeper L0 lets compaction merge more of them per run, and keeps
    // their L0 count from stalling the writes of the events family (RocksDB's
    // write stalls are per database).
    cf.level0_file_num_compaction_trigger = 8;
    cf.level0_slowdown_writes_trigger = 40;
    cf.level0_stop_writes_trigger = 60;
  }
  if (cf_index == 2 || cf_index == 3 || cf_index == 6) {
    // Small random keys: compression buys little and costs CPU that the
    // writer needs.
    cf.compression = rocksdb::kNoCompression;
    cf.bottommost_compression = rocksdb::kNoCompression;
  }
  switch (cf_index) {
    case 2:  // streams
      cf.prefix_extractor = std::make_shared<StreamPrefix>();
      cf.memtable_prefix_bloom_size_ratio = 0.05;
      cf.memtable_whole_key_filtering = true;
      break;
    case 3:  // idempotency
    case 6:  // outcomes (refusals): probed for every new key, almost always a miss
      cf.prefix_extractor.reset(rocksdb::NewNoopTransform());
      cf.memtable_prefix_bloom_size_ratio = 0.05;
      cf.memtable_whole_key_filtering = true;
      break;
    case 4:  // state: ordered (the scheduler scans it); misses are common
      cf.memtable_prefix_bloom_size_ratio = 0.05;
      cf.memtable_whole_key_filtering = true;
      break;
    default:
      break;
  }
  return cf;
}

// Counts RocksDB's background errors (LogStore::background_errors()) and keeps
// RocksDB from recovering from them by itself.
class BackgroundErrorCounter final : public rocksdb::EventListener {
 public:
  explicit BackgroundErrorCounter(std::shared_ptr<std::atomic<std::uint64_t>> count)
      : count_(std::move(count)) {}
  const char* Name() const override { return "folio.BackgroundErrorCounter"; }
  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status*) override {
    count_->fetch_add(1, std::memory_order_acq_rel);
  }
  // RocksDB would recover from a NoSpace error by itself (its SstFileManager
  // polls the free space, then flushes and resumes on a background thread),
  // concurrently with the writer, and 7.8 can then abort on its own
  // assertions (a table file numbered 0). Once RocksDB stopped, only a
  // restart recovers (docs/reliability.md): its own recovery is switched off.
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }

 private:
  std::shared_ptr<std::atomic<std::uint64_t>> count_;
};

}  // namespace

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return OkStatus();
  std::string msg = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Error(codes::kCorruption, msg);
  if (s.IsNotFound()) return Status::Error(codes::kNotFound, msg);
  if (s.IsNoSpace()) return Status::Error(codes::kNoSpace, msg);
  return Status::Error(codes::kIoError, msg);
}

rocksdb::Options BaseRocksOptions(const LogStoreOptions& opts) {
  rocksdb::Options o;
  o.create_if_missing = opts.create_if_missing;
  o.create_missing_column_families = opts.create_if_missing;
  o.write_buffer_size = opts.write_buffer_bytes;
  o.db_write_buffer_size = opts.memtables_total_bytes;
  o.max_background_jobs = 2;
  // One writer thread: concurrent memtable inserts would only add locking.
  o.allow_concurrent_memtable_write = false;
  o.compression = rocksdb::kLZ4Compression;
  o.bottommost_compression = rocksdb::kLZ4Compression;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = rocksdb::NewLRUCache(opts.block_cache_bytes);
  // Index and filter blocks live in the block cache, so their memory does not
  // grow with the data. Partitioned, with only the small top level pinned, so
  // a lookup loads one partition rather than a whole file's index or filter
  // (as-of queries seek through millions of history keys).
  t.cache_index_and_filter_blocks = true;
  t.cache_index_and_filter_blocks_with_high_priority = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  t.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  t.partition_filters = true;
  t.pin_top_level_index_and_filter = true;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  t.whole_key_filtering = true;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

Result<std::unique_ptr<LogStore>> LogStore::Open(const std::string& dir,
                                                 const LogStoreOptions& opts) {
  rocksdb::Options base = BaseRocksOptions(opts);
  std::unique_ptr<rocksdb::Env> env;
  if (opts.file_system) {
    env = rocksdb::NewCompositeEnv(opts.file_system);
    base.env = env.get();
  }
  // Every family already in the database must be opened too (projections).
  std::vector<std::string> existing;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(base), dir, &existing).ok()) {
    existing.clear();  // no database yet
  }
  const auto exists = [&](const char* name) {
    return std::find(existing.begin(), existing.end(), name) != existing.end();
  };
  // A read-only open cannot create a family: one that a log written by an
  // earlier version lacks (outcomes) stays absent, its handle null.
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  std::vector<int> fixed_index;  // descs[i] is fixed family fixed_index[i]
  for (int i = 0; i < kCfCount; ++i) {
    if (opts.read_only && !exists(kCfNames[i])) continue;
    descs.emplace_back(kCfNames[i], CfOptions(base, i));
    fixed_index.push_back(i);
  }
  const auto is_fixed = [](const std::string& name) {
    return std::find(std::begin(kCfNames), std::end(kCfNames), name) != std::end(kCfNames);
  };
  for (const std::string& name : existing) {
    if (!is_fixed(name)) descs.emplace_back(name, rocksdb::ColumnFamilyOptions(base));
  }
  std::unique_ptr<LogStore> store(new LogStore());
  base.listeners.push_back(std::make_shared<BackgroundErrorCounter>(store->bg_errors_));
  store->env_ = std::move(env);
  store->dir_ = dir;
  store->read_only_ = opts.read_only;
  store->extra_cf_options_ = rocksdb::ColumnFamilyOptions(base);
  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s =
      opts.read_only
          ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(base), dir, descs, &handles, &raw)
          : rocksdb::DB::Open(rocksdb::DBOptions(base), dir, descs, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "opening " + dir);
  store->db_.reset(raw);
  store->cfs_.assign(kCfCount, nullptr);
  for (std::size_t i = 0; i < fixed_index.size(); ++i) {
    store->cfs_[static_cast<std::size_t>(fixed_index[i])] = handles[i];
  }
  for (std::size_t i = fixed_index.size(); i < handles.size(); ++i) {
    store->extra_cfs_.emplace(descs[i].name, handles[i]);
  }
  if (store->cfs_[kEvents] == nullptr || store->cfs_[kMeta] == nullptr) {
    return Status::Error(codes::kCorruption, dir + " is not a Folio log (no events family)");
  }
  if (!opts.read_only) {
    for (const std::string& name : opts.extra_column_families) {
      RETURN_IF_ERROR(store->EnsureColumnFamily(name).status());
    }
  }
  ASSIGN_OR_RETURN(store->derived_, DerivedState::Open(*store));
  return store;
}

LogStore::~LogStore() {
  derived_.reset();
  if (db_) {
    for (auto* cf : cfs_) {
      if (cf != nullptr) db_->DestroyColumnFamilyHandle(cf);
    }
    for (auto& [name, cf] : extra_cfs_) db_->DestroyColumnFamilyHandle(cf);
    db_->Close().PermitUncheckedError();
  }
}

rocksdb::ColumnFamilyHandle* LogStore::column_family(std::string_view name) const {
  for (int i = 0; i < kCfCount; ++i) {
    if (name == kCfNames[i]) return cfs_[static_cast<std::size_t>(i)];
  }
  std::lock_guard<std::mutex> lock(extra_mu_);
  auto it = extra_cfs_.find(name);
  return it == extra_cfs_.end() ? nullptr : it->second;
}

Result<rocksdb::ColumnFamilyHandle*> LogStore::EnsureColumnFamily(const std::string& name) {
  if (auto* cf = column_family(name)) return cf;
  if (read_only_) {
    return Status::Error(codes::kInvalidArgument,
                         "cannot create column family '" + name + "' in a read-only store");
  }
  std::lock_guard<std::mutex> lock(extra_mu_);
  auto it = extra_cfs_.find(name);
  if (it != extra_cfs_.end()) return it->second;
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  RETURN_IF_ERROR(
      FromRocks(db_->CreateColumnFamily(extra_cf_options_, name, &cf), "creating " + name));
  extra_cfs_.emplace(name, cf);
  return cf;
}

Status LogStore::Get(rocksdb::ColumnFamilyHandle* cf, std::string_view key, std::string* value,
                     bool* found) const {
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf, rocksdb::Slice(key.data(), key.size()), value);
  *found = s.ok();
  if (s.IsNotFound()) return OkStatus();
  return FromRocks(s, "get");
}

Result<keys::Head> LogStore::ReadHead() const {
  std::string v;
  bool found = false;
  RETURN_IF_ERROR(Get(meta_cf(), keys::kMetaHead, &v, &found));
  if (!found) return keys::Head{};
  auto head = keys::DecodeHead(v);
  if (!head) return Status::Error(codes::kCorruption, "meta head record malformed");
  return *head;
}

Result<std::vector<EventRecord>> LogStore::ReadFrom(std::uint64_t from_seq,
                                                    std::size_t limit) const {
  auto cursor = LogCursor::At(*this, from_seq);
  if (!cursor.ok() && cursor.status().code() == codes::kNotFound) {
    return std::vector<EventRecord>();  // past the end of the log
  }
  RETURN_IF_ERROR(cursor.status());
  return cursor->Next(limit);
}

Result<std::optional<EventRecord>> LogStore::ReadEvent(std::uint64_t seq) const {
  std::string value;
  bool found = false;
  RETURN_IF_ERROR(Get(events_cf(), keys::EventKey(seq), &value, &found));
  if (!found) return std::optional<EventRecord>();
  auto rec = EventRecord::Decode(std::move(value));
  if (!rec.ok() || rec->seq() != seq) {
    return Status::Error(codes::kCorruption,
                         "event " + std::to_string(seq) + " does not decode: " +
                             (rec.ok() ? "its seq differs from its key" : rec.status().ToString()));
  }
  return std::optional<EventRecord>(std::move(rec).value());
}

Result<std::vector<EventRecord>> LogStore::ReadStream(std::string_view stream_id,
                                                      std::uint64_t from_version,
                                                      std::size_t limit) const {
  std::vector<EventRecord> out;
  for (std::uint64_t v = std::max<std::uint64_t>(from_version, 1); out.size() < limit; ++v) {
    ASSIGN_OR_RETURN(std::optional<std::uint64_t> seq, derived_->ReadIndex(stream_id, v));
    if (!seq) break;
    std::string value;
    bool found = false;
    RETURN_IF_ERROR(Get(events_cf(), keys::EventKey(*seq), &value, &found));
    if (!found) return Status::Error(codes::kCorruption, "stream index points at a missing event");
    ASSIGN_OR_RETURN(EventRecord rec, EventRecord::Decode(std::move(value)));
    if (rec.stream_id() != stream_id || rec.stream_version() != v) {
      return Status::Error(codes::kCorruption, "stream index disagrees with the event it names");
    }
    out.push_back(std::move(rec));
  }
  return out;
}

Result<std::uint64_t> LogStore::StreamVersion(std::string_view stream_id) const {
  return derived_->ReadStreamVersion(stream_id);
}

Result<std::optional<std::uint64_t>> LogStore::StreamIndex(std::string_view stream_id,
                                                           std::uint64_t version) const {
  return derived_->ReadIndex(stream_id, version);
}

Result<std::optional<std::string>> LogStore::LoadState(std::string_view key) const {
  return derived_->ReadState(key);
}

}  // namespace folio
