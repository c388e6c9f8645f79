#include "projections/projector.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <set>

#include "engine/log_cursor.h"
#include "events/codes.h"

namespace folio::projections {
namespace {

// Below this many events a round applies its projections one after another.
constexpr std::size_t kParallelEventsMin = 512;

// Runs fn(i) for every i in `items`: on their own threads (the last on this
// one) when `parallel`, else in order here.
template <typename Fn>
void ForEach(const std::vector<std::size_t>& items, bool parallel, const Fn& fn) {
  if (!parallel) {
    for (std::size_t i : items) fn(i);
    return;
  }
  std::vector<std::future<void>> others;
  for (std::size_t k = 0; k + 1 < items.size(); ++k) {
    others.push_back(std::async(std::launch::async, [&fn, i = items[k]] { fn(i); }));
  }
  fn(items.back());
  for (auto& f : others) f.get();
}

std::uint64_t NsSince(std::chrono::steady_clock::time_point t) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t)
          .count());
}

}  // namespace

struct Projector::Slot {
  std::unique_ptr<Projection> projection;
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  // Guarded by mu_ (written only while work_mu_ is held too).
  Checkpoint checkpoint;
  ProjectionState state = ProjectionState::kRunning;
  Status error;
  std::uint64_t head_seq = 0;  // the head last seen
};

std::string_view ProjectionStateName(ProjectionState s) {
  switch (s) {
    case ProjectionState::kRunning:
      return "running";
    case ProjectionState::kRebuilding:
      return "rebuilding";
    case ProjectionState::kFailed:
      return "failed";
  }
  return "unknown";
}

Projector::Projector(LogStore* store, ProjectorOptions opts)
    : store_(store), opts_(std::move(opts)) {}

Result<std::unique_ptr<Projector>> Projector::Start(
    LogStore* store, std::vector<std::unique_ptr<Projection>> projections, ProjectorOptions opts) {
  if (store->read_only()) {
    return Status::Error(codes::kInvalidArgument, "projector needs a writable store");
  }
  if (opts.batch_events_max == 0) {
    return Status::Error(codes::kInvalidArgument, "batch_events_max must be positive");
  }
  std::unique_ptr<Projector> p(new Projector(store, std::move(opts)));
  std::set<std::string, std::less<>> names;
  for (auto& proj : projections) {
    if (!names.insert(std::string(proj->name())).second) {
      return Status::Error(codes::kInvalidArgument,
                           "projection '" + std::string(proj->name()) + "' given twice");
    }
    auto slot = std::make_unique<Slot>();
    slot->projection = std::move(proj);
    RETURN_IF_ERROR(p->InitSlot(*slot));
    p->slots_.push_back(std::move(slot));
  }
  if (p->opts_.background) p->thread_ = std::thread([raw = p.get()] { raw->Loop(); });
  return p;
}

Projector::~Projector() { Stop(); }

Status Projector::InitSlot(Slot& slot) {
  const std::string_view name = slot.projection->name();
  ASSIGN_OR_RETURN(slot.cf, store_->EnsureColumnFamily(ColumnFamilyName(name)));
  ASSIGN_OR_RETURN(auto stored, ReadCheckpoint(store_->db(), store_->meta_cf(), name));
  ASSIGN_OR_RETURN(keys::Head head, store_->ReadHead());
  slot.head_seq = head.seq;
  if (!stored || stored->version != slot.projection->version()) return ResetSlot(slot);
  slot.checkpoint = *stored;
  if (stored->seq > head.seq) {
    slot.state = ProjectionState::kFailed;
    slot.error =
        Status::Error(kProjectionFailed, "projection '" + std::string(name) + "' checkpoint seq " +
                                             std::to_string(stored->seq) +
                                             " is beyond the log head " + std::to_string(head.seq));
  }
  return OkStatus();
}

