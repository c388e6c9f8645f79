// folio bench: benchmarks that report ratios against baselines run in the
// same process on the same machine (see bench/).
#include <cstdio>
#include <iostream>
#include <thread>

#include <boost/json.hpp>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "bench/append_bench.h"
#include "bench/cli/bench_commands.h"
#include "bench/domain_bench.h"
#include "bench/http_bench.h"
#include "bench/mirror_bench.h"
#include "bench/recovery_bench.h"
#include "bench/replay_bench.h"
#include "bench/statement_bench.h"
#include "events/codes.h"

namespace folio::cli {
namespace {

constexpr const char* kBenchHelp = R"(Usage: folio bench <name> [options]

  append [--data DIR] [--events N] [--event-bytes B] [--submitters K] [--json]
      Appends N payment events (default 1,000,000; each payment created, then
      settled, one idempotent request per event) through the real writer from
      K submitter threads (default 8), with the checkpointer running, and stops
      the writer (its last checkpoint) before the clock stops. Then writes the
      same envelope bytes to raw RocksDB, one key each, in WriteBatches of the
      same average size, sync=true (twice; the mean is the baseline). Prints
      folio_events_per_s, rocksdb_events_per_s, ratio, batch_events_avg, ack
      latency percentiles, the writer's time by stage and the checkpoints'
      count, seconds, bytes and records; then verifies the log and rebuilds
      its derived state to compare (untimed). --data keeps Folio's log there
      (it must not exist yet or be empty); otherwise a temporary directory.

