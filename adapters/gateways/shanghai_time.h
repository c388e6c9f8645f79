// Wall-clock strings in China Standard Time (Asia/Shanghai, UTC+8, no DST
// since 1991), as the gateways' request fields want them. Deterministic: the
// caller passes Unix seconds; no tz database, no system clock.
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string>

namespace folio::gateways {

// Unix seconds the formatters accept: 1970-01-01 to 9999-12-31 (UTC), so
// that every field keeps its fixed width.
inline constexpr std::int64_t kShanghaiTimeMaxS = 253402300799 - 8 * 3600;

// "yyyy-MM-dd HH:mm:ss" (Alipay `timestamp`). REQUIRES: 0 <= unix_s <= kShanghaiTimeMaxS.
std::string ShanghaiDateTime(std::int64_t unix_s);
// "yyyyMMddHHmmss" (UnionPay ACP `txnTime`). REQUIRES: as above.
std::string ShanghaiCompactDateTime(std::int64_t unix_s);

}  // namespace folio::gateways
