// The statistics and fee reports as main computed them before it read the stats
// projection (adapters/reports/reports.cc at 7b7b183): a fold of every event
// of the log. Kept only as the reference the projection-based report must
// equal byte for byte (stats_report_itest.cpp).
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "adapters/reconciliation/scan_events.h"
#include "adapters/reports/report_model.h"
#include "adapters/reports/reports.h"
#include "engine/domain/civil_time.h"
#include "engine/domain/methods.h"
#include "events/money.h"
#include "tests/adapters/reports/report_test_support.h"

namespace folio::reports::testing {

inline Result<Report> FoldStatsReport(const ReportRequest& q, const LogStore& store,
                                      std::uint64_t as_of) {
  const auto M = FoldMoney;
  const auto Signed = FoldSigned;
  const auto Period = FoldPeriod;
  const auto InPeriod = [&q](std::int64_t ns) {
    if (q.period_start_ns == 0 && q.period_end_ns == 0) return true;
    return ns >= q.period_start_ns && ns < q.period_end_ns;
  };
  struct Sum {
    std::uint64_t payments = 0, refunds = 0;
    u128 paid = 0, refunded = 0, fees = 0;
  };
  std::map<std::tuple<std::uint32_t, std::string, Asset>, Sum> sums;
  RETURN_IF_ERROR(reconciliation::ScanEvents(store, as_of, [&](const fb::Envelope& env) {
    if (!InPeriod(env.occurred_at_ns())) return;
    const std::uint32_t day = domain::ShanghaiDayKey(env.occurred_at_ns());
    if (env.event_type() == fb::Event::PaymentSettled) {
      const auto* e = env.event_as_PaymentSettled();
      Sum& s = sums[{day, std::string(domain::MethodName(e->method())), M(e->amount()).asset()}];
      ++s.payments;
      s.paid += M(e->amount()).minor();
      s.fees += M(e->gateway_fee()).minor();
    } else if (env.event_type() == fb::Event::RefundSucceeded) {
      const auto* e = env.event_as_RefundSucceeded();
      Sum& s = sums[{day, std::string(domain::MethodName(e->method())), M(e->amount()).asset()}];
      ++s.refunds;
      s.refunded += M(e->amount()).minor();
    }
  }));
  Report r;
  r.kind = "stats";
  r.title = "Payment statistics";
  r.header = {{"period", Period(q.period_start_ns, q.period_end_ns)},
              {"report_as_of_seq", std::to_string(as_of)}};
  Table t{"by_day",
          "Per Shanghai day, method and currency",
          {"day", "method", "currency", "payments", "paid", "refunds", "refunded", "fees", "net"},
          {},
          ""};
  std::map<Asset, Sum> total;
  for (const auto& [key, s] : sums) {
    const auto& [day, method, asset] = key;
    const bool neg = s.refunded + s.fees > s.paid;
    const u128 net = neg ? s.refunded + s.fees - s.paid : s.paid - s.refunded - s.fees;
    t.rows.push_back({fmt::format("{:04}-{:02}-{:02}", day / 10000, day / 100 % 100, day % 100),
                      method, std::string(AssetCode(asset)), std::to_string(s.payments),
                      Money(asset, s.paid).ToString(), std::to_string(s.refunds),
                      Money(asset, s.refunded).ToString(), Money(asset, s.fees).ToString(),
                      Signed(neg, Money(asset, net))});
    Sum& all = total[asset];
    all.payments += s.payments;
    all.refunds += s.refunds;
    all.paid += s.paid;
    all.refunded += s.refunded;
    all.fees += s.fees;
  }
  Table tt{"totals",
           "Totals per currency",
           {"currency", "payments", "paid", "refunds", "refunded", "fees"},
           {},
           ""};
  for (const auto& [asset, s] : total) {
    tt.rows.push_back({std::string(AssetCode(asset)), std::to_string(s.payments),
                       Money(asset, s.paid).ToString(), std::to_string(s.refunds),
                       Money(asset, s.refunded).ToString(), Money(asset, s.fees).ToString()});
  }
  r.tables.push_back(std::move(tt));
  r.tables.push_back(std::move(t));
  return r;
}

// The fee report as main computed it (7b7b183), the same way.
inline Result<Report> FoldFeeReport(const ReportRequest& q, const LogStore& store,
                                    std::uint64_t as_of) {
  using domain::ShanghaiDateTimeNs;
  const auto Sv = FoldSv;
  const auto M = FoldMoney;
  const auto Amount = FoldAmount;
  const auto Signed = FoldSigned;
  const auto Period = FoldPeriod;
  const auto InPeriod = [](const ReportRequest& r, std::int64_t ns) {
    if (r.period_start_ns == 0 && r.period_end_ns == 0) return true;
    return ns >= r.period_start_ns && ns < r.period_end_ns;
  };
  const std::vector<std::string> kSignoff = {"Prepared by", "Reviewed by", "Approved by"};
  struct Sum {
    std::uint64_t n = 0;
    u128 gross = 0, charged = 0, schedule = 0;
  };
  constexpr std::size_t kRowsMax = 10'000;
  std::map<std::pair<std::string, Asset>, Sum> sums;
  Table diffs{"differences",
              "Payments charged differently from the schedule",
              {"payment_id", "method", "gateway_txn_id", "settled_at", "amount", "charged",
               "schedule", "difference"},
              {},
              ""};
  std::uint64_t diff_count = 0;
  RETURN_IF_ERROR(reconciliation::ScanEvents(store, as_of, [&](const fb::Envelope& env) {
    if (env.event_type() != fb::Event::PaymentSettled || !InPeriod(q, env.occurred_at_ns())) return;
    const auto* e = env.event_as_PaymentSettled();
    const Money amount = M(e->amount()), charged = M(e->gateway_fee()), schedule = M(e->fee());
    const std::string method(domain::MethodName(e->method()));
    Sum& s = sums[{method, amount.asset()}];
    ++s.n;
    s.gross += amount.minor();
    s.charged += charged.minor();
    s.schedule += schedule.minor();
    if (charged.minor() != schedule.minor()) {
      ++diff_count;
      if (diffs.rows.size() < kRowsMax) {
        const bool more = charged.minor() > schedule.minor();
        diffs.rows.push_back(
            {std::string(Sv(e->payment_id())), method, std::string(Sv(e->gateway_txn_id())),
             ShanghaiDateTimeNs(env.occurred_at_ns()), amount.ToString(), Amount(charged),
             Amount(schedule),
             Signed(!more, Money(amount.asset(), more ? charged.minor() - schedule.minor()
                                                      : schedule.minor() - charged.minor()))});
      }
    }
  }));
  Report r;
  r.kind = "fees";
  r.title = "Fee report: charged against the configured schedule";
  r.header = {{"period", Period(q.period_start_ns, q.period_end_ns)},
              {"payments_differing", std::to_string(diff_count)},
              {"report_as_of_seq", std::to_string(as_of)}};
  Table t{"by_method",
          "Fees per method",
          {"method", "currency", "payments", "gross", "charged", "schedule", "difference"},
          {},
          ""};
  for (const auto& [key, s] : sums) {
    const bool more = s.charged > s.schedule;
    t.rows.push_back(
        {key.first, std::string(AssetCode(key.second)), std::to_string(s.n),
         Money(key.second, s.gross).ToString(), Money(key.second, s.charged).ToString(),
         Money(key.second, s.schedule).ToString(),
         Signed(!more, Money(key.second, more ? s.charged - s.schedule : s.schedule - s.charged))});
  }
  r.verdict =
      diff_count == 0 ? "EVERY FEE AS SCHEDULED" : std::to_string(diff_count) + " PAYMENTS DIFFER";
  r.verdict_ok = diff_count == 0;
  r.tables.push_back(std::move(t));
  if (diff_count > kRowsMax)
    diffs.note = "first " + std::to_string(kRowsMax) + " of " + std::to_string(diff_count);
  r.tables.push_back(std::move(diffs));
  r.signoff = kSignoff;
  return r;
}

}  // namespace folio::reports::testing
