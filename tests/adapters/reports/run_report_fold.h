// The reconciliation-run report as main computed it before it read the
// reconciliation projection (adapters/reports/reports.cc at 497c6f4): a fold
// of the run's stream. Kept only as the reference the projection-based
// report must equal byte for byte (run_report_itest.cpp).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "adapters/reports/report_model.h"
#include "adapters/reports/reports.h"
#include "engine/domain/civil_time.h"
#include "engine/recon/recon.h"
#include "events/codes.h"
#include "events/hash.h"
#include "events/money.h"
#include "tests/adapters/reports/report_test_support.h"

namespace folio::reports::testing {

inline Result<Report> FoldRunReport(const ReportRequest& q, const LogStore& store,
                                    std::uint64_t as_of) {
  using domain::ShanghaiDateTimeNs;
  const auto Sv = FoldSv;
  const auto M = FoldMoney;
  const auto Amount = FoldAmount;
  const auto Signed = FoldSigned;
  const auto Period = FoldPeriod;
  if (q.run_id.empty()) return Status::Error(codes::kInvalidArgument, "a run id is needed");
  ASSIGN_OR_RETURN(std::vector<EventRecord> events,
                   store.ReadStream(recon::RunStream(q.run_id), 1, 1u << 30));
  if (events.empty()) return Status::Error(recon::rejections::kRunNotFound, q.run_id);
  Report r;
  r.kind = "reconciliation-run";
  r.title = "Reconciliation run " + q.run_id;
  Table exceptions{"exceptions",
                   "Exceptions",
                   {"id", "kind", "line", "our_ref", "their_ref", "ledger_amount",
                    "statement_amount", "difference", "note", "status"},
                   {},
                   ""};
  Table resolutions{"resolutions",
                    "Resolutions",
                    {"id", "resolved_by", "resolution", "released_from_suspense", "at"},
                    {},
                    ""};
  std::map<std::string, std::pair<std::uint64_t, u128>> by_rule;
  std::map<std::string, std::size_t> row_of;
  std::map<std::string, std::pair<bool, Money>> open;  // unresolved differences
  Asset asset = Asset::Unknown;
  std::vector<std::pair<std::string, std::string>> head, totals;
  std::string status = "open (not completed)";
  for (const EventRecord& rec : events) {
    if (rec.seq() > as_of) break;
    const fb::Envelope& env = rec.env();
    switch (env.event_type()) {
      case fb::Event::StatementImported: {
        const auto* e = env.event_as_StatementImported();
        head.emplace_back("channel", fb::EnumNameStatementSource(e->source()));
        head.emplace_back("statement_account", std::string(Sv(e->account())));
        head.emplace_back("period", Period(e->period_start_ns(), e->period_end_ns()));
        head.emplace_back("file_sha256",
                          e->file_sha256() ? ToHex({e->file_sha256()->bytes()->data(), 32}) : "");
        head.emplace_back("statement_lines", std::to_string(e->line_count()));
        // Exact text when the statement's currency or digits are beyond Money.
        const bool exact = e->opening_balance_text() != nullptr;
        head.emplace_back(
            "statement_opening_balance",
            exact ? std::string(Sv(e->opening_balance_text())) : Amount(M(e->opening_balance())));
        head.emplace_back(
            "statement_closing_balance",
            exact ? std::string(Sv(e->closing_balance_text())) : Amount(M(e->closing_balance())));
        if (e->statements() > 1) head.emplace_back("statements", std::to_string(e->statements()));
        head.emplace_back("imported_at", ShanghaiDateTimeNs(env.occurred_at_ns()));
        head.emplace_back("imported_by", std::string(Sv(env.actor())));
        break;
      }
      case fb::Event::ReconciliationRunStarted: {
        const auto* e = env.event_as_ReconciliationRunStarted();
        head.emplace_back("ledger_account", std::string(Sv(e->account())));
        head.emplace_back("ledger_read_up_to_seq", std::to_string(e->as_of_seq()));
        break;
      }
      case fb::Event::ReconciliationItemMatched: {
        const auto* e = env.event_as_ReconciliationItemMatched();
        auto& [n, sum] = by_rule[std::string(Sv(e->rule()))];
        ++n;
        sum += M(e->amount()).minor();
        asset = M(e->amount()).asset();
        break;
      }
      case fb::Event::DiscrepancyDetected: {
        const auto* e = env.event_as_DiscrepancyDetected();
        const std::string id(Sv(e->discrepancy_id()));
        const Money diff = M(e->difference());
        row_of[id] = exceptions.rows.size();
        open[id] = {!e->difference_is_debit(), diff};
        exceptions.rows.push_back(
            {id, std::string(recon::DiscrepancyKindName(e->kind())),
             e->line_no() ? std::to_string(e->line_no()) : "", std::string(Sv(e->ledger_ref())),
             std::string(Sv(e->statement_ref())), Amount(M(e->ledger_amount())),
             e->statement_amount_text() != nullptr ? std::string(Sv(e->statement_amount_text()))
                                                   : Amount(M(e->statement_amount())),
             Signed(!e->difference_is_debit(), diff), std::string(Sv(e->note())), "open"});
        break;
      }
      case fb::Event::DiscrepancyResolved: {
        const auto* e = env.event_as_DiscrepancyResolved();
        const std::string id(Sv(e->discrepancy_id()));
        if (auto it = row_of.find(id); it != row_of.end())
          exceptions.rows[it->second][9] = "resolved";
        open.erase(id);
        resolutions.rows.push_back({id, std::string(Sv(e->resolved_by())),
                                    std::string(Sv(e->resolution())), Amount(M(e->amount())),
                                    ShanghaiDateTimeNs(env.occurred_at_ns())});
        break;
      }
      case fb::Event::ReconciliationRunCompleted: {
        const auto* e = env.event_as_ReconciliationRunCompleted();
        status = "completed " + ShanghaiDateTimeNs(env.occurred_at_ns());
        totals.emplace_back("statement_credits", Amount(M(e->statement_credits())));
        totals.emplace_back("statement_debits", Amount(M(e->statement_debits())));
        totals.emplace_back("ledger_credits", Amount(M(e->ledger_credits())));
        totals.emplace_back("ledger_debits", Amount(M(e->ledger_debits())));
        totals.emplace_back("matched_items", std::to_string(e->matched()));
        totals.emplace_back("matched_amount", Amount(M(e->matched_amount())));
        totals.emplace_back("discrepancies", std::to_string(e->discrepancies()));
        if (asset == Asset::Unknown) asset = M(e->statement_credits()).asset();
        break;
      }
      default:
        break;
    }
  }
  // Net of what is still parked in suspense (statement surplus positive).
  u128 plus = 0, minus = 0;
  for (const auto& [id, d] : open) (d.first ? minus : plus) += d.second.minor();
  if (asset == Asset::Unknown) asset = Asset::CNY;
  r.header.emplace_back("run_id", q.run_id);
  for (auto& kv : head) r.header.push_back(kv);
  r.header.emplace_back("status", status);
  for (auto& kv : totals) r.header.push_back(kv);
  r.header.emplace_back("unresolved", std::to_string(open.size()));
  r.header.emplace_back(
      "held_in_suspense",
      Signed(minus > plus, Money(asset, minus > plus ? minus - plus : plus - minus)));
  r.header.emplace_back("report_as_of_seq", std::to_string(as_of));
  r.verdict =
      open.empty() ? "ALL DIFFERENCES RESOLVED" : std::to_string(open.size()) + " UNRESOLVED";
  r.verdict_ok = open.empty();
  Table matched{"matched", "Matched items by rule", {"rule", "items", "amount"}, {}, ""};
  for (const auto& [rule, v] : by_rule) {
    matched.rows.push_back({rule, std::to_string(v.first), Money(asset, v.second).ToString()});
  }
  r.tables.push_back(std::move(matched));
  exceptions.note =
      "difference: the statement's effect on the account minus the ledger's; "
      "positive means the statement shows more.";
  r.tables.push_back(std::move(exceptions));
  r.tables.push_back(std::move(resolutions));
  r.signoff = {"Prepared by", "Reviewed by", "Approved by"};
  return r;
}

}  // namespace folio::reports::testing
