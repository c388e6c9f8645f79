// Shared plumbing of the statement parsers: a line reader with line numbers
// and a length bound, CSV field splitting, exact amount and date parsing.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/statements/statement.h"

namespace folio::statements {

// "line N: what"
Status LineError(std::string_view code, std::uint32_t line_no, std::string_view what);

// Reads physical lines ('\n'-terminated; a trailing '\r' is dropped).
class LineReader {
 public:
  LineReader(std::istream& in, std::size_t line_bytes_max) : in_(in), max_(line_bytes_max) {}
  // false at end of input. A line over the bound sets *error.
  bool Next(std::string* line, Status* error);
  std::uint32_t line_no() const { return line_no_; }
  // True when the last line read ended without '\n' (the file was cut).
  bool last_unterminated() const { return unterminated_; }

 private:
  std::istream& in_;
  std::size_t max_;
  std::uint32_t line_no_ = 0;
  bool unterminated_ = false;
};

// Drops a UTF-8 byte order mark at the start of `s`.
void StripBom(std::string& s);
// Trims spaces, tabs and (when `backtick`) one leading '`' after trimming.
std::string_view Trim(std::string_view s, bool backtick = false);
// Splits a CSV record (RFC 4180 quotes; "" inside quotes is a quote).
// false when a quote is left open.
bool SplitCsv(std::string_view line, std::vector<std::string>* fields);

// Largest amount a statement line may carry, in minor units (10^24): a
// billion lines of it still sum within u128.
inline constexpr u128 kAmountMinorMax = static_cast<u128>(1'000'000'000'000) * 1'000'000'000'000;

// A signed decimal amount ("-100.50", "+3", "1,000.00" is rejected).
struct SignedMoney {
  Money value;
  bool negative = false;
};
Result<SignedMoney> ParseSignedAmount(std::string_view text, Asset asset, std::uint32_t line_no);

// "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" or "YYYY/MM/DD HH:MM:SS" in UTC+8 -> UTC ns.
Result<std::int64_t> ParseShanghaiTime(std::string_view text, std::uint32_t line_no);
// A date in UTC+8 at midnight (year, month, day checked).
Result<std::int64_t> ShanghaiMidnight(int year, int month, int day, std::uint32_t line_no);

// Index of `name` in `header`, or -1.
int ColumnIndex(const std::vector<std::string>& header, std::string_view name);

inline constexpr std::int64_t kNsPerDay = 86'400'000'000'000;

}  // namespace folio::statements
