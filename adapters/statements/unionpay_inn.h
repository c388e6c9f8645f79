// UnionPay's merchant reconciliation file (全渠道平台商户对账文件, the
// transaction detail file "INN<yymmdd>01ACOMN" of the archive ACP's file
// transfer call returns, adapters/gateways/unionpay_api.h): fixed-width
// text, GBK, one transaction per line, fields left-aligned, padded with
// spaces and separated by one space.
//
//   file   := (record eol)*          eol: "\n" or "\r\n"; blank lines are skipped
//   record := field(1) " " field(2) " " ... " " field(42)      607 bytes
//
// Where the layout comes from (the official spec, 《全渠道平台接入接口规范 第3部分
// 文件接口》 6.1, is not public; these follow it):
//   - widths and the one-space separator: UnionPay's own ACP Java demo,
//     parseZMFile in src/com/unionpay/acp/demo/DemoBase.java (as published in
//     e.g. github.com/caolinke/ACPSample_B2C): {3,11,11,6,10,19,12,4,2,21,2,32,
//     2,6,10,13,13,4,15,2,2,6,2,4,32,1,21,15,1,15,32,13,13,8,32,13,13,12,2,1,
//     32,98}, "参照《全渠道平台接入接口规范 第3部分 文件接口》 全渠道商户对账文件
//     6.1 ZM文件", fields cut at `left = right + 1`;
//   - the field names in that order: merchants' reconciliation code that
//     follows the spec (dax-pay's UnionReconcileBillDetail; a bank's export of
//     the same file, whose money fields are "X+n12标示D/C").
// Older SDKs end with one 131-byte 保留使用 in place of the last two fields:
// the same record width, and Folio reads neither.
//
// Folio reads (1-based field numbers):
//    1 交易代码 (txn code)     S22 consumption (消费, a payment), S30 refund (退货)
//    5 交易传输时间            MMDDhhmmss, Asia/Shanghai; the year is the settle date's
//    7 交易金额                12 digits, fen
//   10 查询流水号 (queryId)    the transaction's id at UnionPay
//   12 商户订单号 (orderId)    our payment id, or our refund id on a refund
//   16 商户手续费              "D" or "C" + 12 digits of fen: D the merchant pays it
//                              (a payment's fee), C the merchant gets it back (a refund's)
//   27 原交易查询流水号 (origQryId)  refunds: the queryId of the refunded payment
//   28 商户代码 (merId)        the account the file is for
// and checks that every other field boundary is a space (a shifted field is
// an error, never a wrong number).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace folio::statements::unionpay {

struct InnField {
  std::string_view name;
  std::size_t width;
};

inline constexpr std::array<InnField, 42> kInnFields = {{
    {"交易代码", 3},          {"代理机构标识码", 11},
    {"发送机构标识码", 11},   {"系统跟踪号", 6},
    {"交易传输时间", 10},     {"帐号", 19},
    {"交易金额", 12},         {"商户类别", 4},
    {"终端类型", 2},          {"查询流水号", 21},
    {"支付方式（旧）", 2},    {"商户订单号", 32},
    {"支付卡类型", 2},        {"原始交易的系统跟踪号", 6},
    {"原始交易日期时间", 10}, {"商户手续费", 13},
    {"结算金额", 13},         {"支付方式", 4},
    {"集团商户代码", 15},     {"交易类型", 2},
    {"交易子类", 2},          {"业务类型", 6},
    {"帐号类型", 2},          {"账单类型", 4},
    {"账单号码", 32},         {"交互方式", 1},
    {"原交易查询流水号", 21}, {"商户代码", 15},
    {"分账入账方式", 1},      {"二级商户代码", 15},
    {"二级商户简称", 32},     {"二级商户分账入账金额", 13},
    {"清算净额", 13},         {"终端号", 8},
    {"商户自定义域", 32},     {"优惠金额", 13},
    {"发票金额", 13},         {"分期付款附加手续费", 12},
    {"分期付款期数", 2},      {"交易介质", 1},
    {"原始交易订单号", 32},   {"保留使用", 98},
}};

// 0-based indexes of the fields Folio reads or writes.
inline constexpr std::size_t kTxnCode = 0;
inline constexpr std::size_t kTraceNo = 3;
inline constexpr std::size_t kTransmittedAt = 4;
inline constexpr std::size_t kAmount = 6;
inline constexpr std::size_t kQueryId = 9;
inline constexpr std::size_t kOrderId = 11;
inline constexpr std::size_t kMerchantFee = 15;
inline constexpr std::size_t kSettleAmount = 16;
inline constexpr std::size_t kTxnType = 19;
inline constexpr std::size_t kTxnSubType = 20;
inline constexpr std::size_t kBizType = 21;
inline constexpr std::size_t kOrigQueryId = 26;
inline constexpr std::size_t kMerId = 27;

// Where field i starts in a record.
constexpr std::size_t InnOffset(std::size_t i) {
  std::size_t at = 0;
  for (std::size_t k = 0; k < i; ++k) at += kInnFields[k].width + 1;
  return at;
}

// A whole record; a line may stop (trailing blanks trimmed) after the last
// field Folio reads, never before.
inline constexpr std::size_t kInnRecordBytes =
    InnOffset(kInnFields.size() - 1) + kInnFields.back().width;
inline constexpr std::size_t kInnBytesMin = InnOffset(kMerId) + kInnFields[kMerId].width;
static_assert(kInnRecordBytes == 607);

// Transaction codes (交易代码).
inline constexpr std::string_view kTxnCodePayment = "S22";  // 消费
inline constexpr std::string_view kTxnCodeRefund = "S30";   // 退货

}  // namespace folio::statements::unionpay
