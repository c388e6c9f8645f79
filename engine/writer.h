// Writer: the only path that appends to the log. Group commit, two stages,
// and a background checkpointer for the derived state.
//
//   submitters --Submit()--> queue (bounded) --> sequencer thread --> committer thread
//                                                 decide, idempotency,  one WriteBatch:
//                                                 stamp seq + hash,     events, refusals,
//                                                 derive (in memory)    head; sync=true;
//                                                                       then callbacks
//                                    tail of derived state --> checkpointer thread
//                                    (in memory)               SST files, ingested with
//                                                              applied_through_seq
//
// The acknowledged batch holds only what cannot be derived from the events:
// the events (one record each, keyed by seq), the head, and the outcome of a
// request that appended nothing (a refusal), so a retry after any crash gets
// its first answer. Stream versions and index, idempotency records of accepted
// requests and aggregate state are derived (engine/derived.h): the sequencer
// derives each group into a DerivedDelta, which joins the store's in-memory
// tail once the group is durable, and the checkpointer writes the tail in the
// background. Opening the store derives again the events after the last
// checkpoint (engine/derived_state.h).
//
// A request is acknowledged (its callback runs) only after the batch holding
// it was written with sync=true. Groups are committed in order, so a request
// never observes an outcome that is not durable.
//
// Fail-stop: if a write or a checkpoint fails, that group and every later
// request complete with `store_failed`; the writer never guesses what reached
// the disk. Restart (reopen the store) to recover. `store_failed` means "the
// outcome is unknown": a failed group may still be found in the log after the
// restart, and a retry under the same idempotency key gets its first answer.
//
// One exception, a full disk that RocksDB itself never met: when every
// failure so far was NoSpace (a checkpoint's own files, written outside the
// database) and RocksDB reported no background error since the store was
// opened, the sequencer tries every `resume_interval` to resume in process:
// the head read back from the log must equal the last acknowledged head
// (nothing of a failed group reached the log), and the failed checkpoint is
// written again. Only then are new requests accepted. Once RocksDB has
// stopped (a log write met the full disk), only a restart recovers: RocksDB
// 7.8's own recovery (DB::Resume) leaves the next ingestion, so the next
// checkpoint, aborting on an assertion. (docs/reliability.md, "Storage faults".)
//
// Invariants, checked in release builds too (engine/assert.h): sequences are
// contiguous; the head's hash is the last event's; applied_through_seq never
// passes the durable head; a stream's versions are contiguous.
//
// Thread-safety: Submit/Append/Stop/stats may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/append.h"
#include "engine/clock.h"
#include "engine/derived.h"
#include "engine/group_state.h"
#include "engine/log_store.h"
#include "engine/string_map.h"

#include <boost/unordered/unordered_flat_set.hpp>

