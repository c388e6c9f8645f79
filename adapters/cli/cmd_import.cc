// folio import: parse a statement, reconcile it against the ledger and record
// the run (adapters/reconciliation/import.h). folio reconcile resolve: record
// a named person's resolution of a discrepancy.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "adapters/reconciliation/import.h"
#include "events/codes.h"

namespace folio::cli {
namespace {

constexpr const char* kImportHelp =
    R"(Usage: folio import --data DIR --source SOURCE FILE [FILE...] [--account ACCOUNT] [--json]

Parses FILE (SOURCE: alipay, wechatpay, unionpay, camt053, mt940, csv; a
UnionPay INN file named INN<yymmdd>01ACOMN, its settle date), matches every
line against the ledger (gateway transaction id, then order number, then
amount within a 2-day window) and records the run in the log: the statement
(with its SHA-256), every match, every discrepancy (posted to
suspense:reconciliation) and the completion. Importing the same file again
changes nothing and prints the same summary ("replayed": true). Several files
of one source (a day's camt.053 files) are one run, read in the order given;
their line numbers count on from one file to the next.

  --account   the ledger account the statement speaks for (default:
              clearing:alipay / clearing:wechat_pay / bank:trust)
  --json      {"run_id","statement_id","lines","matched","statements",
               "discrepancies":{kind:n},...}

Discrepancy kinds: missing_in_ledger, missing_in_statement, amount_mismatch,
status_mismatch, fee_mismatch, duplicate, timing, statement_inconsistent (the
file's balances or totals do not add up), currency_not_held (a currency the
ledger does not hold), not_booked (a pending or information entry).
Amounts are read exactly in any ISO 4217 currency. See docs/reconciliation.md.
Exit status: 0 imported, 1 failure (a malformed file, storage), 2 usage, 3 cannot open DIR.
)";

constexpr const char* kReconcileHelp =
    R"(Usage: folio reconcile resolve --data DIR --run RUN_ID --discrepancy ID --by NAME --resolution TEXT [--json]

Records that NAME resolved discrepancy ID of run RUN_ID by TEXT; the amount
the discrepancy parked in suspense:reconciliation is released.
)";

Result<std::unique_ptr<LogStore>> OpenExisting(const std::string& dir) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT")) {
    return Status::Error(codes::kNotFound, "no Folio log in '" + dir + "'");
  }
  LogStoreOptions o;
  o.create_if_missing = false;
  return LogStore::Open(dir, o);
}

}  // namespace

int RunImport(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "source", "account", "actor"}, {"json"}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kImportHelp, stderr), 2;
  if (args->help()) return std::fputs(kImportHelp, stdout), 0;
  const auto dir = args->Get("data");
  const auto source = statements::SourceFromName(args->GetOr("source", ""));
  if (!dir || !source || args->positional().empty()) {
    std::fputs(kImportHelp, stderr);
    return 2;
  }
  auto store = OpenExisting(*dir);
  if (!store.ok()) return ReportError(store.status()), 3;
  auto writer = Writer::Start(store->get());
  if (!writer.ok()) return ReportError(writer.status());
  reconciliation::ImportOptions o;
  o.source = *source;
  o.path = args->positional()[0];
  o.more_paths.assign(args->positional().begin() + 1, args->positional().end());
  o.account = args->GetOr("account", "");
  o.actor = args->GetOr("actor", "cli");
  auto r = reconciliation::ImportStatement(**store, **writer, o);
  (*writer)->Stop();
  if (!r.ok()) return ReportError(r.status()), 1;
  if (args->Has("json")) {
    std::cout << reconciliation::ImportResultJson(*r) << "\n";
    return 0;
  }
  std::cout << "run " << r->run_id << (r->replayed ? " (already imported)" : "") << "\n"
            << "statement sha256 " << r->statement_id << "\n"
            << "lines " << r->lines << ", matched " << r->matched << "\n";
  for (const auto& [kind, n] : r->discrepancies) {
    if (n > 0) std::cout << "  " << kind << ": " << n << "\n";
  }
  return 0;
}

int RunReconcile(const Argv& argv) {
  if (argv.empty() || argv[0] != "resolve") {
    std::fputs(kReconcileHelp, argv.empty() ? stderr : stdout);
    return argv.size() == 1 && (argv[0] == "--help" || argv[0] == "-h") ? 0 : 2;
  }
  const Argv rest(argv.begin() + 1, argv.end());
  auto args = Args::Parse(rest, {{"data", "run", "discrepancy", "by", "resolution"}, {"json"}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kReconcileHelp, stderr), 2;
  if (args->help()) return std::fputs(kReconcileHelp, stdout), 0;
  const auto dir = args->Get("data");
  if (!dir || !args->Has("run") || !args->Has("discrepancy")) {
    std::fputs(kReconcileHelp, stderr);
    return 2;
  }
  auto store = OpenExisting(*dir);
  if (!store.ok()) return ReportError(store.status()), 3;
  auto writer = Writer::Start(store->get());
  if (!writer.ok()) return ReportError(writer.status());
  recon::ReconResolve rr{*args->Get("run"), *args->Get("discrepancy"), args->GetOr("by", ""),
                         args->GetOr("resolution", "")};
  auto r = reconciliation::ResolveDiscrepancy(**store, **writer, rr, args->GetOr("by", "cli"));
  (*writer)->Stop();
  if (!r.ok()) return ReportError(r.status()), 1;
  if (args->Has("json")) {
    std::cout << R"({"ok":true,"seq":)" << r->first_seq << "}\n";
  } else {
    std::cout << "resolved " << rr.discrepancy_id << " at seq " << r->first_seq << "\n";
  }
  return 0;
}

}  // namespace folio::cli
