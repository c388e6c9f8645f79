// The statistics report reads the stats projection when the question is one
// it answers exactly (all history or whole Shanghai days, as of a seq the
// projection has not passed) and folds the log otherwise; either way it must
// equal, byte for byte in every format, the report main made by folding the
// whole log (stats_report_fold.h), whatever state the projection is in.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <variant>

#include "adapters/reports/reports.h"
#include "engine/domain/civil_time.h"
#include "events/hash.h"
#include "projections/projector.h"
#include "projections/rocks_reader.h"
#include "projections/stats.h"
#include "tests/adapters/reports/report_test_support.h"
#include "tests/adapters/reports/stats_report_fold.h"
#include "tests/projections/balances_history.h"
#include "tests/test_support.h"

namespace folio::reports {
namespace {

using folio::testing::TempDir;

// The start of the Shanghai day of BusinessTime(i), plus `days`.
std::int64_t DayStart(std::size_t i, int days) {
  domain::CivilDate d = domain::ShanghaiDate(folio::testing::BusinessTime(i));
  return domain::ShanghaiDayStartNs(d) + std::int64_t{days} * 86'400'000'000'000;
}

// A random history in which every third settlement's gateway charged a fee
// other than the schedule's (the random history charges as scheduled).
folio::testing::CommandList FeeHistory(std::size_t commands, std::uint32_t seed) {
  folio::testing::CommandList h = folio::testing::RandomHistory(commands, seed);
  std::size_t settles = 0;
  for (auto& [key, command] : h) {
    auto* settle = std::get_if<domain::PaymentSettle>(&command);
    if (settle != nullptr && ++settles % 3 == 0) {
      settle->gateway_fee = Money(Asset::CNY, 7 + settles % 90);
    }
  }
  return h;
}

// All history, whole days (one, and several), a period inside a day, at the
// head, half way and at seq 1: the stats and fee reports equal the folds.
std::size_t CompareAll(const LogStore& store, std::uint64_t head) {
  std::size_t compared = 0;
  const std::int64_t mid = folio::testing::BusinessTime(1200);
  const std::vector<std::pair<std::int64_t, std::int64_t>> periods = {
      {0, 0},
      {DayStart(0, 0), DayStart(0, 1)},
      {DayStart(0, 1), DayStart(0, 3)},
      {DayStart(0, -5), DayStart(0, 30)},
      {mid, mid + 3 * 3'600'000'000'000},  // inside a day or across one: folded
      {0, DayStart(0, 2)},                 // a zero bound with another: folded
  };
  for (const std::uint64_t as_of : {head, head / 2, std::uint64_t{1}}) {
    for (const auto& [start, end] : periods) {
      ReportRequest q;
      q.kind = ReportKind::kStats;
      q.as_of_seq = as_of;
      q.period_start_ns = start;
      q.period_end_ns = end;
      CAPTURE(as_of);
      CAPTURE(start);
      CAPTURE(end);
      testing::CheckSameAsFold(q, store, testing::FoldStatsReport);
      q.kind = ReportKind::kFees;
      testing::CheckSameAsFold(q, store, testing::FoldFeeReport);
      ++compared;
    }
  }
  return compared;
}

TEST_CASE("stats and fee reports from the projection equal the folds of the log, in every state") {
  TempDir dir;
  auto opened = LogStore::Open(dir.str());
  REQUIRE(opened.ok());
  LogStore* store = opened->get();
  const auto history = FeeHistory(6000, 41);
  const std::size_t half = history.size() / 2;

  std::uint64_t head = testing::Append(store, history, 0, half);
  REQUIRE(head > 1000);
  CHECK(CompareAll(*store, head) == 18);  // no projection: every report folded

  testing::CatchUp<projections::StatsProjection>(store);
  CHECK(CompareAll(*store, head) == 18);  // caught up; below the checkpoint: folded
  head = testing::Append(store, history, half, history.size());
  CHECK(CompareAll(*store, head) == 18);  // lagging: the tail applied in memory

  // The comparison is of real tables: days, methods, refunds.
  ReportRequest q;
  q.kind = ReportKind::kStats;
  auto r = BuildReport(q, *store);
  REQUIRE(r.ok());
  REQUIRE(r->tables.size() == 2);
  CHECK(r->tables[1].rows.size() > 8);
  bool refunded = false;
  for (const auto& row : r->tables[1].rows) refunded = refunded || row[5] != "0";
  CHECK(refunded);
  q.kind = ReportKind::kFees;
  auto fees = BuildReport(q, *store);
  REQUIRE(fees.ok());
  REQUIRE(fees->tables.size() == 2);
  CHECK(fees->tables[1].rows.size() > 100);  // payments charged off the schedule
}

TEST_CASE("stats and fee reports: whole days are read from the projection, not the log") {
  TempDir dir;
  auto opened = LogStore::Open(dir.str());
  REQUIRE(opened.ok());
  LogStore* store = opened->get();
  const auto history = folio::testing::RandomHistory(1500, 43);
  testing::Append(store, history, 0, history.size());
  testing::CatchUp<projections::StatsProjection>(store);

  ReportRequest all;
  all.kind = ReportKind::kStats;
  ReportRequest inside = all;  // not whole days: folded from the log
  inside.period_start_ns = DayStart(0, 0) + 1;
  inside.period_end_ns = DayStart(0, 30);
  ReportRequest fees = all;
  fees.kind = ReportKind::kFees;
  auto fees_before = RenderReport(fees, *store);
  REQUIRE(fees_before.ok());
  auto before_all = RenderReport(all, *store);
  auto before_inside = RenderReport(inside, *store);
  REQUIRE(before_all.ok());
  REQUIRE(before_inside.ok());

  // Change one row of the projection behind its back: a report read from
  // the projection shows it, one folded from the log does not.
  auto reader = projections::RocksProjectionReader::Open(*store, "stats");
  REQUIRE(reader.ok());
  const auto rows = (*reader)->Scan("s/", "s0", 1'000'000);
  std::string key, value;
  for (const auto& [k, v] : rows) {
    auto c = projections::DecodeStatsCounters(v);
    REQUIRE(c.has_value());
    if (c->settled.count == 0) continue;
    c->settled.count += 1000;
    key = k;
    value = projections::EncodeStatsCounters(*c);
    break;
  }
  REQUIRE_FALSE(key.empty());
  REQUIRE(store->db()
              ->Put(rocksdb::WriteOptions(),
                    store->column_family(projections::ColumnFamilyName("stats")), key, value)
              .ok());
  auto after_all = RenderReport(all, *store);
  auto fees_after = RenderReport(fees, *store);
  REQUIRE(fees_after.ok());
  auto after_inside = RenderReport(inside, *store);
  REQUIRE(after_all.ok());
  REQUIRE(after_inside.ok());
  CHECK(*after_all != *before_all);
  CHECK(*after_inside == *before_inside);
  // The fee report's sums come from the same rows.
  CHECK(*fees_after != *fees_before);
}

}  // namespace
}  // namespace folio::reports
