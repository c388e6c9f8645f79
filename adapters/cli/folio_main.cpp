// folio: the command-line entry point. Subcommands live in adapters/cli/;
// `folio bench` in bench/cli/ (it registers itself, see commands.h).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "adapters/cli/commands.h"

namespace {

constexpr const char* kUsage = R"(folio - an event-sourced payment ledger

Usage: folio <command> [options]        (folio <command> --help for details)

Commands:
  serve     the HTTP API server (with --demo: a demo data set and demo keys)
  keys      create an API key in a key file (keys add)
  demo      run a demo history of commands into a log and verify it
  exec      run commands (JSON Lines) through the writer, one outcome per line
  verify    check every event, the hash chain and the stream index of a log
  inspect   print events of a log as JSON Lines
  balance   one account's debits, credits and balance, now or as of a seq or time
  trial-balance
            per asset: total debits and credits, and every account's balance
  trust     a client's trust ledger line by line (trust ledger), negative matters
  stats     payments and refunds per Shanghai day, method and asset
  replay    rebuild the projections from the log and compare with the live ones
  import    parse a gateway bill or bank statement and reconcile it with the ledger
  reconcile resolve a reconciliation discrepancy (by a named person)
  report    reconciliation run, three-way trust, client trust statement, fees, stats
            (CSV, JSON or HTML)
  bench     measure Folio against baselines on this machine (append, domain, replay)
  kafka-dev run a mock Kafka cluster on loopback ports (tests, demos)
  relay     mirror a log into Kafka, every event exactly once
  consume   rebuild a log and its projections from Kafka (downstream consumer)
  torture   append forever, printing each durable sequence (crash tests)
  soak      SIGKILL serve again and again under HTTP load; check nothing lost or doubled
  sandbox   play Alipay, WeChat Pay and UnionPay (their APIs, signatures and
            notifications) for a Folio server, with fault switches

Data lives in the directory given with --data (RocksDB). See README.md.
)";

using folio::cli::LinkedCommand;

constexpr LinkedCommand kCommands[] = {
    {"demo", folio::cli::RunDemo},
    {"exec", folio::cli::RunExec},
    {"verify", folio::cli::RunVerify},
    {"inspect", folio::cli::RunInspect},
    {"torture", folio::cli::RunTorture},
    {"balance", folio::cli::RunBalance},
    {"trial-balance", folio::cli::RunTrialBalance},
    {"replay", folio::cli::RunReplay},
    {"trust", folio::cli::RunTrust},
    {"stats", folio::cli::RunStats},
    {"serve", folio::cli::RunServe},
    {"keys", folio::cli::RunKeys},
    {"kafka-dev", folio::cli::RunKafkaDev},
    {"relay", folio::cli::RunRelay},
    {"consume", folio::cli::RunConsume},
    {"import", folio::cli::RunImport},
    {"reconcile", folio::cli::RunReconcile},
    {"report", folio::cli::RunReport},
    {"soak", folio::cli::RunSoak},
    {"sandbox", folio::cli::RunSandbox},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  folio::cli::Argv args(argv + 2, argv + argc);
  for (const LinkedCommand& c : kCommands) {
    if (std::strcmp(argv[1], c.name) == 0) return c.run(args);
  }
  for (const LinkedCommand& c : folio::cli::LinkedCommands()) {
    if (std::strcmp(argv[1], c.name) == 0) return c.run(args);
  }
  std::fprintf(stderr, "folio: unknown command '%s'\n\n%s", argv[1], kUsage);
  return 2;
}
