// Writes statements in the real layouts of each source, for tests,
// benchmarks and demos: the inverse of the parsers (ParseStatement of a
// written bill gives back its rows). Rows are written one at a time so a
// million-line bill needs no memory for the bill itself.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "adapters/statements/statement.h"

namespace folio::statements {

struct BillMeta {
  std::string account = "2088000000000001";  // UnionPay: the merId (15 digits)
  Asset asset = Asset::CNY;
  std::int64_t period_start_ns = 0;
  std::int64_t period_end_ns = 0;
  Money opening, closing;                // bank statements
  bool wechat_shuffled_columns = false;  // another column order (same names)
  std::uint64_t rows = 0;  // CSV: when known, "# lines: N" goes first (truncation shows)
};

// One bill being written. Begin, Row*, End; the stream must outlive it.
class BillWriter {
 public:
  BillWriter(Source source, std::ostream& out, BillMeta meta);
  ~BillWriter();
  BillWriter(const BillWriter&) = delete;
  BillWriter& operator=(const BillWriter&) = delete;
  void Begin();
  // Uses reference, order_ref, original_ref, amount, fee, is_debit,
  // is_refund, status (WeChat Pay: SUCCESS when empty), booked_at_ns, description.
  // UnionPay: one INN record (unionpay_inn.h) per row, S22 or S30 by
  // is_refund; no header, no totals; the settle date is the caller's (the
  // file name INN<yymmdd>01ACOMN, or ParseOptions::settle_date_ns).
  void Row(const Line& row);
  void End();

 private:
  void Put(const std::string& utf8);  // GBK for Alipay
  Source source_;
  std::ostream& out_;
  BillMeta meta_;
  std::uint64_t rows_ = 0;
  u128 payments_minor_ = 0, refunds_minor_ = 0;
  ExactSum fees_;  // net: refunds give fees back
  void* iconv_ = nullptr;
};

// A whole bill in memory (small tests).
std::string WriteBill(Source source, const BillMeta& meta, const std::vector<Line>& rows);

}  // namespace folio::statements
