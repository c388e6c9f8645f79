#include "bench/statement_bench.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <semaphore>
#include <thread>
#include <vector>

#include "adapters/reports/reports.h"
#include "bench/bench_command.h"
#include "bench/scratch_dir.h"
#include "engine/log_cursor.h"
#include "engine/log_store.h"
#include "engine/writer.h"
#include "events/codes.h"
#include "projections/projector.h"
#include "projections/row_codec.h"
#include "projections/trust_ledger.h"

namespace folio::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kSubmitters = 8;
constexpr std::size_t kWindow = 2048;  // commands in flight per submitter
constexpr std::size_t kMattersPerClient = 3;

double Micros(Clock::time_point from) {
  return std::chrono::duration<double, std::micro>(Clock::now() - from).count();
}

// Unit i (submitted by thread i % 8, so each client's commands keep their
// order): a payment created and settled; a cleared trust deposit for client
// i % clients; every fourth unit also a small refund to that client, always
// after a deposit of its matter. About 3.25 events a unit.
void SubmitUnit(std::uint64_t i, std::size_t clients,
                const std::function<void(AppendRequest)>& submit) {
  const std::string id = std::to_string(i);
  domain::PaymentCreate create;
  create.payment_id = "p" + id;
  create.customer_id = "cust-" + std::to_string(i % 10'000);
  create.order_id = "order-" + id;
  create.method = fb::Method::Alipay;
  create.amount = Money(Asset::CNY, 10'000 + i % 5'000);
  submit(BenchCommand(create, "c-" + id));
  domain::PaymentSettle settle;
  settle.payment_id = create.payment_id;
  settle.gateway_txn_id = "2026112122001" + id;
  submit(BenchCommand(settle, "s-" + id));
  const std::string client = "client-" + std::to_string(i % clients);
  const std::string matter = "matter-" + std::to_string((i / clients) % kMattersPerClient);
  domain::TrustDeposit d;
  d.deposit_id = "d" + id;
  d.client_id = client;
  d.matter_id = matter;
  d.amount = Money(Asset::CNY, 100'000 + i % 7'000);
  d.reference = "WIRE-" + id;
  d.payer = "Payer " + client;
  submit(BenchCommand(d, "d-" + id));
  if (i % 4 == 3) {
    domain::TrustRefundClient r;
    r.refund_id = "r" + id;
    r.client_id = client;
    r.matter_id = matter;
    r.amount = Money(Asset::CNY, 1'000);
    r.reference = "RET-" + id;
    submit(BenchCommand(r, "r-" + id));
  }
}

Status BuildLog(LogStore* store, const StatementBenchOptions& opts) {
  ASSIGN_OR_RETURN(auto writer, Writer::Start(store));
  const std::uint64_t units = opts.events * 4 / 13;  // 3.25 events a unit
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> done{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kSubmitters; ++t) {
    threads.emplace_back([&, t] {
      std::counting_semaphore<> slots(static_cast<std::ptrdiff_t>(kWindow));
      const auto submit = [&](AppendRequest req) {
        slots.acquire();
        writer->Submit(std::move(req), [&](const AppendOutcome& o) {
          if (!o.status.ok()) refused.fetch_add(1, std::memory_order_relaxed);
          slots.release();
        });
      };
      for (std::uint64_t i = t; i < units; i += kSubmitters) {
        SubmitUnit(i, opts.clients, submit);
        const std::uint64_t n = done.fetch_add(1, std::memory_order_relaxed) + 1;
        if (opts.progress && t == 0 && i % 4096 == 0) opts.progress("build", n, units);
      }
      for (std::size_t k = 0; k < kWindow; ++k) slots.acquire();
    });
  }
  for (auto& th : threads) th.join();
  writer->Stop();
  if (refused.load() != 0) {
    return Status::Error(codes::kInvalidArgument,
                         std::to_string(refused.load()) + " commands of the history were refused");
  }
  return OkStatus();
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

Result<StatementBenchResult> RunStatementBench(const StatementBenchOptions& opts) {
  if (opts.clients == 0 || opts.clients % kSubmitters != 0 || opts.queries == 0) {
    return Status::Error(codes::kInvalidArgument,
                         "--clients must be a positive multiple of 8 and --queries positive");
  }
  ScratchDir dir(opts.data_dir);
  ASSIGN_OR_RETURN(auto store, LogStore::Open(dir.path()));
  StatementBenchResult r;
  auto t0 = Clock::now();
  RETURN_IF_ERROR(BuildLog(store.get(), opts));
  r.build_seconds = Micros(t0) / 1e6;
  ASSIGN_OR_RETURN(r.events, LastEventSeq(*store));

  t0 = Clock::now();
  {
    std::vector<std::unique_ptr<projections::Projection>> ps;
    ps.push_back(std::make_unique<projections::TrustLedgerProjection>());
    projections::ProjectorOptions po;
    po.background = false;
    ASSIGN_OR_RETURN(auto projector, projections::Projector::Start(store.get(), std::move(ps), po));
    RETURN_IF_ERROR(projector->CatchUp());
  }
  r.catch_up_seconds = Micros(t0) / 1e6;

  // Each client's lines (what the raw baseline reads and the statement shows).
  rocksdb::ColumnFamilyHandle* cf = store->column_family(
      projections::ColumnFamilyName(projections::TrustLedgerProjection().name()));
  if (cf == nullptr) return Status::Error(codes::kNotFound, "no trust projection");

  std::mt19937_64 rng(20261207);
  std::vector<double> statement_us, raw_us;
  std::uint64_t lines = 0, bytes = 0;
  for (std::uint64_t q = 0; q < opts.queries; ++q) {
    const std::string client = "client-" + std::to_string(rng() % opts.clients);
    // Folio: the report as a caller gets it.
    reports::ReportRequest req;
    req.kind = reports::ReportKind::kTrustStatement;
    req.format = reports::ReportFormat::kJson;
    req.client_id = client;
    auto t = Clock::now();
    ASSIGN_OR_RETURN(std::string body, reports::RenderReport(req, *store));
    statement_us.push_back(Micros(t));
    bytes += body.size();
    // Raw RocksDB: the same rows, read through one snapshot.
    std::string prefix = "l/";
    projections::PutKeyString(prefix, client);
    const std::string end = projections::PrefixEnd(prefix);
    t = Clock::now();
    const rocksdb::Snapshot* snap = store->db()->GetSnapshot();
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    rocksdb::Slice upper(end);
    ro.iterate_upper_bound = &upper;
    std::uint64_t n = 0, touched = 0;
    {
      std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(ro, cf));
      for (it->Seek(prefix); it->Valid(); it->Next()) {
        ++n;
        touched += it->value().size();
      }
    }
    store->db()->ReleaseSnapshot(snap);
    raw_us.push_back(Micros(t));
    if (touched == 0) return Status::Error(codes::kNotFound, "client " + client + " has no lines");
    lines += n;
    if (opts.progress && q % 64 == 0) opts.progress("queries", q, opts.queries);
  }
  r.lines_per_statement = static_cast<double>(lines) / static_cast<double>(opts.queries);
  r.statement_bytes_avg = bytes / opts.queries;
  r.statement_p50_us = Percentile(statement_us, 0.50);
  r.statement_p99_us = Percentile(statement_us, 0.99);
  r.statement_max_us = statement_us.back();
  r.raw_rows_p50_us = Percentile(raw_us, 0.50);
  r.raw_rows_p99_us = Percentile(raw_us, 0.99);
  r.ratio = r.statement_p50_us > 0 ? r.raw_rows_p50_us / r.statement_p50_us : 0;

  // What a fold of the log reads at the least: every event, unverified.
  t0 = Clock::now();
  std::uint64_t scanned = 0;
  RETURN_IF_ERROR(ScanUnverifiedForBaseline(*store, 1, [&](std::string_view, std::string_view v) {
    scanned += v.empty() ? 0U : 1U;
    return true;
  }));
  r.log_scan_ms = Micros(t0) / 1e3;
  {
    std::string prefix = "l/";
    std::string end = "l0";  // '/' + 1: every line key
    rocksdb::ReadOptions ro;
    rocksdb::Slice upper(end);
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(store->db()->NewIterator(ro, cf));
    for (it->Seek(prefix); it->Valid(); it->Next()) ++r.trust_lines;
  }
  if (scanned != r.events) {
    return Status::Error(codes::kCorruption, "the raw scan read " + std::to_string(scanned) +
                                                 " events of " + std::to_string(r.events));
  }
  return r;
}

}  // namespace folio::bench
