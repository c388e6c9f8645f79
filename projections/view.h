// ProjectionView: a projection's state exactly as of one sequence, for
// reports and other one-off readers that must not depend on how far the
// projector has got.
//
// It reads the projection's column family through one snapshot (with the
// checkpoint taken in it, projections/rocks_reader.h) and, when the
// checkpoint is behind `through_seq`, applies the missing events in memory
// (read through the verified LogCursor, chained from the checkpoint's hash)
// with the projection's own Apply. So the answer costs the rows the query
// reads plus the projector's lag, never a fold of the whole log, and it is
// the same answer a rebuild would give:
//
//   - checkpoint == through_seq: the snapshot as it is;
//   - checkpoint <  through_seq: the snapshot plus the tail, in memory;
//   - checkpoint >  through_seq: the snapshot; the caller asks its query
//     functions for as_of = through_seq (they filter by seq);
//   - no family, or one of another version (the projector has not built
//     this version yet): everything in memory from seq 1, the old cost.
//
// Not thread-safe; one reader at a time, like every ProjectionReader.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/log_store.h"
#include "projections/projection.h"
#include "projections/reader.h"
#include "projections/rocks_reader.h"

namespace folio::projections {

class ProjectionView final : public ProjectionReader {
 public:
  // `projection` is used only during Open (its Apply, name and version).
  // REQUIRES: through_seq <= the log's head.
  // At most `tail_events_max` events are applied in memory: a projection
  // further behind (or never built) is projection_lag_timeout, for callers
  // that would rather stream the log than hold its rows in memory.
  static Result<std::unique_ptr<ProjectionView>> Open(
      const LogStore& store, Projection& projection, std::uint64_t through_seq,
      std::uint64_t tail_events_max = std::numeric_limits<std::uint64_t>::max());

  // What the view reflects: every event up to through_seq(), except when
  // snapshot_seq() > through_seq() (then as_of filtering is the caller's).
  std::uint64_t through_seq() const { return through_seq_; }
  // The projector's checkpoint found in the snapshot (0: none usable).
  std::uint64_t snapshot_seq() const { return snapshot_seq_; }
  // Events applied in memory on top of the snapshot.
  std::uint64_t events_applied() const { return events_applied_; }
  // The sequence the caller should pass as as_of to the query functions
  // (nullopt: the view is exactly at through_seq, no filter needed).
  std::optional<std::uint64_t> as_of() const {
    return snapshot_seq_ > through_seq_ ? std::optional<std::uint64_t>(through_seq_) : std::nullopt;
  }

  std::optional<std::string> Get(std::string_view key) override;
  std::vector<std::pair<std::string, std::string>> Scan(std::string_view from, std::string_view to,
                                                        std::size_t limit) override;

 private:
  class Overlay;
  ProjectionView() = default;

  std::unique_ptr<RocksProjectionReader> base_;  // null: nothing usable on disk
  // Writes of the events applied in memory; nullopt marks a deletion.
  std::map<std::string, std::optional<std::string>, std::less<>> overlay_;
  std::uint64_t through_seq_ = 0;
  std::uint64_t snapshot_seq_ = 0;
  std::uint64_t events_applied_ = 0;
};

}  // namespace folio::projections
