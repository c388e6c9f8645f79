// The Kafka side of `folio soak`: a read_committed consumer that reads every
// partition of a topic from the start while the soak runs (the mock cluster
// prunes partitions past about 5 MB, so reading only at the end would not
// scale to long soaks) and counts each seq: in folio.events every one of
// 1..head must be seen exactly once, in an integration topic every seq of an
// event that goes there; in folio.events each stream's events in stream
// order. The same idea as tests/adapters/kafka/kafka_checker.h, without its
// header checks (the Kafka tests make those).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "events/envelope.h"
#include "events/status.h"

namespace folio::cli {

class KafkaSeqCounter {
 public:
  // Where a message's seq is read: the envelope (folio.events) or the
  // folio-seq header (the integration topics, whose values are JSON).
  enum class SeqFrom { kEnvelope, kHeader };
  // Starts reading `topic` at `brokers` in a thread of its own.
  KafkaSeqCounter(std::string brokers, std::string topic, SeqFrom from);
  ~KafkaSeqCounter();
  KafkaSeqCounter(const KafkaSeqCounter&) = delete;
  KafkaSeqCounter& operator=(const KafkaSeqCounter&) = delete;

  // Waits until `distinct` seqs were seen (or the deadline).
  bool WaitFor(std::uint64_t distinct, std::chrono::milliseconds timeout) const;

  std::uint64_t messages() const { return messages_.load(); }
  std::uint64_t distinct() const { return distinct_.load(); }
  // Messages of a seq already seen.
  std::uint64_t duplicates() const { return duplicates_.load(); }
  struct Comparison {
    std::uint64_t missing = 0;                                   // expected, not seen
    std::uint64_t unexpected = 0;                                // seen, not expected
    std::vector<std::uint64_t> first_missing, first_unexpected;  // up to 10 each
  };
  // The seqs seen against `expected` (ascending).
  Comparison Compare(const std::vector<std::uint64_t>& expected) const;
  // Errors (a bad envelope, a pruned partition, the consumer failing).
  std::vector<std::string> errors() const;

 private:
  void Run();
  void Error(std::string e);
  void CheckStreamOrder(const fb::Envelope& env);

  const std::string brokers_, topic_;
  const SeqFrom from_;
  mutable std::mutex mu_;
  std::vector<std::uint8_t> seen_;  // messages per seq, saturating at 255
  std::vector<std::string> errors_;
  std::unordered_map<std::string, std::uint64_t> stream_version_;  // last seen, folio.events
  std::atomic<std::uint64_t> messages_{0}, distinct_{0}, duplicates_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace folio::cli
