// folio bench recon: bench/recon_bench.h.
#include <cstdio>
#include <iostream>

#include <boost/json.hpp>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "bench/cli/bench_commands.h"
#include "bench/recon_bench.h"

namespace folio::cli {

constexpr const char* kBenchReconHelp =
    R"(Usage: folio bench recon [--data DIR] [--lines N] [--json]

Builds a log of N settled WeChat Pay payments (default 1,000,000) and a
WeChat Pay bill of the same payments with 4 lines in every 1,000 planted wrong,
then times `folio import` of that bill end to end: SHA-256, the validating
parse, reading the ledger, the matching parse and appending the run durably.
Prints lines_per_s (end to end), match_lines_per_s (parse + match only),
the phase times, the discrepancies found and rss_peak_kb (VmHWM, reset just
before the import). --data keeps the log and the bill there.
)";

int BenchRecon(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "lines"}, {"json"}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kBenchReconHelp, stderr), 2;
  if (args->help()) return std::fputs(kBenchReconHelp, stdout), 0;
  reconciliation::ReconBenchOptions o;
  o.data_dir = args->GetOr("data", "");
  auto lines = args->GetU64("lines", o.lines);
  if (!lines.ok()) return ReportError(lines.status());
  o.lines = *lines;
  if (StderrIsTerminal()) {
    o.progress = [](const std::string& phase, std::uint64_t done, std::uint64_t total) {
      std::fprintf(stderr, "\r%s: %llu / %llu", phase.c_str(),
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    };
  }
  auto r = reconciliation::RunReconBench(o);
  if (StderrIsTerminal()) std::fputs("\r\033[K", stderr);
  if (!r.ok()) return ReportError(r.status());
  boost::json::object j;
  j["bench"] = "recon";
  j["source"] = "wechatpay";
  j["lines"] = r->lines;
  j["bill_bytes"] = r->bill_bytes;
  j["matched"] = r->matched;
  j["discrepancies"] = r->discrepancies;
  j["events_appended"] = r->events_appended;
  j["total_seconds"] = r->total_seconds;
  j["lines_per_s"] = r->lines_per_s;
  j["parse_match_seconds"] = r->parse_match_seconds;
  j["match_lines_per_s"] = r->match_lines_per_s;
  j["ledger_read_seconds"] = r->ledger_read_seconds;
  j["append_seconds"] = r->append_seconds;
  j["rss_before_kb"] = r->rss_before_kb;
  j["rss_peak_kb"] = r->rss_peak_kb;
  j["rss_peak_reset"] = r->rss_peak_reset;
  if (args->Has("json")) {
    std::cout << boost::json::serialize(j) << "\n";
  } else {
    std::printf("recon: %llu lines in %.2f s end to end (%.0f lines/s); parse+match %.0f lines/s\n",
                static_cast<unsigned long long>(r->lines), r->total_seconds, r->lines_per_s,
                r->match_lines_per_s);
    std::printf("ledger read %.2f s, append %.2f s (%llu events), peak RSS %llu KiB\n",
                r->ledger_read_seconds, r->append_seconds,
                static_cast<unsigned long long>(r->events_appended),
                static_cast<unsigned long long>(r->rss_peak_kb));
  }
  return 0;
}

}  // namespace folio::cli
