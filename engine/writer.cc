#include "engine/writer.h"
#include "engine/writer_internal.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <future>

#include <rocksdb/write_batch.h>

#include "engine/assert.h"
#include "engine/checkpoint_io.h"
#include "engine/domain/domain.h"
#include "engine/log_cursor.h"
#include "events/codes.h"

namespace folio {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::uint64_t NsSince(SteadyClock::time_point a) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - a).count());
}

Status Invalid(std::string why) { return Status::Error(codes::kInvalidArgument, std::move(why)); }

// The head is written in the same batch as the events it names; a log whose
// last event disagrees with it was changed behind Folio's back (or, at a
// resume, holds part of a write that failed).
Status CheckLastEventIsHead(const LogStore& store, const keys::Head& head) {
  ASSIGN_OR_RETURN(std::uint64_t last, LastEventSeq(store));
  if (last != head.seq) {
    return Status::Error(codes::kCorruption, "head says seq " + std::to_string(head.seq) +
                                                 " but the last event is " + std::to_string(last) +
                                                 "; run `folio verify`");
  }
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<Writer>> Writer::Start(LogStore* store, WriterOptions opts) {
  if (store->read_only()) return Invalid("a writer needs a store opened for writing");
  ASSIGN_OR_RETURN(keys::Head head, store->ReadHead());
  RETURN_IF_ERROR(CheckLastEventIsHead(*store, head));
  const keys::Head derived = store->derived().through();
  if (derived.seq != head.seq || derived.hash != head.hash) {
    return Status::Error(codes::kCorruption, "derived state is at seq " +
                                                 std::to_string(derived.seq) + ", the head at " +
                                                 std::to_string(head.seq));
  }
  std::unique_ptr<Writer> w(new Writer(store, std::move(opts), head));
  return w;
}

// Refusals are few next to accepted requests: when the outcomes family is
// small, every key of it is kept in memory and a new idempotency key needs no
// lookup there. (Runs before the writer's threads start.)
Status Writer::LoadOutcomeKeys() {
  constexpr std::size_t kOutcomeKeysInMemoryMax = 1'000'000;
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->outcomes_cf()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (outcome_keys_.size() >= kOutcomeKeysInMemoryMax) {
      outcome_keys_.clear();
      return OkStatus();  // too many: look them up
    }
    outcome_keys_.insert(it->key().ToString());
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading the outcomes family"));
  outcome_keys_complete_ = true;
  return OkStatus();
}

Writer::Writer(LogStore* store, WriterOptions opts, keys::Head head)
    : store_(store),
      opts_(std::move(opts)),
      prepared_head_(head),
      state_cache_(opts_.state_cache_entries_max),
      tail_started_(SteadyClock::now()),
      durable_head_(head) {
  FOLIO_ASSERT(opts_.batch_requests_max > 0 && opts_.queue_requests_max > 0,
               "limits must be positive");
  if (!LoadOutcomeKeys().ok()) outcome_keys_.clear();  // then every lookup goes to RocksDB
  committer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "folio-commit");
    CommitterLoop();
  });
  checkpointer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "folio-ckpt");
    CheckpointerLoop();
  });
  sequencer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "folio-sequence");
    SequencerLoop();
  });
}

Writer::~Writer() { Stop(); }

