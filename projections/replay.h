// The auditor's replay: rebuild projections from the log into a scratch
// database and compare them with the live ones (`folio replay`).
//
// Comparison, per projection, with U = the replay's until_seq:
//   - live checkpoint == U: every key and value of the live family equals the
//     rebuilt one, byte for byte ("bytes");
//   - live checkpoint  > U: the live projection cannot be compared byte for
//     byte (it holds later events); balances are compared through their
//     as-of answers at U: the whole trial balance, every account and asset,
//     debits and credits ("as_of"). Projections without as-of answers are
//     reported "skipped" (not a difference): replay them with U equal to the
//     live checkpoint (the default);
//   - live checkpoint  < U: invalid_argument (catch the live projection up).
// The live projections are only read.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/log_store.h"
#include "projections/projection.h"

namespace folio::projections {

// Applies events 1..until_seq of `live` to `projection` into `cf` of
// `scratch` (which must be empty), in batches, verifying the hash chain.
// `progress(applied_seq)` after each batch when set.
Status RebuildInto(const LogStore& live, Projection& projection, rocksdb::DB* scratch,
                   rocksdb::ColumnFamilyHandle* cf, std::uint64_t until_seq,
                   const std::function<void(std::uint64_t)>& progress = {});

struct ReplayOptions {
  // Where the scratch database is built; must not exist or be empty. The
  // caller removes it. Required.
  std::string scratch_dir;
  // Default: each live projection's checkpoint (they must agree).
  std::optional<std::uint64_t> until_seq;
  // Only this projection. Default: all given.
  std::string projection;
  std::function<void(std::uint64_t applied, std::uint64_t until)> progress;
};

struct ProjectionReplay {
  std::string name;
  std::uint64_t live_seq = 0;
  std::string mode;            // "bytes", "as_of" or "skipped"
  std::uint64_t compared = 0;  // keys (bytes) or account lines (as_of)
  std::uint64_t differences = 0;
  std::string first_difference;  // empty when none
};

struct ReplayReport {
  std::uint64_t until_seq = 0;
  std::vector<ProjectionReplay> projections;
  bool ok() const {
    for (const auto& p : projections) {
      if (p.differences != 0) return false;
    }
    return true;
  }
};

Result<ReplayReport> Replay(const LogStore& live,
                            std::vector<std::unique_ptr<Projection>> projections,
                            const ReplayOptions& opts);

}  // namespace folio::projections
