#include "engine/checkpoint_view.h"

#include <map>
#include <memory>
#include <vector>

#include "engine/log_store.h"
#include "events/codes.h"

namespace folio {

Result<std::uint64_t> CheckpointBelow::StreamVersion(std::string_view stream) {
  std::string v;
  rocksdb::Status s = store_.db()->Get(rocksdb::ReadOptions(), store_.streams_cf(),
                                       keys::StreamHeadKey(stream), &v);
  if (s.IsNotFound()) return std::uint64_t{0};
  RETURN_IF_ERROR(FromRocks(s, "reading a stream head"));
  if (v.size() != 8) return Status::Error(codes::kCorruption, "stream head record malformed");
  return keys::GetU64Be(v);
}

Result<std::optional<std::string>> CheckpointBelow::Idempotency(std::string_view key) {
  std::string v;
  rocksdb::Status s = store_.db()->Get(rocksdb::ReadOptions(), store_.idempotency_cf(),
                                       rocksdb::Slice(key.data(), key.size()), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocks(s, "reading an idempotency record"));
  return std::optional<std::string>(std::move(v));
}

Result<std::string> CheckpointBelow::EventStream(std::uint64_t seq) {
  ASSIGN_OR_RETURN(std::optional<EventRecord> event, store_.ReadEvent(seq));
  if (!event) {
    return Status::Error(codes::kCorruption, "event " + std::to_string(seq) + " is missing");
  }
  return std::string(event->stream_id());
}

std::optional<std::string> OverlayState::Load(std::string_view key) {
  if (auto it = overlay_.find(key); it != overlay_.end()) return it->second;
  std::string v;
  rocksdb::Status s = store_.db()->Get(rocksdb::ReadOptions(), store_.state_cf(),
                                       rocksdb::Slice(key.data(), key.size()), &v);
  if (s.ok()) return v;
  if (!s.IsNotFound() && error_.ok()) error_ = FromRocks(s, "loading aggregate state");
  return std::nullopt;
}

void OverlayState::Store(std::string_view key, std::string value) {
  overlay_.insert_or_assign(std::string(key), std::move(value));
}

void OverlayState::Erase(std::string_view key) {
  overlay_.insert_or_assign(std::string(key), std::nullopt);
}

std::vector<std::pair<std::string, std::string>> OverlayState::Scan(std::string_view from,
                                                                    std::string_view to,
                                                                    std::size_t limit) {
  auto r = ScanStateLayers(store_, {&overlay_}, from, to, limit);
  if (!r.ok()) {
    if (error_.ok()) error_ = r.status();
    return {};
  }
  return std::move(r).value();
}

Result<std::vector<std::pair<std::string, std::string>>> ScanStateLayers(
    const LogStore& store, std::initializer_list<const StateOverlay*> overlays,
    std::string_view from, std::string_view to, std::size_t limit) {
  // The overlays are hash maps: collect each one's entries in [from, to)
  // (linear in its size; only the scheduler scans) and keep them in order.
  std::vector<std::vector<const StateOverlay::value_type*>> in_range;
  std::size_t erased = 0;
  for (const StateOverlay* o : overlays) {
    in_range.emplace_back();
    if (o == nullptr) continue;
    for (const auto& kv : *o) {
      if (kv.first < from || kv.first >= to) continue;
      in_range.back().push_back(&kv);
      if (!kv.second) ++erased;
    }
  }
  // Overlays may erase stored entries: read enough stored entries that
  // `limit` survive the erasures, then lay the overlays on top in order.
  std::map<std::string, std::string, std::less<>> merged;
  rocksdb::ReadOptions ro;
  std::string upper(to);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.state_cf()));
  for (it->Seek(rocksdb::Slice(from.data(), from.size()));
       it->Valid() && merged.size() < limit + erased; it->Next()) {
    merged.emplace(it->key().ToString(), it->value().ToString());
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scanning state"));
  for (const auto& layer : in_range) {
    for (const StateOverlay::value_type* kv : layer) {
      if (kv->second) {
        merged.insert_or_assign(kv->first, *kv->second);
      } else {
        merged.erase(kv->first);
      }
    }
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& kv : merged) {
    if (out.size() >= limit) break;
    out.emplace_back(kv.first, std::move(kv.second));
  }
  return out;
}

}  // namespace folio