namespace folio {

struct WriterOptions {
  // Requests drained into one group (one WriteBatch). Default: 4096.
  std::size_t batch_requests_max = 4096;
  // Queued requests beyond which Submit blocks (back-pressure). Default: 65536.
  std::size_t queue_requests_max = 65536;
  // Stream versions read from the checkpoint kept in memory; the cache is
  // dropped when it grows past this. Default: 1,000,000.
  std::size_t stream_cache_entries_max = 1'000'000;
  // Aggregate states read from the checkpoint kept in memory. Default: 500,000.
  std::size_t state_cache_entries_max = 500'000;
  // A checkpoint starts when this many written events are not in one yet...
  // Default: 200,000 (at full load here, about half a second of events, so
  // that recovery derives at most ~2 checkpoints' worth: see
  // docs/benchmarks.md, `folio bench recovery`).
  std::uint64_t checkpoint_events_max = 200'000;
  // ...or when the oldest of them was written this long ago. Default: 1 s.
  std::chrono::milliseconds checkpoint_interval = std::chrono::seconds(1);
  // Stop() writes the rest of the tail as a last checkpoint, so the next open
  // derives nothing. Tests turn it off to leave a tail to replay. Default: true.
  bool checkpoint_at_stop = true;
  // Source of recorded_at. Not owned; must outlive the writer. Default: system clock.
  const Clock* clock = SystemClock::Default();
  // After a full disk met by a checkpoint (see "Fail-stop" above), how often
  // the writer tries to resume; zero: never, a restart is needed. Default: 1 s.
  std::chrono::milliseconds resume_interval = std::chrono::seconds(1);
  // Tests only: called before each batch write; a non-OK status is treated
  // exactly as a failed RocksDB write. Default: none.
  std::function<rocksdb::Status()> inject_write_error;
  // Tests only: called before each checkpoint; a non-OK status is treated as
  // a failed checkpoint write. Default: none.
  std::function<rocksdb::Status()> inject_checkpoint_error;
};

struct WriterStats {
  std::uint64_t groups = 0;              // batches written
  std::uint64_t requests = 0;            // requests completed
  std::uint64_t events = 0;              // events appended
  std::uint64_t prepare_ns = 0;          // sequencer time spent preparing groups
  std::uint64_t write_ns = 0;            // committer time inside RocksDB Write (sync)
  std::uint64_t handoff_wait_ns = 0;     // sequencer time waiting for the committer
  std::uint64_t retire_ns = 0;           // sequencer time folding written groups into the tail
  std::uint64_t checkpoints = 0;         // checkpoints written
  std::uint64_t checkpoint_ns = 0;       // checkpointer time writing them
  std::uint64_t checkpoint_events = 0;   // events they covered
  std::uint64_t checkpoint_records = 0;  // keys they wrote
  std::uint64_t checkpoint_bytes = 0;    // SST bytes they ingested
  std::uint64_t resumes = 0;             // in-process recoveries from a full disk
};

class Writer {
 public:
  // REQUIRES: `store` outlives the writer, was opened writable, and no other
  // writer runs on it.
  static Result<std::unique_ptr<Writer>> Start(LogStore* store, WriterOptions opts = {});
  ~Writer();  // Stop()s.
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues a request; `done` runs exactly once, on the committer thread, after
  // the outcome is durable (or known to have failed). Keep `done` short.
  // A malformed request (bad ids, an envelope that fails verification) is
  // answered at once with invalid_argument, on the caller's thread.
  void Submit(AppendRequest request, AppendCallback done);
  // Submit and wait.
  AppendOutcome Append(AppendRequest request);

  // Completes everything queued, writes a last checkpoint, then stops every
  // thread. Idempotent.
  void Stop();

  keys::Head durable_head() const;
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  // Why the writer failed (the first failure); empty when it has not.
  std::string failure() const;
  WriterStats stats() const;

 private:
  struct Pending {
    AppendRequest request;
    AppendCallback done;
  };
  struct Group;
  class Below;

  Writer(LogStore* store, WriterOptions opts, keys::Head head);
  Status LoadOutcomeKeys();
  void SequencerLoop();
  void CommitterLoop();
  void CheckpointerLoop();
  // writer_prepare.cc: the sequencer's work on one group.
  std::unique_ptr<Group> Prepare(std::deque<Pending> items);
  AppendOutcome PrepareOne(Group& g, AppendRequest& req, Deriver& deriver);
  AppendOutcome PrepareSealed(Group& g, AppendRequest& req);
  // Runs the domain's Decide for a command request: fills req.envelopes or
  // sets req.rejection. Nothing changes state. Non-OK: storage error.
  Status DecideCommand(Group& g, AppendRequest& req);
  // Applies the request's events to the group's aggregate state.
  // invalid_argument: raw events that do not fit the state (nothing applied).
  Status ApplyEvents(Group& g, AppendRequest& req);
  // The aggregate state a request of `g` sees: g's own writes, then the
  // group in flight, then the state cache and the store.
  GroupState StateView(Group& g);
  void StampAndDerive(Group& g, AppendRequest& req, Deriver& deriver, AppendOutcome& out);
  void RecordOutcome(Group& g, std::string idem_key, const Hash32& fingerprint,
                     const AppendOutcome& out);
  void AddOutcomeRecords(Group& g);
  Status Prefetch(Group& g);
  // Lookups through the layers below a group: the group in flight, the
  // store's derived state in memory, the caches, the prefetched values, the
  // checkpoint. `include_group` also looks at the group's own changes first.
  Result<std::uint64_t> VersionBelow(const Group& g, std::string_view stream);
  Result<std::optional<std::string>> FindIdempotency(const Group& g, const std::string& key,
                                                     bool include_group);
  Result<std::string> EventStreamAt(const Group& g, std::uint64_t seq);
  void HandToCommitter(std::unique_ptr<Group> g);
  void RetireCommitted();
  void MaybeCheckpoint(bool force);
  void FinalCheckpoint();
  // `no_space`: the failure was RocksDB's NoSpace (a resume may clear it).
  void FailStop(const std::string& why, bool no_space = false);
  // On the sequencer: the resume after a full disk, when one is due.
  void MaybeResume();
  Status Resume();
  static void FailAll(Group& g, const Status& why);

