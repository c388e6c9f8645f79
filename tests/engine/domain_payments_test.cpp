// Payments: lifecycle, fees, crypto auto-settlement, limits and the rejection
// order of payment.create and payment.settle (docs/rejections.md).
#include "engine/domain/aggregates.h"
#include "engine/domain/methods.h"
#include "tests/engine/domain_harness.h"

namespace folio::domain::testing {
namespace {

namespace rj = rejections;

PaymentCreate Pay(std::string id, Money amount, fb::Method method = fb::Method::Alipay,
                  std::string customer = "c1") {
  PaymentCreate c;
  c.payment_id = std::move(id);
  c.customer_id = std::move(customer);
  c.order_id = "o-" + c.payment_id;
  c.method = method;
  c.amount = amount;
  return c;
}

PaymentSettle Settle(std::string id) {
  PaymentSettle c;
  c.payment_id = std::move(id);
  c.gateway_txn_id = "txn-" + c.payment_id;
  return c;
}

PaymentStatus StatusOf(Harness& h, const std::string& id) {
  auto p = LoadAs<PaymentState>(h.state, PaymentKey(id));
  REQUIRE(p.has_value());
  return p->status;
}

Money CreatedFee(Harness& h, const PaymentCreate& c) {
  Decision d = h.Run(c);
  REQUIRE(std::holds_alternative<Events>(d));
  const auto& bytes = std::get<Events>(d).at(0);
  const auto* e = fb::GetEnvelope(bytes.data())->event_as_PaymentCreated();
  REQUIRE(e != nullptr);
  return Money::FromFb(*e->fee());
}

MethodConfigure Rules(fb::Method m, Money min, Money max, Money daily, Money monthly) {
  MethodConfigure c;
  c.method = m;
  AssetRulesSpec r;
  r.asset = min.asset();
  r.min_amount = min;
  r.max_amount = max;
  r.daily_limit = daily;
  r.monthly_limit = monthly;
  c.rules.push_back(r);
  return c;
}

TEST_CASE("payment lifecycle: created, pending, settled, fee and postings recorded") {
  Harness h;
  CHECK(h.Ok(Pay("p1", Cny("100.00"))) == std::vector{fb::Event::PaymentCreated});
  CHECK(StatusOf(h, "p1") == PaymentStatus::kCreated);
  PaymentMarkPending pending{"p1", "trade-1", "qr://x"};
  CHECK(h.Ok(pending) == std::vector{fb::Event::PaymentPendingAtGateway});
  CHECK(StatusOf(h, "p1") == PaymentStatus::kPending);
  CHECK(h.Ok(Settle("p1")) == std::vector{fb::Event::PaymentSettled});
  CHECK(StatusOf(h, "p1") == PaymentStatus::kSettled);
  CHECK(Balance(h.ledger, "income:payments", Asset::CNY) == -10000);
  CHECK(Balance(h.ledger, "expense:fees:alipay", Asset::CNY) == 60);
  CHECK(Balance(h.ledger, "clearing:alipay", Asset::CNY) == 10000 - 60);
}

TEST_CASE("fee: rate half-up plus fixed, clamped to min and max") {
  Harness h;
  struct Row {
    Money amount;
    fb::Method method;
    Money fee;
  } rows[] = {
      {Cny("0.83"), fb::Method::Alipay, Cny("0")},     // 0.498 -> 0
      {Cny("0.84"), fb::Method::Alipay, Cny("0.01")},  // 0.504 -> 1
      {Cny("1.25"), fb::Method::Alipay, Cny("0.01")},  // 0.75 -> 1 (half-up)
      {Cny("100.00"), fb::Method::WechatPay, Cny("0.60")},
      {M("10.00", "USD"), fb::Method::Card, M("0.59", "USD")},   // 0.29 + 0.30
      {Cny("10.00"), fb::Method::BankTransfer, Cny("5.00")},     // fixed only
      {M("10", "USDT"), fb::Method::UsdtErc20, M("5", "USDT")},  // min 5 USDT
  };
  int n = 0;
  for (const Row& r : rows) {
    CAPTURE(n);
    CHECK(CreatedFee(h, Pay("f" + std::to_string(n++), r.amount, r.method)) == r.fee);
  }
  MethodConfigure cfg = Rules(fb::Method::UnionPay, Cny("0"), Cny("0"), Cny("0"), Cny("0"));
  cfg.rules[0].fee = FeeScheduleSpec{100, Cny("0.10"), Cny("1.00"), Cny("3.00")};
  h.Ok(cfg);
  CHECK(CreatedFee(h, Pay("u1", Cny("10.00"), fb::Method::UnionPay)) == Cny("1.00"));    // 0.20
  CHECK(CreatedFee(h, Pay("u2", Cny("200.00"), fb::Method::UnionPay)) == Cny("2.10"));   // 2.10
  CHECK(CreatedFee(h, Pay("u3", Cny("1000.00"), fb::Method::UnionPay)) == Cny("3.00"));  // 10.10
}

TEST_CASE("crypto payment settles itself at the required confirmations") {
  Harness h;
  h.Ok(Pay("b1", M("0.01", "BTC"), fb::Method::Btc));
  PaymentObserveConfirmations obs{"b1", "0xabc", 3, 100};
  CHECK(h.Ok(obs) == std::vector{fb::Event::CryptoConfirmationsObserved});
  CHECK(StatusOf(h, "b1") == PaymentStatus::kConfirming);
  // Seen on chain: no expiry any more.
  h.ctx.now_ns += 7200 * kSecond;
  CHECK(h.Ok(ClockAdvance{h.ctx.now_ns}).empty());
  obs.confirmations = 6;
  CHECK(h.Ok(obs) ==
        std::vector{fb::Event::CryptoConfirmationsObserved, fb::Event::PaymentSettled});
  CHECK(StatusOf(h, "b1") == PaymentStatus::kSettled);
  CHECK(h.Rejected(obs) == rj::kPaymentAlreadySettled);
  // The requirement is configurable.
  MethodConfigure eth;
  eth.method = fb::Method::Eth;
  eth.rules.push_back(AssetRulesSpec{Asset::ETH, {}, {}, {}, {}, {}});
  eth.confirmations_required = 2;
  h.Ok(eth);
  h.Ok(Pay("e1", M("1", "ETH"), fb::Method::Eth));
  CHECK(h.Ok(PaymentObserveConfirmations{"e1", "0xdef", 2, 7}).size() == 2);
}

TEST_CASE("a gateway pending after confirmations does not make the payment expirable again") {
  // Found by the reference model (domain_model_test.cpp): mark_pending used to
  // turn a confirming payment back into pending, so that past its timeout it
  // could neither settle (payment_expired) nor expire (its entry was gone).
  Harness h;
  h.Ok(Pay("b1", M("0.01", "BTC"), fb::Method::Btc));
  h.Ok(PaymentObserveConfirmations{"b1", "0xabc", 1, 100});
  h.Ok(PaymentMarkPending{"b1", "gw", ""});
  CHECK(StatusOf(h, "b1") == PaymentStatus::kConfirming);
  h.ctx.now_ns += 7200 * kSecond;
  CHECK(h.Ok(ClockAdvance{h.ctx.now_ns}).empty());
  CHECK(h.Ok(PaymentObserveConfirmations{"b1", "0xabc", 6, 105}).size() == 2);
}

TEST_CASE("payment.create rejections in documented order") {
  Harness h;
  h.Ok(Pay("p1", Cny("10.00")));
  MethodConfigure off;
  off.method = fb::Method::WechatPay;
  off.enabled = false;
  h.Ok(off);
  h.Ok(Rules(fb::Method::UnionPay, Cny("10.00"), Cny("100.00"), Cny("150.00"), Cny("200.00")));
  h.Ok(Pay("u0", Cny("100.00"), fb::Method::UnionPay, "c9"));
  h.ctx.now_ns += 86400 * kSecond;
  h.Ok(Pay("u1", Cny("90.00"), fb::Method::UnionPay, "c9"));
  // Each row also breaks every later check it can, so only order picks the code.
  struct Row {
    const char* name;
    PaymentCreate cmd;
    std::string_view code;
  } rows[] = {
      {"empty id", Pay("", Cny("1.00"), fb::Method::WechatPay), rj::kInvalidCommand},
      {"no method", Pay("x", Cny("1.00"), fb::Method::Unknown), rj::kInvalidCommand},
      {"zero amount", Pay("x", Cny("0"), fb::Method::WechatPay), rj::kInvalidCommand},
      {"duplicate", Pay("p1", M("1", "USD"), fb::Method::WechatPay), rj::kPaymentAlreadyExists},
      {"disabled", Pay("x", M("1", "USD"), fb::Method::WechatPay), rj::kMethodDisabled},
      {"currency", Pay("x", M("1", "USD"), fb::Method::Alipay), rj::kCurrencyNotAccepted},
      {"crypto currency", Pay("x", Cny("1"), fb::Method::Btc), rj::kCurrencyNotAccepted},
      {"below min", Pay("x", Cny("9.99"), fb::Method::UnionPay, "c9"), rj::kAmountBelowMin},
      {"above max", Pay("x", Cny("100.01"), fb::Method::UnionPay, "c9"), rj::kAmountAboveMax},
      {"daily", Pay("x", Cny("60.01"), fb::Method::UnionPay, "c9"), rj::kLimitDailyExceeded},
      {"monthly", Pay("x", Cny("10.01"), fb::Method::UnionPay, "c9"), rj::kLimitMonthlyExceeded},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    CHECK(h.Rejected(r.cmd) == r.code);
  }
  PaymentCreate trust = Pay("t", Cny("1.00"));
  trust.destination = fb::Destination::Trust;
  CHECK(h.Rejected(trust) == rj::kInvalidCommand);
  PaymentCreate net = Pay("n", M("1", "USDT"), fb::Method::UsdtTrc20);
  net.network = "ERC20";
  CHECK(h.Rejected(net) == rj::kInvalidCommand);
  CHECK(h.Ok(Pay("fits", Cny("10.00"), fb::Method::UnionPay, "c9")).size() == 1);
}

TEST_CASE("daily limit follows the Asia/Shanghai calendar day") {
  Harness h;
  h.Ok(Rules(fb::Method::Alipay, Cny("0"), Cny("0"), Cny("100.00"), Cny("0")));
  h.ctx.now_ns = Utc(2026, 11, 21, 15, 59, 59);  // 23:59:59 in Shanghai
  h.Ok(Pay("a", Cny("80.00")));
  CHECK(h.Rejected(Pay("b", Cny("30.00"))) == rj::kLimitDailyExceeded);
  h.ctx.now_ns = Utc(2026, 11, 21, 16, 0, 0);  // the next Shanghai day
  CHECK(h.Ok(Pay("b", Cny("30.00"))).size() == 1);
  h.Ok(Pay("c", Cny("70.00")));
  CHECK(h.Rejected(Pay("d", Cny("0.01"))) == rj::kLimitDailyExceeded);
  // A failed payment gives its usage back; another customer has its own limit.
  h.Ok(PaymentFail{"c", "declined", "E1"});
  CHECK(h.Ok(Pay("d", Cny("70.00"))).size() == 1);
  CHECK(h.Ok(Pay("e", Cny("100.00"), fb::Method::Alipay, "c2")).size() == 1);
}

TEST_CASE("monthly limit follows the Asia/Shanghai calendar month") {
  Harness h;
  h.Ok(Rules(fb::Method::Alipay, Cny("0"), Cny("0"), Cny("0"), Cny("250.00")));
  h.ctx.now_ns = Utc(2026, 11, 1, 0, 0, 0);  // 08:00 Nov 1 in Shanghai
  h.Ok(Pay("a", Cny("250.00")));
  h.ctx.now_ns = Utc(2026, 11, 30, 15, 59, 59);
  CHECK(h.Rejected(Pay("b", Cny("0.01"))) == rj::kLimitMonthlyExceeded);
  h.ctx.now_ns = Utc(2026, 11, 30, 16, 0, 0);  // Dec 1 00:00 in Shanghai
  CHECK(h.Ok(Pay("b", Cny("250.00"))).size() == 1);
  // Oct 31 16:00Z is already Nov 1 in Shanghai: counts toward November.
  h.ctx.now_ns = Utc(2026, 10, 31, 16, 0, 0);
  CHECK(h.Rejected(Pay("c", Cny("0.01"))) == rj::kLimitMonthlyExceeded);
  h.ctx.now_ns = Utc(2026, 10, 31, 15, 59, 59);
  CHECK(h.Ok(Pay("c", Cny("0.01"))).size() == 1);
}

TEST_CASE("settle, fail and cancel rejections in documented order") {
  Harness h;
  h.Ok(Pay("s", Cny("10.00")));
  h.Ok(Settle("s"));
  h.Ok(Pay("x", Cny("10.00")));
  h.Ok(PaymentCancel{"x", "user"});
  PaymentCreate later = Pay("later", Cny("10.00"));
  later.due_at_ns = h.ctx.now_ns + 3600 * kSecond;
  h.Ok(later);
  PaymentCreate quick = Pay("quick", Cny("10.00"));
  quick.timeout_s = 60;
  h.Ok(quick);
  h.Ok(Pay("open", Cny("10.00")));
  h.ctx.now_ns += 60 * kSecond;  // "quick" is past its expiry; no clock.advance yet
  PaymentSettle wrong_amount = Settle("open");
  wrong_amount.amount = Cny("9.99");
  PaymentSettle wrong_fee = Settle("open");
  wrong_fee.gateway_fee = M("0.10", "USD");
  struct Row {
    const char* name;
    Command cmd;
    std::string_view code;
  } rows[] = {
      {"invalid", Settle(""), rj::kInvalidCommand},
      {"missing", Settle("nope"), rj::kPaymentNotFound},
      {"settle twice", Settle("s"), rj::kPaymentAlreadySettled},
      {"fail settled", PaymentFail{"s", "", ""}, rj::kPaymentAlreadySettled},
      {"cancel settled", PaymentCancel{"s", ""}, rj::kPaymentAlreadySettled},
      {"settle cancelled", Settle("x"), rj::kPaymentClosed},
      {"cancel cancelled", PaymentCancel{"x", ""}, rj::kPaymentClosed},
      {"before due", Settle("later"), rj::kPaymentNotDue},
      {"pending before due", PaymentMarkPending{"later", "", ""}, rj::kPaymentNotDue},
      {"expired", Settle("quick"), rj::kPaymentExpired},
      {"amount", wrong_amount, rj::kSettleAmountMismatch},
      {"fee currency", wrong_fee, rj::kCurrencyMismatch},
      {"not crypto", PaymentObserveConfirmations{"open", "0x", 1, 1}, rj::kPaymentNotCrypto},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    CHECK(h.Rejected(r.cmd) == r.code);
  }
  PaymentSettle ok = Settle("open");
  ok.amount = Cny("10.00");
  ok.gateway_fee = Cny("0.05");
  CHECK(h.Ok(ok).size() == 1);
  CHECK(Balance(h.ledger, "expense:fees:alipay", Asset::CNY) == 6 + 5);  // 0.6% of 10.00, then 0.05
}

TEST_CASE("recommendation: preference, else most settled, else none") {
  Harness h;
  CHECK_FALSE(RecommendMethod(h.state, "c1").has_value());
  h.Ok(Pay("a", Cny("10.00"), fb::Method::Card));
  CHECK_FALSE(RecommendMethod(h.state, "c1").has_value());  // created is not used
  h.Ok(Settle("a"));
  CHECK(RecommendMethod(h.state, "c1") == fb::Method::Card);
  for (const char* id : {"b", "c"}) {
    h.Ok(Pay(id, Cny("10.00"), fb::Method::WechatPay));
    h.Ok(Settle(id));
  }
  CHECK(RecommendMethod(h.state, "c1") == fb::Method::WechatPay);
  h.Ok(CustomerSetPreference{"c1", fb::Method::UnionPay});
  CHECK(RecommendMethod(h.state, "c1") == fb::Method::UnionPay);
  CHECK(h.Rejected(CustomerSetPreference{"c1", fb::Method::Unknown}) == rj::kInvalidCommand);
}

}  // namespace
}  // namespace folio::domain::testing