  domain [--data DIR] [--pairs N] [--submitters K] [--window W] [--customers C]
         [--rate R] [--open-seconds S] [--no-open-loop] [--json]
      Closed loop: drives N payment.create + payment.settle pairs (default
      500,000) through the real writer from K submitters (default 8) keeping
      W commands each in flight (default 4,096): the domain decides and
      applies each command in the sequencer, every group is written durably,
      the derived state is checkpointed in the background. Prints
      commands_per_s, events_per_s and ack latency percentiles (closed_*).
      Then an open loop on the same log: commands issued at R per second in
      all (default: half the closed loop's rate) for S seconds (default 10),
      whatever the answers; each latency counts from the moment the command
      was due (open_p50_us, open_p99_us, open_p999_us). Then raw RocksDB
      writes the same number of the log's own envelopes, one key each, in
      batches of the closed loop's size, sync=true: raw_events_per_s and
      events_ratio. Also prints rss_peak_kb (VmHWM) next to
      caches_configured_kb (block cache, memtables, the writer's caches and
      two checkpoint intervals of derived state in memory) and the number of
      distinct idempotency keys, and whether the log verifies.

  recovery [--data DIR] [--events N] [--submitters K] [--json]
      A child process runs the domain load on a fresh log; once N events are
      written (default 2,000,000) it is SIGKILLed mid-stream. The log is then
      opened: RocksDB's recovery, then the events after the last checkpoint
      derived again (events_replayed, replay_seconds), and a writer started;
      open_seconds and writer_start_seconds time each step.

  replay [--data DIR [--reuse]] [--events N] [--queries Q] [--json]
      Builds a log of N settled-payment events (default 1,000,000) with the
      append benchmark, then rebuilds every projection from it and scans the
      same log with a raw RocksDB iterator (before and after; the mean is the
      baseline). Prints replay_events_per_s, raw_scan_events_per_s, ratio,
      asof_query_p99_us over Q random as-of balance queries (default 10,000)
      and rss_peak_kb (VmHWM, reset before the rebuild; rss_before_kb is
      what the process held at that moment). The rebuild's time by phase
      (replay_read/apply/write_seconds) and records_per_event show where it
      goes (reading and hashing the log runs ahead on a second thread);
      replay_cpu_seconds is the CPU the process used meanwhile (user +
      system, all threads): near 2 x replay_seconds, the cores were busy.
      raw_write_events_per_s is raw RocksDB writing the same batches again
      into a fresh store, and write_ceiling_ratio its ratio to the raw scan:
      the most a rebuild that stores those records could reach. --reuse: DIR
      already holds a log (from an earlier run, or a copy of a real one):
      rebuild its projections instead of building a log (its raw scan then
      starts with a cold block cache, so its ratio is not comparable with a
      fresh log's).

  statement [--data DIR] [--events N] [--clients C] [--queries Q] [--json]
      Builds a log of about N events (default 1,000,000) through the writer:
      payments created and settled, and trust deposits and refunds to client
      for C clients (default 1,000; three matters each). Brings the trust
      projection to the head, then renders Q client trust statements (JSON,
      all history; default 2,000) for random clients, and reads the same
      client's rows of proj.trust with a raw RocksDB iterator after each.
      Prints statement_p50_us, statement_p99_us, raw_rows_p50_us, ratio
      (raw / statement), lines_per_statement, and log_scan_ms: one raw scan
      of the whole log, the least a statement folding the log would read.

  http [--data DIR] [--posts N] [--healthz N] [--connections C] [--threads T] [--json]
      Starts the whole server (log, writer, projections, API) on a loopback
      port with T HTTP threads (default 2), then drives it over C keep-alive
      connections (default 64): first N GET /healthz (default 200,000: the
      HTTP ceiling of this server on this machine), then N POST /v1/payments
      (default 100,000; each answered after its group commit). Prints
      post_payments_per_s, healthz_per_s, ratio, post_p50_ms, post_p99_ms.

  mirror [--data DIR] [--events N] [--integration-topics] [--json]
      Builds a log of N settled-payment events (default 1,000,000), starts an
      in-process mock Kafka cluster (3 brokers, 3 partitions), then mirrors
      the log with the relay until Kafka acknowledged every event, and
      produces the same number of messages with the same keys, values and
      headers with raw librdkafka (idempotent, acks=all, same batching and
      lz4), before and after (the mean is the baseline). Prints
      folio_events_per_s, raw_msgs_per_s and ratio. --integration-topics
      also produces payments.settled JSON (one more message per event).

  recon [--data DIR] [--lines N] [--json]
      Imports and reconciles an N-line WeChat Pay bill (default 1,000,000)
      against a ledger of N payments; lines_per_s and rss_peak_kb
      (folio bench recon --help).
)";

int BenchHttp(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "posts", "healthz", "connections", "threads"}, {"json"}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kBenchHelp, stderr), 2;
  if (args->help()) return std::fputs(kBenchHelp, stdout), 0;
  bench::HttpBenchOptions o;
  o.data_dir = args->GetOr("data", "");
  auto posts = args->GetU64("posts", o.posts);
  auto healthz = args->GetU64("healthz", o.healthz);
  auto conns = args->GetU64("connections", o.connections);
  auto threads = args->GetU64("threads", o.server_threads);
  for (const Status& s : {posts.status(), healthz.status(), conns.status(), threads.status()}) {
    if (!s.ok()) return ReportError(s);
  }
  if (*conns == 0 || *conns > 1000 || *threads == 0 || *threads > 64) {
    return ReportError(Status::Error(codes::kInvalidArgument,
                                     "--connections must be 1..1000 and --threads 1..64")),
           2;
  }
  o.posts = *posts;
  o.healthz = *healthz;
  o.connections = static_cast<unsigned>(*conns);
  o.server_threads = static_cast<unsigned>(*threads);
  auto r = bench::RunHttpBench(o);
  if (!r.ok()) return ReportError(r.status());
  boost::json::object j;
  j["bench"] = "http";
  j["connections"] = o.connections;
  j["server_threads"] = o.server_threads;
  j["posts"] = r->posts;
  j["healthz"] = r->healthz;
  j["post_payments_per_s"] = r->post_payments_per_s;
  j["healthz_per_s"] = r->healthz_per_s;
  j["ratio"] = r->ratio();
  j["post_p50_ms"] = r->post_p50_ms;
  j["post_p99_ms"] = r->post_p99_ms;
  j["healthz_p50_ms"] = r->healthz_p50_ms;
  j["healthz_p99_ms"] = r->healthz_p99_ms;
  j["post_errors"] = r->post_errors;
  j["head_seq"] = r->head_seq;
  if (args->Has("json")) {
    std::cout << boost::json::serialize(j) << "\n";
  } else {
    std::printf(
        "POST /v1/payments %10.0f/s (p50 %.2f ms, p99 %.2f ms); GET /healthz %10.0f/s; "
        "ratio %.3f\n",
        r->post_payments_per_s, r->post_p50_ms, r->post_p99_ms, r->healthz_per_s, r->ratio());
  }
  return r->post_errors == 0 && r->head_seq == r->posts ? 0 : 1;
}

int BenchMirror(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "events"}, {"json", "integration-topics"}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kBenchHelp, stderr), 2;
  if (args->help()) return std::fputs(kBenchHelp, stdout), 0;
  kafka::MirrorBenchOptions o;
  o.data_dir = args->GetOr("data", "");
  auto events = args->GetU64("events", o.events);
  if (!events.ok()) return ReportError(events.status());
  o.events = *events;
  o.integration_topics = args->Has("integration-topics");
  if (StderrIsTerminal()) {
    o.progress = [](const std::string& phase) {
      std::fprintf(stderr, "\r\033[K%s", phase.c_str());
    };
  }
  auto r = kafka::RunMirrorBench(o);
  if (StderrIsTerminal()) std::fputs("\r\033[K", stderr);
  if (!r.ok()) return ReportError(r.status());
  boost::json::object j;
  j["bench"] = "mirror";
  j["events"] = r->events;
  j["event_bytes_avg"] = r->event_bytes_avg;
  j["header_bytes_avg"] = r->header_bytes_avg;
  j["integration_topics"] = r->integration_topics;
  j["fill_seconds"] = r->fill_seconds;
  j["folio_seconds"] = r->folio_seconds;
  j["folio_events_per_s"] = r->folio_events_per_s;
  j["raw_msgs_per_s"] = r->raw_msgs_per_s;
  j["raw_msgs_per_s_runs"] = {r->raw_msgs_per_s_run1, r->raw_msgs_per_s_run2};
  j["ratio"] = r->ratio;
  j["raw_txn_msgs_per_s"] = r->raw_txn_msgs_per_s;
  j["transactions"] = r->transactions;
  j["all_acknowledged"] = r->exactly_once_checked;
  j["machine"] = std::to_string(std::thread::hardware_concurrency()) + " cores";
  if (args->Has("json")) {
    std::cout << boost::json::serialize(j) << "\n";
  } else {
    std::printf("folio relay %10.0f events/s  raw librdkafka %10.0f msgs/s  ratio %.3f\n",
                r->folio_events_per_s, r->raw_msgs_per_s, r->ratio);
  }
  return r->exactly_once_checked ? 0 : 1;
}

