// The three-way trust reconciliation reads the trust and reconciliation
// projections (as of its sequence, the projector's lag applied in memory) and
// must give exactly what main gave by folding the log twice
// (three_way_fold.h): on a random history with skewed business times, after a
// bank statement of the trust account was imported (its differences parked
// on bank:trust) and partly resolved, with no projection, caught up and
// lagging, at several sequences and periods.
#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <set>

#include "engine/clock.h"

#include "adapters/reconciliation/import.h"
#include "adapters/reconciliation/ledger_items.h"
#include "adapters/reconciliation/three_way.h"
#include "adapters/statements/bill_writer.h"
#include "projections/reconciliation.h"
#include "projections/trust_ledger.h"
#include "projections/view.h"
#include "tests/adapters/reconciliation/three_way_fold.h"
#include "tests/adapters/reports/report_test_support.h"
#include "tests/projections/balances_history.h"
#include "tests/test_support.h"

namespace folio::reconciliation {
namespace {

using folio::testing::TempDir;
constexpr std::int64_t kDay = 86'400'000'000'000;

void CheckItems(const std::vector<ReconcilingItem>& got, const std::vector<ReconcilingItem>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].kind == want[i].kind);
    CHECK(got[i].ledger_id == want[i].ledger_id);
    CHECK(got[i].reference == want[i].reference);
    CHECK(got[i].client_id == want[i].client_id);
    CHECK(got[i].matter_id == want[i].matter_id);
    CHECK(got[i].description == want[i].description);
    CHECK(got[i].amount == want[i].amount);
    CHECK(got[i].bank_amount == want[i].bank_amount);
    CHECK(got[i].is_debit == want[i].is_debit);
    CHECK(got[i].booked_at_ns == want[i].booked_at_ns);
    CHECK(got[i].line_no == want[i].line_no);
  }
}

// The trust bank's ledger items (what an import of a trust bank statement
// matches against), the projection's against the fold's, every field.
void CheckTrustItems(const LogStore& store, std::uint64_t as_of) {
  auto got = ReadLedgerItems(store, LedgerScope::kTrustBank, as_of);
  auto want = testing::FoldTrustBankItems(store, as_of);
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  REQUIRE(want.ok());
  CHECK(got->as_of_seq == want->as_of_seq);
  REQUIRE(got->items.size() == want->items.size());
  for (std::size_t i = 0; i < got->items.size(); ++i) {
    CAPTURE(i);
    const LedgerItem &g = got->items[i], &w = want->items[i];
    CHECK(g.id == w.id);
    CHECK(g.gateway_ref == w.gateway_ref);
    CHECK(g.order_ref == w.order_ref);
    CHECK(g.amount == w.amount);
    CHECK(g.fee == w.fee);
    CHECK(g.booked_at_ns == w.booked_at_ns);
    CHECK(g.seq == w.seq);
    CHECK(g.client_id == w.client_id);
    CHECK(g.matter_id == w.matter_id);
    CHECK(g.status == w.status);
    CHECK(g.kind == w.kind);
    CHECK(g.is_debit == w.is_debit);
    CHECK(g.matched == w.matched);
  }
}

