#include "engine/domain/civil_time.h"

#include <cstdio>

namespace folio::domain {
namespace {

constexpr std::int64_t kNsPerS = 1'000'000'000;
constexpr std::int64_t kSPerDay = 86'400;

// Division rounding towards negative infinity, so times before 1970 still
// land on the right day.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// snprintf's result as a string. Every format below fits in 48 bytes even for
// an int32 year of 11 characters.
std::string Printed(const char* buf, int n) {
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

std::int64_t DaysFromCivil(const CivilDate& date) {
  const std::int64_t m = date.month;
  const std::int64_t y = static_cast<std::int64_t>(date.year) - (m <= 2 ? 1 : 0);
  const std::int64_t era = FloorDiv(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + date.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = FloorDiv(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return CivilDate{static_cast<std::int32_t>(y), static_cast<std::uint32_t>(m),
                   static_cast<std::uint32_t>(d)};
}

CivilDate ShanghaiDate(std::int64_t utc_ns) {
  const std::int64_t local_s = FloorDiv(utc_ns, kNsPerS) + kShanghaiUtcOffsetS;
  return CivilFromDays(FloorDiv(local_s, kSPerDay));
}

std::uint32_t ShanghaiDayKey(std::int64_t utc_ns) {
  const CivilDate d = ShanghaiDate(utc_ns);
  return static_cast<std::uint32_t>(d.year) * 10000u + d.month * 100u + d.day;
}

std::uint32_t ShanghaiMonthKey(std::int64_t utc_ns) {
  const CivilDate d = ShanghaiDate(utc_ns);
  return static_cast<std::uint32_t>(d.year) * 100u + d.month;
}

std::int64_t ShanghaiDayStartNs(const CivilDate& date) {
  return (DaysFromCivil(date) * kSPerDay - kShanghaiUtcOffsetS) * kNsPerS;
}

ShanghaiWallTime ShanghaiWallTimeOf(std::int64_t unix_s) {
  // Split into days before adding the offset, so that no int64 overflows.
  std::int64_t days = unix_s / kSPerDay;
  std::int64_t second_of_day = unix_s % kSPerDay;
  if (second_of_day < 0) second_of_day += kSPerDay, --days;  // floor
  second_of_day += kShanghaiUtcOffsetS;
  if (second_of_day >= kSPerDay) second_of_day -= kSPerDay, ++days;
  ShanghaiWallTime t;
  t.date = CivilFromDays(days);
  t.hour = static_cast<int>(second_of_day / 3600);
  t.minute = static_cast<int>(second_of_day / 60 % 60);
  t.second = static_cast<int>(second_of_day % 60);
  return t;
}

std::int64_t UnixSecondsOfNs(std::int64_t utc_ns) { return FloorDiv(utc_ns, kNsPerS); }

std::string ShanghaiDateTime(std::int64_t unix_s) {
  const ShanghaiWallTime t = ShanghaiWallTimeOf(unix_s);
  char buf[48];
  return Printed(buf, std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", t.date.year,
                                    t.date.month, t.date.day, t.hour, t.minute, t.second));
}

std::string ShanghaiCompactDateTime(std::int64_t unix_s) {
  const ShanghaiWallTime t = ShanghaiWallTimeOf(unix_s);
  char buf[48];
  return Printed(buf, std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02d", t.date.year,
                                    t.date.month, t.date.day, t.hour, t.minute, t.second));
}

std::string ShanghaiRfc3339(std::int64_t unix_s) {
  static_assert(kShanghaiUtcOffsetS == 8 * 3600, "the suffix below names the offset");
  const ShanghaiWallTime t = ShanghaiWallTimeOf(unix_s);
  char buf[48];
  return Printed(buf,
                 std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d+08:00", t.date.year,
                               t.date.month, t.date.day, t.hour, t.minute, t.second));
}

std::string ShanghaiDateTimeNs(std::int64_t utc_ns) {
  return ShanghaiDateTime(UnixSecondsOfNs(utc_ns));
}

}  // namespace folio::domain
