// Statement parsers on bills written in the real layouts (bill_writer.h),
// with every quirk of each source, then corrupted: wrong encoding, missing
// columns, bad amounts, every truncation, byte flips.
#include <doctest/doctest.h>

#include <iconv.h>

#include <random>
#include <sstream>

#include "adapters/statements/bill_writer.h"
#include "adapters/statements/statement.h"
#include "adapters/statements/text.h"
#include "adapters/statements/xml_reader.h"

namespace folio::statements {
namespace {

Money Cny(u128 minor) { return Money(Asset::CNY, minor); }
constexpr std::int64_t kDay = kNsPerDay;
// 2026-11-01 00:00 Asia/Shanghai.
std::int64_t Nov1() { return *ShanghaiMidnight(2026, 11, 1, 0); }

std::vector<Line> SampleRows() {
  std::vector<Line> rows(3);
  rows[0].reference = "2026110122001400001";
  rows[0].order_ref = "ORD-1";
  rows[0].amount = Cny(10000);
  rows[0].fee = Cny(60);
  rows[0].booked_at_ns = Nov1() + 3600LL * 1'000'000'000;
  rows[0].description = "legal consultation";
  rows[1] = rows[0];
  rows[1].reference = "2026110122001400002";
  rows[1].order_ref = "ORD-2";
  rows[1].amount = Cny(25050);
  rows[1].fee = Cny(150);
  rows[2].reference = "RF-1";
  rows[2].order_ref = "RF-1";
  rows[2].original_ref = "2026110122001400001";
  rows[2].amount = Cny(4000);
  rows[2].fee = Cny(24);
  rows[2].is_refund = true;
  rows[2].is_debit = true;
  rows[2].booked_at_ns = Nov1() + 7200LL * 1'000'000'000;
  return rows;
}

BillMeta Meta() {
  BillMeta m;
  m.period_start_ns = Nov1();
  m.period_end_ns = Nov1() + kDay;
  m.opening = Cny(100000);
  m.closing = Cny(131050);
  return m;
}

struct Parsed {
  Status status;
  Header header;
  std::vector<Line> lines;
};

Parsed Parse(Source s, const std::string& bytes, ParseOptions opts = {}) {
  std::istringstream in(bytes);
  Parsed p;
  auto r = ParseStatement(
      s, in,
      [&p](const Line& l) {
        p.lines.push_back(l);
        return OkStatus();
      },
      opts);
  if (r.ok())
    p.header = *r;
  else
    p.status = r.status();
  return p;
}

std::string Gbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  std::string out(utf8.size() * 2 + 8, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size(), out_left = out.size();
  char* o = out.data();
  iconv(cd, &in, &in_left, &o, &out_left);
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

void CheckSampleLines(const Parsed& p, bool bank) {
  REQUIRE(p.status.ok());
  REQUIRE(p.lines.size() == 3);
  const auto rows = SampleRows();
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(p.lines[i].reference == rows[i].reference);
    CHECK(p.lines[i].amount == rows[i].amount);
    CHECK(p.lines[i].is_debit == rows[i].is_debit);
    if (!bank) {
      CHECK(p.lines[i].order_ref == rows[i].order_ref);
      CHECK(p.lines[i].fee == rows[i].fee);
      CHECK(p.lines[i].is_refund == rows[i].is_refund);
      CHECK(p.lines[i].booked_at_ns == rows[i].booked_at_ns);
      CHECK(p.lines[i].original_ref == rows[i].original_ref);
    } else {
      CHECK(p.lines[i].booked_at_ns == Nov1());
    }
  }
  CHECK(p.header.lines == 3);
}

// Every prefix either fails with a code or yields every line; never crashes.
void CheckTruncations(Source s, const std::string& bill, std::size_t lines) {
  for (std::size_t n = 0; n < bill.size(); ++n) {
    const Parsed p = Parse(s, bill.substr(0, n));
    if (p.status.ok()) {
      CHECK(p.lines.size() == lines);
    } else {
      CHECK(p.status.message().rfind("line ", 0) == 0);
    }
  }
}

// Random byte flips: any outcome but a crash; errors carry a line number.
void CheckFlips(Source s, const std::string& bill) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string b = bill;
    for (int k = 0; k < 3; ++k) {
      b[rng() % b.size()] = static_cast<char>(rng() % 256);
    }
    const Parsed p = Parse(s, b);
    if (!p.status.ok()) CHECK(p.status.message().rfind("line ", 0) == 0);
  }
}

}  // namespace

