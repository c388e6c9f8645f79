#include "bench/domain_bench.h"

#include "bench/bench_command.h"
#include "bench/scratch_dir.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <semaphore>
#include <thread>
#include <vector>

#include "bench/append_bench.h"
#include "engine/derived_state.h"
#include "engine/verify.h"
#include "engine/writer.h"
#include "events/codes.h"

namespace folio::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Bytes an entry of the writer's caches holds, for the memory budget:
// a flat-map slot plus a key's (and a state value's) heap, measured roughly
// on the payment ids of this benchmark.
constexpr std::uint64_t kStreamCacheEntryBytes = 96;
constexpr std::uint64_t kStateCacheEntryBytes = 224;
constexpr std::uint64_t kTailBytesPerEvent = 640;  // index, head, record, ~3 state keys

// Pair `i`'s two commands, for run `run` (keys and ids kept apart per run).
std::pair<AppendRequest, AppendRequest> Pair(const std::string& run, std::uint64_t i,
                                             std::size_t customers) {
  std::string id = run + std::to_string(i);
  domain::PaymentCreate create;
  create.payment_id = id;
  create.customer_id = "cust-" + std::to_string(i % customers);
  create.order_id = "order-" + id;
  create.method = fb::Method::Alipay;
  create.amount = Money(Asset::CNY, 10'000 + i % 5'000);
  domain::PaymentSettle settle;
  settle.payment_id = id;
  settle.gateway_txn_id = "2026112122001" + id;
  return {BenchCommand(create, "c-" + id), BenchCommand(settle, "s-" + id)};
}

LatencySummary Summarize(std::vector<std::uint32_t>& us) {
  LatencySummary s;
  if (us.empty()) return s;
  std::sort(us.begin(), us.end());
  auto at = [&](double p) {
    return static_cast<double>(
        us[std::min(us.size() - 1, static_cast<std::size_t>(p * static_cast<double>(us.size())))]);
  };
  s.p50_us = at(0.50);
  s.p99_us = at(0.99);
  s.p999_us = at(0.999);
  s.max_us = static_cast<double>(us.back());
  return s;
}

std::uint64_t PeakRssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

std::uint32_t MicrosSince(SteadyClock::time_point t) {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t).count());
}

// Every submitter keeps up to `window` commands in flight.
void ClosedLoop(Writer& writer, const DomainBenchOptions& opts, std::vector<std::uint32_t>* lat,
                std::atomic<std::uint64_t>* rejections) {
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < opts.submitters; ++t) {
    threads.emplace_back([&, t] {
      const auto window = static_cast<std::ptrdiff_t>(opts.window);
      std::counting_semaphore<> slots(window);
      auto submit = [&](AppendRequest req, std::uint64_t idx) {
        slots.acquire();
        auto start = SteadyClock::now();
        writer.Submit(std::move(req), [&, idx, start](const AppendOutcome& o) {
          (*lat)[idx] = MicrosSince(start);
          if (!o.status.ok()) rejections->fetch_add(1, std::memory_order_relaxed);
          slots.release();
        });
      };
      for (std::uint64_t i = t; i < opts.pairs; i += opts.submitters) {
        auto [create, settle] = Pair("bp-", i, opts.customers);
        submit(std::move(create), 2 * i);
        submit(std::move(settle), 2 * i + 1);
      }
      for (std::ptrdiff_t k = 0; k < window; ++k) slots.acquire();
    });
  }
  for (auto& th : threads) th.join();
}

