// Calendar days, months and wall-clock time in Asia/Shanghai: the one home of
// Folio's UTC+8 offset and of the Shanghai date-time strings that the
// gateways, bills and reports write.
//
// Asia/Shanghai has been UTC+8 without daylight saving since 1991, so a fixed
// offset is exact for every time Folio handles; no tz database is needed (and
// g++ 12 has no std::chrono::locate_zone).
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string>

namespace folio::domain {

// Asia/Shanghai's offset from UTC, in seconds: UTC+8, fixed (see above).
inline constexpr std::int64_t kShanghaiUtcOffsetS = 8 * 3600;

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

// ---- Wall-clock time ---------------------------------------------------------

// The wall-clock time in Asia/Shanghai of one Unix second.
struct ShanghaiWallTime {
  CivilDate date;
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  int second = 0;  // 0..59
};

// Unix seconds (UTC) whose Shanghai wall time has a four-digit year, so that
// the strings below keep their fixed widths: 1970-01-01 08:00:00 is 0 and
// 9999-12-31 23:59:59 is kShanghaiTimeMaxS. Times before 1970 are negative.
inline constexpr std::int64_t kShanghaiTimeMaxS = 253402300799 - kShanghaiUtcOffsetS;

// Unix seconds -> Shanghai wall time, floored: -1 is 1970-01-01 07:59:59.
// Defined for every int64 (no overflow); the year is exact while it fits.
ShanghaiWallTime ShanghaiWallTimeOf(std::int64_t unix_s);
// The Unix second holding `utc_ns` (ns since the epoch), floored: -1 -> -1.
std::int64_t UnixSecondsOfNs(std::int64_t utc_ns);

// The strings of a Unix second, fixed width for 0 <= year <= 9999 (e.g. for
// 0 <= unix_s <= kShanghaiTimeMaxS):
// "yyyy-MM-dd HH:mm:ss", e.g. "2026-11-22 09:00:00" (Alipay `timestamp`).
std::string ShanghaiDateTime(std::int64_t unix_s);
// "yyyyMMddHHmmss", e.g. "20261122090000" (UnionPay ACP `txnTime`).
std::string ShanghaiCompactDateTime(std::int64_t unix_s);
// RFC 3339 with the offset, e.g. "2026-11-22T09:00:00+08:00" (WeChat Pay).
std::string ShanghaiRfc3339(std::int64_t unix_s);
// "yyyy-MM-dd HH:mm:ss" of a UTC time in ns since the epoch (bills, reports);
// the fraction of a second is dropped (floored).
std::string ShanghaiDateTimeNs(std::int64_t utc_ns);

}  // namespace folio::domain
