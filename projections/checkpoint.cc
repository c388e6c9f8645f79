#include "projections/checkpoint.h"

#include <algorithm>
#include <exception>
#include <memory>
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
class OverlayStore final : public ProjectionStore {
 public:
  OverlayStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) : db_(db), cf_(cf) {}

  std::optional<std::string> Get(std::string_view key) override {
    auto it = writes_.find(key);
    if (it != writes_.end()) return it->second;
    std::string value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), cf_, rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) throw std::runtime_error("projection read: " + s.ToString());
    return value;
  }
  void Put(std::string_view key, std::string_view value) override {
    auto it = writes_.find(key);
    if (it == writes_.end()) {
      writes_.emplace(std::string(key), std::string(value));
    } else if (it->second) {
      it->second->assign(value);  // reuses the buffer
    } else {
      it->second.emplace(value);
    }
  }
  void Delete(std::string_view key) override {
    auto it = writes_.find(key);
    if (it == writes_.end()) {
      writes_.emplace(std::string(key), std::nullopt);
    } else {
      it->second.reset();
    }
  }

  // In key order: sorted inserts make the memtable's work cheaper, and the
  // batch's bytes do not depend on the hash table's layout.
  void AddTo(rocksdb::WriteBatch* batch) const {
    std::vector<const Writes::value_type*> sorted;
    sorted.reserve(writes_.size());
    for (const auto& kv : writes_) sorted.push_back(&kv);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
    for (const auto* kv : sorted) {
      const auto& [key, value] = *kv;
      rocksdb::Status s = value ? batch->Put(cf_, key, *value) : batch->Delete(cf_, key);
      if (!s.ok()) throw std::runtime_error("batch: " + s.ToString());
    }
  }

 private:
  using Writes = StringMap<std::optional<std::string>>;
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  Writes writes_;  // this batch's writes; reads see them first
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
