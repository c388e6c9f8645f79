// StateKeysOf: the aggregate keys a command's Decide (and its events' Apply)
// or a raw event's Apply will read first, so the writer can fetch a whole
// group's in one batched read instead of one point read each. A hint: a key
// missing here is read on demand, a key listed but not read costs one lookup.
#include "engine/domain/domain.h"
#include "engine/domain/internal.h"
#include "engine/domain/limits.h"

namespace folio::domain {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

std::vector<std::string> StateKeysOf(const Command& command, std::int64_t now_ns) {
  std::vector<std::string> keys;
  std::visit(
      Overloaded{
          [&](const PaymentCreate& c) {
            keys.push_back(PaymentKey(c.payment_id));
            keys.push_back(MethodKey(c.method));
            keys.push_back(CustomerKey(c.customer_id));
            LimitKeys lk = LimitKeysFor(c.customer_id, c.method, c.amount.asset(), now_ns);
            keys.push_back(std::move(lk.day));
            keys.push_back(std::move(lk.month));
          },
          [&](const PaymentSettle& c) { keys.push_back(PaymentKey(c.payment_id)); },
          [&](const PaymentFail& c) { keys.push_back(PaymentKey(c.payment_id)); },
          [&](const PaymentCancel& c) { keys.push_back(PaymentKey(c.payment_id)); },
          [&](const PaymentMarkPending& c) { keys.push_back(PaymentKey(c.payment_id)); },
          [&](const RefundRequest& c) {
            keys.push_back(PaymentKey(c.payment_id));
            keys.push_back(RefundKey(c.refund_id));
          },
          [&](const RefundSucceed& c) { keys.push_back(RefundKey(c.refund_id)); },
          [&](const RefundFail& c) { keys.push_back(RefundKey(c.refund_id)); },
          [&](const CreditIssue& c) { keys.push_back(CreditKey(c.credit_id)); },
          [&](const CreditApply& c) { keys.push_back(CreditKey(c.credit_id)); },
          [&](const TrustDeposit& c) { keys.push_back(TrustMatterKey(c.client_id, c.matter_id)); },
          [&](const auto&) {},
      },
      command);
  return keys;
}

std::vector<std::string> StateKeysOf(const fb::Envelope& env) {
  std::vector<std::string> keys;
  switch (env.event_type()) {
    case fb::Event::PaymentCreated: {
      const auto* e = env.event_as_PaymentCreated();
      keys.push_back(PaymentKey(Sv(e->payment_id())));
      Money amount = MoneyOf(e->amount());
      LimitKeys lk =
          LimitKeysFor(Sv(e->customer_id()), e->method(), amount.asset(), env.occurred_at_ns());
      keys.push_back(std::move(lk.day));
      keys.push_back(std::move(lk.month));
      break;
    }
    case fb::Event::PaymentSettled: {
      const auto* e = env.event_as_PaymentSettled();
      keys.push_back(PaymentKey(Sv(e->payment_id())));
      keys.push_back(CustomerKey(Sv(e->customer_id())));
      break;
    }
    default:
      break;
  }
  return keys;
}

}  // namespace folio::domain
