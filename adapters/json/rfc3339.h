// RFC 3339 timestamps <-> nanoseconds since the Unix epoch, UTC.
//
// Accepted grammar (RFC 3339 section 5.6, "date-time"):
//   YYYY-MM-DD "T" hh:mm:ss [ "." 1*9DIGIT ] ( "Z" / ("+" / "-") hh:mm )
// "t" and "z" may be lower case (RFC 3339 note). Rejected: a space instead of
// "T", a missing zone, more than 9 fraction digits (no silent rounding), the
// leap second 60, impossible dates ("2026-02-30", "2026-13-01"), offsets
// beyond 23:59, and instants outside the int64 nanosecond range
// (1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z).
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/status.h"

namespace folio::json {

// Errors: invalid_field, message without the field name (callers add it).
Result<std::int64_t> ParseRfc3339(std::string_view text);

// UTC with "Z"; fraction only when non-zero, trailing zeros dropped:
// 0 -> "1970-01-01T00:00:00Z", 1500000000 -> "1970-01-01T00:00:01.5Z".
// ParseRfc3339(FormatRfc3339(ns)) == ns for every int64.
std::string FormatRfc3339(std::int64_t ns);
// The same appended to `out` (reuses its capacity; no formatted I/O).
void AppendRfc3339(std::string* out, std::int64_t ns);

}  // namespace folio::json
