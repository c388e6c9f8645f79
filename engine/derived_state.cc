#include "engine/derived_state.h"

#include <chrono>
#include <mutex>

#include "engine/assert.h"
#include "engine/checkpoint_view.h"
#include "engine/domain/domain.h"
#include "engine/log_cursor.h"
#include "engine/log_store.h"
#include "events/codes.h"

namespace folio {
namespace {

Status Corrupt(std::string why) { return Status::Error(codes::kCorruption, std::move(why)); }

}  // namespace

Result<std::unique_ptr<DerivedState>> DerivedState::Open(LogStore& store) {
  std::unique_ptr<DerivedState> ds(new DerivedState(store));
  ASSIGN_OR_RETURN(keys::Head head, store.ReadHead());
  ASSIGN_OR_RETURN(std::optional<CheckpointMarker> marker, ReadCheckpointMarker(store));
  if (!marker) {
    // A new log, or one written before derived state was checkpointed: that
    // writer put every derived record in the batch of its events, so the
    // families hold exactly the derived state at the head.
    CheckpointMarker m;
    m.applied_seq = m.legacy_through_seq = head.seq;
    m.applied_hash = head.hash;
    if (!store.read_only()) RETURN_IF_ERROR(WriteCheckpoint(store, DerivedDelta{}, m));
    marker = m;
  }
  if (marker->applied_seq > head.seq) {
    return Corrupt("the derived-state checkpoint names seq " + std::to_string(marker->applied_seq) +
                   " beyond the head " + std::to_string(head.seq) + "; run `folio verify`");
  }
  ds->marker_ = *marker;
  if (!store.read_only()) RemoveCheckpointScratch(store);
  const auto t0 = std::chrono::steady_clock::now();
  Status replayed = ds->ReplayTail(head);
  ds->replay_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ds->replayed_events_ = ds->tail_.events;
  if (!replayed.ok()) {
    // A writer must not start on a log it cannot derive. A read-only open is
    // how `folio verify` finds out what is wrong: it keeps what derived.
    if (!store.read_only()) return replayed;
    ds->replay_error_ = replayed;
  }
  return ds;
}

// Derives the events after the checkpoint with the writer's own code: the
// chain is checked from the marker's hash, every event applied to the state
// and derived into the tail.
Status DerivedState::ReplayTail(const keys::Head& head) {
  CheckpointBelow below(store_);
  Deriver deriver(tail_, below, /*check_key_reuse=*/false);
  OverlayState state(store_, tail_.state);
  LogCursor cursor(store_, marker_.applied_seq + 1, marker_.applied_hash);
  Status bad;
  Status scanned = cursor.Scan([&](EventRecord& rec) {
    std::string why;
    if (!domain::TryApply(state, rec.env(), &why)) {
      bad = Corrupt("replaying the derived state: event " + std::to_string(rec.seq()) +
                    " does not apply: " + why);
      return false;
    }
    bad = deriver.Add(rec.env(), rec.hash());
    return bad.ok();
  });
  if (cursor.fault()) return Corrupt("replaying the derived state: " + scanned.message());
  RETURN_IF_ERROR(scanned);
  RETURN_IF_ERROR(bad);
  RETURN_IF_ERROR(state.error());
  if (cursor.next_seq() - 1 != head.seq || cursor.prev_hash() != head.hash) {
    return Corrupt("the head (seq " + std::to_string(head.seq) +
                   ") does not match the events after the checkpoint (last " +
                   std::to_string(cursor.next_seq() - 1) + "); run `folio verify`");
  }
  return OkStatus();
}

template <typename Fn>
auto DerivedState::FindInMemory(Fn&& fn) const
    -> decltype(fn(std::declval<const DerivedDelta&>())) {
  if (durable_) {
    if (auto r = fn(*durable_)) return r;
  }
  if (auto r = fn(tail_)) return r;
  if (frozen_) return fn(*frozen_);
  return {};
}

Result<std::optional<std::string>> DerivedState::ReadState(std::string_view key) const {
  {
    std::shared_lock lock(mu_);
    auto hit =
        FindInMemory([&](const DerivedDelta& d) -> std::optional<std::optional<std::string>> {
          auto it = d.state.find(key);
          if (it == d.state.end()) return std::nullopt;
          return it->second;
        });
    if (hit) return *hit;
  }
  std::string v;
  rocksdb::Status s = store_.db()->Get(rocksdb::ReadOptions(), store_.state_cf(),
                                       rocksdb::Slice(key.data(), key.size()), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocks(s, "reading aggregate state"));
  return std::optional<std::string>(std::move(v));
}

Result<std::uint64_t> DerivedState::ReadStreamVersion(std::string_view stream) const {
  {
    std::shared_lock lock(mu_);
    auto hit = FindInMemory([&](const DerivedDelta& d) -> std::optional<std::uint64_t> {
      auto it = d.stream_versions.find(stream);
      if (it == d.stream_versions.end()) return std::nullopt;
      return it->second;
    });
    if (hit) return *hit;
  }
  CheckpointBelow below(store_);
  return below.StreamVersion(stream);
}

Result<std::optional<std::uint64_t>> DerivedState::ReadIndex(std::string_view stream,
                                                             std::uint64_t version) const {
  const std::string key = keys::StreamIndexKey(stream, version);
  {
    std::shared_lock lock(mu_);
    auto hit = FindInMemory([&](const DerivedDelta& d) -> std::optional<std::uint64_t> {
      auto it = d.index.find(key);
      if (it == d.index.end()) return std::nullopt;
      return it->second;
    });
    if (hit) return std::optional<std::uint64_t>(*hit);
  }
  std::string v;
  rocksdb::Status s = store_.db()->Get(rocksdb::ReadOptions(), store_.streams_cf(), key, &v);
  if (s.IsNotFound()) return std::optional<std::uint64_t>();
  RETURN_IF_ERROR(FromRocks(s, "reading the stream index"));
  if (v.size() != 8) return Corrupt("stream index value malformed");
  return std::optional<std::uint64_t>(keys::GetU64Be(v));
}

Result<std::optional<std::string>> DerivedState::ReadIdempotency(std::string_view key) const {
  {
    std::shared_lock lock(mu_);
    auto hit = FindInMemory([&](const DerivedDelta& d) -> std::optional<std::string> {
      auto it = d.idempotency.find(key);
      if (it == d.idempotency.end()) return std::nullopt;
      return it->second;
    });
    if (hit) return std::optional<std::string>(std::move(*hit));
  }
  for (auto* cf : {store_.idempotency_cf(), store_.outcomes_cf()}) {
    if (cf == nullptr) continue;  // a read-only log written before outcomes existed
    std::string v;
    rocksdb::Status s =
        store_.db()->Get(rocksdb::ReadOptions(), cf, rocksdb::Slice(key.data(), key.size()), &v);
    if (s.ok()) return std::optional<std::string>(std::move(v));
    if (!s.IsNotFound()) return FromRocks(s, "reading an idempotency record");
  }
  return std::optional<std::string>();
}

CheckpointMarker DerivedState::marker() const {
  std::shared_lock lock(mu_);
  return marker_;
}

keys::Head DerivedState::through() const {
  std::shared_lock lock(mu_);
  if (durable_ && durable_->events > 0) return durable_->through;
  if (tail_.events > 0) return tail_.through;
  if (frozen_ && frozen_->events > 0) return frozen_->through;
  return keys::Head{marker_.applied_seq, marker_.applied_hash};
}

std::uint64_t DerivedState::memory_events() const {
  std::shared_lock lock(mu_);
  return tail_.events + (frozen_ ? frozen_->events : 0) + (durable_ ? durable_->events : 0);
}

std::size_t DerivedState::memory_bytes_approx() const {
  std::shared_lock lock(mu_);
  return tail_.ApproxBytes() + (frozen_ ? frozen_->ApproxBytes() : 0) +
         (durable_ ? durable_->ApproxBytes() : 0);
}

void DerivedState::PublishDurable(std::shared_ptr<const DerivedDelta> delta) {
  std::unique_lock lock(mu_);
  FOLIO_ASSERT(durable_ == nullptr, "one written group awaits retiring at a time");
  durable_ = std::move(delta);
}

void DerivedState::Retire(const std::shared_ptr<DerivedDelta>& delta) {
  std::unique_lock lock(mu_);
  FOLIO_ASSERT(delta->events == 0 || delta->through.seq > tail_.through.seq,
               "groups retire in log order");
  tail_.Absorb(std::move(*delta));
  if (durable_.get() == delta.get()) durable_.reset();
}

std::shared_ptr<const DerivedDelta> DerivedState::Freeze() {
  std::unique_lock lock(mu_);
  FOLIO_ASSERT(frozen_ == nullptr, "one checkpoint at a time");
  auto frozen = std::make_shared<DerivedDelta>(std::move(tail_));
  tail_ = DerivedDelta{};
  tail_.Reserve(*frozen);  // the next tail is likely as large
  frozen_ = frozen;
  return frozen;
}

std::shared_ptr<const DerivedDelta> DerivedState::CheckpointWritten(
    const CheckpointMarker& marker) {
  std::unique_lock lock(mu_);
  FOLIO_ASSERT(marker.applied_seq >= marker_.applied_seq, "checkpoints only move forward");
  marker_ = marker;
  return std::move(frozen_);
}

}  // namespace folio
