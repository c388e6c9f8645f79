#include "bench/replay_bench.h"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string_view>

#include "bench/append_bench.h"
#include "engine/log_cursor.h"
#include "engine/log_store.h"
#include "events/codes.h"
#include "projections/balances.h"
#include "projections/projector.h"
#include "projections/registry.h"

namespace folio::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from) {
  return std::chrono::duration<double>(Clock::now() - from).count();
}

// A "Vm...:" field of /proc/self/status, in kB (0 when absent).
std::uint64_t StatusKb(std::string_view field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field, 0) == 0) return std::stoull(line.substr(field.size()));
  }
  return 0;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  return static_cast<bool>(out.flush());
}

Result<double> RawScan(const LogStore& store, std::uint64_t* count) {
  *count = 0;
  const auto t0 = Clock::now();
  RETURN_IF_ERROR(ScanUnverifiedForBaseline(store, 1, [&](std::string_view, std::string_view v) {
    if (!v.empty()) ++*count;
    return true;
  }));
  return static_cast<double>(*count) / Seconds(t0);
}

// RocksDB storing exactly what a rebuild writes, and nothing else: a second,
// untimed rebuild of `live` hands over each batch it writes; they are then
// written again, in order, on one thread, into a fresh store in `dir` whose
// families have the same ids. Returns events/s.
Result<double> RawProjectionWrites(LogStore& live, std::uint64_t events, const std::string& dir) {
  std::mutex mu;
  std::vector<std::string> batches;
  projections::ProjectorOptions po;
  po.background = false;
  po.batch_written = [&](const rocksdb::WriteBatch& b) {
    std::lock_guard<std::mutex> lock(mu);
    batches.push_back(b.Data());
  };
  {
    ASSIGN_OR_RETURN(auto projector,
                     projections::Projector::Start(&live, projections::AllProjections(), po));
    for (const auto& s : projector->status()) RETURN_IF_ERROR(projector->Rebuild(s.name));
    RETURN_IF_ERROR(projector->CatchUp());
  }
  ASSIGN_OR_RETURN(auto fresh, LogStore::Open(dir));
  po.batch_written = nullptr;
  {
    // Creates the projections' families in the same order as on `live`.
    ASSIGN_OR_RETURN(auto projector,
                     projections::Projector::Start(fresh.get(), projections::AllProjections(), po));
  }
  for (const auto& p : projections::AllProjections()) {
    const std::string name = projections::ColumnFamilyName(p->name());
    auto* a = live.column_family(name);
    auto* b = fresh->column_family(name);
    if (a == nullptr || b == nullptr || a->GetID() != b->GetID() ||
        live.meta_cf()->GetID() != fresh->meta_cf()->GetID()) {
      return Status::Error(codes::kCorruption, "column family ids differ between the stores");
    }
  }
  const auto t0 = Clock::now();
  for (const std::string& rep : batches) {
    rocksdb::WriteBatch b(rep);
    RETURN_IF_ERROR(FromRocks(fresh->db()->Write(rocksdb::WriteOptions(), &b), "raw write"));
  }
  return static_cast<double>(events) / Seconds(t0);
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

Status QueryBench(const LogStore& store, const ReplayBenchOptions& opts, ReplayBenchResult* r) {
  ASSIGN_OR_RETURN(auto reader, projections::BalancesReader::Open(store));
  ASSIGN_OR_RETURN(auto tb, reader->TrialBalance());
  std::vector<std::pair<std::string, Asset>> accounts;
  for (const auto& a : tb) {
    for (const auto& b : a.accounts) accounts.emplace_back(b.account, b.asset);
  }
  if (accounts.empty() || reader->applied_seq() == 0) return OkStatus();
  std::mt19937_64 rng(42);
  std::vector<double> us;
  us.reserve(opts.queries);
  for (std::uint64_t i = 0; i < opts.queries; ++i) {
    const auto& [account, asset] = accounts[rng() % accounts.size()];
    const std::uint64_t seq = 1 + rng() % reader->applied_seq();
    const auto t0 = Clock::now();
    ASSIGN_OR_RETURN(auto b, reader->Balance(account, asset, seq));
    us.push_back(Seconds(t0) * 1e6);
    if (b.as_of_seq != seq) return Status::Error(codes::kCorruption, "as-of answer for wrong seq");
  }
  r->asof_query_p50_us = Percentile(us, 0.50);
  r->asof_query_p99_us = Percentile(us, 0.99);
  return OkStatus();
}

}  // namespace

