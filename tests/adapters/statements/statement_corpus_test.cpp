// Every file of the statement corpus (tests/fixtures/statements/) parses with
// the right number of lines and statements, the right exact totals per
// currency, and the consistency verdict its numbers call for.
#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "adapters/statements/statement.h"
#include "adapters/statements/text.h"
#include "tests/adapters/statements/corpus.h"

namespace folio::statements {
namespace {

using testing::Corpus;
using testing::CorpusPath;

}  // namespace

TEST_CASE("corpus: every file parses with its lines, statements, totals and checks") {
  for (const testing::CorpusFile& f : Corpus()) {
    CAPTURE(f.path);
    std::map<std::string, ExactSum> credits, debits;
    std::uint32_t delivered = 0, not_booked = 0;
    auto h = ParseStatementFile(f.source, CorpusPath(f.path), [&](const Line& l) {
      ++delivered;
      if (!l.booked) ++not_booked;
      const std::string code(l.amount.currency());
      (l.is_debit ? debits : credits)[code].Add(l.amount, false);
      return OkStatus();
    });
    REQUIRE_MESSAGE(h.ok(), h.status().ToString());
    CHECK(h->lines == f.lines);
    CHECK(delivered == f.lines);
    CHECK(h->statements == f.statements);
    CHECK(not_booked == f.not_booked);
    std::uint32_t inconsistent = 0;
    for (const StatementCheck& c : h->checks) inconsistent += c.consistent ? 0 : 1;
    CHECK(inconsistent == f.inconsistent);
    std::map<std::string, std::string> got_credits, got_debits;
    for (const auto& [code, sum] : credits) got_credits[code] = sum.ToString();
    for (const auto& [code, sum] : debits) got_debits[code] = sum.ToString();
    CHECK(got_credits == f.credits);
    CHECK(got_debits == f.debits);
  }
}

TEST_CASE("corpus: camt.053 quirks line by line") {
  std::vector<Line> lines;
  auto collect = [&](const Line& l) {
    lines.push_back(l);
    return OkStatus();
  };
  SUBCASE("001.13: a batch splits, pending and info are not booked, a reversal, JPY") {
    auto h = ParseStatementFile(
        Source::kCamt053, CorpusPath("camt053/folio-v13-batch-pending-reversal.xml"), collect);
    REQUIRE(h.ok());
    REQUIRE(lines.size() == 7);
    CHECK(lines[0].reference == "TX-1");
    CHECK(lines[0].order_ref == "INV-2026-001");
    CHECK(lines[1].amount.ToDisplay() == "200.00 CHF");
    CHECK(lines[2].other_refs == std::vector<std::string>{"RF18539007547034"});
    CHECK(lines[3].is_reversal);
    CHECK(lines[3].is_debit);
    CHECK(lines[3].booked_at_ns == *ShanghaiMidnight(2026, 11, 1, 0));  // from ValDt
    CHECK_FALSE(lines[4].booked);
    CHECK(lines[4].status == "PDNG");
    CHECK_FALSE(lines[5].booked);
    CHECK(lines[6].amount.ToDisplay() == "150000 JPY");
    CHECK(lines[6].order_ref.empty());  // NOTPROVIDED
    CHECK(lines[6].reference == "JP-TX-1");
    CHECK(lines[6].statement_id == "JPY-2026-11-01");
    CHECK(h->currency == "CHF");
    CHECK(h->opening.ToDisplay() == "1000.00 CHF");
    CHECK(h->closing.ToDisplay() == "30000 JPY");
    CHECK(h->asset == Asset::Unknown);  // the ledger holds no CHF
  }
  SUBCASE("001.04 with a prefix: BHD's three decimals, EUR below the cent kept exactly") {
    auto h = ParseStatementFile(Source::kCamt053, CorpusPath("camt053/folio-v04-bhd-subminor.xml"),
                                collect);
    REQUIRE(h.ok());
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].amount.minor_units() == 3);
    CHECK_FALSE(lines[0].amount.sub_minor());
    CHECK(lines[1].amount.sub_minor());
    CHECK(lines[1].amount.ToString() == "0.00125");
    CHECK_FALSE(lines[1].amount.ToMoney().has_value());
  }
  SUBCASE("five decimals: trailing zeros are the shorter value") {
    auto h = ParseStatementFile(Source::kCamt053,
                                CorpusPath("camt053/genkgo-camt053.v2.five.decimals.xml"), collect);
    REQUIRE(h.ok());
    CHECK(lines[0].amount == Amount(Money(Asset::EUR, 885)));
    CHECK(lines[0].amount.ToMoney() == Money(Asset::EUR, 885));
    REQUIRE(h->checks.size() == 1);
    CHECK(h->checks[0].note.find("closing 27.05 EUR") != std::string::npos);
  }
}

