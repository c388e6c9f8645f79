// A command as the benchmarks submit it: its idempotency key is also what
// its fingerprint hashes, and the actor is "bench".
#pragma once

#include <string>
#include <utility>

#include "engine/append.h"
#include "events/hash.h"

namespace folio::bench {

inline AppendRequest BenchCommand(domain::Command cmd, std::string key) {
  AppendRequest r;
  r.fingerprint = Sha256(key);
  r.idempotency_key = std::move(key);
  r.context.actor = "bench";
  r.command = std::move(cmd);
  return r;
}

}  // namespace folio::bench
