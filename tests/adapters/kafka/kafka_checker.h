// Test helpers for the Kafka mirror: a checker that reads folio.events (from
// the start, all partitions, no group) while it is being written and checks
// exactly-once, per-stream order and the headers; child processes.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "tests/test_support.h"  // PollUntil

namespace folio::testing {

class MirrorChecker {
 public:
  // Starts reading `topic` at `brokers` in a thread; expects seqs 1..expected.
  MirrorChecker(std::string brokers, std::string topic, std::uint64_t expected);
  ~MirrorChecker();
  // Waits until every expected seq was seen (or an error, or the deadline).
  bool WaitComplete(std::chrono::milliseconds timeout);
  std::uint64_t distinct() const { return distinct_.load(); }
  std::uint64_t duplicates() const { return duplicates_.load(); }
  std::uint64_t messages() const { return messages_.load(); }
  std::vector<std::string> errors() const;
  // Seqs in 1..expected never seen (first `max`).
  std::vector<std::uint64_t> Missing(std::size_t max) const;

 private:
  void Run();
  void Error(std::string e);

  const std::string brokers_, topic_;
  const std::uint64_t expected_;
  std::vector<std::uint8_t> seen_;  // count per seq, saturating
  std::unordered_map<std::string, std::uint64_t> stream_version_;
  std::atomic<std::uint64_t> distinct_{0}, duplicates_{0}, messages_{0};
  std::atomic<bool> stop_{false}, failed_{false};
  mutable std::mutex mu_;
  std::vector<std::string> errors_;
  std::thread thread_;
};

// A child process running the folio binary with `args`; stdout to a pipe.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args, bool capture_stdout = true);
  ~Child();  // SIGKILLs and reaps when still running
  pid_t pid() const { return pid_; }
  // The first line the child writes to stdout ("" at EOF or deadline).
  std::string ReadLine(std::chrono::milliseconds timeout);
  void Kill(int sig);
  // Waits for exit; returns the exit status (128 + signal when killed), or -1
  // at the deadline.
  int Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string buffer_;
};

struct TopicMessage {
  std::string key, value;
};
// Every message of `topic` from the start to its end (all partitions).
std::vector<TopicMessage> ReadTopic(const std::string& brokers, const std::string& topic,
                                    std::chrono::milliseconds timeout);

}  // namespace folio::testing
#include "tests/adapters/kafka/kafka_checker_inl.h"
