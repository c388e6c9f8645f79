// The writer's group and the layers below it: shared by writer.cc (threads,
// commit, checkpoints) and writer_prepare.cc (the sequencer's work).
// Internal to the engine: include only from those two files.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <rocksdb/write_batch.h>

#include "engine/writer.h"

namespace folio {

// A group of requests prepared together and committed in one WriteBatch.
// After Prepare() it is read-only: the committer reads the batch and the
// outcomes, the sequencer reads the delta while preparing the next group, and
// only the sequencer frees it.
struct Writer::Group {
  std::deque<Pending> items;
  std::vector<AppendOutcome> outcomes;
  rocksdb::WriteBatch batch;  // events, outcome records, head: nothing derived
  keys::Head head_after;
  std::uint64_t events = 0;
  bool written = false;  // set by the committer once the batch is durable
  // Derived state of this group's events; published to readers once durable.
  std::shared_ptr<DerivedDelta> delta = std::make_shared<DerivedDelta>();
  // Outcomes that no event records (refusals, commands that decided nothing),
  // written to the outcomes family in `batch`.
  StringMap<std::string> outcome_records;
  // What the checkpoint said before this group, fetched in one MultiGet.
  // nullopt: the key is absent. Entries exist only for keys that were fetched.
  StringMap<std::optional<std::string>> idempotency_db;
  StringMap<std::uint64_t> stream_versions_db;
};

// The layers below a group's own delta, for its Deriver.
class Writer::Below final : public DerivedBelow {
 public:
  Below(Writer& w, const Group& g) : w_(w), g_(g) {}
  Result<std::uint64_t> StreamVersion(std::string_view stream) override {
    return w_.VersionBelow(g_, stream);
  }
  Result<std::optional<std::string>> Idempotency(std::string_view key) override {
    return w_.FindIdempotency(g_, std::string(key), /*include_group=*/false);
  }
  Result<std::string> EventStream(std::uint64_t seq) override { return w_.EventStreamAt(g_, seq); }

 private:
  Writer& w_;
  const Group& g_;
};

}  // namespace folio
