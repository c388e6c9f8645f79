#include "adapters/reports/reports.h"

#include "adapters/reports/report_support.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "adapters/reconciliation/import.h"
#include "adapters/reconciliation/matcher.h"
#include "adapters/statements/statement.h"
#include "engine/domain/civil_time.h"
#include "engine/domain/methods.h"
#include "engine/keys.h"
#include "engine/recon/recon.h"
#include "events/codes.h"
#include "events/hash.h"
#include "projections/reconciliation.h"
#include "projections/stats.h"
#include "projections/trust_ledger.h"
#include "projections/view.h"

namespace folio::reports {
namespace {

using internal::Amount;
using internal::FeeReport;
using internal::kSignoff;
using internal::Period;
using internal::ShanghaiDateTimeNs;
using internal::Signed;
using internal::StatsReport;

Result<std::uint64_t> ResolveAsOf(const LogStore& store, std::uint64_t as_of) {
  ASSIGN_OR_RETURN(keys::Head head, store.ReadHead());
  return as_of == 0 || as_of > head.seq ? head.seq : as_of;
}

// --- reconciliation run -----------------------------------------------------

Result<Report> RunReport(const ReportRequest& q, const LogStore& store, std::uint64_t as_of) {
  if (q.run_id.empty()) return Status::Error(codes::kInvalidArgument, "a run id is needed");
  projections::ReconciliationProjection projection;
  ASSIGN_OR_RETURN(std::unique_ptr<projections::ProjectionView> view,
                   projections::ProjectionView::Open(store, projection, as_of));
  std::optional<projections::ReconRunView> run =
      projections::ReconRun(*view, q.run_id, view->as_of());
  if (!run) return Status::Error(recon::rejections::kRunNotFound, q.run_id);
  Report r;
  r.kind = "reconciliation-run";
  r.title = "Reconciliation run " + q.run_id;
  r.header.emplace_back("run_id", q.run_id);
  if (const projections::ReconImported& i = run->run.imported; i.seq != 0) {
    r.header.emplace_back("channel", fb::EnumNameStatementSource(i.source));
    r.header.emplace_back("statement_account", i.statement_account);
    r.header.emplace_back("period", Period(i.period_start_ns, i.period_end_ns));
    r.header.emplace_back("file_sha256", i.file_sha256_hex);
    r.header.emplace_back("statement_lines", std::to_string(i.line_count));
    // Exact text when the statement's currency or digits are beyond Money.
    r.header.emplace_back("statement_opening_balance",
                          i.exact_balances ? i.opening_text : Amount(i.opening));
    r.header.emplace_back("statement_closing_balance",
                          i.exact_balances ? i.closing_text : Amount(i.closing));
    if (i.statements > 1) r.header.emplace_back("statements", std::to_string(i.statements));
    r.header.emplace_back("imported_at", ShanghaiDateTimeNs(i.at_ns));
    r.header.emplace_back("imported_by", i.by);
  }
  if (const projections::ReconStarted& s = run->run.started; s.seq != 0) {
    r.header.emplace_back("ledger_account", s.ledger_account);
    r.header.emplace_back("ledger_read_up_to_seq", std::to_string(s.ledger_as_of_seq));
  }
  // The asset of the amounts: the last match's, else the completion's.
  Asset asset = run->matches.empty() ? Asset::Unknown : run->matches.back().amount.asset();
  const projections::ReconCompleted& c = run->run.completed;
  if (c.seq == 0) {
    r.header.emplace_back("status", "open (not completed)");
  } else {
    r.header.emplace_back("status", "completed " + ShanghaiDateTimeNs(c.at_ns));
    r.header.emplace_back("statement_credits", Amount(c.statement_credits));
    r.header.emplace_back("statement_debits", Amount(c.statement_debits));
    r.header.emplace_back("ledger_credits", Amount(c.ledger_credits));
    r.header.emplace_back("ledger_debits", Amount(c.ledger_debits));
    r.header.emplace_back("matched_items", std::to_string(c.matched));
    r.header.emplace_back("matched_amount", Amount(c.matched_amount));
    r.header.emplace_back("discrepancies", std::to_string(c.discrepancies));
    if (asset == Asset::Unknown) asset = c.statement_credits.asset();
  }
  if (asset == Asset::Unknown) asset = Asset::CNY;
  // Net of what is still parked in suspense (statement surplus positive).
  const auto open = run->Unresolved();
  u128 plus = 0, minus = 0;
  for (const auto* d : open) (d->difference_is_debit ? plus : minus) += d->difference.minor();
  r.header.emplace_back("unresolved", std::to_string(open.size()));
  r.header.emplace_back(
      "held_in_suspense",
      Signed(minus > plus, Money(asset, minus > plus ? minus - plus : plus - minus)));
  r.header.emplace_back("report_as_of_seq", std::to_string(as_of));
  r.verdict =
      open.empty() ? "ALL DIFFERENCES RESOLVED" : std::to_string(open.size()) + " UNRESOLVED";
  r.verdict_ok = open.empty();

  std::map<std::string, std::pair<std::uint64_t, u128>> by_rule;
  for (const auto& m : run->matches) {
    auto& [n, sum] = by_rule[m.rule];
    ++n;
    sum += m.amount.minor();
  }
  Table matched{"matched", "Matched items by rule", {"rule", "items", "amount"}, {}, ""};
  for (const auto& [rule, v] : by_rule) {
    matched.rows.push_back({rule, std::to_string(v.first), Money(asset, v.second).ToString()});
  }
  r.tables.push_back(std::move(matched));
  Table exceptions{"exceptions",
                   "Exceptions",
                   {"id", "kind", "line", "our_ref", "their_ref", "ledger_amount",
                    "statement_amount", "difference", "note", "status"},
                   {},
                   "difference: the statement's effect on the account minus the ledger's; "
                   "positive means the statement shows more."};
  for (const auto& d : run->discrepancies) {
    exceptions.rows.push_back(
        {d.discrepancy_id, std::string(recon::DiscrepancyKindName(d.kind)),
         d.line_no ? std::to_string(d.line_no) : "", d.ledger_ref, d.statement_ref,
         Amount(d.ledger_amount),
         d.exact_statement_amount ? d.statement_amount_text : Amount(d.statement_amount),
         Signed(!d.difference_is_debit, d.difference), d.note, d.resolved ? "resolved" : "open"});
  }
  r.tables.push_back(std::move(exceptions));
  Table resolutions{"resolutions",
                    "Resolutions",
                    {"id", "resolved_by", "resolution", "released_from_suspense", "at"},
                    {},
                    ""};
  for (const auto& v : run->resolutions) {
    resolutions.rows.push_back({v.discrepancy_id, v.resolved_by, v.resolution, Amount(v.amount),
                                ShanghaiDateTimeNs(v.at_ns)});
  }
  r.tables.push_back(std::move(resolutions));
  r.signoff = kSignoff;
  return r;
}

// --- three-way ----------------------------------------------------------------

Table ItemsTable(std::string name, std::string title,
                 const std::vector<reconciliation::ReconcilingItem>& items) {
  Table t{std::move(name),
          std::move(title),
          {"kind", "ledger_id", "reference", "client", "matter", "booked_at", "bank_line",
           "ledger_amount", "bank_amount", "direction", "note"},
          {},
          ""};
  for (const auto& i : items) {
    t.rows.push_back({i.kind, i.ledger_id, i.reference, i.client_id, i.matter_id,
                      i.booked_at_ns ? ShanghaiDateTimeNs(i.booked_at_ns) : "",
                      i.line_no ? std::to_string(i.line_no) : "", Amount(i.amount),
                      Amount(i.bank_amount), i.is_debit ? "out" : "in", i.description});
  }
  return t;
}

Result<Report> ThreeWayReport(const ReportRequest& q, const LogStore& store, std::uint64_t as_of) {
  if (q.statement_path.empty()) {
    return Status::Error(codes::kInvalidArgument, "a bank statement file is needed");
  }
  reconciliation::ThreeWayOptions o = q.three_way;
  o.as_of_seq = as_of;
  if (q.period_start_ns != 0 || q.period_end_ns != 0) {
    o.period_start_ns = q.period_start_ns;
    o.period_end_ns = q.period_end_ns;
  }
  ASSIGN_OR_RETURN(
      auto t, reconciliation::ThreeWayReconcile(store, q.statement_source, q.statement_path, o));
  Report r;
  r.kind = "three-way";
  r.title = "Three-way trust reconciliation";
  r.header = {{"period", Period(t.period_start_ns, t.period_end_ns)},
              {"bank_account", t.statement_account},
              {"statement_source", std::string(statements::SourceName(q.statement_source))},
              {"statement_sha256", t.statement_sha256},
              {"bank_closing_balance", t.bank_closing.ToString()},
              {"plus_deposits_in_transit", t.deposits_in_transit.ToString()},
              {"less_outstanding_disbursements", t.outstanding_disbursements.ToString()},
              {"adjusted_bank_balance", t.adjusted_bank.ToString()},
              {"trust_general_ledger", t.trust_gl.ToString()},
              {"sum_of_client_matters", t.client_ledgers.ToString()},
              {"agree", t.agree ? "yes" : "no"},
              {"bank_lines", std::to_string(t.bank_lines)},
              {"matched", std::to_string(t.matched)},
              {"negative_matters", std::to_string(t.negatives.size())},
              {"report_as_of_seq", std::to_string(t.as_of_seq)}};
  r.verdict = t.agree ? "AGREES: adjusted bank = trust ledger = client matters"
                      : "DOES NOT AGREE: see the unreconciled items";
  r.verdict_ok = t.agree;
  r.tables.push_back(ItemsTable("deposits_in_transit", "Deposits in transit", t.in_transit));
  r.tables.push_back(
      ItemsTable("outstanding_disbursements", "Outstanding disbursements", t.outstanding));
  r.tables.push_back(ItemsTable("unreconciled", "Unreconciled items", t.unreconciled));
  Table matters{
      "client_matters", "Client matter balances", {"client", "matter", "balance"}, {}, ""};
  for (const auto& m : t.matters)
    matters.rows.push_back({m.client_id, m.matter_id, m.balance.ToString()});
  r.tables.push_back(std::move(matters));
  Table neg{"negative_matters", "Negative matters", {"client", "matter", "balance"}, {}, ""};
  for (const auto& m : t.negatives)
    neg.rows.push_back({m.client_id, m.matter_id, m.balance.ToString()});
  r.tables.push_back(std::move(neg));
  r.signoff = kSignoff;
  return r;
}

// --- client trust statement -------------------------------------------------------

Result<Report> TrustStatement(const ReportRequest& q, const LogStore& store, std::uint64_t as_of) {
  if (q.client_id.empty()) return Status::Error(codes::kInvalidArgument, "a client id is needed");
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
  auto add = [&](const projections::TrustLine& line, std::string type, std::string ref,
                 std::string desc, bool out) {
    const Money amount(line.asset, line.amount_minor);
    MatterSum& s = sums[{line.matter_id, amount.asset()}];
    s.asset = amount.asset();
    auto& bal = running[{line.matter_id, amount.asset()}];
    // Signed running balance: (negative, magnitude).
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
    const bool before = q.period_start_ns != 0 && line.occurred_at_ns < q.period_start_ns;
    const bool after = q.period_end_ns != 0 && line.occurred_at_ns >= q.period_end_ns;
    if (after) return;
    if (before) {
      (out ? s.opening_out : s.opening_in) += amount.minor();
      return;
    }
    (out ? s.out : s.in) += amount.minor();
    moves.rows.push_back({ShanghaiDateTimeNs(line.occurred_at_ns), line.matter_id, std::move(type),
                          line.txn_id, std::move(ref), std::move(desc),
                          out ? "" : amount.ToString(), out ? amount.ToString() : "",
                          Signed(bal.first, Money(amount.asset(), bal.second))});
  };
  // The client's lines from the trust projection as of `as_of` (its rows,
  // plus the projector's lag applied in memory), in the log's order.
  projections::TrustLedgerProjection trust;
  ASSIGN_OR_RETURN(auto view, projections::ProjectionView::Open(store, trust, as_of));
  std::vector<projections::TrustLine> lines =
      q.matter_id.empty()
          ? projections::ClientLedger(*view, q.client_id, view->as_of())
          : projections::MatterLedger(*view, q.client_id, q.matter_id, view->as_of());
  std::sort(lines.begin(), lines.end(), [](const auto& x, const auto& y) { return x.seq < y.seq; });
  using Kind = projections::TrustLineKind;
  for (const projections::TrustLine& l : lines) {
    switch (l.kind) {
      case Kind::kDeposit:
        add(l, "deposit", l.reference, "from " + l.counterparty, false);
        break;
      case Kind::kDisbursement:
        add(l, "disbursement", l.reference, l.counterparty + ": " + l.purpose, true);
        break;
      case Kind::kFeeTransfer:
        add(l, "fee_transfer", "", "earned fees, invoice " + l.reference, true);
        break;
      case Kind::kRefundToClient:
        add(l, "refund_to_client", l.reference, "returned to the client", true);
        break;
      case Kind::kClearance:
        break;  // moves no money
    }
  }
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

}  // namespace

std::optional<ReportKind> ReportKindFromName(std::string_view n) {
  if (n == "reconciliation-run" || n == "recon-run") return ReportKind::kReconciliationRun;
  if (n == "three-way") return ReportKind::kThreeWay;
  if (n == "trust-statement") return ReportKind::kTrustStatement;
  if (n == "fees") return ReportKind::kFees;
  if (n == "stats") return ReportKind::kStats;
  return std::nullopt;
}

std::optional<ReportFormat> ReportFormatFromName(std::string_view n) {
  if (n == "csv") return ReportFormat::kCsv;
  if (n == "json") return ReportFormat::kJson;
  if (n == "html") return ReportFormat::kHtml;
  return std::nullopt;
}

std::string_view ContentType(ReportFormat f) {
  switch (f) {
    case ReportFormat::kCsv:
      return "text/csv; charset=utf-8";
    case ReportFormat::kJson:
      return "application/json";
    case ReportFormat::kHtml:
      return "text/html; charset=utf-8";
  }
  return "application/octet-stream";
}

namespace {

Result<Report> BuildKind(const ReportRequest& q, const LogStore& store, std::uint64_t as_of) {
  switch (q.kind) {
    case ReportKind::kReconciliationRun:
      return RunReport(q, store, as_of);
    case ReportKind::kThreeWay:
      return ThreeWayReport(q, store, as_of);
    case ReportKind::kTrustStatement:
      return TrustStatement(q, store, as_of);
    case ReportKind::kFees:
      return FeeReport(q, store, as_of);
    case ReportKind::kStats:
      return StatsReport(q, store, as_of);
  }
  return Status::Error(codes::kInvalidArgument, "unknown report");
}

}  // namespace

Result<Report> BuildReport(const ReportRequest& q, const LogStore& store) {
  ASSIGN_OR_RETURN(std::uint64_t as_of, ResolveAsOf(store, q.as_of_seq));
  ASSIGN_OR_RETURN(Report r, BuildKind(q, store, as_of));
  // Next to the seq a report was made at, that event's hash: an auditor can
  // tie the report to the verified chain (`folio verify`, `folio inspect`).
  auto at = std::find_if(r.header.begin(), r.header.end(),
                         [](const auto& kv) { return kv.first == "report_as_of_seq"; });
  if (at != r.header.end()) {
    std::uint64_t seq = 0;
    const std::string& text = at->second;
    if (std::from_chars(text.data(), text.data() + text.size(), seq).ec != std::errc()) {
      return Status::Error(codes::kCorruption, "report_as_of_seq is not a number: " + text);
    }
    Hash32 hash = kGenesisHash;
    if (seq != 0) {
      ASSIGN_OR_RETURN(std::optional<EventRecord> e, store.ReadEvent(seq));
      if (!e) return Status::Error(codes::kNotFound, "no event " + text + " in the log");
      hash = e->hash();
    }
    r.header.insert(at + 1, {"report_as_of_hash", ToHex(hash)});
  }
  return r;
}

Result<std::string> RenderReport(const ReportRequest& q, const LogStore& store) {
  ASSIGN_OR_RETURN(Report r, BuildReport(q, store));
  switch (q.format) {
    case ReportFormat::kCsv:
      return RenderCsv(r);
    case ReportFormat::kJson:
      return RenderJson(r);
    case ReportFormat::kHtml:
      return RenderHtml(r);
  }
  return Status::Error(codes::kInvalidArgument, "unknown format");
}

}  // namespace folio::reports
