#include "engine/verify_derived.h"

#include <filesystem>
#include <memory>

#include "engine/append.h"
#include "engine/checkpoint_io.h"
#include "engine/checkpoint_view.h"
#include "engine/derived_state.h"
#include "engine/domain/domain.h"
#include "engine/log_cursor.h"
#include "events/codes.h"

namespace folio {
namespace {

constexpr std::uint64_t kChunkEvents = 100'000;  // rebuilt in memory between checkpoints

// Below the rebuild: the scratch store's checkpoint; event streams from the log.
class RebuildBelow final : public DerivedBelow {
 public:
  RebuildBelow(const LogStore& scratch, const LogStore& live) : scratch_(scratch), live_(live) {}
  Result<std::uint64_t> StreamVersion(std::string_view s) override {
    return scratch_.StreamVersion(s);
  }
  Result<std::optional<std::string>> Idempotency(std::string_view k) override {
    return scratch_.Idempotency(k);
  }
  Result<std::string> EventStream(std::uint64_t seq) override {
    return CheckpointBelow(live_).EventStream(seq);
  }

 private:
  CheckpointBelow scratch_;
  const LogStore& live_;
};

Status Rebuild(const LogStore& live, LogStore& scratch, const CheckpointMarker& m, DerivedReport* r,
               const std::function<void(std::uint64_t)>& progress) {
  DerivedDelta delta;
  RebuildBelow below(scratch, live);
  Deriver deriver(delta, below, /*check_key_reuse=*/false);
  OverlayState state(scratch, delta.state);
  Status bad;
  std::uint64_t derived = 0;
  LogCursor cursor(live, 1, kGenesisHash);
  Status scanned = cursor.Scan(
      [&](EventRecord& rec) {
        const std::uint64_t seq = rec.seq();
        std::string why;
        if (!domain::TryApply(state, rec.env(), &why)) {
          if (seq > m.legacy_through_seq) {
            bad = Status::Error(codes::kCorruption,
                                "seq " + std::to_string(seq) + " does not apply: " + why);
            return false;
          }
          ++r->legacy_unapplied;  // an older writer's raw append the domain never applied
        }
        bad = deriver.Add(rec.env(), rec.hash());
        if (!bad.ok()) return false;
        if (++derived % kChunkEvents == 0) {
          if (progress) progress(derived);
          CheckpointMarker at{seq, rec.hash(), std::min(seq, m.legacy_through_seq)};
          bad = WriteCheckpoint(scratch, delta, at);
          delta = DerivedDelta{};
          if (!bad.ok()) return false;
        }
        return true;
      },
      m.applied_seq);
  RETURN_IF_ERROR(scanned);
  RETURN_IF_ERROR(bad);
  RETURN_IF_ERROR(state.error());
  if (derived != m.applied_seq) {
    return Status::Error(codes::kCorruption, "the log ends before the checkpoint's seq " +
                                                 std::to_string(m.applied_seq));
  }
  return WriteCheckpoint(scratch, delta, m);
}

std::string Hex(std::string_view s) {
  return ToHex({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
}

// An idempotency record the rebuild cannot make: written before fingerprints
// were recorded, or a refusal an older writer kept in this family.
bool IsLegacyRecord(std::string_view value, const CheckpointMarker& m) {
  auto rec = DecodeIdempotencyRecord(value);
  if (!rec) return false;
  return !rec->second.status.ok() ||
         (m.legacy_through_seq > 0 && rec->second.first_seq <= m.legacy_through_seq);
}

// Walks one family of both stores in key order; stops at the first difference.
Status CompareFamily(const char* name, const LogStore& live, rocksdb::ColumnFamilyHandle* live_cf,
                     const LogStore& rebuilt, rocksdb::ColumnFamilyHandle* rebuilt_cf,
                     const CheckpointMarker& m, DerivedReport* r) {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;  // the streams family has a prefix extractor
  std::unique_ptr<rocksdb::Iterator> a(live.db()->NewIterator(ro, live_cf));
  std::unique_ptr<rocksdb::Iterator> b(rebuilt.db()->NewIterator(ro, rebuilt_cf));
  const bool idempotency = std::string_view(name) == "idempotency";
  auto differ = [&](std::string_view key, std::string why) {
    r->ok = false;
    r->family = name;
    r->key_hex = Hex(key);
    r->reason = std::move(why);
  };
  a->SeekToFirst();
  b->SeekToFirst();
  while (r->ok && (a->Valid() || b->Valid())) {
    if (a->Valid() && idempotency && IsLegacyRecord(a->value().ToStringView(), m)) {
      ++r->legacy_records;
      a->Next();
      continue;
    }
    const int order = !a->Valid() ? 1 : !b->Valid() ? -1 : a->key().compare(b->key());
    if (order < 0) {
      differ(a->key().ToStringView(), "in the log's checkpoint, not in a rebuild from the log");
    } else if (order > 0) {
      differ(b->key().ToStringView(), "in a rebuild from the log, missing from its checkpoint");
    } else if (a->value() != b->value()) {
      differ(a->key().ToStringView(), "the checkpoint holds " + Hex(a->value().ToStringView()) +
                                          ", a rebuild " + Hex(b->value().ToStringView()));
    } else {
      ++r->records_compared;
      a->Next();
      b->Next();
    }
  }
  RETURN_IF_ERROR(FromRocks(a->status(), "reading the log's derived state"));
  return FromRocks(b->status(), "reading the rebuild");
}

}  // namespace

Result<DerivedReport> VerifyDerived(const LogStore& store, const std::string& scratch_dir,
                                    const std::function<void(std::uint64_t)>& progress) {
  DerivedReport r;
  const CheckpointMarker m = store.derived().marker();
  r.applied_seq = m.applied_seq;
  r.memory_events = store.derived().memory_events();
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{scratch_dir};
  {
    ASSIGN_OR_RETURN(std::unique_ptr<LogStore> scratch, LogStore::Open(scratch_dir));
    RETURN_IF_ERROR(Rebuild(store, *scratch, m, &r, progress));
    RETURN_IF_ERROR(CompareFamily("streams", store, store.streams_cf(), *scratch,
                                  scratch->streams_cf(), m, &r));
    if (r.ok) {
      RETURN_IF_ERROR(CompareFamily("idempotency", store, store.idempotency_cf(), *scratch,
                                    scratch->idempotency_cf(), m, &r));
    }
    if (r.ok) {
      RETURN_IF_ERROR(
          CompareFamily("state", store, store.state_cf(), *scratch, scratch->state_cf(), m, &r));
    }
  }
  return r;
}

}  // namespace folio
