// ISO 20022 camt.053 (BankToCustomerStatement), any 001.xx version: the
// subset a reconciliation needs, read with the streaming XmlReader.
//
//   Document/BkToCstmrStmt/Stmt
//     Acct/Id/(IBAN | Othr/Id), Acct/Ccy
//     FrToDt/FrDtTm, FrToDt/ToDtTm                     (optional period)
//     Bal*: Tp/CdOrPrtry/Cd (OPBD | CLBD | ...), Amt@Ccy, CdtDbtInd, Dt/(Dt | DtTm)
//     Ntry*: NtryRef, Amt@Ccy, CdtDbtInd (CRDT | DBIT), Sts (text or Sts/Cd),
//            BookgDt/(Dt | DtTm), AcctSvcrRef, AddtlNtryInf,
//            NtryDtls/TxDtls/Refs/EndToEndId, .../RmtInf/Ustrd
//
// One Ntry is held at a time. A statement must have OPBD and CLBD balances.
// Without FrToDt the period is [opening date, closing date + 1 day).
#include <map>

#include "adapters/statements/text.h"
#include "adapters/statements/xml_reader.h"

namespace folio::statements {
namespace {

struct Collected {
  std::map<std::string, std::string> fields;  // leaf path below the entry -> text
  std::string ccy;
  std::uint32_t line_no = 0;
};

Result<std::int64_t> DateOf(const std::string& text, std::uint32_t no) {
  std::string t = text.substr(0, std::min<std::size_t>(text.size(), 19));
  return ParseShanghaiTime(t, no);
}

Result<SignedMoney> AmountOf(const Collected& c, Asset fallback, std::uint32_t no) {
  auto it = c.fields.find("Amt");
  if (it == c.fields.end()) return LineError(kStatementMalformed, no, "no Amt");
  Asset asset = fallback;
  if (!c.ccy.empty()) {
    auto a = AssetFromCode(c.ccy);
    if (!a) return LineError(kStatementAmountInvalid, no, "unknown currency " + c.ccy.substr(0, 8));
    asset = *a;
  }
  ASSIGN_OR_RETURN(SignedMoney m, ParseSignedAmount(it->second, asset, no));
  if (m.negative) return LineError(kStatementAmountInvalid, no, "negative Amt");
  auto ind = c.fields.find("CdtDbtInd");
  if (ind == c.fields.end() || (ind->second != "CRDT" && ind->second != "DBIT")) {
    return LineError(kStatementMalformed, no, "CdtDbtInd must be CRDT or DBIT");
  }
  m.negative = ind->second == "DBIT";
  return m;
}

std::string First(const Collected& c, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    auto it = c.fields.find(k);
    if (it != c.fields.end() && !it->second.empty()) return it->second;
  }
  return {};
}

Result<Line> EntryLine(const Collected& c, Asset fallback) {
  Line l;
  l.line_no = c.line_no;
  ASSIGN_OR_RETURN(SignedMoney m, AmountOf(c, fallback, c.line_no));
  l.amount = m.value;
  l.is_debit = m.negative;
  l.status = First(c, {"Sts", "Sts/Cd"});
  const std::string date = First(c, {"BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"});
  if (date.empty()) return LineError(kStatementMalformed, c.line_no, "entry without BookgDt");
  ASSIGN_OR_RETURN(l.booked_at_ns, DateOf(date, c.line_no));
  l.reference = First(c, {"NtryRef", "AcctSvcrRef", "NtryDtls/TxDtls/Refs/AcctSvcrRef"});
  l.order_ref = First(c, {"NtryDtls/TxDtls/Refs/EndToEndId"});
  if (l.reference.empty()) l.reference = l.order_ref;
  l.description = First(c, {"NtryDtls/TxDtls/RmtInf/Ustrd", "AddtlNtryInf"});
  return l;
}

}  // namespace

