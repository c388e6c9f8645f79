// Plain CSV statement, UTF-8 (a BOM is dropped), LF or CRLF, RFC 4180 quotes:
//
//   file    := comment* header row*
//   comment := "#" key ":" value      keys: account, currency, opening, closing,
//                                      period ("YYYY-MM-DD YYYY-MM-DD", end exclusive),
//                                      lines (row count; a mismatch is truncated)
//   header  := names, by name: date, amount (required); reference, order_ref, fee,
//              direction (C|D|credit|debit), currency, status, description
//
// Without `direction` the amount's sign tells: negative is money out.
#include <algorithm>
#include <vector>

#include "adapters/statements/text.h"

namespace folio::statements {
namespace {

struct Columns {
  int date = -1, amount = -1, reference = -1, order = -1, fee = -1, direction = -1, currency = -1,
      status = -1, description = -1;
};

Status ReadComment(std::string_view c, std::uint32_t no, Header* h, long long* lines,
                   std::string* opening, std::string* closing, CurrencyInfo* currency) {
  c.remove_prefix(1);
  const std::size_t colon = c.find(':');
  if (colon == std::string_view::npos) return OkStatus();  // a remark
  const std::string_view key = Trim(c.substr(0, colon)), value = Trim(c.substr(colon + 1));
  if (key == "account") {
    h->account = std::string(value);
  } else if (key == "currency") {
    ASSIGN_OR_RETURN(*currency, CurrencyAt(value, no));
    h->asset = currency->ledger_asset;
    h->currency = std::string(currency->code);
  } else if (key == "opening") {
    *opening = std::string(value);
  } else if (key == "closing") {
    *closing = std::string(value);
  } else if (key == "period") {
    const std::size_t sp = value.find(' ');
    if (sp == std::string_view::npos)
      return LineError(kStatementMalformed, no, "period: start end");
    ASSIGN_OR_RETURN(h->period_start_ns, ParseShanghaiTime(value.substr(0, sp), no));
    ASSIGN_OR_RETURN(h->period_end_ns, ParseShanghaiTime(Trim(value.substr(sp + 1)), no));
  } else if (key == "lines") {
    auto n = U128FromString(value);
    if (!n || *n > 1'000'000'000'000) return LineError(kStatementMalformed, no, "lines: count");
    *lines = static_cast<long long>(*n);
  }
  return OkStatus();
}

Result<Line> ReadRow(const std::vector<std::string>& f, const Columns& c, CurrencyInfo cur,
                     std::uint32_t no) {
  auto field = [&f](int i) {
    return i < 0 ? std::string_view() : Trim(f[static_cast<std::size_t>(i)]);
  };
  if (c.currency >= 0 && !field(c.currency).empty()) {
    ASSIGN_OR_RETURN(cur, CurrencyAt(field(c.currency), no));
  }
  auto parse = [&](std::string_view t) {
    return ParseSignedAmount(t, cur, no, kFractionDigitsDefault);
  };
  Line l;
  l.line_no = no;
  ASSIGN_OR_RETURN(l.booked_at_ns, ParseShanghaiTime(field(c.date), no));
  ASSIGN_OR_RETURN(SignedMoney amount, parse(field(c.amount)));
  l.amount = amount.value;
  l.is_debit = amount.negative;
  if (c.direction >= 0) {
    const std::string_view d = field(c.direction);
    if (amount.negative)
      return LineError(kStatementAmountInvalid, no, "signed amount with direction");
    if (d == "D" || d == "debit")
      l.is_debit = true;
    else if (d != "C" && d != "credit")
      return LineError(kStatementMalformed, no, "direction must be C or D");
  }
  if (c.fee >= 0 && !field(c.fee).empty()) {
    ASSIGN_OR_RETURN(SignedMoney fee, parse(field(c.fee)));
    l.fee = fee.value;
  } else {
    l.fee = *Amount::Parse("0", cur, 0);
  }
  l.reference = std::string(field(c.reference));
  l.order_ref = std::string(field(c.order));
  l.status = std::string(field(c.status));
  l.description = std::string(field(c.description));
  if (l.reference.empty()) l.reference = l.order_ref;
  return l;
}

}  // namespace

Result<Header> ParseCsv(std::istream& in, const LineSink& sink, const ParseOptions& opts) {
  Header h;
  h.asset = opts.default_asset;
  h.currency = std::string(AssetCode(opts.default_asset));
  h.statements = 1;
  ASSIGN_OR_RETURN(CurrencyInfo currency, CurrencyAt(h.currency, 0));
  LineReader reader(in, opts.line_bytes_max);
  std::string text, opening, closing;
  std::vector<std::string> fields;
  std::optional<Columns> cols;
  long long expected = -1;
  ExactSum sum;  // of the rows, for the balance check
  Status err;
  while (reader.Next(&text, &err)) {
    const std::uint32_t no = reader.line_no();
    if (no == 1) StripBom(text);
    if (Trim(text).empty()) continue;
    if (text[0] == '#') {
      RETURN_IF_ERROR(ReadComment(text, no, &h, &expected, &opening, &closing, &currency));
      continue;
    }
    if (!SplitCsv(text, &fields)) return LineError(kStatementMalformed, no, "open quote");
    if (!cols) {
      for (std::string& f : fields) f = std::string(Trim(f));
      Columns c;
      c.date = ColumnIndex(fields, "date");
      c.amount = ColumnIndex(fields, "amount");
      c.reference = ColumnIndex(fields, "reference");
      c.order = ColumnIndex(fields, "order_ref");
      c.fee = ColumnIndex(fields, "fee");
      c.direction = ColumnIndex(fields, "direction");
      c.currency = ColumnIndex(fields, "currency");
      c.status = ColumnIndex(fields, "status");
      c.description = ColumnIndex(fields, "description");
      if (c.date < 0) return LineError(kStatementMissingColumn, no, "no column date");
      if (c.amount < 0) return LineError(kStatementMissingColumn, no, "no column amount");
      if (c.reference < 0 && c.order < 0) {
        return LineError(kStatementMissingColumn, no, "no column reference or order_ref");
      }
      cols = c;
      continue;
    }
    const int widest = std::max({cols->date, cols->amount, cols->reference, cols->order, cols->fee,
                                 cols->direction, cols->currency, cols->status, cols->description});
    if (fields.size() < static_cast<std::size_t>(widest) + 1) {
      return LineError(kStatementMalformed, no, "too few fields");
    }
    ASSIGN_OR_RETURN(Line l, ReadRow(fields, *cols, currency, no));
    if (l.reference.empty()) return LineError(kStatementMalformed, no, "row without a reference");
    sum.Add(l.amount, l.is_debit);
    ++h.lines;
    RETURN_IF_ERROR(sink(l));
  }
  if (!err.ok()) return err;
  if (!cols) return LineError(kStatementTruncated, reader.line_no(), "no header row");
  if (expected >= 0 && expected != static_cast<long long>(h.lines)) {
    return LineError(
        kStatementTruncated, reader.line_no(),
        "lines: says " + std::to_string(expected) + ", the file has " + std::to_string(h.lines));
  }
  if (!opening.empty() || !closing.empty()) {
    ASSIGN_OR_RETURN(SignedMoney o, ParseSignedAmount(opening, currency, reader.line_no(),
                                                      kFractionDigitsDefault));
    ASSIGN_OR_RETURN(SignedMoney c, ParseSignedAmount(closing, currency, reader.line_no(),
                                                      kFractionDigitsDefault));
    h.opening = o.value;
    h.opening_is_debit = o.negative;
    h.closing = c.value;
    h.closing_is_debit = c.negative;
    h.has_balances = true;
    StatementCheck check;
    check.statement_id = h.account;
    ExactSum total = sum;
    check.consistent = total.Add(o.value, o.negative) && total.Equals(c.value, c.negative);
    check.note = "opening " + opening + " + rows " + sum.ToString() + " = " + total.ToString() +
                 "; closing " + closing;
    h.checks.push_back(std::move(check));
  }
  return h;
}

}  // namespace folio::statements
