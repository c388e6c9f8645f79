// Alipay trade detail bill (账务明细 / 交易明细), the CSV inside the archive
// downloaded from the merchant console. Grammar, after GBK -> UTF-8:
//
//   file    := comment* header row* end-mark comment*
//   comment := "#" text                 (#账号:[..], #起始日期:[..] 终止日期:[..],
//                                        #---交易明细列表结束---, #交易合计：N笔 ...)
//   header  := column ("," column)*     (names trimmed of spaces and tabs)
//   row     := field ("," field)*       (fields may end with tabs)
//
// Columns are found by name. 业务类型 交易 is a payment, 退款 a refund (its
// 商家实收 is negative and 退款批次号/请求号 names the refund). A missing end
// mark, or a 交易合计 count that differs from the rows, is statement_truncated;
// its 商家实收 total is checked against the sum of the column (Header::checks).
// GBK as downloaded, or UTF-8 (with a BOM) as re-saved by a spreadsheet.
// The archive also holds a summary file named with 汇总: refused.
#include <memory>
#include <vector>

#include "adapters/statements/text.h"

namespace folio::statements {
namespace {

constexpr std::string_view kTxnId = "支付宝交易号";
constexpr std::string_view kOrderNo = "商户订单号";
constexpr std::string_view kBizType = "业务类型";
constexpr std::string_view kDoneAt = "完成时间";
constexpr std::string_view kOrderAmount = "订单金额（元）";
constexpr std::string_view kReceived = "商家实收（元）";
constexpr std::string_view kFee = "服务费（元）";
constexpr std::string_view kRefundNo = "退款批次号/请求号";
constexpr std::string_view kRemark = "商品名称";

struct Columns {
  int txn = -1, order = -1, biz = -1, done = -1, amount = -1, received = -1, fee = -1, refund = -1,
      remark = -1;
};

// "[2026年11月01日 00:00:00]" after `key` -> UTC ns.
Result<std::int64_t> BracketDate(std::string_view text, std::string_view key, std::uint32_t no) {
  const std::size_t k = text.find(key);
  const std::size_t open = k == std::string_view::npos ? k : text.find('[', k);
  if (open == std::string_view::npos) return LineError(kStatementMalformed, no, "no date");
  std::string_view d = text.substr(open + 1);
  // 2026年11月01日: 4 digits, 年 (3 bytes), 2 digits, 月, 2 digits, 日
  std::string iso;
  for (char c : d.substr(0, std::min<std::size_t>(d.size(), 19 + 12))) {
    if (c == ']') break;
    iso.push_back(c);
  }
  auto rep = [&iso](std::string_view from, std::string_view to) {
    const std::size_t p = iso.find(from);
    if (p != std::string::npos) iso.replace(p, from.size(), to);
  };
  rep("年", "-");
  rep("月", "-");
  rep("日", "");
  return ParseShanghaiTime(iso, no);
}

Status ReadComment(std::string_view c, std::uint32_t no, Header* h, bool* end_seen,
                   long long* total, std::string* received_total) {
  if (c.find("交易明细列表结束") != std::string_view::npos) {
    *end_seen = true;
  } else if (c.find("账号") != std::string_view::npos && c.find('[') != std::string_view::npos) {
    const std::size_t a = c.find('['), b = c.find(']', a);
    if (b != std::string_view::npos) h->account = std::string(c.substr(a + 1, b - a - 1));
  } else if (c.find("起始日期") != std::string_view::npos) {
    ASSIGN_OR_RETURN(h->period_start_ns, BracketDate(c, "起始日期", no));
    ASSIGN_OR_RETURN(h->period_end_ns, BracketDate(c, "终止日期", no));
  } else if (c.find("交易合计") != std::string_view::npos) {
    std::size_t p = c.find("交易合计") + std::string_view("交易合计").size();
    while (p < c.size() && !(c[p] >= '0' && c[p] <= '9')) ++p;
    long long n = 0;
    std::size_t digits = 0;
    for (; p < c.size() && c[p] >= '0' && c[p] <= '9' && digits < 12; ++p, ++digits) {
      n = n * 10 + (c[p] - '0');
    }
    if (digits == 0) return LineError(kStatementMalformed, no, "交易合计 without a count");
    *total = n;
    constexpr std::string_view kReceivedTotal = "商家实收：￥";
    if (const std::size_t r = c.find(kReceivedTotal); r != std::string_view::npos) {
      std::size_t e = r + kReceivedTotal.size();
      while (e < c.size() &&
             (std::isdigit(static_cast<unsigned char>(c[e])) || c[e] == '.' || c[e] == '-')) {
        ++e;
      }
      *received_total =
          std::string(c.substr(r + kReceivedTotal.size(), e - r - kReceivedTotal.size()));
    }
  }
  return OkStatus();
}

Result<Columns> FindColumns(const std::vector<std::string>& f, std::uint32_t no) {
  Columns c;
  c.txn = ColumnIndex(f, kTxnId);
  c.order = ColumnIndex(f, kOrderNo);
  c.biz = ColumnIndex(f, kBizType);
  c.done = ColumnIndex(f, kDoneAt);
  c.amount = ColumnIndex(f, kOrderAmount);
  c.received = ColumnIndex(f, kReceived);
  c.fee = ColumnIndex(f, kFee);
  c.refund = ColumnIndex(f, kRefundNo);
  c.remark = ColumnIndex(f, kRemark);
  const std::pair<int, std::string_view> required[] = {
      {c.txn, kTxnId},          {c.order, kOrderNo},     {c.biz, kBizType}, {c.done, kDoneAt},
      {c.amount, kOrderAmount}, {c.received, kReceived}, {c.fee, kFee}};
  for (const auto& [idx, name] : required) {
    if (idx < 0) return LineError(kStatementMissingColumn, no, "no column " + std::string(name));
  }
  return c;
}

Result<Line> ReadRow(const std::vector<std::string>& f, const Columns& c, std::uint32_t no) {
  auto field = [&f](int i) {
    return i < 0 ? std::string_view() : Trim(f[static_cast<std::size_t>(i)]);
  };
  Line l;
  l.line_no = no;
  const std::string_view biz = field(c.biz);
  l.status = std::string(biz);
  l.description = std::string(field(c.remark));
  ASSIGN_OR_RETURN(l.booked_at_ns, ParseShanghaiTime(field(c.done), no));
  ASSIGN_OR_RETURN(SignedMoney fee, ParseSignedAmount(field(c.fee), Asset::CNY, no));
  l.fee = fee.value;
  if (biz == "交易") {
    ASSIGN_OR_RETURN(SignedMoney amount, ParseSignedAmount(field(c.amount), Asset::CNY, no));
    if (amount.negative) return LineError(kStatementAmountInvalid, no, "negative payment amount");
    l.amount = amount.value;
    l.reference = std::string(field(c.txn));
    l.order_ref = std::string(field(c.order));
  } else if (biz == "退款") {
    ASSIGN_OR_RETURN(SignedMoney amount, ParseSignedAmount(field(c.received), Asset::CNY, no));
    l.amount = amount.value;
    l.is_debit = true;
    l.is_refund = true;
    l.original_ref = std::string(field(c.txn));
    l.reference = std::string(field(c.refund));
    l.order_ref = std::string(field(c.refund));
    if (l.reference.empty()) return LineError(kStatementMalformed, no, "refund without 退款批次号");
  } else {
    return LineError(kStatementMalformed, no, "unknown 业务类型 '" + std::string(biz) + "'");
  }
  if (l.reference.empty()) return LineError(kStatementMalformed, no, "empty 支付宝交易号");
  return l;
}

}  // namespace

Result<Header> ParseAlipay(std::istream& in, const LineSink& sink, const ParseOptions& opts) {
  if (opts.file_name.find("汇总") != std::string::npos) {
    return LineError(kStatementSummaryFile, 0,
                     "this is the summary (汇总) file of the archive; import the detail file");
  }
  Header h;
  h.asset = Asset::CNY;
  h.currency = "CNY";
  h.statements = 1;
  BillDecoder decoder;
  ExactSum received_sum;
  std::string received_total;
  std::uint32_t total_line_no = 0;
  LineReader reader(in, opts.line_bytes_max);
  std::string raw, text;
  std::vector<std::string> fields;
  std::optional<Columns> cols;
  std::size_t header_fields = 0;
  bool end_seen = false;
  long long total = -1;
  Status err;
  while (reader.Next(&raw, &err)) {
    const std::uint32_t no = reader.line_no();
    RETURN_IF_ERROR(decoder.Decode(raw, no, &text));
    if (no == 1) StripBom(text);
    if (Trim(text).empty()) continue;
    if (text[0] == '#') {
      const long long before = total;
      RETURN_IF_ERROR(ReadComment(text, no, &h, &end_seen, &total, &received_total));
      if (total != before) total_line_no = no;
      continue;
    }
    if (end_seen) return LineError(kStatementMalformed, no, "row after the end of the list");
    if (!SplitCsv(text, &fields)) return LineError(kStatementMalformed, no, "open quote");
    for (std::string& f : fields) f = std::string(Trim(f));
    if (!cols) {
      ASSIGN_OR_RETURN(Columns c, FindColumns(fields, no));
      cols = c;
      header_fields = fields.size();
      continue;
    }
    if (fields.size() == header_fields + 1 && fields.back().empty()) fields.pop_back();
    if (fields.size() != header_fields) {
      return LineError(kStatementMalformed, no,
                       std::to_string(fields.size()) + " fields, the header has " +
                           std::to_string(header_fields));
    }
    ASSIGN_OR_RETURN(Line l, ReadRow(fields, *cols, no));
    ASSIGN_OR_RETURN(
        SignedMoney received,
        ParseSignedAmount(fields[static_cast<std::size_t>(cols->received)], Asset::CNY, no));
    received_sum.Add(received.value, received.negative);
    ++h.lines;
    RETURN_IF_ERROR(sink(l));
  }
  if (!err.ok()) return err;
  if (!cols) return LineError(kStatementTruncated, reader.line_no(), "no header row");
  if (!end_seen) return LineError(kStatementTruncated, reader.line_no(), "no end-of-list mark");
  if (total >= 0 && total != static_cast<long long>(h.lines)) {
    return LineError(kStatementTruncated, reader.line_no(),
                     "交易合计 says " + std::to_string(total) + " rows, the file has " +
                         std::to_string(h.lines));
  }
  if (!received_total.empty()) {
    StatementCheck c;
    c.statement_id = "交易合计";
    c.line_no = total_line_no;
    auto stated = ParseSignedAmount(received_total, Asset::CNY, total_line_no);
    c.consistent = stated.ok() && received_sum.Equals(stated->value, stated->negative);
    c.note = "totals line: 商家实收 " + received_total +
             (c.consistent ? " = " : " but the lines add up to ") + received_sum.ToString();
    h.checks.push_back(std::move(c));
  }
  return h;
}

}  // namespace folio::statements
