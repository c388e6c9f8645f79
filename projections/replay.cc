#include "projections/replay.h"

#include <algorithm>
#include <future>
#include <mutex>

#include "engine/log_cursor.h"
#include "events/codes.h"
#include "projections/balances.h"
#include "projections/checkpoint.h"

namespace folio::projections {
namespace {

constexpr std::size_t kReplayBatchEventsMax = 4096;

std::string Printable(std::string_view bytes) {
  std::string out;
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      out.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

Status CompareBytes(rocksdb::DB* live_db, rocksdb::ColumnFamilyHandle* live_cf,
                    rocksdb::DB* scratch, rocksdb::ColumnFamilyHandle* scratch_cf,
                    ProjectionReplay* r) {
  std::unique_ptr<rocksdb::Iterator> a(live_db->NewIterator(rocksdb::ReadOptions(), live_cf));
  std::unique_ptr<rocksdb::Iterator> b(scratch->NewIterator(rocksdb::ReadOptions(), scratch_cf));
  a->SeekToFirst();
  b->SeekToFirst();
  const auto differ = [&](std::string what) {
    if (r->differences++ == 0) r->first_difference = std::move(what);
  };
  while (a->Valid() || b->Valid()) {
    ++r->compared;
    const int cmp = !a->Valid() ? 1 : !b->Valid() ? -1 : a->key().compare(b->key());
    if (cmp < 0) {
      differ("key only in live: " + Printable(a->key().ToStringView()));
      a->Next();
    } else if (cmp > 0) {
      differ("key only in rebuild: " + Printable(b->key().ToStringView()));
      b->Next();
    } else {
      if (a->value() != b->value())
        differ("value differs at key " + Printable(a->key().ToStringView()));
      a->Next();
      b->Next();
    }
  }
  RETURN_IF_ERROR(FromRocks(a->status(), "reading live projection"));
  return FromRocks(b->status(), "reading rebuilt projection");
}

Status CompareBalancesAsOf(const BalancesReader& live, const BalancesReader& rebuilt,
                           std::uint64_t seq, ProjectionReplay* r) {
  ASSIGN_OR_RETURN(auto want, rebuilt.TrialBalance(seq));
  ASSIGN_OR_RETURN(auto got, live.TrialBalance(seq));
  const auto differ = [&](std::string what) {
    if (r->differences++ == 0) r->first_difference = std::move(what);
  };
  if (want.size() != got.size()) differ("different assets in the trial balance");
  for (std::size_t i = 0; i < std::min(want.size(), got.size()); ++i) {
    const auto& w = want[i].accounts;
    const auto& g = got[i].accounts;
    if (w.size() != g.size())
      differ("different accounts for " + std::string(AssetCode(want[i].asset)));
    for (std::size_t j = 0; j < std::min(w.size(), g.size()); ++j) {
      ++r->compared;
      if (w[j].account != g[j].account || w[j].asset != g[j].asset || w[j].debits != g[j].debits ||
          w[j].credits != g[j].credits) {
        differ("balance of " + w[j].account + " " + std::string(AssetCode(w[j].asset)) +
               ": rebuilt " + w[j].BalanceString() + ", live " + g[j].BalanceString());
      }
    }
  }
  return OkStatus();
}

struct Scratch {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;  // [0] default, then one per projection
  ~Scratch() {
    if (!db) return;
    for (auto* cf : cfs) db->DestroyColumnFamilyHandle(cf);
    db->Close().PermitUncheckedError();
  }
};

Status OpenScratch(const std::string& dir, const std::vector<std::unique_ptr<Projection>>& ps,
                   Scratch* out) {
  LogStoreOptions lo;
  rocksdb::Options o = BaseRocksOptions(lo);
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.error_if_exists = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  descs.emplace_back("default", rocksdb::ColumnFamilyOptions(o));
  for (const auto& p : ps)
    descs.emplace_back(ColumnFamilyName(p->name()), rocksdb::ColumnFamilyOptions(o));
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(rocksdb::DBOptions(o), dir, descs, &out->cfs, &raw),
                            "opening scratch " + dir));
  out->db.reset(raw);
  return OkStatus();
}

}  // namespace

