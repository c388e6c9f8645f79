#include "adapters/statements/text.h"

#include <fstream>

#include "engine/domain/civil_time.h"
#include "events/codes.h"

namespace folio::statements {

Status LineError(std::string_view code, std::uint32_t line_no, std::string_view what) {
  return Status::Error(code, "line " + std::to_string(line_no) + ": " + std::string(what));
}

bool LineReader::Next(std::string* line, Status* error) {
  line->clear();
  unterminated_ = false;
  // The stream buffer directly: istream::get() builds a sentry per byte.
  std::streambuf* buf = in_.rdbuf();
  using Traits = std::char_traits<char>;
  int c = Traits::eof();
  bool any = false;
  while (buf != nullptr && (c = buf->sbumpc()) != Traits::eof()) {
    any = true;
    if (c == '\n') break;
    if (line->size() >= max_) {
      *error = LineError(kStatementTooLarge, line_no_ + 1,
                         "longer than " + std::to_string(max_) + " bytes");
      return false;
    }
    line->push_back(static_cast<char>(c));
  }
  if (!any) return false;
  if (c != '\n') unterminated_ = true;
  if (!line->empty() && line->back() == '\r') line->pop_back();
  ++line_no_;
  return true;
}

void StripBom(std::string& s) {
  if (s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.erase(0, 3);
}

std::string_view Trim(std::string_view s, bool backtick) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  if (backtick && !s.empty() && s.front() == '`') s.remove_prefix(1);
  return s;
}

bool SplitCsv(std::string_view line, std::vector<std::string>* fields) {
  fields->clear();
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          cur.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        cur.push_back(c);
      }
    } else if (c == '"' && Trim(cur).empty()) {
      cur.clear();
      quoted = true;
    } else if (c == ',') {
      fields->push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  fields->push_back(std::move(cur));
  return !quoted;
}

Result<SignedMoney> ParseSignedAmount(std::string_view text, Asset asset, std::uint32_t line_no) {
  SignedMoney out;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    out.negative = text.front() == '-';
    text.remove_prefix(1);
  }
  auto m = Money::Parse(text, asset);
  if (!m.ok()) {
    return LineError(
        kStatementAmountInvalid, line_no,
        "amount '" + std::string(text.substr(0, 40)) + "': " + std::string(m.status().code()));
  }
  out.value = *m;
  // Far beyond any real movement; keeps every total of a file within u128.
  if (out.value.minor() > kAmountMinorMax) {
    return LineError(kStatementAmountInvalid, line_no, "amount implausibly large");
  }
  if (out.value.is_zero()) out.negative = false;
  return out;
}

namespace {

// Parses exactly `n` digits at s[pos..]; -1 when not digits.
int Digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

Result<std::int64_t> ShanghaiMidnight(int year, int month, int day, std::uint32_t line_no) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 || day > kDays[month - 1] ||
      (month == 2 && day == 29 && !leap)) {
    return LineError(kStatementMalformed, line_no, "impossible date");
  }
  const std::int64_t days = domain::DaysFromCivil(
      {year, static_cast<std::uint32_t>(month), static_cast<std::uint32_t>(day)});
  return days * kNsPerDay - 8LL * 3'600'000'000'000;
}

Result<std::int64_t> ParseShanghaiTime(std::string_view text, std::uint32_t line_no) {
  const std::string_view t = Trim(text);
  const bool sep_ok = t.size() >= 10 && (t[4] == '-' || t[4] == '/') && t[7] == t[4];
  const int y = Digits(t, 0, 4), mo = Digits(t, 5, 2), d = Digits(t, 8, 2);
  if (!sep_ok || y < 0 || mo < 0 || d < 0 || (t.size() != 10 && t.size() != 19)) {
    return LineError(kStatementMalformed, line_no,
                     "time '" + std::string(t.substr(0, 40)) + "' is not YYYY-MM-DD[ hh:mm:ss]");
  }
  ASSIGN_OR_RETURN(std::int64_t ns, ShanghaiMidnight(y, mo, d, line_no));
  if (t.size() == 19) {
    const int h = Digits(t, 11, 2), mi = Digits(t, 14, 2), s = Digits(t, 17, 2);
    if ((t[10] != ' ' && t[10] != 'T') || t[13] != ':' || t[16] != ':' || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || s < 0 || s > 59) {
      return LineError(kStatementMalformed, line_no, "bad time of day");
    }
    ns += ((static_cast<std::int64_t>(h) * 60 + mi) * 60 + s) * 1'000'000'000;
  }
  return ns;
}

int ColumnIndex(const std::vector<std::string>& header, std::string_view name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string_view SourceName(Source s) {
  switch (s) {
    case Source::kAlipay:
      return "alipay";
    case Source::kWechatPay:
      return "wechatpay";
    case Source::kCamt053:
      return "camt053";
    case Source::kMt940:
      return "mt940";
    case Source::kCsv:
      return "csv";
  }
  return "unknown";
}

std::optional<Source> SourceFromName(std::string_view name) {
  for (Source s :
       {Source::kAlipay, Source::kWechatPay, Source::kCamt053, Source::kMt940, Source::kCsv}) {
    if (SourceName(s) == name) return s;
  }
  return std::nullopt;
}

Result<Header> ParseStatement(Source source, std::istream& in, const LineSink& sink,
                              const ParseOptions& opts) {
  switch (source) {
    case Source::kAlipay:
      return ParseAlipay(in, sink, opts);
    case Source::kWechatPay:
      return ParseWechatPay(in, sink, opts);
    case Source::kCamt053:
      return ParseCamt053(in, sink, opts);
    case Source::kMt940:
      return ParseMt940(in, sink, opts);
    case Source::kCsv:
      return ParseCsv(in, sink, opts);
  }
  return Status::Error(codes::kInvalidArgument, "unknown statement source");
}

Result<Header> ParseStatementFile(Source source, const std::string& path, const LineSink& sink,
                                  ParseOptions opts) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(codes::kIoError, "cannot open " + path);
  if (opts.file_name.empty()) opts.file_name = path;
  return ParseStatement(source, in, sink, opts);
}

}  // namespace folio::statements