  LogStore* const store_;
  const WriterOptions opts_;

  // Submission queue.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;     // sequencer waits for work
  std::condition_variable not_full_cv_;  // submitters wait for room
  std::deque<Pending> queue_;
  bool stopping_ = false;

  // Sequencer-owned state.
  keys::Head prepared_head_;
  StringMap<std::uint64_t> stream_cache_;  // checkpointed versions
  StateCache state_cache_;
  // Every key of the outcomes family (refusals), while there are at most
  // kOutcomeKeysInMemoryMax: then a new key is known absent without a lookup.
  boost::unordered_flat_set<std::string, StringHash, std::equal_to<>> outcome_keys_;
  bool outcome_keys_complete_ = false;
  std::chrono::steady_clock::time_point tail_started_;  // first event of the tail written

  // Hand-off between sequencer and committer: at most one group in flight.
  std::mutex handoff_mu_;
  std::condition_variable handoff_cv_;
  std::unique_ptr<Group> in_flight_;  // being written by the committer
  bool in_flight_done_ = false;
  bool committer_exit_ = false;

  // Hand-off between sequencer and checkpointer: at most one checkpoint.
  std::mutex ckpt_mu_;
  std::condition_variable ckpt_cv_;
  std::shared_ptr<const DerivedDelta> ckpt_job_;  // to write; null when idle
  bool ckpt_busy_ = false;                        // sequencer's view: a job not yet collected
  bool ckpt_done_ = false;                        // the job is written (or failed)
  bool ckpt_exit_ = false;
  CheckpointMarker ckpt_marker_;                         // the marker of the job
  bool ckpt_ok_ = false;                                 // the job was written (when ckpt_done_)
  std::shared_ptr<const DerivedDelta> ckpt_failed_job_;  // kept to write again at a resume
  std::shared_ptr<const DerivedDelta> ckpt_garbage_;     // written; the checkpointer frees it

  std::atomic<bool> failed_{false};
  mutable std::mutex head_mu_;
  keys::Head durable_head_;
  std::string failure_;                                // why, under head_mu_
  bool failure_no_space_only_ = true;                  // under head_mu_: every failure was NoSpace
  std::chrono::steady_clock::time_point next_resume_;  // sequencer-owned
  std::atomic<std::uint64_t> stat_groups_{0}, stat_requests_{0}, stat_events_{0};
  std::atomic<std::uint64_t> stat_prepare_ns_{0}, stat_write_ns_{0}, stat_wait_ns_{0};
  std::atomic<std::uint64_t> stat_retire_ns_{0}, stat_ckpts_{0}, stat_ckpt_ns_{0};
  std::atomic<std::uint64_t> stat_ckpt_events_{0}, stat_ckpt_records_{0}, stat_ckpt_bytes_{0};
  std::atomic<std::uint64_t> stat_resumes_{0};

  std::thread committer_;
  std::thread checkpointer_;
  std::thread sequencer_;
  std::once_flag stop_once_;
};

}  // namespace folio