namespace folio::domain::testing {
namespace {

// What a gateway reports for a payment the ledger closed.
PaymentSettle LateSettle(std::string id) {
  PaymentSettle c = Settle(std::move(id));
  c.allow_closed = true;
  return c;
}

TEST_CASE("paid after close: recorded with its refund in the same decision, only when allowed") {
  Harness h;
  PaymentCreate quick = Pay("quick", Cny("10.00"));
  quick.timeout_s = 60;
  h.Ok(quick);
  h.Ok(Pay("cancelled", Cny("20.00")));
  h.Ok(PaymentCancel{"cancelled", "user"});
  h.Ok(Pay("failed", Cny("30.00")));
  h.Ok(PaymentFail{"failed", "declined", "05"});
  h.Ok(Pay("open", Cny("40.00")));
  PaymentCreate overdue = Pay("overdue", Cny("50.00"));
  overdue.timeout_s = 90;
  h.Ok(overdue);
  h.ctx.now_ns += 100 * kSecond;
  // The clock expires "quick"; "overdue" is past its expiry, not yet expired.
  CHECK(h.Ok(ClockAdvance{h.ctx.now_ns - 30 * kSecond}) == std::vector{fb::Event::PaymentExpired});
  for (const char* id : {"quick", "cancelled", "failed"}) {
    CAPTURE(id);
    // Without allow_closed, refused as before.
    CHECK(h.Rejected(Settle(id)) == rj::kPaymentClosed);
  }
  CHECK(h.Rejected(Settle("overdue")) == rj::kPaymentExpired);
  for (const char* id : {"quick", "cancelled", "failed", "overdue"}) {
    CAPTURE(id);
    Decision d = h.Run(LateSettle(id));
    REQUIRE(std::holds_alternative<Events>(d));
    const auto& events = std::get<Events>(d);
    REQUIRE(events.size() == 2);
    const auto* settled = fb::GetEnvelope(events[0].data())->event_as_PaymentSettled();
    REQUIRE(settled != nullptr);
    CHECK(settled->after_close());
    const auto* refund = fb::GetEnvelope(events[1].data())->event_as_RefundRequested();
    REQUIRE(refund != nullptr);
    CHECK(refund->refund_id()->str() == LateRefundId(id));
    CHECK(refund->target() == fb::RefundTarget::OriginalMethod);
    CHECK(Money::FromFb(*refund->amount()) == Money::FromFb(*settled->amount()));
    auto p = LoadAs<PaymentState>(h.state, PaymentKey(id));
    REQUIRE(p.has_value());
    CHECK(p->status == PaymentStatus::kSettled);
    CHECK(p->held == p->amount);  // all of it is on its way back
    CHECK(h.Rejected(LateSettle(id)) == rj::kPaymentAlreadySettled);
  }
  // An open payment within its expiry settles as usual, allowed or not.
  Decision d = h.Run(LateSettle("open"));
  REQUIRE(std::holds_alternative<Events>(d));
  REQUIRE(std::get<Events>(d).size() == 1);
  CHECK_FALSE(
      fb::GetEnvelope(std::get<Events>(d)[0].data())->event_as_PaymentSettled()->after_close());
  // The refunds complete like any refund.
  for (const char* id : {"quick", "cancelled", "failed", "overdue"}) {
    CAPTURE(id);
    CHECK(h.Ok(RefundSucceed{LateRefundId(id), "g-" + std::string(id)}) ==
          std::vector{fb::Event::RefundSucceeded});
    auto p = LoadAs<PaymentState>(h.state, PaymentKey(id));
    CHECK(p->refunded == p->amount);
    CHECK(p->held.is_zero());
  }
}

TEST_CASE("paid after close: counts against the limits again, needs its refund id free") {
  Harness h;
  h.Ok(Rules(fb::Method::Alipay, Cny("0"), Cny("0"), Cny("100.00"), Cny("0")));
  h.Ok(Pay("a", Cny("80.00")));
  h.Ok(PaymentCancel{"a", "user"});  // its usage is given back...
  h.Ok(Pay("b", Cny("20.00")));
  h.Ok(LateSettle("a"));  // ...and taken again: 100.00 used
  CHECK(h.Rejected(Pay("c", Cny("0.01"))) == rj::kLimitDailyExceeded);
  // The late refund id is another payment's refund: refused, nothing recorded.
  h.Ok(Settle("b"));
  h.Ok(Pay("d", Cny("1.00"), fb::Method::Alipay, "c2"));
  h.Ok(PaymentCancel{"d", "user"});
  RefundRequest taken;
  taken.refund_id = LateRefundId("d");
  taken.payment_id = "b";
  taken.amount = Cny("1.00");
  h.Ok(taken);
  CHECK(h.Rejected(LateSettle("d")) == rj::kRefundAlreadyExists);
  CHECK(StatusOf(h, "d") == PaymentStatus::kCancelled);
  // A long payment id still gives a valid, distinct refund id.
  const std::string long_a(128, 'a'), long_b = std::string(127, 'a') + "b";
  CHECK(LateRefundId(long_a).size() <= 128);
  CHECK(LateRefundId(long_a) != LateRefundId(long_b));
  CHECK(LateRefundId("p1") == "latep1");
}

}  // namespace
}  // namespace folio::domain::testing