Result<Header> ParseCamt053(std::istream& in, const LineSink& sink, const ParseOptions& opts) {
  Header h;
  h.asset = opts.default_asset;
  XmlReader xml(in, opts.line_bytes_max);
  XmlEvent ev;
  Status err;
  std::vector<std::string> path;  // local names from the root
  // Where the current Bal or Ntry starts in `path` (0: none).
  std::size_t block_at = 0;
  Collected block;
  bool saw_stmt = false, saw_open = false, saw_close = false;
  std::int64_t open_date = 0, close_date = 0;
  std::string from_dt, to_dt;
  while (xml.Next(&ev, &err)) {
    if (ev.kind == XmlEvent::kStart) {
      path.push_back(ev.name);
      if (path.size() == 3 && ev.name == "Stmt") {
        if (saw_stmt) return LineError(kStatementMalformed, ev.line_no, "more than one Stmt");
        saw_stmt = true;
      }
      if (path.size() == 4 && path[2] == "Stmt" && (ev.name == "Bal" || ev.name == "Ntry")) {
        block_at = path.size();
        block = Collected{};
        block.line_no = ev.line_no;
      }
      if (block_at != 0 && ev.name == "Amt" && path.size() == block_at + 1) {
        for (const auto& [k, v] : ev.attrs) {
          if (k == "Ccy") block.ccy = v;
        }
      }
      continue;
    }
    if (ev.kind == XmlEvent::kText) {
      std::string key;
      if (block_at != 0) {
        for (std::size_t i = block_at; i < path.size(); ++i)
          key += (key.empty() ? "" : "/") + path[i];
        std::string& v = block.fields[key];
        v += ev.text;
        if (v.size() > opts.line_bytes_max || block.fields.size() > 256) {
          return LineError(kStatementTooLarge, ev.line_no, "entry too large");
        }
      } else if (path.size() >= 4 && path[2] == "Stmt") {
        for (std::size_t i = 3; i < path.size(); ++i) key += (key.empty() ? "" : "/") + path[i];
        if (key == "Acct/Id/IBAN" || key == "Acct/Id/Othr/Id") h.account = ev.text;
        if (key == "Acct/Ccy") {
          auto a = AssetFromCode(ev.text);
          if (!a) return LineError(kStatementAmountInvalid, ev.line_no, "unknown account currency");
          h.asset = *a;
        }
        if (key == "FrToDt/FrDtTm") from_dt = ev.text;
        if (key == "FrToDt/ToDtTm") to_dt = ev.text;
      }
      continue;
    }
    // kEnd
    if (block_at != 0 && path.size() == block_at) {
      if (ev.name == "Ntry") {
        ASSIGN_OR_RETURN(Line l, EntryLine(block, h.asset));
        ++h.lines;
        RETURN_IF_ERROR(sink(l));
      } else {
        const std::string code = First(block, {"Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry"});
        ASSIGN_OR_RETURN(SignedMoney m, AmountOf(block, h.asset, block.line_no));
        const std::string date = First(block, {"Dt/Dt", "Dt/DtTm"});
        if (date.empty()) return LineError(kStatementMalformed, block.line_no, "Bal without Dt");
        ASSIGN_OR_RETURN(std::int64_t at, DateOf(date, block.line_no));
        if (code == "OPBD" || code == "PRCD") {
          if (m.negative)
            return LineError(kStatementAmountInvalid, block.line_no, "overdrawn opening balance");
          h.opening = m.value;
          open_date = at;
          saw_open = true;
        } else if (code == "CLBD") {
          h.closing = m.value;
          h.closing_is_debit = m.negative;
          close_date = at;
          saw_close = true;
        }
      }
      block_at = 0;
    }
    path.pop_back();
  }
  if (!err.ok()) return err;
  if (!saw_stmt) return LineError(kStatementMalformed, xml.line_no(), "no BkToCstmrStmt/Stmt");
  if (!saw_open || !saw_close) {
    return LineError(kStatementMalformed, xml.line_no(), "Stmt needs OPBD and CLBD balances");
  }
  h.has_balances = true;
  if (!from_dt.empty() && !to_dt.empty()) {
    ASSIGN_OR_RETURN(h.period_start_ns, DateOf(from_dt, xml.line_no()));
    ASSIGN_OR_RETURN(h.period_end_ns, DateOf(to_dt, xml.line_no()));
    if (to_dt.size() == 10) h.period_end_ns += kNsPerDay;
  } else {
    h.period_start_ns = open_date;
    h.period_end_ns = close_date + kNsPerDay;
  }
  return h;
}

}  // namespace folio::statements
