// SWIFT MT940 customer statements (and MT942 interim reports), as banks
// send them:
//
//   file      := (preamble | block-header | statement | "-" | "-}" | blank)*
//   preamble  := any line before a statement's first tag ("ABNANL2A", "940")
//   block-header := "{1:...}{2:...}{3:{...}}{4:" [tag line]   ("-}" ends it)
//   statement := :20: ref [:21:] :25: account (:28: | :28C:) number
//                (:60F: | :60M:) balance  (:61: entry [:86: info])*
//                (:62F: | :62M:) balance  [:64:] [:65:]* [:86:]
//              | MT942: :20: :25: :28C: :34F: :13D: (:61: [:86:])* :90D: :90C:
//   balance   := D|C YYMMDD CCY amount     (D: overdrawn)
//   :61:      := YYMMDD [MMDD] (C|D|RC|RD) [funds code] amount (N|F|S)xxx
//                [customer-ref] ["//" bank-ref] [newline supplementary details]
//   :86:      := free text over several lines, or structured sub-fields:
//                GVC "?20".."?29" / ">20" (German, Polish banks; SEPA keywords
//                EREF+ KREF+ MREF+ SVWZ+) or "/EREF/ /REMI/ /PREF/ ..." (Dutch)
//   amount    := digits "," [digits]    ("500," is 500; no bound on digits)
//
// Lines are CRLF or LF, UTF-8 or (when a line is not valid UTF-8) Windows-1252
// / Latin-1. Each statement is checked: opening + entries = closing (MT942:
// the :90D:/:90C: counts and sums), exactly. A file that ends inside a
// statement (no closing balance) is statement_truncated.
#include "adapters/statements/mt940_info.h"
#include "adapters/statements/text.h"

namespace folio::statements {
namespace {

constexpr std::size_t kMtFractionDigitsMax = 15;  // the amount field is 15 characters
constexpr std::size_t kFieldLinesMax = 64;

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Result<std::int64_t> Yymmdd(std::string_view s, std::uint32_t no) {
  if (s.size() != 6 || !AllDigits(s)) return LineError(kStatementMalformed, no, "bad YYMMDD date");
  const int yy = (s[0] - '0') * 10 + (s[1] - '0');
  const int y = yy >= 80 ? 1900 + yy : 2000 + yy;
  const int m = (s[2] - '0') * 10 + (s[3] - '0');
  const int d = (s[4] - '0') * 10 + (s[5] - '0');
  return ShanghaiMidnight(y, m, d, no);
}

Result<Amount> CommaAmount(std::string_view s, const CurrencyInfo& cur, std::uint32_t no) {
  std::string t(s);
  const std::size_t comma = t.find(',');
  if (comma == std::string::npos || comma == 0 || t.find(',', comma + 1) != std::string::npos) {
    return LineError(kStatementAmountInvalid, no,
                     "amount '" + t.substr(0, 20) + "' needs digits and one decimal comma");
  }
  if (comma + 1 == t.size()) {
    t.pop_back();  // "500," is 500
  } else {
    t[comma] = '.';
  }
  ASSIGN_OR_RETURN(SignedMoney m, ParseSignedAmount(t, cur, no, kMtFractionDigitsMax));
  if (m.negative) return LineError(kStatementAmountInvalid, no, "signed amount");
  return m.value;
}

struct Balance {
  SignedMoney amount;
  std::int64_t date_ns = 0;
};

Result<Balance> ReadBalance(std::string_view v, std::uint32_t no) {
  if (v.size() < 1 + 6 + 3 + 2 || (v[0] != 'C' && v[0] != 'D')) {
    return LineError(kStatementMalformed, no, "balance is not D|C YYMMDD CCY amount");
  }
  Balance b;
  b.amount.negative = v[0] == 'D';
  ASSIGN_OR_RETURN(b.date_ns, Yymmdd(v.substr(1, 6), no));
  ASSIGN_OR_RETURN(CurrencyInfo cur, CurrencyAt(v.substr(7, 3), no));
  ASSIGN_OR_RETURN(b.amount.value, CommaAmount(Trim(v.substr(10)), cur, no));
  if (b.amount.value.is_zero()) b.amount.negative = false;
  return b;
}

std::string NonRef(std::string_view s) {
  const std::string_view t = Trim(s);
  return t == "NONREF" ? std::string() : std::string(t);
}

// :61: (first line) into `l`; the currency is the statement's.
Status ReadEntry(std::string_view v, const CurrencyInfo& cur, std::uint32_t no, Line* l) {
  if (v.size() < 6) return LineError(kStatementMalformed, no, ":61: too short");
  ASSIGN_OR_RETURN(l->booked_at_ns, Yymmdd(v.substr(0, 6), no));
  std::size_t p = 6;
  if (v.size() >= p + 4 && AllDigits(v.substr(p, 4))) {
    const int m = (v[p] - '0') * 10 + (v[p + 1] - '0');
    const int d = (v[p + 2] - '0') * 10 + (v[p + 3] - '0');
    const int yy = (v[0] - '0') * 10 + (v[1] - '0');
    const int vy = yy >= 80 ? 1900 + yy : 2000 + yy;
    const int vm = (v[2] - '0') * 10 + (v[3] - '0');
    const int y = m < vm - 6 ? vy + 1 : (m > vm + 6 ? vy - 1 : vy);
    ASSIGN_OR_RETURN(l->booked_at_ns, ShanghaiMidnight(y, m, d, no));
    p += 4;
  }
  if (v.substr(p, 2) == "RC" || v.substr(p, 2) == "RD") {
    l->is_debit = v[p + 1] == 'C';  // the reversal of a credit takes money out
    l->is_reversal = true;
    p += 2;
  } else if (p < v.size() && (v[p] == 'C' || v[p] == 'D')) {
    l->is_debit = v[p] == 'D';
    ++p;
  } else {
    return LineError(kStatementMalformed, no, ":61: needs C, D, RC or RD");
  }
  if (p < v.size() && v[p] >= 'A' && v[p] <= 'Z') ++p;  // funds code (third letter of the currency)
  const std::size_t amount_start = p;
  while (p < v.size() && ((v[p] >= '0' && v[p] <= '9') || v[p] == ',')) ++p;
  ASSIGN_OR_RETURN(l->amount, CommaAmount(v.substr(amount_start, p - amount_start), cur, no));
  if (v.size() < p + 4 || (v[p] != 'N' && v[p] != 'F' && v[p] != 'S')) {
    return LineError(kStatementMalformed, no, ":61: needs a transaction type (N/F/S + 3)");
  }
  l->status = std::string(v.substr(p, 4));
  p += 4;
  const std::string_view refs = v.substr(p);
  const std::size_t slash = refs.find("//");
  // SWIFT bounds both references to 16 characters; banks exceed it, so the
  // whole sub-field is kept.
  l->order_ref = NonRef(refs.substr(0, slash));
  if (slash != std::string_view::npos) l->reference = NonRef(refs.substr(slash + 2));
  if (l->reference.empty()) l->reference = l->order_ref;
  return OkStatus();
}

class Mt940Parser {
 public:
  Mt940Parser(std::istream& in, const LineSink& sink, const ParseOptions& opts)
      : reader_(in, opts.line_bytes_max), sink_(sink) {}
  Result<Header> Run();