// Clears the family and resets the checkpoint in one batch.
Status Projector::ResetSlot(Slot& slot) {
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(AddClearFamily(store_->db(), slot.cf, &batch));
  Checkpoint fresh;
  fresh.version = slot.projection->version();
  RETURN_IF_ERROR(FromRocks(
      batch.Put(store_->meta_cf(), CheckpointKey(slot.projection->name()), EncodeCheckpoint(fresh)),
      "checkpoint"));
  RETURN_IF_ERROR(FromRocks(store_->db()->Write(rocksdb::WriteOptions(), &batch), "resetting"));
  std::lock_guard<std::mutex> lock(mu_);
  slot.checkpoint = fresh;
  slot.state = ProjectionState::kRebuilding;
  slot.error = OkStatus();
  return OkStatus();
}

// Reads `count` events after `from` through a LogCursor, which checks the
// chain and (verify_hashes) each event's own hash once for every projection.
// A broken event ends the batch before it; hash_check says where and why.
// Runs on the applying thread or ahead of it.
Projector::Batch Projector::ReadBatch(const LogStore* store, std::uint64_t from, std::size_t count,
                                      bool verify_hashes) {
  const auto start = std::chrono::steady_clock::now();
  Batch b;
  b.from = from;
  b.hash_check.compute = false;
  CursorOptions co;
  co.check_hashes = verify_hashes;
  auto cursor = LogCursor::At(*store, from + 1, co);
  if (!cursor.ok()) {
    b.events = cursor.status();
  } else {
    std::vector<EventRecord> events;
    events.reserve(count);
    Status read = cursor->Scan([&](EventRecord& e) {
      events.push_back(std::move(e));
      return events.size() < count;
    });
    if (const auto& fault = cursor->fault()) {
      b.hash_check.bad_seq = fault->seq;
      b.hash_check.bad_reason = fault->reason;
      b.events = std::move(events);
    } else if (!read.ok()) {
      b.events = read;
    } else {
      b.events = std::move(events);
    }
  }
  b.read_ns = NsSince(start);
  return b;
}

// The batch read ahead when it starts where this round does (a rebuild or
// a failure in between changes that); else one whose `from` says "not read".
Projector::Batch Projector::TakeReadAhead(std::uint64_t from, std::size_t count) {
  if (ahead_.valid()) {
    Batch b = ahead_.get();
    if (b.from == from && (!b.events.ok() || b.events->size() <= count)) return b;
  }
  Batch none;
  none.from = UINT64_MAX;
  return none;
}

// One projection's share of a round: its batch (state and checkpoint), so
// projections can be applied and written in parallel.
struct Projector::Work {
  rocksdb::WriteBatch batch;
  Checkpoint next;
  Status applied;  // projection_chain_broken / projection_failed, or ok
  Status written;
  std::uint64_t apply_ns = 0, write_ns = 0;
};

std::uint64_t Projector::LowestBehind(std::uint64_t head_seq, std::uint64_t target) {
  std::uint64_t from = UINT64_MAX;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& s : slots_) {
    s->head_seq = head_seq;
    if (s->state == ProjectionState::kFailed) continue;
    if (s->checkpoint.seq < target) {
      from = std::min(from, s->checkpoint.seq);
    } else if (s->state == ProjectionState::kRebuilding) {
      s->state = ProjectionState::kRunning;
    }
  }
  return from;
}

Projector::Batch Projector::ReadRound(std::uint64_t from, std::uint64_t target) {
  const std::size_t count =
      static_cast<std::size_t>(std::min<std::uint64_t>(opts_.batch_events_max, target - from));
  Batch read = TakeReadAhead(from, count);
  if (read.from != from) read = ReadBatch(store_, from, count, opts_.verify_hashes);
  // While this batch is applied and written, the next is read and hashed on
  // another thread (only when catching up: a live tail reads a few events).
  const std::uint64_t next_from = from + (read.events.ok() ? read.events->size() : 0);
  if (read.events.ok() && target > next_from &&
      target - next_from >= static_cast<std::uint64_t>(opts_.batch_events_max)) {
    ahead_ = std::async(std::launch::async, &Projector::ReadBatch, store_, next_from,
                        opts_.batch_events_max, opts_.verify_hashes);
  }
  return read;
}

