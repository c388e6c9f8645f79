#include "engine/group_state.h"

#include <memory>

namespace folio {

const std::optional<std::string>* StateCache::Find(std::string_view key) const {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second;
}

void StateCache::Put(const std::string& key, std::optional<std::string> value) {
  if (map_.size() >= entries_max_) map_.clear();  // crude but bounded; RocksDB holds the truth
  map_[key] = std::move(value);
}

void StateCache::Merge(const StateOverlay& overlay) {
  for (const auto& [k, v] : overlay) Put(k, v);
}

std::optional<std::string> GroupState::Load(std::string_view key) {
  if (auto it = mine_.find(key); it != mine_.end()) return it->second;
  if (in_flight_ != nullptr) {
    if (auto it = in_flight_->find(key); it != in_flight_->end()) return it->second;
  }
  if (const auto* cached = cache_.Find(key)) return *cached;
  std::string value;
  rocksdb::Status s = store_.db()->Get(rocksdb::ReadOptions(), store_.state_cf(),
                                       rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) {
    cache_.Put(std::string(key), std::nullopt);  // e.g. a method never configured
    return std::nullopt;
  }
  if (!s.ok()) {
    if (error_.ok()) error_ = FromRocks(s, "loading aggregate state");
    return std::nullopt;
  }
  cache_.Put(std::string(key), value);
  return value;
}

void GroupState::Store(std::string_view key, std::string value) {
  mine_[std::string(key)] = std::move(value);
}

void GroupState::Erase(std::string_view key) { mine_[std::string(key)] = std::nullopt; }

std::vector<std::pair<std::string, std::string>> GroupState::Scan(std::string_view from,
                                                                  std::string_view to,
                                                                  std::size_t limit) {
  // Overlays may erase durable entries, so read enough durable entries that
  // `limit` survive the erasures, then layer the overlays on top.
  std::size_t erased = 0;
  for (const StateOverlay* o : {in_flight_, static_cast<const StateOverlay*>(&mine_)}) {
    if (o == nullptr) continue;
    for (auto it = o->lower_bound(from); it != o->end() && it->first < to; ++it) {
      if (!it->second) ++erased;
    }
  }
  std::map<std::string, std::string, std::less<>> merged;
  rocksdb::ReadOptions ro;
  std::string upper(to);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(ro, store_.state_cf()));
  for (it->Seek(rocksdb::Slice(from.data(), from.size()));
       it->Valid() && merged.size() < limit + erased; it->Next()) {
    merged.emplace(it->key().ToString(), it->value().ToString());
  }
  if (!it->status().ok() && error_.ok()) error_ = FromRocks(it->status(), "scanning state");
  for (const StateOverlay* o : {in_flight_, static_cast<const StateOverlay*>(&mine_)}) {
    if (o == nullptr) continue;
    for (auto oi = o->lower_bound(from); oi != o->end() && oi->first < to; ++oi) {
      if (oi->second) {
        merged[oi->first] = *oi->second;
      } else {
        merged.erase(oi->first);
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
