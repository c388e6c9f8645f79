#include "projections/checkpoint.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>
#include <vector>

#include "engine/keys.h"
#include "engine/log_store.h"
#include "engine/string_map.h"
#include "events/codes.h"

namespace folio::projections {
namespace {

constexpr std::size_t kCheckpointBytes = 4 + 8 + 32;

// The projection's view while a batch is prepared: its own writes first, then
// the database.
//
// Keys and values are copied into an arena of large chunks and the table
// holds views of them: no heap string per key and value, and nothing to free
// one by one when the batch is done (a rebuild applies millions of writes;
// docs/benchmarks.md has what it saved). A value rewritten with no more bytes
// than it had is overwritten in place; a longer one is appended.
class OverlayStore final : public ProjectionStore {
 public:
  OverlayStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) : db_(db), cf_(cf) {}

  std::optional<std::string> Get(std::string_view key) override {
    auto it = writes_.find(key);
    if (it != writes_.end()) {
      if (it->second.data == nullptr) return std::nullopt;
      return std::string(it->second.data, it->second.size);
    }
    std::string value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), cf_, rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) throw std::runtime_error("projection read: " + s.ToString());
    return value;
  }
  void Put(std::string_view key, std::string_view value) override {
    if (value.size() > UINT32_MAX) throw std::length_error("projection value over 4 GiB");
    Value& v = Find(key);
    if (v.data == nullptr || value.size() > v.capacity) {
      v.data = Allocate(value.size());
      v.capacity = static_cast<std::uint32_t>(value.size());
    }
    std::memcpy(v.data, value.data(), value.size());
    v.size = static_cast<std::uint32_t>(value.size());
  }
  void Delete(std::string_view key) override {
    Value& v = Find(key);
    v.data = nullptr;
    v.capacity = 0;
  }

  // In key order: sorted inserts make the memtable's work cheaper, and the
  // batch's bytes do not depend on the hash table's layout.
  void AddTo(rocksdb::WriteBatch* batch) const {
    std::vector<const Writes::value_type*> sorted;
    sorted.reserve(writes_.size());
    for (const auto& kv : writes_) sorted.push_back(&kv);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
    for (const auto* kv : sorted) {
      const rocksdb::Slice key(kv->first.data(), kv->first.size());
      const Value& v = kv->second;
      rocksdb::Status s = v.data != nullptr ? batch->Put(cf_, key, rocksdb::Slice(v.data, v.size))
                                            : batch->Delete(cf_, key);
      if (!s.ok()) throw std::runtime_error("batch: " + s.ToString());
    }
  }

 private:
  struct Value {
    char* data = nullptr;  // in the arena; null: deleted
    std::uint32_t size = 0;
    std::uint32_t capacity = 0;  // bytes reserved at data
  };
  using Writes = boost::unordered_flat_map<std::string_view, Value, StringHash, std::equal_to<>>;
  static constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

  // The key's entry (the key copied into the arena when new).
  Value& Find(std::string_view key) {
    auto it = writes_.find(key);
    if (it == writes_.end()) {
      char* k = Allocate(key.size());
      std::memcpy(k, key.data(), key.size());
      it = writes_.emplace(std::string_view(k, key.size()), Value{}).first;
    }
    return it->second;
  }
  char* Allocate(std::size_t n) {
    if (chunks_.empty() || chunk_size_ - chunk_used_ < n) {
      chunk_size_ = std::max(kChunkBytes, n);
      chunks_.push_back(std::make_unique<char[]>(chunk_size_));
      chunk_used_ = 0;
    }
    char* p = chunks_.back().get() + chunk_used_;
    chunk_used_ += n;
    return p;
  }

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  Writes writes_;  // this batch's writes; reads see them first
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t chunk_used_ = 0;  // of chunks_.back()
  std::size_t chunk_size_ = 0;
};

}  // namespace

std::string CheckpointKey(std::string_view projection) { return "proj/" + std::string(projection); }

