// UnionPay's merchant reconciliation file (INN<yymmdd>01ACOMN, the layout in
// adapters/statements/unionpay_inn.h): the hand-written fixture read field by
// field, the writer's file read back exactly, the year of MMDD times, and
// every kind of malformed record refused with its code and line.
#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "adapters/statements/bill_writer.h"
#include "adapters/statements/statement.h"
#include "adapters/statements/text.h"
#include "adapters/statements/unionpay_inn.h"
#include "tests/adapters/statements/corpus.h"

namespace folio::statements {
namespace {

namespace up = unionpay;

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::string_view kFileName = "INN26120301ACOMN";
constexpr std::string_view kMerId = "777290058110048";

Money Cny(u128 fen) { return Money(Asset::CNY, fen); }
// 2026-12-03 00:00 Asia/Shanghai.
std::int64_t Dec3() { return *ShanghaiMidnight(2026, 12, 3, 0); }

struct Parsed {
  Status status;
  Header header;
  std::vector<Line> lines;
};

Parsed Parse(const std::string& bytes, std::string file_name = std::string(kFileName),
             std::int64_t settle_date_ns = 0) {
  std::istringstream in(bytes);
  ParseOptions opts;
  opts.file_name = std::move(file_name);
  opts.settle_date_ns = settle_date_ns;
  Parsed p;
  auto r = ParseStatement(
      Source::kUnionPay, in,
      [&p](const Line& l) {
        p.lines.push_back(l);
        return OkStatus();
      },
      opts);
  if (r.ok()) {
    p.header = *r;
  } else {
    p.status = r.status();
  }
  return p;
}

// Two payments and a refund of the first, on 2026-12-03.
std::vector<Line> Rows() {
  std::vector<Line> rows(3);
  rows[0].reference = "782612030930150000011";
  rows[0].order_ref = "PAY20261203001";
  rows[0].amount = Cny(10000);
  rows[0].fee = Cny(55);
  rows[0].booked_at_ns = Dec3() + (9 * 3600 + 30 * 60 + 15) * kSecond;
  rows[1] = rows[0];
  rows[1].reference = "782612031200000000012";
  rows[1].order_ref = "PAY20261203002";
  rows[1].amount = Cny(5000);
  rows[1].fee = Cny(28);
  rows[1].booked_at_ns = Dec3() + 12 * 3600 * kSecond;
  rows[2].reference = "782612031400000000022";
  rows[2].order_ref = "RF20261203001";
  rows[2].original_ref = rows[0].reference;
  rows[2].amount = Cny(4000);
  rows[2].fee = Cny(22);
  rows[2].is_refund = true;
  rows[2].is_debit = true;
  rows[2].booked_at_ns = Dec3() + 14 * 3600 * kSecond;
  return rows;
}

std::string Written(const std::vector<Line>& rows = Rows()) {
  BillMeta meta;
  meta.account = std::string(kMerId);
  return WriteBill(Source::kUnionPay, meta, rows);
}

// The `n`th (0-based) record of a written file, without its CRLF.
std::string Record(const std::string& file, std::size_t n) {
  return file.substr(n * (up::kInnRecordBytes + 2), up::kInnRecordBytes);
}

// `file` with record `n` replaced.
std::string WithRecord(const std::string& file, std::size_t n, const std::string& record) {
  std::string out = file;
  out.replace(n * (up::kInnRecordBytes + 2), up::kInnRecordBytes, record);
  return out;
}

// Record `rec` with field i (0-based) set to `value`, padded to its width.
std::string SetField(std::string rec, std::size_t i, std::string value) {
  value.resize(up::kInnFields[i].width, ' ');
  rec.replace(up::InnOffset(i), up::kInnFields[i].width, value);
  return rec;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("unionpay file: the layout is the SDK's 42 fields in 607 bytes") {
  std::size_t widths = 0;
  for (const auto& f : up::kInnFields) widths += f.width;
  CHECK(widths == 566);
  CHECK(up::kInnRecordBytes == widths + 41);
  CHECK(up::InnOffset(up::kQueryId) == 3 + 11 + 11 + 6 + 10 + 19 + 12 + 4 + 2 + 9);
  CHECK(up::kInnFields[up::kOrigQueryId].name == "原交易查询流水号");
  CHECK(up::kInnFields[up::kMerchantFee].name == "商户手续费");
}

TEST_CASE("unionpay file: the hand-written fixture, field by field") {
  const std::string bytes = Slurp(testing::CorpusPath("unionpay/INN26120301ACOMN"));
  REQUIRE(bytes.size() == 3 * (up::kInnRecordBytes + 2));
  // Its name gives the settle date; the parse needs nothing else.
  auto h = ParseStatementFile(Source::kUnionPay, testing::CorpusPath("unionpay/INN26120301ACOMN"),
                              [](const Line&) { return OkStatus(); });
  REQUIRE_MESSAGE(h.ok(), h.status().ToString());
  const Parsed p = Parse(bytes);
  REQUIRE_MESSAGE(p.status.ok(), p.status.ToString());
  REQUIRE(p.lines.size() == 3);
  CHECK(p.header.lines == 3);
  CHECK(p.header.account == kMerId);
  CHECK(p.header.asset == Asset::CNY);
  CHECK(p.header.currency == "CNY");
  const Line& a = p.lines[0];
  CHECK(a.line_no == 1);
  CHECK(a.status == "S22");
  CHECK(a.reference == "782612030930150000011");
  CHECK(a.order_ref == "PAY20261203001");
  CHECK(a.original_ref.empty());
  CHECK(a.amount.ToString() == "100.00");
  CHECK(a.fee.ToString() == "0.55");
  CHECK_FALSE(a.is_refund);
  CHECK_FALSE(a.is_debit);
  CHECK(a.booked_at_ns == Dec3() + (9 * 3600 + 30 * 60 + 15) * kSecond);
  // Transmitted at 23:15 the day before the settle date (UnionPay's day ends at 23:00).
  CHECK(p.lines[1].booked_at_ns == Dec3() - 45 * 60 * kSecond);
  CHECK(p.lines[1].fee.ToString() == "0.28");
  const Line& r = p.lines[2];
  CHECK(r.line_no == 3);
  CHECK(r.status == "S30");
  CHECK(r.is_refund);
  CHECK(r.is_debit);
  CHECK(r.reference == "782612031400000000022");
  CHECK(r.order_ref == "RF20261203001");
  CHECK(r.original_ref == a.reference);
  CHECK(r.amount.ToString() == "40.00");
  CHECK(r.fee.ToString() == "0.22");
}

TEST_CASE("unionpay file: a written file reads back exactly") {
  const std::string bytes = Written();
  REQUIRE(bytes.size() == 3 * (up::kInnRecordBytes + 2));
  const Parsed p = Parse(bytes);
  REQUIRE_MESSAGE(p.status.ok(), p.status.ToString());
  const auto rows = Rows();
  REQUIRE(p.lines.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CAPTURE(i);
    CHECK(p.lines[i].line_no == i + 1);
    CHECK(p.lines[i].reference == rows[i].reference);
    CHECK(p.lines[i].order_ref == rows[i].order_ref);
    CHECK(p.lines[i].original_ref == rows[i].original_ref);
    CHECK(p.lines[i].amount == rows[i].amount);
    CHECK(p.lines[i].fee == rows[i].fee);
    CHECK(p.lines[i].is_refund == rows[i].is_refund);
    CHECK(p.lines[i].is_debit == rows[i].is_debit);
    CHECK(p.lines[i].booked_at_ns == rows[i].booked_at_ns);
  }
  CHECK(p.header.account == kMerId);
  // The fields Folio does not read are the writer's: the same bytes each time.
  CHECK(Written() == bytes);
  // Trailing blanks trimmed (as some tools save it) read the same.
  std::string trimmed;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string rec = Record(bytes, i);
    while (rec.back() == ' ') rec.pop_back();
    trimmed += rec + "\n";
  }
  const Parsed t = Parse(trimmed);
  REQUIRE_MESSAGE(t.status.ok(), t.status.ToString());
  REQUIRE(t.lines.size() == 3);
  CHECK(t.lines[2].original_ref == rows[2].original_ref);
  // Blank lines are skipped, and counted.
  const Parsed b = Parse("\r\n" + bytes);
  REQUIRE(b.status.ok());
  CHECK(b.lines.size() == 3);
  CHECK(b.lines[0].line_no == 2);
}

TEST_CASE("unionpay file: each MMDD time takes the year nearest the settle date") {
  auto rows = Rows();
  rows.resize(1);
  // Transmitted 2026-12-31 23:30, settled 2027-01-01: the year before's.
  rows[0].booked_at_ns = *ShanghaiMidnight(2026, 12, 31, 0) + (23 * 3600 + 1800) * kSecond;
  const std::string bytes = Written(rows);
  const Parsed p = Parse(bytes, "INN27010101ACOMN");
  REQUIRE_MESSAGE(p.status.ok(), p.status.ToString());
  CHECK(p.lines[0].booked_at_ns == rows[0].booked_at_ns);
  // Without a name: the settle date given.
  const Parsed q = Parse(bytes, "bill-1.txt", *ShanghaiMidnight(2027, 1, 1, 0));
  REQUIRE(q.status.ok());
  CHECK(q.lines[0].booked_at_ns == rows[0].booked_at_ns);
  // Settled 2026-06-30: 2025-12-31 is 180 days before it, 2026-12-31 185 days
  // after; the nearer one is taken.
  const Parsed r = Parse(bytes, "bill-1.txt", *ShanghaiMidnight(2026, 6, 30, 0));
  REQUIRE(r.status.ok());
  CHECK(r.lines[0].booked_at_ns ==
        *ShanghaiMidnight(2025, 12, 31, 0) + (23 * 3600 + 1800) * kSecond);
  // Neither a name nor a date: refused, naming the line.
  const Parsed none = Parse(bytes, "bill-1.txt");
  CHECK(none.status.code() == kStatementMalformed);
  CHECK(none.status.message().rfind("line 1: the settle date is unknown", 0) == 0);
  // An empty file needs no date.
  const Parsed empty = Parse("", "bill-1.txt");
  CHECK(empty.status.ok());
  CHECK(empty.header.lines == 0);
}

TEST_CASE("unionpay file: each malformed record is its own error with the line") {
  const std::string good = Written();
  const std::string rec = Record(good, 1);  // line 2, a payment
  const std::string refund = Record(good, 2);
  struct Case {
    const char* what;
    std::string file;
    std::string_view code;
    const char* message;  // what the message holds after "line N: "
  };
  std::string shifted = rec;  // a 13-byte amount: every later field one byte right
  shifted.insert(up::InnOffset(up::kAmount), "0");
  shifted.pop_back();
  std::string gbk_id = SetField(rec, up::kQueryId,
                                "78261203\xC2\xC9"
                                "0000");
  const std::vector<Case> cases = {
      {"truncated line", WithRecord(good, 1, rec.substr(0, 300)), kStatementTruncated,
       "300 bytes: the record stops before field 28 商户代码"},
      {"one byte too many", WithRecord(good, 1, rec + "X"), kStatementMalformed,
       "608 bytes: a record is 607"},
      {"wrong width", WithRecord(good, 1, shifted), kStatementMalformed,
       "is not the space before field 8 商户类别"},
      {"non-digit amount", WithRecord(good, 1, SetField(rec, up::kAmount, "00000000500X")),
       kStatementAmountInvalid, "field 7 交易金额 '00000000500X' is not 12 digits"},
      {"amount with a sign", WithRecord(good, 1, SetField(rec, up::kAmount, "-00000005000")),
       kStatementAmountInvalid, "is not 12 digits"},
      {"bad time of day", WithRecord(good, 1, SetField(rec, up::kTransmittedAt, "1203246000")),
       kStatementMalformed, "交易传输时间 '1203246000': bad time"},
      {"no such date", WithRecord(good, 1, SetField(rec, up::kTransmittedAt, "1332120000")),
       kStatementMalformed, "交易传输时间 '1332120000': no such date"},
      {"time not digits", WithRecord(good, 1, SetField(rec, up::kTransmittedAt, "12-03 1200")),
       kStatementMalformed, "is not MMDDhhmmss"},
      {"unknown txn code", WithRecord(good, 1, SetField(rec, up::kTxnCode, "S31")),
       kStatementMalformed, "交易代码 'S31' is neither S22 (消费) nor S30 (退货)"},
      {"fee without sign", WithRecord(good, 1, SetField(rec, up::kMerchantFee, "0000000000028")),
       kStatementAmountInvalid, "is not C or D and 12 digits"},
      {"fee credited on a payment",
       WithRecord(good, 1, SetField(rec, up::kMerchantFee, "C000000000028")),
       kStatementAmountInvalid, "商户手续费 credited on a payment"},
      {"fee debited on a refund",
       WithRecord(good, 2, SetField(refund, up::kMerchantFee, "D000000000022")),
       kStatementAmountInvalid, "商户手续费 debited on a refund"},
      {"refund without origQryId", WithRecord(good, 2, SetField(refund, up::kOrigQueryId, "")),
       kStatementMalformed, "27 原交易查询流水号 is empty"},
      {"empty queryId", WithRecord(good, 1, SetField(rec, up::kQueryId, "")), kStatementMalformed,
       "10 查询流水号 is empty"},
      {"hostile bytes in queryId", WithRecord(good, 1, gbk_id), kStatementMalformed,
       "field 10 查询流水号 is not plain ASCII"},
      {"a NUL byte", WithRecord(good, 1, SetField(rec, 30, std::string("ab\0cd", 5))),
       kStatementEncoding, "a NUL byte"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const Parsed p = Parse(c.file);
    CHECK(p.status.code() == c.code);
    const int line = std::string_view(c.what).find("refund") != std::string_view::npos ||
                             std::string_view(c.what).find("debited") != std::string_view::npos
                         ? 3
                         : 2;
    const std::string prefix = "line " + std::to_string(line) + ": ";
    CHECK_MESSAGE(p.status.message().rfind(prefix, 0) == 0, p.status.message());
    CHECK_MESSAGE(p.status.message().find(c.message) != std::string::npos, p.status.message());
    // The lines before it were delivered; none after.
    CHECK(p.lines.size() == static_cast<std::size_t>(line - 1));
  }
  // A line past the reader's bound.
  ParseOptions o;
  o.file_name = std::string(kFileName);
  o.line_bytes_max = 1024;
  std::istringstream in(std::string(5000, 'x'));
  auto big = ParseStatement(
      Source::kUnionPay, in, [](const Line&) { return OkStatus(); }, o);
  CHECK(big.status().code() == kStatementTooLarge);
}

TEST_CASE("unionpay file: every truncation and byte flip is refused or a prefix of the file") {
  const std::string good = Written();
  const auto rows = Rows();
  auto check_prefix = [&](const Parsed& p) {
    REQUIRE(p.lines.size() <= rows.size());
    for (std::size_t i = 0; i < p.lines.size(); ++i) {
      CHECK(p.lines[i].reference == rows[i].reference);
      CHECK(p.lines[i].amount == rows[i].amount);
    }
  };
  for (std::size_t n = 0; n < good.size(); ++n) {
    const Parsed p = Parse(good.substr(0, n));
    if (p.status.ok()) {
      check_prefix(p);
    } else {
      CHECK(p.status.message().rfind("line ", 0) == 0);
    }
  }
  std::mt19937 rng(2026);
  for (int i = 0; i < 3000; ++i) {
    std::string b = good;
    for (int k = 0; k < 3; ++k) b[rng() % b.size()] = static_cast<char>(rng() % 256);
    const Parsed p = Parse(b);
    if (!p.status.ok()) CHECK(p.status.message().rfind("line ", 0) == 0);
  }
}

}  // namespace folio::statements