Result<ReplayBenchResult> RunReplayBench(const ReplayBenchOptions& opts) {
  std::filesystem::path dir = opts.data_dir;
  const bool temp = dir.empty();
  if (temp) {
    dir =
        std::filesystem::temp_directory_path() / ("folio-bench-replay-" + std::to_string(getpid()));
  }
  AppendBenchOptions ao;
  ao.data_dir = dir.string();
  ao.events = opts.events;
  ao.baselines = false;  // only the log is needed
  ao.verify_derived = false;
  if (opts.progress) {
    ao.progress = [&](std::uint64_t d, std::uint64_t t) { opts.progress("append", d, t); };
  }
  if (opts.reuse && opts.data_dir.empty()) {
    return Status::Error(codes::kInvalidArgument, "--reuse needs --data DIR");
  }
  if (!opts.reuse) {
    auto appended = RunAppendBench(ao);
    if (!appended.ok()) return appended.status();
  }

  ReplayBenchResult r;
  Status st = [&]() -> Status {
    LogStoreOptions lo;
    lo.create_if_missing = false;
    ASSIGN_OR_RETURN(auto store, LogStore::Open(dir.string(), lo));
    std::uint64_t scanned = 0;
    ASSIGN_OR_RETURN(double scan1, RawScan(*store, &scanned));
    r.events = scanned;
    // The append phase's freed heap goes back to the system first, so that
    // the peak below is the rebuild's and not what building the log left.
    malloc_trim(0);
    r.rss_peak_reset = ResetPeakRss();
    r.rss_before_kb = StatusKb("VmRSS:");
    projections::ProjectorOptions po;
    po.background = false;
    if (opts.progress) {
      po.progress = [&](std::uint64_t d, std::uint64_t t) { opts.progress("replay", d, t); };
    }
    ASSIGN_OR_RETURN(auto projector,
                     projections::Projector::Start(store.get(), projections::AllProjections(), po));
    if (opts.reuse) {
      for (const auto& s : projector->status()) RETURN_IF_ERROR(projector->Rebuild(s.name));
    }
    const auto t0 = Clock::now();
    const double cpu0 = CpuSeconds();
    RETURN_IF_ERROR(projector->CatchUp());
    r.replay_seconds = Seconds(t0);
    r.replay_cpu_seconds = CpuSeconds() - cpu0;
    const projections::ProjectorStats ps = projector->stats();
    projector.reset();
    ASSIGN_OR_RETURN(double scan2, RawScan(*store, &scanned));
    r.raw_scan_events_per_s = (scan1 + scan2) / 2;
    r.replay_events_per_s = static_cast<double>(r.events) / r.replay_seconds;
    r.ratio = r.replay_events_per_s / r.raw_scan_events_per_s;
    r.replay_read_seconds = static_cast<double>(ps.read_ns) / 1e9;
    r.replay_apply_seconds = static_cast<double>(ps.apply_ns) / 1e9;
    r.replay_write_seconds = static_cast<double>(ps.write_ns) / 1e9;
    const auto events = static_cast<double>(std::max<std::uint64_t>(ps.events, 1));
    r.records_per_event = static_cast<double>(ps.records) / events;
    r.batch_bytes_per_event = static_cast<double>(ps.batch_bytes) / events;
    RETURN_IF_ERROR(QueryBench(*store, opts, &r));
    r.rss_peak_kb = StatusKb("VmHWM:");
    // After the peak was read: it holds every batch in memory.
    const std::filesystem::path raw_dir = dir.string() + "-raw-writes";
    auto raw = RawProjectionWrites(*store, r.events, raw_dir.string());
    std::error_code ec;
    std::filesystem::remove_all(raw_dir, ec);
    RETURN_IF_ERROR(raw.status());
    r.raw_write_events_per_s = *raw;
    r.write_ceiling_ratio = r.raw_write_events_per_s / r.raw_scan_events_per_s;
    return OkStatus();
  }();
  if (temp) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  RETURN_IF_ERROR(st);
  return r;
}

}  // namespace folio::bench
