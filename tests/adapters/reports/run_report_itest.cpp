// The reconciliation-run report reads the reconciliation projection (the
// run's rows as of the report's sequence, the projector's lag applied in
// memory) and must equal, byte for byte in every format, the report main
// made by folding the run's stream (run_report_fold.h), whatever state the
// projection is in; GET /v1/reconciliations/{run} reads the same rows.
#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <random>

#include "adapters/reconciliation/import.h"
#include "adapters/reports/reports.h"
#include "adapters/statements/bill_writer.h"
#include "projections/reconciliation.h"
#include "projections/rocks_reader.h"
#include "projections/view.h"
#include "tests/adapters/reconciliation/recon_history.h"
#include "tests/adapters/reports/report_test_support.h"
#include "tests/adapters/reports/run_report_fold.h"
#include "tests/test_support.h"

namespace folio::reports {
namespace {

using folio::testing::Cny;
using folio::testing::kSecond;
using folio::testing::Nov1;
using folio::testing::TempDir;
using statements::Line;

// A day of `n` settled WeChat Pay payments and that day's bill, with every
// kind of line the matcher tells apart: most match by transaction id, some by
// order number or by amount and time; some amounts and fees differ; some
// payments are missing from the bill, some bill lines from the ledger, and
// some lines are there twice. Returns the bill's path.
std::string PaymentsAndBill(folio::testing::History& h, const std::string& dir, int day, int n,
                            std::uint32_t seed) {
  std::mt19937 rng(seed);
  const std::int64_t t0 = Nov1() + day * 86'400 * kSecond + 9 * 3600 * kSecond;
  std::vector<Line> rows;
  auto line = [&](const std::string& ref, const std::string& order, u128 amount, u128 fee,
                  std::int64_t at) {
    Line l;
    l.reference = ref, l.order_ref = order, l.amount = Cny(amount), l.fee = Cny(fee);
    l.booked_at_ns = at;
    l.description = "goods";
    rows.push_back(l);
  };
  for (int i = 0; i < n; ++i) {
    const std::string id = "d" + std::to_string(day) + "p" + std::to_string(i);
    const std::string txn = "42" + std::to_string(day) + std::to_string(100000 + i);
    const u128 amount = 100 + rng() % 90'000, fee = amount * 6 / 1000;
    const std::int64_t at = t0 + i * 60 * kSecond;
    h.Payment(id, fb::Method::WechatPay, amount, fee, at, txn);
    const auto pick = rng() % 100;
    if (pick < 60) {
      line(txn, "ORD-" + id, amount, fee, at + 5 * kSecond);
    } else if (pick < 68) {
      line("X" + txn, "ORD-" + id, amount, fee, at + 5 * kSecond);  // by order number
    } else if (pick < 74) {
      line("Y" + txn, "Z-" + id, amount, fee, at + 600 * kSecond);  // by amount and time
    } else if (pick < 80) {
      line(txn, "ORD-" + id, amount + 1 + rng() % 50, fee, at + 5 * kSecond);  // amount
    } else if (pick < 86) {
      line(txn, "ORD-" + id, amount, fee + 1 + rng() % 9, at + 5 * kSecond);  // fee
    } else if (pick < 92) {
      // missing in the statement: no line
    } else if (pick < 96) {
      line(txn, "ORD-" + id, amount, fee, at + 5 * kSecond);
      line(txn, "ORD-" + id, amount, fee, at + 9 * kSecond);  // duplicate
    } else {
      line(txn, "ORD-" + id, amount, fee, at + 5 * kSecond);
      line("77" + txn, "W-" + id, 1 + rng() % 5000, 1, at + 7 * kSecond);  // missing in ledger
    }
  }
  const std::string path = dir + "/wechat_day" + std::to_string(day) + ".csv";
  std::ofstream(path, std::ios::binary)
      << statements::WriteBill(statements::Source::kWechatPay, statements::BillMeta{}, rows);
  return path;
}

std::string Import(LogStore& store, Writer& writer, const std::string& path) {
  reconciliation::ImportOptions o;
  o.source = statements::Source::kWechatPay;
  o.path = path;
  auto r = reconciliation::ImportStatement(store, writer, o);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return r->run_id;
}

// Resolves every `every`-th open discrepancy of the run.
int ResolveSome(LogStore& store, Writer& writer, const std::string& run, int every) {
  auto state = reconciliation::LoadRun(store, run);
  REQUIRE(state.ok());
  int i = 0, resolved = 0;
  for (const auto& [id, d] : state->discrepancies) {
    if (d.resolved || ++i % every != 0) continue;
    recon::ReconResolve res{run, id, "Li Wei (finance)", "confirmed with the gateway: " + id};
    REQUIRE(reconciliation::ResolveDiscrepancy(store, writer, res, "test").ok());
    ++resolved;
  }
  return resolved;
}

// Every run at the head, before it existed, and at a spread of the seqs of
// its own events: the projection's report equals the fold of the stream.
std::size_t CompareAll(const LogStore& store, const std::vector<std::string>& runs) {
  std::size_t compared = 0;
  const std::uint64_t head = store.ReadHead()->seq;
  for (const std::string& run : runs) {
    auto events = store.ReadStream(recon::RunStream(run), 1, 1u << 30);
    REQUIRE(events.ok());
    REQUIRE(!events->empty());
    std::vector<std::uint64_t> at = {head, events->back().seq()};
    for (std::size_t i = 0; i < events->size(); i += 23) at.push_back((*events)[i].seq());
    for (const std::uint64_t as_of : at) {
      ReportRequest q;
      q.kind = ReportKind::kReconciliationRun;
      q.run_id = run;
      q.as_of_seq = as_of;
      CAPTURE(run);
      CAPTURE(as_of);
      testing::CheckSameAsFold(q, store, testing::FoldRunReport);
      ++compared;
    }
    // Before its first event the run did not exist (the fold printed an
    // empty report of it; the projection says so).
    ReportRequest before;
    before.kind = ReportKind::kReconciliationRun;
    before.run_id = run;
    before.as_of_seq = events->front().seq() - 1;
    CHECK(BuildReport(before, store).status().code() == recon::rejections::kRunNotFound);
  }
  ReportRequest none;
  none.kind = ReportKind::kReconciliationRun;
  none.run_id = "wechat_pay-0000000000000000";
  CHECK(BuildReport(none, store).status().code() == recon::rejections::kRunNotFound);
  return compared;
}

struct ReconLog {
  TempDir dir;
  std::unique_ptr<LogStore> store;
  std::unique_ptr<Writer> writer;
  ReconLog() {
    store = std::move(LogStore::Open(dir.str() + "/log")).value();
    writer = std::move(Writer::Start(store.get())).value();
  }
};

TEST_CASE("run report from the projection equals the fold of the stream, in every state") {
  ReconLog log;
  folio::testing::History h(*log.writer);
  std::vector<std::string> runs;

  // Day 0 imported and partly resolved, with no projection built yet: the
  // whole history is applied in memory.
  runs.push_back(Import(*log.store, *log.writer, PaymentsAndBill(h, log.dir.str(), 0, 240, 7)));
  CHECK(ResolveSome(*log.store, *log.writer, runs[0], 3) > 5);
  const std::size_t first = CompareAll(*log.store, runs);
  CHECK(first > 10);

  // Caught up, then lagging by a second day, more resolutions of the first,
  // and a run of the same day cut short (open, never completed).
  testing::CatchUp<projections::ReconciliationProjection>(log.store.get());
  CHECK(CompareAll(*log.store, runs) == first);
  runs.push_back(Import(*log.store, *log.writer, PaymentsAndBill(h, log.dir.str(), 1, 180, 8)));
  CHECK(ResolveSome(*log.store, *log.writer, runs[0], 2) > 5);
  CHECK(ResolveSome(*log.store, *log.writer, runs[1], 4) > 3);
  CHECK(CompareAll(*log.store, runs) > first);
  testing::CatchUp<projections::ReconciliationProjection>(log.store.get());
  CHECK(CompareAll(*log.store, runs) > first);  // the first run's early seqs: filtered

  // The report is not of empty tables: all three have rows, both verdicts.
  ReportRequest q;
  q.kind = ReportKind::kReconciliationRun;
  q.run_id = runs[0];
  auto r = BuildReport(q, *log.store);
  REQUIRE(r.ok());
  REQUIRE(r->tables.size() == 3);
  CHECK(r->tables[0].rows.size() == 3);  // three rules
  CHECK(r->tables[1].rows.size() > 20);
  CHECK(r->tables[2].rows.size() > 10);
  CHECK_FALSE(r->verdict_ok);
}

TEST_CASE("run report: read from the projection's rows, not from the run's stream") {
  ReconLog log;
  folio::testing::History h(*log.writer);
  const std::string run =
      Import(*log.store, *log.writer, PaymentsAndBill(h, log.dir.str(), 0, 60, 11));
  testing::CatchUp<projections::ReconciliationProjection>(log.store.get());
  ReportRequest q;
  q.kind = ReportKind::kReconciliationRun;
  q.run_id = run;
  q.format = ReportFormat::kCsv;
  auto before = RenderReport(q, *log.store);
  REQUIRE(before.ok());

  // Rename the imported-by of the run row behind the projector's back: the
  // report shows it, the fold of the stream does not.
  auto reader = projections::RocksProjectionReader::Open(*log.store, "recon");
  REQUIRE(reader.ok());
  const auto rows = (*reader)->Scan("r/", "r0", 10);
  REQUIRE(rows.size() == 1);
  auto row = projections::DecodeReconRunRow(rows[0].second);
  REQUIRE(row.has_value());
  CHECK(row->run_id == run);
  row->imported.by = "someone-else";
  REQUIRE(log.store->db()
              ->Put(rocksdb::WriteOptions(),
                    log.store->column_family(projections::ColumnFamilyName("recon")), rows[0].first,
                    projections::EncodeReconRunRow(*row))
              .ok());
  auto after = RenderReport(q, *log.store);
  REQUIRE(after.ok());
  CHECK(*after != *before);
  CHECK(after->find("someone-else") != std::string::npos);
  auto fold = testing::FoldRunReport(q, *log.store, log.store->ReadHead()->seq);
  REQUIRE(fold.ok());
  CHECK(RenderCsv(*fold).find("someone-else") == std::string::npos);
}

TEST_CASE("recon projection: a truncated or over-long run row is refused, not misread") {
  projections::ReconRunRow r;
  r.run_id = "wechat_pay-0123456789abcdef";
  r.imported.seq = 7;
  r.imported.by = "ops";
  r.imported.opening = Cny(100);
  r.started.seq = 8;
  r.completed.seq = 90;
  r.completed.matched_amount = Cny(12345);
  const std::string row = projections::EncodeReconRunRow(r);
  auto back = projections::DecodeReconRunRow(row);
  REQUIRE(back.has_value());
  CHECK(back->imported.by == "ops");
  CHECK(back->completed.matched_amount.minor() == 12345);
  CHECK(projections::EncodeReconRunRow(*back) == row);
  for (std::size_t n = 0; n < row.size(); ++n) {
    CHECK_FALSE(projections::DecodeReconRunRow(row.substr(0, n)).has_value());
  }
  CHECK_FALSE(projections::DecodeReconRunRow(row + "x").has_value());
}

}  // namespace
}  // namespace folio::reports
