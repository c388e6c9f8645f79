#include "bench/domain_bench.h"

#include "bench/scratch_dir.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <semaphore>
#include <thread>
#include <vector>

#include "engine/verify.h"
#include "engine/writer.h"
#include "events/codes.h"

namespace folio::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

AppendRequest Command(domain::Command cmd, std::string key) {
  AppendRequest r;
  r.fingerprint = Sha256(key);
  r.idempotency_key = std::move(key);
  r.context.actor = "bench";
  r.command = std::move(cmd);
  return r;
}

}  // namespace

Result<DomainBenchResult> RunDomainBench(const DomainBenchOptions& opts) {
  if (opts.pairs == 0 || opts.submitters == 0 || opts.customers == 0) {
    return Status::Error(codes::kInvalidArgument,
                         "pairs, submitters and customers must be positive");
  }
  ScratchDir scratch(opts.data_dir);
  const std::string& dir = scratch.path();
  DomainBenchResult r;
  {
    ASSIGN_OR_RETURN(auto store, LogStore::Open(dir));
    ASSIGN_OR_RETURN(auto writer, Writer::Start(store.get()));
    const std::uint64_t commands = opts.pairs * 2;
    std::vector<std::uint32_t> latency_us(commands, 0);
    std::atomic<std::uint64_t> rejections{0};
    auto t0 = SteadyClock::now();
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < opts.submitters; ++t) {
      threads.emplace_back([&, t] {
        constexpr std::ptrdiff_t kWindow = 4096;
        std::counting_semaphore<> slots(kWindow);
        auto submit = [&](AppendRequest req, std::uint64_t idx) {
          slots.acquire();
          auto start = SteadyClock::now();
          writer->Submit(std::move(req), [&, idx, start](const AppendOutcome& o) {
            latency_us[idx] = static_cast<std::uint32_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start)
                    .count());
            if (!o.status.ok()) rejections.fetch_add(1, std::memory_order_relaxed);
            slots.release();
          });
        };
        for (std::uint64_t i = t; i < opts.pairs; i += opts.submitters) {
          std::string id = "bp-" + std::to_string(i);
          domain::PaymentCreate create;
          create.payment_id = id;
          create.customer_id = "cust-" + std::to_string(i % opts.customers);
          create.order_id = "order-" + std::to_string(i);
          create.method = fb::Method::Alipay;
          create.amount = Money(Asset::CNY, 10'000 + i % 5'000);
          submit(Command(create, "c-" + id), 2 * i);
          domain::PaymentSettle settle;
          settle.payment_id = id;
          settle.gateway_txn_id = "2026112122001" + std::to_string(i);
          submit(Command(settle, "s-" + id), 2 * i + 1);
        }
        for (std::ptrdiff_t k = 0; k < kWindow; ++k) slots.acquire();
      });
    }
    for (auto& th : threads) th.join();
    r.seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    WriterStats st = writer->stats();
    writer->Stop();
    r.commands = commands;
    r.events = st.events;
    r.rejections = rejections.load();
    r.commands_per_s = static_cast<double>(commands) / r.seconds;
    r.events_per_s = static_cast<double>(st.events) / r.seconds;
    r.batch_events_avg =
        st.groups ? static_cast<double>(st.events) / static_cast<double>(st.groups) : 0;
    std::sort(latency_us.begin(), latency_us.end());
    r.ack_latency_p50_us = latency_us[latency_us.size() / 2];
    r.ack_latency_p99_us = latency_us[latency_us.size() * 99 / 100];
    ASSIGN_OR_RETURN(VerifyReport report, VerifyLog(*store));
    r.verified = report.ok;
  }
  return r;
}

}  // namespace folio::bench