int BenchReplay(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "events", "queries"}, {"json", "reuse"}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kBenchHelp, stderr), 2;
  if (args->help()) return std::fputs(kBenchHelp, stdout), 0;
  bench::ReplayBenchOptions o;
  o.data_dir = args->GetOr("data", "");
  o.reuse = args->Has("reuse");
  auto events = args->GetU64("events", o.events);
  auto queries = args->GetU64("queries", o.queries);
  for (const Status& s : {events.status(), queries.status()}) {
    if (!s.ok()) return ReportError(s);
  }
  o.events = *events;
  o.queries = *queries;
  if (StderrIsTerminal()) {
    o.progress = [](const std::string& phase, std::uint64_t done, std::uint64_t total) {
      std::fprintf(stderr, "\r%s: %llu / %llu", phase.c_str(),
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    };
  }
  auto r = bench::RunReplayBench(o);
  if (StderrIsTerminal()) std::fputs("\r\033[K", stderr);
  if (!r.ok()) return ReportError(r.status());
  boost::json::object j;
  j["bench"] = "replay";
  j["events"] = r->events;
  j["replay_seconds"] = r->replay_seconds;
  j["replay_events_per_s"] = r->replay_events_per_s;
  j["raw_scan_events_per_s"] = r->raw_scan_events_per_s;
  j["ratio"] = r->ratio;
  j["replay_read_seconds"] = r->replay_read_seconds;
  j["replay_apply_seconds"] = r->replay_apply_seconds;
  j["replay_write_seconds"] = r->replay_write_seconds;
  j["replay_cpu_seconds"] = r->replay_cpu_seconds;
  j["records_per_event"] = r->records_per_event;
  j["batch_bytes_per_event"] = r->batch_bytes_per_event;
  j["raw_write_events_per_s"] = r->raw_write_events_per_s;
  j["write_ceiling_ratio"] = r->write_ceiling_ratio;
  j["asof_query_p50_us"] = r->asof_query_p50_us;
  j["asof_query_p99_us"] = r->asof_query_p99_us;
  j["rss_peak_kb"] = r->rss_peak_kb;
  j["rss_before_kb"] = r->rss_before_kb;
  j["rss_peak_reset"] = r->rss_peak_reset;
  if (args->Has("json")) {
    std::cout << boost::json::serialize(j) << "\n";
  } else {
    std::printf("replay %10.0f events/s, raw scan %10.0f events/s, ratio %.3f\n",
                r->replay_events_per_s, r->raw_scan_events_per_s, r->ratio);
    std::printf("as-of query p50 %.1f us, p99 %.1f us; peak RSS %llu kB\n", r->asof_query_p50_us,
                r->asof_query_p99_us, static_cast<unsigned long long>(r->rss_peak_kb));
  }
  return 0;
}

