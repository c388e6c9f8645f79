// The statement corpus under tests/fixtures/statements/ (its README says where
// each file came from): what each file holds, counted by hand from the file.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "adapters/statements/statement.h"

namespace folio::testing {

struct CorpusFile {
  std::string path;  // below tests/fixtures/statements/
  statements::Source source;
  std::uint32_t lines;         // movements (a split batch counts each transaction)
  std::uint32_t statements;    // statements (or bills) in the file
  std::uint32_t inconsistent;  // statements whose balances or totals do not add up
  std::map<std::string, std::string> credits, debits;  // currency -> exact sum ("8.85 EUR")
  std::uint32_t not_booked = 0;
};

inline const std::vector<CorpusFile>& Corpus() {
  using S = statements::Source;
  static const std::vector<CorpusFile> files = {
      {"camt053/genkgo-camt053.v2.multi.statement.xml",
       S::kCamt053,
       2,
       2,
       0,
       {{"EUR", "8.85 EUR"}},
       {{"EUR", "7.00 EUR"}}},
      // The closing balance says 27.050: 18.150 + 8.850 is 27.000.
      {"camt053/genkgo-camt053.v2.five.decimals.xml",
       S::kCamt053,
       1,
       1,
       1,
       {{"EUR", "8.85 EUR"}},
       {}},
      // Its closing balance is in SEK, its opening in EUR.
      {"camt053/genkgo-camt053.v8.xml", S::kCamt053, 1, 1, 1, {{"EUR", "8.85 EUR"}}, {}},
      {"camt053/folio-v13-batch-pending-reversal.xml",
       S::kCamt053,
       7,
       2,
       0,
       {{"CHF", "675.00 CHF"}, {"JPY", "150000 JPY"}},
       {{"CHF", "55.00 CHF"}},
       2},
      {"camt053/folio-v04-bhd-subminor.xml",
       S::kCamt053,
       2,
       2,
       0,
       {{"BHD", "0.125 BHD"}},
       {{"EUR", "0.00125 EUR"}}},
      // Both statements of the ABN AMRO sample do not add up (the sample was edited).
      {"mt940/wolph-jejik-abnamro.sta", S::kMt940, 10, 2, 2, {}, {{"EUR", "345.93 EUR"}}},
      // The second PostFinance statement is 0.20 short.
      {"mt940/wolph-jejik-postfinance.sta",
       S::kMt940,
       4,
       2,
       1,
       {{"CHF", "239.30 CHF"}},
       {{"CHF", "79.90 CHF"}}},
      {"mt940/wolph-mbank-mt942.sta", S::kMt940, 3, 1, 0, {{"PLN", "0.03 PLN"}}, {}},
      // Raiffeisen's closing balance is not opening + entries (anonymised sample).
      {"mt940/wolph-raiffeisen-cmi.sta",
       S::kMt940,
       7,
       1,
       1,
       {{"HUF", "2066637.00 HUF"}},
       {{"HUF", "3078850.50 HUF"}}},
      {"mt940/folio-swift-blocks-latin1-crlf.sta",
       S::kMt940,
       5,
       2,
       0,
       {{"EUR", "1750.50 EUR"}},
       {{"EUR", "250.50 EUR"}}},
      {"wechatpay/folio-all-five-decimal-fees.csv",
       S::kWechatPay,
       4,
       1,
       0,
       {{"CNY", "101.01 CNY"}},
       {{"CNY", "40.00 CNY"}}},
      {"wechatpay/folio-all-gbk.csv",
       S::kWechatPay,
       4,
       1,
       0,
       {{"CNY", "101.01 CNY"}},
       {{"CNY", "40.00 CNY"}}},
      {"wechatpay/folio-all-totals-disagree.csv",
       S::kWechatPay,
       4,
       1,
       1,
       {{"CNY", "101.01 CNY"}},
       {{"CNY", "40.00 CNY"}}},
      {"wechatpay/folio-success.csv", S::kWechatPay, 3, 1, 0, {{"CNY", "101.01 CNY"}}, {}},
      {"wechatpay/folio-refund.csv", S::kWechatPay, 1, 1, 0, {}, {{"CNY", "40.00 CNY"}}},
      {"wechatpay/folio-fundflow.csv",
       S::kWechatPay,
       4,
       1,
       0,
       {{"CNY", "101.00 CNY"}},
       {{"CNY", "40.60 CNY"}}},
      {"alipay/folio-20881234_20261101_业务明细.csv",
       S::kAlipay,
       3,
       1,
       0,
       {{"CNY", "350.50 CNY"}},
       {{"CNY", "40.00 CNY"}}},
  };
  return files;
}

inline std::string CorpusPath(const std::string& rel) {
  return std::string(FOLIO_SOURCE_DIR) + "/tests/fixtures/statements/" + rel;
}

}  // namespace folio::testing
