// folio import / reconcile resolve / report through the binary.
#include <doctest/doctest.h>

#include <fstream>

#include <boost/json.hpp>

#include "adapters/statements/bill_writer.h"
#include "tests/adapters/reconciliation/recon_history.h"
#include "tests/adapters/statements/zip_writer.h"
#include "tests/test_support.h"

namespace folio::reconciliation {

using namespace folio::testing;

TEST_CASE("cli: folio import --json prints the run, a second import replays, reports render") {
  TempDir dir;
  const std::string data = dir.str() + "/log";
  const std::int64_t t = Nov1() + 10 * 3600 * kSecond;
  {
    auto store = std::move(LogStore::Open(data)).value();
    auto writer = std::move(Writer::Start(store.get())).value();
    History h(*writer);
    h.Payment("a1", fb::Method::Alipay, 10000, 60, t, "2026110122001");
    h.Payment("a2", fb::Method::Alipay, 20000, 120, t, "2026110122002");
    writer->Stop();
  }
  std::vector<statements::Line> rows(2);
  rows[0].reference = "2026110122001";
  rows[0].order_ref = "ORD-a1";
  rows[0].amount = Cny(10000);
  rows[0].fee = Cny(60);
  rows[0].booked_at_ns = t;
  rows[1] = rows[0];
  rows[1].reference = "2026110122999";
  rows[1].order_ref = "X";
  rows[1].amount = Cny(5000);
  statements::BillMeta meta;
  meta.period_start_ns = Nov1();
  meta.period_end_ns = Nov1() + 86'400 * kSecond;
  const std::string bill = dir.str() + "/20881234_20261101_业务明细.csv";
  std::ofstream(bill, std::ios::binary)
      << statements::WriteBill(statements::Source::kAlipay, meta, rows);

  const std::string import =
      std::string(FOLIO_BIN) + " import --data " + data + " --source alipay '" + bill + "' --json";
  std::string out;
  REQUIRE(RunCommand(import, &out) == 0);
  auto j = boost::json::parse(out).as_object();
  CHECK(j.at("lines").as_int64() == 2);
  CHECK(j.at("matched").as_int64() == 1);
  CHECK(j.at("discrepancies").at("missing_in_ledger").as_int64() == 1);
  CHECK(j.at("discrepancies").at("missing_in_statement").as_int64() == 1);
  CHECK(j.at("discrepancies").as_object().size() == 10);
  CHECK(j.at("statements").as_int64() == 1);
  CHECK(j.at("replayed").as_bool() == false);
  const std::string run(j.at("run_id").as_string());

  std::string again;
  REQUIRE(RunCommand(import, &again) == 0);
  auto j2 = boost::json::parse(again).as_object();
  CHECK(j2.at("replayed").as_bool());
  CHECK(j2.at("run_id") == j.at("run_id"));
  CHECK(j2.at("discrepancies") == j.at("discrepancies"));

  std::string ignored;
  CHECK(
      RunCommand(std::string(FOLIO_BIN) + " reconcile resolve --data " + data + " --run " + run +
                     " --discrepancy d000001 --by 'Wang Fang' --resolution 'bank fee' 2>/dev/null",
                 &ignored) == 0);
  const std::string html = dir.str() + "/run.html";
  CHECK(RunCommand(std::string(FOLIO_BIN) + " report reconciliation-run --data " + data +
                       " --run " + run + " --format html --out " + html,
                   &ignored) == 0);
  std::ifstream in(html);
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(page.find("Wang Fang") != std::string::npos);
  CHECK(page.find("<table id=\"exceptions\">") != std::string::npos);

  // The archive as downloaded: the detail CSV is taken, the 汇总 summary left.
  std::ifstream csv_in(bill, std::ios::binary);
  const std::string csv((std::istreambuf_iterator<char>(csv_in)), std::istreambuf_iterator<char>());
  const std::string zip = dir.str() + "/20881234_20261101.csv.zip";
  std::ofstream(zip, std::ios::binary) << testing::ZipOf(
      {{"20881234_20261101_\xD2\xB5\xCE\xF1\xC3\xF7\xCF\xB8(\xBB\xE3\xD7\xDC).csv", "x"},
       {"20881234_20261101_\xD2\xB5\xCE\xF1\xC3\xF7\xCF\xB8.csv", csv}});
  std::string zipped;
  REQUIRE(RunCommand(std::string(FOLIO_BIN) + " import --data " + data + " --source alipay " + zip +
                         " --json",
                     &zipped) == 0);
  auto jz = boost::json::parse(zipped).as_object();
  CHECK(jz.at("lines").as_int64() == 2);
  CHECK(jz.at("run_id") != j.at("run_id"));  // the archive is its own file

  // A malformed file: exit 1 and the stable code.
  std::ofstream(bill, std::ios::binary | std::ios::app) << "garbage";
  std::string err;
  CHECK(RunCommand(import + " 2>&1", &err) != 0);
  CHECK(err.find("statement_") != std::string::npos);
}

}  // namespace folio::reconciliation
