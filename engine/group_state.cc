#include "engine/group_state.h"

#include "engine/checkpoint_view.h"

namespace folio {

const std::optional<std::string>* StateCache::Find(std::string_view key) const {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : &it->second;
}

void StateCache::Put(const std::string& key, std::optional<std::string> value) {
  if (map_.size() >= entries_max_) map_.clear();  // crude but bounded; RocksDB holds the truth
  map_.insert_or_assign(key, std::move(value));
}

void StateCache::Forget(const StateOverlay& overlay) {
  if (map_.empty()) return;
  for (const auto& kv : overlay) map_.erase(kv.first);
}

std::optional<std::string> GroupState::Load(std::string_view key) {
  if (auto it = mine_.find(key); it != mine_.end()) return it->second;
  if (in_flight_ != nullptr) {
    if (auto it = in_flight_->find(key); it != in_flight_->end()) return it->second;
  }
  const DerivedState& derived = store_.derived();
  if (auto it = derived.tail().state.find(key); it != derived.tail().state.end()) {
    return it->second;
  }
  if (const DerivedDelta* frozen = derived.frozen()) {
    if (auto it = frozen->state.find(key); it != frozen->state.end()) return it->second;
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
  mine_.insert_or_assign(std::string(key), std::move(value));
}

void GroupState::Erase(std::string_view key) {
  mine_.insert_or_assign(std::string(key), std::nullopt);
}

std::vector<std::pair<std::string, std::string>> GroupState::Scan(std::string_view from,
                                                                  std::string_view to,
                                                                  std::size_t limit) {
  const DerivedState& derived = store_.derived();
  const DerivedDelta* frozen = derived.frozen();
  auto r = ScanStateLayers(
      store_, {frozen ? &frozen->state : nullptr, &derived.tail().state, in_flight_, &mine_}, from,
      to, limit);
  if (!r.ok()) {
    if (error_.ok()) error_ = r.status();
    return {};
  }
  return std::move(r).value();
}

}  // namespace folio
