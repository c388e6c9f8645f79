// The sandbox gateway's books (adapters/gateways/sandbox_book.h): what the
// end-to-end gateway tests count on — idempotent creation, refunds made once,
// decisions that depend on the seed and the trade only.
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

}  // namespace
}  // namespace folio::gateways
