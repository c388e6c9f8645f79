// SandboxGateway: plays Alipay, WeChat Pay, UnionPay and a chain watcher
// against a running Folio server, with real message formats and signatures
// (keys generated at start; adapters/gateways/sandbox.h builds the messages).
//
// When a payment in one of those methods is created (Api's on_committed
// hook), the sandbox "answers the creation" like the gateway's precreate API:
// it issues a QR payload and the server records payment.mark_pending with it.
// Later it sends the signed payment notification over HTTP to
// /v1/gateways/{name}/notify, as a gateway would: sometimes the payment fails
// (TRADE_CLOSED, PAYERROR, a refused respCode), sometimes a delivery is lost
// and retried with backoff, sometimes the notification is delivered twice.
// Chain payments get two confirmation notifications (1, then 64).
//
// Thread-safety: OnCommitted may be called from any thread; the rest from
// the owner's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "adapters/gateways/sandbox.h"
#include "adapters/http/api.h"

namespace folio::http {

struct SandboxOptions {
  std::uint64_t seed = 20261122;
  // Out of 1000: a payment that fails at the gateway; a notification delivered
  // twice; a delivery lost (then retried).
  unsigned fail_permille = 100;
  unsigned duplicate_permille = 300;
  unsigned drop_permille = 100;
  std::chrono::milliseconds pay_after{300};    // QR issued -> notification
  std::chrono::milliseconds retry_after{200};  // doubled per attempt
  unsigned attempts_max = 6;
  // Take on crypto (chain) payments only: the gateways proper are played by
  // the sandbox process (`folio serve --demo`).
  bool chain_only = false;
};

struct SandboxStats {
  std::uint64_t payments = 0;         // payments the sandbox took on
  std::uint64_t notifications = 0;    // delivered and acknowledged
  std::uint64_t duplicates = 0;       // extra deliveries of an acknowledged notification
  std::uint64_t dropped = 0;          // deliveries "lost" on purpose
  std::uint64_t retries = 0;          // deliveries repeated after a failure or a loss
  std::uint64_t failed_payments = 0;  // payments the gateway reported as failed
  std::uint64_t gave_up = 0;          // notifications never acknowledged
};

class SandboxGateway {
 public:
  SandboxGateway(gateways::SandboxKeys keys, SandboxOptions opts, Api* api);
  ~SandboxGateway();  // Stop()s.
  SandboxGateway(const SandboxGateway&) = delete;
  SandboxGateway& operator=(const SandboxGateway&) = delete;

  const gateways::SandboxKeys& keys() const { return keys_; }
  // Starts delivering to the server on 127.0.0.1:port.
  void Start(std::uint16_t port);
  void Stop();
  // Api's on_committed hook: takes on new payments in its methods.
  void OnCommitted(const domain::Command& command, const AppendOutcome& outcome);
  SandboxStats stats() const;
  // True when nothing is queued or in flight (tests wait on it with a deadline).
  bool idle() const;

 private:
  struct Task {
    std::chrono::steady_clock::time_point due;
    enum Kind { kPrecreate, kNotify } kind = kPrecreate;
    gateways::SandboxPayment payment;
    std::string outcome;  // gateway status word to report
    std::uint32_t confirmations = 0;
    unsigned attempt = 0;
    bool duplicate = false;
  };
  void Loop();
  void Run(Task t);
  void Schedule(Task t);
  void ScheduleLocked(Task t);  // REQUIRES: mu_ held
  bool Deliver(const gateways::OutgoingNotification& n, gateways::Gateway g);
  unsigned Roll();  // 0..999

  const gateways::SandboxKeys keys_;
  const SandboxOptions opts_;
  Api* const api_;
  std::uint16_t port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;  // kept sorted by due
  bool busy_ = false;
  bool stop_ = false;
  SandboxStats stats_;
  std::mt19937_64 rng_;
  std::thread thread_;
};

}  // namespace folio::http
