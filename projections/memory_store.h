// An in-memory projection state for tests and scratch rebuilds: a sorted map
// that is both the ProjectionStore Apply writes to and the ProjectionReader
// queries read from. Thread-compatible.
#pragma once

#include <map>
#include <string>

#include "projections/projection.h"
#include "projections/reader.h"

namespace folio::projections {

class MemoryStore final : public ProjectionStore, public ProjectionReader {
 public:
  std::optional<std::string> Get(std::string_view key) override {
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  void Put(std::string_view key, std::string_view value) override {
    map_.insert_or_assign(std::string(key), std::string(value));
  }
  void Delete(std::string_view key) override {
    auto it = map_.find(key);
    if (it != map_.end()) map_.erase(it);
  }
  std::vector<std::pair<std::string, std::string>> Scan(std::string_view from, std::string_view to,
                                                        std::size_t limit) override {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto it = map_.lower_bound(from); it != map_.end() && out.size() < limit; ++it) {
      if (!to.empty() && std::string_view(it->first) >= to) break;
      out.emplace_back(it->first, it->second);
    }
    return out;
  }

  const std::map<std::string, std::string, std::less<>>& map() const { return map_; }

 private:
  std::map<std::string, std::string, std::less<>> map_;
};

}  // namespace folio::projections
