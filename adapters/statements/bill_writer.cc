#include "adapters/statements/bill_writer.h"

#include <iconv.h>

#include <array>
#include <sstream>

#include <fmt/format.h>

#include "adapters/statements/text.h"
#include "adapters/statements/unionpay_inn.h"
#include "engine/domain/civil_time.h"

namespace folio::statements {
namespace {

std::string DateOnly(std::int64_t ns) { return domain::ShanghaiDateTimeNs(ns).substr(0, 10); }
std::string Yymmdd(std::int64_t ns) {
  const std::string d = DateOnly(ns);
  return d.substr(2, 2) + d.substr(5, 2) + d.substr(8, 2);
}
std::string Comma(const Amount& m) {
  std::string s = m.ToString();
  const std::size_t dot = s.find('.');
  if (dot == std::string::npos) return s + ",";
  s[dot] = ',';
  return s;
}
std::string Neg(const Amount& m) { return m.is_zero() ? m.ToString() : "-" + m.ToString(); }
std::string XmlEscape(std::string_view s) {
  std::string o;
  for (char c : s) {
    if (c == '&')
      o += "&amp;";
    else if (c == '<')
      o += "&lt;";
    else if (c == '>')
      o += "&gt;";
    else
      o.push_back(c);
  }
  return o;
}

constexpr const char* kWechatColumns[] = {
    "交易时间",     "公众账号ID",   "商户号",       "特约商户号",   "设备号",   "微信订单号",
    "商户订单号",   "用户标识",     "交易类型",     "交易状态",     "付款银行", "货币种类",
    "应结订单金额", "代金券金额",   "微信退款单号", "商户退款单号", "退款金额", "充值券退款金额",
    "退款类型",     "退款状态",     "商品名称",     "商户数据包",   "手续费",   "费率",
    "订单金额",     "申请退款金额", "费率备注"};
constexpr std::size_t kWechatCount = sizeof(kWechatColumns) / sizeof(kWechatColumns[0]);

// Column order: the documented one, or reversed (WeChat Pay has moved columns).
std::size_t WechatAt(std::size_t i, bool shuffled) { return shuffled ? kWechatCount - 1 - i : i; }

std::string Fen12(u128 fen) {
  const std::string digits = U128ToString(fen);
  return std::string(digits.size() < 12 ? 12 - digits.size() : 0, '0') + digits;
}

// One INN record (unionpay_inn.h): every field padded to its width (a value
// wider than its field is cut: ACP allows a 40-byte orderId, the file holds 32).
std::string UnionPayRecord(const Line& r, std::uint64_t trace, const std::string& mer_id) {
  namespace up = unionpay;
  std::array<std::string, up::kInnFields.size()> f;
  const std::string at = domain::ShanghaiDateTimeNs(r.booked_at_ns);  // "2026-11-03 10:00:00"
  const u128 amount = r.amount.minor(), fee = r.fee.minor();
  f[up::kTxnCode] = std::string(r.is_refund ? up::kTxnCodeRefund : up::kTxnCodePayment);
  f[1] = "00049992";  // 代理机构标识码, 发送机构标识码: UnionPay's own
  f[2] = "00049992";
  f[up::kTraceNo] = fmt::format("{:06}", trace % 1'000'000);
  f[up::kTransmittedAt] =
      at.substr(5, 2) + at.substr(8, 2) + at.substr(11, 2) + at.substr(14, 2) + at.substr(17, 2);
  f[5] = "621626******0018";  // 帐号, masked
  f[up::kAmount] = Fen12(amount);
  f[7] = "8111";  // 商户类别: legal services
  f[8] = "08";    // 终端类型: mobile
  f[up::kQueryId] = r.reference;
  f[up::kOrderId] = r.order_ref;
  f[12] = "01";  // 支付卡类型: debit card
  f[up::kMerchantFee] = (r.is_refund ? "C" : "D") + Fen12(fee);
  const u128 net = amount >= fee ? amount - fee : 0;
  f[up::kSettleAmount] = (r.is_refund ? "D" : "C") + Fen12(net);
  f[up::kTxnType] = r.is_refund ? "04" : "01";
  f[up::kTxnSubType] = r.is_refund ? "00" : "07";
  f[up::kBizType] = "000000";
  f[up::kOrigQueryId] = r.is_refund ? r.original_ref : "";
  f[up::kMerId] = mer_id;
  f[32] = f[up::kSettleAmount];  // 清算净额
  std::string line;
  line.reserve(up::kInnRecordBytes + 2);
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (i > 0) line.push_back(' ');
    std::string v = f[i].substr(0, up::kInnFields[i].width);
    v.resize(up::kInnFields[i].width, ' ');
    line += v;
  }
  return line + "\r\n";
}

}  // namespace

