// The daily reconciliation's schedule on a fake clock, and the config that
// drives it: when a bill day is due (each side of the configured minute, each
// side of local midnight), and hostile config refused with the field named.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "adapters/automation/recon_scheduler.h"
#include "adapters/automation/serve_config.h"
#include "engine/domain/civil_time.h"

namespace folio::automation {
namespace {

constexpr std::int64_t kMinute = 60'000'000'000;

// UTC ns of a Shanghai wall-clock time.
std::int64_t Shanghai(int y, unsigned mo, unsigned d, int h, int mi) {
  const std::int64_t days = domain::DaysFromCivil({y, mo, d});
  return (days * 1440 + h * 60 + mi - 8 * 60) * kMinute;
}

std::int64_t Day(int y, unsigned mo, unsigned d) { return domain::DaysFromCivil({y, mo, d}); }

TEST_CASE("recon schedule: the previous day is due from the configured local minute on") {
  const int at = 9 * 60 + 30;
  // 09:29 on Dec 7 in Shanghai: Dec 5 is the last due day; 09:30: Dec 6.
  CHECK(BillDayDue(Shanghai(2026, 12, 7, 9, 29), at, 480) == Day(2026, 12, 5));
  CHECK(BillDayDue(Shanghai(2026, 12, 7, 9, 30), at, 480) == Day(2026, 12, 6));
  CHECK(BillDayDue(Shanghai(2026, 12, 7, 9, 30) - 1, at, 480) == Day(2026, 12, 5));
  // Local midnight, not UTC's: 23:59 and 00:00 in Shanghai (15:59 and 16:00 UTC).
  CHECK(BillDayDue(Shanghai(2026, 12, 7, 23, 59), 0, 480) == Day(2026, 12, 6));
  CHECK(BillDayDue(Shanghai(2026, 12, 8, 0, 0), 0, 480) == Day(2026, 12, 7));
  // The same instant in UTC is still Dec 7 16:00: due Dec 6.
  CHECK(BillDayDue(Shanghai(2026, 12, 8, 0, 0), 0, 0) == Day(2026, 12, 6));
  // A year boundary, and a time before 1970 (floor, not truncation).
  CHECK(BillDayDue(Shanghai(2027, 1, 1, 10, 0), at, 480) == Day(2026, 12, 31));
  CHECK(BillDayDue(Shanghai(1969, 12, 31, 10, 0), at, 480) == Day(1969, 12, 30));
  CHECK(DayText(Day(2026, 12, 6)) == "2026-12-06");
}

TEST_CASE("recon schedule: times of day and zones are parsed strictly") {
  CHECK(ParseTimeOfDay("00:00") == 0);
  CHECK(ParseTimeOfDay("23:59") == 23 * 60 + 59);
  for (const char* bad : {"24:00", "9:30", "09:60", "09-30", "", "09:30:00", "ab:cd", "-1:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseTimeOfDay(bad).has_value());
  }
  CHECK(ParseUtcOffset("Asia/Shanghai") == 480);
  CHECK(ParseUtcOffset("UTC") == 0);
  CHECK(ParseUtcOffset("+05:30") == 330);
  CHECK(ParseUtcOffset("-03:00") == -180);
  for (const char* bad : {"Europe/Paris", "+15:00", "08:00", "+8:00", "", "+08:0"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseUtcOffset(bad).has_value());
  }
}

TEST_CASE("recon schedule: a good config is read with its defaults") {
  auto c = ServeConfig::FromJson(boost::json::parse(R"({
    "clock": {"tick_ms": 250},
    "reconciliation": {"time_zone": "UTC", "check_every_ms": 1000, "jobs": [
      {"name": "alipay-daily", "source": "alipay", "from": "gateway"},
      {"name": "bank", "source": "camt053", "from": "folder", "folder": "/srv/bank",
       "at": "10:15", "account": "bank:trust"},
      {"name": "unionpay-daily", "source": "unionpay", "from": "gateway", "at": "10:30"}]}})"));
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->clock);
  CHECK(c->clock_tick == std::chrono::milliseconds(250));
  CHECK(c->reconciliation.utc_offset_minutes == 0);
  REQUIRE(c->reconciliation.jobs.size() == 3);
  CHECK(c->reconciliation.jobs[0].at_minutes == 9 * 60 + 30);  // the default
  CHECK(c->reconciliation.jobs[1].at_minutes == 10 * 60 + 15);
  CHECK(c->reconciliation.jobs[1].from == ReconJob::From::kFolder);
  CHECK(c->reconciliation.jobs[1].account == "bank:trust");
  // UnionPay's file comes from the gateway too (ACP's file transfer call).
  CHECK(c->reconciliation.jobs[2].source == statements::Source::kUnionPay);
  CHECK(c->reconciliation.jobs[2].from == ReconJob::From::kGateway);
  auto empty = ServeConfig::FromJson(boost::json::parse("{}"));
  REQUIRE(empty.ok());
  CHECK(empty->clock);
  CHECK(empty->clock_tick == std::chrono::milliseconds(1000));
  CHECK(empty->reconciliation.jobs.empty());
}

TEST_CASE("recon schedule: hostile configs are refused with the field named") {
  struct Row {
    const char* json;
    const char* names;
  } rows[] = {
      {R"([])", "JSON object"},
      {R"({"clocks": {}})", "clocks"},
      {R"({"clock": {"tick_ms": 0}})", "clock.tick_ms"},
      {R"({"clock": {"tick_ms": "1000"}})", "clock.tick_ms"},
      {R"({"clock": {"enabled": 1}})", "clock.enabled"},
      {R"({"reconciliation": {"jobs": {}}})", "reconciliation.jobs"},
      {R"({"reconciliation": {"time_zone": "Mars/Olympus"}})", "time_zone"},
      {R"({"reconciliation": {"check_every_ms": -5}})", "check_every_ms"},
      {R"({"reconciliation": {"jobs": [{"source": "alipay", "from": "gateway"}]}})",
       "jobs[0].name"},
      {R"({"reconciliation": {"jobs": [{"name": "../x", "source": "alipay", "from": "gateway"}]}})",
       "jobs[0].name"},
      {R"({"reconciliation": {"jobs": [{"name": "a", "source": "swift", "from": "gateway"}]}})",
       "jobs[0].source"},
      {R"({"reconciliation": {"jobs": [{"name": "a", "source": "mt940", "from": "gateway"}]}})",
       "jobs[0].from"},
      {R"({"reconciliation": {"jobs": [{"name": "a", "source": "mt940", "from": "folder"}]}})",
       "jobs[0].folder"},
      {R"({"reconciliation": {"jobs": [{"name": "a", "source": "alipay", "from": "gateway",
          "at": "25:00"}]}})",
       "jobs[0].at"},
      {R"({"reconciliation": {"jobs": [{"name": "a", "source": "alipay", "from": "gateway",
          "every": "day"}]}})",
       "jobs[0].every"},
      {R"({"reconciliation": {"jobs": [{"name": "a", "source": "alipay", "from": "gateway"},
          {"name": "a", "source": "wechatpay", "from": "gateway"}]}})",
       "twice"},
      {R"({"alerts": []})", "alerts"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.json);
    auto c = ServeConfig::FromJson(boost::json::parse(r.json));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == "invalid_argument");
    CHECK(c.status().message().find(r.names) != std::string::npos);
  }
}

}  // namespace
}  // namespace folio::automation
