#include "adapters/statements/wechat_fundflow.h"

namespace folio::statements {
namespace {

constexpr std::size_t kFractionDigitsMax = 5;

struct FundColumns {
  int time = -1, ref = -1, flow = -1, name = -1, type = -1, direction = -1, amount = -1,
      balance = -1, remark = -1, voucher = -1;
};

class FundFlow {
 public:
  FundFlow(const LineSink& sink, const ParseOptions& opts) : sink_(sink), opts_(opts) {}
  Status Columns(const std::vector<std::string>& header, std::uint32_t no);
  Status Row(const std::vector<std::string>& f, std::uint32_t no);
  Status Summary(const std::vector<std::string>& values, std::uint32_t no);
  Header& header() { return h_; }

 private:
  const LineSink& sink_;
  const ParseOptions& opts_;
  FundColumns c_;
  std::size_t width_ = 0;
  Header h_;
  std::optional<CurrencyInfo> cur_;
  ExactSum running_, in_sum_, out_sum_;
  bool started_ = false;
  std::uint32_t in_n_ = 0, out_n_ = 0, first_break_ = 0;
};

Status FundFlow::Columns(const std::vector<std::string>& f, std::uint32_t no) {
  c_.time = ColumnIndex(f, "记账时间");
  c_.ref = ColumnIndex(f, "微信支付业务单号");
  c_.flow = ColumnIndex(f, "资金流水单号");
  c_.name = ColumnIndex(f, "业务名称");
  c_.type = ColumnIndex(f, "业务类型");
  c_.direction = ColumnIndex(f, "收支类型");
  c_.amount = ColumnIndex(f, "收支金额（元）");
  c_.balance = ColumnIndex(f, "账户结余（元）");
  c_.remark = ColumnIndex(f, "备注");
  c_.voucher = ColumnIndex(f, "业务凭证号");
  const std::pair<int, std::string_view> required[] = {{c_.time, "记账时间"},
                                                       {c_.ref, "微信支付业务单号"},
                                                       {c_.direction, "收支类型"},
                                                       {c_.amount, "收支金额（元）"},
                                                       {c_.balance, "账户结余（元）"}};
  for (const auto& [idx, name] : required) {
    if (idx < 0) return LineError(kStatementMissingColumn, no, "no column " + std::string(name));
  }
  width_ = f.size();
  ASSIGN_OR_RETURN(cur_, CurrencyAt(AssetCode(opts_.default_asset), no));
  h_.currency = std::string(cur_->code);
  h_.asset = cur_->ledger_asset;
  h_.statements = 1;
  return OkStatus();
}

Status FundFlow::Row(const std::vector<std::string>& f, std::uint32_t no) {
  if (f.size() != width_) {
    return LineError(
        kStatementMalformed, no,
        std::to_string(f.size()) + " fields, the header has " + std::to_string(width_));
  }
  auto field = [&f](int i) {
    return i < 0 ? std::string_view() : Trim(f[static_cast<std::size_t>(i)], true);
  };
  Line l;
  l.line_no = no;
  ASSIGN_OR_RETURN(l.booked_at_ns, ParseShanghaiTime(field(c_.time), no));
  const std::string_view dir = field(c_.direction);
  if (dir != "收入" && dir != "支出") {
    return LineError(kStatementMalformed, no, "收支类型 must be 收入 or 支出");
  }
  l.is_debit = dir == "支出";
  ASSIGN_OR_RETURN(SignedMoney amount,
                   ParseSignedAmount(field(c_.amount), *cur_, no, kFractionDigitsMax));
  ASSIGN_OR_RETURN(SignedMoney balance,
                   ParseSignedAmount(field(c_.balance), *cur_, no, kFractionDigitsMax));
  if (amount.negative) return LineError(kStatementAmountInvalid, no, "a signed 收支金额");
  l.amount = amount.value;
  l.fee = *Amount::Parse("0", *cur_, 0);
  l.reference = std::string(field(c_.ref));
  l.order_ref = std::string(field(c_.voucher));
  if (std::string flow(field(c_.flow)); !flow.empty()) l.other_refs.push_back(std::move(flow));
  l.status = std::string(field(c_.type));
  l.is_refund = l.status == "退款";
  l.description = std::string(field(c_.name));
  if (!field(c_.remark).empty()) l.description += ": " + std::string(field(c_.remark));
  if (l.reference.empty()) return LineError(kStatementMalformed, no, "empty 微信支付业务单号");
  // The running balance: the one before plus this row is this row's 账户结余.
  if (!started_) {
    ExactSum opening;
    opening.Add(balance.value, balance.negative);
    opening.Add(l.amount, !l.is_debit);
    h_.opening = *Amount::Parse(opening.Decimal().substr(opening.negative() ? 1 : 0), *cur_, 30);
    h_.opening_is_debit = opening.negative();
    running_ = opening;
    started_ = true;
  }
  running_.Add(l.amount, l.is_debit);
  if (!running_.Equals(balance.value, balance.negative) && first_break_ == 0) first_break_ = no;
  running_ = ExactSum();
  running_.Add(balance.value, balance.negative);
  h_.closing = balance.value;
  h_.closing_is_debit = balance.negative;
  h_.has_balances = true;
  (l.is_debit ? out_sum_ : in_sum_).Add(l.amount, false);
  ++(l.is_debit ? out_n_ : in_n_);
  ++h_.lines;
  return sink_(l);
}

Status FundFlow::Summary(const std::vector<std::string>& v, std::uint32_t no) {
  auto count = [&](std::size_t i) -> std::optional<u128> {
    if (i >= v.size()) return std::nullopt;
    std::string_view t = Trim(v[i], true);
    if (t.size() > 2 && t.substr(t.size() - 2) == ".0") t.remove_suffix(2);
    return U128FromString(t);
  };
  const auto total = count(0);
  if (!total || *total != h_.lines) {
    return LineError(kStatementTruncated, no,
                     "资金流水总笔数 is not the " + std::to_string(h_.lines) + " rows of the file");
  }
  StatementCheck c;
  c.statement_id = "summary";
  c.line_no = no;
  auto sum_ok = [&](std::size_t i, const ExactSum& sum) {
    if (i >= v.size()) return false;
    auto a = ParseSignedAmount(Trim(v[i], true), *cur_, no, kFractionDigitsMax);
    return a.ok() && sum.Equals(a->value, a->negative);
  };
  const bool counts = count(1) == u128{in_n_} && count(3) == u128{out_n_};
  c.consistent = counts && sum_ok(2, in_sum_) && sum_ok(4, out_sum_) && first_break_ == 0;
  c.note = "fund-flow bill: in " + std::to_string(in_n_) + " rows " + in_sum_.ToString() +
           ", out " + std::to_string(out_n_) + " rows " + out_sum_.ToString() +
           (c.consistent ? "; the summary and every 账户结余 agree"
                         : "; summary or running balance differ" +
                               (first_break_ != 0 ? " (账户结余 breaks at line " +
                                                        std::to_string(first_break_) + ")"
                                                  : std::string()));
  h_.checks.push_back(std::move(c));
  return OkStatus();
}

}  // namespace

bool IsFundFlowHeader(const std::vector<std::string>& header) {
  return ColumnIndex(header, "记账时间") >= 0 && ColumnIndex(header, "资金流水单号") >= 0;
}

Result<Header> ContinueFundFlow(LineReader& reader, BillDecoder& decoder,
                                const std::vector<std::string>& header, std::uint32_t header_no,
                                const LineSink& sink, const ParseOptions& opts) {
  FundFlow ff(sink, opts);
  RETURN_IF_ERROR(ff.Columns(header, header_no));
  std::string raw, text;
  std::vector<std::string> fields;
  int summary_state = 0;
  Status err;
  while (reader.Next(&raw, &err)) {
    const std::uint32_t no = reader.line_no();
    RETURN_IF_ERROR(decoder.Decode(raw, no, &text));
    if (Trim(text).empty()) continue;
    if (summary_state == 2) return LineError(kStatementMalformed, no, "text after the summary");
    if (!SplitCsv(text, &fields)) return LineError(kStatementMalformed, no, "open quote");
    if (summary_state == 0 && Trim(fields[0]) == "资金流水总笔数") {
      summary_state = 1;
    } else if (summary_state == 1) {
      RETURN_IF_ERROR(ff.Summary(fields, no));
      summary_state = 2;
    } else {
      for (const std::string& f : fields) {
        if (Trim(f).empty() || Trim(f)[0] != '`') {
          return LineError(kStatementMalformed, no, "a field without its backtick");
        }
      }
      RETURN_IF_ERROR(ff.Row(fields, no));
    }
  }
  if (!err.ok()) return err;
  if (summary_state != 2) {
    return LineError(kStatementTruncated, reader.line_no(), "no summary lines at the end");
  }
  return ff.header();
}

}  // namespace folio::statements
