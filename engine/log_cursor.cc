#include "engine/log_cursor.h"

#include <memory>

#include "engine/keys.h"
#include "engine/log_store.h"
#include "events/codes.h"

namespace folio {
namespace {

std::unique_ptr<rocksdb::Iterator> EventsIterator(const LogStore& store, const CursorOptions& o) {
  rocksdb::ReadOptions ro;
  ro.fill_cache = o.fill_cache;
  ro.readahead_size = o.readahead_bytes;
  return std::unique_ptr<rocksdb::Iterator>(store.db()->NewIterator(ro, store.events_cf()));
}

}  // namespace

LogCursor::LogCursor(const LogStore& store, std::uint64_t from_seq, const Hash32& prev_hash,
                     CursorOptions opts)
    : store_(&store), opts_(opts), next_seq_(from_seq == 0 ? 1 : from_seq), prev_hash_(prev_hash) {}

Result<LogCursor> LogCursor::At(const LogStore& store, std::uint64_t from_seq, CursorOptions opts) {
  if (from_seq <= 1) return LogCursor(store, 1, kGenesisHash, opts);
  ASSIGN_OR_RETURN(std::optional<EventRecord> before, store.ReadEvent(from_seq - 1));
  if (!before) {
    return Status::Error(codes::kNotFound, "the log has no event " + std::to_string(from_seq - 1));
  }
  if (opts.check_hashes && before->ComputeHash() != before->hash()) {
    return Status::Error(codes::kCorruption,
                         "event " + std::to_string(from_seq - 1) +
                             ": hash mismatch: the event's bytes were altered; run `folio verify`");
  }
  return LogCursor(store, from_seq, before->hash(), opts);
}

Status LogCursor::Faulted() const {
  return Status::Error(codes::kCorruption, "event " + std::to_string(fault_->seq) + ": " +
                                               fault_->reason + "; run `folio verify`");
}

bool LogCursor::Accept(std::string_view key, std::string_view value,
                       std::optional<EventRecord>* out) {
  auto fail = [&](std::string reason) {
    fault_ = CursorFault{next_seq_, std::move(reason)};
    return false;
  };
  auto key_seq = keys::ParseEventKey(key);
  if (!key_seq) return fail("malformed key in events column family");
  if (*key_seq != next_seq_) {
    return fail("sequence gap: expected " + std::to_string(next_seq_) + ", found " +
                std::to_string(*key_seq));
  }
  auto rec = EventRecord::Decode(std::string(value));
  if (!rec.ok()) return fail("envelope rejected: " + rec.status().message());
  if (rec->seq() != next_seq_) {
    return fail("envelope seq " + std::to_string(rec->seq()) + " differs from its key");
  }
  if (rec->prev_hash() != prev_hash_) {
    return fail("prev_hash does not match the previous event's hash");
  }
  const Hash32 hash = rec->hash();
  if (opts_.check_hashes && rec->ComputeHash() != hash) {
    return fail("hash mismatch: the event's bytes were altered");
  }
  prev_hash_ = hash;
  ++next_seq_;
  out->emplace(std::move(rec).value());
  return true;
}

Status LogCursor::Scan(const std::function<bool(EventRecord&)>& fn, std::uint64_t to_seq) {
  if (fault_) return Faulted();
  if (next_seq_ > to_seq) return OkStatus();
  std::unique_ptr<rocksdb::Iterator> it = EventsIterator(*store_, opts_);
  for (it->Seek(keys::EventKey(next_seq_)); it->Valid(); it->Next()) {
    std::optional<EventRecord> rec;
    if (!Accept(it->key().ToStringView(), it->value().ToStringView(), &rec)) return Faulted();
    const std::uint64_t seq = rec->seq();  // fn may move the record out
    if (!fn(*rec) || seq >= to_seq) break;
  }
  return FromRocks(it->status(), "reading events");
}

Result<std::vector<EventRecord>> LogCursor::Next(std::size_t limit) {
  std::vector<EventRecord> out;
  if (limit == 0) return out;
  out.reserve(std::min<std::size_t>(limit, 4096));
  RETURN_IF_ERROR(Scan([&](EventRecord& e) {
    out.push_back(std::move(e));
    return out.size() < limit;
  }));
  return out;
}

Result<std::uint64_t> LastEventSeq(const LogStore& store) {
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.events_cf()));
  it->SeekToLast();
  std::uint64_t last = 0;
  if (it->Valid()) {
    auto seq = keys::ParseEventKey(it->key().ToStringView());
    if (!seq) return Status::Error(codes::kCorruption, "malformed key in events");
    last = *seq;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading the last event"));
  return last;
}

Status ScanUnverifiedForBaseline(
    const LogStore& store, std::uint64_t from_seq,
    const std::function<bool(std::string_view key, std::string_view value)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it = EventsIterator(store, CursorOptions{});
  for (it->Seek(keys::EventKey(from_seq)); it->Valid(); it->Next()) {
    if (!fn(it->key().ToStringView(), it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "scanning events");
}

}  // namespace folio