TEST_CASE("alipay: GBK detail bill with comments, trailing tabs, refunds and the total line") {
  const std::string bill = WriteBill(Source::kAlipay, Meta(), SampleRows());
  CHECK(bill.find("\xE6\x94\xAF") == std::string::npos);  // no UTF-8 left: it is GBK
  const Parsed p = Parse(Source::kAlipay, bill);
  CheckSampleLines(p, false);
  CHECK(p.header.account == "2088000000000001");
  CHECK(p.header.period_start_ns == Nov1());
  CHECK(p.header.period_end_ns == Nov1() + kDay);
  CHECK(p.lines[2].status == "退款");
  CHECK(p.lines[0].description == "legal consultation");
}

TEST_CASE("alipay: the summary file (汇总) is refused by name") {
  ParseOptions o;
  o.file_name = "/tmp/20881234_20261101_业务明细(汇总).csv";
  const Parsed p = Parse(Source::kAlipay, WriteBill(Source::kAlipay, Meta(), SampleRows()), o);
  CHECK(p.status.code() == kStatementSummaryFile);
}

TEST_CASE("alipay: corrupted bills are rejected with a code and the line") {
  const std::string bill = WriteBill(Source::kAlipay, Meta(), SampleRows());
  SUBCASE("UTF-8 with a BOM (re-saved by a spreadsheet) reads like the GBK bill") {
    std::string utf8;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    utf8.resize(bill.size() * 2);
    char* in = const_cast<char*>(bill.data());
    std::size_t il = bill.size(), ol = utf8.size();
    char* o = utf8.data();
    iconv(cd, &in, &il, &o, &ol);
    iconv_close(cd);
    utf8.resize(utf8.size() - ol);
    const Parsed p = Parse(Source::kAlipay, "\xEF\xBB\xBF" + utf8);
    CheckSampleLines(p, false);
    REQUIRE(p.header.checks.size() == 1);
    CHECK(p.header.checks[0].consistent);
  }
  SUBCASE("UTF-16 is statement_encoding") {
    std::string utf16;
    for (char c : bill) utf16 += std::string(1, c) + '\0';
    CHECK(Parse(Source::kAlipay, utf16).status.code() == kStatementEncoding);
  }
  SUBCASE("invalid GBK bytes") {
    std::string b = bill;
    const std::size_t row = b.find("2026110122001400002");
    b.insert(row, "\xFF\xFF");
    const Parsed p = Parse(Source::kAlipay, b);
    CHECK(p.status.code() == kStatementEncoding);
    CHECK(p.status.message().rfind("line 7:", 0) == 0);
  }
  SUBCASE("missing column") {
    std::string b = bill;
    const std::string col = Gbk("服务费（元）");
    b.replace(b.find(col), col.size(), Gbk("手续费"));
    CHECK(Parse(Source::kAlipay, b).status.code() == kStatementMissingColumn);
  }
  SUBCASE("bad amount") {
    std::string b = bill;
    b.replace(b.find("250.50"), 6, "25O.50");
    const Parsed p = Parse(Source::kAlipay, b);
    CHECK(p.status.code() == kStatementAmountInvalid);
    CHECK(p.status.message().rfind("line 7:", 0) == 0);
  }
  SUBCASE("a row lost from the middle") {
    std::string b = bill;
    const std::size_t row = b.find("2026110122001400002");
    b.erase(row, b.find('\n', row) - row + 1);
    CHECK(Parse(Source::kAlipay, b).status.code() == kStatementTruncated);
  }
  SUBCASE("every truncation") { CheckTruncations(Source::kAlipay, bill, 3); }
  SUBCASE("byte flips") { CheckFlips(Source::kAlipay, bill); }
}

TEST_CASE("wechatpay: BOM, backticks, CRLF, refund rows with negative fees, summary lines") {
  BillMeta m = Meta();
  const Parsed a = Parse(Source::kWechatPay, WriteBill(Source::kWechatPay, m, SampleRows()));
  CheckSampleLines(a, false);
  CHECK(a.lines[2].status == "REFUND");
  CHECK(a.lines[0].status == "SUCCESS");
  m.wechat_shuffled_columns = true;  // columns found by name, not position
  const Parsed b = Parse(Source::kWechatPay, WriteBill(Source::kWechatPay, m, SampleRows()));
  CheckSampleLines(b, false);
}

