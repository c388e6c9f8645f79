// The statistics and fee reports: their sums come from the stats projection
// for all of history or whole Shanghai days, and from a fold of the log
// otherwise (docs/projections.md).
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "adapters/reports/report_support.h"
#include "engine/domain/methods.h"
#include "projections/checkpoint.h"
#include "projections/stats.h"
#include "projections/view.h"

namespace folio::reports::internal {
namespace {

// --- stats ----------------------------------------------------------------------

struct StatsSum {
  std::uint64_t payments = 0, refunds = 0;
  u128 paid = 0, refunded = 0, fees = 0;
};
using StatsSums = std::map<std::tuple<std::uint32_t, std::string, Asset>, StatsSum>;

// How many events the stats projection may lag before the report streams
// the log instead of applying them in memory (the projection keeps a
// payment index: a lag that large would be held whole).
constexpr std::uint64_t kStatsTailEventsMax = 100'000;

// The stats projection as of `as_of` for the report's period, when it answers
// the question exactly: all of history or whole Shanghai days (every period
// `folio report` can say; an RFC 3339 bound inside a day cannot be split),
// as of a seq the projection has not passed, at most kStatsTailEventsMax
// events behind. nullopt: fold the log instead.
struct StatsDays {
  std::unique_ptr<projections::ProjectionView> view;
  std::uint32_t from_day = 0, to_day = 0;
};
Result<std::optional<StatsDays>> StatsViewFor(const ReportRequest& q, const LogStore& store,
                                              std::uint64_t as_of) {
  const auto day_start = [](std::int64_t ns) {
    return domain::ShanghaiDayStartNs(domain::ShanghaiDate(ns)) == ns;
  };
  StatsDays days;
  days.to_day = std::numeric_limits<std::uint32_t>::max();
  if (q.period_start_ns != 0 || q.period_end_ns != 0) {
    if (!day_start(q.period_start_ns) || !day_start(q.period_end_ns) ||
        q.period_end_ns <= q.period_start_ns) {
      return std::optional<StatsDays>();
    }
    days.from_day = domain::ShanghaiDayKey(q.period_start_ns);
    days.to_day = domain::ShanghaiDayKey(q.period_end_ns - 1);
  }
  projections::StatsProjection stats;
  auto view = projections::ProjectionView::Open(store, stats, as_of, kStatsTailEventsMax);
  if (!view.ok() && view.status().code() == projections::kProjectionLagTimeout) {
    return std::optional<StatsDays>();
  }
  RETURN_IF_ERROR(view.status());
  if ((*view)->as_of()) return std::optional<StatsDays>();  // rows past as_of: no history kept
  days.view = std::move(view).value();
  return std::optional<StatsDays>(std::move(days));
}

Result<std::optional<StatsSums>> StatsFromProjection(const ReportRequest& q, const LogStore& store,
                                                     std::uint64_t as_of) {
  ASSIGN_OR_RETURN(std::optional<StatsDays> days, StatsViewFor(q, store, as_of));
  if (!days) return std::optional<StatsSums>();
  StatsSums sums;
  for (const auto& row : projections::Stats(*days->view, days->from_day, days->to_day)) {
    const auto& c = row.counters;
    if (c.settled.count == 0 && c.refund_succeeded.count == 0) continue;
    StatsSum& s = sums[{row.day_key, std::string(domain::MethodName(row.method)), row.asset}];
    s.payments = c.settled.count;
    s.paid = c.settled.amount_minor;
    s.fees = c.fee_gateway_minor;
    s.refunds = c.refund_succeeded.count;
    s.refunded = c.refund_succeeded.amount_minor;
  }
  return std::optional<StatsSums>(std::move(sums));
}

Result<StatsSums> StatsFromLog(const ReportRequest& q, const LogStore& store, std::uint64_t as_of) {
  StatsSums sums;
  RETURN_IF_ERROR(ScanEvents(store, as_of, [&](const fb::Envelope& env) {
    if (!InPeriod(q, env.occurred_at_ns())) return;
    const std::uint32_t day = domain::ShanghaiDayKey(env.occurred_at_ns());
    if (env.event_type() == fb::Event::PaymentSettled) {
      const auto* e = env.event_as_PaymentSettled();
      StatsSum& s =
          sums[{day, std::string(domain::MethodName(e->method())), MoneyOf(e->amount()).asset()}];
      ++s.payments;
      s.paid += MoneyOf(e->amount()).minor();
      s.fees += MoneyOf(e->gateway_fee()).minor();
    } else if (env.event_type() == fb::Event::RefundSucceeded) {
      const auto* e = env.event_as_RefundSucceeded();
      StatsSum& s =
          sums[{day, std::string(domain::MethodName(e->method())), MoneyOf(e->amount()).asset()}];
      ++s.refunds;
      s.refunded += MoneyOf(e->amount()).minor();
    }
  }));
  return sums;
}

}  // namespace

Result<Report> StatsReport(const ReportRequest& q, const LogStore& store, std::uint64_t as_of) {
  ASSIGN_OR_RETURN(std::optional<StatsSums> from_projection, StatsFromProjection(q, store, as_of));
  StatsSums sums;
  if (from_projection) {
    sums = std::move(*from_projection);
  } else {
    ASSIGN_OR_RETURN(sums, StatsFromLog(q, store, as_of));
  }
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
  std::map<Asset, StatsSum> total;
  for (const auto& [key, s] : sums) {
    const auto& [day, method, asset] = key;
    const bool neg = s.refunded + s.fees > s.paid;
    const u128 net = neg ? s.refunded + s.fees - s.paid : s.paid - s.refunded - s.fees;
    t.rows.push_back({fmt::format("{:04}-{:02}-{:02}", day / 10000, day / 100 % 100, day % 100),
                      method, std::string(AssetCode(asset)), std::to_string(s.payments),
                      Money(asset, s.paid).ToString(), std::to_string(s.refunds),
                      Money(asset, s.refunded).ToString(), Money(asset, s.fees).ToString(),
                      Signed(neg, Money(asset, net))});
    StatsSum& all = total[asset];
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

// --- fees -----------------------------------------------------------------------

Result<Report> FeeReport(const ReportRequest& q, const LogStore& store, std::uint64_t as_of) {
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
  const auto add_difference = [&](std::string_view payment_id, std::string_view method,
                                  std::string_view txn, std::int64_t at_ns, const Money& amount,
                                  const Money& charged, const Money& schedule) {
    ++diff_count;
    if (diffs.rows.size() >= kRowsMax) return;
    const bool more = charged.minor() > schedule.minor();
    diffs.rows.push_back(
        {std::string(payment_id), std::string(method), std::string(txn), ShanghaiDateTimeNs(at_ns),
         amount.ToString(), Amount(charged), Amount(schedule),
         Signed(!more, Money(amount.asset(), more ? charged.minor() - schedule.minor()
                                                  : schedule.minor() - charged.minor()))});
  };
  ASSIGN_OR_RETURN(std::optional<StatsDays> days, StatsViewFor(q, store, as_of));
  if (days) {
    // The stats projection: per-day sums, and the settlements it recorded as
    // charged off the schedule.
    for (const auto& row : projections::Stats(*days->view, days->from_day, days->to_day)) {
      const auto& c = row.counters;
      if (c.settled.count == 0) continue;
      Sum& s = sums[{std::string(domain::MethodName(row.method)), row.asset}];
      s.n += c.settled.count;
      s.gross += c.settled.amount_minor;
      s.charged += c.fee_gateway_minor;
      s.schedule += c.fee_computed_minor;
    }
    for (const auto& d : projections::FeeDifferences(*days->view, days->from_day, days->to_day)) {
      add_difference(d.payment_id, domain::MethodName(d.method), d.gateway_txn_id, d.occurred_at_ns,
                     d.amount, d.charged, d.schedule);
    }
  } else {
    RETURN_IF_ERROR(ScanEvents(store, as_of, [&](const fb::Envelope& env) {
      if (env.event_type() != fb::Event::PaymentSettled || !InPeriod(q, env.occurred_at_ns())) {
        return;
      }
      const auto* e = env.event_as_PaymentSettled();
      const Money amount = MoneyOf(e->amount()), charged = MoneyOf(e->gateway_fee()),
                  schedule = MoneyOf(e->fee());
      const std::string method(domain::MethodName(e->method()));
      Sum& s = sums[{method, amount.asset()}];
      ++s.n;
      s.gross += amount.minor();
      s.charged += charged.minor();
      s.schedule += schedule.minor();
      if (charged.minor() != schedule.minor()) {
        add_difference(Sv(e->payment_id()), method, Sv(e->gateway_txn_id()), env.occurred_at_ns(),
                       amount, charged, schedule);
      }
    }));
  }
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

}  // namespace folio::reports::internal
