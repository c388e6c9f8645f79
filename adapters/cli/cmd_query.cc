// folio balance, trial-balance and replay: answers from the projections.
// Each opens the store (writable: projections are brought up to the head
// first), starts a Projector over every known projection, catches up, then
// answers through one snapshot.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>

#include <boost/json.hpp>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "adapters/cli/query_support.h"
#include "adapters/json/query_json.h"
#include "adapters/json/rfc3339.h"
#include "events/codes.h"
#include "projections/balances.h"
#include "projections/projector.h"
#include "projections/registry.h"
#include "projections/replay.h"

namespace folio::cli {
namespace {

using projections::BalanceAnswer;

constexpr const char* kBalanceHelp =
    R"(Usage: folio balance --data DIR --account A --asset CNY [--as-of-seq N | --as-of T] [--json]

Debits, credits and balance of one account (docs/postings.md) in one asset.
The balance is credits minus debits for liability:, income: and equity:
accounts, debits minus credits for the others; it may be negative ("-12.50").
--as-of-seq N: as of event N (capped at the head). --as-of T (RFC 3339): as of
the longest prefix of the log in which no event occurred after T (business
time; see projections/balances.h). The projections are first brought up to the
head, so the data directory must not be in use by another process.
--json prints: account, asset, debits, credits, balance, as_of_seq.
)";

constexpr const char* kTrialHelp =
    R"(Usage: folio trial-balance --data DIR [--as-of-seq N | --as-of T] [--json]

Per asset: total debits, total credits and every account's balance. Exit
status 1 when an asset does not balance (debits != credits).
)";

constexpr const char* kReplayHelp =
    R"(Usage: folio replay --data DIR [--until-seq N] [--projection NAME] [--scratch DIR] [--json]

Rebuilds the projections from the log into a scratch database and compares
them with the live ones, which are first brought up to the head. Without
--until-seq the comparison is byte for byte over each projection's whole
column family. With --until-seq N below the head, balances are compared
through their as-of answers at N (every account and asset of the trial
balance); other projections are reported "skipped". Exit status 1 on any
difference. --scratch: where to build (must not exist; removed afterwards;
default: a temporary directory). Progress on a terminal.
)";

int Usage(const Status& s, const char* help) {
  ReportError(s);
  std::fputs(help, stderr);
  return 2;
}

}  // namespace

int RunBalance(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "account", "asset", "as-of-seq", "as-of"}, {"json"}});
  if (!args.ok()) return Usage(args.status(), kBalanceHelp);
  if (args->help()) return std::fputs(kBalanceHelp, stdout), 0;
  auto dir = args->Get("data");
  auto account = args->Get("account");
  auto asset_code = args->Get("asset");
  if (!dir || !account || !asset_code) {
    return Usage(
        Status::Error(codes::kInvalidArgument, "--data, --account and --asset are required"),
        kBalanceHelp);
  }
  auto asset = AssetFromCode(*asset_code);
  if (!asset) {
    return Usage(Status::Error(codes::kCurrencyUnknown, "unknown asset '" + *asset_code + "'"),
                 kBalanceHelp);
  }
  auto live = OpenAndCatchUp(*dir);
  if (!live.ok()) return ReportError(live.status()), 3;
  auto reader = projections::BalancesReader::Open(*live->store);
  if (!reader.ok()) return ReportError(reader.status());
  auto as_of = AsOf(*args, **reader);
  if (!as_of.ok()) return Usage(as_of.status(), kBalanceHelp);
  auto b = (*reader)->Balance(*account, *asset, *as_of);
  if (!b.ok()) return ReportError(b.status());
  if (args->Has("json")) {
    std::cout << boost::json::serialize(json::BalanceJson(*b)) << "\n";
  } else {
    std::printf("%s %s: balance %s (debits %s, credits %s) as of seq %llu\n", b->account.c_str(),
                std::string(AssetCode(b->asset)).c_str(), b->BalanceString().c_str(),
                Money(b->asset, b->debits).ToString().c_str(),
                Money(b->asset, b->credits).ToString().c_str(),
                static_cast<unsigned long long>(b->as_of_seq));
  }
  return 0;
}

