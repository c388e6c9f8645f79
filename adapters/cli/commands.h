// The `folio` subcommands. Each takes the arguments after its name and
// returns the process exit code: 0 success, 1 failure (or a damaged log for
// verify), 2 usage error, 3 the data directory could not be opened.
#pragma once

#include <string>
#include <vector>

namespace folio::cli {

using Argv = std::vector<std::string>;

int RunVerify(const Argv& args);
int RunInspect(const Argv& args);
int RunDemo(const Argv& args);
int RunExec(const Argv& args);
int RunTorture(const Argv& args);
int RunBench(const Argv& args);

// True when stderr is a terminal (progress lines are shown only then).
bool StderrIsTerminal();

}  // namespace folio::cli
