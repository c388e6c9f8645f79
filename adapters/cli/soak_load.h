// The load of `folio soak`: workers sending payments (create, settle) and
// refunds (request, succeed) to `folio serve` over loopback HTTP, each
// recording every answer it got (status and body) under its Idempotency-Key.
//
// A worker sends one command at a time, each with a fresh key. When the
// connection breaks (the soak SIGKILLed the server), the command is in doubt:
// the worker waits for the next server and sends the same key and body
// again, as a client must, until a 2xx or 4xx comes back. 5xx answers are
// retried too. So at the end every command sent has its first answer in the
// journal. Between commands a worker also repeats an older command of the
// journal (its first answer must come back) or sends another body under an
// older key (idempotency_key_conflict must come back).
//
// The plan is deterministic per seed; what the server answers is recorded,
// never assumed (refunds above the settled amount, refunds of an unsettled
// payment and a second payment with a taken id are refused by the rules).
//
// Thread-safety: SoakLoad's methods may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/client.h"

namespace folio::cli {

struct SoakCommand {
  std::string method, target, body;
  std::string key;            // Idempotency-Key
  std::string conflict_body;  // another request for the same route
};

// The first answer a command got.
struct SoakAck {
  SoakCommand cmd;
  unsigned status = 0;
  std::string body;
  std::uint64_t round = 0;
};

// What is wrong, the first few in full.
class SoakProblems {
 public:
  void Add(std::string what);
  std::size_t count() const;
  std::vector<std::string> shown() const;

 private:
  static constexpr std::size_t kShownMax = 20;
  mutable std::mutex mu_;
  std::vector<std::string> shown_;
  std::size_t count_ = 0;
};

// "" when `retry` is the answer a repeat of `first` must get: the same
// status and body, "replayed": true and the Idempotent-Replayed header
// (except 400s, which are refused before the idempotency record exists).
std::string CompareRetry(const SoakAck& first, const http::ClientResponse& retry);
// "" when `resp` is 409 idempotency_key_conflict.
std::string CompareConflict(const http::ClientResponse& resp);

struct SoakLoadOptions {
  std::size_t workers = 4;
  std::uint64_t seed = 1;
  std::string api_key;  // an operator key
  // Per command: the chance in 1,000 that a worker first repeats an older
  // command (retries) or sends another body under an older key (conflicts).
  // Default: 30 and 10.
  unsigned retry_per_mille = 30;
  unsigned conflict_per_mille = 10;
};

class SoakLoad {
 public:
  SoakLoad(SoakLoadOptions opts, SoakProblems* problems);
  ~SoakLoad();  // Stop()
  SoakLoad(const SoakLoad&) = delete;
  SoakLoad& operator=(const SoakLoad&) = delete;

  // The server is answering on `port` (a new incarnation): workers connect.
  void ServerUp(std::uint16_t port, std::uint64_t round);
  // The server is about to be killed: broken connections wait for the next.
  void ServerDown();
  // Blocks until `acks` answers were journaled since ServerUp, or the
  // deadline; returns the count reached.
  std::uint64_t WaitRoundAcks(std::uint64_t acks, std::chrono::milliseconds timeout);
  // Workers finish their command in doubt (the server must be up), then
  // exit; with abandon_in_doubt they exit at once.
  void Stop(bool abandon_in_doubt = false);

  std::vector<SoakAck> Journal() const;
  struct Counts {
    std::uint64_t acks = 0, answers_5xx = 0, in_doubt = 0, retries_checked = 0,
                  conflicts_checked = 0;
  };
  Counts counts() const;

 private:
  class Worker;
  struct Conn;
  std::optional<Conn> Connect(std::uint64_t newer_than);
  bool IsCurrent(std::uint64_t generation) const;
  bool Stopping() const;
  bool Abandoned() const;
  void Record(SoakAck ack);
  std::optional<SoakAck> RandomAck(std::uint64_t draw) const;

  const SoakLoadOptions opts_;
  SoakProblems* const problems_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint16_t port_ = 0;  // 0 while down
  std::uint64_t generation_ = 0, round_ = 0, round_acks_ = 0;
  bool stop_ = false, abandon_ = false;
  std::vector<SoakAck> journal_;
  std::atomic<std::uint64_t> answers_5xx_{0}, in_doubt_{0}, retries_checked_{0},
      conflicts_checked_{0};
  std::vector<std::thread> threads_;
};

}  // namespace folio::cli
