// RFC 3339 timestamps of the command format to nanoseconds since the epoch.
// Expected values are computed independently (GNU date), not by the code
// under test.
#include "adapters/json/rfc3339.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "adapters/json/json_codes.h"

namespace folio::json {
namespace {

// --- RFC 3339 ---

struct TimeCase {
  std::string_view text;
  std::int64_t ns;
};

TEST_CASE("RFC 3339 to nanoseconds") {
  // Seconds from `date -u -d <instant> +%s`.
  const std::vector<TimeCase> table = {
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01T00:00:00.000000001Z", 1},
      {"1969-12-31T23:59:59.999999999Z", -1},
      {"1970-01-01T08:00:00+08:00", 0},
      {"1969-12-31T19:00:00-05:00", 0},
      {"2026-11-21T10:00:00Z", 1795255200LL * 1'000'000'000},
      {"2026-11-21T18:00:00+08:00", 1795255200LL * 1'000'000'000},
      {"2026-11-22T00:00:00+14:00", 1795255200LL * 1'000'000'000},
      {"2026-11-21T10:00:00-00:00", 1795255200LL * 1'000'000'000},
      {"2026-11-21t10:00:00z", 1795255200LL * 1'000'000'000},
      {"2026-11-21T10:00:00.5Z", 1795255200LL * 1'000'000'000 + 500'000'000},
      {"2026-11-21T10:00:00.123Z", 1795255200LL * 1'000'000'000 + 123'000'000},
      {"2026-11-21T10:00:00.123456789Z", 1795255200LL * 1'000'000'000 + 123'456'789},
      {"2026-11-21T18:00:00.000001+08:00", 1795255200LL * 1'000'000'000 + 1'000},
      // Leap years: 2024 (div by 4), 2000 (div by 400).
      {"2024-02-29T00:00:00Z", 1709164800LL * 1'000'000'000},
      {"2024-03-01T00:00:00Z", 1709251200LL * 1'000'000'000},
      {"2000-02-29T12:00:00Z", 951825600LL * 1'000'000'000},
      {"2028-02-29T23:59:59Z", 1835481599LL * 1'000'000'000},
      // Shanghai midnight is 16:00 UTC the day before.
      {"2027-01-01T00:00:00+08:00", 1798732800LL * 1'000'000'000},
      // The ends of the int64 range.
      {"2262-04-11T23:47:16.854775807Z", 9223372036854775807LL},
      {"1677-09-21T00:12:43.145224192Z", -9223372036854775807LL - 1},
  };
  for (const TimeCase& t : table) {
    INFO(t.text);
    Result<std::int64_t> ns = ParseRfc3339(t.text);
    REQUIRE_MESSAGE(ns.ok(), ns.status().ToString());
    CHECK(*ns == t.ns);
    CHECK(*ParseRfc3339(FormatRfc3339(*ns)) == t.ns);
  }
  CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(-1) == "1969-12-31T23:59:59.999999999Z");
  CHECK(FormatRfc3339(1795255200LL * 1'000'000'000 + 500'000'000) == "2026-11-21T10:00:00.5Z");
  CHECK(FormatRfc3339(1709164800LL * 1'000'000'000) == "2024-02-29T00:00:00Z");
  CHECK(FormatRfc3339(1'000) == "1970-01-01T00:00:00.000001Z");
  std::string out = "at ";
  AppendRfc3339(&out, 1795255200LL * 1'000'000'000 + 120'000'000);
  CHECK(out == "at 2026-11-21T10:00:00.12Z");
}

TEST_CASE("RFC 3339: malformed or impossible timestamps are rejected") {
  const std::vector<std::string_view> bad = {
      "",
      "2026-13-01T00:00:00Z",
      "2026-00-01T00:00:00Z",
      "2026-02-30T00:00:00Z",
      "2026-02-29T00:00:00Z",  // 2026 is not a leap year
      "1900-02-29T00:00:00Z",  // divisible by 100, not by 400
      "2026-04-31T00:00:00Z",
      "2026-11-00T00:00:00Z",
      "2026-11-21T24:00:00Z",
      "2026-11-21T10:60:00Z",
      "2026-12-31T23:59:60Z",  // leap second
      "2026-11-21T10:00:00",   // missing zone
      "2026-11-21 10:00:00Z",  // space
      "2026-11-21T10:00Z",     // no seconds
      "2026-11-21",
      "26-11-21T10:00:00Z",
      "2026-1-21T10:00:00Z",
      "2026-11-21T10:00:00.Z",
      "2026-11-21T10:00:00.1234567891Z",  // more than ns precision
      "2026-11-21T10:00:00+0800",
      "2026-11-21T10:00:00+08",
      "2026-11-21T10:00:00+24:00",
      "2026-11-21T10:00:00+08:60",
      "2026-11-21T10:00:00ZZ",
      "2026-11-21T10:00:00Z ",
      " 2026-11-21T10:00:00Z",
      "+2026-11-21T10:00:00Z",
      "2262-04-11T23:47:16.854775808Z",  // one ns past int64
      "1677-09-21T00:12:43.145224191Z",  // one ns before int64
      "9999-12-31T23:59:59Z",
      "0000-01-01T00:00:00Z",
      "2026-11-21T10:00:00\xef\xbc\xbaZ",
  };
  for (std::string_view text : bad) {
    INFO(text);
    Result<std::int64_t> ns = ParseRfc3339(text);
    CHECK(!ns.ok());
    if (!ns.ok()) CHECK(ns.status().code() == codes::kInvalidField);
  }
}

}  // namespace
}  // namespace folio::json
