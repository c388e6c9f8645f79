#include "adapters/cli/query_support.h"

#include <cstdio>
#include <filesystem>

#include "adapters/cli/commands.h"
#include "adapters/json/rfc3339.h"
#include "events/codes.h"
#include "projections/projector.h"
#include "projections/registry.h"

namespace folio::cli {

// Opens DIR and brings every projection up to the head.
Result<Live> OpenAndCatchUp(const std::string& dir) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT")) {
    return Status::Error(codes::kNotFound, "no Folio log in '" + dir + "'");
  }
  LogStoreOptions o;
  o.create_if_missing = false;
  Live live;
  ASSIGN_OR_RETURN(live.store, LogStore::Open(dir, o));
  projections::ProjectorOptions po;
  po.background = false;
  const bool tty = StderrIsTerminal();
  if (tty) {
    po.progress = [](std::uint64_t applied, std::uint64_t head) {
      std::fprintf(stderr, "\rprojecting %llu / %llu", static_cast<unsigned long long>(applied),
                   static_cast<unsigned long long>(head));
    };
  }
  ASSIGN_OR_RETURN(auto projector, projections::Projector::Start(
                                       live.store.get(), projections::AllProjections(), po));
  Status st = projector->CatchUp();
  if (tty) std::fputs("\r\033[K", stderr);
  RETURN_IF_ERROR(st);
  return live;
}

// --as-of-seq / --as-of -> a sequence (nullopt: now).
Result<std::optional<std::uint64_t>> AsOf(const Args& args,
                                          const projections::BalancesReader& reader) {
  if (args.Has("as-of-seq") && args.Has("as-of")) {
    return Status::Error(codes::kInvalidArgument, "give --as-of-seq or --as-of, not both");
  }
  if (args.Has("as-of-seq")) {
    ASSIGN_OR_RETURN(std::uint64_t seq, args.GetU64("as-of-seq", 0));
    return std::optional<std::uint64_t>(seq);
  }
  if (auto t = args.Get("as-of")) {
    auto ns = json::ParseRfc3339(*t);
    if (!ns.ok())
      return Status::Error(codes::kInvalidArgument, "--as-of: " + ns.status().message());
    ASSIGN_OR_RETURN(std::uint64_t seq, reader.SeqAtTime(*ns));
    return std::optional<std::uint64_t>(seq);
  }
  return std::optional<std::uint64_t>();
}

}  // namespace folio::cli
