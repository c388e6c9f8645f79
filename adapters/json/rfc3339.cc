#include "adapters/json/rfc3339.h"

#include <cstdio>
#include <limits>

#include "adapters/json/json_codes.h"
#include "engine/domain/civil_time.h"

namespace folio::json {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;

bool IsLeapYear(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(std::int64_t y, int m) {
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// A cursor over the text; every reader fails (returns false) rather than reading past the end.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool Digits(std::size_t n, std::int64_t* out) {
    if (s_.size() - pos_ < n) return false;
    std::int64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const char c = s_[pos_ + i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    pos_ += n;
    *out = v;
    return true;
  }
  bool Char(char c) { return Peek() == c ? (++pos_, true) : false; }
  bool CharEither(char a, char b) { return Peek() == a || Peek() == b ? (++pos_, true) : false; }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool AtEnd() const { return pos_ == s_.size(); }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

Status Invalid(std::string_view why) {
  return Status::Error(codes::kInvalidField, "not an RFC 3339 timestamp: " + std::string(why));
}

}  // namespace

Result<std::int64_t> ParseRfc3339(std::string_view text) {
  if (text.size() > 64) return Invalid("too long");
  Cursor c(text);
  std::int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!c.Digits(4, &year) || !c.Char('-') || !c.Digits(2, &month) || !c.Char('-') ||
      !c.Digits(2, &day)) {
    return Invalid("expected YYYY-MM-DD");
  }
  if (!c.CharEither('T', 't')) return Invalid("expected 'T' after the date");
  if (!c.Digits(2, &hour) || !c.Char(':') || !c.Digits(2, &minute) || !c.Char(':') ||
      !c.Digits(2, &second)) {
    return Invalid("expected hh:mm:ss");
  }
  std::int64_t frac_ns = 0;
  if (c.Char('.')) {
    int digits = 0;
    std::int64_t d = 0;
    while (c.Digits(1, &d)) {
      if (++digits > 9) return Invalid("more than 9 fraction digits");
      frac_ns = frac_ns * 10 + d;
    }
    if (digits == 0) return Invalid("expected digits after '.'");
    for (int i = digits; i < 9; ++i) frac_ns *= 10;
  }
  std::int64_t offset_s = 0;
  if (c.CharEither('Z', 'z')) {
    offset_s = 0;
  } else if (c.Peek() == '+' || c.Peek() == '-') {
    const std::int64_t sign = c.Peek() == '-' ? -1 : 1;
    c.CharEither('+', '-');
    std::int64_t oh = 0, om = 0;
    if (!c.Digits(2, &oh) || !c.Char(':') || !c.Digits(2, &om)) {
      return Invalid("expected offset +hh:mm");
    }
    if (oh > 23 || om > 59) return Invalid("offset out of range");
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return Invalid("missing zone ('Z' or +hh:mm)");
  }
  if (!c.AtEnd()) return Invalid("trailing characters");
  if (month < 1 || month > 12) return Invalid("month out of range");
  if (day < 1 || day > DaysInMonth(year, static_cast<int>(month))) {
    return Invalid("day out of range");
  }
  if (hour > 23 || minute > 59) return Invalid("time out of range");
  if (second > 59) return Invalid("second out of range (leap seconds are not accepted)");

  // Years 0000-9999 keep every intermediate far inside int64 seconds.
  const domain::CivilDate date{static_cast<std::int32_t>(year), static_cast<std::uint32_t>(month),
                               static_cast<std::uint32_t>(day)};
  const std::int64_t seconds =
      domain::DaysFromCivil(date) * kSecondsPerDay + hour * 3600 + minute * 60 + second - offset_s;
  // The fraction is added after the multiplication, so the widening keeps
  // the earliest representable instant (seconds * 1e9 alone is below int64).
  const __int128 ns = static_cast<__int128>(seconds) * kNsPerSecond + frac_ns;
  if (ns < std::numeric_limits<std::int64_t>::min() ||
      ns > std::numeric_limits<std::int64_t>::max()) {
    return Invalid("outside the representable range (1677..2262)");
  }
  return static_cast<std::int64_t>(ns);
}

namespace {

// Writes `v` (>= 0) as exactly `width` decimal digits, zero-padded.
char* PutDigits(char* p, std::int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

}  // namespace

std::string FormatRfc3339(std::int64_t ns) {
  std::string out;
  AppendRfc3339(&out, ns);
  return out;
}

void AppendRfc3339(std::string* out, std::int64_t ns) {
  // Floor division so that instants before 1970 get a fraction in [0, 1 s).
  std::int64_t seconds = ns / kNsPerSecond;
  std::int64_t frac = ns % kNsPerSecond;
  if (frac < 0) {
    frac += kNsPerSecond;
    --seconds;
  }
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t sod = seconds % kSecondsPerDay;
  if (sod < 0) {
    sod += kSecondsPerDay;
    --days;
  }
  const domain::CivilDate civil = domain::CivilFromDays(days);
  // int64 nanoseconds span the years 1677-2262: always four digits.
  char buf[40];
  char* p = PutDigits(buf, civil.year, 4);
  *p++ = '-';
  p = PutDigits(p, civil.month, 2);
  *p++ = '-';
  p = PutDigits(p, civil.day, 2);
  *p++ = 'T';
  p = PutDigits(p, sod / 3600, 2);
  *p++ = ':';
  p = PutDigits(p, sod / 60 % 60, 2);
  *p++ = ':';
  p = PutDigits(p, sod % 60, 2);
  if (frac != 0) {
    *p++ = '.';
    p = PutDigits(p, frac, 9);
    while (p[-1] == '0') --p;
  }
  *p++ = 'Z';
  out->append(buf, p);
}

}  // namespace folio::json
