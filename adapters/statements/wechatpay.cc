// WeChat Pay trade bills (交易账单) of every type WeChat Pay serves: ALL,
// SUCCESS and REFUND; a fund-flow bill (资金账单) is handed to
// wechat_fundflow.h from its header row. UTF-8 with a BOM (or GBK, as some exports are), CRLF:
//
//   file    := header row* summary-header summary-row
//   header  := name ("," name)*   交易时间,公众账号ID,...,手续费,费率,...  (by name)
//   row     := "`" value ("," "`" value)*  (every value prefixed with a backtick)
//   summary-header := "总交易单数,应结订单总金额,退款总金额,...,手续费总金额,..."
//   summary-row    := "`N,`...".
//
// The gross amount column is 应结订单金额 (older bills: 总金额, or 订单金额).
// A row with 交易状态=REFUND, or every row of a REFUND bill (one with a
// 退款成功时间 column), is a refund: 微信退款单号 / 商户退款单号 / 退款金额, and
// its 手续费 is negative (the fee given back). SUCCESS bills have no refund
// columns. Fees (手续费) have five decimals ("0.60000", "0.00600"): kept exactly.
//
// The summary row is checked: 总交易单数 against the rows (a difference is
// statement_truncated), every other total against the sum of its column
// (应结订单总金额 = Σ 应结订单金额, 手续费总金额 = Σ 手续费 with refunds negative,
// ...), exactly; a difference is reported in Header::checks.
#include <map>
#include <vector>

#include "adapters/statements/text.h"
#include "adapters/statements/wechat_fundflow.h"

namespace folio::statements {
namespace {

constexpr std::size_t kWechatFractionDigitsMax = 5;

struct Columns {
  int time = -1, refund_time = -1, txn = -1, order = -1, status = -1, currency = -1, amount = -1,
      refund_txn = -1, refund_no = -1, refund_amount = -1, fee = -1, goods = -1;
  bool refund_bill = false;
};

int FirstColumn(const std::vector<std::string>& f, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (int i = ColumnIndex(f, n); i >= 0) return i;
  }
  return -1;
}

Result<Columns> FindColumns(const std::vector<std::string>& f, std::uint32_t no) {
  Columns c;
  c.time = ColumnIndex(f, "交易时间");
  c.refund_time = ColumnIndex(f, "退款成功时间");
  c.refund_bill = c.refund_time >= 0;
  c.txn = ColumnIndex(f, "微信订单号");
  c.order = ColumnIndex(f, "商户订单号");
  c.status = ColumnIndex(f, "交易状态");
  c.currency = ColumnIndex(f, "货币种类");
  c.amount = FirstColumn(f, {"应结订单金额", "总金额", "订单金额"});
  c.refund_txn = ColumnIndex(f, "微信退款单号");
  c.refund_no = ColumnIndex(f, "商户退款单号");
  c.refund_amount = ColumnIndex(f, "退款金额");
  c.fee = ColumnIndex(f, "手续费");
  c.goods = ColumnIndex(f, "商品名称");
  const std::pair<int, std::string_view> required[] = {
      {c.time, "交易时间"},   {c.txn, "微信订单号"},      {c.order, "商户订单号"},
      {c.status, "交易状态"}, {c.amount, "应结订单金额"}, {c.fee, "手续费"}};
  for (const auto& [idx, name] : required) {
    if (idx < 0) return LineError(kStatementMissingColumn, no, "no column " + std::string(name));
  }
  if (c.refund_bill && (c.refund_txn < 0 || c.refund_no < 0 || c.refund_amount < 0)) {
    return LineError(kStatementMissingColumn, no, "a refund bill without its refund columns");
  }
  return c;
}

Result<Line> ReadRow(const std::vector<std::string>& f, const Columns& c, Asset default_asset,
                     std::uint32_t no) {
  auto field = [&f](int i) {
    return i < 0 ? std::string_view() : Trim(f[static_cast<std::size_t>(i)], true);
  };
  std::string_view code = AssetCode(default_asset);
  if (c.currency >= 0 && !field(c.currency).empty()) code = field(c.currency);
  ASSIGN_OR_RETURN(CurrencyInfo cur, CurrencyAt(code, no));
  auto amount = [&](int col) {
    return ParseSignedAmount(field(col), cur, no, kWechatFractionDigitsMax);
  };
  Line l;
  l.line_no = no;
  l.status = std::string(field(c.status));
  l.description = std::string(field(c.goods));
  ASSIGN_OR_RETURN(SignedMoney fee, amount(c.fee));
  l.fee = fee.value;
  if (l.status == "REFUND" || c.refund_bill) {
    if (c.refund_txn < 0 || c.refund_no < 0 || c.refund_amount < 0) {
      return LineError(kStatementMissingColumn, no,
                       "a REFUND row in a bill without refund columns");
    }
    const int at = c.refund_bill && !field(c.refund_time).empty() ? c.refund_time : c.time;
    ASSIGN_OR_RETURN(l.booked_at_ns, ParseShanghaiTime(field(at), no));
    ASSIGN_OR_RETURN(SignedMoney refunded, amount(c.refund_amount));
    l.amount = refunded.value;
    l.is_debit = true;
    l.is_refund = true;
    l.reference = std::string(field(c.refund_txn));
    l.order_ref = std::string(field(c.refund_no));
    l.original_ref = std::string(field(c.txn));
    if (!fee.negative && !fee.value.is_zero()) {
      return LineError(kStatementAmountInvalid, no, "a refund's 手续费 must be negative");
    }
  } else {
    ASSIGN_OR_RETURN(l.booked_at_ns, ParseShanghaiTime(field(c.time), no));
    ASSIGN_OR_RETURN(SignedMoney gross, amount(c.amount));
    if (gross.negative || fee.negative) {
      return LineError(kStatementAmountInvalid, no, "negative amount on a payment row");
    }
    l.amount = gross.value;
    l.reference = std::string(field(c.txn));
    l.order_ref = std::string(field(c.order));
  }
  if (l.reference.empty()) return LineError(kStatementMalformed, no, "empty transaction id");
  return l;
}

// The detail column each summary total adds up.
constexpr std::pair<std::string_view, std::string_view> kTotals[] = {
    {"应结订单总金额", "应结订单金额"},
    {"总交易额", "总金额"},
    {"退款总金额", "退款金额"},
    {"总退款金额", "退款金额"},
    {"充值券退款总金额", "充值券退款金额"},
    {"总企业红包退款金额", "企业红包退款金额"},
    {"手续费总金额", "手续费"},
    {"订单总金额", "订单金额"},
    {"申请退款总金额", "申请退款金额"}};

class WechatParser {
 public:
  WechatParser(std::istream& in, const LineSink& sink, const ParseOptions& opts)
      : reader_(in, opts.line_bytes_max), sink_(sink), opts_(opts) {}
  Result<Header> Run();

