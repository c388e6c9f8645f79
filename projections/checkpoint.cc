#include "projections/checkpoint.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

#include <rocksdb/sst_file_writer.h>

#include "engine/keys.h"
#include "engine/log_store.h"
#include "engine/string_map.h"
#include "events/codes.h"

namespace folio::projections {
namespace {

constexpr std::size_t kCheckpointBytes = 4 + 8 + 32;

// Arena chunks: large enough that a batch's writes take a few.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

}  // namespace

char* OverlayStore::Allocate(std::size_t n) {
  if (chunks_.empty() || chunk_size_ - chunk_used_ < n) {
    chunk_size_ = std::max(kChunkBytes, n);
    chunks_.push_back(std::make_unique<char[]>(chunk_size_));
    chunk_used_ = 0;
    arena_bytes_ += chunk_size_;
  }
  char* p = chunks_.back().get() + chunk_used_;
  chunk_used_ += n;
  return p;
}

void OverlayStore::Assign(Value* v, std::string_view value) {
  if (value.size() > UINT32_MAX) throw std::length_error("projection value over 4 GiB");
  if (v->data == nullptr || value.size() > v->capacity) {
    v->data = Allocate(value.size());
    v->capacity = static_cast<std::uint32_t>(value.size());
  }
  std::memcpy(const_cast<char*>(v->data), value.data(), value.size());
  v->size = static_cast<std::uint32_t>(value.size());
}

std::size_t OverlayStore::bytes() const {
  return arena_bytes_ + writes_.bucket_count() * (sizeof(Writes::value_type) + 1);
}

std::optional<std::string> OverlayStore::Get(std::string_view key) {
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

void OverlayStore::Put(std::string_view key, std::string_view value) {
  auto it = writes_.find(key);
  if (it == writes_.end()) {
    char* k = Allocate(key.size());
    std::memcpy(k, key.data(), key.size());
    it = writes_.emplace(std::string_view(k, key.size()), Value{}).first;
  }
  Assign(&it->second, value);
}

void OverlayStore::Delete(std::string_view key) {
  auto it = writes_.find(key);
  if (it == writes_.end()) {
    char* k = Allocate(key.size());
    std::memcpy(k, key.data(), key.size());
    writes_.emplace(std::string_view(k, key.size()), Value{});
  } else {
    it->second.data = nullptr;
    it->second.capacity = 0;
  }
}

std::vector<const OverlayStore::Writes::value_type*> OverlayStore::Sorted() const {
  std::vector<const Writes::value_type*> sorted;
  sorted.reserve(writes_.size());
  for (const auto& kv : writes_) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  return sorted;
}

void OverlayStore::AddTo(rocksdb::WriteBatch* batch) const {
  for (const auto* kv : Sorted()) {
    const auto& [key, v] = *kv;
    rocksdb::Status s = v.data != nullptr
                            ? batch->Put(cf_, rocksdb::Slice(key.data(), key.size()),
                                         rocksdb::Slice(v.data, v.size))
                            : batch->Delete(cf_, rocksdb::Slice(key.data(), key.size()));
    if (!s.ok()) throw std::runtime_error("batch: " + s.ToString());
  }
}

Status OverlayStore::WriteSst(const std::string& path) const {
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), db_->GetOptions(cf_), cf_);
  RETURN_IF_ERROR(FromRocks(writer.Open(path), "opening " + path));
  for (const auto* kv : Sorted()) {
    const auto& [key, v] = *kv;
    const rocksdb::Slice k(key.data(), key.size());
    RETURN_IF_ERROR(FromRocks(
        v.data != nullptr ? writer.Put(k, rocksdb::Slice(v.data, v.size)) : writer.Delete(k),
        "writing " + path));
  }
  return FromRocks(writer.Finish(), "finishing " + path);
}

void OverlayStore::Clear() {
  writes_.clear();
  if (chunks_.size() > 1) {  // keep one chunk for the next writes
    chunks_.erase(chunks_.begin(), chunks_.end() - 1);
    arena_bytes_ = chunk_size_;
  }
  chunk_used_ = 0;
}

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
  Status st = ApplyEvents(projection, store, events, std::move(hash_check), checkpoint);
  if (!st.ok() && st.code() == kProjectionFailed) return st;
  try {
    store.AddTo(batch);
  } catch (const std::exception& ex) {
    return Status::Error(kProjectionFailed, "projection '" + std::string(projection.name()) +
                                                "' failed: " + ex.what());
  }
  return st;
}

Status ApplyEvents(Projection& projection, OverlayStore& store, std::span<const EventRecord> events,
                   HashCheck hash_check, Checkpoint* checkpoint) {
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

Status IngestWithCheckpoint(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                            rocksdb::ColumnFamilyHandle* meta_cf, std::string_view projection,
                            const OverlayStore& writes, const Checkpoint& checkpoint,
                            const std::string& dir) {
  static std::atomic<std::uint64_t> files{0};
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Error(codes::kIoError, "creating " + dir + ": " + ec.message());
  const std::string stem = dir + "/" + std::string(projection) + "-" +
                           std::to_string(files.fetch_add(1, std::memory_order_relaxed));
  std::vector<std::string> made;
  const auto remove_made = [&] {
    for (const auto& f : made) std::filesystem::remove(f, ec);
  };
  Status st = [&]() -> Status {
    std::vector<rocksdb::IngestExternalFileArg> args;
    rocksdb::IngestExternalFileOptions io;
    io.move_files = true;
    // The global seqno lives in the MANIFEST, not rewritten into the file.
    io.write_global_seqno = false;
    if (writes.size() > 0) {
      made.push_back(stem + ".sst");
      RETURN_IF_ERROR(writes.WriteSst(made.back()));
      rocksdb::IngestExternalFileArg arg;
      arg.column_family = cf;
      arg.external_files = {made.back()};
      arg.options = io;
      args.push_back(std::move(arg));
    }
    made.push_back(stem + ".checkpoint.sst");
    rocksdb::SstFileWriter ckpt(rocksdb::EnvOptions(), db->GetOptions(meta_cf), meta_cf);
    RETURN_IF_ERROR(FromRocks(ckpt.Open(made.back()), "opening " + made.back()));
    RETURN_IF_ERROR(FromRocks(ckpt.Put(CheckpointKey(projection), EncodeCheckpoint(checkpoint)),
                              "writing " + made.back()));
    RETURN_IF_ERROR(FromRocks(ckpt.Finish(), "finishing " + made.back()));
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = meta_cf;
    arg.external_files = {made.back()};
    arg.options = io;
    args.push_back(std::move(arg));
    return FromRocks(db->IngestExternalFiles(args),
                     "ingesting projection '" + std::string(projection) + "'");
  }();
  remove_made();  // moved into the database when ingested; else no longer wanted
  return st;
}

}  // namespace folio::projections