// Every field of the result, the fold's against the projections'.
void CheckSame(const LogStore& store, const statements::Header& h,
               const std::vector<statements::Line>& lines, const ThreeWayOptions& o) {
  auto got = ThreeWayReconcile(store, h, lines, o);
  auto want = testing::FoldThreeWay(store, h, lines, o);
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  REQUIRE(want.ok());
  CHECK(got->as_of_seq == want->as_of_seq);
  CHECK(got->bank_closing == want->bank_closing);
  CHECK(got->deposits_in_transit == want->deposits_in_transit);
  CHECK(got->outstanding_disbursements == want->outstanding_disbursements);
  CHECK(got->adjusted_bank == want->adjusted_bank);
  CHECK(got->trust_gl == want->trust_gl);
  CHECK(got->client_ledgers == want->client_ledgers);
  CHECK(got->agree == want->agree);
  CHECK(got->bank_lines == want->bank_lines);
  CHECK(got->matched == want->matched);
  CheckItems(got->in_transit, want->in_transit);
  CheckItems(got->outstanding, want->outstanding);
  CheckItems(got->unreconciled, want->unreconciled);
  REQUIRE(got->matters.size() == want->matters.size());
  for (std::size_t i = 0; i < got->matters.size(); ++i) {
    CHECK(got->matters[i].client_id == want->matters[i].client_id);
    CHECK(got->matters[i].matter_id == want->matters[i].matter_id);
    CHECK(got->matters[i].balance == want->matters[i].balance);
  }
  CHECK(got->negatives.size() == want->negatives.size());
}

// A camt.053 of the trust account: most of the ledger's movements, some
// missing, some with another amount, and lines the ledger does not have.
std::string BankStatement(const LogStore& store, const std::string& dir, std::int64_t start,
                          std::int64_t end) {
  auto snap = ReadLedgerItems(store, LedgerScope::kTrustBank, 0);
  REQUIRE(snap.ok());
  std::mt19937 rng(99);
  std::vector<statements::Line> lines;
  u128 in = 0, out = 0;
  for (const LedgerItem& it : snap->items) {
    if (it.booked_at_ns < start || it.booked_at_ns >= end) continue;
    const auto pick = rng() % 20;
    if (pick == 0) continue;  // not on the statement
    statements::Line l;
    l.reference = it.gateway_ref;
    l.order_ref = it.id;
    l.amount = pick == 1 ? Money(it.amount.asset(), it.amount.minor() + 7) : it.amount;
    l.is_debit = it.is_debit;
    l.booked_at_ns = it.booked_at_ns + 3600'000'000'000;
    l.description = "trust";
    (l.is_debit ? out : in) += l.amount.minor();
    lines.push_back(l);
    if (pick == 2) {
      statements::Line extra = l;
      extra.reference = "EXTRA-" + it.id;
      extra.order_ref = "EXTRA-" + it.id;
      extra.amount = Money(Asset::CNY, 1 + rng() % 9999);
      extra.is_debit = false;
      in += extra.amount.minor();
      lines.push_back(extra);
    }
  }
  statements::BillMeta meta;
  meta.account = "CN12 3456 7890 TRUST";
  meta.period_start_ns = start;
  meta.period_end_ns = end;
  meta.opening = Money(Asset::CNY, 0);
  meta.closing = Money(Asset::CNY, in >= out ? in - out : 0);
  const std::string path = dir + "/camt053.xml";
  std::ofstream(path, std::ios::binary)
      << statements::WriteBill(statements::Source::kCamt053, meta, lines);
  return path;
}