TEST_CASE("wechatpay: corrupted bills") {
  const std::string bill = WriteBill(Source::kWechatPay, Meta(), SampleRows());
  SUBCASE("missing column") {
    std::string b = bill;
    b.replace(b.find("手续费"), std::string("手续费").size(), "fee");
    CHECK(Parse(Source::kWechatPay, b).status.code() == kStatementMissingColumn);
  }
  SUBCASE("refund with a positive fee") {
    std::string b = bill;
    b.replace(b.find("`-0.24"), 6, "`0.24");
    const Parsed p = Parse(Source::kWechatPay, b);
    CHECK(p.status.code() == kStatementAmountInvalid);
    CHECK(p.status.message().rfind("line 4:", 0) == 0);
  }
  SUBCASE("a field without its backtick") {
    std::string b = bill;
    b.replace(b.find("`NATIVE"), 7, "NATIVE");
    CHECK(Parse(Source::kWechatPay, b).status.code() == kStatementMalformed);
  }
  SUBCASE("summary lines missing") {
    CHECK(Parse(Source::kWechatPay, bill.substr(0, bill.find("总交易单数"))).status.code() ==
          kStatementTruncated);
  }
  SUBCASE("every truncation") { CheckTruncations(Source::kWechatPay, bill, 3); }
  SUBCASE("byte flips") { CheckFlips(Source::kWechatPay, bill); }
}

TEST_CASE("camt.053: balances, entries, references, entities and comments") {
  std::string bill = WriteBill(Source::kCamt053, Meta(), SampleRows());
  bill.insert(bill.find("<BkToCstmrStmt>"), "<!-- generated -->\n");
  bill.replace(bill.find("legal consultation"), 18, "legal &amp; consultation &#x4E2D;");
  const Parsed p = Parse(Source::kCamt053, bill);
  CheckSampleLines(p, true);
  CHECK(p.header.has_balances);
  CHECK(p.header.opening == Cny(100000));
  CHECK(p.header.closing == Cny(131050));
  CHECK(p.header.period_start_ns == Nov1());
  CHECK(p.header.period_end_ns == Nov1() + kDay);
  CHECK(p.lines[0].description == "legal & consultation \xE4\xB8\xAD");
  CHECK(p.lines[0].order_ref == "ORD-1");
  CHECK(p.lines[0].line_no == 11);  // the <Ntry> line, counting the inserted comment
}

TEST_CASE("camt.053: hostile and broken documents") {
  const std::string bill = WriteBill(Source::kCamt053, Meta(), SampleRows());
  SUBCASE("DOCTYPE with entities is refused") {
    std::string b = bill;
    b.insert(b.find("<Document"), "<!DOCTYPE d [<!ENTITY a \"aaaa\">]>\n");
    CHECK(Parse(Source::kCamt053, b).status.code() == kStatementMalformed);
  }
  SUBCASE("mismatched tags") {
    std::string b = bill;
    b.replace(b.find("</NtryRef>"), 10, "</NtryReg>");
    CHECK(Parse(Source::kCamt053, b).status.code() == kStatementMalformed);
  }
  SUBCASE("bad amount") {
    std::string b = bill;
    b.replace(b.find(">250.50<"), 8, ">250,50<");
    CHECK(Parse(Source::kCamt053, b).status.code() == kStatementAmountInvalid);
  }
  SUBCASE("no closing balance: imported, not checked") {
    std::string b = bill;
    b.replace(b.find("CLBD"), 4, "CLAV");
    const Parsed p = Parse(Source::kCamt053, b);
    REQUIRE(p.status.ok());
    CHECK(p.lines.size() == 3);
    CHECK_FALSE(p.header.has_balances);
    REQUIRE(p.header.checks.size() == 1);
    CHECK(p.header.checks[0].note.find("not checked") != std::string::npos);
  }
  SUBCASE("deep nesting") {
    std::string b = "<a>";
    for (int i = 0; i < 100000; ++i) b += "<b>";
    CHECK(Parse(Source::kCamt053, b).status.code() == kStatementMalformed);
  }
  SUBCASE("an empty element counts toward the depth like any other (found by the fuzzer)") {
    auto depth_reached = [](const std::string& doc) {
      std::istringstream in(doc);
      XmlReader reader(in, 4096, 3);
      XmlEvent ev;
      Status error;
      while (reader.Next(&ev, &error)) {
      }
      return error;
    };
    CHECK(depth_reached("<a><b><c></c></b></a>").ok());
    CHECK(depth_reached("<a><b><c/></b></a>").ok());
    CHECK(depth_reached("<a><b><c><d></d></c></b></a>").code() == kStatementMalformed);
    CHECK(depth_reached("<a><b><c><d/></c></b></a>").code() == kStatementMalformed);
  }
  SUBCASE("CDATA keeps every character") {
    std::string b = bill;
    b.replace(b.find("legal consultation"), 18, "<![CDATA[a<b & c]]>");
    const Parsed p = Parse(Source::kCamt053, b);
    REQUIRE(p.status.ok());
    CHECK(p.lines[0].description == "a<b & c");
  }
  SUBCASE("text after the root") {
    CHECK(Parse(Source::kCamt053, bill + "trailing").status.code() == kStatementMalformed);
  }
  SUBCASE("many comments do not recurse") {
    std::string b;
    for (int i = 0; i < 200000; ++i) b += "<!---->";
    CHECK(Parse(Source::kCamt053, b + bill).status.ok());
  }
  SUBCASE("every truncation") { CheckTruncations(Source::kCamt053, bill, 3); }
  SUBCASE("byte flips") { CheckFlips(Source::kCamt053, bill); }
}

