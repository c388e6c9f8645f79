// Client trust money: decide and apply. A matter's balance per asset is split
// into cleared and uncleared money; only cleared money leaves the matter.
// Outflows check the whole balance first (trust_balance_insufficient: could
// never succeed) and then the cleared part (trust_uncleared_funds: may succeed
// once deposits clear).
#include "engine/domain/codec.h"
#include "engine/domain/internal.h"
#include "engine/domain/rejections.h"

namespace folio::domain {
namespace {

namespace rj = rejections;

TrustMatter LoadMatter(StateStore& s, std::string_view client, std::string_view matter) {
  return LoadAs<TrustMatter>(s, TrustMatterKey(client, matter)).value_or(TrustMatter{});
}

bool ValidMatter(std::string_view client, std::string_view matter) {
  return ValidId(client) && ValidId(matter);
}

// The checks every outflow (disbursement, fee transfer, refund to client) runs.
std::optional<Rejection> CheckOutflow(StateStore& s, std::string_view txn_id,
                                      std::string_view client, std::string_view matter,
                                      const Money& amount) {
  if (!ValidId(txn_id) || !ValidMatter(client, matter)) {
    return Reject(rj::kInvalidCommand, "ids must be valid");
  }
  if (!ValidAmount(amount)) return Reject(rj::kInvalidCommand, "amount must be positive");
  if (s.Load(TrustTxnKey(txn_id))) {
    return Reject(rj::kTrustTransactionAlreadyExists, std::string(txn_id));
  }
  const TrustBalance b = LoadMatter(s, client, matter).Get(amount.asset());
  const u128 total = b.cleared + b.uncleared;  // Apply keeps the sum within u128
  if (amount.minor() > total) {
    return Reject(rj::kTrustBalanceInsufficient,
                  "balance " + Money(amount.asset(), total).ToDisplay());
  }
  if (amount.minor() > b.cleared) {
    return Reject(rj::kTrustUnclearedFunds,
                  "cleared " + Money(amount.asset(), b.cleared).ToDisplay());
  }
  return std::nullopt;
}

}  // namespace

Decision DecideTrustDeposit(StateStore& s, const TrustDeposit& c, const CommandContext& ctx) {
  if (!ValidId(c.deposit_id) || !ValidMatter(c.client_id, c.matter_id)) {
    return Reject(rj::kInvalidCommand, "ids must be valid");
  }
  if (!ValidAmount(c.amount)) return Reject(rj::kInvalidCommand, "amount must be positive");
  if (s.Load(TrustDepositKey(c.deposit_id))) {
    return Reject(rj::kTrustDepositAlreadyExists, c.deposit_id);
  }
  const TrustBalance b = LoadMatter(s, c.client_id, c.matter_id).Get(c.amount.asset());
  if (c.amount.minor() > ~u128{0} - b.cleared - b.uncleared) {
    return Reject(rj::kAmountOverflow, "matter balance would not fit 128 bits");
  }
  Out out(ctx);
  out.Emit(TrustStream(c.client_id, c.matter_id), fb::Event::TrustDepositRecorded, [&](auto& bb) {
    const fb::Money amount = c.amount.ToFb();
    return fb::CreateTrustDepositRecordedDirect(bb, c.deposit_id.c_str(), c.client_id.c_str(),
                                                c.matter_id.c_str(), &amount, c.method,
                                                c.reference.c_str(), c.payer.c_str(), "", c.cleared)
        .Union();
  });
  return out.Done();
}

Decision DecideTrustClear(StateStore& s, const TrustClearDeposit& c, const CommandContext& ctx) {
  if (!ValidId(c.deposit_id) || !ValidMatter(c.client_id, c.matter_id)) {
    return Reject(rj::kInvalidCommand, "ids must be valid");
  }
  const auto d = LoadAs<TrustDepositState>(s, TrustDepositKey(c.deposit_id));
  if (!d || d->client_id != c.client_id || d->matter_id != c.matter_id) {
    return Reject(rj::kTrustDepositNotFound, c.deposit_id);
  }
  if (d->cleared) return Reject(rj::kTrustDepositAlreadyCleared, c.deposit_id);
  Out out(ctx);
  out.Emit(TrustStream(c.client_id, c.matter_id), fb::Event::TrustDepositCleared, [&](auto& b) {
    const fb::Money amount = d->amount.ToFb();
    return fb::CreateTrustDepositClearedDirect(b, c.deposit_id.c_str(), c.client_id.c_str(),
                                               c.matter_id.c_str(), &amount)
        .Union();
  });
  return out.Done();
}

Decision DecideTrustDisburse(StateStore& s, const TrustDisburse& c, const CommandContext& ctx) {
  if (auto r = CheckOutflow(s, c.disbursement_id, c.client_id, c.matter_id, c.amount)) return *r;
  Out out(ctx);
  out.Emit(TrustStream(c.client_id, c.matter_id), fb::Event::TrustDisbursementRecorded,
           [&](auto& b) {
             const fb::Money amount = c.amount.ToFb();
             return fb::CreateTrustDisbursementRecordedDirect(
                        b, c.disbursement_id.c_str(), c.client_id.c_str(), c.matter_id.c_str(),
                        &amount, c.payee.c_str(), c.purpose.c_str(), c.reference.c_str())
                 .Union();
           });
  return out.Done();
}

Decision DecideTrustTransferFees(StateStore& s, const TrustTransferFees& c,
                                 const CommandContext& ctx) {
  if (auto r = CheckOutflow(s, c.transfer_id, c.client_id, c.matter_id, c.amount)) return *r;
  Out out(ctx);
  out.Emit(TrustStream(c.client_id, c.matter_id), fb::Event::TrustFeeTransferred, [&](auto& b) {
    const fb::Money amount = c.amount.ToFb();
    return fb::CreateTrustFeeTransferredDirect(b, c.transfer_id.c_str(), c.client_id.c_str(),
                                               c.matter_id.c_str(), &amount, c.invoice_id.c_str())
        .Union();
  });
  return out.Done();
}

Decision DecideTrustRefundClient(StateStore& s, const TrustRefundClient& c,
                                 const CommandContext& ctx) {
  if (auto r = CheckOutflow(s, c.refund_id, c.client_id, c.matter_id, c.amount)) return *r;
  Out out(ctx);
  out.Emit(TrustStream(c.client_id, c.matter_id), fb::Event::TrustRefundedToClient, [&](auto& b) {
    const fb::Money amount = c.amount.ToFb();
    return fb::CreateTrustRefundedToClientDirect(b, c.refund_id.c_str(), c.client_id.c_str(),
                                                 c.matter_id.c_str(), &amount, c.reference.c_str())
        .Union();
  });
  return out.Done();
}

namespace {

void ApplyDeposit(StateStore& s, const fb::TrustDepositRecorded& e) {
  TrustDepositState d{std::string(Sv(e.client_id())), std::string(Sv(e.matter_id())),
                      MoneyOf(e.amount()), e.cleared()};
  StoreAs(s, TrustDepositKey(Sv(e.deposit_id())), d);
  TrustMatter m = LoadMatter(s, d.client_id, d.matter_id);
  TrustBalance& b = m.Mutable(d.amount.asset());
  DomainCheck(d.amount.minor() <= ~u128{0} - b.cleared - b.uncleared, "trust balance overflow");
  (d.cleared ? b.cleared : b.uncleared) += d.amount.minor();
  StoreAs(s, TrustMatterKey(d.client_id, d.matter_id), m);
}

void ApplyCleared(StateStore& s, const fb::TrustDepositCleared& e) {
  const std::string_view id = Sv(e.deposit_id());
  auto d = LoadAs<TrustDepositState>(s, TrustDepositKey(id));
  DomainCheck(d.has_value() && !d->cleared, "apply: deposit not clearable");
  d->cleared = true;
  StoreAs(s, TrustDepositKey(id), *d);
  TrustMatter m = LoadMatter(s, d->client_id, d->matter_id);
  TrustBalance& b = m.Mutable(d->amount.asset());
  DomainCheck(b.uncleared >= d->amount.minor(), "apply: uncleared underflow");
  b.uncleared -= d->amount.minor();
  b.cleared += d->amount.minor();
  StoreAs(s, TrustMatterKey(d->client_id, d->matter_id), m);
}

void ApplyOutflow(StateStore& s, std::string_view txn_id, std::string_view client,
                  std::string_view matter, const Money& amount) {
  Writer marker;
  marker.U8(kStateVersion);
  marker.Amount(amount);
  s.Store(TrustTxnKey(txn_id), marker.Take());
  TrustMatter m = LoadMatter(s, client, matter);
  TrustBalance& b = m.Mutable(amount.asset());
  DomainCheck(b.cleared >= amount.minor(), "apply: trust balance would go negative");
  b.cleared -= amount.minor();
  StoreAs(s, TrustMatterKey(client, matter), m);
}

template <typename E>
void Outflow(StateStore& s, const E& e, std::string_view txn_id) {
  ApplyOutflow(s, txn_id, Sv(e.client_id()), Sv(e.matter_id()), MoneyOf(e.amount()));
}

}  // namespace

void ApplyTrustEvent(StateStore& s, const fb::Envelope& env) {
  switch (env.event_type()) {
    case fb::Event::TrustDepositRecorded:
      return ApplyDeposit(s, *env.event_as_TrustDepositRecorded());
    case fb::Event::TrustDepositCleared:
      return ApplyCleared(s, *env.event_as_TrustDepositCleared());
    case fb::Event::TrustDisbursementRecorded: {
      const auto* e = env.event_as_TrustDisbursementRecorded();
      return Outflow(s, *e, Sv(e->disbursement_id()));
    }
    case fb::Event::TrustFeeTransferred: {
      const auto* e = env.event_as_TrustFeeTransferred();
      return Outflow(s, *e, Sv(e->transfer_id()));
    }
    case fb::Event::TrustRefundedToClient: {
      const auto* e = env.event_as_TrustRefundedToClient();
      return Outflow(s, *e, Sv(e->refund_id()));
    }
    default:
      DomainCheck(false, "ApplyTrustEvent: not a trust event");
  }
}

}  // namespace folio::domain
