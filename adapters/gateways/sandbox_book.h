// The sandbox gateway's books: the trades and refunds a gateway holds, and
// the faults it plays. Pure state on a caller-given clock (no I/O); the
// sandbox process (adapters/http/sandbox_process.h) speaks the gateways'
// protocols around it.
//
// What happens to a trade is decided when it is created, from the seed and
// the trade's own name (so a test can ask what the sandbox decided): after
// `pay_after` it becomes paid, or failed with probability fail_permille.
// Creating the same trade again is idempotent (the same QR payload); a
// refund is made once per request number however often it is asked for,
// and `refunds_made` counts the refunds that moved money.
//
// Besides the steady clock it is driven by, the book reads a wall clock
// (Unix ns) to stamp when a trade was paid and a refund made: the times a
// daily bill (adapters/gateways/sandbox_bill.h) is cut by.
//
// Thread-safety: every method may be called from any thread; the wall clock
// is called with the book's lock held, so it must not call back into the book.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/gateways/gateway_api.h"
#include "adapters/gateways/notification.h"
#include "events/money.h"
#include "events/status.h"

namespace folio::gateways {

// Every rate is out of 1000.
struct SandboxFaults {
  unsigned fail_permille = 100;            // payments the payer does not complete
  unsigned drop_notify_permille = 0;       // a notification delivery lost (then retried)
  unsigned duplicate_notify_permille = 0;  // a notification delivered twice
  unsigned error_5xx_permille = 0;         // API calls answered 5xx (not processed)
  unsigned timeout_permille = 0;           // API calls processed but never answered
  unsigned bad_sign_permille = 0;          // API answers signed with a wrong key
  bool paid_after_close = false;           // a closed pending trade is reported paid
  // The daily bill also holds a trade nobody asked for ("SANDBOX-EXTRA-<date>",
  // 1.00 CNY): a discrepancy a reconciliation must find. Default: false.
  bool bill_extra_row = false;
  std::chrono::milliseconds pay_after{300};
  std::chrono::milliseconds notify_retry{200};  // doubled per attempt
  std::chrono::milliseconds notify_delay{0};    // a notification's first delivery waits this
  unsigned notify_attempts_max = 8;
};

struct SandboxRefund {
  std::string refund_no;  // out_request_no / out_refund_no / orderId
  std::string gateway_refund_id;
  Money amount;
  std::uint64_t calls = 0;           // refund requests received for this number
  std::int64_t made_at_unix_ns = 0;  // wall clock when the money moved
  std::uint32_t made_index = 0;      // 0-based: the order the trade's refunds were made in
};

struct SandboxTrade {
  Gateway gateway = Gateway::kAlipay;
  std::string out_trade_no;
  Money amount;
  std::string gateway_txn_id;
  std::string qr_payload;
  std::string notify_url;
  TradeState state = TradeState::kPending;
  bool will_fail = false;  // decided at creation
  bool reported = false;   // its outcome was handed to the notifier (Due)
  std::chrono::steady_clock::time_point pay_at;
  // Wall clock when the payer paid (pay_at, however late the book noticed;
  // a paid-after-close trade: the close). 0: never paid.
  std::int64_t paid_at_unix_ns = 0;
  std::map<std::string, SandboxRefund> refunds;  // by refund_no
  Money refunded;
};

struct SandboxBookStats {
  std::uint64_t trades = 0;
  std::uint64_t paid = 0;
  std::uint64_t failed = 0;
  std::uint64_t closed = 0;
  std::uint64_t paid_after_close = 0;
  std::uint64_t refund_calls = 0;  // refund requests, repeats included
  std::uint64_t refunds_made = 0;  // refunds that moved money (once per number)
};

class SandboxBook {
 public:
  using Clock = std::chrono::steady_clock;
  // Unix ns. Default (empty): std::chrono::system_clock.
  using WallClock = std::function<std::int64_t()>;
  SandboxBook(std::uint64_t seed, SandboxFaults faults, WallClock wall_clock = {});

  SandboxFaults faults() const;
  void SetFaults(const SandboxFaults& f);

  // Creates (or returns the existing) trade. A different amount for an
  // existing out_trade_no: gateway_refused "TRADE_HAS_EXIST".
  Result<SandboxTrade> Create(Gateway g, std::string_view out_trade_no, const Money& amount,
                              std::string_view notify_url, Clock::time_point now);
  // The trade, settling it first if its time has come. gateway_refused
  // "TRADE_NOT_EXIST" when there is none.
  Result<SandboxTrade> Get(Gateway g, std::string_view out_trade_no, Clock::time_point now);
  // Closes a pending trade. Paid: gateway_refused "TRADE_STATUS_ERROR";
  // already closed or failed: ok; none: gateway_refused "TRADE_NOT_EXIST".
  // With paid_after_close, the trade is reported paid afterwards anyway.
  Result<SandboxTrade> Close(Gateway g, std::string_view out_trade_no, Clock::time_point now);
  // Refunds `amount` of a paid trade under `refund_no`, once. A repeat with
  // the same number returns the first refund. Not paid: "TRADE_STATUS_ERROR";
  // more than is left: "REFUND_AMT_NOT_EQUAL_TOTAL"; none: "TRADE_NOT_EXIST".
  Result<SandboxRefund> Refund(Gateway g, std::string_view out_trade_no, std::string_view refund_no,
                               const Money& amount, Clock::time_point now);
  Result<SandboxRefund> GetRefund(Gateway g, std::string_view out_trade_no,
                                  std::string_view refund_no);
  // A refund by its number alone, with its trade's out_trade_no (WeChat Pay
  // and UnionPay query refunds by their own number). "REFUND_NOT_EXIST" when none.
  Result<std::pair<std::string, SandboxRefund>> FindRefund(Gateway g, std::string_view refund_no);
  // A trade by the gateway's transaction id (UnionPay refunds name origQryId).
  Result<SandboxTrade> FindByTxnId(Gateway g, std::string_view gateway_txn_id,
                                   Clock::time_point now);

  // Trades with an outcome not yet reported (paid, failed or closed, however
  // that was learned: by time, a query or a close), each once: the caller
  // sends their notifications.
  std::vector<SandboxTrade> Due(Clock::time_point now);
  // The earliest pay_at of a pending trade (for the caller's timer).
  std::optional<Clock::time_point> NextDue() const;

  // 0..999, from the book's generator (fault decisions of the caller).
  unsigned Roll();

  SandboxBookStats stats() const;
  std::vector<SandboxTrade> Trades() const;
  // Gateway g's trades, each settled first if its time has come (a bill
  // shows what was paid by `now`, whether or not anyone asked).
  std::vector<SandboxTrade> SettledTrades(Gateway g, Clock::time_point now);

 private:
  static std::string Key(Gateway g, std::string_view no);
  void SettleLocked(SandboxTrade& t, Clock::time_point now);  // REQUIRES: mu_ held

  const std::uint64_t seed_;
  const WallClock wall_clock_;
  mutable std::mutex mu_;
  SandboxFaults faults_;
  std::mt19937_64 rng_;
  std::map<std::string, SandboxTrade> trades_;
  SandboxBookStats stats_;
};

}  // namespace folio::gateways
