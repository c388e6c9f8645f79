// Reconciliation of a generated WeChat Pay bill against a ledger history
// with one discrepancy of every kind planted: each is found with its kind,
// nothing else is flagged, suspense holds the differences until a named
// person resolves them, and importing the same file again changes nothing.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <boost/json.hpp>

#include "adapters/reconciliation/import.h"
#include "adapters/reconciliation/matcher.h"
#include "adapters/reports/reports.h"
#include "adapters/statements/bill_writer.h"
#include "engine/domain/rejections.h"
#include "tests/adapters/reconciliation/recon_history.h"
#include "tests/test_support.h"

namespace folio::reconciliation {
namespace {

using namespace folio::testing;
using statements::Line;

Line Row(const std::string& ref, const std::string& order, u128 amount, u128 fee,
         std::int64_t at_ns) {
  Line l;
  l.reference = ref;
  l.order_ref = order;
  l.amount = Cny(amount);
  l.fee = Cny(fee);
  l.booked_at_ns = at_ns;
  l.description = "fees";
  return l;
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<LogStore> store;
  std::unique_ptr<Writer> writer;
  std::string bill_path;

  Fixture() {
    store = std::move(LogStore::Open(dir.str() + "/log")).value();
    writer = std::move(Writer::Start(store.get())).value();
    const std::int64_t t = Nov1() + 10 * 3600 * kSecond;  // 10:00 on the 1st
    const auto W = fb::Method::WechatPay;
    History h(*writer);
    h.Payment("p1", W, 10000, 60, t, "4200001");                       // matched by transaction id
    h.Payment("p2", W, 20000, 120, t, "4200002");                      // matched by order number
    h.Payment("p3", W, 30000, 180, t, "4200003");                      // matched by amount and time
    h.Payment("p4", W, 40000, 240, t, "4200004");                      // missing in the statement
    h.Payment("p5", W, 50000, 300, t, "4200005");                      // amount mismatch
    h.Payment("p6", W, 60000, 360, t, "4200006");                      // fee mismatch
    h.Payment("p7", W, 70000, 420, Nov1() - 10 * kSecond, "4200007");  // timing: the 31st
    h.Payment("p9", W, 90000, 0, t, "", false);                        // status: never settled here
    h.Payment("pa", fb::Method::Alipay, 11100, 66, t, "2026A");        // another method: ignored
    h.Refund("r1", "p1", 4000, t + 3600 * kSecond, "5030001");         // matched refund

    std::vector<Line> rows;
    rows.push_back(Row("4200001", "ORD-p1", 10000, 60, t + 5 * kSecond));
    rows.push_back(Row("4200999", "ORD-p2", 20000, 120, t + 5 * kSecond));
    rows.push_back(Row("4200998", "X-3", 30000, 180, t + 3600 * kSecond));
    rows.push_back(Row("4200005", "ORD-p5", 50100, 300, t + 5 * kSecond));
    rows.push_back(Row("4200006", "ORD-p6", 60000, 420, t + 5 * kSecond));
    rows.push_back(Row("4200007", "ORD-p7", 70000, 420, Nov1() + 5 * kSecond));
    rows.push_back(Row("4200009", "ORD-p9", 90000, 540, t + 5 * kSecond));
    rows.push_back(Row("4200777", "X-7", 7777, 47, t + 5 * kSecond));      // missing in ledger
    rows.push_back(Row("4200001", "ORD-p1", 10000, 60, t + 9 * kSecond));  // duplicate
    Line refund = Row("5030001", "r1", 4000, 24, t + 3600 * kSecond);
    refund.is_refund = refund.is_debit = true;
    refund.original_ref = "4200001";
    rows.push_back(refund);
    statements::BillMeta meta;
    bill_path = dir.str() + "/wechat_20261101.csv";
    std::ofstream(bill_path, std::ios::binary)
        << statements::WriteBill(statements::Source::kWechatPay, meta, rows);
  }

  Result<ImportResult> Import() {
    ImportOptions o;
    o.source = statements::Source::kWechatPay;
    o.path = bill_path;
    return ImportStatement(*store, *writer, o);
  }
};

}  // namespace

TEST_CASE(
    "reconcile: one discrepancy of each kind, found and nothing else, resolutions empty suspense") {
  Fixture f;
  const auto clearing_before = BalanceOf(PostAll(*f.store), "clearing:wechat_pay");
  auto r = f.Import();
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(!r->replayed);
  CHECK(r->account == "clearing:wechat_pay");
  CHECK(BalanceOf(PostAll(*f.store), "clearing:wechat_pay") != clearing_before);
  CHECK(r->lines == 10);
  CHECK(r->matched == 4);  // p1, p2 (order), p3 (amount window), r1
  const std::map<std::string, std::uint32_t> want = {{"missing_in_ledger", 1},
                                                     {"missing_in_statement", 1},
                                                     {"amount_mismatch", 1},
                                                     {"status_mismatch", 1},
                                                     {"fee_mismatch", 1},
                                                     {"duplicate", 1},
                                                     {"timing", 1},
                                                     {"statement_inconsistent", 0},
                                                     {"currency_not_held", 0},
                                                     {"not_booked", 0}};
  CHECK(r->discrepancies == want);

  auto run = LoadRun(*f.store, r->run_id);
  REQUIRE(run.ok());
  CHECK(run->completed);
  // Which item got which kind.
  auto events = f.store->ReadStream(recon::RunStream(r->run_id), 1, 1000);
  REQUIRE(events.ok());
  std::map<std::string, std::string> kind_of;  // ledger or statement ref -> kind
  std::map<std::string, std::string> rule_of;
  for (const EventRecord& e : *events) {
    if (e.type() == fb::Event::DiscrepancyDetected) {
      const auto* d = e.env().event_as_DiscrepancyDetected();
      const std::string ref =
          d->ledger_ref()->size() ? d->ledger_ref()->str() : d->statement_ref()->str();
      kind_of[ref] = std::string(recon::DiscrepancyKindName(d->kind()));
    }
    if (e.type() == fb::Event::ReconciliationItemMatched) {
      const auto* m = e.env().event_as_ReconciliationItemMatched();
      rule_of[m->ledger_ref()->str()] = m->rule()->str();
    }
  }
  CHECK(kind_of == std::map<std::string, std::string>{{"p4", "missing_in_statement"},
                                                      {"p5", "amount_mismatch"},
                                                      {"p6", "fee_mismatch"},
                                                      {"p7", "timing"},
                                                      {"p9", "status_mismatch"},
                                                      {"4200777", "missing_in_ledger"},
                                                      {"p1", "duplicate"}});
  CHECK(rule_of == std::map<std::string, std::string>{{"p1", "gateway_txn_id"},
                                                      {"p2", "order_no"},
                                                      {"p3", "amount_window"},
                                                      {"r1", "gateway_txn_id"}});

  // Suspense holds the net of the differences:
  //   + 77.30 missing in ledger (77.77 less 0.47 fee)   - 397.60 missing in statement
  //   + 1.00 amount                                      - 0.60 fee (the gateway took more)
  //   + 894.60 status (paid at the gateway, open here)   + 99.40 duplicate
  // Suspense is credited for the statement's surplus: balance = -(sum).
  const auto before = BalanceOf(PostAll(*f.store), "suspense:reconciliation");
  CHECK(before.first);  // a credit balance
  CHECK(before.second == 7730 - 39760 + 100 - 60 + 89460 + 9940);
  // The trial balance still balances.
  u128 dr = 0, cr = 0;
  for (const auto& [k, b] : PostAll(*f.store)) {
    dr += b.debit;
    cr += b.credit;
  }
  CHECK(dr == cr);

  // Resolutions: a name is required; each releases its amount once.
  recon::ReconResolve bad{r->run_id, "d000001", "", "looked into it"};
  CHECK(ResolveDiscrepancy(*f.store, *f.writer, bad, "test").status().code() ==
        domain::rejections::kInvalidCommand);
  for (const auto& [id, d] : run->discrepancies) {
    recon::ReconResolve res{r->run_id, id, "Li Wei (finance)", "corrected with the gateway"};
    auto o = ResolveDiscrepancy(*f.store, *f.writer, res, "test");
    REQUIRE_MESSAGE(o.ok(), o.status().ToString());
  }
  recon::ReconResolve again{r->run_id, "d000001", "Li Wei (finance)", "again"};
  CHECK(ResolveDiscrepancy(*f.store, *f.writer, again, "test").status().code() ==
        recon::rejections::kDiscrepancyResolved);
  recon::ReconResolve unknown{r->run_id, "d999999", "Li Wei (finance)", "?"};
  CHECK(ResolveDiscrepancy(*f.store, *f.writer, unknown, "test").status().code() ==
        recon::rejections::kDiscrepancyNotFound);
  const auto after = BalanceOf(PostAll(*f.store), "suspense:reconciliation");
  CHECK(after.second == 0);
  CHECK(BalanceOf(PostAll(*f.store), "clearing:wechat_pay") == clearing_before);
}

TEST_CASE("reconcile: importing the same file again appends nothing and says so") {
  Fixture f;
  auto first = f.Import();
  REQUIRE(first.ok());
  const auto head = f.store->ReadHead();
  auto second = f.Import();
  REQUIRE(second.ok());
  CHECK(second->replayed);
  CHECK(second->run_id == first->run_id);
  CHECK(second->lines == first->lines);
  CHECK(second->matched == first->matched);
  CHECK(second->discrepancies == first->discrepancies);
  CHECK(f.store->ReadHead()->seq == head->seq);
}

TEST_CASE("reconcile: a malformed file writes nothing") {
  Fixture f;
  const auto head = f.store->ReadHead();
  std::ofstream(f.bill_path, std::ios::binary | std::ios::app) << "`garbage\r\n";
  auto r = f.Import();
  CHECK(!r.ok());
  CHECK(f.store->ReadHead()->seq == head->seq);
}

namespace {

std::size_t Count(const std::string& s, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// xmllint's HTML parser, when installed, must report nothing.
void CheckHtmlParses(const std::string& html, const std::string& dir) {
  if (!std::filesystem::exists("/usr/bin/xmllint")) return;
  const std::string path = dir + "/report.html";
  std::ofstream(path, std::ios::binary) << html;
  std::string out;
  CHECK(RunCommand("/usr/bin/xmllint --html --noout " + path + " 2>&1", &out) == 0);
  CHECK(out.empty());
}

}  // namespace

TEST_CASE("reports: the run report in CSV, JSON and HTML, the same bytes every time") {
  Fixture f;
  auto run = f.Import();
  REQUIRE(run.ok());
  reports::ReportRequest q;
  q.kind = reports::ReportKind::kReconciliationRun;
  q.run_id = run->run_id;
  q.format = reports::ReportFormat::kJson;
  auto json = reports::RenderReport(q, *f.store);
  REQUIRE_MESSAGE(json.ok(), json.status().ToString());
  const boost::json::object o = boost::json::parse(*json).as_object();
  CHECK(o.at("header").at("channel") == "WechatPay");
  CHECK(o.at("header").at("file_sha256").as_string() == run->statement_id.c_str());
  CHECK(o.at("header").at("unresolved") == "7");
  CHECK(o.at("header").at("held_in_suspense") == "674.10");
  CHECK(o.at("tables").at("exceptions").as_array().size() == 7);
  CHECK(o.at("tables").at("matched").as_array().size() == 3);  // three rules
  const auto& first = o.at("tables").at("exceptions").as_array()[0].as_object();
  CHECK(first.at("their_ref").as_string().size() > 0);

  q.format = reports::ReportFormat::kCsv;
  auto csv = reports::RenderReport(q, *f.store);
  REQUIRE(csv.ok());
  CHECK(csv->rfind("\xEF\xBB\xBFreport,reconciliation-run\r\n", 0) == 0);
  CHECK(csv->find("# exceptions\r\n") != std::string::npos);
  CHECK(csv->find("\r\n# signoff\r\nrole,name,signature,date\r\nPrepared by,,,\r\n") !=
        std::string::npos);

  q.format = reports::ReportFormat::kHtml;
  auto html = reports::RenderReport(q, *f.store);
  REQUIRE(html.ok());
  CHECK(html->rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html->find("<table id=\"exceptions\">") != std::string::npos);
  CHECK(Count(*html, "<table") == Count(*html, "</table>"));
  CHECK(Count(*html, "<tr>") == Count(*html, "</tr>"));
  CHECK(html->find("http") == std::string::npos);  // self-contained
  CHECK(html->find("<script") == std::string::npos);
  CheckHtmlParses(*html, f.dir.str());

  // Reproducible: same request, same bytes; later writes do not change a
  // report pinned to a sequence.
  const std::uint64_t seq = f.store->ReadHead()->seq;
  q.as_of_seq = seq;
  auto pinned = reports::RenderReport(q, *f.store);
  REQUIRE(pinned.ok());
  CHECK(*pinned == *html);
  recon::ReconResolve res{run->run_id, "d000001", "Li Wei (finance)", "gateway confirmed"};
  REQUIRE(ResolveDiscrepancy(*f.store, *f.writer, res, "test").ok());
  auto again = reports::RenderReport(q, *f.store);
  REQUIRE(again.ok());
  CHECK(*again == *pinned);
  q.as_of_seq = 0;
  auto now = reports::RenderReport(q, *f.store);
  REQUIRE(now.ok());
  CHECK(now->find("Li Wei (finance)") != std::string::npos);
}

TEST_CASE("reports: fees, stats and a trust statement render in every format") {
  Fixture f;
  for (auto kind : {reports::ReportKind::kFees, reports::ReportKind::kStats,
                    reports::ReportKind::kTrustStatement}) {
    for (auto format : {reports::ReportFormat::kCsv, reports::ReportFormat::kJson,
                        reports::ReportFormat::kHtml}) {
      reports::ReportRequest q;
      q.kind = kind;
      q.format = format;
      q.client_id = "nobody";
      auto a = reports::RenderReport(q, *f.store);
      REQUIRE_MESSAGE(a.ok(), a.status().ToString());
      auto b = reports::RenderReport(q, *f.store);
      REQUIRE(b.ok());
      CHECK(*a == *b);
    }
  }
  reports::ReportRequest q;
  q.kind = reports::ReportKind::kFees;
  q.format = reports::ReportFormat::kJson;
  auto fees = reports::RenderReport(q, *f.store);
  REQUIRE(fees.ok());
  const boost::json::object o = boost::json::parse(*fees).as_object();
  // One row per method that settled payments: the WeChat Pay history and the Alipay one.
  CHECK(o.at("tables").at("by_method").as_array().size() == 2);  // alipay, wechatpay
}

}  // namespace folio::reconciliation