TEST_CASE("mt940: :60F:, :61: with entry dates and references, :86:, :62F:") {
  const std::string bill = WriteBill(Source::kMt940, Meta(), SampleRows());
  const Parsed p = Parse(Source::kMt940, bill);
  CheckSampleLines(p, true);
  CHECK(p.lines[0].order_ref == "ORD-1");
  CHECK(p.lines[0].description == "legal consultation");
  CHECK(p.header.opening == Cny(100000));
  CHECK(p.header.closing == Cny(131050));
  CHECK(p.header.account == "2088000000000001");
  SUBCASE("a decimal point instead of a comma") {
    std::string b = bill;
    b.replace(b.find("250,50"), 6, "250.50");
    CHECK(Parse(Source::kMt940, b).status.code() == kStatementAmountInvalid);
  }
  SUBCASE("no closing balance") {
    CHECK(Parse(Source::kMt940, bill.substr(0, bill.find(":62F:"))).status.code() ==
          kStatementTruncated);
  }
  SUBCASE("every truncation") { CheckTruncations(Source::kMt940, bill, 3); }
  SUBCASE("byte flips") { CheckFlips(Source::kMt940, bill); }
}

TEST_CASE("csv: columns by name, quotes, balance comments, line count") {
  const std::string bill = WriteBill(Source::kCsv, Meta(), SampleRows());
  const Parsed p = Parse(Source::kCsv, bill);
  CheckSampleLines(p, true);
  CHECK(p.header.has_balances);
  CHECK(p.header.closing == Cny(131050));
  SUBCASE("a row lost") {
    std::string b = bill;
    const std::size_t row = b.find("2026110122001400002");
    b.erase(row - 11, b.find('\n', row) - row + 12);
    CHECK(Parse(Source::kCsv, b).status.code() == kStatementTruncated);
  }
  SUBCASE("missing amount column") {
    std::string b = bill;
    b.replace(b.find(",amount,"), 8, ",amt,");
    CHECK(Parse(Source::kCsv, b).status.code() == kStatementMissingColumn);
  }
  SUBCASE("every truncation") { CheckTruncations(Source::kCsv, bill, 3); }
  SUBCASE("byte flips") { CheckFlips(Source::kCsv, bill); }
}

TEST_CASE("amounts: exact, signed, digits below the minor unit kept, bounded") {
  CHECK(ParseSignedAmount("-100.50", Asset::CNY, 3)->negative);
  CHECK(ParseSignedAmount("100.5", Asset::CNY, 3)->value == Amount(Cny(10050)));
  // Trailing zeros beyond the minor unit are the shorter value.
  CHECK(ParseSignedAmount("0.60000", Asset::CNY, 3)->value == Amount(Cny(60)));
  CHECK_FALSE(ParseSignedAmount("0.60000", Asset::CNY, 3)->value.sub_minor());
  // Non-zero digits below it are kept exactly, never rounded.
  const auto sub = ParseSignedAmount("1.001", Asset::CNY, 3);
  REQUIRE(sub.ok());
  CHECK(sub->value.sub_minor());
  CHECK(sub->value.ToString() == "1.001");
  CHECK_FALSE(sub->value == Amount(Cny(100)));
  CHECK(ParseSignedAmount("1,000.00", Asset::CNY, 3).status().code() == kStatementAmountInvalid);
  CHECK(ParseSignedAmount("1e5", Asset::CNY, 3).status().code() == kStatementAmountInvalid);
  CHECK(ParseSignedAmount("1.0000001", Asset::CNY, 3).status().code() == kStatementAmountInvalid);
  CHECK(ParseSignedAmount("1000000000000000000000000000.00", Asset::CNY, 3).ok());
  const auto big = ParseSignedAmount("10000000000000000000000000000.00", Asset::CNY, 3);
  CHECK(big.status().code() == kStatementAmountInvalid);
  CHECK(big.status().message().rfind("line 3:", 0) == 0);
}

TEST_CASE("every parser: a line longer than the bound is statement_too_large") {
  ParseOptions o;
  o.line_bytes_max = 1024;
  for (Source s :
       {Source::kAlipay, Source::kWechatPay, Source::kMt940, Source::kCsv, Source::kCamt053}) {
    const Parsed p = Parse(s, std::string(5000, 'x'), o);
    CHECK(p.status.code() == kStatementTooLarge);
  }
}

}  // namespace folio::statements