int BenchStatement(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "events", "clients", "queries"}, {"json"}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kBenchHelp, stderr), 2;
  if (args->help()) return std::fputs(kBenchHelp, stdout), 0;
  bench::StatementBenchOptions o;
  o.data_dir = args->GetOr("data", "");
  auto events = args->GetU64("events", o.events);
  auto clients = args->GetU64("clients", o.clients);
  auto queries = args->GetU64("queries", o.queries);
  for (const Status& s : {events.status(), clients.status(), queries.status()}) {
    if (!s.ok()) return ReportError(s);
  }
  o.events = *events;
  o.clients = *clients;
  o.queries = *queries;
  if (StderrIsTerminal()) {
    o.progress = [](const std::string& phase, std::uint64_t done, std::uint64_t total) {
      std::fprintf(stderr, "\r%s: %llu / %llu", phase.c_str(),
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    };
  }
  auto r = bench::RunStatementBench(o);
  if (StderrIsTerminal()) std::fputs("\r\033[K", stderr);
  if (!r.ok()) return ReportError(r.status());
  boost::json::object j;
  j["bench"] = "statement";
  j["events"] = r->events;
  j["trust_lines"] = r->trust_lines;
  j["clients"] = o.clients;
  j["queries"] = o.queries;
  j["lines_per_statement"] = r->lines_per_statement;
  j["statement_bytes_avg"] = r->statement_bytes_avg;
  j["statement_p50_us"] = r->statement_p50_us;
  j["statement_p99_us"] = r->statement_p99_us;
  j["statement_max_us"] = r->statement_max_us;
  j["raw_rows_p50_us"] = r->raw_rows_p50_us;
  j["raw_rows_p99_us"] = r->raw_rows_p99_us;
  j["ratio"] = r->ratio;
  j["log_scan_ms"] = r->log_scan_ms;
  j["build_seconds"] = r->build_seconds;
  j["catch_up_seconds"] = r->catch_up_seconds;
  if (args->Has("json")) {
    std::cout << boost::json::serialize(j) << "\n";
  } else {
    std::printf(
        "statement p50 %.0f us, p99 %.0f us (%.0f lines); raw rows p50 %.0f us, ratio %.3f\n",
        r->statement_p50_us, r->statement_p99_us, r->lines_per_statement, r->raw_rows_p50_us,
        r->ratio);
    std::printf("a raw scan of the whole log: %.0f ms\n", r->log_scan_ms);
  }
  return 0;
}

