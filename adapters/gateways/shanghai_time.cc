#include "adapters/gateways/shanghai_time.h"

#include <cassert>
#include <cstdio>

#include "engine/domain/civil_time.h"

namespace folio::gateways {
namespace {

// The one offset of this file; engine/domain/civil_time.h explains why a
// fixed offset is exact.
constexpr std::int64_t kShanghaiOffsetS = 8 * 3600;
constexpr std::int64_t kSPerDay = 86'400;

struct Fields {
  domain::CivilDate date;
  int hour = 0, minute = 0, second = 0;
};

Fields Split(std::int64_t unix_s) {
  assert(unix_s >= 0 && unix_s <= kShanghaiTimeMaxS);
  const std::int64_t local_s = unix_s + kShanghaiOffsetS;  // >= 0: plain division floors
  const std::int64_t second_of_day = local_s % kSPerDay;
  Fields f;
  f.date = domain::CivilFromDays(local_s / kSPerDay);
  f.hour = static_cast<int>(second_of_day / 3600);
  f.minute = static_cast<int>(second_of_day / 60 % 60);
  f.second = static_cast<int>(second_of_day % 60);
  return f;
}

}  // namespace

std::string ShanghaiDateTime(std::int64_t unix_s) {
  const Fields f = Split(unix_s);
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", f.date.year,
                              f.date.month, f.date.day, f.hour, f.minute, f.second);
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string ShanghaiCompactDateTime(std::int64_t unix_s) {
  const Fields f = Split(unix_s);
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02d", f.date.year,
                              f.date.month, f.date.day, f.hour, f.minute, f.second);
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace folio::gateways
