// Builds stamped, decoded events for the trust and statistics projection tests.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine/domain/civil_time.h"
#include "events/envelope.h"
#include "events/money.h"
#include "projections/memory_store.h"
#include "projections/projection.h"

namespace folio::projections::testing {

inline std::int64_t Utc(std::int32_t y, std::uint32_t mo, std::uint32_t d, std::int64_t h,
                        std::int64_t mi) {
  const std::int64_t days = domain::DaysFromCivil(domain::CivilDate{y, mo, d});
  return (days * 86400 + h * 3600 + mi * 60) * 1'000'000'000;
}

inline Money M(std::string_view decimal, std::string_view currency) {
  Result<Money> m = Money::Parse(decimal, currency);
  REQUIRE(m.ok());
  return *m;
}

// An event log in memory: seq 1, 2, ... with chained hashes.
class TestLog {
 public:
  const std::vector<EventRecord>& events() const { return events_; }
  std::uint64_t last_seq() const { return events_.size(); }

  void Add(fb::Event type, std::int64_t at_ns, const PayloadBuilder& build) {
    const std::uint64_t seq = events_.size() + 1;
    EnvelopeMeta meta;
    meta.stream_id = "test-" + std::to_string(seq);
    meta.event_id = Uuid128{7, seq};
    meta.occurred_at_ns = at_ns;
    meta.actor = "test";
    std::string bytes = EncodeEnvelope(meta, type, build);
    prev_ = StampEnvelope(bytes, seq, 1, at_ns, prev_);
    Result<EventRecord> rec = EventRecord::Decode(std::move(bytes));
    REQUIRE_MESSAGE(rec.ok(), rec.status().ToString());
    events_.push_back(std::move(*rec));
  }

  // Applies events with seq in [first, last] to `store`.
  void ApplyTo(Projection& p, ProjectionStore& store, std::uint64_t first = 1,
               std::uint64_t last = ~std::uint64_t{0}) const {
    for (const EventRecord& e : events_) {
      if (e.seq() >= first && e.seq() <= last) p.Apply(e, store);
    }
  }

 private:
  std::vector<EventRecord> events_;
  Hash32 prev_{};
};

}  // namespace folio::projections::testing
