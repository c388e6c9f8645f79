#include "bench/recovery_bench.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <semaphore>
#include <thread>
#include <vector>

#include "bench/bench_command.h"
#include "bench/scratch_dir.h"
#include "engine/derived_state.h"
#include "engine/writer.h"
#include "events/codes.h"

namespace folio::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// The child: create + settle pairs until killed; writes one byte to `ready_fd`
// once the log holds `events` events, then carries on at full load.
[[noreturn]] void ChildLoad(const std::string& dir, const RecoveryBenchOptions& opts,
                            int ready_fd) {
  auto store = LogStore::Open(dir);
  if (!store.ok()) std::_Exit(3);
  auto writer = Writer::Start(store->get());
  if (!writer.ok()) std::_Exit(4);
  std::atomic<bool> told{false};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < opts.submitters; ++t) {
    threads.emplace_back([&, t] {
      std::counting_semaphore<> slots(4096);
      for (std::uint64_t i = t;; i += opts.submitters) {
        const std::string id = "rp-" + std::to_string(i);
        domain::PaymentCreate c;
        c.payment_id = id;
        c.customer_id = "cust-" + std::to_string(i % 10'000);
        c.order_id = "order-" + id;
        c.method = fb::Method::Alipay;
        c.amount = Money(Asset::CNY, 10'000 + i % 5'000);
        domain::PaymentSettle s;
        s.payment_id = id;
        s.gateway_txn_id = "2026112122001" + id;
        AppendRequest pair[2] = {BenchCommand(c, "c-" + id), BenchCommand(s, "s-" + id)};
        for (AppendRequest& r : pair) {
          slots.acquire();
          (*writer)->Submit(std::move(r), [&](const AppendOutcome& o) {
            if (!o.status.ok()) std::_Exit(5);
            if (o.last_seq >= opts.events && !told.exchange(true)) {
              char b = 1;
              if (write(ready_fd, &b, 1) != 1) std::_Exit(6);
            }
            slots.release();
          });
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  std::_Exit(0);
}

}  // namespace

Result<RecoveryBenchResult> RunRecoveryBench(const RecoveryBenchOptions& opts) {
  if (opts.events == 0 || opts.submitters == 0) {
    return Status::Error(codes::kInvalidArgument, "events and submitters must be positive");
  }
  ScratchDir dir(opts.data_dir);
  int fds[2];
  if (pipe(fds) != 0) return Status::Error(codes::kIoError, "pipe failed");
  std::fflush(nullptr);
  pid_t pid = fork();  // before any thread of ours exists
  if (pid < 0) return Status::Error(codes::kIoError, "fork failed");
  if (pid == 0) {
    close(fds[0]);
    ChildLoad(dir.path(), opts, fds[1]);
  }
  close(fds[1]);
  char b = 0;
  const ssize_t got = read(fds[0], &b, 1);  // the child reached `events`, at full load
  close(fds[0]);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (got != 1) {
    return Status::Error(codes::kStoreFailed, "the load process died before the kill (status " +
                                                  std::to_string(status) + ")");
  }
  RecoveryBenchResult r;
  auto t0 = SteadyClock::now();
  ASSIGN_OR_RETURN(auto store, LogStore::Open(dir.path()));
  r.open_seconds = SecondsSince(t0);
  r.events_replayed = store->derived().replayed_events();
  r.replay_seconds = store->derived().replay_seconds();
  r.checkpoint_seq = store->derived().marker().applied_seq;
  auto t1 = SteadyClock::now();
  ASSIGN_OR_RETURN(auto writer, Writer::Start(store.get()));
  r.writer_start_seconds = SecondsSince(t1);
  r.events_in_log = writer->durable_head().seq;
  writer->Stop();
  r.replay_events_per_s =
      r.replay_seconds > 0 ? static_cast<double>(r.events_replayed) / r.replay_seconds : 0;
  return r;
}

}  // namespace folio::bench
