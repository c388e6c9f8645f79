// The sandbox gateway's books (adapters/gateways/sandbox_book.h): what the
// end-to-end gateway tests count on — idempotent creation, refunds made once,
// decisions that depend on the seed and the trade only, and the wall-clock
// times the daily bills are cut by.
#include <doctest/doctest.h>

#include "adapters/gateways/sandbox_book.h"

namespace folio::gateways {
namespace {

using std::chrono::milliseconds;
using Clock = SandboxBook::Clock;

Money Cny(u128 fen) { return Money(Asset::CNY, fen); }

SandboxFaults NoFailures() {
  SandboxFaults f;
  f.fail_permille = 0;
  f.pay_after = milliseconds(100);
  return f;
}

TEST_CASE("sandbox book: creating a trade twice is the same trade, another amount is refused") {
  SandboxBook book(1, NoFailures());
  const auto t0 = Clock::now();
  auto a = book.Create(Gateway::kAlipay, "pay-1", Cny(100), "http://x/n", t0);
  REQUIRE(a.ok());
  auto again = book.Create(Gateway::kAlipay, "pay-1", Cny(100), "http://x/n", t0);
  REQUIRE(again.ok());
  CHECK(again->qr_payload == a->qr_payload);
  CHECK(again->gateway_txn_id == a->gateway_txn_id);
  auto other = book.Create(Gateway::kAlipay, "pay-1", Cny(101), "http://x/n", t0);
  CHECK(other.status().code() == codes::kGatewayRefused);
  // The same name at another gateway is another trade.
  CHECK(book.Create(Gateway::kWechatPay, "pay-1", Cny(5), "", t0).ok());
  CHECK(book.stats().trades == 2);
}

TEST_CASE("sandbox book: a trade is pending until its time, then paid") {
  SandboxBook book(1, NoFailures());
  const auto t0 = Clock::now();
  REQUIRE(book.Create(Gateway::kAlipay, "pay-1", Cny(100), "", t0).ok());
  CHECK(book.Get(Gateway::kAlipay, "pay-1", t0 + milliseconds(99))->state == TradeState::kPending);
  CHECK(book.Due(t0 + milliseconds(99)).empty());
  auto due = book.Due(t0 + milliseconds(100));
  REQUIRE(due.size() == 1);
  CHECK(due[0].state == TradeState::kPaid);
  CHECK(book.Due(t0 + milliseconds(200)).empty());  // reported once
  CHECK(book.Get(Gateway::kAlipay, "nope", t0).status().code() == codes::kGatewayRefused);
}

TEST_CASE("sandbox book: the outcome depends on the seed and the trade, not the order") {
  SandboxFaults f = NoFailures();
  f.fail_permille = 300;
  SandboxBook a(7, f), b(7, f);
  const auto t0 = Clock::now();
  for (int i = 0; i < 200; ++i) {
    REQUIRE(a.Create(Gateway::kAlipay, "p" + std::to_string(i), Cny(1), "", t0).ok());
  }
  for (int i = 199; i >= 0; --i) {
    REQUIRE(b.Create(Gateway::kAlipay, "p" + std::to_string(i), Cny(1), "", t0).ok());
  }
  int failed = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string id = "p" + std::to_string(i);
    const auto x = a.Get(Gateway::kAlipay, id, t0 + milliseconds(100));
    const auto y = b.Get(Gateway::kAlipay, id, t0 + milliseconds(100));
    CHECK(x->state == y->state);
    if (x->state == TradeState::kFailed) ++failed;
  }
  CHECK(failed > 30);  // about 60 of 200
  CHECK(failed < 100);
}

TEST_CASE("sandbox book: closing a pending trade closes it, a paid one is refused") {
  SandboxBook book(1, NoFailures());
  const auto t0 = Clock::now();
  REQUIRE(book.Create(Gateway::kAlipay, "open", Cny(100), "", t0).ok());
  REQUIRE(book.Create(Gateway::kAlipay, "paid", Cny(100), "", t0).ok());
  auto closed = book.Close(Gateway::kAlipay, "open", t0);
  REQUIRE(closed.ok());
  CHECK(closed->state == TradeState::kClosed);
  CHECK(book.Close(Gateway::kAlipay, "open", t0).ok());  // again: still closed
  const auto due = book.Due(t0 + milliseconds(500));     // "open" closed, "paid" paid
  REQUIRE(due.size() == 2);
  CHECK(due[0].state == TradeState::kClosed);
  CHECK(due[1].state == TradeState::kPaid);
  auto refused = book.Close(Gateway::kAlipay, "paid", t0 + milliseconds(500));
  CHECK(refused.status().code() == codes::kGatewayRefused);
  CHECK(refused.status().message().find("TRADE_STATUS_ERROR") != std::string::npos);
}

TEST_CASE("sandbox book: with paid_after_close a closed trade is paid anyway") {
  SandboxFaults f = NoFailures();
  f.paid_after_close = true;
  SandboxBook book(1, f);
  const auto t0 = Clock::now();
  REQUIRE(book.Create(Gateway::kWechatPay, "late", Cny(100), "", t0).ok());
  auto c = book.Close(Gateway::kWechatPay, "late", t0);
  REQUIRE(c.ok());
  CHECK(c->state == TradeState::kPaid);
  CHECK(book.stats().paid_after_close == 1);
}

TEST_CASE("sandbox book: a refund is made once per number, however often it is asked") {
  SandboxBook book(1, NoFailures());
  const auto t0 = Clock::now();
  REQUIRE(book.Create(Gateway::kAlipay, "pay", Cny(1000), "", t0).ok());
  // Not paid yet: refused.
  CHECK(book.Refund(Gateway::kAlipay, "pay", "r1", Cny(100), t0).status().code() ==
        codes::kGatewayRefused);
  const auto t1 = t0 + milliseconds(100);
  auto r1 = book.Refund(Gateway::kAlipay, "pay", "r1", Cny(400), t1);
  REQUIRE(r1.ok());
  for (int i = 0; i < 3; ++i) {
    auto again = book.Refund(Gateway::kAlipay, "pay", "r1", Cny(400), t1);
    REQUIRE(again.ok());
    CHECK(again->gateway_refund_id == r1->gateway_refund_id);
  }
  CHECK(book.GetRefund(Gateway::kAlipay, "pay", "r1")->calls == 4);
  // More than is left: refused; exactly what is left: refunded in full.
  CHECK(book.Refund(Gateway::kAlipay, "pay", "r2", Cny(601), t1).status().code() ==
        codes::kGatewayRefused);
  REQUIRE(book.Refund(Gateway::kAlipay, "pay", "r3", Cny(600), t1).ok());
  CHECK(book.Get(Gateway::kAlipay, "pay", t1)->state == TradeState::kRefunded);
  const auto st = book.stats();
  CHECK(st.refunds_made == 2);
  CHECK(st.refund_calls == 7);
  CHECK(book.GetRefund(Gateway::kAlipay, "pay", "r2").status().code() == codes::kGatewayRefused);
}

// 2026-12-07 10:00:00 in Shanghai.
constexpr std::int64_t kWallStartNs = 1'796'608'800'000'000'000;
constexpr std::int64_t kMsNs = 1'000'000;

TEST_CASE("sandbox book: a payment carries the wall time it was paid at however late it is seen") {
  std::int64_t wall = kWallStartNs;
  SandboxBook book(1, NoFailures(), [&wall] { return wall; });
  const auto t0 = Clock::now();
  REQUIRE(book.Create(Gateway::kAlipay, "pay-1", Cny(100), "", t0).ok());
  wall += 99 * kMsNs;
  const auto pending = book.Get(Gateway::kAlipay, "pay-1", t0 + milliseconds(99));
  REQUIRE(pending.ok());
  CHECK(pending->state == TradeState::kPending);
  CHECK(pending->paid_at_unix_ns == 0);
  // Nobody asks until 2.5 s later: it was paid at pay_at all the same.
  wall = kWallStartNs + 2500 * kMsNs;
  const auto paid = book.Get(Gateway::kAlipay, "pay-1", t0 + milliseconds(2500));
  REQUIRE(paid.ok());
  CHECK(paid->state == TradeState::kPaid);
  CHECK(paid->paid_at_unix_ns == kWallStartNs + 100 * kMsNs);
  // Asking again does not move it.
  wall += 60'000 * kMsNs;
  CHECK(book.Get(Gateway::kAlipay, "pay-1", t0 + milliseconds(62'500))->paid_at_unix_ns ==
        kWallStartNs + 100 * kMsNs);
}

TEST_CASE("sandbox book: a failed or closed trade has no paid time and paid after close has one") {
  std::int64_t wall = kWallStartNs;
  SandboxFaults f = NoFailures();
  f.fail_permille = 1000;
  SandboxBook book(1, f, [&wall] { return wall; });
  const auto t0 = Clock::now();
  REQUIRE(book.Create(Gateway::kWechatPay, "fails", Cny(100), "", t0).ok());
  REQUIRE(book.Create(Gateway::kWechatPay, "closed", Cny(100), "", t0).ok());
  REQUIRE(book.Close(Gateway::kWechatPay, "closed", t0).ok());
  const auto failed = book.Get(Gateway::kWechatPay, "fails", t0 + milliseconds(100));
  CHECK(failed->state == TradeState::kFailed);
  CHECK(failed->paid_at_unix_ns == 0);
  CHECK(book.Get(Gateway::kWechatPay, "closed", t0 + milliseconds(100))->paid_at_unix_ns == 0);

  f.paid_after_close = true;
  book.SetFaults(f);
  REQUIRE(book.Create(Gateway::kWechatPay, "late", Cny(100), "", t0).ok());
  wall = kWallStartNs + 40 * kMsNs;
  const auto late = book.Close(Gateway::kWechatPay, "late", t0 + milliseconds(40));
  REQUIRE(late.ok());
  CHECK(late->state == TradeState::kPaid);
  CHECK(late->paid_at_unix_ns == kWallStartNs + 40 * kMsNs);
}

TEST_CASE("sandbox book: a refund carries the wall time and the order it was made in") {
  std::int64_t wall = kWallStartNs;
  SandboxBook book(1, NoFailures(), [&wall] { return wall; });
  const auto t0 = Clock::now();
  REQUIRE(book.Create(Gateway::kAlipay, "pay", Cny(1000), "", t0).ok());
  const auto t1 = t0 + milliseconds(100);
  // Numbers in the other order than they are made: the index follows the making.
  wall = kWallStartNs + 1000 * kMsNs;
  auto first = book.Refund(Gateway::kAlipay, "pay", "r9", Cny(300), t1);
  REQUIRE(first.ok());
  CHECK(first->made_at_unix_ns == kWallStartNs + 1000 * kMsNs);
  CHECK(first->made_index == 0);
  wall = kWallStartNs + 2000 * kMsNs;
  auto again = book.Refund(Gateway::kAlipay, "pay", "r9", Cny(300), t1);  // nothing moves
  REQUIRE(again.ok());
  CHECK(again->made_at_unix_ns == kWallStartNs + 1000 * kMsNs);
  auto second = book.Refund(Gateway::kAlipay, "pay", "r1", Cny(700), t1);
  REQUIRE(second.ok());
  CHECK(second->made_at_unix_ns == kWallStartNs + 2000 * kMsNs);
  CHECK(second->made_index == 1);
  const auto trades = book.Trades();
  REQUIRE(trades.size() == 1);
  CHECK(trades[0].refunds.at("r9").made_index == 0);
  CHECK(trades[0].refunds.at("r1").made_index == 1);
}

TEST_CASE("sandbox book: SettledTrades settles what is due and holds one gateway's trades") {
  std::int64_t wall = kWallStartNs;
  SandboxBook book(1, NoFailures(), [&wall] { return wall; });
  const auto t0 = Clock::now();
  REQUIRE(book.Create(Gateway::kAlipay, "a", Cny(100), "", t0).ok());
  REQUIRE(book.Create(Gateway::kWechatPay, "w", Cny(100), "", t0).ok());
  CHECK(book.SettledTrades(Gateway::kAlipay, t0)[0].state == TradeState::kPending);
  wall += 100 * kMsNs;
  const auto trades = book.SettledTrades(Gateway::kAlipay, t0 + milliseconds(100));
  REQUIRE(trades.size() == 1);
  CHECK(trades[0].out_trade_no == "a");
  CHECK(trades[0].state == TradeState::kPaid);
  CHECK(trades[0].paid_at_unix_ns == kWallStartNs + 100 * kMsNs);
  // The notifier still reports it (once): settling for a bill reports nothing.
  CHECK(book.Due(t0 + milliseconds(100)).size() == 2);
}

TEST_CASE("sandbox book: without a wall clock the system clock stamps the payment") {
  SandboxBook book(1, NoFailures());
  const auto t0 = Clock::now();
  const auto before = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  REQUIRE(book.Create(Gateway::kAlipay, "p", Cny(100), "", t0).ok());
  const auto paid = book.Get(Gateway::kAlipay, "p", t0 + milliseconds(100));
  REQUIRE(paid->state == TradeState::kPaid);
  // pay_at lies 100 ms after t0 on the steady clock; allow generous slack both ways.
  CHECK(paid->paid_at_unix_ns > before - 60'000 * kMsNs);
  CHECK(paid->paid_at_unix_ns < before + 60'000 * kMsNs);
}

}  // namespace
}  // namespace folio::gateways
