// folio trust ledger and folio stats: answers from the trust and statistics
// projections, through one snapshot each.
#include <cstdio>
#include <iostream>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "adapters/cli/query_support.h"
#include "adapters/json/rfc3339.h"
#include "engine/domain/civil_time.h"
#include "events/codes.h"
#include "projections/rocks_reader.h"
#include "projections/stats.h"
#include "projections/trust_ledger.h"

namespace folio::cli {
namespace {

constexpr const char* kTrustHelp =
    R"(Usage: folio trust ledger --data DIR --client C [--matter M] [--as-of-seq N | --as-of T] [--json]
       folio trust negative --data DIR [--json]

ledger: every line of a client's trust ledger (one matter with --matter):
date, reference, payer or payee, purpose, deposit or outflow, running balance
and whether the money has cleared; then the totals per asset (of the matter,
or of the client over all its matters).
negative: every matter whose balance (or cleared balance) is below zero;
exit status 1 when there is one.
--as-of-seq N / --as-of T (RFC 3339, business time): the ledger as it stood then.
)";

constexpr const char* kStatsHelp =
    R"(Usage: folio stats --data DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]

Payments and refunds per Asia/Shanghai day, method and asset: counts, amounts,
fees, refund rate and success rate (basis points). Days are inclusive;
default: every day.
)";

int Usage(const Status& s, const char* help) {
  ReportError(s);
  std::fputs(help, stderr);
  return 2;
}

void PrintLedgerText(const std::vector<projections::TrustLine>& lines,
                     const std::vector<projections::TrustTotals>& totals) {
  for (const auto& l : lines) {
    std::string amount = Money(l.asset, l.amount_minor).ToString();
    if (l.is_outflow()) amount = "-" + amount;
    if (!l.is_inflow() && !l.is_outflow()) amount = "";
    std::printf("%8llu %s %-16s %-20s %-28.28s %14s %14s  %s\n",
                static_cast<unsigned long long>(l.seq), l.date().c_str(),
                std::string(projections::TrustLineKindName(l.kind)).c_str(), l.reference.c_str(),
                l.counterparty.c_str(), amount.c_str(),
                projections::SignedString(l.asset, l.running_balance).c_str(),
                l.cleared ? "cleared" : "uncleared");
  }
  for (const auto& t : totals) {
    std::printf("total %s%s%s %s: balance %s, cleared %s\n", t.client_id.c_str(),
                t.matter_id.empty() ? "" : "/", t.matter_id.c_str(),
                std::string(AssetCode(t.asset)).c_str(),
                projections::SignedString(t.asset, t.balance).c_str(),
                projections::SignedString(t.asset, t.cleared_balance).c_str());
  }
}

}  // namespace

int RunTrust(const Argv& argv) {
  if (argv.empty() || (argv[0] != "ledger" && argv[0] != "negative")) {
    if (!argv.empty() && (argv[0] == "--help" || argv[0] == "-h")) {
      return std::fputs(kTrustHelp, stdout), 0;
    }
    return Usage(Status::Error(codes::kInvalidArgument, "expected 'ledger' or 'negative'"),
                 kTrustHelp);
  }
  const bool negative_only = argv[0] == "negative";
  Argv rest(argv.begin() + 1, argv.end());
  auto args = Args::Parse(rest, {{"data", "client", "matter", "as-of-seq", "as-of"}, {"json"}});
  if (!args.ok()) return Usage(args.status(), kTrustHelp);
  if (args->help()) return std::fputs(kTrustHelp, stdout), 0;
  auto dir = args->Get("data");
  auto client = args->Get("client");
  if (!dir || (!negative_only && !client)) {
    return Usage(Status::Error(codes::kInvalidArgument, "--data and --client are required"),
                 kTrustHelp);
  }
  auto live = OpenAndCatchUp(*dir);
  if (!live.ok()) return ReportError(live.status()), 3;
  auto balances = projections::BalancesReader::Open(*live->store);
  if (!balances.ok()) return ReportError(balances.status());
  auto as_of = AsOf(*args, **balances);
  if (!as_of.ok()) return Usage(as_of.status(), kTrustHelp);
  auto reader = projections::RocksProjectionReader::Open(*live->store, "trust");
  if (!reader.ok()) return ReportError(reader.status());
  if (negative_only) {
    auto neg = projections::NegativeMatters(**reader, *as_of);
    if (args->Has("json")) {
      std::cout << projections::TrustTotalsJson(neg) << "\n";
    } else if (neg.empty()) {
      std::printf("no negative matter balance\n");
    } else {
      PrintLedgerText({}, neg);
    }
    return neg.empty() ? 0 : 1;
  }
  const std::string matter = args->GetOr("matter", "");
  auto lines = matter.empty() ? projections::ClientLedger(**reader, *client, *as_of)
                              : projections::MatterLedger(**reader, *client, matter, *as_of);
  auto totals = matter.empty() ? projections::ClientTotals(**reader, *client, *as_of)
                               : projections::MatterTotals(**reader, *client, matter, *as_of);
  if (args->Has("json")) {
    std::cout << projections::TrustLedgerJson(*client, matter, lines, totals, *as_of) << "\n";
  } else {
    PrintLedgerText(lines, totals);
  }
  return 0;
}

int RunStats(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "from", "to"}, {"json"}});
  if (!args.ok()) return Usage(args.status(), kStatsHelp);
  if (args->help()) return std::fputs(kStatsHelp, stdout), 0;
  auto dir = args->Get("data");
  if (!dir) return Usage(Status::Error(codes::kInvalidArgument, "--data is required"), kStatsHelp);
  std::uint32_t from = 0, to = 99991231;
  for (auto [flag, slot] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
    if (auto v = args->Get(flag)) {
      auto day = projections::ParseDayKey(*v);
      if (!day) {
        return Usage(
            Status::Error(codes::kInvalidArgument,
                          std::string("--") + flag + " must be YYYY-MM-DD, got '" + *v + "'"),
            kStatsHelp);
      }
      *slot = *day;
    }
  }
  auto live = OpenAndCatchUp(*dir);
  if (!live.ok()) return ReportError(live.status()), 3;
  auto reader = projections::RocksProjectionReader::Open(*live->store, "stats");
  if (!reader.ok()) return ReportError(reader.status());
  auto rows = projections::Stats(**reader, from, to);
  std::cout << projections::StatsJson(rows) << "\n";  // one format: the rows are wide
  return 0;
}

}  // namespace folio::cli