 private:
  Status ReadHeader(std::vector<std::string>& fields, std::uint32_t no);
  Status Row(const std::vector<std::string>& fields, std::uint32_t no);
  void CheckTotals(const std::vector<std::string>& values, std::uint32_t no);

  LineReader reader_;
  const LineSink& sink_;
  const ParseOptions& opts_;
  Header h_;
  std::vector<std::string> header_names_, summary_names_;
  std::optional<Columns> cols_;
  std::map<int, ExactSum> column_sums_;  // header column -> Σ, for the totals check
  std::optional<CurrencyInfo> currency_;
};

Status WechatParser::ReadHeader(std::vector<std::string>& fields, std::uint32_t no) {
  for (std::string& f : fields) f = std::string(Trim(f));
  ASSIGN_OR_RETURN(Columns c, FindColumns(fields, no));
  cols_ = c;
  header_names_ = fields;
  for (const auto& [total, column] : kTotals) {
    if (int i = ColumnIndex(fields, column); i >= 0) column_sums_[i];
  }
  return OkStatus();
}

Status WechatParser::Row(const std::vector<std::string>& fields, std::uint32_t no) {
  if (fields.size() != header_names_.size()) {
    return LineError(kStatementMalformed, no,
                     std::to_string(fields.size()) + " fields, the header has " +
                         std::to_string(header_names_.size()));
  }
  for (const std::string& f : fields) {
    if (Trim(f).empty() || Trim(f)[0] != '`') {
      return LineError(kStatementMalformed, no, "a field without its backtick");
    }
  }
  ASSIGN_OR_RETURN(Line l, ReadRow(fields, *cols_, opts_.default_asset, no));
  if (h_.lines == 0) currency_ = FindCurrency(l.amount.currency());
  for (auto& [i, sum] : column_sums_) {
    const std::string_view v = Trim(fields[static_cast<std::size_t>(i)], true);
    if (v.empty() || !currency_) continue;
    auto a = ParseSignedAmount(v, *currency_, no, kWechatFractionDigitsMax);
    if (!a.ok()) return a.status();
    sum.Add(a->value, a->negative);
  }
  ++h_.lines;
  return sink_(l);
}

void WechatParser::CheckTotals(const std::vector<std::string>& values, std::uint32_t no) {
  StatementCheck c;
  c.statement_id = "summary";
  c.line_no = no;
  c.note = "totals line:";
  for (std::size_t i = 1; i < summary_names_.size() && i < values.size(); ++i) {
    for (const auto& [total, column] : kTotals) {
      const int col = ColumnIndex(header_names_, column);
      if (summary_names_[i] != total || col < 0 || !currency_) continue;
      auto stated =
          ParseSignedAmount(Trim(values[i], true), *currency_, no, kWechatFractionDigitsMax);
      const ExactSum& sum = column_sums_[col];
      const bool ok = stated.ok() && sum.Equals(stated->value, stated->negative);
      c.consistent = c.consistent && ok;
      c.note += " " + std::string(total) + " " + std::string(Trim(values[i], true)) +
                (ok ? " = " : " but the lines add up to ") + sum.ToString() + ";";
    }
  }
  h_.checks.push_back(std::move(c));
}

Result<Header> WechatParser::Run() {
  h_.asset = opts_.default_asset;
  h_.statements = 1;
  BillDecoder decoder;
  std::string raw, text;
  std::vector<std::string> fields;
  int summary_state = 0;  // 0 rows, 1 saw the summary header, 2 saw the summary row
  long long total = -1;
  Status err;
  while (reader_.Next(&raw, &err)) {
    const std::uint32_t no = reader_.line_no();
    RETURN_IF_ERROR(decoder.Decode(raw, no, &text));
    if (no == 1) StripBom(text);
    if (Trim(text).empty()) continue;
    if (summary_state == 2) return LineError(kStatementMalformed, no, "text after the summary");
    if (!SplitCsv(text, &fields)) return LineError(kStatementMalformed, no, "open quote");
    if (!cols_) {
      for (std::string& f : fields) f = std::string(Trim(f));
      if (IsFundFlowHeader(fields)) {  // the fund-flow bill (资金账单): its own layout
        return ContinueFundFlow(reader_, decoder, fields, no, sink_, opts_);
      }
      RETURN_IF_ERROR(ReadHeader(fields, no));
      continue;
    }
    if (summary_state == 0 && Trim(fields[0]) == "总交易单数") {
      summary_state = 1;
      for (std::string& f : fields) f = std::string(Trim(f));
      summary_names_ = fields;
      continue;
    }
    if (summary_state == 1) {
      auto n = U128FromString(Trim(fields[0], true));
      if (!n || *n > 1'000'000'000'000) {
        return LineError(kStatementMalformed, no, "总交易单数 is not a count");
      }
      total = static_cast<long long>(*n);
      summary_state = 2;
      CheckTotals(fields, no);
      continue;
    }
    RETURN_IF_ERROR(Row(fields, no));
  }
  if (!err.ok()) return err;
  if (!cols_) return LineError(kStatementTruncated, reader_.line_no(), "no header row");
  if (summary_state != 2) {
    return LineError(kStatementTruncated, reader_.line_no(), "no summary lines at the end");
  }
  if (total != static_cast<long long>(h_.lines)) {
    return LineError(kStatementTruncated, reader_.line_no(),
                     "总交易单数 says " + std::to_string(total) + ", the file has " +
                         std::to_string(h_.lines) + " rows");
  }
  if (currency_) {
    h_.currency = std::string(currency_->code);
    h_.asset = currency_->ledger_asset;
  } else {
    h_.currency = std::string(AssetCode(opts_.default_asset));
  }
  return h_;
}

}  // namespace

Result<Header> ParseWechatPay(std::istream& in, const LineSink& sink, const ParseOptions& opts) {
  WechatParser p(in, sink, opts);
  return p.Run();
}

}  // namespace folio::statements