int BenchDomain(const Argv& argv) {
  auto args = Args::Parse(
      argv, {{"data", "pairs", "submitters", "window", "customers", "rate", "open-seconds"},
             {"json", "no-open-loop"}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kBenchHelp, stderr), 2;
  if (args->help()) return std::fputs(kBenchHelp, stdout), 0;
  bench::DomainBenchOptions o;
  o.data_dir = args->GetOr("data", "");
  auto pairs = args->GetU64("pairs", o.pairs);
  auto submitters = args->GetU64("submitters", o.submitters);
  auto window = args->GetU64("window", o.window);
  auto customers = args->GetU64("customers", o.customers);
  auto rate = args->GetU64("rate", 0);
  auto open_s = args->GetU64("open-seconds", static_cast<std::uint64_t>(o.open_seconds));
  for (const Status& s : {pairs.status(), submitters.status(), window.status(), customers.status(),
                          rate.status(), open_s.status()}) {
    if (!s.ok()) return ReportError(s);
  }
  o.pairs = *pairs;
  o.submitters = *submitters;
  o.window = *window;
  o.customers = *customers;
  o.open_rate = static_cast<double>(*rate);
  o.open_seconds = static_cast<double>(*open_s);
  o.open_loop = !args->Has("no-open-loop");
  auto r = bench::RunDomainBench(o);
  if (!r.ok()) return ReportError(r.status());
  boost::json::object j;
  j["bench"] = "domain";
  j["commands"] = r->commands;
  j["events"] = r->events;
  j["rejections"] = r->rejections;
  j["seconds"] = r->seconds;
  j["commands_per_s"] = r->commands_per_s;
  j["events_per_s"] = r->events_per_s;
  j["batch_events_avg"] = r->batch_events_avg;
  j["event_bytes_avg"] = r->event_bytes_avg;
  j["closed_p50_us"] = r->closed.p50_us;
  j["closed_p99_us"] = r->closed.p99_us;
  j["open_rate_target"] = r->open_rate_target;
  j["open_rate_achieved"] = r->open_rate_achieved;
  j["open_commands"] = r->open_commands;
  j["open_p50_us"] = r->open.p50_us;
  j["open_p99_us"] = r->open.p99_us;
  j["open_p999_us"] = r->open.p999_us;
  j["open_max_us"] = r->open.max_us;
  j["raw_events_per_s"] = r->raw_events_per_s;
  j["events_ratio"] = r->events_ratio;
  j["checkpoints"] = r->checkpoints;
  j["checkpoint_seconds"] = r->checkpoint_seconds;
  j["checkpoint_bytes"] = r->checkpoint_bytes;
  j["distinct_idempotency_keys"] = r->distinct_idempotency_keys;
  j["rss_peak_kb"] = r->rss_peak_kb;
  j["caches_configured_kb"] = r->caches_configured_kb;
  j["verified"] = r->verified;
  j["machine"] = std::to_string(std::thread::hardware_concurrency()) + " cores";
  if (args->Has("json")) {
    std::cout << boost::json::serialize(j) << "\n";
  } else {
    std::printf("closed loop: %.0f commands/s (%.0f events/s), ack p50 %.0f us p99 %.0f us\n",
                r->commands_per_s, r->events_per_s, r->closed.p50_us, r->closed.p99_us);
    if (o.open_loop) {
      std::printf(
          "open loop at %.0f/s (achieved %.0f/s): ack p50 %.0f us, p99 %.0f us, p99.9 %.0f us\n",
          r->open_rate_target, r->open_rate_achieved, r->open.p50_us, r->open.p99_us,
          r->open.p999_us);
    }
    std::printf(
        "raw RocksDB %.0f events/s, events_ratio %.3f; peak RSS %llu kB (caches "
        "configured %llu kB), %llu rejected, log verified: %s\n",
        r->raw_events_per_s, r->events_ratio, static_cast<unsigned long long>(r->rss_peak_kb),
        static_cast<unsigned long long>(r->caches_configured_kb),
        static_cast<unsigned long long>(r->rejections), r->verified ? "yes" : "NO");
  }
  return r->verified && r->rejections == 0 ? 0 : 1;
}

int BenchRecovery(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "events", "submitters"}, {"json"}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kBenchHelp, stderr), 2;
  if (args->help()) return std::fputs(kBenchHelp, stdout), 0;
  bench::RecoveryBenchOptions o;
  o.data_dir = args->GetOr("data", "");
  auto events = args->GetU64("events", o.events);
  auto submitters = args->GetU64("submitters", o.submitters);
  for (const Status& s : {events.status(), submitters.status()}) {
    if (!s.ok()) return ReportError(s);
  }
  o.events = *events;
  o.submitters = *submitters;
  auto r = bench::RunRecoveryBench(o);
  if (!r.ok()) return ReportError(r.status());
  boost::json::object j;
  j["bench"] = "recovery";
  j["events_in_log"] = r->events_in_log;
  j["checkpoint_seq"] = r->checkpoint_seq;
  j["events_replayed"] = r->events_replayed;
  j["open_seconds"] = r->open_seconds;
  j["replay_seconds"] = r->replay_seconds;
  j["writer_start_seconds"] = r->writer_start_seconds;
  j["replay_events_per_s"] = r->replay_events_per_s;
  if (args->Has("json")) {
    std::cout << boost::json::serialize(j) << "\n";
  } else {
    std::printf(
        "killed at %llu events; open %.3f s (derived %llu events after the checkpoint at "
        "seq %llu in %.3f s); writer started in %.3f s\n",
        static_cast<unsigned long long>(r->events_in_log), r->open_seconds,
        static_cast<unsigned long long>(r->events_replayed),
        static_cast<unsigned long long>(r->checkpoint_seq), r->replay_seconds,
        r->writer_start_seconds);
  }
  return 0;
}

