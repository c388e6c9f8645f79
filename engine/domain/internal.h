// Shared plumbing of the decide and apply functions of engine/domain/*.cc.
// Not part of the domain's API (domain.h is).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/domain/aggregates.h"
#include "engine/domain/commands.h"
#include "engine/domain/domain.h"
#include "events/envelope.h"
#include "events/fields.h"

namespace folio::domain {

// Collects the envelopes of one decision; every envelope carries the
// command's context and occurred_at_ns = ctx.now_ns.
class Out {
 public:
  explicit Out(const CommandContext& ctx) : ctx_(ctx) {}
  void Emit(std::string stream_id, fb::Event type, const PayloadBuilder& build);
  Decision Done() { return std::move(events_); }

 private:
  const CommandContext& ctx_;
  Events events_;
};

inline Rejection Reject(std::string_view code, std::string message) {
  return Rejection{code, std::move(message)};
}

// An id is 1..128 bytes without '/', ':' or control characters, so that keys
// ("payment/{id}") and stream ids ("trust:{client}:{matter}") stay unambiguous.
bool ValidId(std::string_view id);
// A registered asset and a non-zero amount.
bool ValidAmount(const Money& m);

std::string PaymentStream(std::string_view id);
std::string CreditStream(std::string_view id);
std::string MethodStream(fb::Method method);
std::string CustomerStream(std::string_view id);
std::string TrustStream(std::string_view client, std::string_view matter);

// Reading event fields: Sv and MoneyOf (events/fields.h).

// Checked arithmetic inside Apply: Decide guaranteed it fits, so a failure is
// a broken invariant and aborts.
Money MustAdd(const Money& a, const Money& b);
Money MustSub(const Money& a, const Money& b);

// Decide, one function per command (payments.cc, refunds.cc, credits.cc,
// methods_decide.cc, trust.cc, scheduler.cc).
Decision DecidePaymentCreate(StateStore& s, const PaymentCreate& c, const CommandContext& ctx);
Decision DecidePaymentMarkPending(StateStore& s, const PaymentMarkPending& c,
                                  const CommandContext& ctx);
Decision DecidePaymentObserve(StateStore& s, const PaymentObserveConfirmations& c,
                              const CommandContext& ctx);
Decision DecidePaymentSettle(StateStore& s, const PaymentSettle& c, const CommandContext& ctx);
Decision DecidePaymentFail(StateStore& s, const PaymentFail& c, const CommandContext& ctx);
Decision DecidePaymentCancel(StateStore& s, const PaymentCancel& c, const CommandContext& ctx);
Decision DecideRefundRequest(StateStore& s, const RefundRequest& c, const CommandContext& ctx);
Decision DecideRefundSucceed(StateStore& s, const RefundSucceed& c, const CommandContext& ctx);
Decision DecideRefundFail(StateStore& s, const RefundFail& c, const CommandContext& ctx);
Decision DecideCreditIssue(StateStore& s, const CreditIssue& c, const CommandContext& ctx);
Decision DecideCreditApply(StateStore& s, const CreditApply& c, const CommandContext& ctx);
Decision DecideCreditReverse(StateStore& s, const CreditReverse& c, const CommandContext& ctx);
Decision DecideMethodConfigure(StateStore& s, const MethodConfigure& c, const CommandContext& ctx);
Decision DecideSetPreference(StateStore& s, const CustomerSetPreference& c,
                             const CommandContext& ctx);
Decision DecideTrustDeposit(StateStore& s, const TrustDeposit& c, const CommandContext& ctx);
Decision DecideTrustClear(StateStore& s, const TrustClearDeposit& c, const CommandContext& ctx);
Decision DecideTrustDisburse(StateStore& s, const TrustDisburse& c, const CommandContext& ctx);
Decision DecideTrustTransferFees(StateStore& s, const TrustTransferFees& c,
                                 const CommandContext& ctx);
Decision DecideTrustRefundClient(StateStore& s, const TrustRefundClient& c,
                                 const CommandContext& ctx);
Decision DecideClockAdvance(StateStore& s, const ClockAdvance& c, const CommandContext& ctx);

// Emitters shared by several decisions.
// `after_close`: the payment was closed or past its expiry (PaymentSettled's
// after_close); unless it is trust money, its refund "late<payment>" is
// requested in the same decision.
void EmitPaymentSettled(Out& out, std::string_view payment_id, const PaymentState& p,
                        std::string_view gateway_txn_id, const Money& gateway_fee,
                        bool after_close = false);

// Apply, one function per event (payments_apply.cc, refunds.cc, credits.cc,
// methods_decide.cc, trust_apply.cc).
void ApplyPaymentEvent(StateStore& s, const fb::Envelope& env);
void ApplyRefundEvent(StateStore& s, const fb::Envelope& env);
void ApplyCreditEvent(StateStore& s, const fb::Envelope& env);
void ApplyMethodEvent(StateStore& s, const fb::Envelope& env);
void ApplyTrustEvent(StateStore& s, const fb::Envelope& env);

}  // namespace folio::domain
