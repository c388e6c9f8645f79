// The client trust statement reads the trust projection (its rows as of the
// report's sequence, with the projector's lag applied in memory) and must
// equal, byte for byte in every format, the statement main made by folding
// the whole log (trust_statement_fold.h), whatever state the projection is in.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>

#include "adapters/reports/reports.h"
#include "engine/log_cursor.h"
#include "events/hash.h"
#include "projections/memory_store.h"
#include "projections/projector.h"
#include "projections/trust_ledger.h"
#include "projections/view.h"
#include "tests/adapters/reports/report_test_support.h"
#include "tests/adapters/reports/trust_statement_fold.h"
#include "tests/projections/balances_history.h"
#include "tests/test_support.h"

namespace folio::reports {
namespace {

using folio::testing::TempDir;

// A random history with trust deposits, disbursements and fee transfers,
// plus refunds to clients and clearances of uncleared deposits (which the
// random history has not).
folio::testing::CommandList TrustHistory(std::size_t commands, std::uint32_t seed) {
  folio::testing::CommandList h = folio::testing::RandomHistory(commands, seed);
  for (int i = 0; i < 5; ++i) {
    const std::string client = "cl" + std::to_string(i);
    domain::TrustDeposit d;
    d.deposit_id = "late-dep-" + std::to_string(i);
    d.client_id = client;
    d.matter_id = "m1";
    d.amount = Money(Asset::CNY, 123'456);
    d.reference = "WIRE-" + std::to_string(i);
    d.payer = "Client " + std::to_string(i);
    d.cleared = false;
    h.emplace_back("late-dep-" + std::to_string(i), d);
    domain::TrustClearDeposit c;
    c.deposit_id = d.deposit_id;
    c.client_id = client;
    c.matter_id = "m1";
    h.emplace_back("late-clear-" + std::to_string(i), c);
    domain::TrustRefundClient r;
    r.refund_id = "late-ref-" + std::to_string(i);
    r.client_id = client;
    r.matter_id = "m1";
    r.amount = Money(Asset::CNY, 1'000);
    r.reference = "RET-" + std::to_string(i);
    h.emplace_back("late-ref-" + std::to_string(i), r);
  }
  return h;
}

// Every client, with and without a matter, whole history and a middle
// period, at the head and half way: the projection's report equals the fold.
std::size_t CompareAll(const LogStore& store, std::uint64_t head) {
  std::size_t compared = 0;
  const std::int64_t mid = folio::testing::BusinessTime(600);
  const std::int64_t late = folio::testing::BusinessTime(1500);
  for (const std::string client : {"cl0", "cl1", "cl2", "cl3", "cl4", "nobody"}) {
    for (const std::string matter : {"", "m0", "m1", "m9"}) {
      for (const std::uint64_t as_of : {head, head / 2, std::uint64_t{1}}) {
        for (const auto& [start, end] :
             {std::pair<std::int64_t, std::int64_t>{0, 0}, std::pair{mid, late}}) {
          ReportRequest q;
          q.kind = ReportKind::kTrustStatement;
          q.client_id = client;
          q.matter_id = matter;
          q.as_of_seq = as_of;
          q.period_start_ns = start;
          q.period_end_ns = end;
          CAPTURE(client);
          CAPTURE(matter);
          CAPTURE(as_of);
          testing::CheckSameAsFold(q, store, testing::FoldTrustStatement);
          ++compared;
        }
      }
    }
  }
  return compared;
}

TEST_CASE("trust statement from the projection equals the fold of the log, in every state") {
  TempDir dir;
  auto opened = LogStore::Open(dir.str());
  REQUIRE(opened.ok());
  LogStore* store = opened->get();
  const auto history = TrustHistory(2000, 31);
  const std::size_t half = history.size() / 2;

  // No projection in the log yet: the whole history applied in memory.
  std::uint64_t head = testing::Append(store, history, 0, half);
  REQUIRE(head > 500);
  CHECK(CompareAll(*store, head) == 144);

  // Caught up, then lagging behind the head by the second half.
  testing::CatchUp<projections::TrustLedgerProjection>(store);
  CHECK(CompareAll(*store, head) == 144);  // as_of below the checkpoint: filtered
  head = testing::Append(store, history, half, history.size());
  CHECK(CompareAll(*store, head) == 144);

  // A statement with movements at all (the comparison is not of empty tables).
  ReportRequest q;
  q.kind = ReportKind::kTrustStatement;
  q.client_id = "cl1";
  auto r = BuildReport(q, *store);
  REQUIRE(r.ok());
  REQUIRE(r->tables.size() == 2);
  CHECK(r->tables[1].rows.size() > 50);
  bool refund = false;
  for (const auto& row : r->tables[1].rows) refund = refund || row[2] == "refund_to_client";
  CHECK(refund);
}

TEST_CASE("projection view: the lag applied in memory, not a fold of the log") {
  TempDir dir;
  auto opened = LogStore::Open(dir.str());
  REQUIRE(opened.ok());
  LogStore* store = opened->get();
  const auto history = TrustHistory(600, 5);
  const std::uint64_t first = testing::Append(store, history, 0, 400);
  testing::CatchUp<projections::TrustLedgerProjection>(store);
  const std::uint64_t head = testing::Append(store, history, 400, history.size());
  REQUIRE(head > first);

  projections::TrustLedgerProjection trust;
  auto lagging = projections::ProjectionView::Open(*store, trust, head);
  REQUIRE(lagging.ok());
  CHECK((*lagging)->snapshot_seq() == first);
  CHECK((*lagging)->events_applied() == head - first);
  CHECK_FALSE((*lagging)->as_of().has_value());

  auto behind = projections::ProjectionView::Open(*store, trust, first - 10);
  REQUIRE(behind.ok());
  CHECK((*behind)->events_applied() == 0);
  CHECK((*behind)->as_of() == first - 10);

  // The view's rows equal a projection built in memory from the whole log.
  projections::MemoryStore full;
  LogCursor cursor(*store, 1, kGenesisHash);
  REQUIRE(cursor
              .Scan([&](EventRecord& e) {
                trust.Apply(e, full);
                return true;
              })
              .ok());
  const auto rows = (*lagging)->Scan("", "", 1'000'000);
  REQUIRE(rows.size() == full.map().size());
  std::size_t i = 0;
  for (const auto& [k, v] : full.map()) {
    CHECK(rows[i].first == k);
    CHECK(rows[i].second == v);
    ++i;
  }
  // Paged scans see the same rows.
  std::vector<std::pair<std::string, std::string>> paged;
  projections::ScanAll(**lagging, "", "", [&](std::string_view k, std::string_view v) {
    paged.emplace_back(std::string(k), std::string(v));
  });
  CHECK(paged == rows);
}

}  // namespace
}  // namespace folio::reports
