// GroupState: the domain's view of aggregate state while the writer prepares
// a group. Reads look, in order, at this group's changes, the changes of the
// group still being committed, the derived state in memory (tail, frozen), a
// cache of checkpointed values, and the `state` column family; writes go only
// to this group's overlay, which becomes part of the group's DerivedDelta.
//
// Thread-compatible: used by the sequencer thread only. The in-flight overlay
// is read-only while this group is prepared.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "engine/derived.h"
#include "engine/derived_state.h"
#include "engine/domain/state_store.h"
#include "engine/log_store.h"
#include "engine/string_map.h"

namespace folio {

// Checkpointed aggregate values (and known-absent keys) kept in memory. Every
// key a written group changes is erased from it (Forget), so an entry is never
// older than the checkpoint while the newer value is in memory above it.
class StateCache {
 public:
  explicit StateCache(std::size_t entries_max) : entries_max_(entries_max) {}
  // nullptr: not cached. Otherwise the cached value (nullopt = known absent).
  const std::optional<std::string>* Find(std::string_view key) const;
  void Put(const std::string& key, std::optional<std::string> value);
  // Drops the keys a written group changed.
  void Forget(const StateOverlay& overlay);

 private:
  std::size_t entries_max_;
  StringMap<std::optional<std::string>> map_;
};

class GroupState final : public domain::StateStore {
 public:
  // REQUIRES: all arguments outlive this object; `in_flight` may be null.
  GroupState(const LogStore& store, StateOverlay& mine, const StateOverlay* in_flight,
             StateCache& cache)
      : store_(store), mine_(mine), in_flight_(in_flight), cache_(cache) {}

  std::optional<std::string> Load(std::string_view key) override;
  void Store(std::string_view key, std::string value) override;
  void Erase(std::string_view key) override;
  std::vector<std::pair<std::string, std::string>> Scan(std::string_view from, std::string_view to,
                                                        std::size_t limit) override;

  // The first storage error met by a read, if any (reads cannot fail in the
  // domain's interface; the writer checks this after each command).
  const Status& error() const { return error_; }

 private:
  const LogStore& store_;
  StateOverlay& mine_;
  const StateOverlay* in_flight_;
  StateCache& cache_;
  Status error_;
};

}  // namespace folio
