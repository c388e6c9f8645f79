// ISO 20022 camt.053 (BankToCustomerStatement), versions 001.02 to 001.13,
// the subset a reconciliation needs, read with the streaming XmlReader:
//
//   Document (xmlns urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN, 02..13;
//             another message or version is refused; no namespace is read as is)
//   /BkToCstmrStmt/Stmt*                               (several per file)
//     Id, CreDtTm, Acct/Id/(IBAN | Othr/Id), Acct/Ccy
//     FrToDt/FrDtTm, FrToDt/ToDtTm                     (optional period)
//     Bal*: Tp/CdOrPrtry/(Cd | Prtry), Amt@Ccy, CdtDbtInd, Dt/(Dt | DtTm)
//           OPBD or PRCD (or a first ITBD) opens, CLBD (or a last ITBD) closes;
//           OPAV, CLAV, FWAV, ITAV, INFO, ... are read and not checked
//     Ntry*: NtryRef, Amt@Ccy (up to 5 fraction digits), CdtDbtInd, RvslInd,
//            Sts (text, or Sts/Cd) BOOK | PDNG | INFO, BookgDt, ValDt,
//            AcctSvcrRef, AddtlNtryInf,
//            NtryDtls/TxDtls*: Refs/(EndToEndId | TxId | InstrId | ...),
//                              Amt | AmtDtls/TxAmt/Amt, CdtDbtInd,
//                              RmtInf/(Ustrd | Strd/CdtrRefInf/Ref), AddtlTxInf
//
// A batched entry (two or more TxDtls, each with its own amount, adding up to
// the entry) gives one line per TxDtls; otherwise the entry is one line
// carrying every TxDtls reference. Entries that are not booked are delivered
// with booked = false. Each statement is checked: opening + booked entries =
// closing, exactly, in its currency (Header::checks). One Ntry is held at a
// time.
#include <map>

#include "adapters/json/rfc3339.h"
#include "adapters/statements/text.h"
#include "adapters/statements/xml_reader.h"

namespace folio::statements {
namespace {

constexpr std::size_t kCamtFractionDigitsMax = 5;  // ActiveOrHistoricCurrencyAndAmount
constexpr std::size_t kBlockFieldsMax = 256;
constexpr std::size_t kTxPerEntryMax = 10'000;
constexpr std::string_view kIsoNs = "urn:iso:std:iso:20022:tech:xsd:";

// A Bal, an Ntry, or one TxDtls of an Ntry: leaf path below it -> text.
struct Block {
  std::map<std::string, std::string> fields;
  std::map<std::string, std::string> ccy;  // path of an Amt -> its Ccy attribute
  std::uint32_t line_no = 0;
  std::string Get(std::initializer_list<const char*> keys) const {
    for (const char* k : keys) {
      auto it = fields.find(k);
      if (it != fields.end() && !it->second.empty()) return it->second;
    }
    return {};
  }
};

struct Stmt {
  std::string id, account, currency, from_dt, to_dt;
  std::uint32_t line_no = 0;
  std::optional<SignedMoney> opening, closing;
  bool closing_is_itbd = false;
  std::int64_t open_ns = 0, close_ns = 0, last_entry_ns = 0;
  std::uint32_t entries = 0;
  ExactSum booked_sum;
  std::string sum_problem;
};

Result<std::int64_t> DateOf(const std::string& text, std::uint32_t no) {
  if (text.size() > 19) {
    if (auto ns = json::ParseRfc3339(text); ns.ok()) return *ns;
  }
  return ParseShanghaiTime(text.substr(0, std::min<std::size_t>(text.size(), 19)), no);
}

class CamtParser {
 public:
  CamtParser(std::istream& in, const LineSink& sink, const ParseOptions& opts)
      : xml_(in, opts.line_bytes_max), sink_(sink), opts_(opts) {}
  Result<Header> Run();

