// Reconciliation through HTTP: an operator imports a gateway bill, resolves a
// discrepancy; an auditor reads the reports (CSV with BOM, HTML, JSON).
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>

#include "adapters/statements/bill_writer.h"
#include "tests/adapters/http/http_harness.h"
#include "tests/adapters/statements/corpus.h"

namespace folio {
namespace {

using namespace folio::testing;

TEST_CASE("a statement over 1 MiB imports for an operator, every other request keeps 1 MiB") {
  TestServer ts;
  const std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  std::vector<statements::Line> rows(12'000);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].reference = "20261101220" + std::to_string(100'000 + i);
    rows[i].order_ref = "ORD-big-" + std::to_string(i);
    rows[i].amount = Money::Parse("12.34", "CNY").value();
    rows[i].fee = Money::Parse("0.07", "CNY").value();
    rows[i].booked_at_ns = now_ns;
  }
  statements::BillMeta meta;
  meta.period_start_ns = now_ns - 86'400'000'000'000;
  meta.period_end_ns = now_ns + 86'400'000'000'000;
  const std::string bill = statements::WriteBill(statements::Source::kAlipay, meta, rows);
  REQUIRE(bill.size() > (1u << 20) + (256u << 10));
  const auto head_before = ts.Head();

  // Refused from the headers alone (413), each on its own connection: the
  // server closes it rather than read the body.
  const std::string padded =
      R"({"payment_id":"big","customer_id":"c1","order_id":"o","method":"alipay","amount":"1.00","currency":"CNY","note":")" +
      std::string(bill.size(), 'x') + R"("})";
  auto big_command = ts.Client().Send("POST", "/v1/payments", padded, Auth(kOperatorKey, "b1"));
  REQUIRE(big_command.ok());
  CHECK(big_command->status == 413);
  CHECK(CodeOf(*big_command) == "body_too_large");
  auto by_auditor =
      ts.Client().Send("POST", "/v1/imports?source=alipay", bill, Auth(kAuditorKey, "b2"));
  REQUIRE(by_auditor.ok());
  CHECK(by_auditor->status == 413);
  auto anonymous = ts.Client().Send("POST", "/v1/imports?source=alipay", bill,
                                    {{"Content-Type", "text/csv"}, {"Idempotency-Key", "b3"}});
  REQUIRE(anonymous.ok());
  CHECK(anonymous->status == 413);
  CHECK(ts.Head() == head_before);

  auto imp = ts.Client().Send("POST", "/v1/imports?source=alipay", bill, Auth(kOperatorKey, "b4"));
  REQUIRE(imp.ok());
  REQUIRE_MESSAGE(imp->status == 201, imp->body.substr(0, 300));
  auto j = JsonOf(imp->body);
  CHECK(j.at("lines").to_number<std::size_t>() == rows.size());
  CHECK(j.at("discrepancies").at("missing_in_ledger").to_number<std::size_t>() == rows.size());
  CHECK(ts.Head() > head_before);
}

