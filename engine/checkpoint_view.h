// Reads of the derived-state checkpoint alone: the streams, idempotency and
// state families as they are in RocksDB, without what a writer holds in
// memory. Tail replay on open and the deep verification's rebuild derive on
// top of these.
#pragma once

#include <string>
#include <string_view>

#include "engine/derived.h"
#include "engine/domain/state_store.h"

namespace folio {

class LogStore;

// A Deriver's layer below: the checkpoint of `store`.
class CheckpointBelow final : public DerivedBelow {
 public:
  // REQUIRES: `store` outlives this object.
  explicit CheckpointBelow(const LogStore& store) : store_(store) {}
  Result<std::uint64_t> StreamVersion(std::string_view stream) override;
  Result<std::optional<std::string>> Idempotency(std::string_view key) override;
  Result<std::string> EventStream(std::uint64_t seq) override;

 private:
  const LogStore& store_;
};

// Aggregate state as `overlay` over the checkpoint's state family: reads see
// the overlay first, writes go only to the overlay. A read error is kept in
// error() (the domain's reads cannot fail) and reads then answer "absent".
class OverlayState final : public domain::StateStore {
 public:
  // REQUIRES: both outlive this object.
  OverlayState(const LogStore& store, StateOverlay& overlay) : store_(store), overlay_(overlay) {}
  std::optional<std::string> Load(std::string_view key) override;
  void Store(std::string_view key, std::string value) override;
  void Erase(std::string_view key) override;
  std::vector<std::pair<std::string, std::string>> Scan(std::string_view from, std::string_view to,
                                                        std::size_t limit) override;
  const Status& error() const { return error_; }

 private:
  const LogStore& store_;
  StateOverlay& overlay_;
  Status error_;
};

// Entries of the state family in [from, to) with the overlays applied on top,
// oldest overlay first (nullptr entries are skipped); at most `limit`.
// Shared by every StateStore that layers overlays over the checkpoint.
Result<std::vector<std::pair<std::string, std::string>>> ScanStateLayers(
    const LogStore& store, std::initializer_list<const StateOverlay*> overlays_oldest_first,
    std::string_view from, std::string_view to, std::size_t limit);

}  // namespace folio
