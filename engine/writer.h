// Writer: the only path that appends to the log. Group commit, two stages.
//
//   submitters --Submit()--> queue (bounded) --> sequencer thread --> committer thread
//                                                 decide versions,      one WriteBatch,
//                                                 idempotency, stamp    sync=true, then
//                                                 seq + hash chain      complete callbacks
//
// The sequencer drains up to `batch_requests_max` requests into a group and
// prepares its WriteBatch (events, stream index, stream heads, idempotency
// records, head) while the committer syncs the previous group, so hashing and
// lookups overlap the disk. A request is acknowledged (its callback runs) only
// after the batch holding it was written with sync=true. Groups are committed
// in order, so a request never observes an outcome that is not durable.
//
// Fail-stop: if a write fails, that group and every later request complete
// with `store_failed`; the writer never guesses what reached the disk. Restart
// (reopen the store) to recover.
//
// Thread-safety: Submit/Append/Stop may be called from any thread.
#pragma once

#include <atomic>
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
#include "engine/group_state.h"
#include "engine/log_store.h"
#include "engine/string_map.h"

namespace folio {

struct WriterOptions {
  // Requests drained into one group (one WriteBatch). Default: 4096.
  std::size_t batch_requests_max = 4096;
  // Queued requests beyond which Submit blocks (back-pressure). Default: 65536.
  std::size_t queue_requests_max = 65536;
  // Stream versions kept in memory; the cache is dropped when it grows past
  // this (the streams column family is the truth). Default: 1,000,000.
  std::size_t stream_cache_entries_max = 1'000'000;
  // Aggregate states kept in memory (hot aggregates). Default: 500,000.
  std::size_t state_cache_entries_max = 500'000;
  // Source of recorded_at. Not owned; must outlive the writer. Default: system clock.
  const Clock* clock = SystemClock::Default();
  // Tests only: called before each batch write; a non-OK status is treated
  // exactly as a failed RocksDB write. Default: none.
  std::function<rocksdb::Status()> inject_write_error;
};

struct WriterStats {
  std::uint64_t groups = 0;           // batches written
  std::uint64_t requests = 0;         // requests completed
  std::uint64_t events = 0;           // events appended
  std::uint64_t prepare_ns = 0;       // sequencer time spent preparing groups
  std::uint64_t write_ns = 0;         // committer time inside RocksDB Write (sync)
  std::uint64_t handoff_wait_ns = 0;  // sequencer time waiting for the committer
};

class Writer {
 public:
  // REQUIRES: `store` outlives the writer and no other writer runs on it.
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

  // Completes everything queued, then stops both threads. Idempotent.
  void Stop();

  keys::Head durable_head() const;
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  WriterStats stats() const;

 private:
  struct Pending {
    AppendRequest request;
    AppendCallback done;
  };
  struct Group;

  Writer(LogStore* store, WriterOptions opts, keys::Head head);
  void SequencerLoop();
  void CommitterLoop();
  std::unique_ptr<Group> Prepare(std::deque<Pending> items);
  AppendOutcome PrepareOne(Group& g, AppendRequest& req);
  // Runs the domain for a command request: fills req.envelopes and applies
  // them to the group's state, or sets req.rejection. Non-OK: storage error.
  Status DecideCommand(Group& g, AppendRequest& req);
  Status AppendEnvelopes(Group& g, AppendRequest& req, AppendOutcome& out);
  void AddSortedPuts(Group& g);
  Status Prefetch(Group& g);
  Result<std::uint64_t> CurrentVersion(const Group& g, const std::string& stream_id);
  Result<std::optional<std::string>> FindIdempotency(const Group& g, const std::string& key);
  void HandToCommitter(std::unique_ptr<Group> g);
  void RetireCommitted();
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
  StringMap<std::uint64_t> stream_cache_;  // durable versions
  StateCache state_cache_;

  // Hand-off between sequencer and committer: at most one group in flight.
  std::mutex handoff_mu_;
  std::condition_variable handoff_cv_;
  std::unique_ptr<Group> in_flight_;  // being written by the committer
  bool in_flight_done_ = false;
  bool committer_exit_ = false;

  std::atomic<bool> failed_{false};
  mutable std::mutex head_mu_;
  keys::Head durable_head_;
  std::atomic<std::uint64_t> stat_groups_{0}, stat_requests_{0}, stat_events_{0};
  std::atomic<std::uint64_t> stat_prepare_ns_{0}, stat_write_ns_{0}, stat_wait_ns_{0};

  std::thread committer_;
  std::thread sequencer_;
  std::once_flag stop_once_;
};

}  // namespace folio