Status RebuildInto(const LogStore& live, Projection& projection, rocksdb::DB* scratch,
                   rocksdb::ColumnFamilyHandle* cf, std::uint64_t until_seq,
                   const std::function<void(std::uint64_t)>& progress) {
  Checkpoint ckpt;
  ckpt.version = projection.version();
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;  // scratch: a crash just means replaying again
  LogCursor cursor(live, 1, kGenesisHash);
  while (ckpt.seq < until_seq) {
    const auto count = static_cast<std::size_t>(
        std::min<std::uint64_t>(kReplayBatchEventsMax, until_seq - ckpt.seq));
    ASSIGN_OR_RETURN(auto events, cursor.Next(count));
    if (events.empty()) {
      return Status::Error(codes::kNotFound, "the log ends at seq " + std::to_string(ckpt.seq) +
                                                 ", before " + std::to_string(until_seq));
    }
    rocksdb::WriteBatch batch;
    HashCheck checked;  // by the cursor
    checked.compute = false;
    Status st = ApplyEvents(projection, scratch, cf, events, checked, &ckpt, &batch);
    RETURN_IF_ERROR(st);
    RETURN_IF_ERROR(FromRocks(scratch->Write(wo, &batch), "writing scratch"));
    if (progress) progress(ckpt.seq);
  }
  return OkStatus();
}

Result<ReplayReport> Replay(const LogStore& live,
                            std::vector<std::unique_ptr<Projection>> projections,
                            const ReplayOptions& opts) {
  if (!opts.projection.empty()) {
    std::erase_if(projections, [&](const auto& p) { return p->name() != opts.projection; });
    if (projections.empty()) {
      return Status::Error(codes::kNotFound, "no projection named '" + opts.projection + "'");
    }
  }
  ReplayReport report;
  std::vector<std::uint64_t> live_seq;
  for (const auto& p : projections) {
    ASSIGN_OR_RETURN(auto ckpt, ReadCheckpoint(live.db(), live.meta_cf(), p->name()));
    if (!ckpt || live.column_family(ColumnFamilyName(p->name())) == nullptr) {
      return Status::Error(codes::kNotFound,
                           "live projection '" + std::string(p->name()) + "' was never built");
    }
    if (ckpt->version != p->version()) {
      return Status::Error(codes::kInvalidArgument,
                           "live projection '" + std::string(p->name()) + "' has version " +
                               std::to_string(ckpt->version) + ", this build " +
                               std::to_string(p->version()) + ": rebuild it first");
    }
    live_seq.push_back(ckpt->seq);
  }
  const std::uint64_t min_live = *std::min_element(live_seq.begin(), live_seq.end());
  report.until_seq = opts.until_seq.value_or(min_live);
  if (report.until_seq > min_live) {
    return Status::Error(codes::kInvalidArgument,
                         "--until-seq " + std::to_string(report.until_seq) +
                             " is beyond the live projections' checkpoint " +
                             std::to_string(min_live));
  }
  Scratch scratch;
  RETURN_IF_ERROR(OpenScratch(opts.scratch_dir, projections, &scratch));
  // Each projection is rebuilt and compared on a thread of its own: they
  // share only the (read-only) log. Progress is the slowest one's.
  std::vector<std::uint64_t> applied(projections.size(), 0);
  std::mutex progress_mu;
  const auto one = [&](std::size_t i) -> Result<ProjectionReplay> {
    Projection& p = *projections[i];
    rocksdb::ColumnFamilyHandle* scratch_cf = scratch.cfs[i + 1];
    RETURN_IF_ERROR(RebuildInto(
        live, p, scratch.db.get(), scratch_cf, report.until_seq, [&](std::uint64_t seq) {
          if (!opts.progress) return;
          std::lock_guard<std::mutex> lock(progress_mu);
          applied[i] = seq;
          opts.progress(*std::min_element(applied.begin(), applied.end()), report.until_seq);
        }));
    ProjectionReplay r;
    r.name = std::string(p.name());
    r.live_seq = live_seq[i];
    rocksdb::ColumnFamilyHandle* live_cf = live.column_family(ColumnFamilyName(p.name()));
    if (r.live_seq == report.until_seq) {
      r.mode = "bytes";
      RETURN_IF_ERROR(CompareBytes(live.db(), live_cf, scratch.db.get(), scratch_cf, &r));
    } else if (p.name() == BalancesProjection::kName) {
      r.mode = "as_of";
      BalancesReader live_reader(live.db(), live_cf, r.live_seq);
      BalancesReader rebuilt(scratch.db.get(), scratch_cf, report.until_seq);
      RETURN_IF_ERROR(CompareBalancesAsOf(live_reader, rebuilt, report.until_seq, &r));
    } else {
      r.mode = "skipped";
    }
    return r;
  };
  std::vector<std::future<Result<ProjectionReplay>>> running;
  for (std::size_t i = 0; i < projections.size(); ++i) {
    running.push_back(std::async(std::launch::async, one, i));
  }
  Status first_error;
  for (auto& f : running) {
    Result<ProjectionReplay> r = f.get();  // every task ends before the scratch closes
    if (!r.ok()) {
      if (first_error.ok()) first_error = r.status();
      continue;
    }
    report.projections.push_back(std::move(r).value());
  }
  RETURN_IF_ERROR(first_error);
  return report;
}

}  // namespace folio::projections
