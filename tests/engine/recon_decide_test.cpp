// The reconciliation run's pure decide/apply: rejections in their documented
// order (engine/recon/recon.h) as a table, the fold, and the postings of
// detections and resolutions.
#include <doctest/doctest.h>

#include "engine/domain/postings.h"
#include "engine/domain/rejections.h"
#include "engine/recon/recon.h"

namespace folio::recon {
namespace {

Money Cny(u128 minor) { return Money(Asset::CNY, minor); }

domain::CommandContext Ctx() {
  domain::CommandContext c;
  c.actor = "test";
  c.now_ns = 1'795'000'000'000'000'000;
  return c;
}

ReconStart Start() {
  ReconStart s;
  s.run_id = "wechatpay-0123456789abcdef";
  s.statement_id = std::string(64, 'a');
  s.source = fb::StatementSource::WechatPay;
  s.account = "clearing:wechatpay";
  s.period_start_ns = 1;
  s.period_end_ns = 2;
  s.opening = s.closing = Cny(0);
  return s;
}

ReconComplete Complete(const std::string& run) {
  return ReconComplete{run, Cny(0), Cny(0), Cny(0), Cny(0), Cny(0)};
}

ReconDiscrepancy Disc(const std::string& id, u128 diff, bool debit) {
  ReconDiscrepancy d;
  d.discrepancy_id = id;
  d.kind = fb::DiscrepancyKind::MissingInLedger;
  d.ledger_amount = Cny(0);
  d.statement_amount = Cny(diff);
  d.difference = Cny(diff);
  d.difference_is_debit = debit;
  return d;
}

// Decides and applies; returns the rejection code or "" when accepted.
std::string Run(RunState& s, const ReconCommand& c, domain::Ledger* ledger = nullptr) {
  domain::Decision d = DecideRecon(s, c, Ctx());
  if (auto* r = std::get_if<domain::Rejection>(&d)) return std::string(r->code);
  for (const std::string& e : std::get<domain::Events>(d)) {
    const fb::Envelope& env = *fb::GetEnvelope(e.data());
    ApplyRecon(s, env);
    if (ledger != nullptr) domain::Post(*ledger, domain::PostingsFor(env));
  }
  return "";
}

}  // namespace

TEST_CASE("recon decide: rejections in their documented order") {
  RunState empty, open, done;
  REQUIRE(Run(open, Start()) == "");
  REQUIRE(Run(done, Start()) == "");
  REQUIRE(Run(done, ReconRecord{Start().run_id, {}, {Disc("d1", 5, true)}}) == "");
  REQUIRE(Run(done, Complete(Start().run_id)) == "");
  ReconStart bad_start = Start();
  bad_start.run_id = "a/b";
  ReconRecord too_many{Start().run_id, std::vector<ReconMatch>(kRecordItemsMax + 1), {}};
  ReconRecord dup{Start().run_id, {}, {Disc("d1", 1, true)}};
  ReconRecord dup_in_one{Start().run_id, {}, {Disc("d7", 1, true), Disc("d7", 1, true)}};
  const ReconResolve ok{Start().run_id, "d1", "Li Wei", "confirmed"};
  ReconResolve nobody = ok;
  nobody.resolved_by.clear();
  ReconResolve unknown = ok;
  unknown.discrepancy_id = "d9";
  struct Row {
    const char* name;
    RunState state;
    ReconCommand command;
    std::string_view code;
  };
  const Row rows[] = {
      {"start: bad id", empty, bad_start, domain::rejections::kInvalidCommand},
      {"start: exists", open, Start(), rejections::kRunExists},
      {"record: too many items", open, too_many, domain::rejections::kInvalidCommand},
      {"record: no run", empty, dup, rejections::kRunNotFound},
      {"record: completed", done, dup, rejections::kRunCompleted},
      {"record: id twice in one chunk", open, dup_in_one, rejections::kDiscrepancyExists},
      {"complete: no run", empty, Complete("r"), rejections::kRunNotFound},
      {"complete: twice", done, Complete("r"), rejections::kRunCompleted},
      {"resolve: nobody named", done, nobody, domain::rejections::kInvalidCommand},
      {"resolve: no run", empty, ok, rejections::kRunNotFound},
      {"resolve: run still open", open, ok, rejections::kRunOpen},
      {"resolve: unknown discrepancy", done, unknown, rejections::kDiscrepancyNotFound},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    RunState s = r.state;
    CHECK(Run(s, r.command) == r.code);
  }
  RunState s = done;
  CHECK(Run(s, ok) == "");
  CHECK(Run(s, ok) == rejections::kDiscrepancyResolved);
}

TEST_CASE("recon decide: detections park differences in suspense, resolutions release them") {
  RunState s;
  domain::Ledger ledger;
  REQUIRE(Run(s, Start(), &ledger) == "");
  ReconRecord rec{Start().run_id, {}, {Disc("d1", 700, true), Disc("d2", 200, false)}};
  rec.matches.push_back(ReconMatch{3, "p1", "4200001", Cny(100), "gateway_txn_id"});
  REQUIRE(Run(s, rec, &ledger) == "");
  CHECK(s.matched == 1);
  CHECK(s.discrepancies.size() == 2);
  REQUIRE(Run(s, Complete(Start().run_id), &ledger) == "");
  const auto& susp = ledger.at({"suspense:reconciliation", Asset::CNY});
  CHECK(susp.credit - susp.debit == 500);  // the statement shows 5.00 more, net
  for (const char* id : {"d1", "d2"}) {
    REQUIRE(Run(s, ReconResolve{Start().run_id, id, "Li Wei", "explained"}, &ledger) == "");
  }
  const auto& after = ledger.at({"suspense:reconciliation", Asset::CNY});
  CHECK(after.credit == after.debit);
  const auto& clearing = ledger.at({"clearing:wechatpay", Asset::CNY});
  CHECK(clearing.credit == clearing.debit);
}

}  // namespace folio::recon
