// GatewayDispatcher: the ledger's side of the gateway calls.
//
//   payment.create (Alipay / WeChat Pay / UnionPay, payable now)
//       -> create the trade at the gateway -> payment.mark_pending with its QR
//          payload; a refusal -> payment.fail with the gateway's code; an
//          unknown outcome (time-out) -> nothing yet: the poller settles it
//   refund.request (to the original method of such a payment)
//       -> refund at the gateway under the refund id as request number (a
//          retry can never refund twice) -> refund.succeed / refund.fail, or,
//          while the gateway is processing or the outcome is unknown, polled
//   a payment pending longer than poll_after
//       -> queried at the gateway -> the fact its notification would record
//          (adapters/gateways/poll_facts.h: same key, same command); past its
//          expiry, or once the ledger expired or cancelled it, the trade is
//          first closed at the gateway, and what the gateway then reports is
//          recorded (closed: payment.fail TRADE_CLOSED; paid after all:
//          payment.settle, which records the money and requests its refund
//          "late<payment>", sent like any refund below)
//
// Work runs on its own threads, never on the writer's: OnCommitted only
// queues. The queue is bounded; what does not fit is left to the poller.
//
// Thread-safety: OnCommitted from any thread; Start/Stop from the owner's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/api.h"
#include "adapters/http/payment_gateway.h"
#include "engine/log_store.h"

namespace folio::http {

struct DispatcherOptions {
  std::chrono::milliseconds poll_after{60'000};  // a pending payment's age before the first query
  std::chrono::milliseconds poll_every{30'000};  // between queries of the same payment or refund
  std::chrono::milliseconds tick{500};           // how often due polls are looked for
  unsigned workers = 2;
  std::size_t queue_max = 10'000;
  // Wall clock (Unix ns) for expiries; default: the system clock.
  std::function<std::int64_t()> now_ns;
};

struct DispatcherStats {
  std::uint64_t created = 0;         // trades created (mark_pending recorded)
  std::uint64_t create_refused = 0;  // payment.fail recorded after a refusal
  std::uint64_t create_unknown = 0;  // creation outcome unknown: left to the poller
  std::uint64_t polls = 0;           // trade queries
  std::uint64_t polled_facts = 0;    // facts the poller recorded (new or replayed)
  std::uint64_t closed_at_expiry = 0;
  std::uint64_t refunds_sent = 0;
  std::uint64_t refund_facts = 0;
  std::uint64_t dropped = 0;  // jobs not queued (queue full): left to the poller
  std::uint64_t errors = 0;   // calls that failed after their retries
  // Refunds of money paid after the ledger closed its payment ("late<id>",
  // requested by the settle that recorded it), sent to the gateway.
  std::uint64_t late_refunds_sent = 0;
};

class GatewayDispatcher {
 public:
  // `gateways` by method (fb::Method::Alipay, ...); each outlives this.
  GatewayDispatcher(Api* api, LogStore* store, std::map<fb::Method, PaymentGateway*> gateways,
                    DispatcherOptions opts);
  ~GatewayDispatcher();  // Stop()s.
  GatewayDispatcher(const GatewayDispatcher&) = delete;
  GatewayDispatcher& operator=(const GatewayDispatcher&) = delete;

  void Start();
  void Stop();
  // Follows again what an earlier run left unfinished: reads the log once
  // (from `from_seq`) for payments of these gateways still created or pending
  // and refunds to them still requested, and polls them from now. Run once
  // after Start (on any thread; `folio serve` runs it in the background).
  // Returns how many it follows. Errors: the log's read errors.
  Result<std::size_t> Recover(std::uint64_t from_seq = 1);
  // Api's on_committed hook.
  void OnCommitted(const domain::Command& command, const AppendOutcome& outcome);

  DispatcherStats stats() const;
  // Payments and refunds still followed (not final in the ledger).
  std::size_t tracked_payments() const;
  std::size_t tracked_refunds() const;
  std::vector<Sample> MetricSamples() const;

 private:
  enum class Kind { kCreate, kPoll, kRefund, kRefundPoll };
  struct Job {
    Kind kind;
    std::string id;  // payment id (create, poll) or refund id
  };
  struct Followed {
    PaymentGateway* gateway = nullptr;
    std::chrono::steady_clock::time_point next_poll;
    bool queued = false;
    std::string payment_id;  // refunds: their payment
    // Payments: polled (closed at the gateway) as soon as this passes, not
    // only at the next poll. 0: none, or already polled for it.
    std::int64_t expires_at_ns = 0;
  };

  bool Enqueue(Job job);  // REQUIRES: mu_ held. False: the queue is full
  void WorkerLoop();
  void TickLoop();
  void Run(const Job& job);
  void DoCreate(const std::string& payment_id);
  void DoPoll(const std::string& payment_id);
  void DoRefund(const std::string& refund_id, bool poll);
  // Records through the API and waits for the outcome (worker threads only).
  AppendOutcome Record(PaymentGateway* gw, const std::string& key, domain::Command cmd,
                       bool gateway_fact);
  void Untrack(const std::string& payment_id);
  void NoteExpiry(const std::string& payment_id, std::int64_t expires_at_ns);
  void Reschedule(std::map<std::string, Followed>& m, const std::string& id);
  PaymentGateway* GatewayFor(fb::Method m) const;
  std::int64_t NowNs() const;

  Api* const api_;
  LogStore* const store_;
  const std::map<fb::Method, PaymentGateway*> gateways_;
  const DispatcherOptions opts_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable tick_cv_;
  std::deque<Job> queue_;
  bool stop_ = true;
  std::map<std::string, Followed> payments_;  // by payment id
  std::map<std::string, Followed> refunds_;   // by refund id
  DispatcherStats stats_;
  std::vector<std::thread> threads_;
};

}  // namespace folio::http