BillWriter::BillWriter(Source source, std::ostream& out, BillMeta meta)
    : source_(source), out_(out), meta_(std::move(meta)) {
  if (source_ == Source::kAlipay) iconv_ = iconv_open("GB18030", "UTF-8");
}

BillWriter::~BillWriter() {
  if (iconv_ != nullptr) iconv_close(static_cast<iconv_t>(iconv_));
}

void BillWriter::Put(const std::string& utf8) {
  if (source_ != Source::kAlipay) {
    out_ << utf8;
    return;
  }
  std::string gbk(utf8.size() + 8, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* o = gbk.data();
  std::size_t out_left = gbk.size();
  iconv(static_cast<iconv_t>(iconv_), &in, &in_left, &o, &out_left);
  gbk.resize(gbk.size() - out_left);
  out_ << gbk;
}

void BillWriter::Begin() {
  switch (source_) {
    case Source::kAlipay: {
      auto cn = [](std::int64_t ns) {
        const std::string t = domain::ShanghaiDateTimeNs(ns);
        return t.substr(0, 4) + "年" + t.substr(5, 2) + "月" + t.substr(8, 2) + "日" + t.substr(10);
      };
      Put("#支付宝交易记录明细查询\n#账号:[" + meta_.account + "]\n#起始日期:[" +
          cn(meta_.period_start_ns) + "]    终止日期:[" + cn(meta_.period_end_ns) + "]\n");
      Put("#-----------------------------------------交易明细列表----------------------------------"
          "--\n");
      Put("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,"
          "终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,"
          "支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,"
          "卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注\n");
      break;
    }
    case Source::kWechatPay: {
      std::string h = "\xEF\xBB\xBF";
      for (std::size_t i = 0; i < kWechatCount; ++i) {
        h += std::string(i ? "," : "") + kWechatColumns[WechatAt(i, meta_.wechat_shuffled_columns)];
      }
      Put(h + "\r\n");
      break;
    }
    case Source::kCamt053:
      Put("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n"
          "<BkToCstmrStmt>\n<GrpHdr><MsgId>FOLIO-" +
          Yymmdd(meta_.period_start_ns) + "</MsgId></GrpHdr>\n<Stmt>\n<Id>STMT-" +
          Yymmdd(meta_.period_start_ns) + "</Id>\n<Acct><Id><Othr><Id>" + XmlEscape(meta_.account) +
          "</Id></Othr></Id><Ccy>" + std::string(AssetCode(meta_.asset)) + "</Ccy></Acct>\n");
      for (int i = 0; i < 2; ++i) {
        const Money& m = i == 0 ? meta_.opening : meta_.closing;
        const std::int64_t at = i == 0 ? meta_.period_start_ns : meta_.period_end_ns - kNsPerDay;
        Put(std::string("<Bal><Tp><CdOrPrtry><Cd>") + (i == 0 ? "OPBD" : "CLBD") +
            "</Cd></CdOrPrtry></Tp><Amt Ccy=\"" + std::string(AssetCode(meta_.asset)) + "\">" +
            m.ToString() + "</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>" + DateOnly(at) +
            "</Dt></Dt></Bal>\n");
      }
      break;
    case Source::kMt940:
      Put("{1:F01FOLIOCNSHAXXX0000000000}{2:I940FOLIOCNSHXXXXN}{4:\n:20:FOLIO" +
          Yymmdd(meta_.period_start_ns) + "\n:25:" + meta_.account + "\n:28C:1/1\n:60F:C" +
          Yymmdd(meta_.period_start_ns) + std::string(AssetCode(meta_.asset)) +
          Comma(meta_.opening) + "\n");
      break;
    case Source::kCsv:
      Put("\xEF\xBB\xBF# account: " + meta_.account +
          "\n# currency: " + std::string(AssetCode(meta_.asset)) +
          "\n# period: " + DateOnly(meta_.period_start_ns) + " " + DateOnly(meta_.period_end_ns) +
          "\n# opening: " + meta_.opening.ToString() + "\n# closing: " + meta_.closing.ToString() +
          (meta_.rows > 0 ? "\n# lines: " + std::to_string(meta_.rows) : std::string()) +
          "\ndate,reference,order_ref,amount,fee,direction,status,description\n");
      break;
    case Source::kUnionPay:
      break;  // records only
  }
}

void BillWriter::Row(const Line& r) {
  ++rows_;
  (r.is_refund || r.is_debit ? refunds_minor_ : payments_minor_) += r.amount.minor();
  fees_.Add(r.fee, r.is_refund);
  const std::string at = domain::ShanghaiDateTimeNs(r.booked_at_ns);
  switch (source_) {
    case Source::kAlipay:
      if (!r.is_refund) {
        Put(fmt::format(
            "{}\t,{}\t,交易,{}\t,{}\t,{}\t,,,,,buyer@example.com\t,{},{},0.00,0.00,0.00,"
            "0.00,0.00,,0.00,0.00,\t,{},0.00,\t\n",
            r.reference, r.order_ref, r.description, at, at, r.amount.ToString(),
            r.amount.ToString(), Neg(r.fee)));
      } else {
        Put(fmt::format(
            "{}\t,{}\t,退款,{}\t,{}\t,{}\t,,,,,buyer@example.com\t,{},{},0.00,0.00,0.00,"
            "0.00,0.00,,0.00,0.00,{}\t,{},0.00,\t\n",
            r.original_ref, r.order_ref, r.description, at, at, r.amount.ToString(), Neg(r.amount),
            r.reference, r.fee.ToString()));
      }
      break;
    case Source::kWechatPay: {
      const bool refund = r.is_refund;
      std::string v[kWechatCount];
      v[0] = at;
      v[1] = "wx2421b1c4370ec43b";
      v[2] = "1900000109";
      v[3] = "0";
      v[5] = refund ? r.original_ref : r.reference;
      v[6] = r.order_ref;
      v[7] = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
      v[8] = "NATIVE";
      v[9] = refund ? "REFUND" : (r.status.empty() ? "SUCCESS" : r.status);
      v[10] = "CFT";
      v[11] = std::string(AssetCode(r.amount.asset()));
      v[12] = refund ? Money(r.amount.asset(), 0).ToString() : r.amount.ToString();
      v[13] = "0.00";
      v[14] = refund ? r.reference : "0";
      v[15] = refund ? r.order_ref : "0";
      v[16] = refund ? r.amount.ToString() : "0.00";
      v[17] = "0.00";
      v[18] = refund ? "ORIGINAL" : "";
      v[19] = refund ? "SUCCESS" : "";
      v[20] = r.description;
      v[22] = refund ? Neg(r.fee) : r.fee.ToString();
      v[23] = "0.60%";
      v[24] = refund ? Money(r.amount.asset(), 0).ToString() : r.amount.ToString();
      v[25] = refund ? r.amount.ToString() : "0.00";
      std::string line;
      for (std::size_t i = 0; i < kWechatCount; ++i) {
        line += (i ? ",`" : "`") + v[WechatAt(i, meta_.wechat_shuffled_columns)];
      }
      Put(line + "\r\n");
      break;
    }
    case Source::kCamt053:
      Put("<Ntry><NtryRef>" + XmlEscape(r.reference) + "</NtryRef><Amt Ccy=\"" +
          std::string(AssetCode(r.amount.asset())) + "\">" + r.amount.ToString() +
          "</Amt><CdtDbtInd>" + (r.is_debit ? "DBIT" : "CRDT") +
          "</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>" + DateOnly(r.booked_at_ns) +
          "</Dt></BookgDt><ValDt><Dt>" + DateOnly(r.booked_at_ns) +
          "</Dt></ValDt><NtryDtls><TxDtls><Refs><EndToEndId>" + XmlEscape(r.order_ref) +
          "</EndToEndId></Refs><RmtInf><Ustrd>" + XmlEscape(r.description) +
          "</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n");
      break;
    case Source::kMt940:
      Put(":61:" + Yymmdd(r.booked_at_ns) + Yymmdd(r.booked_at_ns).substr(2) +
          (r.is_debit ? "D" : "C") + Comma(r.amount) + "NTRF" +
          (r.order_ref.empty() ? "NONREF" : r.order_ref) + "//" + r.reference +
          "\n:86:" + r.description + "\n");
      break;
    case Source::kCsv:
      Put(DateOnly(r.booked_at_ns) + "," + r.reference + "," + r.order_ref + "," +
          r.amount.ToString() + "," + r.fee.ToString() + "," + (r.is_debit ? "D" : "C") + "," +
          r.status + ",\"" + r.description + "\"\n");
      break;
    case Source::kUnionPay:
      Put(UnionPayRecord(r, rows_, meta_.account));
      break;
  }
}

void BillWriter::End() {
  const Asset a = meta_.asset;
  switch (source_) {
    case Source::kAlipay:
      Put("#-----------------------------------------交易明细列表结束------------------------------"
          "------\n");
      Put(fmt::format(
          "#交易合计：{}笔，商家实收：￥{}元，商家优惠：￥0.00元\n#导出时间：[{}]\n", rows_,
          Money(a, payments_minor_ - std::min(payments_minor_, refunds_minor_)).ToString(),
          domain::ShanghaiDateTimeNs(meta_.period_end_ns)));
      break;
    case Source::kWechatPay:
      Put("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,"
          "申请退款总金额\r\n");
      Put(fmt::format("`{},`{},`{},`0.00,`{},`{},`{}\r\n", rows_,
                      Money(a, payments_minor_).ToString(), Money(a, refunds_minor_).ToString(),
                      rows_ == 0 ? Money(a, 0).ToString() : fees_.Decimal(),
                      Money(a, payments_minor_).ToString(), Money(a, refunds_minor_).ToString()));
      break;
    case Source::kCamt053:
      Put("</Stmt>\n</BkToCstmrStmt>\n</Document>\n");
      break;
    case Source::kMt940:
      Put(":62F:C" + Yymmdd(meta_.period_end_ns - kNsPerDay) + std::string(AssetCode(a)) +
          Comma(meta_.closing) + "\n-}\n");
      break;
    case Source::kCsv:
      if (meta_.rows == 0) Put("# lines: " + std::to_string(rows_) + "\n");
      break;
    case Source::kUnionPay:
      break;  // no totals line
  }
}

std::string WriteBill(Source source, const BillMeta& meta, const std::vector<Line>& rows) {
  std::ostringstream out;
  BillMeta m = meta;
  m.rows = rows.size();
  BillWriter w(source, out, m);
  w.Begin();
  for (const Line& r : rows) w.Row(r);
  w.End();
  return out.str();
}

}  // namespace folio::statements
