// MirrorConsumer: a downstream consumer that rebuilds a Folio log from
// `folio.events` alone, into its own data directory, so the projections (and
// every query command) run on it exactly as on the engine's log.
//
// Kafka gives per-partition order only; the log needs global order. Each
// message is verified on receipt (FlatBuffers verifier, folio-seq header ==
// the envelope's seq, key == its stream); a seq at or below the mirror's head,
// or already waiting, is a duplicate and dropped (dedupe by folio-seq). The
// others wait in memory until they continue the head; then they go, in seq
// order, to the engine's writer as sealed events (engine/append.h): it checks
// each one's prev_hash against the head hash and recomputes its hash, applies
// them to the aggregate state, keeps the derived state (stream index,
// idempotency records) like its own, and writes them in one synced batch.
// Offsets are committed to the consumer group only up to the first message
// still waiting in each partition, after that write, so a restart re-reads at
// most what was not yet written.
//
// Thread-safety: one thread drives a MirrorConsumer.
// REQUIRES: `store` outlives it and nothing else writes to it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "adapters/kafka/rd_handles.h"
#include "engine/keys.h"
#include "engine/log_store.h"
#include "engine/writer.h"

namespace folio::kafka {

inline constexpr std::string_view kMirrorGap = "mirror_gap";

struct MirrorConsumerOptions {
  std::string brokers;                  // Required.
  std::string group = "folio-consume";  // Default: "folio-consume".
  std::string topic = "folio.events";   // with any prefix. Default: "folio.events".
  // Events waiting for an earlier seq beyond which the consumer gives up with
  // mirror_gap (an event missing from Kafka, e.g. pruned). Default: 2,000,000.
  std::size_t waiting_events_max = 2'000'000;
  ConfPairs extra_config;
};

struct MirrorConsumerStats {
  std::uint64_t received = 0;    // messages
  std::uint64_t duplicates = 0;  // dropped by folio-seq
  std::uint64_t appended = 0;    // events written to the mirror log
  std::uint64_t waiting = 0;     // events held for an earlier seq
  std::uint64_t head_seq = 0;
};

class MirrorConsumer {
 public:
  static Result<std::unique_ptr<MirrorConsumer>> Start(LogStore* store, MirrorConsumerOptions opts);
  ~MirrorConsumer();
  MirrorConsumer(const MirrorConsumer&) = delete;
  MirrorConsumer& operator=(const MirrorConsumer&) = delete;

  // Receives for up to `max_wait`, appends what became contiguous, commits
  // offsets. Non-OK: envelope_invalid (a message failed verification),
  // mirror_gap, or a storage error; the consumer should stop.
  Status Poll(std::chrono::milliseconds max_wait);
  MirrorConsumerStats stats() const;
  // Commits the offsets of what was written (synchronously) and leaves the
  // group. Idempotent.
  void Close();

 private:
  struct Waiting {
    std::string bytes;
    std::int32_t partition;
    std::int64_t offset;
  };
  MirrorConsumer(LogStore* store, MirrorConsumerOptions opts);
  Status Receive(const rd_kafka_message_t& m);
  Status AppendContiguous();
  void CommitOffsets(bool async);

  LogStore* const store_;
  const MirrorConsumerOptions opts_;
  KafkaPtr rk_;
  keys::Head head_;
  std::map<std::uint64_t, Waiting> waiting_;
  // Per partition: offsets of messages still waiting, and the next offset.
  std::map<std::int32_t, std::map<std::int64_t, std::uint64_t>> waiting_offsets_;
  std::map<std::int32_t, std::int64_t> next_offset_;
  bool offsets_dirty_ = false;
  MirrorConsumerStats stats_;
  bool closed_ = false;
  std::unique_ptr<Writer> writer_;  // the one way into the mirror log
};

}  // namespace folio::kafka