std::string EncodeCheckpoint(const Checkpoint& c) {
  std::string out;
  out.reserve(kCheckpointBytes);
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((c.version >> shift) & 0xFF));
  }
  keys::PutU64Be(&out, c.seq);
  out.append(reinterpret_cast<const char*>(c.hash.data()), c.hash.size());
  return out;
}

std::optional<Checkpoint> DecodeCheckpoint(std::string_view v) {
  if (v.size() != kCheckpointBytes) return std::nullopt;
  Checkpoint c;
  for (std::size_t i = 0; i < 4; ++i) {
    c.version = (c.version << 8) | static_cast<std::uint8_t>(v[i]);
  }
  c.seq = keys::GetU64Be(v.substr(4));
  std::copy(v.begin() + 12, v.end(), reinterpret_cast<char*>(c.hash.data()));
  return c;
}

Result<std::optional<Checkpoint>> ReadCheckpoint(rocksdb::DB* db,
                                                 rocksdb::ColumnFamilyHandle* meta_cf,
                                                 std::string_view projection,
                                                 const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  rocksdb::Status s = db->Get(ro, meta_cf, CheckpointKey(projection), &value);
  if (s.IsNotFound()) return std::optional<Checkpoint>();
  RETURN_IF_ERROR(FromRocks(s, "reading checkpoint"));
  auto c = DecodeCheckpoint(value);
  if (!c) {
    return Status::Error(codes::kCorruption,
                         "checkpoint of projection '" + std::string(projection) + "' malformed");
  }
  return std::optional<Checkpoint>(*c);
}

Status ApplyEvents(Projection& projection, rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                   std::span<const EventRecord> events, HashCheck hash_check,
                   Checkpoint* checkpoint, rocksdb::WriteBatch* batch) {
  OverlayStore store(db, cf);
  Status chain;
  try {
    for (const EventRecord& e : events) {
      // Built only for an error: this loop runs for every event.
      const auto where = [&] {
        return "projection '" + std::string(projection.name()) + "' at seq " +
               std::to_string(e.seq()) + ": ";
      };
      if (e.seq() != checkpoint->seq + 1) {
        chain = Status::Error(kProjectionChainBroken,
                              where() + "expected seq " + std::to_string(checkpoint->seq + 1));
        break;
      }
      if (e.prev_hash() != checkpoint->hash) {
        chain = Status::Error(kProjectionChainBroken,
                              where() + "prev_hash " + ToHex(e.prev_hash()) +
                                  " does not match the hash of the last applied event " +
                                  ToHex(checkpoint->hash));
        break;
      }
      if (hash_check.compute && e.ComputeHash() != e.hash()) {
        chain = Status::Error(kProjectionChainBroken,
                              where() + "the event's hash does not match its content");
        break;
      }
      projection.Apply(e, store);
      checkpoint->seq = e.seq();
      checkpoint->hash = e.hash();
    }
    if (chain.ok() && hash_check.bad_seq != 0 && hash_check.bad_seq == checkpoint->seq + 1) {
      chain = Status::Error(kProjectionChainBroken,
                            "projection '" + std::string(projection.name()) + "' at seq " +
                                std::to_string(hash_check.bad_seq) + ": " + hash_check.bad_reason);
    }
    store.AddTo(batch);
  } catch (const std::exception& ex) {
    return Status::Error(kProjectionFailed, "projection '" + std::string(projection.name()) +
                                                "' failed: " + ex.what());
  }
  return chain;
}

Status AddClearFamily(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                      rocksdb::WriteBatch* batch) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  it->SeekToFirst();
  if (!it->Valid()) return FromRocks(it->status(), "clearing projection");
  const std::string first = it->key().ToString();
  it->SeekToLast();
  RETURN_IF_ERROR(FromRocks(it->status(), "clearing projection"));
  const std::string last = it->key().ToString();
  // DeleteRange's end is exclusive: the last key goes separately.
  RETURN_IF_ERROR(FromRocks(batch->DeleteRange(cf, first, last), "clearing projection"));
  return FromRocks(batch->Delete(cf, last), "clearing projection");
}

}  // namespace folio::projections
