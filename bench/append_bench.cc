#include "bench/append_bench.h"

#include "bench/scratch_dir.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <semaphore>
#include <thread>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "engine/log_store.h"
#include "engine/verify.h"
#include "engine/verify_derived.h"
#include "engine/writer.h"
#include "events/codes.h"
#include "events/synthetic.h"

namespace folio::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

struct Latencies {
  std::vector<std::uint32_t> us;
  double Percentile(double p) {
    if (us.empty()) return 0;
    std::size_t idx =
        std::min(us.size() - 1, static_cast<std::size_t>(p * static_cast<double>(us.size())));
    std::nth_element(us.begin(), us.begin() + static_cast<std::ptrdiff_t>(idx), us.end());
    return us[idx];
  }
};

// Submitter t's j-th append: one event of payment "b<t>-<j/2>" (created, then
// settled), with its own idempotency key.
AppendRequest BenchRequest(std::size_t t, std::uint64_t j, std::uint64_t i, std::size_t pad_to) {
  AppendRequest req;
  req.idempotency_key = "bench-" + std::to_string(i);
  req.fingerprint = Sha256(req.idempotency_key);
  SyntheticEventOptions so;
  so.id_prefix = "b" + std::to_string(t) + "-";
  so.pad_to = pad_to;
  so.idempotency_key = req.idempotency_key;
  so.request_fingerprint = req.fingerprint;
  req.stream_id = SyntheticPaymentStream(so.id_prefix, j);
  req.expected_version = j % 2;  // kNoStream for the creation, then 1
  req.envelopes.push_back(SyntheticPaymentEvent(j, so));
  return req;
}

// The requests are built before the clock starts: the raw baseline is handed
// ready bytes too, so both sides are timed on storing them.
std::vector<std::vector<AppendRequest>> BuildRequests(const AppendBenchOptions& opts,
                                                      double* bytes) {
  std::vector<std::vector<AppendRequest>> per(opts.submitters);
  std::vector<std::thread> threads;
  std::vector<double> sizes(opts.submitters, 0);
  for (std::size_t t = 0; t < opts.submitters; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t i = t, j = 0; i < opts.events; i += opts.submitters, ++j) {
        per[t].push_back(BenchRequest(t, j, i, opts.event_bytes));
        sizes[t] += static_cast<double>(per[t].back().envelopes[0].size());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (double s : sizes) *bytes += s;
  return per;
}

Status RunFolio(const AppendBenchOptions& opts, const std::string& dir, AppendBenchResult* r,
                Latencies* lat, std::vector<std::string>* sample) {
  double bytes = 0;
  auto b0 = Clock::now();
  auto requests = BuildRequests(opts, &bytes);
  r->build_seconds = Seconds(b0, Clock::now());
  for (std::size_t k = 0; k < 4096 && k < opts.events; ++k) {
    sample->push_back(requests[k % opts.submitters][k / opts.submitters].envelopes[0]);
  }
  ASSIGN_OR_RETURN(auto store, LogStore::Open(dir));
  ASSIGN_OR_RETURN(auto writer, Writer::Start(store.get()));
  const std::uint64_t total = opts.events;
  lat->us.assign(total, 0);
  std::atomic<std::uint64_t> done{0}, errors{0};
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < opts.submitters; ++t) {
    threads.emplace_back([&, t] {
      // Bounded pipelining: a submitter keeps at most this many appends in
      // flight and sleeps (not spins) when it has that many.
      const auto window = static_cast<std::ptrdiff_t>(opts.in_flight_per_submitter_max);
      std::counting_semaphore<> slots(window);
      std::uint64_t i = t;
      for (AppendRequest& req : requests[t]) {
        slots.acquire();
        auto submitted = Clock::now();
        writer->Submit(std::move(req), [&, i, submitted](const AppendOutcome& o) {
          auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - submitted);
          lat->us[i] = static_cast<std::uint32_t>(us.count());
          if (!o.status.ok()) errors.fetch_add(1);
          std::uint64_t d = done.fetch_add(1, std::memory_order_relaxed) + 1;
          if (opts.progress && d % 50'000 == 0) opts.progress(d, total);
          slots.release();
        });
        i += opts.submitters;
      }
      for (std::ptrdiff_t k = 0; k < window; ++k) slots.acquire();  // all acknowledged
    });
  }
  for (auto& th : threads) th.join();
  auto t_ack = Clock::now();
  writer->Stop();  // the last checkpoint: derived state of every event on disk
  auto t1 = Clock::now();
  if (errors.load() > 0) {
    return Status::Error(codes::kStoreFailed, std::to_string(errors.load()) + " appends failed");
  }
  WriterStats st = writer->stats();
  r->events = total;
  r->writer_prepare_s = static_cast<double>(st.prepare_ns) / 1e9;
  r->writer_write_s = static_cast<double>(st.write_ns) / 1e9;
  r->writer_wait_s = static_cast<double>(st.handoff_wait_ns) / 1e9;
  r->writer_retire_s = static_cast<double>(st.retire_ns) / 1e9;
  r->checkpoints = st.checkpoints;
  r->checkpoint_seconds = static_cast<double>(st.checkpoint_ns) / 1e9;
  r->checkpoint_bytes = st.checkpoint_bytes;
  r->checkpoint_records = st.checkpoint_records;
  r->groups = st.groups;
  r->ack_seconds = Seconds(t0, t_ack);
  r->folio_seconds = Seconds(t0, t1);
  r->folio_events_per_s = static_cast<double>(total) / r->folio_seconds;
  r->event_bytes_avg = bytes / static_cast<double>(total);
  r->batch_events_avg =
      st.groups ? static_cast<double>(st.events) / static_cast<double>(st.groups) : 0;
  ASSIGN_OR_RETURN(VerifyReport report, VerifyLog(*store));
  r->verified = report.ok && report.events == total;
  if (opts.verify_derived) {
    ASSIGN_OR_RETURN(DerivedReport deep, VerifyDerived(*store, dir + ".rebuild"));
    r->derived_verified = deep.ok && deep.applied_seq == total;
  }
  return OkStatus();
}

}  // namespace