TEST_CASE("import a bill, re-import it, resolve, and read the reports over HTTP") {
  TestServer ts;
  auto c = ts.Client();
  auto r = c.Send(
      "POST", "/v1/payments",
      R"({"payment_id":"a1","customer_id":"c1","order_id":"ORD-a1","method":"alipay","amount":"100.00","currency":"CNY"})",
      Auth(kOperatorKey, "r1"));
  REQUIRE(r.ok());
  REQUIRE(r->status == 201);
  r = c.Send("POST", "/v1/payments/a1/settle", R"({"gateway_txn_id":"2026110122001"})",
             Auth(kOperatorKey, "r2"));
  REQUIRE(r->status == 200);

  const std::int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  std::vector<statements::Line> rows(2);
  rows[0].reference = "2026110122001";
  rows[0].order_ref = "ORD-a1";
  rows[0].amount = Money::Parse("100.00", "CNY").value();
  rows[0].fee = Money::Parse("0.60", "CNY").value();
  rows[0].booked_at_ns = now_ns;
  rows[1] = rows[0];
  rows[1].reference = "2026110122999";
  rows[1].order_ref = "UNKNOWN";
  rows[1].amount = Money::Parse("50.00", "CNY").value();
  statements::BillMeta meta;
  meta.period_start_ns = now_ns - 86'400'000'000'000;
  meta.period_end_ns = now_ns + 86'400'000'000'000;
  const std::string bill = statements::WriteBill(statements::Source::kAlipay, meta, rows);

  auto denied = c.Send("POST", "/v1/imports?source=alipay", bill, Auth(kAuditorKey, "imp-0"));
  CHECK(denied->status == 403);
  auto bad = c.Send("POST", "/v1/imports?source=paypal", bill, Auth(kOperatorKey, "imp-0"));
  CHECK(bad->status == 400);
  const auto head_before = ts.Head();
  auto garbage = c.Send("POST", "/v1/imports?source=wechatpay", "not,a,bill\n\x01\x02",
                        Auth(kOperatorKey, "imp-g"));
  CHECK(garbage->status == 400);
  CHECK(ts.Head() == head_before);

  auto imp = c.Send("POST", "/v1/imports?source=alipay", bill, Auth(kOperatorKey, "imp-1"));
  REQUIRE(imp.ok());
  REQUIRE_MESSAGE(imp->status == 201, imp->body);
  auto j = JsonOf(imp->body);
  CHECK(j.at("lines").to_number<int>() == 2);
  CHECK(j.at("matched").to_number<int>() == 1);
  CHECK(j.at("discrepancies").at("missing_in_ledger").to_number<int>() == 1);
  const std::string run(j.at("run_id").as_string());

  auto again = c.Send("POST", "/v1/imports?source=alipay", bill, Auth(kOperatorKey, "imp-2"));
  CHECK(again->status == 200);
  CHECK(JsonOf(again->body).at("replayed").as_bool());

  auto res = c.Send("POST", "/v1/reconciliation/runs/" + run + "/discrepancies/d000001/resolve",
                    R"({"resolution":"not our merchant: reported to Alipay"})",
                    Auth(kOperatorKey, "res-1"));
  REQUIRE(res.ok());
  CHECK_MESSAGE(res->status == 200, res->body);

  // The run as the reconciliation projection has it, now and before the
  // resolution; the same numbers as the import's answer.
  auto got = c.Send("GET", "/v1/reconciliations/" + run + "?matches=true", "", Auth(kAuditorKey));
  REQUIRE(got.ok());
  REQUIRE_MESSAGE(got->status == 200, got->body);
  auto g = JsonOf(got->body);
  CHECK(g.at("run_id").as_string() == run.c_str());
  CHECK(g.at("status").as_string() == "completed");
  CHECK(g.at("statement").at("source").as_string() == "Alipay");
  CHECK(g.at("statement").at("lines").to_number<int>() == 2);
  CHECK(g.at("totals").at("matched").to_number<int>() == 1);
  CHECK(g.at("matched_by_rule").as_array().size() == 1);
  CHECK(g.at("matches").as_array().size() == 1);
  CHECK(g.at("matches").as_array()[0].at("statement_ref").as_string() == "2026110122001");
  REQUIRE(g.at("discrepancies").as_array().size() == 1);
  const auto& d = g.at("discrepancies").as_array()[0].as_object();
  CHECK(d.at("kind").as_string() == "missing_in_ledger");
  CHECK(d.at("statement_ref").as_string() == "2026110122999");
  CHECK(d.at("resolved").as_bool());
  CHECK(g.at("resolutions").as_array().size() == 1);
  CHECK(g.at("unresolved").to_number<int>() == 0);
  const auto imported_at = g.at("statement").at("seq").to_number<std::uint64_t>();
  auto before =
      c.Send("GET",
             "/v1/reconciliations/" + run + "?as_of_seq=" +
                 std::to_string(
                     g.at("resolutions").as_array()[0].at("seq").to_number<std::uint64_t>() - 1),
             "", Auth(kAuditorKey));
  REQUIRE(before->status == 200);
  auto b = JsonOf(before->body);
  CHECK_FALSE(b.at("discrepancies").as_array()[0].at("resolved").as_bool());
  CHECK(b.at("resolutions").as_array().empty());
  CHECK(b.at("unresolved").to_number<int>() == 1);
  CHECK(b.find("matches") == b.end());
  auto too_early =
      c.Send("GET", "/v1/reconciliations/" + run + "?as_of_seq=" + std::to_string(imported_at - 1),
             "", Auth(kAuditorKey));
  CHECK(too_early->status == 404);
  CHECK(JsonOf(too_early->body).at("code").as_string() == "recon_run_not_found");
  auto nope = c.Send("GET", "/v1/reconciliations/nope", "", Auth(kAuditorKey));
  CHECK(nope->status == 404);
  auto bad_q = c.Send("GET", "/v1/reconciliations/" + run + "?matches=yes", "", Auth(kAuditorKey));
  CHECK(bad_q->status == 400);

  auto html = c.Send("GET", "/v1/reports/reconciliation-run?run_id=" + run + "&format=html", "",
                     Auth(kAuditorKey));
  REQUIRE(html.ok());
  CHECK(html->status == 200);
  CHECK(html->Header("content-type").starts_with("text/html"));
  CHECK(html->body.find("<table") != std::string::npos);
  CHECK(html->body.find("2026110122999") != std::string::npos);
  auto csv = c.Send("GET", "/v1/reports/stats?format=csv&from=2026-01-01&to=2099-01-01", "",
                    Auth(kAuditorKey));
  CHECK(csv->status == 200);
  CHECK(csv->body.starts_with("\xEF\xBB\xBF"));
  auto same = c.Send("GET", "/v1/reports/reconciliation-run?run_id=" + run + "&format=html", "",
                     Auth(kAuditorKey));
  CHECK(same->body == html->body);  // reproducible bytes
  auto missing = c.Send("GET", "/v1/reports/reconciliation-run?run_id=nope", "", Auth(kAuditorKey));
  CHECK(missing->status == 404);
  auto unknown = c.Send("GET", "/v1/reports/nothing", "", Auth(kAuditorKey));
  CHECK(unknown->status == 404);
}

