// StringMap: the writer's hash maps keyed by strings (stream ids, idempotency
// and state keys). An open-addressing table (Boost 1.81's unordered_flat_map)
// instead of std::unordered_map's node per entry: the stream cache holds up to
// a million entries and was the sequencer's largest cost in `bench append`
// (a cache miss per node). Lookups take std::string_view without a copy.
//
// Unlike std::unordered_map, inserting may move every element: never keep a
// pointer or reference into a StringMap across an insertion.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <boost/unordered/unordered_flat_map.hpp>

namespace folio {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename V>
using StringMap = boost::unordered_flat_map<std::string, V, StringHash, std::equal_to<>>;

}  // namespace folio
