// folio verify, inspect, demo and torture: commands over the raw log.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include <boost/json.hpp>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "engine/verify.h"
#include "engine/verify_derived.h"
#include "engine/writer.h"
#include "events/codes.h"
#include "events/json.h"
#include "events/money.h"

namespace folio::cli {
namespace {

constexpr const char* kVerifyHelp = R"(Usage: folio verify --data DIR [--deep] [--json]

Walks the whole log and checks every envelope (FlatBuffers verifier), sequence
contiguity, the hash chain (SHA-256 over prev_hash and the envelope), the stream
index against the events, the head record and the derived-state checkpoint's
marker.

--deep  also rebuilds the derived state (stream index, idempotency records,
        aggregate state) from the events, in a scratch store under the system
        temp directory, and compares it byte for byte with the log's
        checkpoint. Slow: it derives every event again.

Exit status: 0 intact, 1 damaged, 2 usage error, 3 cannot open DIR.
With --json prints one object: ok, events, streams, head_seq, head_hash, and
when not ok, first_bad_seq and reason; with --deep also "derived": {ok,
applied_seq, memory_events, records_compared, legacy_records, and when not ok
family, key_hex, reason}.
)";

constexpr const char* kInspectHelp = R"(Usage: folio inspect --data DIR [--from SEQ] [--limit N]

Prints events as JSON Lines, from sequence SEQ (default 1), at most N (default 100).
)";

Result<std::unique_ptr<LogStore>> OpenExisting(const std::string& dir, bool read_only) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT")) {
    return Status::Error(codes::kNotFound, "no Folio log in '" + dir + "'");
  }
  LogStoreOptions o;
  o.create_if_missing = false;
  o.read_only = read_only;
  return LogStore::Open(dir, o);
}

int Usage(const Status& s, const char* help) {
  ReportError(s);
  std::fputs(help, stderr);
  return 2;
}

}  // namespace

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

std::vector<LinkedCommand>& LinkedCommands() {
  static std::vector<LinkedCommand> commands;  // built before main(), read after
  return commands;
}

// The deep check, in a fresh directory under the system temp dir.
Result<DerivedReport> DeepVerify(const LogStore& store, bool tty) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "folio-verify-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    return Status::Error(codes::kIoError, "cannot create a scratch directory in the temp dir");
  }
  auto r = VerifyDerived(store, tmpl, [&](std::uint64_t n) {
    if (tty) std::fprintf(stderr, "\rrebuilt %llu events", static_cast<unsigned long long>(n));
  });
  if (tty) std::fputs("\r\033[K", stderr);
  return r;
}

int RunVerify(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data"}, {"json", "deep"}});
  if (!args.ok()) return Usage(args.status(), kVerifyHelp);
  if (args->help()) return std::fputs(kVerifyHelp, stdout), 0;
  auto dir = args->Get("data");
  if (!dir) return Usage(Status::Error(codes::kInvalidArgument, "--data is required"), kVerifyHelp);
  auto store = OpenExisting(*dir, /*read_only=*/true);
  if (!store.ok()) return ReportError(store.status()), 3;
  const bool tty = StderrIsTerminal();
  auto report = VerifyLog(**store, [&](std::uint64_t n) {
    if (tty) std::fprintf(stderr, "\rverified %llu events", static_cast<unsigned long long>(n));
  });
  if (tty) std::fputs("\r\033[K", stderr);
  if (!report.ok()) return ReportError(report.status());
  VerifyReport& r = *report;
  std::optional<DerivedReport> deep;
  if (args->Has("deep") && r.ok) {
    auto d = DeepVerify(**store, tty);
    if (!d.ok()) return ReportError(d.status());
    deep = *d;
    if (!deep->ok) {
      r.ok = false;
      r.reason = "derived state differs from a rebuild from the log: " + deep->family + " key " +
                 deep->key_hex + ": " + deep->reason;
    }
  }
  if (args->Has("json")) {
    boost::json::object o;
    o["ok"] = r.ok;
    o["events"] = r.events;
    o["streams"] = r.streams;
    o["head_seq"] = r.head_seq;
    o["head_hash"] = ToHex(r.head_hash);
    if (!r.ok) {
      if (r.first_bad_seq) o["first_bad_seq"] = *r.first_bad_seq;
      o["reason"] = r.reason;
    }
    if (deep) {
      boost::json::object d;
      d["ok"] = deep->ok;
      d["applied_seq"] = deep->applied_seq;
      d["memory_events"] = deep->memory_events;
      d["records_compared"] = deep->records_compared;
      d["legacy_records"] = deep->legacy_records;
      if (!deep->ok) {
        d["family"] = deep->family;
        d["key_hex"] = deep->key_hex;
        d["reason"] = deep->reason;
      }
      o["derived"] = std::move(d);
    }
    std::cout << boost::json::serialize(o) << "\n";
  } else if (r.ok) {
    if (deep) {
      std::printf(
          "derived state: checkpoint at seq %llu equals a rebuild (%llu records, %llu "
          "legacy idempotency records not rebuildable); %llu events after it derived "
          "on open\n",
          static_cast<unsigned long long>(deep->applied_seq),
          static_cast<unsigned long long>(deep->records_compared),
          static_cast<unsigned long long>(deep->legacy_records),
          static_cast<unsigned long long>(deep->memory_events));
    }
    std::printf("ok: %llu events in %llu streams; head seq %llu, hash %s\n",
                static_cast<unsigned long long>(r.events),
                static_cast<unsigned long long>(r.streams),
                static_cast<unsigned long long>(r.head_seq), ToHex(r.head_hash).c_str());
  } else {
    std::printf("DAMAGED%s: %s (%llu events intact before it)\n",
                r.first_bad_seq ? (" at seq " + std::to_string(*r.first_bad_seq)).c_str() : "",
                r.reason.c_str(), static_cast<unsigned long long>(r.events));
  }
  return r.ok ? 0 : 1;
}

int RunInspect(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "from", "limit"}, {}});
  if (!args.ok()) return Usage(args.status(), kInspectHelp);
  if (args->help()) return std::fputs(kInspectHelp, stdout), 0;
  auto dir = args->Get("data");
  auto from = args->GetU64("from", 1);
  auto limit = args->GetU64("limit", 100);
  if (!dir)
    return Usage(Status::Error(codes::kInvalidArgument, "--data is required"), kInspectHelp);
  if (!from.ok()) return Usage(from.status(), kInspectHelp);
  if (!limit.ok()) return Usage(limit.status(), kInspectHelp);
  auto store = OpenExisting(*dir, /*read_only=*/true);
  if (!store.ok()) return ReportError(store.status()), 3;
  auto events = (*store)->ReadFrom(*from, *limit);
  if (!events.ok()) return ReportError(events.status());
  for (const EventRecord& e : *events) std::cout << EventToJson(e) << "\n";
  return 0;
}

}  // namespace folio::cli
