// The statistics projection over payments in several methods and assets on
// both sides of a Shanghai midnight, with failures, cancellations, expiry and
// refunds; the exact basis-point arithmetic; ranges; determinism; JSON.
#include "projections/stats.h"

#include <doctest/doctest.h>

#include "tests/projections/trust_stats_events.h"

namespace folio::projections {
namespace {

using testing::M;
using testing::TestLog;
using testing::Utc;
using E = fb::Event;
using B = flatbuffers::FlatBufferBuilder;

// Shanghai midnight between 2026-11-20 and 2026-11-21 is 16:00 UTC on the 20th.
std::int64_t BeforeMidnight(std::int64_t minutes) { return Utc(2026, 11, 20, 15, minutes); }
std::int64_t AfterMidnight(std::int64_t minutes) { return Utc(2026, 11, 20, 16, minutes); }
constexpr std::uint32_t kDay1 = 20261120, kDay2 = 20261121;

void Created(TestLog& log, std::int64_t at, const char* id, fb::Method method, Money amount,
             Money fee) {
  log.Add(E::PaymentCreated, at, [&](B& b) {
    const fb::Money a = amount.ToFb(), f = fee.ToFb();
    return fb::CreatePaymentCreatedDirect(b, id, "cust", "order", "", method, "", &a, &f).Union();
  });
}
void Settled(TestLog& log, std::int64_t at, const char* id, fb::Method method, Money amount,
             Money gateway_fee, Money fee) {
  log.Add(E::PaymentSettled, at, [&](B& b) {
    const fb::Money a = amount.ToFb(), g = gateway_fee.ToFb(), f = fee.ToFb();
    return fb::CreatePaymentSettledDirect(b, id, "txn", &a, &g, &f, method).Union();
  });
}
void Ended(TestLog& log, std::int64_t at, E type, const char* id) {
  log.Add(type, at, [&](B& b) -> flatbuffers::Offset<void> {
    if (type == E::PaymentFailed) return fb::CreatePaymentFailedDirect(b, id, "declined").Union();
    if (type == E::PaymentCancelled) return fb::CreatePaymentCancelledDirect(b, id).Union();
    return fb::CreatePaymentExpiredDirect(b, id).Union();
  });
}
void Refund(TestLog& log, std::int64_t at, E type, const char* refund_id, const char* payment_id,
            Money amount) {
  log.Add(type, at, [&](B& b) -> flatbuffers::Offset<void> {
    const fb::Money a = amount.ToFb();
    if (type == E::RefundRequested) {
      return fb::CreateRefundRequestedDirect(b, refund_id, payment_id, &a).Union();
    }
    if (type == E::RefundSucceeded) {
      return fb::CreateRefundSucceededDirect(b, refund_id, payment_id, &a, "gw-r",
                                             fb::Method::Alipay)
          .Union();
    }
    return fb::CreateRefundFailedDirect(b, refund_id, payment_id, &a, "no").Union();
  });
}

TestLog History() {
  TestLog log;
  const Money cny100 = M("100.00", "CNY"), cny300 = M("300.00", "CNY");
  // Day 1 (Shanghai 23:50..23:59).
  Created(log, BeforeMidnight(50), "P1", fb::Method::Alipay, cny100, M("0.60", "CNY"));
  Created(log, BeforeMidnight(55), "P2", fb::Method::Alipay, M("200.00", "CNY"), M("1.20", "CNY"));
  Ended(log, BeforeMidnight(58), E::PaymentFailed, "P2");
  Created(log, BeforeMidnight(56), "P6", fb::Method::Card, M("10.00", "USD"), M("0.59", "USD"));
  Settled(log, BeforeMidnight(59), "P6", fb::Method::Card, M("10.00", "USD"), M("0.59", "USD"),
          M("0.59", "USD"));
  // Day 2 (Shanghai 00:05 on).
  Settled(log, AfterMidnight(5), "P1", fb::Method::Alipay, cny100, M("0.60", "CNY"),
          M("0.60", "CNY"));
  Created(log, AfterMidnight(10), "P3", fb::Method::WechatPay, M("50.00", "CNY"), M("0.30", "CNY"));
  Ended(log, AfterMidnight(11), E::PaymentCancelled, "P3");
  Created(log, AfterMidnight(12), "P4", fb::Method::UsdtTrc20, M("10", "USDT"), M("1", "USDT"));
  Ended(log, AfterMidnight(13), E::PaymentExpired, "P4");
  Created(log, AfterMidnight(14), "P5", fb::Method::Alipay, cny300, M("1.80", "CNY"));
  Settled(log, AfterMidnight(15), "P5", fb::Method::Unknown, cny300, M("1.75", "CNY"),
          M("1.80", "CNY"));  // an old PaymentSettled without method: the index attributes it
  Refund(log, AfterMidnight(20), E::RefundRequested, "R1", "P1", M("30.00", "CNY"));
  Refund(log, AfterMidnight(21), E::RefundSucceeded, "R1", "P1", M("30.00", "CNY"));
  Refund(log, AfterMidnight(22), E::RefundRequested, "R2", "P5", cny300);
  Refund(log, AfterMidnight(23), E::RefundFailed, "R2", "P5", cny300);
  Ended(log, AfterMidnight(30), E::PaymentFailed, "ghost");  // never created
  return log;
}

struct Built {
  TestLog log = History();
  MemoryStore store;
  StatsProjection projection;
  Built() { log.ApplyTo(projection, store); }
};

const StatsRow* Find(const std::vector<StatsRow>& rows, std::uint32_t day, fb::Method method) {
  for (const StatsRow& r : rows) {
    if (r.day_key == day && r.method == method) return &r;
  }
  return nullptr;
}
StatsCount Count(std::uint64_t n, std::string_view amount, std::string_view currency) {
  return {n, M(amount, currency).minor()};
}

TEST_CASE("stats: rows per Shanghai day, method and asset, in key order") {
  Built b;
  const std::vector<StatsRow> rows = Stats(b.store, kDay1, kDay2);
  std::vector<std::tuple<std::uint32_t, fb::Method, Asset>> keys;
  for (const StatsRow& r : rows) keys.emplace_back(r.day_key, r.method, r.asset);
  using T = std::tuple<std::uint32_t, fb::Method, Asset>;
  CHECK(keys == std::vector<T>{{kDay1, fb::Method::Alipay, Asset::CNY},
                               {kDay1, fb::Method::Card, Asset::USD},
                               {kDay2, fb::Method::Unknown, Asset::Unknown},
                               {kDay2, fb::Method::Alipay, Asset::CNY},
                               {kDay2, fb::Method::WechatPay, Asset::CNY},
                               {kDay2, fb::Method::UsdtTrc20, Asset::USDT}});
  CHECK(Stats(b.store, kDay2, kDay2).size() == 4);
  CHECK(Stats(b.store, kDay1, kDay1).size() == 2);
  CHECK(Stats(b.store, kDay2, kDay1).empty());
  CHECK(Stats(b.store, 20261122, 20991231).empty());
}

TEST_CASE("stats: counts and amounts on the day before midnight") {
  Built b;
  const std::vector<StatsRow> rows = Stats(b.store, kDay1, kDay2);
  const StatsRow* alipay = Find(rows, kDay1, fb::Method::Alipay);
  REQUIRE(alipay);
  CHECK(alipay->counters.created == Count(2, "300.00", "CNY"));
  CHECK(alipay->counters.failed == Count(1, "200.00", "CNY"));  // attributed through the index
  CHECK(alipay->counters.settled == StatsCount{});
  CHECK(alipay->counters.created_fee_minor == 180);
  CHECK(alipay->success_rate_bp == u128{0});
  CHECK_FALSE(alipay->refund_rate_bp);  // nothing settled that day

  const StatsRow* card = Find(rows, kDay1, fb::Method::Card);
  REQUIRE(card);
  CHECK(card->counters.settled == Count(1, "10.00", "USD"));
  CHECK(card->success_rate_bp == u128{10000});
  CHECK(card->refund_rate_bp == u128{0});
}

TEST_CASE("stats: counts, fees, refunds and rates on the day after midnight") {
  Built b;
  const std::vector<StatsRow> rows = Stats(b.store, kDay1, kDay2);
  const StatsRow* alipay = Find(rows, kDay2, fb::Method::Alipay);
  REQUIRE(alipay);
  const StatsCounters& c = alipay->counters;
  CHECK(c.created == Count(1, "300.00", "CNY"));
  CHECK(c.settled == Count(2, "400.00", "CNY"));  // P1 (created the day before) and P5
  CHECK(c.fee_computed_minor == 240);
  CHECK(c.fee_gateway_minor == 235);
  CHECK(c.refund_requested == Count(2, "330.00", "CNY"));
  CHECK(c.refund_succeeded == Count(1, "30.00", "CNY"));
  CHECK(c.refund_failed == Count(1, "300.00", "CNY"));
  CHECK(alipay->refund_rate_bp == u128{750});     // 30 / 400
  CHECK(alipay->success_rate_bp == u128{20000});  // 2 settled / 1 created that day

  const StatsRow* wechat = Find(rows, kDay2, fb::Method::WechatPay);
  REQUIRE(wechat);
  CHECK(wechat->counters.cancelled == Count(1, "50.00", "CNY"));
  CHECK(wechat->success_rate_bp == u128{0});
  const StatsRow* usdt = Find(rows, kDay2, fb::Method::UsdtTrc20);
  REQUIRE(usdt);
  CHECK(usdt->counters.expired == Count(1, "10", "USDT"));
  CHECK(usdt->counters.created_fee_minor == 1'000'000);
  const StatsRow* ghost = Find(rows, kDay2, fb::Method::Unknown);
  REQUIRE(ghost);
  CHECK(ghost->counters.failed == StatsCount{1, 0});
  CHECK_FALSE(ghost->success_rate_bp);
}

TEST_CASE("stats: basis points are exact and round half-up") {
  CHECK(BasisPointsHalfUp(1, 3) == u128{3333});
  CHECK(BasisPointsHalfUp(2, 3) == u128{6667});
  CHECK(BasisPointsHalfUp(1, 8) == u128{1250});
  CHECK(BasisPointsHalfUp(1, 20000) == u128{1});  // 0.5 bp rounds up
  CHECK(BasisPointsHalfUp(1, 20001) == u128{0});
  CHECK(BasisPointsHalfUp(0, 5) == u128{0});
  CHECK_FALSE(BasisPointsHalfUp(5, 0));
  CHECK(BasisPointsHalfUp(kU128Max, kU128Max) == u128{10000});
  CHECK(BasisPointsHalfUp(kU128Max - 1, kU128Max) == u128{10000});
  CHECK(BasisPointsHalfUp(kU128Max / 3, kU128Max) == u128{3333});
  CHECK(BasisPointsHalfUp(u128{1} << 127, kU128Max) == u128{5000});
  CHECK(BasisPointsHalfUp(kU128Max, 2) == kU128Max);  // does not fit: saturates
  CHECK(BasisPointsHalfUp(kU128Max / 10000, 1) == (kU128Max / 10000) * 10000);
  CHECK(BasisPointsHalfUp(3, 2) == u128{15000});
}

TEST_CASE("stats: two applications give identical bytes, a split application too") {
  Built a, b;
  CHECK(a.store.map() == b.store.map());
  MemoryStore split;
  StatsProjection p;
  a.log.ApplyTo(p, split, 1, 7);
  a.log.ApplyTo(p, split, 8);
  CHECK(split.map() == a.store.map());
  CHECK(!a.store.map().empty());
}

TEST_CASE("stats: counter rows round-trip and reject truncation") {
  StatsCounters c;
  c.settled = {3, kU128Max};
  c.fee_gateway_minor = 42;
  const std::string row = EncodeStatsCounters(c);
  REQUIRE(DecodeStatsCounters(row));
  CHECK(*DecodeStatsCounters(row) == c);
  for (std::size_t n = 0; n < row.size(); ++n) CHECK_FALSE(DecodeStatsCounters(row.substr(0, n)));
  CHECK_FALSE(DecodeStatsCounters(row + "x"));
}

TEST_CASE("stats: JSON rows") {
  Built b;
  const std::string json = StatsJson(Stats(b.store, kDay1, kDay1));
  CHECK(json.rfind("{\"rows\":[{\"day\":\"2026-11-20\",\"method\":\"alipay\",\"asset\":\"CNY\","
                   "\"created\":{\"count\":2,\"amount\":\"300.00\"},"
                   "\"settled\":{\"count\":0,\"amount\":\"0.00\"},"
                   "\"failed\":{\"count\":1,\"amount\":\"200.00\"},",
                   0) == 0);
  CHECK(json.find("\"created_fee\":\"1.80\",\"fee_computed\":\"0.00\",\"fee_gateway\":\"0.00\","
                  "\"refund_rate_bp\":null,\"success_rate_bp\":0}") != std::string::npos);
  CHECK(json.find("\"method\":\"card\",\"asset\":\"USD\"") != std::string::npos);
  CHECK(json.find("\"success_rate_bp\":10000}]}") != std::string::npos);
  const std::string ghost = StatsJson(Stats(b.store, kDay2, kDay2));
  CHECK(ghost.find("\"method\":\"unknown\",\"asset\":\"unknown\"") != std::string::npos);
}

TEST_CASE("stats: day keys parse and print") {
  CHECK(ParseDayKey("2026-11-21") == 20261121u);
  CHECK_FALSE(ParseDayKey("2026-13-01"));
  CHECK_FALSE(ParseDayKey("2026-1-01"));
  CHECK_FALSE(ParseDayKey("2026/11/21"));
  CHECK(DayKeyString(20260105) == "2026-01-05");
}

}  // namespace
}  // namespace folio::projections
