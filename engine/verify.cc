#include "engine/verify.h"

#include <algorithm>
#include <memory>

#include "engine/derived_state.h"
#include "engine/log_cursor.h"

namespace folio {
namespace {

void Fail(VerifyReport* r, std::optional<std::uint64_t> seq, std::string reason) {
  if (!r->ok) return;  // keep the first problem
  r->ok = false;
  r->first_bad_seq = seq;
  r->reason = std::move(reason);
}

// Through the derived state: the checkpoint, and the events after it as
// derived on open.
bool IndexPointsAt(const LogStore& store, std::string_view stream, std::uint64_t version,
                   std::uint64_t seq) {
  auto found = store.StreamIndex(stream, version);
  return found.ok() && found->has_value() && **found == seq;
}

// Pass 1: the events themselves, the chain, and their index entries.
Status CheckEvents(const LogStore& store, VerifyReport* r, const VerifyProgress& progress,
                   std::uint64_t progress_every, std::uint64_t marker_seq, Hash32* hash_at_marker) {
  LogCursor cursor(store, 1, kGenesisHash);
  Status scanned = cursor.Scan([&](EventRecord& rec) {
    const std::uint64_t seq = rec.seq();
    if (!IndexPointsAt(store, rec.stream_id(), rec.stream_version(), seq)) {
      Fail(r, seq, "stream index has no entry for this event's stream and version");
      return false;
    }
    if (seq == marker_seq) *hash_at_marker = rec.hash();
    r->head_seq = seq;
    r->head_hash = rec.hash();
    ++r->events;
    if (progress && r->events % progress_every == 0) progress(r->events);
    return true;
  });
  if (cursor.fault()) {
    Fail(r, cursor.fault()->seq, cursor.fault()->reason);
    return OkStatus();
  }
  return scanned;
}

// Pass 2: the stream index is contiguous per stream and matches the events.
Status CheckStreamIndex(const LogStore& store, VerifyReport* r) {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;  // the streams family has a prefix extractor
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.streams_cf()));
  std::string stream;
  std::uint64_t last_version = 0;
  bool head_seen = true;
  auto missing_head = [&] { Fail(r, std::nullopt, "stream '" + stream + "' has no head record"); };
  for (it->SeekToFirst(); it->Valid() && r->ok; it->Next()) {
    auto parsed = keys::ParseStreamIndexKey(it->key().ToStringView());
    if (!parsed || it->value().size() != 8) {
      Fail(r, std::nullopt, "malformed stream index entry");
      break;
    }
    auto& [id, version] = *parsed;
    std::uint64_t seq = keys::GetU64Be(it->value().ToStringView());
    if (version == keys::kStreamHeadVersion) {
      // The head record closes the stream: it must name its last version.
      if (id != stream || seq != last_version) {
        Fail(r, std::nullopt,
             "stream '" + id + "' head record says version " + std::to_string(seq) +
                 ", index ends at " + std::to_string(last_version));
      }
      head_seen = true;
      continue;
    }
    if (id != stream) {
      if (!head_seen) {
        missing_head();
        break;
      }
      head_seen = false;
      stream = id;
      last_version = 0;
      ++r->streams;
    }
    if (version != last_version + 1) {
      Fail(r, seq,
           "stream '" + id + "' jumps from version " + std::to_string(last_version) + " to " +
               std::to_string(version));
      break;
    }
    last_version = version;
    auto rec = store.ReadEvent(seq);
    if (!rec.ok() || !rec->has_value()) {
      Fail(r, seq,
           "stream '" + id + "' version " + std::to_string(version) +
               (rec.ok() ? " points at a missing event" : " points at a broken event"));
      break;
    }
    if ((*rec)->stream_id() != id || (*rec)->stream_version() != version) {
      Fail(r, seq, "stream index entry disagrees with the event it points at");
      break;
    }
  }
  if (r->ok && !head_seen) missing_head();
  return FromRocks(it->status(), "scanning the stream index");
}

}  // namespace

Result<VerifyReport> VerifyLog(const LogStore& store, const VerifyProgress& progress,
                               std::uint64_t progress_every) {
  VerifyReport r;
  // The marker is read once: a writer running beside an in-process verify
  // may move it (a checkpoint completing) while the events are scanned, and
  // the marker checked must be the one whose event's hash was taken.
  const CheckpointMarker m = store.derived().marker();
  Hash32 hash_at_marker = kGenesisHash;
  RETURN_IF_ERROR(CheckEvents(store, &r, progress, progress_every, m.applied_seq, &hash_at_marker));
  if (r.ok) RETURN_IF_ERROR(CheckStreamIndex(store, &r));
  if (r.ok) {
    // The derived-state checkpoint must name an event of this log, by hash.
    if (m.applied_seq > r.head_seq || m.applied_hash != hash_at_marker) {
      Fail(&r, std::min(m.applied_seq, r.head_seq + 1),
           "the derived-state checkpoint names seq " + std::to_string(m.applied_seq) +
               " with a hash that is not that event's");
    } else if (!store.derived().replay_error().ok()) {
      Fail(&r, std::nullopt,
           "derived state after the checkpoint: " + store.derived().replay_error().message());
    }
  }
  if (r.ok) {
    auto head = store.ReadHead();
    if (!head.ok()) {
      Fail(&r, std::nullopt, head.status().message());
    } else if (head->seq != r.head_seq || head->hash != r.head_hash) {
      Fail(&r, head->seq > r.head_seq ? r.head_seq + 1 : head->seq,
           "head in meta (seq " + std::to_string(head->seq) +
               ") does not match the last event (seq " + std::to_string(r.head_seq) + ")");
    }
  }
  return r;
}

}  // namespace folio
