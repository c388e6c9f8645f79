// folio exec: runs commands given as JSON Lines through the real writer.
#include <cstdio>
#include <deque>
#include <fstream>
#include <future>
#include <iostream>

#include <boost/json.hpp>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "adapters/json/command_json.h"
#include "engine/writer.h"
#include "events/codes.h"

namespace folio::cli {
namespace {

constexpr const char* kExecHelp = R"(Usage: folio exec --data DIR [FILE|-] [--json] [--actor NAME]

Reads commands as JSON Lines (from FILE, or standard input when FILE is - or
absent) and runs each through the writer, in order, durably. Prints one
outcome per input line:
  {"ok":true,"seqs":[...],"stream":"payment:p1","stream_version":2,"replayed":false}
  {"ok":false,"code":"refund_exceeds_settled","message":"..."}
A command may carry "at" (RFC 3339) to run with that time as "now", so a
scripted history is deterministic; {"type":"clock.advance","to":...} runs the
scheduler up to a time. Every command needs an "idempotency_key": running the
same file again appends nothing and prints the same outcomes ("replayed":true).
The command format is documented in docs/commands.md.

Without --json the outcomes are printed as short text lines.
Exit status: 0 every line answered, 1 a storage failure, 2 usage, 3 cannot open DIR.
)";

// Bounded pipelining: submitted in order, answered in order.
constexpr std::size_t kInFlightMax = 1024;

struct Slot {
  std::size_t line_no = 0;
  std::optional<Status> parse_error;
  std::future<AppendOutcome> outcome;
};

std::string Render(const Slot& slot, const AppendOutcome* o, bool as_json) {
  const Status& st = slot.parse_error ? *slot.parse_error : o->status;
  if (as_json) {
    boost::json::object j;
    j["ok"] = st.ok();
    if (st.ok()) {
      boost::json::array seqs;
      for (std::uint64_t s = o->first_seq; s != 0 && s <= o->last_seq; ++s) seqs.push_back(s);
      j["seqs"] = std::move(seqs);
      j["stream_version"] = o->stream_version;
    } else {
      j["code"] = std::string(st.code());
      j["message"] = st.message();
    }
    if (o != nullptr) j["replayed"] = o->replayed;
    return boost::json::serialize(j);
  }
  std::string line = "line " + std::to_string(slot.line_no) + ": ";
  if (!st.ok()) return line + "rejected " + std::string(st.code()) + ": " + st.message();
  line += "ok";
  if (o->first_seq != 0) {
    line += " seq " + std::to_string(o->first_seq);
    if (o->last_seq != o->first_seq) line += "-" + std::to_string(o->last_seq);
  }
  if (o->replayed) line += " (replayed)";
  return line;
}

}  // namespace

ExecSummary ExecuteLines(Writer& writer, std::istream& in, bool as_json, const std::string& actor,
                         std::ostream* out) {
  ExecSummary sum;
  std::deque<Slot> pending;
  auto flush_one = [&] {
    Slot& slot = pending.front();
    std::string rendered;
    if (slot.parse_error) {
      rendered = Render(slot, nullptr, as_json);
      ++sum.rejected;
    } else {
      AppendOutcome o = slot.outcome.get();
      if (o.status.code() == codes::kStoreFailed || o.status.code() == codes::kIoError) {
        sum.store_failed = true;
      }
      (o.status.ok() ? sum.accepted : sum.rejected)++;
      if (o.replayed) ++sum.replayed;
      rendered = Render(slot, &o, as_json);
    }
    if (out != nullptr) *out << rendered << "\n";
    pending.pop_front();
  };
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Slot slot;
    slot.line_no = line_no;
    auto parsed = json::ParseCommand(line);
    if (!parsed.ok()) {
      slot.parse_error = parsed.status();
    } else {
      AppendRequest r;
      r.idempotency_key = parsed->idempotency_key;
      r.fingerprint = Sha256(parsed->canonical);
      r.context.actor = actor;
      r.context.idempotency_key = parsed->idempotency_key;
      r.context.correlation_id = parsed->correlation_id;
      r.context.now_ns = parsed->at_ns.value_or(0);
      r.command = std::move(parsed->command);
      auto promise = std::make_shared<std::promise<AppendOutcome>>();
      slot.outcome = promise->get_future();
      writer.Submit(std::move(r), [promise](const AppendOutcome& o) { promise->set_value(o); });
    }
    pending.push_back(std::move(slot));
    while (pending.size() >= kInFlightMax) flush_one();
  }
  while (!pending.empty()) flush_one();
  sum.commands = sum.accepted + sum.rejected;
  return sum;
}

int RunExec(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "actor"}, {"json"}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kExecHelp, stderr), 2;
  if (args->help()) return std::fputs(kExecHelp, stdout), 0;
  auto dir = args->Get("data");
  if (!dir || args->positional().size() > 1) {
    ReportError(Status::Error(codes::kInvalidArgument, "usage: folio exec --data DIR [FILE|-]"));
    return 2;
  }
  std::string file = args->positional().empty() ? "-" : args->positional()[0];
  std::ifstream in_file;
  if (file != "-") {
    in_file.open(file);
    if (!in_file) {
      return ReportError(Status::Error(codes::kNotFound, "cannot read '" + file + "'")), 2;
    }
  }
  std::istream& in = file == "-" ? std::cin : in_file;
  auto store = LogStore::Open(*dir);
  if (!store.ok()) return ReportError(store.status()), 3;
  auto writer = Writer::Start(store->get());
  if (!writer.ok()) return ReportError(writer.status());
  ExecSummary sum =
      ExecuteLines(**writer, in, args->Has("json"), args->GetOr("actor", "cli"), &std::cout);
  (*writer)->Stop();
  return sum.store_failed ? 1 : 0;
}

}  // namespace folio::cli
