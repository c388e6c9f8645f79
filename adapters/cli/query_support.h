// Shared by the query commands (balance, trial-balance, trust, stats, replay).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "adapters/cli/args.h"
#include "engine/log_store.h"
#include "projections/balances.h"

namespace folio::cli {

struct Live {
  std::unique_ptr<LogStore> store;
};

// Opens DIR and brings every projection up to the head (progress on a terminal).
Result<Live> OpenAndCatchUp(const std::string& dir);

// --as-of-seq / --as-of (RFC 3339, business time via the balances time index)
// -> a sequence; nullopt: now.
Result<std::optional<std::uint64_t>> AsOf(const Args& args,
                                          const projections::BalancesReader& reader);

}  // namespace folio::cli
