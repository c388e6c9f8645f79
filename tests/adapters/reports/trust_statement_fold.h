// The client trust statement as main computed it before it read the trust
// projection (adapters/reports/reports.cc at 7b7b183): a fold of every event
// of the log. Kept only as the reference the projection-based report must
// equal byte for byte (trust_statement_itest.cpp).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "adapters/reconciliation/scan_events.h"
#include "adapters/reports/report_model.h"
#include "adapters/reports/reports.h"
#include "engine/domain/civil_time.h"
#include "events/money.h"
#include "tests/adapters/reports/report_test_support.h"

namespace folio::reports::testing {

inline Result<Report> FoldTrustStatement(const ReportRequest& q, const LogStore& store,
                                         std::uint64_t as_of) {
  using domain::ShanghaiDateTimeNs;
  const auto Sv = FoldSv;
  const auto M = FoldMoney;
  const auto Signed = FoldSigned;
  const auto Period = FoldPeriod;
  struct MatterSum {
    u128 opening_in = 0, opening_out = 0, in = 0, out = 0;
    Asset asset = Asset::CNY;
  };
  std::map<std::pair<std::string, Asset>, MatterSum> sums;
  Table moves{"movements",
              "Movements",
              {"date", "matter", "type", "id", "reference", "description", "in", "out", "balance"},
              {},
              ""};
  std::map<std::pair<std::string, Asset>, std::pair<bool, u128>> running;
  auto add = [&](const fb::Envelope& env, std::string_view client, std::string_view matter,
                 std::string type, std::string_view id, std::string ref, std::string desc,
                 const Money& amount, bool out) {
    if (client != q.client_id || (!q.matter_id.empty() && matter != q.matter_id)) return;
    MatterSum& s = sums[{std::string(matter), amount.asset()}];
    s.asset = amount.asset();
    auto& bal = running[{std::string(matter), amount.asset()}];
    auto apply = [&bal](bool minus, u128 v) {
      if (bal.first == minus) {
        bal.second += v;
        return;
      }
      if (bal.second >= v) {
        bal.second -= v;
        if (bal.second == 0) bal.first = false;
        return;
      }
      bal = {minus, v - bal.second};
    };
    apply(out, amount.minor());
    const bool before = q.period_start_ns != 0 && env.occurred_at_ns() < q.period_start_ns;
    const bool after = q.period_end_ns != 0 && env.occurred_at_ns() >= q.period_end_ns;
    if (after) return;
    if (before) {
      (out ? s.opening_out : s.opening_in) += amount.minor();
      return;
    }
    (out ? s.out : s.in) += amount.minor();
    moves.rows.push_back({ShanghaiDateTimeNs(env.occurred_at_ns()), std::string(matter),
                          std::move(type), std::string(id), std::move(ref), std::move(desc),
                          out ? "" : amount.ToString(), out ? amount.ToString() : "",
                          Signed(bal.first, Money(amount.asset(), bal.second))});
  };
  RETURN_IF_ERROR(reconciliation::ScanEvents(store, as_of, [&](const fb::Envelope& env) {
    switch (env.event_type()) {
      case fb::Event::TrustDepositRecorded: {
        const auto* e = env.event_as_TrustDepositRecorded();
        return add(env, Sv(e->client_id()), Sv(e->matter_id()), "deposit", Sv(e->deposit_id()),
                   std::string(Sv(e->reference())), "from " + std::string(Sv(e->payer())),
                   M(e->amount()), false);
      }
      case fb::Event::TrustDisbursementRecorded: {
        const auto* e = env.event_as_TrustDisbursementRecorded();
        return add(env, Sv(e->client_id()), Sv(e->matter_id()), "disbursement",
                   Sv(e->disbursement_id()), std::string(Sv(e->reference())),
                   std::string(Sv(e->payee())) + ": " + std::string(Sv(e->purpose())),
                   M(e->amount()), true);
      }
      case fb::Event::TrustFeeTransferred: {
        const auto* e = env.event_as_TrustFeeTransferred();
        return add(
            env, Sv(e->client_id()), Sv(e->matter_id()), "fee_transfer", Sv(e->transfer_id()), "",
            "earned fees, invoice " + std::string(Sv(e->invoice_id())), M(e->amount()), true);
      }
      case fb::Event::TrustRefundedToClient: {
        const auto* e = env.event_as_TrustRefundedToClient();
        return add(env, Sv(e->client_id()), Sv(e->matter_id()), "refund_to_client",
                   Sv(e->refund_id()), std::string(Sv(e->reference())), "returned to the client",
                   M(e->amount()), true);
      }
      default:
        return;
    }
  }));
  Report r;
  r.kind = "trust-statement";
  r.title = "Client trust ledger statement: " + q.client_id;
  r.header = {{"client", q.client_id},
              {"matter", q.matter_id.empty() ? "all matters" : q.matter_id},
              {"period", Period(q.period_start_ns, q.period_end_ns)},
              {"report_as_of_seq", std::to_string(as_of)}};
  Table summary{
      "matters", "Matters", {"matter", "currency", "opening", "in", "out", "closing"}, {}, ""};
  bool negative = false;
  for (const auto& [key, s] : sums) {
    auto net = [](u128 in, u128 out) {
      return std::make_pair(out > in, out > in ? out - in : in - out);
    };
    const auto open = net(s.opening_in, s.opening_out);
    const auto close = net(s.opening_in + s.in, s.opening_out + s.out);
    negative = negative || (close.first && close.second != 0);
    summary.rows.push_back({key.first, std::string(AssetCode(s.asset)),
                            Signed(open.first, Money(s.asset, open.second)),
                            Money(s.asset, s.in).ToString(), Money(s.asset, s.out).ToString(),
                            Signed(close.first, Money(s.asset, close.second))});
  }
  r.verdict = negative ? "A MATTER IS NEGATIVE" : "NO MATTER IS NEGATIVE";
  r.verdict_ok = !negative;
  r.tables.push_back(std::move(summary));
  r.tables.push_back(std::move(moves));
  r.signoff = {"Prepared by", "Responsible lawyer"};
  return r;
}

}  // namespace folio::reports::testing
