// A projection turns the log into an answer (balances, trust ledgers,
// statistics). Each one has a name and a version, keeps its state in its own
// RocksDB column family ("proj.<name>"), and records how far it got (its
// checkpoint) in the same WriteBatch as the state it derived, so a crash can
// neither skip nor double-apply an event. Changing `version()` makes the
// projector rebuild it from sequence 1.
//
// Apply must be deterministic and depend only on the events applied so far:
// an incremental build and a rebuild from scratch must give the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/envelope.h"

namespace folio::projections {

// A projection's view of its own state while events are applied. Reads see
// the writes not yet committed. Keys and values are opaque bytes.
class ProjectionStore {
 public:
  virtual ~ProjectionStore() = default;
  virtual std::optional<std::string> Get(std::string_view key) = 0;
  virtual void Put(std::string_view key, std::string_view value) = 0;
  virtual void Delete(std::string_view key) = 0;
};

class Projection {
 public:
  virtual ~Projection() = default;
  virtual std::string_view name() const = 0;  // stable, [a-z_]+
  virtual std::uint32_t version() const = 0;  // bump when Apply's output changes
  // REQUIRES: events arrive in sequence order, each exactly once.
  virtual void Apply(const EventRecord& event, ProjectionStore& store) = 0;
};

// The column family a projection keeps its state in.
inline std::string ColumnFamilyName(std::string_view projection) {
  return "proj." + std::string(projection);
}

}  // namespace folio::projections
