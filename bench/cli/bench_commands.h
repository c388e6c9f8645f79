// `folio bench`: the benchmarks' command line. It lives here, not in
// adapters/cli/, because adapters must not include bench/; cmd_bench.cc
// registers the command with the CLI (adapters/cli/commands.h).
#pragma once

#include "adapters/cli/commands.h"

namespace folio::cli {

int RunBench(const Argv& args);    // cmd_bench.cc
int BenchRecon(const Argv& args);  // cmd_bench_recon.cc: folio bench recon

}  // namespace folio::cli
