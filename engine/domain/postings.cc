#include "engine/domain/postings.h"

#include "engine/domain/codec.h"
#include "engine/domain/internal.h"
#include "engine/domain/methods.h"

namespace folio::domain {
namespace {

// Debits `dr` and credits `cr` with `amount`; nothing when the amount is zero.
void Pair(std::vector<Posting>& out, std::string dr, std::string cr, const Money& amount) {
  if (amount.is_zero()) return;
  const Money zero(amount.asset(), 0);
  out.push_back(Posting{std::move(dr), amount.asset(), amount, zero});
  out.push_back(Posting{std::move(cr), amount.asset(), zero, amount});
}

std::string Clearing(fb::Method m) { return "clearing:" + std::string(MethodName(m)); }
std::string FeeExpense(fb::Method m) { return "expense:fees:" + std::string(MethodName(m)); }
std::string CreditLiability(std::string_view customer) {
  return "liability:credit:" + std::string(customer);
}
template <typename E>
std::string TrustLiability(const E& e) {
  return "liability:trust:" + std::string(Sv(e.client_id())) + ":" + std::string(Sv(e.matter_id()));
}

void Settled(std::vector<Posting>& out, const fb::PaymentSettled& e) {
  if (e.destination() == fb::Destination::Operating) {
    Pair(out, Clearing(e.method()), "income:payments", MoneyOf(e.amount()));
    Pair(out, FeeExpense(e.method()), Clearing(e.method()), MoneyOf(e.gateway_fee()));
    return;
  }
  // Trust: the amount posts with the TrustDepositRecorded of the same decision;
  // the gateway's fee is the firm's cost, never taken from client money.
  Pair(out, FeeExpense(e.method()), "bank:operating", MoneyOf(e.gateway_fee()));
}

void RefundSucceeded(std::vector<Posting>& out, const fb::RefundSucceeded& e) {
  // To credit: the CreditIssued of the same decision carries the postings.
  if (e.target() != fb::RefundTarget::OriginalMethod) return;
  Pair(out, "income:payments", Clearing(e.method()), MoneyOf(e.amount()));
}

void CreditIssued(std::vector<Posting>& out, const fb::CreditIssued& e) {
  const bool from_refund = e.source_refund_id() != nullptr && e.source_refund_id()->size() > 0;
  Pair(out, from_refund ? "income:payments" : "expense:credits",
       CreditLiability(Sv(e.customer_id())), MoneyOf(e.amount()));
}

void TrustFee(std::vector<Posting>& out, const fb::TrustFeeTransferred& e) {
  Pair(out, TrustLiability(e), "bank:trust", MoneyOf(e.amount()));
  Pair(out, "bank:operating", "income:legal_fees", MoneyOf(e.amount()));
}

}  // namespace

std::vector<Posting> PostingsFor(const fb::Envelope& env) {
  std::vector<Posting> out;
  using E = fb::Event;
  switch (env.event_type()) {
    case E::PaymentSettled:
      Settled(out, *env.event_as_PaymentSettled());
      break;
    case E::RefundSucceeded:
      RefundSucceeded(out, *env.event_as_RefundSucceeded());
      break;
    case E::CreditIssued:
      CreditIssued(out, *env.event_as_CreditIssued());
      break;
    case E::CreditApplied: {
      const auto* e = env.event_as_CreditApplied();
      Pair(out, CreditLiability(Sv(e->customer_id())), "income:payments", MoneyOf(e->amount()));
      break;
    }
    case E::CreditExpired: {
      const auto* e = env.event_as_CreditExpired();
      Pair(out, CreditLiability(Sv(e->customer_id())), "income:credits_expired",
           MoneyOf(e->amount()));
      break;
    }
    case E::CreditReversed: {
      const auto* e = env.event_as_CreditReversed();
      Pair(out, CreditLiability(Sv(e->customer_id())), "expense:credits", MoneyOf(e->amount()));
      break;
    }
    case E::TrustDepositRecorded: {
      const auto* e = env.event_as_TrustDepositRecorded();
      Pair(out, "bank:trust", TrustLiability(*e), MoneyOf(e->amount()));
      break;
    }
    case E::TrustDisbursementRecorded: {
      const auto* e = env.event_as_TrustDisbursementRecorded();
      Pair(out, TrustLiability(*e), "bank:trust", MoneyOf(e->amount()));
      break;
    }
    case E::TrustFeeTransferred:
      TrustFee(out, *env.event_as_TrustFeeTransferred());
      break;
    case E::TrustRefundedToClient: {
      const auto* e = env.event_as_TrustRefundedToClient();
      Pair(out, TrustLiability(*e), "bank:trust", MoneyOf(e->amount()));
      break;
    }
    case E::DiscrepancyDetected: {
      // An unexplained difference sits in suspense until someone resolves it.
      const auto* e = env.event_as_DiscrepancyDetected();
      const std::string account(Sv(e->account()));
      if (e->difference_is_debit()) {
        Pair(out, account, "suspense:reconciliation", MoneyOf(e->difference()));
      } else {
        Pair(out, "suspense:reconciliation", account, MoneyOf(e->difference()));
      }
      break;
    }
    case E::DiscrepancyResolved: {
      // Releases exactly what the detection parked.
      const auto* e = env.event_as_DiscrepancyResolved();
      const std::string account(Sv(e->account()));
      if (e->is_debit()) {
        Pair(out, "suspense:reconciliation", account, MoneyOf(e->amount()));
      } else {
        Pair(out, account, "suspense:reconciliation", MoneyOf(e->amount()));
      }
      break;
    }
    default:
      break;  // moves no money
  }
  return out;
}

void Post(Ledger& ledger, const std::vector<Posting>& postings) {
  for (const Posting& p : postings) {
    AccountBalance& b = ledger[{p.account, p.asset}];
    DomainCheck(b.debit <= ~u128{0} - p.debit.minor(), "ledger debit overflow");
    DomainCheck(b.credit <= ~u128{0} - p.credit.minor(), "ledger credit overflow");
    b.debit += p.debit.minor();
    b.credit += p.credit.minor();
  }
}

}  // namespace folio::domain