 private:
  Status OnStart(const XmlEvent& ev);
  Status OnText(const XmlEvent& ev);
  Status OnEnd();
  Status CheckNamespace(const XmlEvent& ev);
  Status EndBalance();
  Status EndEntry();
  Status EndStmt();
  Result<SignedMoney> AmountOf(const Block& b, const std::string& key, const std::string& ind,
                               std::uint32_t no);
  Status Deliver(Line l);

  XmlReader xml_;
  const LineSink& sink_;
  const ParseOptions& opts_;
  Header h_;
  std::vector<std::string> path_;  // local names from the root
  std::size_t block_at_ = 0;       // depth of the open Bal or Ntry (0: none)
  std::size_t tx_at_ = 0;          // depth of the open TxDtls (0: none)
  bool in_bal_ = false;
  Block block_;
  std::vector<Block> tx_;
  std::optional<Stmt> stmt_;
  std::int64_t period_from_ns_ = INT64_MAX, period_to_ns_ = INT64_MIN;
};

Status CamtParser::CheckNamespace(const XmlEvent& ev) {
  for (const auto& [name, value] : ev.attrs) {
    if (value.rfind(kIsoNs, 0) != 0) continue;
    const std::string msg = value.substr(kIsoNs.size());
    constexpr std::string_view kCamt053 = "camt.053.001.";
    if (msg.rfind(kCamt053, 0) != 0) {
      return LineError(kStatementMalformed, ev.line_no,
                       "not a camt.053 statement: " + msg.substr(0, 40));
    }
    const std::string v = msg.substr(kCamt053.size());
    const int version = v.size() == 2 && std::isdigit(static_cast<unsigned char>(v[0])) &&
                                std::isdigit(static_cast<unsigned char>(v[1]))
                            ? (v[0] - '0') * 10 + (v[1] - '0')
                            : -1;
    if (version < 2 || version > 13) {
      return LineError(kStatementMalformed, ev.line_no,
                       "camt.053 version " + v.substr(0, 8) + " is not one of 001.02 to 001.13");
    }
  }
  return OkStatus();
}

Status CamtParser::OnStart(const XmlEvent& ev) {
  path_.push_back(ev.name);
  const std::size_t d = path_.size();
  if (d == 1) return CheckNamespace(ev);
  if (d == 2 && ev.name != "BkToCstmrStmt") {
    return LineError(kStatementMalformed, ev.line_no,
                     "not a camt.053 statement: <" + ev.name.substr(0, 40) + ">");
  }
  if (d == 3 && ev.name == "Stmt") {
    if (++h_.statements > kStatementsPerFileMax) {
      return LineError(kStatementTooLarge, ev.line_no, "too many statements in one file");
    }
    stmt_ = Stmt{};
    stmt_->line_no = ev.line_no;
    return OkStatus();
  }
  if (d == 4 && stmt_ && (ev.name == "Bal" || ev.name == "Ntry")) {
    block_at_ = d;
    in_bal_ = ev.name == "Bal";
    block_ = Block{};
    block_.line_no = ev.line_no;
    tx_.clear();
    return OkStatus();
  }
  if (block_at_ != 0 && !in_bal_ && tx_at_ == 0 && ev.name == "TxDtls" && d >= block_at_ + 2 &&
      path_[d - 2] == "NtryDtls") {
    if (tx_.size() >= kTxPerEntryMax) {
      return LineError(kStatementTooLarge, ev.line_no, "too many TxDtls in one entry");
    }
    tx_at_ = d;
    tx_.emplace_back().line_no = ev.line_no;
    return OkStatus();
  }
  if (block_at_ != 0 && ev.name == "Amt") {
    Block& b = tx_at_ != 0 ? tx_.back() : block_;
    const std::size_t base = tx_at_ != 0 ? tx_at_ : block_at_;
    std::string key;
    for (std::size_t i = base; i < d; ++i) key += (key.empty() ? "" : "/") + path_[i];
    for (const auto& [k, v] : ev.attrs) {
      if (k == "Ccy") b.ccy[key] = v;
    }
  }
  return OkStatus();
}

Status CamtParser::OnText(const XmlEvent& ev) {
  if (!stmt_ || path_.size() < 4) return OkStatus();
  const std::size_t base = tx_at_ != 0 ? tx_at_ : (block_at_ != 0 ? block_at_ : 3);
  std::string key;
  for (std::size_t i = base; i < path_.size(); ++i) key += (key.empty() ? "" : "/") + path_[i];
  if (block_at_ == 0) {
    if (key == "Id") stmt_->id = ev.text;
    if (key == "Acct/Id/IBAN" || key == "Acct/Id/Othr/Id") stmt_->account = ev.text;
    if (key == "Acct/Ccy") stmt_->currency = ev.text;
    if (key == "FrToDt/FrDtTm") stmt_->from_dt = ev.text;
    if (key == "FrToDt/ToDtTm") stmt_->to_dt = ev.text;
    return OkStatus();
  }
  Block& b = tx_at_ != 0 ? tx_.back() : block_;
  std::string& v = b.fields[key];
  // A file declared ISO-8859-1 (some banks) carries Latin-1 bytes: kept as UTF-8.
  v += ValidUtf8(ev.text) ? ev.text : Cp1252ToUtf8(ev.text);
  if (v.size() > opts_.line_bytes_max || b.fields.size() > kBlockFieldsMax) {
    return LineError(kStatementTooLarge, ev.line_no, "entry too large");
  }
  return OkStatus();
}

Status CamtParser::OnEnd() {
  const std::size_t d = path_.size();
  Status s;
  if (tx_at_ != 0 && d == tx_at_) tx_at_ = 0;
  if (block_at_ != 0 && d == block_at_) {
    s = in_bal_ ? EndBalance() : EndEntry();
    block_at_ = 0;
  } else if (d == 3 && stmt_) {
    s = EndStmt();
  }
  path_.pop_back();
  return s;
}

Result<SignedMoney> CamtParser::AmountOf(const Block& b, const std::string& key,
                                         const std::string& ind, std::uint32_t no) {
  auto it = b.fields.find(key);
  if (it == b.fields.end()) return LineError(kStatementMalformed, no, "no " + key);
  auto c = b.ccy.find(key);
  std::string code = c != b.ccy.end() ? c->second : stmt_->currency;
  if (code.empty()) code = std::string(AssetCode(opts_.default_asset));
  ASSIGN_OR_RETURN(CurrencyInfo cur, CurrencyAt(code, no));
  ASSIGN_OR_RETURN(SignedMoney m, ParseSignedAmount(it->second, cur, no, kCamtFractionDigitsMax));
  if (m.negative) return LineError(kStatementAmountInvalid, no, "negative " + key);
  if (ind != "CRDT" && ind != "DBIT") {
    return LineError(kStatementMalformed, no, "CdtDbtInd must be CRDT or DBIT");
  }
  m.negative = ind == "DBIT";
  return m;
}

Status CamtParser::EndBalance() {
  const std::uint32_t no = block_.line_no;
  const std::string code = block_.Get({"Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry"});
  ASSIGN_OR_RETURN(SignedMoney m, AmountOf(block_, "Amt", block_.Get({"CdtDbtInd"}), no));
  const std::string date = block_.Get({"Dt/Dt", "Dt/DtTm"});
  std::int64_t at = 0;
  if (!date.empty()) {
    ASSIGN_OR_RETURN(at, DateOf(date, no));
  }
  Stmt& st = *stmt_;
  const bool opens =
      code == "OPBD" || code == "PRCD" || (code == "ITBD" && !st.opening && st.entries == 0);
  if (opens && (!st.opening || code == "OPBD")) {
    st.opening = m;
    st.open_ns = at;
  } else if (code == "CLBD" || (code == "ITBD" && (!st.closing || st.closing_is_itbd))) {
    st.closing = m;
    st.closing_is_itbd = code == "ITBD";
    st.close_ns = at;
  }
  return OkStatus();
}

// A line of the entry `e`, from TxDtls `tx` when given.
Line LineOf(const Block& e, const Block* tx, const std::string& stmt_id) {
  Line l;
  l.line_no = tx != nullptr ? tx->line_no : e.line_no;
  l.statement_id = stmt_id;
  l.status = e.Get({"Sts", "Sts/Cd", "Sts/Prtry"});
  l.booked = l.status.empty() || l.status == "BOOK";
  const std::string rvsl = e.Get({"RvslInd"});
  l.is_reversal = rvsl == "true" || rvsl == "1";
  l.reference = e.Get({"AcctSvcrRef", "NtryRef"});
  l.description = e.Get({"AddtlNtryInf"});
  if (tx != nullptr) {
    if (std::string r = tx->Get({"Refs/AcctSvcrRef"}); !r.empty()) l.reference = r;
    l.order_ref = tx->Get({"Refs/EndToEndId"});
    if (l.order_ref == "NOTPROVIDED") l.order_ref.clear();
    for (const char* k : {"Refs/TxId", "Refs/InstrId", "Refs/PmtInfId", "Refs/MsgId", "Refs/MndtId",
                          "Refs/ChqNb", "Refs/UETR", "RmtInf/Strd/CdtrRefInf/Ref"}) {
      if (std::string r = tx->Get({k}); !r.empty()) l.other_refs.push_back(std::move(r));
    }
    if (std::string d = tx->Get({"RmtInf/Ustrd", "AddtlTxInf"}); !d.empty()) l.description = d;
  }
  if (l.reference.empty()) l.reference = l.order_ref;
  if (l.reference.empty() && !l.other_refs.empty()) l.reference = l.other_refs.front();
  if (l.is_reversal) l.description = "reversal: " + l.description;
  return l;
}

Status CamtParser::Deliver(Line l) {
  Stmt& st = *stmt_;
  ++st.entries;
  st.last_entry_ns = std::max(st.last_entry_ns, l.booked_at_ns);
  if (l.booked && !st.booked_sum.Add(l.amount, l.is_debit) && st.sum_problem.empty()) {
    st.sum_problem = "line " + std::to_string(l.line_no) + " is in " +
                     std::string(l.amount.currency()) + " or the sum overflows";
  }
  ++h_.lines;
  return sink_(l);
}

Status CamtParser::EndEntry() {
  const Block& e = block_;
  const std::uint32_t no = e.line_no;
  ASSIGN_OR_RETURN(SignedMoney m, AmountOf(e, "Amt", e.Get({"CdtDbtInd"}), no));
  const std::string date = e.Get({"BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"});
  std::int64_t at = stmt_->close_ns != 0 ? stmt_->close_ns : stmt_->open_ns;
  if (!date.empty()) {
    ASSIGN_OR_RETURN(at, DateOf(date, no));
  }
  // A batch splits when every TxDtls has its own amount and they add up.
  bool split = tx_.size() >= 2;
  std::vector<SignedMoney> parts;
  ExactSum sum;
  for (const Block& tx : tx_) {
    if (!split) break;
    const std::string key = tx.fields.count("Amt") ? "Amt" : "AmtDtls/TxAmt/Amt";
    if (!tx.fields.count(key)) {
      split = false;
      break;
    }
    std::string ind = tx.Get({"CdtDbtInd"});
    if (ind.empty()) ind = e.Get({"CdtDbtInd"});
    ASSIGN_OR_RETURN(SignedMoney p, AmountOf(tx, key, ind, tx.line_no));
    split = sum.Add(p.value, p.negative);
    parts.push_back(p);
  }
  split = split && sum.Equals(m.value, m.negative);
  if (!split) {
    Line l = LineOf(e, tx_.size() == 1 ? &tx_[0] : nullptr, stmt_->id);
    for (std::size_t i = tx_.size() == 1 ? 1 : 0; i < tx_.size(); ++i) {
      for (const char* k : {"Refs/EndToEndId", "Refs/TxId", "Refs/AcctSvcrRef"}) {
        if (std::string r = tx_[i].Get({k}); !r.empty()) l.other_refs.push_back(std::move(r));
      }
    }
    l.amount = m.value;
    l.is_debit = m.negative;
    l.booked_at_ns = at;
    return Deliver(std::move(l));
  }
  for (std::size_t i = 0; i < tx_.size(); ++i) {
    Line l = LineOf(e, &tx_[i], stmt_->id);
    l.amount = parts[i].value;
    l.is_debit = parts[i].negative;
    l.booked_at_ns = at;
    RETURN_IF_ERROR(Deliver(std::move(l)));
  }
  return OkStatus();
}

Status CamtParser::EndStmt() {
  Stmt& st = *stmt_;
  StatementCheck c;
  c.statement_id = st.id;
  c.line_no = st.line_no;
  if (h_.statements == 1) {
    h_.account = st.account;
    h_.currency =
        st.currency.empty() && st.opening ? std::string(st.opening->value.currency()) : st.currency;
    if (st.opening) {
      h_.opening = st.opening->value;
      h_.opening_is_debit = st.opening->negative;
    }
  }
  if (st.closing) {
    h_.closing = st.closing->value;
    h_.closing_is_debit = st.closing->negative;
  }
  if (!st.opening || !st.closing) {
    c.note = "statement " + st.id + ": no opening and closing booked balance; not checked";
  } else {
    ExactSum total = st.booked_sum;
    const bool added = total.Add(st.opening->value, st.opening->negative);
    c.consistent =
        added && st.sum_problem.empty() && total.Equals(st.closing->value, st.closing->negative);
    c.note = "statement " + st.id + ": opening " + (st.opening->negative ? "-" : "") +
             st.opening->value.ToDisplay() + " + booked entries " + st.booked_sum.ToString() +
             " = " + total.ToString() + "; closing " + (st.closing->negative ? "-" : "") +
             st.closing->value.ToDisplay() + (st.sum_problem.empty() ? "" : "; " + st.sum_problem);
    h_.has_balances = true;
  }
  h_.checks.push_back(std::move(c));
  // The period: FrToDt when given, else the balance dates (end exclusive).
  std::int64_t from = st.open_ns, to = st.close_ns != 0 ? st.close_ns + kNsPerDay : 0;
  if (!st.from_dt.empty() && !st.to_dt.empty()) {
    ASSIGN_OR_RETURN(from, DateOf(st.from_dt, st.line_no));
    ASSIGN_OR_RETURN(to, DateOf(st.to_dt, st.line_no));
    if (st.to_dt.size() == 10) to += kNsPerDay;
  }
  if (from != 0 && to != 0) {
    period_from_ns_ = std::min(period_from_ns_, from);
    period_to_ns_ = std::max(period_to_ns_, to);
  }
  stmt_.reset();
  return OkStatus();
}

Result<Header> CamtParser::Run() {
  XmlEvent ev;
  Status err;
  while (xml_.Next(&ev, &err)) {
    Status s = ev.kind == XmlEvent::kStart  ? OnStart(ev)
               : ev.kind == XmlEvent::kText ? OnText(ev)
                                            : OnEnd();
    RETURN_IF_ERROR(s);
  }
  if (!err.ok()) return err;
  if (h_.statements == 0) {
    return LineError(kStatementMalformed, xml_.line_no(), "no BkToCstmrStmt/Stmt");
  }
  if (h_.currency.empty()) h_.currency = std::string(AssetCode(opts_.default_asset));
  if (auto c = FindCurrency(h_.currency)) h_.asset = c->ledger_asset;
  if (period_from_ns_ != INT64_MAX && period_from_ns_ <= period_to_ns_) {
    h_.period_start_ns = period_from_ns_;
    h_.period_end_ns = period_to_ns_;
  }
  return h_;
}

}  // namespace

Result<Header> ParseCamt053(std::istream& in, const LineSink& sink, const ParseOptions& opts) {
  CamtParser p(in, sink, opts);
  return p.Run();
}

}  // namespace folio::statements
