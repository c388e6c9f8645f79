// The sandbox gateway's daily trade bill: what `GET /sandbox/bills/{gateway}/
// {date}` serves for Alipay and WeChat Pay, and what UnionPay's file transfer
// answer carries (the INN detail file, adapters/http/sandbox_process.h), in the gateway's real
// layout (statements::BillWriter), so Folio's statement parsers and its
// reconciliation read it as they read the gateway's own.
//
// A bill covers one day in Asia/Shanghai, [00:00, 24:00) as UTC ns, and holds
//   - a payment row per trade paid that day (SandboxTrade::paid_at_unix_ns):
//     reference the gateway's transaction id, order_ref the out_trade_no, and
//     the fee Folio's ledger expects: domain::ComputeFee of the method's
//     default rules (engine/domain/methods.h);
//   - a refund row per refund made that day (SandboxRefund::made_at_unix_ns):
//     reference the gateway's refund id, order_ref the refund number,
//     original_ref the trade's transaction id, and the fee given back as the
//     ledger expects it (reconciliation::FeeGivenBack, over the trade's
//     refunds in the order they were made);
//   - with SandboxFaults::bill_extra_row, one payment of 1.00 CNY nobody asked
//     for (reference "SANDBOX-EXTRA-<date>", order_ref "sandbox-extra"; in
//     UnionPay's file, whose ids are letters and digits, "SANDBOXEXTRA<yyyymmdd>"
//     and "sandboxextra") at 00:00 of the day.
// Rows are ordered by time, payments before refunds at the same time, then by
// order_ref: the same book gives the same bytes for a day however often asked.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/gateways/sandbox_book.h"
#include "adapters/statements/statement.h"
#include "engine/domain/civil_time.h"

namespace folio::gateways {

// "YYYY-MM-DD", a real calendar day of years 1970..2261; nullopt otherwise.
std::optional<domain::CivilDate> ParseBillDate(std::string_view text);

// The statement source of g's trade bill (Alipay, WeChat Pay, UnionPay);
// nullopt for a gateway without one.
std::optional<statements::Source> BillSource(Gateway g);

struct SandboxBillRequest {
  Gateway gateway = Gateway::kAlipay;  // REQUIRES: BillSource(gateway) has a value
  domain::CivilDate day;               // REQUIRES: as ParseBillDate gives
  std::string account;                 // the merchant account the bill names
  bool extra_row = false;              // SandboxFaults::bill_extra_row
};

// The day's rows, in bill order. `trades` may hold other gateways' trades
// (left out).
std::vector<statements::Line> SandboxBillRows(const SandboxBillRequest& req,
                                              const std::vector<SandboxTrade>& trades);

// The whole bill, as the gateway's file (Alipay: GB18030; WeChat Pay: UTF-8;
// UnionPay: the INN file, `account` its merId).
std::string SandboxBill(const SandboxBillRequest& req, const std::vector<SandboxTrade>& trades);

}  // namespace folio::gateways
