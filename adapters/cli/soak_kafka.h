// The Kafka side of `folio soak`: a read_committed consumer that reads every
// partition of folio.events from the start while the soak runs (the mock
// cluster prunes partitions past about 5 MB, so reading only at the end would
// not scale to long soaks) and counts each seq: every one of 1..head must be
// seen exactly once. The same idea as tests/adapters/kafka/kafka_checker.h,
// without its header checks (the Kafka tests make those).
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
#include <vector>

#include "events/status.h"

namespace folio::cli {

class KafkaSeqCounter {
 public:
  // Starts reading `topic` at `brokers` in a thread of its own.
  KafkaSeqCounter(std::string brokers, std::string topic);
  ~KafkaSeqCounter();
  KafkaSeqCounter(const KafkaSeqCounter&) = delete;
  KafkaSeqCounter& operator=(const KafkaSeqCounter&) = delete;

  // Waits until seqs 1..head were all seen (or the deadline).
  bool WaitFor(std::uint64_t head, std::chrono::milliseconds timeout) const;

  std::uint64_t messages() const { return messages_.load(); }
  std::uint64_t distinct() const { return distinct_.load(); }
  // Messages of a seq already seen.
  std::uint64_t duplicates() const { return duplicates_.load(); }
  // Seqs in 1..head not seen; the first `max` of them in `first`.
  std::uint64_t Missing(std::uint64_t head, std::size_t max, std::vector<std::uint64_t>* first) const;
  // Seqs above `head` (the log has no such event).
  std::uint64_t Beyond(std::uint64_t head) const;
  // Errors (a bad envelope, a pruned partition, the consumer failing).
  std::vector<std::string> errors() const;

 private:
  void Run();
  void Error(std::string e);

  const std::string brokers_, topic_;
  mutable std::mutex mu_;
  std::vector<std::uint8_t> seen_;  // messages per seq, saturating at 255
  std::vector<std::string> errors_;
  std::atomic<std::uint64_t> messages_{0}, distinct_{0}, duplicates_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace folio::cli
