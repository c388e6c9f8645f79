// SWIFT MT940 customer statement, the tags a reconciliation needs:
//
//   :20: ref  :25: account  :28C: number
//   :60F: | :60M:  D|C YYMMDD CCY amount        opening balance (first one counts)
//   :61:  YYMMDD [MMDD] D|C|RD|RC [funds code] amount type(4) customer-ref [//bank-ref]
//         [continuation line: supplementary details]
//   :86:  information to account owner (may continue on further lines)
//   :62F: | :62M:  D|C YYMMDD CCY amount        closing balance (last one counts)
//
// Amounts use a decimal comma ("1000,00", "5,"). Lines of the SWIFT block
// wrapper ("{1:...}{2:...}{4:", "-}") are skipped. No :62F: is truncated.
#include "adapters/statements/text.h"

namespace folio::statements {
namespace {

struct Balance {
  Money amount;
  bool debit = false;
  std::int64_t date_ns = 0;
  Asset asset = Asset::Unknown;
};

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<std::int64_t> Yymmdd(std::string_view s, std::uint32_t no) {
  if (s.size() != 6 || !AllDigits(s)) return LineError(kStatementMalformed, no, "bad YYMMDD date");
  const int y = 2000 + (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[2] - '0') * 10 + (s[3] - '0');
  const int d = (s[4] - '0') * 10 + (s[5] - '0');
  return ShanghaiMidnight(y, m, d, no);
}

Result<Money> CommaAmount(std::string_view s, Asset asset, std::uint32_t no) {
  std::string t(s);
  const std::size_t comma = t.find(',');
  if (comma == std::string::npos || t.find(',', comma + 1) != std::string::npos ||
      t.find('.') != std::string::npos) {
    return LineError(kStatementAmountInvalid, no, "amount needs exactly one decimal comma");
  }
  if (comma + 1 == t.size()) {
    t.pop_back();
  } else {
    t[comma] = '.';
  }
  ASSIGN_OR_RETURN(SignedMoney m, ParseSignedAmount(t, asset, no));
  if (m.negative) return LineError(kStatementAmountInvalid, no, "signed amount");
  return m.value;
}

Result<Balance> ReadBalance(std::string_view v, std::uint32_t no) {
  if (v.size() < 1 + 6 + 3 + 2 || (v[0] != 'C' && v[0] != 'D')) {
    return LineError(kStatementMalformed, no, "balance is not D|C YYMMDD CCY amount");
  }
  Balance b;
  b.debit = v[0] == 'D';
  ASSIGN_OR_RETURN(b.date_ns, Yymmdd(v.substr(1, 6), no));
  auto asset = AssetFromCode(v.substr(7, 3));
  if (!asset) return LineError(kStatementAmountInvalid, no, "unknown currency");
  b.asset = *asset;
  ASSIGN_OR_RETURN(b.amount, CommaAmount(v.substr(10), b.asset, no));
  return b;
}

Result<Line> ReadEntry(std::string_view v, Asset asset, std::uint32_t no) {
  Line l;
  l.line_no = no;
  if (v.size() < 6) return LineError(kStatementMalformed, no, ":61: too short");
  ASSIGN_OR_RETURN(const std::int64_t value_ns, Yymmdd(v.substr(0, 6), no));
  std::size_t p = 6;
  l.booked_at_ns = value_ns;
  if (v.size() >= p + 4 && AllDigits(v.substr(p, 4))) {
    const int m = (v[p] - '0') * 10 + (v[p + 1] - '0');
    const int d = (v[p + 2] - '0') * 10 + (v[p + 3] - '0');
    const int vy = 2000 + (v[0] - '0') * 10 + (v[1] - '0');
    const int vm = (v[2] - '0') * 10 + (v[3] - '0');
    const int y = m < vm - 6 ? vy + 1 : (m > vm + 6 ? vy - 1 : vy);
    ASSIGN_OR_RETURN(l.booked_at_ns, ShanghaiMidnight(y, m, d, no));
    p += 4;
  }
  if (v.substr(p, 2) == "RC" || v.substr(p, 2) == "RD") {
    l.is_debit = v[p + 1] == 'C';  // a reversal of a credit takes money out
    l.status = "reversal";
    p += 2;
  } else if (p < v.size() && (v[p] == 'C' || v[p] == 'D')) {
    l.is_debit = v[p] == 'D';
    ++p;
  } else {
    return LineError(kStatementMalformed, no, ":61: needs C, D, RC or RD");
  }
  if (p < v.size() && v[p] >= 'A' && v[p] <= 'Z') ++p;  // funds code
  const std::size_t amount_start = p;
  while (p < v.size() && ((v[p] >= '0' && v[p] <= '9') || v[p] == ',')) ++p;
  ASSIGN_OR_RETURN(l.amount, CommaAmount(v.substr(amount_start, p - amount_start), asset, no));
  if (v.size() < p + 4 || (v[p] != 'N' && v[p] != 'F' && v[p] != 'S')) {
    return LineError(kStatementMalformed, no, ":61: needs a transaction type (N/F/S + 3)");
  }
  p += 4;
  const std::string_view refs = v.substr(p);
  const std::size_t slash = refs.find("//");
  l.order_ref = std::string(Trim(refs.substr(0, slash)));
  if (l.order_ref == "NONREF") l.order_ref.clear();
  if (slash != std::string_view::npos) l.reference = std::string(Trim(refs.substr(slash + 2)));
  if (l.reference.empty()) l.reference = l.order_ref;
  if (l.reference.empty()) return LineError(kStatementMalformed, no, ":61: without a reference");
  return l;
}

}  // namespace

Result<Header> ParseMt940(std::istream& in, const LineSink& sink, const ParseOptions& opts) {
  Header h;
  h.asset = opts.default_asset;
  LineReader reader(in, opts.line_bytes_max);
  std::string text;
  Status err;
  std::optional<Line> entry;  // the :61: waiting for its :86:
  std::string last_tag;
  bool saw_open = false, saw_close = false;
  auto flush = [&]() -> Status {
    if (!entry) return OkStatus();
    ++h.lines;
    Status s = sink(*entry);
    entry.reset();
    return s;
  };
  while (reader.Next(&text, &err)) {
    const std::uint32_t no = reader.line_no();
    if (no == 1) StripBom(text);
    const std::string_view t = Trim(text);
    if (t.empty() || t[0] == '{' || t == "-" || t == "-}") continue;
    if (t[0] != ':') {
      if (last_tag == "61" || last_tag == "86") {
        if (entry && entry->description.size() < 4096) {
          entry->description += (entry->description.empty() ? "" : " ") + std::string(t);
        }
        continue;
      }
      if (last_tag.empty()) return LineError(kStatementMalformed, no, "not an MT940 field");
      continue;  // continuation of a field we do not use
    }
    const std::size_t colon = t.find(':', 1);
    if (colon == std::string_view::npos || colon == 1 || colon > 5) {
      return LineError(kStatementMalformed, no, "bad tag");
    }
    last_tag = std::string(t.substr(1, colon - 1));
    const std::string_view v = t.substr(colon + 1);
    if (last_tag != "86") RETURN_IF_ERROR(flush());
    if (last_tag == "25") {
      h.account = std::string(v);
    } else if (last_tag == "60F" || last_tag == "60M") {
      ASSIGN_OR_RETURN(Balance b, ReadBalance(v, no));
      if (!saw_open) {
        if (b.debit) return LineError(kStatementAmountInvalid, no, "overdrawn opening balance");
        h.opening = b.amount;
        h.asset = b.asset;
        h.period_start_ns = b.date_ns;
        saw_open = true;
      }
    } else if (last_tag == "62F" || last_tag == "62M") {
      if (!saw_open) return LineError(kStatementMalformed, no, "closing balance before opening");
      ASSIGN_OR_RETURN(Balance b, ReadBalance(v, no));
      if (b.asset != h.asset) return LineError(kStatementAmountInvalid, no, "currency changes");
      h.closing = b.amount;
      h.closing_is_debit = b.debit;
      h.period_end_ns = b.date_ns + kNsPerDay;
      saw_close = true;
    } else if (last_tag == "61") {
      if (!saw_open) return LineError(kStatementMalformed, no, ":61: before :60F:");
      ASSIGN_OR_RETURN(Line l, ReadEntry(v, h.asset, no));
      entry = std::move(l);
    } else if (last_tag == "86") {
      if (entry) entry->description = std::string(v.substr(0, 4096));
    }
  }
  if (!err.ok()) return err;
  RETURN_IF_ERROR(flush());
  if (!saw_open)
    return LineError(kStatementMalformed, reader.line_no(), "no :60F: opening balance");
  if (!saw_close)
    return LineError(kStatementTruncated, reader.line_no(), "no :62F: closing balance");
  h.has_balances = true;
  return h;
}

}  // namespace folio::statements