int BenchAppend(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "events", "event-bytes", "submitters"}, {"json"}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kBenchHelp, stderr), 2;
  if (args->help()) return std::fputs(kBenchHelp, stdout), 0;
  bench::AppendBenchOptions o;
  o.data_dir = args->GetOr("data", "");
  auto events = args->GetU64("events", o.events);
  auto bytes = args->GetU64("event-bytes", 0);
  auto submitters = args->GetU64("submitters", o.submitters);
  for (const Status& s : {events.status(), bytes.status(), submitters.status()}) {
    if (!s.ok()) return ReportError(s);
  }
  o.events = *events;
  o.event_bytes = *bytes;
  o.submitters = *submitters;
  if (StderrIsTerminal()) {
    o.progress = [](std::uint64_t done, std::uint64_t total) {
      std::fprintf(stderr, "\rfolio: %llu / %llu appended", static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(total));
    };
  }
  auto r = bench::RunAppendBench(o);
  if (StderrIsTerminal()) std::fputs("\r\033[K", stderr);
  if (!r.ok()) return ReportError(r.status());
  boost::json::object j;
  j["bench"] = "append";
  j["events"] = r->events;
  j["submitters"] = r->submitters;
  j["event_bytes_avg"] = r->event_bytes_avg;
  j["batch_events_avg"] = r->batch_events_avg;
  j["groups"] = r->groups;
  j["folio_events_per_s"] = r->folio_events_per_s;
  j["rocksdb_events_per_s"] = r->rocksdb_events_per_s;
  j["rocksdb_events_per_s_runs"] = {r->rocksdb_events_per_s_run1, r->rocksdb_events_per_s_run2};
  j["ratio"] = r->ratio;
  j["ack_latency_p50_us"] = r->ack_latency_p50_us;
  j["ack_latency_p99_us"] = r->ack_latency_p99_us;
  j["ack_latency_max_us"] = r->ack_latency_max_us;
  j["writer_prepare_s"] = r->writer_prepare_s;
  j["writer_write_s"] = r->writer_write_s;
  j["writer_wait_s"] = r->writer_wait_s;
  j["writer_retire_s"] = r->writer_retire_s;
  j["checkpoints"] = r->checkpoints;
  j["checkpoint_seconds"] = r->checkpoint_seconds;
  j["checkpoint_bytes"] = r->checkpoint_bytes;
  j["checkpoint_records"] = r->checkpoint_records;
  j["build_seconds"] = r->build_seconds;
  j["ack_seconds"] = r->ack_seconds;
  j["folio_seconds"] = r->folio_seconds;
  j["verified"] = r->verified;
  j["derived_verified"] = r->derived_verified;
  if (args->Has("json")) {
    std::cout << boost::json::serialize(j) << "\n";
  } else {
    std::printf("folio  %10.0f events/s  (%llu events, %zu submitters, %.0f events/batch)\n",
                r->folio_events_per_s, static_cast<unsigned long long>(r->events), r->submitters,
                r->batch_events_avg);
    std::printf("rocksdb %9.0f events/s  (raw, sync=true, same batch size and values)\n",
                r->rocksdb_events_per_s);
    std::printf("ratio  %.3f   ack latency p50 %.0f us, p99 %.0f us\n", r->ratio,
                r->ack_latency_p50_us, r->ack_latency_p99_us);
    std::printf(
        "checkpoints %llu (%.2f s, %.1f MB); log verified: %s; derived state = rebuild: %s\n",
        static_cast<unsigned long long>(r->checkpoints), r->checkpoint_seconds,
        static_cast<double>(r->checkpoint_bytes) / 1e6, r->verified ? "yes" : "NO",
        r->derived_verified ? "yes" : "NO");
  }
  return r->verified && r->derived_verified ? 0 : 1;
}

}  // namespace

int RunBench(const Argv& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
    std::fputs(kBenchHelp, argv.empty() ? stderr : stdout);
    return argv.empty() ? 2 : 0;
  }
  Argv rest(argv.begin() + 1, argv.end());
  if (argv[0] == "append") return BenchAppend(rest);
  if (argv[0] == "domain") return BenchDomain(rest);
  if (argv[0] == "recovery") return BenchRecovery(rest);
  if (argv[0] == "replay") return BenchReplay(rest);
  if (argv[0] == "statement") return BenchStatement(rest);
  if (argv[0] == "http") return BenchHttp(rest);
  if (argv[0] == "mirror") return BenchMirror(rest);
  if (argv[0] == "recon") return BenchRecon(rest);
  std::fprintf(stderr, "folio: unknown benchmark '%s'\n\n%s", argv[0].c_str(), kBenchHelp);
  return 2;
}

namespace {
const RegisterCommand kRegisterBench("bench", RunBench);
}  // namespace

}  // namespace folio::cli