Status Projector::FailAll(const Status& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& s : slots_) {
      if (s->state == ProjectionState::kFailed) continue;
      s->state = ProjectionState::kFailed;
      s->error = why;
    }
  }
  applied_cv_.notify_all();
  return why;
}

void Projector::ApplyOne(std::size_t i, std::uint64_t from, std::span<const EventRecord> all,
                         const HashCheck& hash_check, Work& w) {
  const auto t = std::chrono::steady_clock::now();
  const Slot& s = *slots_[i];
  const std::size_t skip = static_cast<std::size_t>(s.checkpoint.seq - from);
  std::span<const EventRecord> mine = all.subspan(std::min(skip, all.size()));
  w.applied = ApplyEvents(*s.projection, store_->db(), s.cf, mine, hash_check, &w.next, &w.batch);
  if (!w.applied.ok() && w.applied.code() == kProjectionFailed) {
    w.next = s.checkpoint;  // Apply threw: nothing of it reached the batch
    w.batch.Clear();
  } else if (!(w.next == s.checkpoint)) {
    w.written = FromRocks(w.batch.Put(store_->meta_cf(), CheckpointKey(s.projection->name()),
                                      EncodeCheckpoint(w.next)),
                          "checkpoint");
  }
  w.apply_ns = NsSince(t);
}

void Projector::WriteOne(Work& w) const {
  if (!w.written.ok() || w.batch.Count() == 0) return;
  const auto t = std::chrono::steady_clock::now();
  w.written = FromRocks(store_->db()->Write(rocksdb::WriteOptions(), &w.batch), "projection batch");
  w.write_ns = NsSince(t);
  if (w.written.ok() && opts_.batch_written) opts_.batch_written(w.batch);
}

Status Projector::Commit(const std::vector<Work>& work, const Batch& read, std::uint64_t head_seq) {
  std::uint64_t applied_min = UINT64_MAX;
  Status write_failed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++batches_;
    ++stats_.rounds;
    stats_.events += read.events->size();
    stats_.read_ns += read.read_ns;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      Slot& s = *slots_[i];
      const Work& w = work[i];
      stats_.records += w.batch.Count();
      stats_.batch_bytes += w.batch.GetDataSize();
      stats_.apply_ns += w.apply_ns;
      stats_.write_ns += w.write_ns;
      if (!w.written.ok()) {
        // Nothing of this projection's batch reached the database: it stays
        // at its checkpoint and the next round applies the events again.
        if (write_failed.ok()) write_failed = w.written;
      } else {
        s.checkpoint = w.next;
        if (!w.applied.ok()) {
          s.state = ProjectionState::kFailed;
          s.error = w.applied;
        }
      }
      applied_min = std::min(applied_min, s.checkpoint.seq);
    }
  }
  applied_cv_.notify_all();
  RETURN_IF_ERROR(write_failed);
  if (opts_.progress) opts_.progress(applied_min, head_seq);
  return OkStatus();
}

Status Projector::Round(bool* idle) {
  *idle = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return OkStatus();
  }
  ASSIGN_OR_RETURN(keys::Head head, store_->ReadHead());
  const std::uint64_t target = std::min(head.seq, opts_.until_seq);
  const std::uint64_t from = LowestBehind(head.seq, target);
  if (from == UINT64_MAX) return OkStatus();
  *idle = false;
  const Batch read = ReadRound(from, target);
  if (!read.events.ok()) return FailAll(read.events.status());
  const std::span<const EventRecord> all(*read.events);
  std::vector<Work> work(slots_.size());
  std::vector<std::size_t> busy;  // slots with events to apply
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = *slots_[i];
    work[i].next = s.checkpoint;
    if (s.state != ProjectionState::kFailed && s.checkpoint.seq < target) busy.push_back(i);
  }
  // Threads only pay off for a catch-up's full batches, not a live tail's few events.
  const bool parallel = busy.size() > 1 && all.size() >= kParallelEventsMin;
  ForEach(busy, parallel, [&](std::size_t i) { ApplyOne(i, from, all, read.hash_check, work[i]); });
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (batches_ == opts_.test_crash_after_batches) {
      crashed_ = true;  // the batches are lost, as if the process died here
      applied_cv_.notify_all();
      return OkStatus();
    }
  }
  ForEach(busy, parallel, [&](std::size_t i) { WriteOne(work[i]); });
  return Commit(work, read, head.seq);
}