TEST_CASE("import a UnionPay INN file over HTTP: the settle date is a query parameter") {
  TestServer ts;
  auto c = ts.Client();
  std::ifstream in(CorpusPath("unionpay/INN26120301ACOMN"), std::ios::binary);
  const std::string inn((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(!inn.empty());
  const auto head_before = ts.Head();
  // The body has no name to take the date from: refused, nothing written.
  auto no_date = c.Send("POST", "/v1/imports?source=unionpay", inn, Auth(kOperatorKey, "up-0"));
  REQUIRE(no_date.ok());
  CHECK(no_date->status == 400);
  CHECK(JsonOf(no_date->body).at("code").as_string() == "statement_malformed");
  for (const char* q : {"/v1/imports?source=alipay&settle_date=2026-12-03",
                        "/v1/imports?source=unionpay&settle_date=2026-13-03",
                        "/v1/imports?source=unionpay&settle_date=2026-12-03%2010:00:00"}) {
    CAPTURE(q);
    auto bad = c.Send("POST", q, inn, Auth(kOperatorKey, "up-bad"));
    REQUIRE(bad.ok());
    CHECK(bad->status == 400);
  }
  CHECK(ts.Head() == head_before);
  auto imp = c.Send("POST", "/v1/imports?source=unionpay&settle_date=2026-12-03", inn,
                    Auth(kOperatorKey, "up-1"));
  REQUIRE(imp.ok());
  REQUIRE_MESSAGE(imp->status == 201, imp->body);
  auto j = JsonOf(imp->body);
  CHECK(j.at("account").as_string() == "clearing:unionpay");
  CHECK(j.at("lines").to_number<int>() == 3);
  CHECK(j.at("discrepancies").at("missing_in_ledger").to_number<int>() == 3);
}

}  // namespace
}  // namespace folio
