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
#include "engine/writer.h"
#include "events/codes.h"
#include "events/money.h"

namespace folio::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// A settled Alipay payment, as the gateway notification would produce it.
std::string SettledEvent(const std::string& stream, std::uint64_t n, std::size_t pad_to) {
  EnvelopeMeta meta;
  meta.stream_id = stream;
  meta.occurred_at_ns = 1'795'000'000'000'000'000 + static_cast<std::int64_t>(n);
  meta.actor = "gateway:alipay";
  meta.correlation_id = "req-" + std::to_string(n);
  meta.idempotency_key = "notify-2026112122001" + std::to_string(n);
  std::string txn = "2026112122001" + std::to_string(n);
  auto build = [&](const std::string& t) {
    return EncodeEnvelope(meta, fb::Event::PaymentSettled, [&](flatbuffers::FlatBufferBuilder& b) {
      auto amount = Money(Asset::CNY, 10000 + n % 100000).ToFb();
      auto gw_fee = Money(Asset::CNY, 60 + n % 100).ToFb();
      auto fee = Money(Asset::CNY, 60).ToFb();
      return fb::CreatePaymentSettledDirect(b, stream.c_str(), t.c_str(), &amount, &gw_fee, &fee)
          .Union();
    });
  };
  std::string env = build(txn);
  if (pad_to > env.size()) env = build(txn + std::string(pad_to - env.size(), '0'));
  return env;
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

Status RunFolio(const AppendBenchOptions& opts, const std::string& dir, AppendBenchResult* r,
                Latencies* lat) {
  ASSIGN_OR_RETURN(auto store, LogStore::Open(dir));
  ASSIGN_OR_RETURN(auto writer, Writer::Start(store.get()));
  const std::uint64_t total = opts.events;
  lat->us.assign(total, 0);
  std::atomic<std::uint64_t> done{0}, bytes{0}, errors{0};
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < opts.submitters; ++t) {
    threads.emplace_back([&, t] {
      // Bounded pipelining: a submitter keeps at most this many appends in
      // flight and sleeps (not spins) when it has that many.
      const auto window = static_cast<std::ptrdiff_t>(opts.in_flight_per_submitter_max);
      std::counting_semaphore<> slots(window);
      for (std::uint64_t i = t; i < total; i += opts.submitters) {
        slots.acquire();
        // Two events per payment stream: pay-T-K gets version 1 then 2.
        std::uint64_t local = i / opts.submitters;
        AppendRequest req;
        req.stream_id = "pay-" + std::to_string(t) + "-" + std::to_string(local / 2);
        req.expected_version = local % 2;
        req.idempotency_key = "bench-" + std::to_string(i);
        req.fingerprint = Sha256(req.idempotency_key);
        req.envelopes.push_back(SettledEvent(req.stream_id, i, opts.event_bytes));
        bytes.fetch_add(req.envelopes.back().size(), std::memory_order_relaxed);
        auto submitted = Clock::now();
        writer->Submit(std::move(req), [&, i, submitted](const AppendOutcome& o) {
          auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - submitted);
          lat->us[i] = static_cast<std::uint32_t>(us.count());
          if (!o.status.ok()) errors.fetch_add(1);
          std::uint64_t d = done.fetch_add(1, std::memory_order_relaxed) + 1;
          if (opts.progress && d % 50'000 == 0) opts.progress(d, total);
          slots.release();
        });
      }
      for (std::ptrdiff_t k = 0; k < window; ++k) slots.acquire();  // all acknowledged
    });
  }
  for (auto& th : threads) th.join();
  auto t1 = Clock::now();
  if (errors.load() > 0) {
    return Status::Error(codes::kStoreFailed, std::to_string(errors.load()) + " appends failed");
  }
  WriterStats st = writer->stats();
  writer->Stop();
  r->events = total;
  r->writer_prepare_s = static_cast<double>(st.prepare_ns) / 1e9;
  r->writer_write_s = static_cast<double>(st.write_ns) / 1e9;
  r->writer_wait_s = static_cast<double>(st.handoff_wait_ns) / 1e9;
  r->groups = st.groups;
  r->folio_seconds = Seconds(t0, t1);
  r->folio_events_per_s = static_cast<double>(total) / r->folio_seconds;
  r->event_bytes_avg = static_cast<double>(bytes.load()) / static_cast<double>(total);
  r->batch_events_avg =
      st.groups ? static_cast<double>(st.events) / static_cast<double>(st.groups) : 0;
  ASSIGN_OR_RETURN(VerifyReport report, VerifyLog(*store));
  r->verified = report.ok && report.events == total;
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

std::string LedgerRecords::Name() const {
  std::string name = "event";
  if (index) name += "+index";
  if (stream_head) name += "+stream_head";
  if (idempotency) name += "+idempotency";
  return name;
}

Result<double> RawLedgerKeySyncWrites(const std::string& dir, std::uint64_t count,
                                      const std::vector<std::string>& values,
                                      std::size_t batch_values, std::size_t submitters,
                                      LedgerRecords records) {
  ASSIGN_OR_RETURN(auto store, LogStore::Open(dir));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  AppendOutcome outcome;
  outcome.first_seq = outcome.last_seq = count;
  outcome.stream_version = 2;
  const std::string record = EncodeIdempotencyRecord(Sha256("bench"), outcome);
  const std::string head = keys::EncodeHead(keys::Head{count, Sha256("head")});
  std::vector<std::pair<std::string, std::string>> index, heads, idem;
  auto t0 = Clock::now();
  rocksdb::WriteBatch batch;
  for (std::uint64_t i = 1; i <= count; ++i) {
    // The same stream and key names as RunFolio: two events per stream.
    const std::uint64_t n = i - 1, local = n / submitters;
    std::string stream = "pay-" + std::to_string(n % submitters) + "-" + std::to_string(local / 2);
    std::string seq_key = keys::EventKey(i);
    batch.Put(store->events_cf(), seq_key, values[i % values.size()]);
    if (records.index) {
      index.emplace_back(keys::StreamIndexKey(stream, local % 2 + 1), std::move(seq_key));
    }
    if (records.stream_head) {
      std::string version;
      keys::PutU64Be(&version, local % 2 + 1);
      heads.emplace_back(keys::StreamHeadKey(stream), std::move(version));
    }
    if (records.idempotency) {
      idem.emplace_back(keys::IdempotencyKey("", "bench-" + std::to_string(n)), record);
    }
    if (batch.Count() >= batch_values || i == count) {
      // Sorted per family, as the writer adds them.
      for (auto* puts : {&index, &heads, &idem}) std::sort(puts->begin(), puts->end());
      for (const auto& [k, v] : index) batch.Put(store->streams_cf(), k, v);
      for (const auto& [k, v] : heads) batch.Put(store->streams_cf(), k, v);
      for (const auto& [k, v] : idem) batch.Put(store->idempotency_cf(), k, v);
      batch.Put(store->meta_cf(), std::string(keys::kMetaHead), head);
      RETURN_IF_ERROR(FromRocks(store->db()->Write(wo, &batch), "baseline write"));
      batch.Clear();
      index.clear();
      heads.clear();
      idem.clear();
    }
  }
  return static_cast<double>(count) / Seconds(t0, Clock::now());
}

Result<AppendBenchResult> RunAppendBench(const AppendBenchOptions& opts) {
  if (opts.events == 0 || opts.submitters == 0) {
    return Status::Error(codes::kInvalidArgument, "events and submitters must be positive");
  }
  AppendBenchResult r;
  r.submitters = opts.submitters;
  Latencies lat;
  {
    ScratchDir folio_dir(opts.data_dir);
    RETURN_IF_ERROR(RunFolio(opts, folio_dir.path(), &r, &lat));
  }
  if (!opts.baselines) return r;
  const auto batch = std::max<std::size_t>(1, static_cast<std::size_t>(r.batch_events_avg + 0.5));
  std::vector<std::string> values;
  for (std::uint64_t i = 0; i < 4096; ++i) {
    values.push_back(SettledEvent("pay-0-" + std::to_string(i / 2), i, opts.event_bytes));
  }
  for (double* slot : {&r.rocksdb_events_per_s_run1, &r.rocksdb_events_per_s_run2}) {
    ScratchDir raw_dir("");
    ASSIGN_OR_RETURN(*slot, RawRocksDbSyncWrites(raw_dir.path(), opts.events, values, batch));
  }
  r.rocksdb_events_per_s = (r.rocksdb_events_per_s_run1 + r.rocksdb_events_per_s_run2) / 2;
  r.ratio = r.folio_events_per_s / r.rocksdb_events_per_s;
  {
    ScratchDir raw_dir("");
    ASSIGN_OR_RETURN(r.rocksdb_ledger_keys_events_per_s,
                     RawLedgerKeySyncWrites(raw_dir.path(), opts.events, values, batch,
                                            opts.submitters, LedgerRecords{}));
  }
  if (opts.storage_floor) {
    // Each record dropped in turn: what each costs on this machine.
    for (LedgerRecords rec : {LedgerRecords{true, false, true}, LedgerRecords{true, false, false},
                              LedgerRecords{false, false, false}}) {
      ScratchDir raw_dir("");
      ASSIGN_OR_RETURN(double rate, RawLedgerKeySyncWrites(raw_dir.path(), opts.events, values,
                                                           batch, opts.submitters, rec));
      r.storage_floor.emplace_back(rec, rate);
    }
  }
  r.ack_latency_p50_us = lat.Percentile(0.50);
  r.ack_latency_p99_us = lat.Percentile(0.99);
  r.ack_latency_max_us = lat.Percentile(1.0);
  return r;
}

}  // namespace folio::bench
