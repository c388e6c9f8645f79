// WeChat Pay's fund-flow bill (资金账单): every movement of the merchant's
// WeChat Pay balance, with the running balance after each.
//
//   header  := 记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,
//              收支金额（元）,账户结余（元）,资金变更提交申请人,备注,业务凭证号  (by name)
//   row     := "`" value ("," "`" value)*
//   summary := 资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额 / "`N,`n,`x,`m,`y"
//
// A line per row: 收支类型 收入 is money in, 支出 money out; the reference is
// 微信支付业务单号, the order reference 业务凭证号, the status 业务类型 (交易,
// 退款, ...). Checked exactly (Header::checks): each row's 账户结余 is the one
// before plus the row, and the summary's counts and sums are the rows'. A
// 资金流水总笔数 that differs from the rows, or no summary, is truncated.
#pragma once

#include <string>
#include <vector>

#include "adapters/statements/text.h"

namespace folio::statements {

// True when the (trimmed) header names the fund-flow bill's columns.
bool IsFundFlowHeader(const std::vector<std::string>& header);

// Reads the rest of a fund-flow bill whose header row (line `header_no`) was
// read from `reader` through `decoder`.
Result<Header> ContinueFundFlow(LineReader& reader, BillDecoder& decoder,
                                const std::vector<std::string>& header, std::uint32_t header_no,
                                const LineSink& sink, const ParseOptions& opts);

}  // namespace folio::statements
