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

// A signed exact amount ("-100.50", "+3"; "1,000.00" is rejected).
struct SignedMoney {
  Amount value;
  bool negative = false;
};
// The currency of `code`; statement_amount_invalid when it is not an ISO 4217
// code (current or withdrawn) nor a ledger asset.
Result<CurrencyInfo> CurrencyAt(std::string_view code, std::uint32_t line_no);
// `fraction_digits_max`: what the format allows (digits beyond it refuse the
// amount; trailing zeros beyond the minor unit never do, Amount::Parse).
Result<SignedMoney> ParseSignedAmount(std::string_view text, const CurrencyInfo& currency,
                                      std::uint32_t line_no, std::size_t fraction_digits_max);
// The same for a ledger asset, with up to kFractionDigitsDefault digits.
Result<SignedMoney> ParseSignedAmount(std::string_view text, Asset asset, std::uint32_t line_no);
inline constexpr std::size_t kFractionDigitsDefault = 6;

// Decodes the lines of a gateway bill: UTF-8 (a BOM, or valid UTF-8 with
// Chinese text) or GBK (read as GB18030), decided on the first line that is
// not plain ASCII and then kept for the file. A NUL byte (UTF-16) or bytes
// valid in neither are statement_encoding.
class BillDecoder {
 public:
  BillDecoder();
  ~BillDecoder();
  BillDecoder(const BillDecoder&) = delete;
  BillDecoder& operator=(const BillDecoder&) = delete;
  Status Decode(std::string_view raw, std::uint32_t line_no, std::string* utf8);
  bool is_gbk() const { return mode_ == 2; }

 private:
  int mode_ = 0;  // 0 undecided, 1 UTF-8, 2 GBK
  void* gbk_ = nullptr;
};

// True when `s` is well-formed UTF-8.
bool ValidUtf8(std::string_view s);
// Windows-1252 (a superset of Latin-1's printable range) to UTF-8.
std::string Cp1252ToUtf8(std::string_view s);

// "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" or "YYYY/MM/DD HH:MM:SS" in UTC+8 -> UTC ns.
Result<std::int64_t> ParseShanghaiTime(std::string_view text, std::uint32_t line_no);
// A date in UTC+8 at midnight (year, month, day checked).
Result<std::int64_t> ShanghaiMidnight(int year, int month, int day, std::uint32_t line_no);

// Index of `name` in `header`, or -1.
int ColumnIndex(const std::vector<std::string>& header, std::string_view name);

inline constexpr std::int64_t kNsPerDay = 86'400'000'000'000;

}  // namespace folio::statements
