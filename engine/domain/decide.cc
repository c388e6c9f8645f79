// The domain's entry points: dispatch of Decide, Apply and PrimaryStream.
#include "engine/domain/codec.h"
#include "engine/domain/domain.h"
#include "engine/domain/internal.h"

namespace folio::domain {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

Decision Decide(StateStore& s, const Command& command, const CommandContext& ctx) {
  return std::visit(
      Overloaded{
          [&](const PaymentCreate& c) { return DecidePaymentCreate(s, c, ctx); },
          [&](const PaymentMarkPending& c) { return DecidePaymentMarkPending(s, c, ctx); },
          [&](const PaymentObserveConfirmations& c) { return DecidePaymentObserve(s, c, ctx); },
          [&](const PaymentSettle& c) { return DecidePaymentSettle(s, c, ctx); },
          [&](const PaymentFail& c) { return DecidePaymentFail(s, c, ctx); },
          [&](const PaymentCancel& c) { return DecidePaymentCancel(s, c, ctx); },
          [&](const RefundRequest& c) { return DecideRefundRequest(s, c, ctx); },
          [&](const RefundSucceed& c) { return DecideRefundSucceed(s, c, ctx); },
          [&](const RefundFail& c) { return DecideRefundFail(s, c, ctx); },
          [&](const CreditIssue& c) { return DecideCreditIssue(s, c, ctx); },
          [&](const CreditApply& c) { return DecideCreditApply(s, c, ctx); },
          [&](const CreditReverse& c) { return DecideCreditReverse(s, c, ctx); },
          [&](const MethodConfigure& c) { return DecideMethodConfigure(s, c, ctx); },
          [&](const CustomerSetPreference& c) { return DecideSetPreference(s, c, ctx); },
          [&](const TrustDeposit& c) { return DecideTrustDeposit(s, c, ctx); },
          [&](const TrustClearDeposit& c) { return DecideTrustClear(s, c, ctx); },
          [&](const TrustDisburse& c) { return DecideTrustDisburse(s, c, ctx); },
          [&](const TrustTransferFees& c) { return DecideTrustTransferFees(s, c, ctx); },
          [&](const TrustRefundClient& c) { return DecideTrustRefundClient(s, c, ctx); },
          [&](const ClockAdvance& c) { return DecideClockAdvance(s, c, ctx); },
      },
      command);
}

void Apply(StateStore& s, const fb::Envelope& env) {
  using E = fb::Event;
  switch (env.event_type()) {
    case E::PaymentCreated:
    case E::PaymentBecameDue:
    case E::PaymentPendingAtGateway:
    case E::CryptoConfirmationsObserved:
    case E::PaymentSettled:
    case E::PaymentFailed:
    case E::PaymentCancelled:
    case E::PaymentExpired:
      return ApplyPaymentEvent(s, env);
    case E::RefundRequested:
    case E::RefundSucceeded:
    case E::RefundFailed:
      return ApplyRefundEvent(s, env);
    case E::CreditIssued:
    case E::CreditApplied:
    case E::CreditExpired:
    case E::CreditReversed:
      return ApplyCreditEvent(s, env);
    case E::MethodConfigured:
    case E::CustomerPreferenceSet:
      return ApplyMethodEvent(s, env);
    case E::TrustDepositRecorded:
    case E::TrustDepositCleared:
    case E::TrustDisbursementRecorded:
    case E::TrustFeeTransferred:
    case E::TrustRefundedToClient:
      return ApplyTrustEvent(s, env);
    default:
      // Reconciliation events keep no domain state.
      return;
  }
}

std::string PrimaryStream(const Command& command) {
  return std::visit(
      Overloaded{
          [](const PaymentCreate& c) { return PaymentStream(c.payment_id); },
          [](const PaymentMarkPending& c) { return PaymentStream(c.payment_id); },
          [](const PaymentObserveConfirmations& c) { return PaymentStream(c.payment_id); },
          [](const PaymentSettle& c) { return PaymentStream(c.payment_id); },
          [](const PaymentFail& c) { return PaymentStream(c.payment_id); },
          [](const PaymentCancel& c) { return PaymentStream(c.payment_id); },
          [](const RefundRequest& c) { return PaymentStream(c.payment_id); },
          // The payment is only known from state; the refund id routes the command.
          [](const RefundSucceed& c) { return "refund:" + c.refund_id; },
          [](const RefundFail& c) { return "refund:" + c.refund_id; },
          [](const CreditIssue& c) { return CreditStream(c.credit_id); },
          [](const CreditApply& c) { return CreditStream(c.credit_id); },
          [](const CreditReverse& c) { return CreditStream(c.credit_id); },
          [](const MethodConfigure& c) {
            return c.method <= fb::Method::MAX ? MethodStream(c.method) : std::string("method:");
          },
          [](const CustomerSetPreference& c) { return CustomerStream(c.customer_id); },
          [](const TrustDeposit& c) { return TrustStream(c.client_id, c.matter_id); },
          [](const TrustClearDeposit& c) { return TrustStream(c.client_id, c.matter_id); },
          [](const TrustDisburse& c) { return TrustStream(c.client_id, c.matter_id); },
          [](const TrustTransferFees& c) { return TrustStream(c.client_id, c.matter_id); },
          [](const TrustRefundClient& c) { return TrustStream(c.client_id, c.matter_id); },
          [](const ClockAdvance&) { return std::string("clock"); },
      },
      command);
}

}  // namespace folio::domain
