// The `folio` subcommands. Each takes the arguments after its name and
// returns the process exit code: 0 success, 1 failure (or a damaged log for
// verify), 2 usage error, 3 the data directory could not be opened.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace folio {
class Writer;
}

namespace folio::cli {

using Argv = std::vector<std::string>;

int RunVerify(const Argv& args);
int RunInspect(const Argv& args);
int RunDemo(const Argv& args);
int RunExec(const Argv& args);
int RunTrust(const Argv& args);
int RunStats(const Argv& args);
int RunTorture(const Argv& args);
int RunBalance(const Argv& args);
int RunTrialBalance(const Argv& args);
int RunReplay(const Argv& args);
int RunKafkaDev(const Argv& args);
int RunRelay(const Argv& args);
int RunConsume(const Argv& args);
int RunServe(const Argv& args);
int RunKeys(const Argv& args);
int RunSoak(const Argv& args);     // cmd_soak.cc
int RunSandbox(const Argv& args);  // cmd_sandbox.cc

int RunImport(const Argv& args);     // cmd_import.cc
int RunReconcile(const Argv& args);  // cmd_import.cc
int RunReport(const Argv& args);     // cmd_report.cc

// A subcommand: its name and what runs it. main() keeps a table of those in
// adapters/cli; commands linked in from outside it add themselves to
// LinkedCommands() before main() runs (`folio bench`, from bench/cli/, which
// adapters must not include), and main() looks a name up there second.
using CommandFn = int (*)(const Argv&);
struct LinkedCommand {
  const char* name;
  CommandFn run;
};
std::vector<LinkedCommand>& LinkedCommands();
// At namespace scope in the command's file:
//   const RegisterCommand kRegister("bench", RunBench);
struct RegisterCommand {
  RegisterCommand(const char* name, CommandFn run) { LinkedCommands().push_back({name, run}); }
};

using folio::Writer;

struct ExecSummary {
  std::size_t commands = 0, accepted = 0, rejected = 0, replayed = 0;
  bool store_failed = false;
};
// Runs command JSON Lines from `in` through `writer` in order (pipelined,
// answered in order); writes one outcome line per command to `out` when
// given. Shared by `folio exec` and `folio demo`.
ExecSummary ExecuteLines(Writer& writer, std::istream& in, bool as_json, const std::string& actor,
                         std::ostream* out);

// True when stderr is a terminal (progress lines are shown only then).
bool StderrIsTerminal();

}  // namespace folio::cli
