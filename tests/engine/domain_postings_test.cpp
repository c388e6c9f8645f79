// Postings: every money event type posts balanced lines (the harness checks
// each event), the ledger invariants hold, and replaying the log rebuilds the
// live state byte for byte.
#include "engine/domain/aggregates.h"
#include "tests/engine/domain_harness.h"

namespace folio::domain::testing {
namespace {

PaymentCreate Pay(std::string id, Money amount, fb::Method method) {
  PaymentCreate c;
  c.payment_id = std::move(id);
  c.customer_id = "c1";
  c.method = method;
  c.amount = amount;
  return c;
}

// Runs a history touching every event type that moves money.
void RunEverything(Harness& h) {
  const std::int64_t t0 = h.ctx.now_ns;
  h.Ok(Pay("p1", Cny("100.00"), fb::Method::Alipay));
  h.Ok(PaymentSettle{"p1", "g1", std::nullopt, std::nullopt});
  h.Ok(RefundRequest{"r1", "p1", Cny("30.00"), fb::RefundTarget::OriginalMethod, "", "", {}});
  h.Ok(RefundSucceed{"r1", "gr1"});
  h.Ok(RefundRequest{"r2", "p1", Cny("20.00"), fb::RefundTarget::CustomerCredit, "", "cr1",
                     t0 + 10 * kSecond});
  h.Ok(RefundSucceed{"r2", ""});
  h.Ok(CreditApply{"cr1", "inv1", Cny("5.00"), "a1"});
  h.Ok(CreditIssue{"cr2", "c2", M("3.00", "USD"), std::nullopt, "goodwill"});
  h.Ok(CreditReverse{"cr2", ""});
  h.Ok(Pay("b1", M("0.5", "BTC"), fb::Method::Btc));
  h.Ok(PaymentObserveConfirmations{"b1", "0x1", 6, 1});
  TrustDeposit d{"t1", "cl1", "m1", Cny("500.00"), fb::Method::BankTransfer, "", "", false};
  h.Ok(d);
  h.Ok(TrustClearDeposit{"t1", "cl1", "m1"});
  h.Ok(TrustDisburse{"d1", "cl1", "m1", Cny("100.00"), "Court", "fee", ""});
  h.Ok(TrustTransferFees{"f1", "cl1", "m1", Cny("100.00"), "inv2"});
  h.Ok(TrustRefundClient{"rc1", "cl1", "m1", Cny("100.00"), ""});
  PaymentCreate tp = Pay("tp", Cny("50.00"), fb::Method::WechatPay);
  tp.destination = fb::Destination::Trust;
  tp.client_id = "cl2";
  tp.matter_id = "m9";
  h.Ok(tp);
  h.Ok(PaymentSettle{"tp", "g2", std::nullopt, std::nullopt});
  h.ctx.now_ns = t0 + 10 * kSecond;
  h.Ok(ClockAdvance{h.ctx.now_ns});  // cr1 expires with 15.00 left
}

TEST_CASE("every money event type posts, balanced, and the invariants hold") {
  Harness h;
  RunEverything(h);
  for (fb::Event e :
       {fb::Event::PaymentSettled, fb::Event::RefundSucceeded, fb::Event::CreditIssued,
        fb::Event::CreditApplied, fb::Event::CreditExpired, fb::Event::CreditReversed,
        fb::Event::TrustDepositRecorded, fb::Event::TrustDisbursementRecorded,
        fb::Event::TrustFeeTransferred, fb::Event::TrustRefundedToClient}) {
    CAPTURE(fb::EnumNameEvent(e));
    CHECK(h.posted_types[e] > 0);
  }
  h.CheckInvariants();
  CHECK(Balance(h.ledger, "liability:trust:cl1:m1", Asset::CNY) == -20000);
  CHECK(Balance(h.ledger, "liability:trust:cl2:m9", Asset::CNY) == -5000);
  CHECK(Balance(h.ledger, "bank:trust", Asset::CNY) == 25000);
  CHECK(Balance(h.ledger, "liability:credit:c1", Asset::CNY) == 0);
  CHECK(Balance(h.ledger, "clearing:btc", Asset::BTC) == 50'000'000 - 50'000);
}

TEST_CASE("replaying the log rebuilds the live state byte for byte") {
  Harness h;
  RunEverything(h);
  MemoryStateStore replayed;
  for (const std::string& bytes : h.log) Apply(replayed, *fb::GetEnvelope(bytes.data()));
  CHECK(replayed.map() == h.state.map());
  CHECK(replayed.map().size() > 20);
}

TEST_CASE("events that move no money post nothing") {
  Harness h;
  Decision d = h.Run(Pay("p", Cny("1.00"), fb::Method::Alipay));
  for (const auto& bytes : std::get<Events>(d)) {
    CHECK(PostingsFor(*fb::GetEnvelope(bytes.data())).empty());
  }
}

}  // namespace
}  // namespace folio::domain::testing
