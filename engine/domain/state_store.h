// StateStore: how the pure domain code reads and changes aggregate state.
//
// Domain code (decide/apply) never touches RocksDB. The writer hands it a
// StateStore that layers the current group's changes over the group still
// being committed, a cache and the `state` column family; tests hand it an
// in-memory map (MemoryStateStore). Keys and values are opaque bytes chosen by
// the domain (engine/domain/aggregates.h); values must be encoded
// deterministically so that equal state is equal bytes.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace folio::domain {

class StateStore {
 public:
  virtual ~StateStore() = default;
  virtual std::optional<std::string> Load(std::string_view key) = 0;
  virtual void Store(std::string_view key, std::string value) = 0;
  virtual void Erase(std::string_view key) = 0;
  // Entries with from <= key < to, in key order, at most `limit`.
  virtual std::vector<std::pair<std::string, std::string>> Scan(std::string_view from,
                                                                std::string_view to,
                                                                std::size_t limit) = 0;
};

// An in-memory StateStore for tests and replay checks. Not thread-safe.
class MemoryStateStore final : public StateStore {
 public:
  std::optional<std::string> Load(std::string_view key) override {
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  void Store(std::string_view key, std::string value) override {
    map_[std::string(key)] = std::move(value);
  }
  void Erase(std::string_view key) override {
    auto it = map_.find(key);
    if (it != map_.end()) map_.erase(it);
  }
  std::vector<std::pair<std::string, std::string>> Scan(std::string_view from, std::string_view to,
                                                        std::size_t limit) override {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto it = map_.lower_bound(from); it != map_.end() && it->first < to && out.size() < limit;
         ++it) {
      out.emplace_back(it->first, it->second);
    }
    return out;
  }
  const std::map<std::string, std::string, std::less<>>& map() const { return map_; }

 private:
  std::map<std::string, std::string, std::less<>> map_;
};

}  // namespace folio::domain