 private:
  struct Stmt {
    std::string ref, number, id;
    std::uint32_t line_no = 0;
    std::optional<Balance> opening, closing;
    std::optional<CurrencyInfo> currency;
    ExactSum sum;
    std::uint32_t debits = 0, credits = 0;
    ExactSum debit_sum, credit_sum;
    std::vector<std::string> mt942;  // :90D: / :90C: values
    std::string problem;
  };
  Status Field(const std::string& tag, std::vector<std::string>& lines, std::uint32_t no);
  Status FlushEntry();
  Status EndStmt(std::uint32_t no, bool at_end);
  void BeginStmt(std::uint32_t no);
  Status Check(Stmt& st, std::uint32_t no);
  // Strips SWIFT block headers {1:..}{2:..}{3:{..}}, keeping what follows {4:.
  static void StripBlocks(std::string* line);

  LineReader reader_;
  const LineSink& sink_;
  Header h_;
  std::optional<Stmt> st_;
  std::optional<Line> entry_;
  std::vector<std::string> entry_info_;
  std::int64_t period_from_ns_ = INT64_MAX, period_to_ns_ = INT64_MIN;
};

void Mt940Parser::StripBlocks(std::string* line) {
  std::string_view t = *line;
  while (t.size() >= 3 && t[0] == '{' && t[2] == ':') {
    if (t[1] == '4') {
      t.remove_prefix(3);
      break;
    }
    int depth = 0;
    std::size_t i = 0;
    for (; i < t.size(); ++i) {
      if (t[i] == '{') ++depth;
      if (t[i] == '}' && --depth == 0) break;
    }
    t.remove_prefix(std::min(i + 1, t.size()));
  }
  *line = std::string(t);
}

void Mt940Parser::BeginStmt(std::uint32_t no) {
  st_ = Stmt{};
  st_->line_no = no;
  ++h_.statements;
}

Status Mt940Parser::FlushEntry() {
  if (!entry_) return OkStatus();
  ApplyInfo(ParseInfo(entry_info_), &*entry_);
  entry_info_.clear();
  Line l = std::move(*entry_);
  entry_.reset();
  Stmt& st = *st_;
  l.statement_id = st.id;
  if (!st.sum.Add(l.amount, l.is_debit) && st.problem.empty()) {
    st.problem = "the entries do not add up in one currency";
  }
  (l.is_debit ? st.debit_sum : st.credit_sum).Add(l.amount, false);
  ++(l.is_debit ? st.debits : st.credits);
  ++h_.lines;
  return sink_(l);
}

Status Mt940Parser::Field(const std::string& tag, std::vector<std::string>& lines,
                          std::uint32_t no) {
  const std::string_view v = lines.empty() ? std::string_view() : Trim(lines[0]);
  if (tag != "86") RETURN_IF_ERROR(FlushEntry());
  if (tag == "20") {
    if (st_) RETURN_IF_ERROR(EndStmt(no, false));
    if (h_.statements >= kStatementsPerFileMax) {
      return LineError(kStatementTooLarge, no, "too many statements in one file");
    }
    BeginStmt(no);
    st_->ref = std::string(v);
    st_->id = st_->ref;
    return OkStatus();
  }
  if (!st_) BeginStmt(no);  // a bank that leaves out :20:
  Stmt& st = *st_;
  if (tag == "25") {
    if (h_.account.empty()) h_.account = std::string(v);
  } else if (tag == "28" || tag == "28C") {
    st.number = std::string(v);
    st.id = st.ref + "/" + st.number;
  } else if (tag == "60F" || tag == "60M") {
    ASSIGN_OR_RETURN(Balance b, ReadBalance(v, no));
    if (!st.opening) {
      st.currency = FindCurrency(b.amount.value.currency());
      st.opening = b;
    }
  } else if (tag == "62F" || tag == "62M") {
    if (!st.opening) return LineError(kStatementMalformed, no, "closing balance before opening");
    ASSIGN_OR_RETURN(st.closing, ReadBalance(v, no));
  } else if (tag == "34F") {
    if (v.size() >= 3 && !st.currency) {
      ASSIGN_OR_RETURN(CurrencyInfo c, CurrencyAt(v.substr(0, 3), no));
      st.currency = c;
    }
  } else if (tag == "90D" || tag == "90C") {
    st.mt942.push_back(tag + ":" + std::string(v));
  } else if (tag == "61") {
    if (!st.currency) return LineError(kStatementMalformed, no, ":61: before :60F: or :34F:");
    Line l;
    l.line_no = no;
    RETURN_IF_ERROR(ReadEntry(v, *st.currency, no, &l));
    for (std::size_t i = 1; i < lines.size(); ++i) {  // supplementary details
      l.description += (l.description.empty() ? "" : " ") + std::string(Trim(lines[i]));
    }
    entry_ = std::move(l);
  } else if (tag == "86" && entry_) {
    entry_info_ = std::move(lines);
  }
  return OkStatus();
}

Result<Header> Mt940Parser::Run() {
  std::string text, tag;
  std::vector<std::string> field;
  std::uint32_t field_no = 0;
  Status err;
  while (reader_.Next(&text, &err)) {
    const std::uint32_t no = reader_.line_no();
    if (text.find('\0') != std::string::npos) {
      return LineError(kStatementEncoding, no, "a NUL byte: UTF-16 or binary, not MT940");
    }
    if (no == 1) StripBom(text);
    if (!ValidUtf8(text)) text = Cp1252ToUtf8(text);
    if (!text.empty() && text[0] == '{') StripBlocks(&text);
    const std::string_view t = Trim(text);
    const bool ends = t == "-" || t == "-}" || t.rfind("-}", 0) == 0;
    const std::size_t colon = t.size() > 3 && t[0] == ':' ? t.find(':', 1) : std::string_view::npos;
    const bool is_tag = colon != std::string_view::npos && colon >= 3 && colon <= 4 &&
                        t[1] >= '0' && t[1] <= '9' && t[2] >= '0' && t[2] <= '9';
    if (is_tag || ends) {
      if (!tag.empty()) RETURN_IF_ERROR(Field(tag, field, field_no));
      tag.clear();
      field.clear();
    }
    if (ends) {
      RETURN_IF_ERROR(FlushEntry());
      if (st_) RETURN_IF_ERROR(EndStmt(no, false));
    } else if (is_tag) {
      tag = std::string(t.substr(1, colon - 1));
      field.emplace_back(t.substr(colon + 1));
      field_no = no;
    } else if (!tag.empty() && !t.empty() && field.size() < kFieldLinesMax) {
      field.emplace_back(text);  // a continuation keeps its leading spaces
    }
  }
  if (!err.ok()) return err;
  if (!tag.empty()) RETURN_IF_ERROR(Field(tag, field, field_no));
  RETURN_IF_ERROR(FlushEntry());
  if (st_) RETURN_IF_ERROR(EndStmt(reader_.line_no(), true));
  if (h_.statements == 0) {
    return LineError(kStatementMalformed, reader_.line_no(), "no MT940 statement (:20: ... :62F:)");
  }
  if (auto c = FindCurrency(h_.currency)) h_.asset = c->ledger_asset;
  if (period_from_ns_ != INT64_MAX && period_from_ns_ <= period_to_ns_) {
    h_.period_start_ns = period_from_ns_;
    h_.period_end_ns = period_to_ns_;
  }
  return h_;
}

Status Mt940Parser::EndStmt(std::uint32_t no, bool at_end) {
  Stmt& st = *st_;
  const bool mt942 = !st.mt942.empty() || (!st.opening && st.currency);
  if (!mt942 && !st.closing) {
    return LineError(kStatementTruncated, no,
                     "statement " + st.id + (at_end ? ": the file ends" : ": it ends") +
                         " without a :62F: closing balance");
  }
  RETURN_IF_ERROR(Check(st, no));
  st_.reset();
  return OkStatus();
}

// MT942 ":90D:" value: count, currency, sum ("3PLN0,03").
bool Mt942Total(const std::string& v, std::uint32_t count, const ExactSum& sum, std::uint32_t no) {
  std::size_t p = 0;
  while (p < v.size() && v[p] >= '0' && v[p] <= '9') ++p;
  if (p == 0 || p > 9 || v.size() < p + 4) return false;
  auto cur = FindCurrency(v.substr(p, 3));
  if (!cur || static_cast<std::uint32_t>(std::stoul(v.substr(0, p))) != count) return false;
  auto amount = CommaAmount(v.substr(p + 3), *cur, no);
  return amount.ok() && (count == 0 ? amount->is_zero() : sum.Equals(*amount, false));
}

Status Mt940Parser::Check(Stmt& st, std::uint32_t no) {
  StatementCheck c;
  c.statement_id = st.id;
  c.line_no = st.line_no;
  if (h_.statements == 1 && st.currency) h_.currency = std::string(st.currency->code);
  if (st.opening && st.closing) {
    if (h_.statements == 1) {
      h_.opening = st.opening->amount.value;
      h_.opening_is_debit = st.opening->amount.negative;
    }
    h_.closing = st.closing->amount.value;
    h_.closing_is_debit = st.closing->amount.negative;
    h_.has_balances = true;
    period_from_ns_ = std::min(period_from_ns_, st.opening->date_ns);
    period_to_ns_ = std::max(period_to_ns_, st.closing->date_ns + kNsPerDay);
    ExactSum total = st.sum;
    const bool added = total.Add(st.opening->amount.value, st.opening->amount.negative);
    const Balance& cl = *st.closing;
    c.consistent = added && st.problem.empty() && total.Equals(cl.amount.value, cl.amount.negative);
    c.note = "statement " + st.id + ": opening " + (st.opening->amount.negative ? "-" : "") +
             st.opening->amount.value.ToDisplay() + " + entries " + st.sum.ToString() + " = " +
             total.ToString() + "; closing " + (cl.amount.negative ? "-" : "") +
             cl.amount.value.ToDisplay() + (st.problem.empty() ? "" : "; " + st.problem);
  } else {
    c.note = "statement " + st.id + " (MT942):";
    for (const std::string& t : st.mt942) {
      const bool debit = t.rfind("90D", 0) == 0;
      const bool ok = Mt942Total(t.substr(4), debit ? st.debits : st.credits,
                                 debit ? st.debit_sum : st.credit_sum, no);
      c.consistent = c.consistent && ok;
      c.note += " " + t + (ok ? " agrees" : " differs from the entries");
    }
  }
  h_.checks.push_back(std::move(c));
  return OkStatus();
}

}  // namespace

Result<Header> ParseMt940(std::istream& in, const LineSink& sink, const ParseOptions& opts) {
  Mt940Parser p(in, sink, opts);
  return p.Run();
}

}  // namespace folio::statements