Result<double> RawRocksDbSyncWrites(const std::string& dir, std::uint64_t count,
                                    const std::vector<std::string>& values,
                                    std::size_t batch_values) {
  rocksdb::Options o = BaseRocksOptions(LogStoreOptions{});
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(o, dir, &raw), "opening baseline db"));
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  auto t0 = Clock::now();
  rocksdb::WriteBatch batch;
  for (std::uint64_t i = 1; i <= count; ++i) {
    batch.Put(keys::EventKey(i), values[i % values.size()]);
    if (batch.Count() >= batch_values || i == count) {
      RETURN_IF_ERROR(FromRocks(db->Write(wo, &batch), "baseline write"));
      batch.Clear();
    }
  }
  double s = Seconds(t0, Clock::now());
  db->Close().PermitUncheckedError();
  return static_cast<double>(count) / s;
}

Result<AppendBenchResult> RunAppendBench(const AppendBenchOptions& opts) {
  if (opts.events == 0 || opts.submitters == 0) {
    return Status::Error(codes::kInvalidArgument, "events and submitters must be positive");
  }
  AppendBenchResult r;
  r.submitters = opts.submitters;
  Latencies lat;
  std::vector<std::string> values;  // the envelopes Folio wrote, for the baseline
  {
    ScratchDir folio_dir(opts.data_dir);
    RETURN_IF_ERROR(RunFolio(opts, folio_dir.path(), &r, &lat, &values));
  }
  r.ack_latency_p50_us = lat.Percentile(0.50);
  r.ack_latency_p99_us = lat.Percentile(0.99);
  r.ack_latency_max_us = lat.Percentile(1.0);
  if (!opts.baselines) return r;
  const auto batch = std::max<std::size_t>(1, static_cast<std::size_t>(r.batch_events_avg + 0.5));
  for (double* slot : {&r.rocksdb_events_per_s_run1, &r.rocksdb_events_per_s_run2}) {
    ScratchDir raw_dir("");
    ASSIGN_OR_RETURN(*slot, RawRocksDbSyncWrites(raw_dir.path(), opts.events, values, batch));
  }
  r.rocksdb_events_per_s = (r.rocksdb_events_per_s_run1 + r.rocksdb_events_per_s_run2) / 2;
  r.ratio = r.folio_events_per_s / r.rocksdb_events_per_s;
  return r;
}

}  // namespace folio::bench
