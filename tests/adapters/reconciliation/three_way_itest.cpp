// Three-way trust reconciliation: a month of trust activity and a generated
// bank statement (camt.053) with a deposit in transit and an uncleared
// disbursement reconciles; a deposit the bank never received makes it
// disagree and names the deposit.
#include <doctest/doctest.h>

#include <fstream>

#include "adapters/reconciliation/three_way.h"
#include "adapters/reports/reports.h"
#include "adapters/statements/bill_writer.h"
#include "tests/adapters/reconciliation/recon_history.h"
#include "tests/test_support.h"

namespace folio::reconciliation {
namespace {

using namespace folio::testing;
using statements::Line;

constexpr std::int64_t kDay = 86'400 * kSecond;

struct Month {
  TempDir dir;
  std::unique_ptr<LogStore> store;
  std::unique_ptr<Writer> writer;
  std::vector<Line> bank;  // what the bank shows, in date order

  Month() {
    store = std::move(LogStore::Open(dir.str() + "/log")).value();
    writer = std::move(Writer::Start(store.get())).value();
    History h(*writer);
    auto deposit = [&](const std::string& id, const std::string& client, const std::string& matter,
                       u128 amount, int day, bool on_statement) {
      domain::TrustDeposit d;
      d.deposit_id = id;
      d.client_id = client;
      d.matter_id = matter;
      d.amount = Cny(amount);
      d.reference = "BK-" + id;
      d.payer = client;
      const std::int64_t at = Nov1() + (day - 1) * kDay + 10 * 3600 * kSecond;
      h.Do(d, at);
      if (on_statement) bank.push_back(BankLine("BK-" + id, id, amount, false, at + kDay));
    };
    auto disburse = [&](const std::string& id, const std::string& client, const std::string& matter,
                        u128 amount, int day, bool on_statement) {
      domain::TrustDisburse d;
      d.disbursement_id = id;
      d.client_id = client;
      d.matter_id = matter;
      d.amount = Cny(amount);
      d.payee = "Beijing No. 2 Intermediate Court";
      d.purpose = "filing fee";
      d.reference = "CHQ-" + id;
      const std::int64_t at = Nov1() + (day - 1) * kDay + 15 * 3600 * kSecond;
      h.Do(d, at);
      if (on_statement) bank.push_back(BankLine("CHQ-" + id, id, amount, true, at + 2 * kDay));
    };
    deposit("dep1", "zhang", "m-2026-01", 5'000'000, 2, true);
    deposit("dep2", "wang", "m-2026-02", 2'000'000, 5, true);
    deposit("dep3", "zhang", "m-2026-03", 800'000, 10, true);
    disburse("dis1", "zhang", "m-2026-01", 1'200'000, 12, true);
    domain::TrustTransferFees fees;
    fees.transfer_id = "fee1";
    fees.client_id = "wang";
    fees.matter_id = "m-2026-02";
    fees.amount = Cny(500'000);
    fees.invoice_id = "INV-11";
    h.Do(fees, Nov1() + 19 * kDay);
    bank.push_back(BankLine("fee1", "fee1", 500'000, true, Nov1() + 20 * kDay));
    disburse("dis2", "wang", "m-2026-02", 300'000, 27, false);  // cheque not yet cashed
    deposit("dep4", "li", "m-2026-04", 1'500'000, 29, false);   // in transit at month end
    std::sort(bank.begin(), bank.end(),
              [](const Line& a, const Line& b) { return a.booked_at_ns < b.booked_at_ns; });
  }

  static Line BankLine(const std::string& ref, const std::string& e2e, u128 amount, bool debit,
                       std::int64_t at) {
    Line l;
    l.reference = ref;
    l.order_ref = e2e;
    l.amount = Cny(amount);
    l.is_debit = debit;
    l.booked_at_ns = at;
    l.description = debit ? "payment out" : "client money in";
    return l;
  }

  std::string WriteStatement(const std::vector<Line>& lines) {
    statements::BillMeta meta;
    meta.account = "CN12 3456 7890 TRUST";
    meta.period_start_ns = Nov1();
    meta.period_end_ns = Nov1() + 30 * kDay;
    u128 balance = 0;
    for (const Line& l : lines)
      balance = l.is_debit ? balance - l.amount.minor() : balance + l.amount.minor();
    meta.opening = Cny(0);
    meta.closing = Cny(balance);
    const std::string path = dir.str() + "/camt053_202611.xml";
    std::ofstream(path, std::ios::binary)
        << statements::WriteBill(statements::Source::kCamt053, meta, lines);
    return path;
  }
};

}  // namespace

TEST_CASE("three-way: a month with a deposit in transit and an uncleared disbursement agrees") {
  Month m;
  auto r = ThreeWayReconcile(*m.store, statements::Source::kCamt053, m.WriteStatement(m.bank), {});
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->bank_closing.ToString() == "61000.00");  // 50000 + 20000 + 8000 - 12000 - 5000
  CHECK(r->deposits_in_transit == Cny(1'500'000));
  CHECK(r->outstanding_disbursements == Cny(300'000));
  CHECK(r->adjusted_bank.ToString() == "73000.00");
  CHECK(r->trust_gl.ToString() == "73000.00");
  CHECK(r->client_ledgers.ToString() == "73000.00");
  CHECK(r->agree);
  REQUIRE(r->in_transit.size() == 1);
  CHECK(r->in_transit[0].ledger_id == "dep4");
  REQUIRE(r->outstanding.size() == 1);
  CHECK(r->outstanding[0].ledger_id == "dis2");
  CHECK(r->unreconciled.empty());
  CHECK(r->negatives.empty());
  CHECK(r->matters.size() == 4);
  CHECK(r->matched == 5);
}

TEST_CASE("three-way: a deposit the bank never received disagrees and is named") {
  Month m;
  std::vector<Line> lines;
  for (const Line& l : m.bank) {
    if (l.order_ref != "dep2") lines.push_back(l);
  }
  auto r = ThreeWayReconcile(*m.store, statements::Source::kCamt053, m.WriteStatement(lines), {});
  REQUIRE(r.ok());
  CHECK(!r->agree);
  CHECK(r->adjusted_bank.ToString() == "53000.00");
  CHECK(r->trust_gl.ToString() == "73000.00");
  REQUIRE(r->unreconciled.size() == 1);
  CHECK(r->unreconciled[0].kind == "missing_from_bank");
  CHECK(r->unreconciled[0].ledger_id == "dep2");
  CHECK(r->unreconciled[0].client_id == "wang");
  CHECK(r->unreconciled[0].amount == Cny(2'000'000));
}

TEST_CASE("three-way: the report names the verdict, the items and the matters") {
  Month m;
  reports::ReportRequest q;
  q.kind = reports::ReportKind::kThreeWay;
  q.format = reports::ReportFormat::kHtml;
  q.statement_source = statements::Source::kCamt053;
  q.statement_path = m.WriteStatement(m.bank);
  auto html = reports::RenderReport(q, *m.store);
  REQUIRE_MESSAGE(html.ok(), html.status().ToString());
  CHECK(html->find("AGREES: adjusted bank = trust ledger = client matters") != std::string::npos);
  CHECK(html->find("<table id=\"deposits_in_transit\">") != std::string::npos);
  CHECK(html->find("dep4") != std::string::npos);
  CHECK(html->find("m-2026-04") != std::string::npos);
  q.format = reports::ReportFormat::kCsv;
  auto a = reports::RenderReport(q, *m.store);
  auto b = reports::RenderReport(q, *m.store);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
  CHECK(a->find("adjusted_bank_balance,73000.00\r\n") != std::string::npos);
}

}  // namespace folio::reconciliation
