// DerivedState: the derived state of an open log (engine/derived.h), as
// layers over the checkpoint in RocksDB:
//
//   durable   the delta of the last group written, until the writer folds it in
//   tail      every written event after the checkpoint, not yet being written
//   frozen    the delta a checkpoint is being written from
//   ------    the checkpoint: streams, idempotency and state families
//
// Opening a log loads the checkpoint marker and derives the events after it
// into the tail (the same Deriver and Apply the writer uses), so every reader
// sees derived state up to the head whether or not a writer runs. A log whose
// events after the checkpoint do not derive (damaged) does not open for
// writing; read-only, it opens with what derived (replay_error()).
//
// Threads: the writer's sequencer is the only thread that changes tail and
// frozen (Retire, Freeze, CheckpointWritten); it reads them without locking.
// The committer publishes durable groups. Readers (any thread) use the
// locked Read* calls, which see exactly the written events.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>

#include "engine/checkpoint_io.h"
#include "engine/derived.h"

namespace folio {

class LogStore;

class DerivedState {
 public:
  // Reads the marker (a log written before the checkpoint existed gets one at
  // its head: its derived records were written with its events), checks that
  // it names an event of this log, and derives the events after it.
  // REQUIRES: `store` outlives the result. Errors: corruption, io_error.
  static Result<std::unique_ptr<DerivedState>> Open(LogStore& store);

  // --- any thread ---
  Result<std::optional<std::string>> ReadState(std::string_view key) const;
  Result<std::uint64_t> ReadStreamVersion(std::string_view stream) const;
  // The seq of (stream, version); nullopt when there is none.
  Result<std::optional<std::uint64_t>> ReadIndex(std::string_view stream,
                                                 std::uint64_t version) const;
  // The outcome recorded under `key`: a derived record, or a refusal (outcomes family).
  Result<std::optional<std::string>> ReadIdempotency(std::string_view key) const;
  CheckpointMarker marker() const;
  // Read-only opens only: why the events after the checkpoint could not all
  // be derived (a damaged log; `folio verify` says where). OK otherwise.
  const Status& replay_error() const { return replay_error_; }
  // What opening derived: events after the checkpoint, and the time it took.
  std::uint64_t replayed_events() const { return replayed_events_; }
  double replay_seconds() const { return replay_seconds_; }
  // The last event whose derived state is held (checkpoint or memory).
  keys::Head through() const;
  // Events derived in memory, not yet in a checkpoint (tail + frozen + durable).
  std::uint64_t memory_events() const;
  std::size_t memory_bytes_approx() const;

  // --- the committer ---
  // Makes the delta of a group just written visible to readers.
  void PublishDurable(std::shared_ptr<const DerivedDelta> delta);

  // --- the sequencer (REQUIRES: the writer's sequencer thread) ---
  const DerivedDelta& tail() const { return tail_; }
  const DerivedDelta* frozen() const { return frozen_.get(); }
  // Folds the delta of a written group into the tail and unpublishes it.
  void Retire(const std::shared_ptr<DerivedDelta>& delta);
  // Moves the tail to frozen and returns it; REQUIRES: nothing frozen.
  std::shared_ptr<const DerivedDelta> Freeze();
  // The frozen delta is in the store now, under `marker`. Returns it, so that
  // the caller chooses the thread that frees it (a checkpoint's worth of
  // strings: the writer hands it to the checkpointer).
  std::shared_ptr<const DerivedDelta> CheckpointWritten(const CheckpointMarker& marker);

 private:
  explicit DerivedState(LogStore& store) : store_(store) {}
  Status ReplayTail(const keys::Head& head);
  // Under mu_ (shared): the in-memory layers, newest first.
  template <typename Fn>
  auto FindInMemory(Fn&& fn) const -> decltype(fn(std::declval<const DerivedDelta&>()));

  LogStore& store_;
  mutable std::shared_mutex mu_;
  std::shared_ptr<const DerivedDelta> durable_;
  DerivedDelta tail_;
  std::shared_ptr<const DerivedDelta> frozen_;
  CheckpointMarker marker_;
  Status replay_error_;
  std::uint64_t replayed_events_ = 0;
  double replay_seconds_ = 0;
};

}  // namespace folio
