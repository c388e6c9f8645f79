// folio demo and folio torture: small writers over the raw log.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "adapters/json/demo_history.h"
#include "engine/torture_load.h"
#include "engine/verify.h"
#include "engine/writer.h"
#include "events/codes.h"
#include "events/money.h"

namespace folio::cli {
namespace {

constexpr const char* kDemoHelp = R"(Usage: folio demo [--data DIR]

Runs a demo history of commands through the domain and the writer (payments
in every method, partial refunds and a refund to credit, credits, client money
in trust, and a few commands the rules refuse) into the log in DIR (default
./data/demo), verifies the whole log and prints its head. Safe to run again:
every command carries an idempotency key, so a second run appends nothing.
)";

constexpr const char* kTortureHelp = R"(Usage: folio torture --data DIR [--submitters K] [--run R]
                     [--checkpoint-events N] [--checkpoint-ms M]

Runs domain commands forever from K threads (default 4), one at a time per
thread, in the fixed pattern of engine/torture_load.h (payments to trust and
to operating, settlements, failures, and settlements the rules refuse); R
(default 0) keeps each run's idempotency keys apart. After each outcome is
durable it prints one line on stdout:

  <key> ok <first_seq> <last_seq> <stream_version>
  <key> rej <code>

The crash tests kill it with SIGKILL at random moments and check that every
printed outcome survived and that a retry of its key answers the same. Small
--checkpoint-events / --checkpoint-ms (defaults: the writer's) make the kills
land during checkpoints too.
)";

}  // namespace

int RunDemo(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data"}, {}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kDemoHelp, stderr), 2;
  if (args->help()) return std::fputs(kDemoHelp, stdout), 0;
  std::string dir = args->GetOr("data", "data/demo");
  std::filesystem::create_directories(dir);
  auto store = LogStore::Open(dir);
  if (!store.ok()) return ReportError(store.status()), 3;
  auto writer = Writer::Start(store->get());
  if (!writer.ok()) return ReportError(writer.status());
  std::istringstream history{std::string(json::DemoHistory())};
  ExecSummary sum = ExecuteLines(**writer, history, /*as_json=*/false, "demo", nullptr);
  if (sum.store_failed) return ReportError(Status::Error(codes::kStoreFailed, "demo not stored"));
  (*writer)->Stop();
  auto report = VerifyLog(**store);
  if (!report.ok()) return ReportError(report.status());
  std::printf(
      "demo log in %s: %zu commands, %zu accepted, %zu refused by the rules (as intended),"
      " %zu answered from idempotency records\n",
      dir.c_str(), sum.commands, sum.accepted, sum.rejected, sum.replayed);
  std::printf("verify: %s, %llu events, head seq %llu, head hash %s\n",
              report->ok ? "ok" : report->reason.c_str(),
              static_cast<unsigned long long>(report->events),
              static_cast<unsigned long long>(report->head_seq), ToHex(report->head_hash).c_str());
  std::printf("try:  folio inspect --data %s --limit 3\n      folio verify --data %s --json\n",
              dir.c_str(), dir.c_str());
  return report->ok ? 0 : 1;
}

int RunTorture(const Argv& argv) {
  auto args =
      Args::Parse(argv, {{"data", "submitters", "run", "checkpoint-events", "checkpoint-ms"}, {}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kTortureHelp, stderr), 2;
  if (args->help()) return std::fputs(kTortureHelp, stdout), 0;
  auto dir = args->Get("data");
  auto submitters = args->GetU64("submitters", 4);
  auto run = args->GetU64("run", 0);
  WriterOptions wo;
  auto ckpt_events = args->GetU64("checkpoint-events", wo.checkpoint_events_max);
  auto ckpt_ms =
      args->GetU64("checkpoint-ms", static_cast<std::uint64_t>(wo.checkpoint_interval.count()));
  if (!dir || !submitters.ok() || *submitters == 0 || !run.ok() || !ckpt_events.ok() ||
      *ckpt_events == 0 || !ckpt_ms.ok()) {
    ReportError(Status::Error(codes::kInvalidArgument,
                              "--data DIR is required; --submitters and --checkpoint-events > 0"));
    return 2;
  }
  wo.checkpoint_events_max = *ckpt_events;
  wo.checkpoint_interval = std::chrono::milliseconds(*ckpt_ms);
  auto store = LogStore::Open(*dir);
  if (!store.ok()) return ReportError(store.status()), 3;
  auto writer = Writer::Start(store->get(), wo);
  if (!writer.ok()) return ReportError(writer.status());
  std::mutex out_mu;
  std::vector<std::thread> threads;
  for (std::uint64_t t = 0; t < *submitters; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t i = 0;; ++i) {
        const torture::StepId id{*run, t, i};
        AppendOutcome o = (*writer)->Append(torture::Request(id));
        const std::string key = torture::Key(id);
        std::lock_guard<std::mutex> lock(out_mu);
        if (o.status.ok()) {
          std::printf("%s ok %llu %llu %llu\n", key.c_str(),
                      static_cast<unsigned long long>(o.first_seq),
                      static_cast<unsigned long long>(o.last_seq),
                      static_cast<unsigned long long>(o.stream_version));
        } else if (o.status.code() == codes::kStoreFailed || o.status.code() == codes::kIoError) {
          ReportError(o.status);
          std::_Exit(1);
        } else {
          std::printf("%s rej %s\n", key.c_str(), std::string(o.status.code()).c_str());
        }
        std::fflush(stdout);
      }
    });
  }
  for (auto& th : threads) th.join();  // never: torture runs until killed
  return 0;
}

}  // namespace folio::cli
