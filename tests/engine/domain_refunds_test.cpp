// Refunds: holds, partial and full refunds, refund to credit, rejection order.
#include "engine/domain/aggregates.h"
#include "tests/engine/domain_harness.h"

namespace folio::domain::testing {
namespace {

namespace rj = rejections;

void SettledPayment(Harness& h, const std::string& id, Money amount) {
  PaymentCreate c;
  c.payment_id = id;
  c.customer_id = "c1";
  c.method = fb::Method::Alipay;
  c.amount = amount;
  h.Ok(c);
  PaymentSettle s;
  s.payment_id = id;
  h.Ok(s);
}

RefundRequest Req(std::string refund, std::string payment, Money amount) {
  RefundRequest r;
  r.refund_id = std::move(refund);
  r.payment_id = std::move(payment);
  r.amount = amount;
  return r;
}

PaymentState Payment(Harness& h, const std::string& id) {
  return LoadAs<PaymentState>(h.state, PaymentKey(id)).value();
}

TEST_CASE("issue example: a second refund over the settled amount is refund_exceeds_settled") {
  Harness h;
  SettledPayment(h, "p1", Cny("100.00"));
  CHECK(h.Ok(Req("r1", "p1", Cny("60.00"))) == std::vector{fb::Event::RefundRequested});
  CHECK(h.Rejected(Req("r2", "p1", Cny("50.00"))) == rj::kRefundExceedsSettled);
}

TEST_CASE("holds: concurrent requests never exceed settled, failure releases the hold") {
  Harness h;
  SettledPayment(h, "p1", Cny("100.00"));
  // Two requests decided back to back before either succeeds.
  h.Ok(Req("r1", "p1", Cny("70.00")));
  h.Ok(Req("r2", "p1", Cny("30.00")));
  CHECK(Payment(h, "p1").held == Cny("100.00"));
  CHECK(h.Rejected(Req("r3", "p1", Cny("0.01"))) == rj::kRefundExceedsSettled);
  h.Ok(RefundFail{"r2", "gateway error"});
  CHECK(Payment(h, "p1").held == Cny("70.00"));
  h.Ok(RefundSucceed{"r1", "g-1"});
  CHECK(Payment(h, "p1").refunded == Cny("70.00"));
  CHECK(Payment(h, "p1").held == Cny("0"));
  CHECK(h.Rejected(Req("r3", "p1", Cny("30.01"))) == rj::kRefundExceedsSettled);
  h.Ok(Req("r3", "p1", Cny("30.00")));
  h.Ok(RefundSucceed{"r3", "g-3"});
  CHECK(Payment(h, "p1").refunded == Payment(h, "p1").settled);
  // Original-method refunds reverse income out of the gateway's clearing account.
  CHECK(Balance(h.ledger, "income:payments", Asset::CNY) == 0);
  CHECK(Balance(h.ledger, "clearing:alipay", Asset::CNY) == -60);  // the fee stays paid
}

TEST_CASE("one full refund to customer credit issues the credit") {
  Harness h;
  SettledPayment(h, "p1", Cny("100.00"));
  RefundRequest r = Req("r1", "p1", Cny("100.00"));
  r.target = fb::RefundTarget::CustomerCredit;
  r.credit_id = "cr1";
  h.Ok(r);
  CreditIssue steal{"cr1", "c2", Cny("1.00"), std::nullopt, ""};
  CHECK(h.Rejected(steal) == rj::kCreditAlreadyExists);  // reserved by the refund
  CHECK(h.Ok(RefundSucceed{"r1", ""}) ==
        std::vector{fb::Event::RefundSucceeded, fb::Event::CreditIssued});
  auto credit = LoadAs<CreditState>(h.state, CreditKey("cr1"));
  REQUIRE(credit.has_value());
  CHECK(credit->customer_id == "c1");
  CHECK(credit->remaining == Cny("100.00"));
  CHECK(Balance(h.ledger, "liability:credit:c1", Asset::CNY) == -10000);
  // A failed refund to credit frees the reserved credit id.
  SettledPayment(h, "p2", Cny("5.00"));
  RefundRequest r2 = Req("r2", "p2", Cny("5.00"));
  r2.target = fb::RefundTarget::CustomerCredit;
  h.Ok(r2);
  CHECK(h.state.Load(CreditKey("refund-r2")).has_value());
  h.Ok(RefundFail{"r2", "x"});
  CHECK_FALSE(h.state.Load(CreditKey("refund-r2")).has_value());
}

TEST_CASE("refund rejections in documented order") {
  Harness h;
  SettledPayment(h, "p1", Cny("100.00"));
  h.Ok(Req("r1", "p1", Cny("10.00")));
  h.Ok(RefundSucceed{"r1", ""});
  PaymentCreate open;
  open.payment_id = "open";
  open.customer_id = "c1";
  open.method = fb::Method::Alipay;
  open.amount = Cny("10.00");
  h.Ok(open);
  PaymentCreate trust = open;
  trust.payment_id = "tp";
  trust.destination = fb::Destination::Trust;
  trust.client_id = "cl";
  trust.matter_id = "m";
  h.Ok(trust);
  PaymentSettle st;
  st.payment_id = "tp";
  h.Ok(st);
  h.Ok(CreditIssue{"taken", "c1", Cny("1.00"), std::nullopt, ""});
  RefundRequest to_taken = Req("rx", "p1", Cny("1000.00"));
  to_taken.target = fb::RefundTarget::CustomerCredit;
  to_taken.credit_id = "taken";
  struct Row {
    const char* name;
    Command cmd;
    std::string_view code;
  } rows[] = {
      {"invalid id", Req("", "nope", Cny("1.00")), rj::kInvalidCommand},
      {"zero", Req("rx", "nope", Cny("0")), rj::kInvalidCommand},
      {"duplicate", Req("r1", "nope", Cny("1.00")), rj::kRefundAlreadyExists},
      {"no payment", Req("rx", "nope", Cny("1.00")), rj::kPaymentNotFound},
      {"unsettled", Req("rx", "open", Cny("1000.00")), rj::kPaymentNotSettled},
      {"trust payment", Req("rx", "tp", M("1000.00", "USD")), rj::kRefundTrustPayment},
      {"currency", Req("rx", "p1", M("1000.00", "USD")), rj::kCurrencyMismatch},
      {"credit taken", to_taken, rj::kCreditAlreadyExists},
      {"over", Req("rx", "p1", Cny("90.01")), rj::kRefundExceedsSettled},
      {"succeed unknown", RefundSucceed{"nope", ""}, rj::kRefundNotFound},
      {"succeed twice", RefundSucceed{"r1", ""}, rj::kRefundNotPending},
      {"fail done", RefundFail{"r1", ""}, rj::kRefundNotPending},
      {"fail invalid", RefundFail{"", ""}, rj::kInvalidCommand},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    CHECK(h.Rejected(r.cmd) == r.code);
  }
  CHECK(h.Ok(Req("rx", "p1", Cny("90.00"))).size() == 1);
}

}  // namespace
}  // namespace folio::domain::testing