// Commands at `rate` per second in all, each latency from its due time.
void OpenLoop(Writer& writer, const DomainBenchOptions& opts, double rate,
              std::vector<std::uint32_t>* lat, std::atomic<std::uint64_t>* rejections,
              double* achieved) {
  const auto pairs = static_cast<std::uint64_t>(rate * opts.open_seconds / 2);
  lat->assign(2 * pairs, 0);
  const double pair_interval_s = 2.0 * static_cast<double>(opts.submitters) / rate;
  std::atomic<std::uint64_t> outstanding{2 * pairs};
  const auto t0 = SteadyClock::now();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < opts.submitters; ++t) {
    threads.emplace_back([&, t] {
      std::uint64_t k = 0;
      for (std::uint64_t i = t; i < pairs; i += opts.submitters, ++k) {
        const auto due =
            t0 + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(
                     (static_cast<double>(k) +
                      static_cast<double>(t) / static_cast<double>(opts.submitters)) *
                     pair_interval_s));
        std::this_thread::sleep_until(due);  // pacing, not synchronisation
        auto [create, settle] = Pair("op-", i, opts.customers);
        for (auto* req : {&create, &settle}) {
          const std::uint64_t idx = 2 * i + (req == &settle ? 1 : 0);
          writer.Submit(std::move(*req), [&, idx, due](const AppendOutcome& o) {
            (*lat)[idx] = MicrosSince(due);
            if (!o.status.ok()) rejections->fetch_add(1, std::memory_order_relaxed);
            outstanding.fetch_sub(1, std::memory_order_acq_rel);
            outstanding.notify_all();
          });
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (std::uint64_t n = outstanding.load(); n != 0; n = outstanding.load()) outstanding.wait(n);
  *achieved = static_cast<double>(2 * pairs) /
              std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// The log's own first envelopes, written raw: same sizes, same count.
Result<double> RawBaseline(const LogStore& store, std::uint64_t events, std::size_t batch,
                           double* bytes_avg) {
  ASSIGN_OR_RETURN(auto sample, store.ReadFrom(1, 4096));
  std::vector<std::string> values;
  double bytes = 0;
  for (const EventRecord& e : sample) {
    values.push_back(e.bytes());
    bytes += static_cast<double>(e.bytes().size());
  }
  if (values.empty()) return Status::Error(codes::kInvalidArgument, "no events");
  *bytes_avg = bytes / static_cast<double>(values.size());
  ScratchDir raw_dir("");
  return RawRocksDbSyncWrites(raw_dir.path(), events, values, batch);
}

}  // namespace

Result<DomainBenchResult> RunDomainBench(const DomainBenchOptions& opts) {
  if (opts.pairs == 0 || opts.submitters == 0 || opts.customers == 0 || opts.window == 0) {
    return Status::Error(codes::kInvalidArgument,
                         "pairs, submitters, window and customers must be positive");
  }
  ScratchDir scratch(opts.data_dir);
  DomainBenchResult r;
  LogStoreOptions lo;
  WriterOptions wo;
  ASSIGN_OR_RETURN(auto store, LogStore::Open(scratch.path(), lo));
  ASSIGN_OR_RETURN(auto writer, Writer::Start(store.get(), wo));
  std::atomic<std::uint64_t> rejections{0};
  {
    std::vector<std::uint32_t> lat(2 * opts.pairs, 0);
    auto t0 = SteadyClock::now();
    ClosedLoop(*writer, opts, &lat, &rejections);
    r.seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    r.closed = Summarize(lat);
  }
  WriterStats st = writer->stats();
  r.commands = 2 * opts.pairs;
  r.events = st.events;
  r.commands_per_s = static_cast<double>(r.commands) / r.seconds;
  r.events_per_s = static_cast<double>(st.events) / r.seconds;
  r.batch_events_avg =
      st.groups ? static_cast<double>(st.events) / static_cast<double>(st.groups) : 0;
  r.distinct_idempotency_keys = r.commands;
  if (opts.open_loop) {
    r.open_rate_target = opts.open_rate > 0 ? opts.open_rate : r.commands_per_s / 2;
    std::vector<std::uint32_t> lat;
    OpenLoop(*writer, opts, r.open_rate_target, &lat, &rejections, &r.open_rate_achieved);
    r.open_commands = lat.size();
    r.distinct_idempotency_keys += lat.size();
    r.open = Summarize(lat);
  }
  writer->Stop();
  r.rejections = rejections.load();
  st = writer->stats();
  r.checkpoints = st.checkpoints;
  r.checkpoint_seconds = static_cast<double>(st.checkpoint_ns) / 1e9;
  r.checkpoint_bytes = st.checkpoint_bytes;
  r.rss_peak_kb = PeakRssKb();
  r.caches_configured_kb = (lo.block_cache_bytes + lo.memtables_total_bytes +
                            wo.stream_cache_entries_max * kStreamCacheEntryBytes +
                            wo.state_cache_entries_max * kStateCacheEntryBytes +
                            2 * wo.checkpoint_events_max * kTailBytesPerEvent) /
                           1024;
  ASSIGN_OR_RETURN(VerifyReport report, VerifyLog(*store));
  r.verified = report.ok;
  if (opts.baseline) {
    const auto batch = std::max<std::size_t>(1, static_cast<std::size_t>(r.batch_events_avg + 0.5));
    ASSIGN_OR_RETURN(r.raw_events_per_s, RawBaseline(*store, r.events, batch, &r.event_bytes_avg));
    r.events_ratio = r.events_per_s / r.raw_events_per_s;
  }
  return r;
}

}  // namespace folio::bench
