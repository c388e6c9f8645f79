// `folio import` on every file of the statement corpus, each into an empty
// ledger: every entry is imported (lines = the file's entries) and the file's
// own inconsistencies, pending entries and foreign currencies are reported;
// hostile variants (truncated, huge, wrong encoding, XML bombs, external
// entities, another message) give a clear error and write nothing.
#include <doctest/doctest.h>

#include <fstream>

#include <boost/json.hpp>

#include "engine/log_store.h"
#include "tests/adapters/statements/corpus.h"
#include "tests/test_support.h"

namespace folio::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// An empty ledger in `dir`.
std::string EmptyLedger(const TempDir& dir, const std::string& name) {
  const std::string data = dir.str() + "/" + name;
  auto store = LogStore::Open(data);
  REQUIRE(store.ok());
  return data;
}

std::string Import(const std::string& data, statements::Source source, const std::string& file,
                   int* exit_code) {
  std::string out;
  *exit_code =
      RunCommand(std::string(FOLIO_BIN) + " import --data " + data + " --source " +
                     std::string(statements::SourceName(source)) + " '" + file + "' --json 2>&1",
                 &out);
  return out;
}

std::int64_t EventsIn(const std::string& data) {
  std::string out;
  REQUIRE(RunCommand(std::string(FOLIO_BIN) + " verify --data " + data + " --json", &out) == 0);
  return boost::json::parse(out).as_object().at("events").as_int64();
}

}  // namespace

TEST_CASE("corpus itest: folio import takes every entry of every corpus file") {
  TempDir dir;
  int n = 0;
  for (const CorpusFile& f : Corpus()) {
    CAPTURE(f.path);
    const std::string data = EmptyLedger(dir, "log" + std::to_string(++n));
    int code = -1;
    const std::string out = Import(data, f.source, CorpusPath(f.path), &code);
    REQUIRE_MESSAGE(code == 0, out);
    const auto j = boost::json::parse(out).as_object();
    CHECK(j.at("lines").as_int64() == f.lines);
    CHECK(j.at("statements").as_int64() == f.statements);
    const auto& d = j.at("discrepancies").as_object();
    CHECK(d.at("statement_inconsistent").as_int64() == f.inconsistent);
    CHECK(d.at("not_booked").as_int64() == f.not_booked);
    // An empty ledger matches nothing: every booked line is an exception.
    std::int64_t exceptions = 0;
    for (const char* k : {"missing_in_ledger", "currency_not_held", "not_booked"}) {
      exceptions += d.at(k).as_int64();
    }
    CHECK(exceptions == f.lines);
    CHECK(j.at("matched").as_int64() == 0);
  }
}

TEST_CASE("corpus itest: foreign currencies are currency_not_held, never a refusal") {
  TempDir dir;
  const std::string data = EmptyLedger(dir, "log");
  int code = -1;
  const std::string out = Import(data, statements::Source::kCamt053,
                                 CorpusPath("camt053/folio-v13-batch-pending-reversal.xml"), &code);
  REQUIRE_MESSAGE(code == 0, out);
  const auto d = boost::json::parse(out).as_object().at("discrepancies").as_object();
  CHECK(d.at("currency_not_held").as_int64() == 5);  // CHF and JPY, booked
  CHECK(d.at("not_booked").as_int64() == 2);         // PDNG and INFO
  CHECK(d.at("missing_in_ledger").as_int64() == 0);
}

TEST_CASE("corpus itest: several camt.053 files are one run, in the order given") {
  TempDir dir;
  const std::string data = EmptyLedger(dir, "log");
  const std::string a = CorpusPath("camt053/genkgo-camt053.v2.multi.statement.xml");
  const std::string b = CorpusPath("camt053/genkgo-camt053.v2.five.decimals.xml");
  auto run = [&](const std::string& files) {
    std::string out;
    const int code = RunCommand(std::string(FOLIO_BIN) + " import --data " + data +
                                    " --source camt053 " + files + " --json 2>&1",
                                &out);
    REQUIRE_MESSAGE(code == 0, out);
    return boost::json::parse(out).as_object();
  };
  const auto ab = run(a + " " + b);
  CHECK(ab.at("lines").as_int64() == 3);
  CHECK(ab.at("statements").as_int64() == 3);
  CHECK(ab.at("discrepancies").at("statement_inconsistent").as_int64() == 1);
  CHECK(ab.at("replayed").as_bool() == false);
  const auto again = run(a + " " + b);
  CHECK(again.at("replayed").as_bool());
  CHECK(again.at("run_id") == ab.at("run_id"));
  const auto ba = run(b + " " + a);
  CHECK(ba.at("run_id") != ab.at("run_id"));
  CHECK(ba.at("lines").as_int64() == 3);
}