void Writer::Stop() {
  std::call_once(stop_once_, [this] {
    {
      std::lock_guard<std::mutex> lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    not_full_cv_.notify_all();
    sequencer_.join();  // drains the queue, checkpoints, tells the others to exit
    committer_.join();
    checkpointer_.join();
  });
}

// Checks that need no state run on the submitter's thread, off the
// sequencer's critical path.
static Status ValidateRequest(const AppendRequest& req) {
  if (req.sealed) {
    if (req.command || req.rejection || !req.idempotency_key.empty() || !req.stream_id.empty() ||
        req.envelopes.empty()) {
      return Invalid("a sealed append carries only its events");
    }
  } else {
    if (!req.command && !keys::IsValidId(req.stream_id, keys::kStreamIdBytesMax)) {
      return Invalid("stream_id must be 1-200 bytes with no control characters");
    }
    if (!req.idempotency_key.empty() &&
        (!keys::IsValidId(req.idempotency_key, keys::kIdempotencyKeyBytesMax) ||
         (!req.idempotency_scope.empty() &&
          !keys::IsValidId(req.idempotency_scope, keys::kIdempotencyKeyBytesMax)))) {
      return Invalid("idempotency key and scope must be 1-200 bytes with no control characters");
    }
    if (req.command && !req.envelopes.empty())
      return Invalid("a command request carries no events");
    if (req.envelopes.empty() && !req.rejection && !req.command)
      return Invalid("nothing to append");
  }
  std::optional<RequestIdentity> expected;
  if (!req.idempotency_key.empty()) {
    expected = RequestIdentity{req.idempotency_scope, req.idempotency_key, req.fingerprint};
  }
  for (const std::string& env : req.envelopes) {
    Status s = VerifyEnvelope(env);
    if (!s.ok()) return Invalid("event " + s.message());
    const fb::Envelope& e = *fb::GetEnvelope(env.data());
    if (!keys::IsValidId(e.stream_id()->string_view(), keys::kStreamIdBytesMax)) {
      return Invalid("event stream_id must be 1-200 bytes with no control characters");
    }
    if (!req.sealed && EnvelopeRequest(e) != expected) {
      return Invalid(
          "every event must carry the request's idempotency scope, key and fingerprint "
          "(EnvelopeMeta), and none when the request has no key");
    }
  }
  return OkStatus();
}

void Writer::Submit(AppendRequest request, AppendCallback done) {
  if (Status s = ValidateRequest(request); !s.ok()) {
    AppendOutcome o;
    o.status = std::move(s);
    done(o);
    return;
  }
  std::unique_lock<std::mutex> lock(queue_mu_);
  not_full_cv_.wait(lock, [&] { return stopping_ || queue_.size() < opts_.queue_requests_max; });
  if (stopping_) {
    lock.unlock();
    AppendOutcome o;
    o.status = Status::Error(codes::kStoreClosed, "the writer is stopping");
    done(o);
    return;
  }
  queue_.push_back(Pending{std::move(request), std::move(done)});
  bool was_empty = queue_.size() == 1;
  lock.unlock();
  if (was_empty) queue_cv_.notify_one();
}

AppendOutcome Writer::Append(AppendRequest request) {
  std::promise<AppendOutcome> p;
  auto f = p.get_future();
  Submit(std::move(request), [&p](const AppendOutcome& o) { p.set_value(o); });
  return f.get();
}

keys::Head Writer::durable_head() const {
  std::lock_guard<std::mutex> lock(head_mu_);
  return durable_head_;
}

WriterStats Writer::stats() const {
  WriterStats s;
  s.groups = stat_groups_.load();
  s.requests = stat_requests_.load();
  s.events = stat_events_.load();
  s.prepare_ns = stat_prepare_ns_.load();
  s.write_ns = stat_write_ns_.load();
  s.handoff_wait_ns = stat_wait_ns_.load();
  s.retire_ns = stat_retire_ns_.load();
  s.checkpoints = stat_ckpts_.load();
  s.checkpoint_ns = stat_ckpt_ns_.load();
  s.checkpoint_events = stat_ckpt_events_.load();
  s.checkpoint_records = stat_ckpt_records_.load();
  s.checkpoint_bytes = stat_ckpt_bytes_.load();
  s.resumes = stat_resumes_.load();
  return s;
}

std::string Writer::failure() const {
  std::lock_guard<std::mutex> lock(head_mu_);
  return failure_;
}

void Writer::FailStop(const std::string& why, bool no_space) {
  {
    std::lock_guard<std::mutex> lock(head_mu_);
    if (failure_.empty()) failure_ = why;
    if (!no_space) failure_no_space_only_ = false;
  }
  failed_.store(true, std::memory_order_release);
}

// --- resume after a full disk --------------------------------------------

void Writer::MaybeResume() {
  if (!failed() || opts_.resume_interval.count() <= 0) return;
  {
    std::lock_guard<std::mutex> lock(head_mu_);
    if (!failure_no_space_only_) return;
  }
  const auto now = SteadyClock::now();
  if (now < next_resume_) return;
  next_resume_ = now + opts_.resume_interval;
  Status s = Resume();
  // Still full: try again later. Anything else is beyond a resume.
  if (!s.ok() && s.code() != codes::kNoSpace) FailStop("no resume: " + s.ToString());
}

// REQUIRES: the sequencer thread, between groups; failed() and every failure
// so far was NoSpace. On success the writer accepts requests again.
Status Writer::Resume() {
  RetireCommitted();  // no group in flight from here on
  {
    std::unique_lock<std::mutex> lock(ckpt_mu_);
    ckpt_cv_.wait(lock, [&] { return !ckpt_busy_ || ckpt_done_; });
  }
  MaybeCheckpoint(/*force=*/false);  // collects the last job (failed() stops a new one)
  // RocksDB 7.8 recovers from a background error (DB::Resume, or by itself)
  // into a state where the next IngestExternalFiles aborts on an assertion,
  // and every checkpoint is an ingestion: once RocksDB has stopped, only a
  // restart recovers (docs/reliability.md, "Storage faults").
  if (store_->background_errors() > 0) {
    return Status::Error(codes::kStoreFailed,
                         "RocksDB stopped after a background error; restart to recover");
  }
  // Nothing of a failed group may be in the log: it was answered store_failed
  // and the writer is about to hand its seqs to other requests.
  const keys::Head acked = durable_head();
  ASSIGN_OR_RETURN(keys::Head head, store_->ReadHead());
  if (head.seq != acked.seq || head.hash != acked.hash) {
    return Status::Error(codes::kCorruption,
                         "after the resume the log's head is seq " + std::to_string(head.seq) +
                             ", the last acknowledged " + std::to_string(acked.seq) + "; restart");
  }
  RETURN_IF_ERROR(CheckLastEventIsHead(*store_, head));
  const keys::Head derived = store_->derived().through();
  FOLIO_ASSERT(derived.seq == acked.seq && derived.hash == acked.hash,
               "derived state holds exactly the written groups");
  std::shared_ptr<const DerivedDelta> job;
  {
    std::lock_guard<std::mutex> lock(ckpt_mu_);
    job = ckpt_failed_job_;
  }
  if (job != nullptr) {
    RemoveCheckpointScratch(*store_);
    RETURN_IF_ERROR(WriteCheckpoint(*store_, *job, ckpt_marker_));
    store_->derived().CheckpointWritten(ckpt_marker_);
    std::lock_guard<std::mutex> lock(ckpt_mu_);
    ckpt_failed_job_.reset();
  }
  // Groups prepared after the failure were never written: start from the head.
  prepared_head_ = acked;
  stream_cache_.clear();
  state_cache_ = StateCache(opts_.state_cache_entries_max);
  {
    std::lock_guard<std::mutex> lock(head_mu_);
    failure_.clear();
    failure_no_space_only_ = true;
  }
  failed_.store(false, std::memory_order_release);
  stat_resumes_.fetch_add(1, std::memory_order_relaxed);
  return OkStatus();
}

void Writer::SequencerLoop() {
  // A tail derived again on open is checkpointed at once: a process killed
  // again and again within one interval would otherwise derive an ever longer
  // tail at every start (found by the soak).
  MaybeCheckpoint(/*force=*/true);
  for (;;) {
    std::deque<Pending> items;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      while (!stopping_ && queue_.empty()) {
        // Idle: a tail older than the interval is still checkpointed.
        if (queue_cv_.wait_for(lock, opts_.checkpoint_interval) == std::cv_status::timeout &&
            queue_.empty() && !stopping_) {
          lock.unlock();
          RetireCommitted();
          MaybeCheckpoint(/*force=*/false);
          MaybeResume();
          lock.lock();
        }
      }
      if (queue_.empty()) break;  // stopping and drained
      std::size_t n = std::min(queue_.size(), opts_.batch_requests_max);
      if (n == queue_.size()) {
        items.swap(queue_);
      } else {
        for (std::size_t i = 0; i < n; ++i) {
          items.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
    }
    not_full_cv_.notify_all();
    MaybeResume();
    auto t0 = SteadyClock::now();
    auto group = Prepare(std::move(items));
    stat_prepare_ns_.fetch_add(NsSince(t0), std::memory_order_relaxed);
    HandToCommitter(std::move(group));
    MaybeCheckpoint(/*force=*/false);
  }
  RetireCommitted();
  FinalCheckpoint();
  {
    std::lock_guard<std::mutex> lock(handoff_mu_);
    committer_exit_ = true;
  }
  handoff_cv_.notify_all();
  {
    std::lock_guard<std::mutex> lock(ckpt_mu_);
    ckpt_exit_ = true;
  }
  ckpt_cv_.notify_all();
}

// Waits for the committer to finish the group in flight and folds its derived
// state into the store's tail.
void Writer::RetireCommitted() {
  std::unique_ptr<Group> done;
  auto t0 = SteadyClock::now();
  {
    std::unique_lock<std::mutex> lock(handoff_mu_);
    handoff_cv_.wait(lock, [&] { return in_flight_ == nullptr || in_flight_done_; });
    done = std::move(in_flight_);
    in_flight_done_ = false;
  }
  stat_wait_ns_.fetch_add(NsSince(t0), std::memory_order_relaxed);
  // A group written before a failure still holds true derived state.
  if (!done || !done->written || done->events == 0) return;
  auto t1 = SteadyClock::now();
  // Checkpointed values these keys had are stale now; memory holds the new ones.
  for (const auto& kv : done->delta->stream_versions) stream_cache_.erase(kv.first);
  state_cache_.Forget(done->delta->state);
  DerivedState& derived = store_->derived();
  if (derived.tail().events == 0) tail_started_ = SteadyClock::now();
  derived.Retire(done->delta);
  stat_retire_ns_.fetch_add(NsSince(t1), std::memory_order_relaxed);
}

void Writer::HandToCommitter(std::unique_ptr<Group> g) {
  RetireCommitted();
  {
    std::lock_guard<std::mutex> lock(handoff_mu_);
    in_flight_ = std::move(g);
    in_flight_done_ = false;
  }
  handoff_cv_.notify_all();
}

void Writer::CommitterLoop() {
  for (;;) {
    Group* g = nullptr;
    {
      std::unique_lock<std::mutex> lock(handoff_mu_);
      handoff_cv_.wait(lock, [&] { return committer_exit_ || (in_flight_ && !in_flight_done_); });
      if (!in_flight_ || in_flight_done_) return;
      g = in_flight_.get();
    }
    if (failed()) {
      FailAll(*g, Status::Error(codes::kStoreFailed, "an earlier write failed; restart required"));
    } else if (g->batch.Count() > 0) {
      rocksdb::Status s = opts_.inject_write_error ? opts_.inject_write_error() : rocksdb::Status();
      if (s.ok()) {
        rocksdb::WriteOptions wo;
        wo.sync = true;
        auto t0 = SteadyClock::now();
        s = store_->db()->Write(wo, &g->batch);
        stat_write_ns_.fetch_add(NsSince(t0), std::memory_order_relaxed);
      }
      if (!s.ok()) {
        FailStop("log write failed: " + s.ToString(), s.IsNoSpace());
        FailAll(*g, Status::Error(
                        codes::kStoreFailed,
                        "log write failed, the store stopped accepting writes: " + s.ToString()));
      } else {
        g->written = true;
        if (g->events > 0) store_->derived().PublishDurable(g->delta);
        std::lock_guard<std::mutex> lock(head_mu_);
        FOLIO_ASSERT(g->head_after.seq == durable_head_.seq + g->events,
                     "sequences are contiguous across groups");
        durable_head_ = g->head_after;
        stat_groups_.fetch_add(1, std::memory_order_relaxed);
        stat_events_.fetch_add(g->events, std::memory_order_relaxed);
      }
    }
    for (std::size_t i = 0; i < g->items.size(); ++i) g->items[i].done(g->outcomes[i]);
    stat_requests_.fetch_add(g->items.size(), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(handoff_mu_);
      in_flight_done_ = true;
    }
    handoff_cv_.notify_all();
  }
}

void Writer::FailAll(Group& g, const Status& why) {
  for (auto& o : g.outcomes) {
    o = AppendOutcome{};
    o.status = why;
  }
}

// --- checkpoints ---------------------------------------------------------

// Collects a finished checkpoint, then starts the next when the tail is due:
// `checkpoint_events_max` events, or older than `checkpoint_interval`.
void Writer::MaybeCheckpoint(bool force) {
  DerivedState& derived = store_->derived();
  bool collected = false;
  CheckpointMarker written;
  {
    std::lock_guard<std::mutex> lock(ckpt_mu_);
    if (ckpt_busy_ && ckpt_done_) {
      ckpt_busy_ = ckpt_done_ = false;
      collected = ckpt_ok_;  // a failed one stays frozen (Resume writes it again)
      written = ckpt_marker_;
    }
    if (ckpt_busy_) return;
  }
  // A checkpoint in the store is in the store, whatever failed since. Freeing
  // it (a checkpoint's worth of strings) is the checkpointer's work, not the
  // sequencer's.
  if (collected) {
    std::shared_ptr<const DerivedDelta> garbage = derived.CheckpointWritten(written);
    {
      std::lock_guard<std::mutex> lock(ckpt_mu_);
      ckpt_garbage_ = std::move(garbage);
    }
    ckpt_cv_.notify_all();
  }
  if (failed()) return;
  const DerivedDelta& tail = derived.tail();
  if (tail.events == 0) return;
  const bool due = force || tail.events >= opts_.checkpoint_events_max ||
                   SteadyClock::now() - tail_started_ >= opts_.checkpoint_interval;
  if (!due) return;
  CheckpointMarker marker;
  marker.applied_seq = tail.through.seq;
  marker.applied_hash = tail.through.hash;
  marker.legacy_through_seq = derived.marker().legacy_through_seq;
  FOLIO_ASSERT(marker.applied_seq <= durable_head().seq,
               "a checkpoint never covers events that are not durable");
  std::shared_ptr<const DerivedDelta> job = derived.Freeze();
  {
    std::lock_guard<std::mutex> lock(ckpt_mu_);
    ckpt_job_ = std::move(job);
    ckpt_marker_ = marker;
    ckpt_busy_ = true;
    ckpt_done_ = false;
  }
  ckpt_cv_.notify_all();
}

// At Stop: waits for the checkpoint being written, then writes the rest of
// the tail, so that the next open derives nothing.
void Writer::FinalCheckpoint() {
  for (int round = 0; round < (opts_.checkpoint_at_stop ? 2 : 0); ++round) {
    {
      std::unique_lock<std::mutex> lock(ckpt_mu_);
      ckpt_cv_.wait(lock, [&] { return !ckpt_busy_ || ckpt_done_; });
    }
    MaybeCheckpoint(/*force=*/true);
  }
  std::unique_lock<std::mutex> lock(ckpt_mu_);
  ckpt_cv_.wait(lock, [&] { return !ckpt_busy_ || ckpt_done_; });
  if (ckpt_busy_ && ckpt_ok_) {
    ckpt_busy_ = ckpt_done_ = false;
    lock.unlock();
    store_->derived().CheckpointWritten(ckpt_marker_);
  }
}

void Writer::CheckpointerLoop() {
  for (;;) {
    std::shared_ptr<const DerivedDelta> job;
    CheckpointMarker marker;
    {
      std::unique_lock<std::mutex> lock(ckpt_mu_);
      ckpt_cv_.wait(lock,
                    [&] { return ckpt_exit_ || ckpt_job_ != nullptr || ckpt_garbage_ != nullptr; });
      std::shared_ptr<const DerivedDelta> garbage = std::move(ckpt_garbage_);
      if (garbage != nullptr) {
        lock.unlock();
        garbage.reset();
        continue;
      }
      if (ckpt_job_ == nullptr) return;
      job = ckpt_job_;
      marker = ckpt_marker_;
    }
    auto t0 = SteadyClock::now();
    CheckpointWriteStats written;
    Status s;
    if (opts_.inject_checkpoint_error) s = FromRocks(opts_.inject_checkpoint_error(), "checkpoint");
    if (s.ok()) s = WriteCheckpoint(*store_, *job, marker, &written);
    stat_ckpt_ns_.fetch_add(NsSince(t0), std::memory_order_relaxed);
    if (s.ok()) {
      stat_ckpts_.fetch_add(1, std::memory_order_relaxed);
      stat_ckpt_events_.fetch_add(job->events, std::memory_order_relaxed);
      stat_ckpt_records_.fetch_add(written.records, std::memory_order_relaxed);
      stat_ckpt_bytes_.fetch_add(written.file_bytes, std::memory_order_relaxed);
    } else {
      // The log itself is intact, but derived state that cannot be persisted
      // would only grow in memory: stop like a failed log write. What the
      // failed checkpoint wrote would only take room a full disk lacks.
      FailStop("checkpoint failed: " + s.ToString(), s.code() == codes::kNoSpace);
      RemoveCheckpointScratch(*store_);
    }
    {
      std::lock_guard<std::mutex> lock(ckpt_mu_);
      ckpt_ok_ = s.ok();
      if (!s.ok()) ckpt_failed_job_ = job;
      ckpt_job_.reset();
      ckpt_done_ = true;
    }
    ckpt_cv_.notify_all();
  }
}

}  // namespace folio