int RunTrialBalance(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "as-of-seq", "as-of"}, {"json"}});
  if (!args.ok()) return Usage(args.status(), kTrialHelp);
  if (args->help()) return std::fputs(kTrialHelp, stdout), 0;
  auto dir = args->Get("data");
  if (!dir) return Usage(Status::Error(codes::kInvalidArgument, "--data is required"), kTrialHelp);
  auto live = OpenAndCatchUp(*dir);
  if (!live.ok()) return ReportError(live.status()), 3;
  auto reader = projections::BalancesReader::Open(*live->store);
  if (!reader.ok()) return ReportError(reader.status());
  auto as_of = AsOf(*args, **reader);
  if (!as_of.ok()) return Usage(as_of.status(), kTrialHelp);
  auto tb = (*reader)->TrialBalance(*as_of);
  if (!tb.ok()) return ReportError(tb.status());
  const std::uint64_t seq = as_of->value_or((*reader)->applied_seq());
  const std::uint64_t shown = std::min(seq, (*reader)->applied_seq());
  bool balanced = true;
  if (!args->Has("json"))
    std::printf("trial balance as of seq %llu\n", static_cast<unsigned long long>(shown));
  for (const auto& a : *tb) {
    balanced = balanced && a.balanced();
    const std::string code(AssetCode(a.asset));
    const std::string debits = Money(a.asset, a.debits).ToString();
    const std::string credits = Money(a.asset, a.credits).ToString();
    if (!args->Has("json")) {
      std::printf("%s: debits %s, credits %s%s\n", code.c_str(), debits.c_str(), credits.c_str(),
                  a.balanced() ? "" : "  NOT BALANCED");
      for (const auto& b : a.accounts) {
        std::printf("  %-40s %20s\n", b.account.c_str(), b.BalanceString().c_str());
      }
    }
  }
  if (args->Has("json")) {
    std::cout << boost::json::serialize(json::TrialBalanceJson(*tb, shown)) << "\n";
  }
  return balanced ? 0 : 1;
}

int RunReplay(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "until-seq", "projection", "scratch"}, {"json"}});
  if (!args.ok()) return Usage(args.status(), kReplayHelp);
  if (args->help()) return std::fputs(kReplayHelp, stdout), 0;
  auto dir = args->Get("data");
  if (!dir) return Usage(Status::Error(codes::kInvalidArgument, "--data is required"), kReplayHelp);
  projections::ReplayOptions ro;
  if (args->Has("until-seq")) {
    auto until = args->GetU64("until-seq", 0);
    if (!until.ok()) return Usage(until.status(), kReplayHelp);
    ro.until_seq = *until;
  }
  ro.projection = args->GetOr("projection", "");
  std::filesystem::path scratch;
  if (auto s = args->Get("scratch")) {
    scratch = *s;
  } else {
    std::random_device rd;
    scratch = std::filesystem::temp_directory_path() /
              ("folio-replay-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  }
  if (std::filesystem::exists(scratch)) {
    return Usage(Status::Error(codes::kInvalidArgument,
                               "scratch directory '" + scratch.string() + "' already exists"),
                 kReplayHelp);
  }
  ro.scratch_dir = scratch.string();
  const bool tty = StderrIsTerminal();
  if (tty) {
    ro.progress = [](std::uint64_t applied, std::uint64_t until) {
      std::fprintf(stderr, "\rreplaying %llu / %llu", static_cast<unsigned long long>(applied),
                   static_cast<unsigned long long>(until));
    };
  }
  auto live = OpenAndCatchUp(*dir);
  if (!live.ok()) return ReportError(live.status()), 3;
  auto report = projections::Replay(*live->store, projections::AllProjections(), ro);
  if (tty) std::fputs("\r\033[K", stderr);
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  if (!report.ok()) return ReportError(report.status());
  if (args->Has("json")) {
    boost::json::object o;
    o["ok"] = report->ok();
    o["until_seq"] = report->until_seq;
    boost::json::array ps;
    for (const auto& p : report->projections) {
      boost::json::object j;
      j["name"] = p.name;
      j["live_seq"] = p.live_seq;
      j["mode"] = p.mode;
      j["compared"] = p.compared;
      j["differences"] = p.differences;
      if (!p.first_difference.empty()) j["first_difference"] = p.first_difference;
      ps.push_back(std::move(j));
    }
    o["projections"] = std::move(ps);
    std::cout << boost::json::serialize(o) << "\n";
  } else {
    for (const auto& p : report->projections) {
      std::printf("%s: %s, %llu compared, %llu differences%s%s\n", p.name.c_str(), p.mode.c_str(),
                  static_cast<unsigned long long>(p.compared),
                  static_cast<unsigned long long>(p.differences),
                  p.first_difference.empty() ? "" : "; first: ", p.first_difference.c_str());
    }
    std::printf("%s as of seq %llu\n", report->ok() ? "ok" : "DIFFERENT",
                static_cast<unsigned long long>(report->until_seq));
  }
  return report->ok() ? 0 : 1;
}

}  // namespace folio::cli
