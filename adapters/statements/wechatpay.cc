// WeChat Pay trade bill (交易账单, type ALL), UTF-8 with a BOM and CRLF:
//
//   file    := header row* summary-header summary-row
//   header  := name ("," name)*          (交易时间,公众账号ID,...,手续费,费率,...)
//   row     := "`" value ("," "`" value)*  (every value prefixed with a backtick)
//   summary-header := "总交易单数,..."      summary-row := "`N,`...".
//
// Columns are mapped by header name: WeChat Pay adds and moves columns. A
// row with 交易状态=REFUND is a refund: 微信退款单号 / 商户退款单号 / 退款金额,
// and its 手续费 is negative (the fee given back). A file without the two
// summary lines, or whose 总交易单数 differs from the rows, is truncated.
#include <vector>

#include "adapters/statements/text.h"

namespace folio::statements {
namespace {

struct Columns {
  int time = -1, txn = -1, order = -1, status = -1, currency = -1, amount = -1, refund_txn = -1,
      refund_no = -1, refund_amount = -1, fee = -1, goods = -1;
};

Result<Columns> FindColumns(const std::vector<std::string>& f, std::uint32_t no) {
  Columns c;
  c.time = ColumnIndex(f, "交易时间");
  c.txn = ColumnIndex(f, "微信订单号");
  c.order = ColumnIndex(f, "商户订单号");
  c.status = ColumnIndex(f, "交易状态");
  c.currency = ColumnIndex(f, "货币种类");
  c.amount = ColumnIndex(f, "应结订单金额");
  if (c.amount < 0) c.amount = ColumnIndex(f, "订单金额");
  c.refund_txn = ColumnIndex(f, "微信退款单号");
  c.refund_no = ColumnIndex(f, "商户退款单号");
  c.refund_amount = ColumnIndex(f, "退款金额");
  c.fee = ColumnIndex(f, "手续费");
  c.goods = ColumnIndex(f, "商品名称");
  const std::pair<int, std::string_view> required[] = {
      {c.time, "交易时间"},          {c.txn, "微信订单号"},         {c.order, "商户订单号"},
      {c.status, "交易状态"},        {c.amount, "应结订单金额"},    {c.refund_txn, "微信退款单号"},
      {c.refund_no, "商户退款单号"}, {c.refund_amount, "退款金额"}, {c.fee, "手续费"}};
  for (const auto& [idx, name] : required) {
    if (idx < 0) return LineError(kStatementMissingColumn, no, "no column " + std::string(name));
  }
  return c;
}

Result<Line> ReadRow(const std::vector<std::string>& f, const Columns& c, Asset default_asset,
                     std::uint32_t no) {
  auto field = [&f](int i) {
    return i < 0 ? std::string_view() : Trim(f[static_cast<std::size_t>(i)], true);
  };
  Asset asset = default_asset;
  if (c.currency >= 0 && !field(c.currency).empty()) {
    auto a = AssetFromCode(field(c.currency));
    if (!a) return LineError(kStatementAmountInvalid, no, "unknown currency");
    asset = *a;
  }
  Line l;
  l.line_no = no;
  l.status = std::string(field(c.status));
  l.description = std::string(field(c.goods));
  ASSIGN_OR_RETURN(l.booked_at_ns, ParseShanghaiTime(field(c.time), no));
  ASSIGN_OR_RETURN(SignedMoney fee, ParseSignedAmount(field(c.fee), asset, no));
  l.fee = fee.value;
  if (l.status == "REFUND") {
    ASSIGN_OR_RETURN(SignedMoney amount, ParseSignedAmount(field(c.refund_amount), asset, no));
    l.amount = amount.value;
    l.is_debit = true;
    l.is_refund = true;
    l.reference = std::string(field(c.refund_txn));
    l.order_ref = std::string(field(c.refund_no));
    l.original_ref = std::string(field(c.txn));
    if (!fee.negative && !fee.value.is_zero()) {
      return LineError(kStatementAmountInvalid, no, "a refund's 手续费 must be negative");
    }
  } else {
    ASSIGN_OR_RETURN(SignedMoney amount, ParseSignedAmount(field(c.amount), asset, no));
    if (amount.negative || fee.negative) {
      return LineError(kStatementAmountInvalid, no, "negative amount on a payment row");
    }
    l.amount = amount.value;
    l.reference = std::string(field(c.txn));
    l.order_ref = std::string(field(c.order));
  }
  if (l.reference.empty()) return LineError(kStatementMalformed, no, "empty transaction id");
  return l;
}

}  // namespace

Result<Header> ParseWechatPay(std::istream& in, const LineSink& sink, const ParseOptions& opts) {
  Header h;
  h.asset = opts.default_asset;
  LineReader reader(in, opts.line_bytes_max);
  std::string text;
  std::vector<std::string> fields;
  std::optional<Columns> cols;
  std::size_t header_fields = 0;
  int summary_state = 0;  // 0 rows, 1 saw the summary header, 2 saw the summary row
  long long total = -1;
  Status err;
  while (reader.Next(&text, &err)) {
    const std::uint32_t no = reader.line_no();
    if (no == 1) StripBom(text);
    if (Trim(text).empty()) continue;
    if (summary_state == 2) return LineError(kStatementMalformed, no, "text after the summary");
    if (!SplitCsv(text, &fields)) return LineError(kStatementMalformed, no, "open quote");
    if (!cols) {
      for (std::string& f : fields) f = std::string(Trim(f));
      ASSIGN_OR_RETURN(Columns c, FindColumns(fields, no));
      cols = c;
      header_fields = fields.size();
      continue;
    }
    if (summary_state == 0 && Trim(fields[0]) == "总交易单数") {
      summary_state = 1;
      continue;
    }
    if (summary_state == 1) {
      auto n = U128FromString(Trim(fields[0], true));
      if (!n || *n > 1'000'000'000'000) {
        return LineError(kStatementMalformed, no, "总交易单数 is not a count");
      }
      total = static_cast<long long>(*n);
      summary_state = 2;
      continue;
    }
    if (fields.size() != header_fields) {
      return LineError(kStatementMalformed, no,
                       std::to_string(fields.size()) + " fields, the header has " +
                           std::to_string(header_fields));
    }
    for (const std::string& f : fields) {
      if (Trim(f).empty() || Trim(f)[0] != '`') {
        return LineError(kStatementMalformed, no, "a field without its backtick");
      }
    }
    ASSIGN_OR_RETURN(Line l, ReadRow(fields, *cols, opts.default_asset, no));
    if (h.lines == 0) h.asset = l.amount.asset();
    ++h.lines;
    RETURN_IF_ERROR(sink(l));
  }
  if (!err.ok()) return err;
  if (!cols) return LineError(kStatementTruncated, reader.line_no(), "no header row");
  if (summary_state != 2) {
    return LineError(kStatementTruncated, reader.line_no(), "no summary lines at the end");
  }
  if (total != static_cast<long long>(h.lines)) {
    return LineError(kStatementTruncated, reader.line_no(),
                     "总交易单数 says " + std::to_string(total) + ", the file has " +
                         std::to_string(h.lines) + " rows");
  }
  return h;
}

}  // namespace folio::statements