TEST_CASE("three-way from the projections equals the folds of the log, in every state") {
  TempDir dir;
  auto store = std::move(LogStore::Open(dir.str() + "/log")).value();
  const auto history = folio::testing::RandomHistory(3000, 23);
  const std::size_t half = history.size() / 2;
  const std::int64_t start = folio::testing::BusinessTime(0) - kDay;
  const std::int64_t end = folio::testing::BusinessTime(history.size()) + kDay;
  reports::testing::Append(store.get(), history, 0, half);
  {
    // The random history has no refunds to a client: a few, so that every
    // kind of trust movement is among the items compared.
    folio::testing::CommandList refunds;
    for (int i = 0; i < 10; ++i) {
      domain::TrustRefundClient r;
      r.refund_id = "tr" + std::to_string(i);
      r.client_id = "cl" + std::to_string(i % 5);
      r.matter_id = "m" + std::to_string(i % 3);
      r.amount = Money(Asset::CNY, 1 + static_cast<u128>(i));
      r.reference = "REFUND-" + std::to_string(i);
      refunds.emplace_back("refund-" + std::to_string(i), r);
    }
    reports::testing::Append(store.get(), refunds, 0, refunds.size());
  }

  // The trust account's statement imported: its differences park on bank:trust.
  const std::string path = BankStatement(*store, dir.str(), start, end);
  {
    auto writer = std::move(Writer::Start(store.get())).value();
    // Inside the statement's period, so that what the run parks on bank:trust
    // counts in the trust general ledger's balance at its end.
    ManualClock clock(folio::testing::BusinessTime(half) + 600'000'000'000);
    ImportOptions io;
    io.clock = &clock;
    io.source = statements::Source::kCamt053;
    io.path = path;
    io.account = "bank:trust";
    auto run = ImportStatement(*store, *writer, io);
    REQUIRE_MESSAGE(run.ok(), run.status().ToString());
    std::uint32_t found = 0;
    for (const auto& [kind, n] : run->discrepancies) found += n;
    REQUIRE(found > 5);
    auto state = LoadRun(*store, run->run_id);
    REQUIRE(state.ok());
    int i = 0;
    for (const auto& [id, d] : state->discrepancies) {
      if (++i % 3 != 0) continue;
      recon::ReconResolve res{run->run_id, id, "Li Wei (finance)", "bank confirmed"};
      REQUIRE(ResolveDiscrepancy(*store, *writer, res, "ops", &clock).ok());
    }
  }
  std::vector<statements::Line> lines;
  auto header = statements::ParseStatementFile(statements::Source::kCamt053, path,
                                               [&](const statements::Line& l) {
                                                 lines.push_back(l);
                                                 return OkStatus();
                                               });
  REQUIRE(header.ok());

  auto compare_all = [&] {
    const std::uint64_t head = store->ReadHead()->seq;
    for (const std::uint64_t as_of : {std::uint64_t{0}, head, head / 2, head / 3}) {
      for (const auto& [from, to] :
           {std::pair<std::int64_t, std::int64_t>{0, 0},
            std::pair{folio::testing::BusinessTime(200), folio::testing::BusinessTime(900)}}) {
        ThreeWayOptions o;
        o.as_of_seq = as_of;
        o.period_start_ns = from;
        o.period_end_ns = to;
        CAPTURE(as_of);
        CAPTURE(from);
        CheckSame(*store, *header, lines, o);
      }
      CheckTrustItems(*store, as_of);
    }
  };
  compare_all();  // no projection on disk
  reports::testing::CatchUp<projections::TrustLedgerProjection>(store.get());
  reports::testing::CatchUp<projections::ReconciliationProjection>(store.get());
  compare_all();  // caught up; below the checkpoint
  reports::testing::Append(store.get(), history, half, history.size());
  compare_all();  // lagging by half the history

  // Not a comparison of empty answers.
  auto r = ThreeWayReconcile(*store, *header, lines, {});
  REQUIRE(r.ok());
  CHECK(r->matched > 50);
  CHECK(r->unreconciled.size() > 5);
  CHECK(r->matters.size() > 3);
  // Every kind of trust movement was among the items compared.
  auto items = ReadLedgerItems(*store, LedgerScope::kTrustBank, 0);
  REQUIRE(items.ok());
  std::set<ItemKind> kinds;
  for (const LedgerItem& it : items->items) kinds.insert(it.kind);
  CHECK(kinds.size() == 4);
  // The bank:trust balance includes the parked differences (else the
  // comparison above would not have covered them).
  projections::ReconciliationProjection recon;
  auto view = projections::ProjectionView::Open(*store, recon, store->ReadHead()->seq);
  REQUIRE(view.ok());
  std::size_t on_bank = 0;
  for (const auto& m : projections::ReconAccountMoves(**view, std::nullopt)) {
    if (m.account == "bank:trust" && m.at_ns < r->period_end_ns) ++on_bank;
  }
  CHECK(on_bank > 5);
}

}  // namespace
}  // namespace folio::reconciliation