TEST_CASE("corpus: MT940 quirks line by line") {
  std::vector<Line> lines;
  auto collect = [&](const Line& l) {
    lines.push_back(l);
    return OkStatus();
  };
  SUBCASE("SWIFT blocks, CRLF, Windows-1252, debit balances, RC/RD, funds codes, :86: forms") {
    auto h = ParseStatementFile(Source::kMt940,
                                CorpusPath("mt940/folio-swift-blocks-latin1-crlf.sta"), collect);
    REQUIRE_MESSAGE(h.ok(), h.status().ToString());
    REQUIRE(lines.size() == 5);
    CHECK(h->opening_is_debit);
    CHECK(h->opening.ToDisplay() == "1500.00 EUR");
    CHECK(lines[0].amount.ToDisplay() == "500.00 EUR");  // "500," with funds code R
    CHECK(lines[0].reference == "BANK-REF-1");
    CHECK(lines[0].order_ref == "TRUST-DEP-7");                              // EREF+ from ?20
    CHECK(lines[0].description.find("M\xC3\xBCller") != std::string::npos);  // ü from 0xFC
    CHECK(lines[1].order_ref == "FEE-2026-11");                              // /EREF/
    CHECK(lines[1].reference == "FEE-2026-11");
    CHECK(lines[1].description.find("Kontof\xC3\xBChrung") != std::string::npos);
    CHECK(lines[2].is_reversal);
    CHECK_FALSE(lines[2].is_debit);  // RD: a reversed debit brings money back
    CHECK(lines[2].description.find("supplementary") != std::string::npos);
    CHECK(lines[3].status == "S202");
    CHECK(lines[3].reference == "KREF-9");
    CHECK(lines[4].statement_id == "FOLIO-940-1/00042/002");
    for (const StatementCheck& c : h->checks) CHECK_MESSAGE(c.consistent, c.note);
  }
  SUBCASE("ABN AMRO preamble, :28: and :28C:, NONREF, :60M:/:62M:") {
    auto h =
        ParseStatementFile(Source::kMt940, CorpusPath("mt940/wolph-jejik-abnamro.sta"), collect);
    REQUIRE(h.ok());
    CHECK(h->account == "517852257");
    CHECK(lines[0].reference.empty());  // NONREF on both sides: matched by amount only
    CHECK(lines[6].amount.ToDisplay() == "107.00 EUR");
    CHECK(lines[0].description.find("BETREFT FACTUUR") != std::string::npos);
  }
}

}  // namespace folio::statements

namespace folio::statements {

TEST_CASE("wechatpay: the fund-flow bill, its running balance and its summary") {
  std::vector<Line> lines;
  auto h = ParseStatementFile(
      Source::kWechatPay, testing::CorpusPath("wechatpay/folio-fundflow.csv"), [&](const Line& l) {
        lines.push_back(l);
        return OkStatus();
      });
  REQUIRE_MESSAGE(h.ok(), h.status().ToString());
  REQUIRE(lines.size() == 4);
  CHECK(lines[1].is_debit);
  CHECK(lines[1].status == "扣除交易手续费");
  CHECK(lines[3].is_refund);
  CHECK(lines[3].order_ref == "RF-1");
  CHECK(h->opening.ToDisplay() == "1000.00 CNY");
  CHECK(h->closing.ToDisplay() == "1060.40 CNY");
  REQUIRE(h->checks.size() == 1);
  CHECK(h->checks[0].consistent);
  SUBCASE("a running balance that breaks is reported, not refused") {
    std::ifstream in(testing::CorpusPath("wechatpay/folio-fundflow.csv"), std::ios::binary);
    std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    b.replace(b.find("`1100.40"), 8, "`1100.41");
    std::istringstream s(b);
    auto broken = ParseStatement(Source::kWechatPay, s, [](const Line&) { return OkStatus(); });
    REQUIRE(broken.ok());
    REQUIRE(broken->checks.size() == 1);
    CHECK_FALSE(broken->checks[0].consistent);
    CHECK(broken->checks[0].note.find("breaks at line 4") != std::string::npos);
  }
}

}  // namespace folio::statements

namespace folio::statements {

// Every prefix and 300 random 3-byte flips of every corpus file: any outcome
// but a crash, and an error always names its line.
TEST_CASE("corpus: every truncation and random byte flips of every file") {
  std::mt19937 rng(18);
  for (const testing::CorpusFile& f : testing::Corpus()) {
    CAPTURE(f.path);
    std::ifstream in(testing::CorpusPath(f.path), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(!bytes.empty());
    auto parse = [&](const std::string& b) {
      std::istringstream s(b);
      std::uint32_t lines = 0;
      auto h = ParseStatement(f.source, s, [&](const Line&) {
        ++lines;
        return OkStatus();
      });
      if (!h.ok()) CHECK(h.status().message().rfind("line ", 0) == 0);
      return h.ok() ? static_cast<int>(lines) : -1;
    };
    for (std::size_t n = 0; n < bytes.size(); n += 7) {
      const int lines = parse(bytes.substr(0, n));
      CHECK(lines <= static_cast<int>(f.lines));
    }
    for (int i = 0; i < 300; ++i) {
      std::string b = bytes;
      for (int k = 0; k < 3; ++k) b[rng() % b.size()] = static_cast<char>(rng() % 256);
      parse(b);
    }
  }
}

}  // namespace folio::statements

namespace folio::statements {

TEST_CASE("camt.053: a file in ISO-8859-1 keeps its letters, as UTF-8") {
  std::ifstream in(testing::CorpusPath("camt053/genkgo-camt053.v2.multi.statement.xml"),
                   std::ios::binary);
  std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  b.replace(b.find("UTF-8"), 5, "ISO-8859-1");
  b.replace(b.find("Transaction Description 1"), 25, "Caf\xE9 M\xFCller");
  std::istringstream s(b);
  std::vector<Line> lines;
  auto h = ParseStatement(Source::kCamt053, s, [&](const Line& l) {
    lines.push_back(l);
    return OkStatus();
  });
  REQUIRE(h.ok());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].description == "Caf\xC3\xA9 M\xC3\xBCller");
}

}  // namespace folio::statements
