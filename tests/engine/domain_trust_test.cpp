// Trust money: deposits, clearing, outflows, trust payments, rejection order.
#include "engine/domain/aggregates.h"
#include "tests/engine/domain_harness.h"

namespace folio::domain::testing {
namespace {

namespace rj = rejections;

TrustDeposit Deposit(std::string id, Money amount, bool cleared = true) {
  TrustDeposit d;
  d.deposit_id = std::move(id);
  d.client_id = "cl1";
  d.matter_id = "m1";
  d.amount = amount;
  d.reference = "BANK-1";
  d.cleared = cleared;
  return d;
}

TrustDisburse Disburse(std::string id, Money amount) {
  return TrustDisburse{std::move(id), "cl1", "m1", amount, "Court", "filing fee", ""};
}

TEST_CASE("issue example: disbursing more than the matter holds is trust_balance_insufficient") {
  Harness h;
  CHECK(h.Ok(Deposit("t1", Cny("5000.00"))) == std::vector{fb::Event::TrustDepositRecorded});
  CHECK(h.Rejected(Disburse("d1", Cny("6000.00"))) == rj::kTrustBalanceInsufficient);
}

TEST_CASE("trust: uncleared money cannot leave until it clears") {
  Harness h;
  h.Ok(Deposit("t1", Cny("100.00")));
  h.Ok(Deposit("t2", Cny("400.00"), false));
  CHECK(h.Rejected(Disburse("d1", Cny("500.01"))) == rj::kTrustBalanceInsufficient);
  CHECK(h.Rejected(Disburse("d1", Cny("100.01"))) == rj::kTrustUnclearedFunds);
  CHECK(h.Ok(TrustClearDeposit{"t2", "cl1", "m1"}) == std::vector{fb::Event::TrustDepositCleared});
  CHECK(h.Ok(Disburse("d1", Cny("300.00"))).size() == 1);
  CHECK(h.Ok(TrustTransferFees{"f1", "cl1", "m1", Cny("150.00"), "inv-9"}).size() == 1);
  CHECK(h.Ok(TrustRefundClient{"rc1", "cl1", "m1", Cny("50.00"), ""}).size() == 1);
  CHECK(h.Rejected(TrustRefundClient{"rc2", "cl1", "m1", Cny("0.01"), ""}) ==
        rj::kTrustBalanceInsufficient);
  CHECK(Balance(h.ledger, "bank:trust", Asset::CNY) == 0);
  CHECK(Balance(h.ledger, "liability:trust:cl1:m1", Asset::CNY) == 0);
  CHECK(Balance(h.ledger, "income:legal_fees", Asset::CNY) == -15000);
  CHECK(Balance(h.ledger, "bank:operating", Asset::CNY) == 15000);
}

// Payment "tp" of client cl1 into trust for matter m1.
PaymentCreate TrustPayment(fb::Method method, Money amount) {
  PaymentCreate c;
  c.payment_id = "tp";
  c.customer_id = "cl1";
  c.method = method;
  c.amount = amount;
  c.destination = fb::Destination::Trust;
  c.client_id = "cl1";
  c.matter_id = "m1";
  return c;
}

TEST_CASE("a payment to trust deposits to the matter when it settles") {
  Harness h;
  h.Ok(TrustPayment(fb::Method::BankTransfer, Cny("1000.00")));
  CHECK(h.Rejected(Disburse("d1", Cny("1.00"))) == rj::kTrustBalanceInsufficient);
  PaymentSettle s;
  s.payment_id = "tp";
  CHECK(h.Ok(s) == std::vector{fb::Event::PaymentSettled, fb::Event::TrustDepositRecorded});
  CHECK(Balance(h.ledger, "bank:trust", Asset::CNY) == 100000);
  CHECK(Balance(h.ledger, "expense:fees:bank_transfer", Asset::CNY) == 500);
  CHECK(Balance(h.ledger, "bank:operating", Asset::CNY) == -500);
  CHECK(h.Ok(Disburse("d1", Cny("1000.00"))).size() == 1);
}

TEST_CASE("a trust payment paid after close is deposited to its matter, not refunded by itself") {
  Harness h;
  h.Ok(TrustPayment(fb::Method::Alipay, Cny("300.00")));
  h.Ok(PaymentCancel{"tp", "client asked"});
  PaymentSettle s;
  s.payment_id = "tp";
  s.gateway_txn_id = "t1";
  CHECK(h.Rejected(s) == rj::kPaymentClosed);
  s.allow_closed = true;
  // Client money from the moment it arrived: it leaves by trust.refund_client.
  CHECK(h.Ok(s) == std::vector{fb::Event::PaymentSettled, fb::Event::TrustDepositRecorded});
  CHECK(!h.state.Load(RefundKey(LateRefundId("tp"))).has_value());
  CHECK(Balance(h.ledger, "bank:trust", Asset::CNY) == 30000);
}

TEST_CASE("trust rejections in documented order") {
  Harness h;
  h.Ok(Deposit("t1", Cny("100.00")));
  h.Ok(Deposit("t2", Cny("50.00"), false));
  h.Ok(Disburse("used", Cny("1.00")));
  TrustDeposit other_matter = Deposit("t3", Cny("1.00"));
  other_matter.matter_id = "m2";
  struct Row {
    const char* name;
    Command cmd;
    std::string_view code;
  } rows[] = {
      {"deposit invalid", Deposit("a/b", Cny("1.00")), rj::kInvalidCommand},
      {"deposit zero", Deposit("t9", Cny("0")), rj::kInvalidCommand},
      {"deposit twice", Deposit("t1", Cny("1.00")), rj::kTrustDepositAlreadyExists},
      {"clear missing", TrustClearDeposit{"nope", "cl1", "m1"}, rj::kTrustDepositNotFound},
      {"clear wrong matter", TrustClearDeposit{"t2", "cl1", "m2"}, rj::kTrustDepositNotFound},
      {"clear twice", TrustClearDeposit{"t1", "cl1", "m1"}, rj::kTrustDepositAlreadyCleared},
      {"disburse invalid", Disburse("", Cny("1.00")), rj::kInvalidCommand},
      {"disburse id used", Disburse("used", Cny("1000.00")), rj::kTrustTransactionAlreadyExists},
      {"overdraw", Disburse("d", Cny("149.01")), rj::kTrustBalanceInsufficient},
      {"uncleared", Disburse("d", Cny("99.01")), rj::kTrustUnclearedFunds},
      {"other asset", Disburse("d", M("1.00", "USD")), rj::kTrustBalanceInsufficient},
      {"fee overdraw", TrustTransferFees{"f", "cl1", "m1", Cny("150.00"), ""},
       rj::kTrustBalanceInsufficient},
      {"refund uncleared", TrustRefundClient{"r", "cl1", "m1", Cny("100.00"), ""},
       rj::kTrustUnclearedFunds},
      {"other matter empty", TrustDisburse{"d", "cl1", "m2", Cny("1.00"), "", "", ""},
       rj::kTrustBalanceInsufficient},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    CHECK(h.Rejected(r.cmd) == r.code);
  }
  CHECK(h.Ok(Disburse("d", Cny("99.00"))).size() == 1);
}

}  // namespace
}  // namespace folio::domain::testing
