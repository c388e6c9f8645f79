// Asia/Shanghai wall-clock time (engine/domain/civil_time.h): the split of a
// Unix second, floored before 1970, and the strings the gateways, bills and
// reports write from it.
#include "engine/domain/civil_time.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace folio::domain {
namespace {

constexpr std::int64_t kNsPerS = 1'000'000'000;
constexpr std::int64_t kNow = 1795309200;  // 2026-11-22 09:00:00 in Shanghai (01:00Z)

std::string Fields(const ShanghaiWallTime& t) {
  return std::to_string(t.date.year) + "/" + std::to_string(t.date.month) + "/" +
         std::to_string(t.date.day) + " " + std::to_string(t.hour) + ":" +
         std::to_string(t.minute) + ":" + std::to_string(t.second);
}

TEST_CASE("civil time: Shanghai is UTC+8, so the epoch is 08:00 there") {
  CHECK(kShanghaiUtcOffsetS == 8 * 3600);
  CHECK(Fields(ShanghaiWallTimeOf(0)) == "1970/1/1 8:0:0");
  CHECK(ShanghaiDateTime(0) == "1970-01-01 08:00:00");
  CHECK(ShanghaiCompactDateTime(0) == "19700101080000");
  CHECK(ShanghaiRfc3339(0) == "1970-01-01T08:00:00+08:00");
  CHECK(ShanghaiDateTime(kNow) == "2026-11-22 09:00:00");
  CHECK(ShanghaiCompactDateTime(kNow + 59) == "20261122090059");
  CHECK(ShanghaiRfc3339(kNow) == "2026-11-22T09:00:00+08:00");
}

TEST_CASE("civil time: days and years roll at Shanghai midnight, 16:00Z") {
  CHECK(ShanghaiDateTime(1795276799) == "2026-11-21 23:59:59");  // 15:59:59Z
  CHECK(ShanghaiDateTime(1795276800) == "2026-11-22 00:00:00");  // 16:00:00Z
  CHECK(ShanghaiDateTime(kNow + 15 * 3600 + 1800) == "2026-11-23 00:30:00");
  CHECK(ShanghaiCompactDateTime(1798732799) == "20261231235959");
  CHECK(ShanghaiCompactDateTime(1798732800) == "20270101000000");
  CHECK(ShanghaiRfc3339(1798732800) == "2027-01-01T00:00:00+08:00");
}

TEST_CASE("civil time: leap days, including the century rules") {
  CHECK(ShanghaiDateTime(951839999) == "2000-02-29 23:59:59");
  CHECK(ShanghaiDateTime(951840000) == "2000-03-01 00:00:00");
  CHECK(ShanghaiDateTime(1835366399) == "2028-02-28 23:59:59");
  CHECK(ShanghaiDateTime(1835366400) == "2028-02-29 00:00:00");
  CHECK(ShanghaiDateTime(-11670940801) == "1600-02-29 23:59:59");
  CHECK(ShanghaiDateTime(-11670940800) == "1600-03-01 00:00:00");
}

TEST_CASE("civil time: Unix seconds before 1970 are floored, not truncated") {
  CHECK(Fields(ShanghaiWallTimeOf(-1)) == "1970/1/1 7:59:59");
  CHECK(ShanghaiDateTime(-1) == "1970-01-01 07:59:59");
  CHECK(ShanghaiDateTime(-kShanghaiUtcOffsetS) == "1970-01-01 00:00:00");
  CHECK(ShanghaiDateTime(-kShanghaiUtcOffsetS - 1) == "1969-12-31 23:59:59");
  CHECK(ShanghaiCompactDateTime(-kShanghaiUtcOffsetS - 1) == "19691231235959");
  CHECK(ShanghaiRfc3339(-86400) == "1969-12-31T08:00:00+08:00");
  CHECK(ShanghaiDateTime(-2208988800) == "1900-01-01 08:00:00");  // 1900-01-01T00:00Z
}

TEST_CASE("civil time: the largest time with a four-digit year") {
  CHECK(ShanghaiDateTime(kShanghaiTimeMaxS) == "9999-12-31 23:59:59");
  CHECK(ShanghaiCompactDateTime(kShanghaiTimeMaxS) == "99991231235959");
  CHECK(ShanghaiRfc3339(kShanghaiTimeMaxS) == "9999-12-31T23:59:59+08:00");
  CHECK(ShanghaiDateTime(kShanghaiTimeMaxS + 1) == "10000-01-01 00:00:00");
}

TEST_CASE("civil time: every int64 splits without overflow") {
  const ShanghaiWallTime hi = ShanghaiWallTimeOf(std::numeric_limits<std::int64_t>::max());
  CHECK(hi.hour == 23);  // 55807 s into a UTC day, plus 8 h
  CHECK(hi.minute == 30);
  CHECK(hi.second == 7);
  const ShanghaiWallTime lo = ShanghaiWallTimeOf(std::numeric_limits<std::int64_t>::min());
  CHECK(lo.hour == 16);  // 30592 s into a UTC day, plus 8 h
  CHECK(lo.minute == 29);
  CHECK(lo.second == 52);
}

TEST_CASE("civil time: the wall time round-trips through DaysFromCivil") {
  const std::int64_t step = 7 * 86'400 + 3'601;  // walks every hour and weekday
  for (std::int64_t s = -4'000'000'000; s < 8'000'000'000; s += step) {
    for (std::int64_t unix_s : {s, s + 1, s - 1}) {
      CAPTURE(unix_s);
      const ShanghaiWallTime t = ShanghaiWallTimeOf(unix_s);
      REQUIRE(t.hour >= 0);
      REQUIRE(t.hour < 24);
      REQUIRE(t.minute >= 0);
      REQUIRE(t.minute < 60);
      REQUIRE(t.second >= 0);
      REQUIRE(t.second < 60);
      const std::int64_t back = DaysFromCivil(t.date) * 86'400 + t.hour * 3'600 + t.minute * 60 +
                                t.second - kShanghaiUtcOffsetS;
      REQUIRE(back == unix_s);
      // The ns calendar of the same second agrees with the seconds one.
      const CivilDate d = ShanghaiDate(unix_s * kNsPerS);
      REQUIRE(d.year == t.date.year);
      REQUIRE(d.month == t.date.month);
      REQUIRE(d.day == t.date.day);
    }
  }
}

TEST_CASE("civil time: ns times floor to their second") {
  CHECK(UnixSecondsOfNs(0) == 0);
  CHECK(UnixSecondsOfNs(kNsPerS - 1) == 0);
  CHECK(UnixSecondsOfNs(-1) == -1);
  CHECK(UnixSecondsOfNs(-kNsPerS) == -1);
  CHECK(UnixSecondsOfNs(-kNsPerS - 1) == -2);
  CHECK(ShanghaiDateTimeNs(kNsPerS - 1) == "1970-01-01 08:00:00");
  CHECK(ShanghaiDateTimeNs(-1) == "1970-01-01 07:59:59");
  CHECK(ShanghaiDateTimeNs(kNow * kNsPerS + 999'999'999) == "2026-11-22 09:00:00");
  CHECK(ShanghaiDateTimeNs(std::numeric_limits<std::int64_t>::max()) == "2262-04-12 07:47:16");
  CHECK(ShanghaiDateTimeNs(std::numeric_limits<std::int64_t>::min()) == "1677-09-21 08:12:43");
}

TEST_CASE("civil time: a Shanghai day starts at the ns its wall time reads 00:00:00") {
  const std::int64_t start = ShanghaiDayStartNs({2026, 11, 22});
  CHECK(start == 1795276800 * kNsPerS);
  CHECK(ShanghaiDateTimeNs(start) == "2026-11-22 00:00:00");
  CHECK(ShanghaiDateTimeNs(start - 1) == "2026-11-21 23:59:59");
  CHECK(ShanghaiDayStartNs({1970, 1, 1}) == -kShanghaiUtcOffsetS * kNsPerS);
  CHECK(ShanghaiDateTimeNs(ShanghaiDayStartNs({2000, 2, 29})) == "2000-02-29 00:00:00");
}

}  // namespace
}  // namespace folio::domain
