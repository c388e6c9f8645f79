#include "adapters/statements/text.h"

#include <fstream>

#include "adapters/statements/gbk.h"
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

Result<CurrencyInfo> CurrencyAt(std::string_view code, std::uint32_t line_no) {
  auto c = FindCurrency(code);
  if (!c) {
    return LineError(kStatementAmountInvalid, line_no,
                     "unknown currency '" + std::string(code.substr(0, 8)) + "'");
  }
  return *c;
}

Result<SignedMoney> ParseSignedAmount(std::string_view text, const CurrencyInfo& currency,
                                      std::uint32_t line_no, std::size_t fraction_digits_max) {
  SignedMoney out;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    out.negative = text.front() == '-';
    text.remove_prefix(1);
  }
  auto a = Amount::Parse(text, currency, fraction_digits_max);
  if (!a.ok()) return LineError(a.status().code(), line_no, a.status().message());
  out.value = *a;
  if (out.value.is_zero()) out.negative = false;
  return out;
}

Result<SignedMoney> ParseSignedAmount(std::string_view text, Asset asset, std::uint32_t line_no) {
  ASSIGN_OR_RETURN(CurrencyInfo c, CurrencyAt(AssetCode(asset), line_no));
  return ParseSignedAmount(text, c, line_no, kFractionDigitsDefault);
}

bool ValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    const std::uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

std::string Cp1252ToUtf8(std::string_view s) {
  // 0x80-0x9F of Windows-1252; 0 where the code page has no character.
  static constexpr std::uint16_t kHigh[32] = {
      0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    std::uint32_t cp = c;
    if (c >= 0x80 && c < 0xA0) cp = kHigh[c - 0x80] != 0 ? kHigh[c - 0x80] : 0xFFFD;
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

BillDecoder::BillDecoder() = default;
BillDecoder::~BillDecoder() { delete static_cast<GbkDecoder*>(gbk_); }

Status BillDecoder::Decode(std::string_view raw, std::uint32_t line_no, std::string* utf8) {
  if (raw.find('\0') != std::string_view::npos) {
    return LineError(kStatementEncoding, line_no, "a NUL byte: UTF-16 or binary, not a bill");
  }
  if (mode_ == 0) {
    bool ascii = true;
    for (char c : raw) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (!ascii) mode_ = ValidUtf8(raw) ? 1 : 2;
  }
  if (mode_ == 2) {
    if (gbk_ == nullptr) gbk_ = new GbkDecoder();
    if (!static_cast<GbkDecoder*>(gbk_)->Decode(raw, utf8)) {
      return LineError(kStatementEncoding, line_no, "neither valid UTF-8 nor valid GBK");
    }
    return OkStatus();
  }
  if (!ValidUtf8(raw)) {
    return LineError(kStatementEncoding, line_no, "not valid UTF-8 (the file began as UTF-8)");
  }
  utf8->assign(raw);
  return OkStatus();
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
  return domain::ShanghaiDayStartNs(
      {year, static_cast<std::uint32_t>(month), static_cast<std::uint32_t>(day)});
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
    case Source::kUnionPay:
      return "unionpay";
  }
  return "unknown";
}

std::optional<Source> SourceFromName(std::string_view name) {
  for (Source s : {Source::kAlipay, Source::kWechatPay, Source::kCamt053, Source::kMt940,
                   Source::kCsv, Source::kUnionPay}) {
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
    case Source::kUnionPay:
      return ParseUnionPay(in, sink, opts);
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