Status Projector::FirstFailure() const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& s : slots_) {
    if (s->state == ProjectionState::kFailed) return s->error;
  }
  if (crashed_) return Status::Error(kProjectionFailed, "projector stopped (test crash)");
  return OkStatus();
}

Status Projector::CatchUp() {
  std::lock_guard<std::mutex> work(work_mu_);
  for (bool idle = false; !idle;) RETURN_IF_ERROR(Round(&idle));
  return FirstFailure();
}

void Projector::Loop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    bool idle = false;
    Status st;
    while (!idle && st.ok()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
      }
      std::lock_guard<std::mutex> work(work_mu_);
      st = Round(&idle);
    }
    std::unique_lock<std::mutex> lock(mu_);
    wake_cv_.wait_for(lock, opts_.idle_poll, [&] { return notified_ || stopping_; });
    notified_ = false;
  }
}

void Projector::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  wake_cv_.notify_one();
}

Status Projector::WaitFor(std::uint64_t seq, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::uint64_t want = std::min(seq, opts_.until_seq);
  if (!opts_.background) {
    Status st = CatchUp();
    (void)st;  // a failed projection is reported below, only if it matters for `want`
  } else {
    Notify();
  }
  std::unique_lock<std::mutex> lock(mu_);
  const auto settled = [&] {
    if (crashed_ || stopping_) return true;
    for (const auto& s : slots_) {
      if (s->state != ProjectionState::kFailed && s->checkpoint.seq < want) return false;
    }
    return true;
  };
  const bool done = applied_cv_.wait_until(lock, deadline, settled);
  for (const auto& s : slots_) {
    if (s->state == ProjectionState::kFailed && s->checkpoint.seq < want) return s->error;
  }
  if (done && (crashed_ || stopping_)) {
    for (const auto& s : slots_) {
      if (s->checkpoint.seq < want) {
        return Status::Error(codes::kStoreClosed,
                             "projector stopped before seq " + std::to_string(want));
      }
    }
  }
  if (!done) {
    return Status::Error(kProjectionLagTimeout, "projections did not reach seq " +
                                                    std::to_string(want) + " within " +
                                                    std::to_string(timeout.count()) + " ms");
  }
  return OkStatus();
}

std::vector<ProjectionStatus> Projector::status() const {
  std::vector<ProjectionStatus> out;
  auto head = store_->ReadHead();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& s : slots_) {
      ProjectionStatus ps;
      ps.name = std::string(s->projection->name());
      ps.version = s->projection->version();
      ps.state = s->state;
      ps.error = s->error;
      ps.applied_seq = s->checkpoint.seq;
      ps.head_seq = head.ok() ? head->seq : s->head_seq;
      ps.lag_events = ps.head_seq > ps.applied_seq ? ps.head_seq - ps.applied_seq : 0;
      out.push_back(std::move(ps));
    }
  }
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  for (ProjectionStatus& ps : out) {
    if (ps.lag_events == 0) continue;
    auto next = store_->ReadEvent(ps.applied_seq + 1);
    if (!next.ok() || !next->has_value()) continue;
    const std::int64_t age_ns = now_ns - (*next)->env().recorded_at_ns();
    ps.lag_seconds = age_ns > 0 ? static_cast<double>(age_ns) / 1e9 : 0.0;
  }
  return out;
}

ProjectorStats Projector::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

Status Projector::Rebuild(std::string_view name) {
  for (auto& s : slots_) {
    if (s->projection->name() != name) continue;
    {
      std::lock_guard<std::mutex> work(work_mu_);
      RETURN_IF_ERROR(ResetSlot(*s));
    }
    Notify();
    return OkStatus();
  }
  return Status::Error(codes::kNotFound, "no projection named '" + std::string(name) + "'");
}

void Projector::Stop() {
  std::call_once(stop_once_, [this] {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_cv_.notify_all();
    applied_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  });
}

}  // namespace folio::projections
