// Reconciliation of a generated WeChat Pay bill against a ledger history
// with one discrepancy of every kind planted: each is found with its kind,
// nothing else is flagged, suspense holds the differences until a named
// person resolves them, and importing the same file again changes nothing.
#include <doctest/doctest.h>

#include <fstream>

#include "adapters/reconciliation/import.h"
#include "adapters/reconciliation/matcher.h"
#include "engine/domain/rejections.h"
#include "adapters/statements/bill_writer.h"
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
    h.Payment("p1", W, 10000, 60, t, "4200001");          // matched by transaction id
    h.Payment("p2", W, 20000, 120, t, "4200002");         // matched by order number
    h.Payment("p3", W, 30000, 180, t, "4200003");         // matched by amount and time
    h.Payment("p4", W, 40000, 240, t, "4200004");         // missing in the statement
    h.Payment("p5", W, 50000, 300, t, "4200005");         // amount mismatch
    h.Payment("p6", W, 60000, 360, t, "4200006");         // fee mismatch
    h.Payment("p7", W, 70000, 420, Nov1() - 10 * kSecond, "4200007");  // timing: the 31st
    h.Payment("p9", W, 90000, 0, t, "", false);           // status: never settled here
    h.Payment("pa", fb::Method::Alipay, 11100, 66, t, "2026A");  // another method: ignored
    h.Refund("r1", "p1", 4000, t + 3600 * kSecond, "5030001");    // matched refund

    std::vector<Line> rows;
    rows.push_back(Row("4200001", "ORD-p1", 10000, 60, t + 5 * kSecond));
    rows.push_back(Row("4200999", "ORD-p2", 20000, 120, t + 5 * kSecond));
    rows.push_back(Row("4200998", "X-3", 30000, 180, t + 3600 * kSecond));
    rows.push_back(Row("4200005", "ORD-p5", 50100, 300, t + 5 * kSecond));
    rows.push_back(Row("4200006", "ORD-p6", 60000, 420, t + 5 * kSecond));
    rows.push_back(Row("4200007", "ORD-p7", 70000, 420, Nov1() + 5 * kSecond));
    rows.push_back(Row("4200009", "ORD-p9", 90000, 540, t + 5 * kSecond));
    rows.push_back(Row("4200777", "X-7", 7777, 47, t + 5 * kSecond));  // missing in ledger
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

TEST_CASE("reconcile: one discrepancy of each kind, found and nothing else; resolutions empty suspense") {
  Fixture f;
  auto r = f.Import();
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(!r->replayed);
  CHECK(r->lines == 10);
  CHECK(r->matched == 4);  // p1, p2 (order), p3 (amount window), r1
  const std::map<std::string, std::uint32_t> want = {
      {"missing_in_ledger", 1}, {"missing_in_statement", 1}, {"amount_mismatch", 1},
      {"status_mismatch", 1},   {"fee_mismatch", 1},         {"duplicate", 1},
      {"timing", 1}};
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
      const std::string ref = d->ledger_ref()->size() ? d->ledger_ref()->str() : d->statement_ref()->str();
      kind_of[ref] = std::string(KindName(d->kind()));
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

}  // namespace folio::reconciliation
