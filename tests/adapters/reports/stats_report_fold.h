// The statistics report as main computed it before it read the stats
// projection (adapters/reports/reports.cc at 7b7b183): a fold of every event
// of the log. Kept only as the reference the projection-based report must
// equal byte for byte (stats_report_itest.cpp).
#pragma once

#include <map>
#include <string>
#include <tuple>

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

}  // namespace folio::reports::testing
