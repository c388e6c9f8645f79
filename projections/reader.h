// The read side of a projection's state: what query functions (trust ledgers,
// statistics, balances) see. The projector implements it over a RocksDB
// snapshot of the projection's column family; tests over a std::map
// (projections/memory_store.h). Keys and values are the projection's own bytes.
//
// Thread-safety: an implementation is used by one thread at a time. A reader
// must present one consistent state (a snapshot) for its whole lifetime.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace folio::projections {

class ProjectionReader {
 public:
  virtual ~ProjectionReader() = default;
  // The value stored under `key`, nullopt when absent.
  virtual std::optional<std::string> Get(std::string_view key) = 0;
  // Entries with from <= key < to in ascending bytewise key order, at most
  // `limit` of them. An empty `to` means "to the end". To read further, call
  // again with `from` = last returned key + '\0'.
  // REQUIRES: limit > 0.
  virtual std::vector<std::pair<std::string, std::string>> Scan(std::string_view from,
                                                                std::string_view to,
                                                                std::size_t limit) = 0;
};

// Rows per Scan call the query functions in this folder use when they page.
inline constexpr std::size_t kScanPageRows = 1024;

// Calls `row(key, value)` for every entry in [from, to), page by page.
template <class Fn>
void ScanAll(ProjectionReader& reader, std::string_view from, std::string_view to, Fn&& row) {
  std::string next(from);
  for (;;) {
    auto page = reader.Scan(next, to, kScanPageRows);
    for (const auto& [key, value] : page) row(key, value);
    if (page.size() < kScanPageRows) return;
    next = page.back().first;
    next.push_back('\0');
  }
}

}  // namespace folio::projections
