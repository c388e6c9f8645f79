// Read-back: which events a topic already holds beyond a cursor, found by the
// folio-seq header of each partition's tail. The relay runs it on start and
// after every aborted transaction (docs/kafka.md, "Exactly once").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_set>

#include "adapters/kafka/rd_handles.h"

namespace folio::kafka {

struct ReadBackOptions {
  std::string brokers;
  // Only seqs greater than this are collected. Required.
  std::uint64_t after_seq = 0;
  // Messages read first from each partition's end; the window grows (x4) until
  // it reaches a message at or below after_seq or the partition's start.
  // Default: 20,000.
  std::uint64_t window_messages = 20'000;
  // Per partition. Default: 10 s.
  std::chrono::milliseconds timeout{10'000};
  ConfPairs extra_config;
};

// Reads with isolation.level=read_committed: on real Kafka an aborted
// transaction's messages are not seen (and so are produced again); the mock
// shows them (and so they are skipped). Either way each seq lands once.
// A topic that does not exist yet holds nothing.
Result<std::unordered_set<std::uint64_t>> ReadBackSeqs(const ReadBackOptions& opts,
                                                       const std::string& topic);

}  // namespace folio::kafka
