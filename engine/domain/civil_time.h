// Calendar days and months in Asia/Shanghai, for per-customer limits.
//
// Asia/Shanghai has been UTC+8 without daylight saving since 1991, so a fixed
// offset is exact for every time Folio handles; no tz database is needed (and
// g++ 12 has no std::chrono::locate_zone).
#pragma once

#include <cstdint>

namespace folio::domain {

struct CivilDate {
  std::int32_t year = 1970;
  std::uint32_t month = 1;  // 1..12
  std::uint32_t day = 1;    // 1..31
};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t DaysFromCivil(const CivilDate& date);
CivilDate CivilFromDays(std::int64_t days);

// The Asia/Shanghai calendar date of a UTC time in ns since the epoch.
CivilDate ShanghaiDate(std::int64_t utc_ns);
// yyyymmdd and yyyymm of that date, e.g. 20261122 and 202611.
std::uint32_t ShanghaiDayKey(std::int64_t utc_ns);
std::uint32_t ShanghaiMonthKey(std::int64_t utc_ns);
// UTC ns since the epoch of 00:00 Asia/Shanghai on `date` (negative on
// 1970-01-01). REQUIRES: 1677 < year < 2262, so that it fits in 64 bits.
std::int64_t ShanghaiDayStartNs(const CivilDate& date);

}  // namespace folio::domain
