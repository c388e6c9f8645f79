// Projector: keeps projections up to date with the log, off the writer's
// thread.
//
// One background thread tails the log from each projection's checkpoint and
// applies events in batches of up to `batch_events_max`; for each projection,
// a batch's state changes and its new checkpoint (projections/checkpoint.h)
// go into ONE WriteBatch, so a crash can neither skip nor double-apply an
// event. Every applied event must continue the hash chain from the
// checkpoint; an event that does not stops that projection as failed (the
// others go on).
//
// Catching up (a rebuild, a restart behind the head), the next batch is read
// and hashed on a second thread while the current one is applied, and the
// projections of a large batch are applied and written on threads of their
// own: they share nothing but the events.
//
// On Start a projection without a checkpoint, or whose stored version differs
// from version(), is rebuilt from seq 1: its family is cleared and its
// checkpoint reset in one batch.
//
// Thread-safety: every public method may be called from any thread.
// REQUIRES: the LogStore outlives the Projector, was opened writable, and no
// other Projector runs on it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "engine/log_store.h"
#include "projections/checkpoint.h"
#include "projections/projection.h"

namespace folio::projections {

struct ProjectorOptions {
  // Events applied per WriteBatch. Default: 4096.
  std::size_t batch_events_max = 4096;
  // Run the background thread. Without it, only CatchUp() applies events
  // (CLI, tests). Default: true.
  bool background = true;
  // How long the idle thread waits for Notify() before looking at the head
  // again, so appends nobody announced are picked up too. Default: 200 ms.
  std::chrono::milliseconds idle_poll{200};
  // Recompute each event's SHA-256 (detects a changed byte, not only a broken
  // link). Default: true.
  bool verify_hashes = true;
  // Never apply beyond this sequence (replay "until"; tests). Default: no limit.
  std::uint64_t until_seq = UINT64_MAX;
  // Called after each committed batch with (applied_seq_min, head_seq), on the
  // applying thread. Keep it short. Default: none.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  // Benchmarks: called with each batch after it was written, on the thread
  // that wrote it (several at once when projections run in parallel).
  // Default: none.
  std::function<void(const rocksdb::WriteBatch&)> batch_written;
  // Tests only: after this many committed batches, the next batch is applied
  // but never written and the projector stops applying, as if the process
  // were killed mid-batch. Default: never.
  std::uint64_t test_crash_after_batches = UINT64_MAX;
};

enum class ProjectionState { kRunning, kRebuilding, kFailed };
std::string_view ProjectionStateName(ProjectionState s);  // "running", ...

// Where a projector's time went, summed over its rounds (benchmarks).
struct ProjectorStats {
  std::uint64_t rounds = 0;       // batches written
  std::uint64_t events = 0;       // events read from the log
  std::uint64_t records = 0;      // puts and deletes in the batches written
  std::uint64_t batch_bytes = 0;  // their WriteBatch sizes
  std::uint64_t read_ns = 0;      // reading, decoding and hashing the log (maybe ahead)
  std::uint64_t apply_ns = 0;     // chain checks, Apply, building batches
  std::uint64_t write_ns = 0;     // inside RocksDB Write
};

struct ProjectionStatus {
  std::string name;
  std::uint32_t version = 0;
  ProjectionState state = ProjectionState::kRunning;
  std::uint64_t applied_seq = 0;
  std::uint64_t head_seq = 0;
  std::uint64_t lag_events = 0;
  // Age (recorded_at to now) of the oldest event not yet applied; 0 when none.
  double lag_seconds = 0;
  Status error;  // why it failed (state kFailed)
};

class Projector {
 public:
  static Result<std::unique_ptr<Projector>> Start(
      LogStore* store, std::vector<std::unique_ptr<Projection>> projections,
      ProjectorOptions opts = {});
  ~Projector();  // Stop()s.
  Projector(const Projector&) = delete;
  Projector& operator=(const Projector&) = delete;

  // New events may exist: wakes the background thread. Cheap, never blocks on I/O.
  void Notify();
  // Applies, on the calling thread, everything up to the head as read now
  // (or until_seq). Returns the first error of a failed projection.
  Status CatchUp();
  // Waits until every projection that has not failed applied `seq` (read
  // your writes). projection_lag_timeout after `timeout`; the failure of a
  // projection when one failed. Without the background thread it catches up
  // itself.
  Status WaitFor(std::uint64_t seq, std::chrono::milliseconds timeout);
  std::vector<ProjectionStatus> status() const;
  ProjectorStats stats() const;
  // Clears `name`'s state and checkpoint (one batch) and starts it over from
  // seq 1 (also a failed one). Returns at once; CatchUp()/WaitFor() to wait.
  Status Rebuild(std::string_view name);
  // Stops the background thread after its current batch. Idempotent.
  void Stop();

 private:
  struct Slot;
  Projector(LogStore* store, ProjectorOptions opts);
  Status InitSlot(Slot& slot);
  Status ResetSlot(Slot& slot);
  // One round: reads a batch after the lowest checkpoint and applies it.
  // REQUIRES: work_mu_ held. *idle: nothing was left to apply.
  Status Round(bool* idle);
  // Events read (and hashed) for one round, possibly ahead of it.
  struct Batch {
    std::uint64_t from = 0;  // the events start at from + 1
    Result<std::vector<EventRecord>> events = std::vector<EventRecord>();
    HashCheck hash_check;
    std::uint64_t read_ns = 0;
  };
  static Batch ReadBatch(const LogStore* store, std::uint64_t from, std::size_t count,
                         bool verify_hashes);
  Batch TakeReadAhead(std::uint64_t from, std::size_t count);
  // The steps of a round, in order. The lowest checkpoint behind `target`
  // (UINT64_MAX: none; a rebuilt projection that reached it runs again).
  std::uint64_t LowestBehind(std::uint64_t head_seq, std::uint64_t target);
  // The round's events after `from` (read ahead, or read now), and the next
  // round's started on another thread when more are behind.
  Batch ReadRound(std::uint64_t from, std::uint64_t target);
  // An unreadable log fails every projection; returns `why`.
  Status FailAll(const Status& why);
  struct Work;
  // Applies the round's events (`all`, from seq from + 1) to slot i.
  void ApplyOne(std::size_t i, std::uint64_t from, std::span<const EventRecord> all,
                const HashCheck& hash_check, Work& w);
  void WriteOne(Work& w) const;
  // Moves the checkpoints of what was written; the first write error.
  Status Commit(const std::vector<Work>& work, const Batch& read, std::uint64_t head_seq);
  void Loop();
  Status FirstFailure() const;

  LogStore* const store_;
  const ProjectorOptions opts_;
  std::mutex work_mu_;  // one applier at a time (thread, CatchUp, Rebuild)
  mutable std::mutex mu_;
  std::condition_variable wake_cv_;     // the thread waits for Notify/Stop
  std::condition_variable applied_cv_;  // WaitFor waits for progress
  bool notified_ = false;
  bool stopping_ = false;
  bool crashed_ = false;  // test_crash_after_batches reached
  std::uint64_t batches_ = 0;
  ProjectorStats stats_;  // guarded by mu_
  std::vector<std::unique_ptr<Slot>> slots_;
  std::future<Batch> ahead_;  // the next round's events, being read; guarded by work_mu_
  std::thread thread_;
  std::once_flag stop_once_;
};

}  // namespace folio::projections
