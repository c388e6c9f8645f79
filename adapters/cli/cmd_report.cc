// folio report: the compliance reports of adapters/reports/reports.h.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "adapters/reports/reports.h"
#include "adapters/statements/text.h"
#include "events/codes.h"

namespace folio::cli {
namespace {

constexpr const char* kReportHelp =
    R"(Usage: folio report KIND --data DIR [--format csv|json|html] [--out FILE]
                    [--as-of-seq N] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [options]

KIND:
  reconciliation-run --run RUN_ID      one reconciliation run (folio import prints the id)
  three-way --source camt053|mt940|csv --statement FILE [--transit-days N]
                                       bank closing + deposits in transit - outstanding
                                       = adjusted bank vs trust ledger vs client matters
  trust-statement --client C [--matter M]
                                       a client's trust ledger with running balances
  fees                                 fees charged per method vs the configured schedule
  stats                                payments and refunds per day, method and currency

--from/--to: the period in Asia/Shanghai days, --to exclusive. --as-of-seq:
read the log only up to this sequence (default: the head; the report names
the sequence it used). The same request at the same sequence gives the same
bytes. CSV is UTF-8 with a BOM; HTML is one self-contained printable page.
Default format: json. Default output: standard output.
)";

Result<std::int64_t> Day(const Args& a, const std::string& name) {
  auto v = a.Get(name);
  if (!v) return std::int64_t{0};
  auto ns = statements::ParseShanghaiTime(*v, 0);
  if (!ns.ok()) return Status::Error(codes::kInvalidArgument, "--" + name + " must be YYYY-MM-DD");
  return *ns;
}

}  // namespace

int RunReport(const Argv& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
    std::fputs(kReportHelp, argv.empty() ? stderr : stdout);
    return argv.empty() ? 2 : 0;
  }
  const auto kind = reports::ReportKindFromName(argv[0]);
  if (!kind) return std::fputs(kReportHelp, stderr), 2;
  const Argv rest(argv.begin() + 1, argv.end());
  auto args = Args::Parse(rest, {{"data", "format", "out", "as-of-seq", "from", "to", "run",
                                  "client", "matter", "source", "statement", "transit-days"},
                                 {}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kReportHelp, stderr), 2;
  if (args->help()) return std::fputs(kReportHelp, stdout), 0;
  const auto dir = args->Get("data");
  const auto format = reports::ReportFormatFromName(args->GetOr("format", "json"));
  if (!dir || !format) return std::fputs(kReportHelp, stderr), 2;
  reports::ReportRequest q;
  q.kind = *kind;
  q.format = *format;
  auto as_of = args->GetU64("as-of-seq", 0);
  auto from = Day(*args, "from");
  auto to = Day(*args, "to");
  auto transit = args->GetU64("transit-days", 3);
  for (const Status& s : {as_of.status(), from.status(), to.status(), transit.status()}) {
    if (!s.ok()) return ReportError(s);
  }
  q.as_of_seq = *as_of;
  q.period_start_ns = *from;
  q.period_end_ns = *to;
  q.run_id = args->GetOr("run", "");
  q.client_id = args->GetOr("client", "");
  q.matter_id = args->GetOr("matter", "");
  q.statement_path = args->GetOr("statement", "");
  if (args->Has("source")) {
    auto s = statements::SourceFromName(*args->Get("source"));
    if (!s) return std::fputs(kReportHelp, stderr), 2;
    q.statement_source = *s;
  }
  q.three_way.transit_window_ns = static_cast<std::int64_t>(*transit) * 86'400'000'000'000;
  if (!std::filesystem::exists(std::filesystem::path(*dir) / "CURRENT")) {
    return ReportError(Status::Error(codes::kNotFound, "no Folio log in '" + *dir + "'")), 3;
  }
  LogStoreOptions o;
  o.read_only = true;
  o.create_if_missing = false;
  auto store = LogStore::Open(*dir, o);
  if (!store.ok()) return ReportError(store.status()), 3;
  auto out = reports::RenderReport(q, **store);
  if (!out.ok()) return ReportError(out.status()), 1;
  if (auto path = args->Get("out")) {
    std::ofstream f(*path, std::ios::binary);
    f << *out;
    if (!f) return ReportError(Status::Error(codes::kIoError, "cannot write " + *path)), 1;
  } else {
    std::cout << *out;
  }
  return 0;
}

}  // namespace folio::cli