TEST_CASE("corpus itest: the Alipay archive imports its trade detail") {
  TempDir dir;
  const std::string data = EmptyLedger(dir, "log");
  int code = -1;
  const std::string out = Import(data, statements::Source::kAlipay,
                                 CorpusPath("alipay/folio-20881234_20261101.csv.zip"), &code);
  REQUIRE_MESSAGE(code == 0, out);
  CHECK(boost::json::parse(out).as_object().at("lines").as_int64() == 3);
}

TEST_CASE("corpus itest: hostile variants give a clear error and write nothing") {
  TempDir dir;
  const std::string camt = Slurp(CorpusPath("camt053/genkgo-camt053.v2.multi.statement.xml"));
  const std::string mt940 = Slurp(CorpusPath("mt940/wolph-jejik-abnamro.sta"));
  const std::string wechat = Slurp(CorpusPath("wechatpay/folio-all-five-decimal-fees.csv"));
  std::string utf16;
  for (char c : wechat) utf16 += std::string(1, c) + '\0';
  const std::string head = camt.substr(0, camt.find("<Document"));
  const std::string body = camt.substr(camt.find("<Document"));
  struct Case {
    std::string name;
    statements::Source source;
    std::string bytes;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"camt truncated", statements::Source::kCamt053, camt.substr(0, camt.size() / 2),
       "statement_"},
      {"camt billion laughs", statements::Source::kCamt053,
       head + "<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;\">]>\n" +
           body,
       "statement_malformed"},
      {"camt external entity", statements::Source::kCamt053,
       head + "<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n" + body,
       "statement_malformed"},
      {"camt.052 instead of camt.053", statements::Source::kCamt053,
       [&] {
         std::string b = camt;
         b.replace(b.find("camt.053.001.02"), 15, "camt.052.001.02");
         return b;
       }(),
       "statement_malformed"},
      {"camt huge text", statements::Source::kCamt053,
       [&] {
         std::string b = camt;
         b.replace(b.find("Transaction Description 1"), 25, std::string(200'000, 'x'));
         return b;
       }(),
       "statement_too_large"},
      {"mt940 cut inside a statement", statements::Source::kMt940,
       mt940.substr(0, mt940.find(":62M:")), "statement_truncated"},
      {"mt940 huge line", statements::Source::kMt940, ":20:" + std::string(100'000, '9') + "\n",
       "statement_too_large"},
      {"mt940 UTF-16", statements::Source::kMt940,
       [&] {
         std::string b;
         for (char c : mt940) b += std::string(1, c) + '\0';
         return b;
       }(),
       "statement_encoding"},
      {"wechat without its totals", statements::Source::kWechatPay,
       wechat.substr(0, wechat.find("总交易单数")), "statement_truncated"},
      {"wechat UTF-16", statements::Source::kWechatPay, utf16, "statement_encoding"},
      {"wechat a row lost", statements::Source::kWechatPay,
       [&] {
         std::string b = wechat;
         const std::size_t row = b.find("`2026-11-01 09:05:00");
         b.erase(row, b.find('\n', row) - row + 1);
         return b;
       }(),
       "statement_truncated"},
  };
  int n = 0;
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const std::string data = EmptyLedger(dir, "h" + std::to_string(++n));
    const std::string file = dir.str() + "/hostile" + std::to_string(n);
    std::ofstream(file, std::ios::binary) << c.bytes;
    int code = -1;
    const std::string out = Import(data, c.source, file, &code);
    CHECK(code == 1);
    CHECK_MESSAGE(out.find(c.code) != std::string::npos, out);
    CHECK(EventsIn(data) == 0);
  }
}

}  // namespace folio::testing
