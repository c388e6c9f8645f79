#include "engine/domain/aggregates.h"

#include <algorithm>

#include "engine/domain/codec.h"
#include "engine/domain/methods.h"

namespace folio::domain {

const AssetRules* MethodConfig::RulesFor(Asset asset) const {
  for (const AssetRules& r : rules) {
    if (r.asset == asset) return &r;
  }
  return nullptr;
}

TrustBalance TrustMatter::Get(Asset asset) const {
  for (const TrustBalance& b : balances) {
    if (b.asset == asset) return b;
  }
  return TrustBalance{asset, 0, 0};
}

TrustBalance& TrustMatter::Mutable(Asset asset) {
  auto it = std::lower_bound(balances.begin(), balances.end(), asset,
                             [](const TrustBalance& b, Asset a) { return b.asset < a; });
  if (it == balances.end() || it->asset != asset) it = balances.insert(it, TrustBalance{asset});
  return *it;
}

std::string PaymentKey(std::string_view id) { return "payment/" + std::string(id); }
std::string RefundKey(std::string_view id) { return "refund/" + std::string(id); }
std::string CreditKey(std::string_view id) { return "credit/" + std::string(id); }
std::string MethodKey(fb::Method method) { return "method/" + std::string(MethodName(method)); }
std::string CustomerKey(std::string_view id) { return "customer/" + std::string(id); }
std::string TrustMatterKey(std::string_view client, std::string_view matter) {
  return "trust/" + std::string(client) + "/" + std::string(matter);
}
std::string TrustDepositKey(std::string_view id) { return "trust_deposit/" + std::string(id); }
std::string TrustTxnKey(std::string_view id) { return "trust_txn/" + std::string(id); }

namespace {

Reader Open(std::string_view in) {
  Reader r(in);
  DomainCheck(r.U8() == kStateVersion, "unknown state version");
  return r;
}

Writer Start() {
  Writer w;
  w.U8(kStateVersion);
  return w;
}

}  // namespace

std::string Encode(const PaymentState& s) {
  Writer w = Start();
  w.U8(static_cast<std::uint8_t>(s.status));
  for (const std::string* f :
       {&s.customer_id, &s.order_id, &s.invoice_id, &s.client_id, &s.matter_id}) {
    w.Str(*f);
  }
  w.U8(static_cast<std::uint8_t>(s.method));
  w.U8(static_cast<std::uint8_t>(s.destination));
  w.Amount(s.amount);
  w.Amount(s.fee);
  w.I64(s.created_at_ns);
  w.I64(s.due_at_ns);
  w.I64(s.expires_at_ns);
  w.U32(s.confirmations);
  for (const Money* m : {&s.settled, &s.gateway_fee, &s.refunded, &s.held}) w.Amount(*m);
  return w.Take();
}

void Decode(std::string_view in, PaymentState* s) {
  Reader r = Open(in);
  s->status = static_cast<PaymentStatus>(r.U8());
  for (std::string* f :
       {&s->customer_id, &s->order_id, &s->invoice_id, &s->client_id, &s->matter_id}) {
    *f = r.Str();
  }
  s->method = static_cast<fb::Method>(r.U8());
  s->destination = static_cast<fb::Destination>(r.U8());
  s->amount = r.Amount();
  s->fee = r.Amount();
  s->created_at_ns = r.I64();
  s->due_at_ns = r.I64();
  s->expires_at_ns = r.I64();
  s->confirmations = r.U32();
  for (Money* m : {&s->settled, &s->gateway_fee, &s->refunded, &s->held}) *m = r.Amount();
  r.Finish();
}

std::string Encode(const RefundState& s) {
  Writer w = Start();
  w.U8(static_cast<std::uint8_t>(s.status));
  w.Str(s.payment_id);
  w.Str(s.credit_id);
  w.Amount(s.amount);
  w.U8(static_cast<std::uint8_t>(s.target));
  w.I64(s.credit_expires_at_ns);
  return w.Take();
}

void Decode(std::string_view in, RefundState* s) {
  Reader r = Open(in);
  s->status = static_cast<RefundStatus>(r.U8());
  s->payment_id = r.Str();
  s->credit_id = r.Str();
  s->amount = r.Amount();
  s->target = static_cast<fb::RefundTarget>(r.U8());
  s->credit_expires_at_ns = r.I64();
  r.Finish();
}

std::string Encode(const CreditState& s) {
  Writer w = Start();
  w.U8(static_cast<std::uint8_t>(s.status));
  w.Str(s.customer_id);
  w.Amount(s.issued);
  w.Amount(s.remaining);
  w.I64(s.expires_at_ns);
  return w.Take();
}

void Decode(std::string_view in, CreditState* s) {
  Reader r = Open(in);
  s->status = static_cast<CreditStatus>(r.U8());
  s->customer_id = r.Str();
  s->issued = r.Amount();
  s->remaining = r.Amount();
  s->expires_at_ns = r.I64();
  r.Finish();
}

std::string Encode(const MethodConfig& s) {
  Writer w = Start();
  w.U8(s.enabled ? 1 : 0);
  w.U32(static_cast<std::uint32_t>(s.rules.size()));
  for (const AssetRules& a : s.rules) {
    w.U8(static_cast<std::uint8_t>(a.asset));
    for (const Money* m : {&a.min_amount, &a.max_amount, &a.daily_limit, &a.monthly_limit}) {
      w.Amount(*m);
    }
    w.U32(a.fee_rate_bp);
    for (const Money* m : {&a.fee_fixed, &a.fee_min, &a.fee_max}) w.Amount(*m);
  }
  w.U32(s.confirmations_required);
  w.U32(s.payment_timeout_s);
  return w.Take();
}

void Decode(std::string_view in, MethodConfig* s) {
  Reader r = Open(in);
  s->enabled = r.U8() != 0;
  const std::uint32_t n = r.U32();
  s->rules.clear();
  for (std::uint32_t i = 0; i < n; ++i) {
    AssetRules a;
    a.asset = static_cast<Asset>(r.U8());
    for (Money* m : {&a.min_amount, &a.max_amount, &a.daily_limit, &a.monthly_limit}) {
      *m = r.Amount();
    }
    a.fee_rate_bp = r.U32();
    for (Money* m : {&a.fee_fixed, &a.fee_min, &a.fee_max}) *m = r.Amount();
    s->rules.push_back(a);
  }
  s->confirmations_required = r.U32();
  s->payment_timeout_s = r.U32();
  r.Finish();
}

std::string Encode(const CustomerState& s) {
  Writer w = Start();
  w.U8(static_cast<std::uint8_t>(s.preference));
  for (std::uint64_t c : s.settled_count) w.U64(c);
  return w.Take();
}

void Decode(std::string_view in, CustomerState* s) {
  Reader r = Open(in);
  s->preference = static_cast<fb::Method>(r.U8());
  for (std::uint64_t& c : s->settled_count) c = r.U64();
  r.Finish();
}

std::string Encode(const TrustMatter& s) {
  Writer w = Start();
  w.U32(static_cast<std::uint32_t>(s.balances.size()));
  for (const TrustBalance& b : s.balances) {
    w.U8(static_cast<std::uint8_t>(b.asset));
    w.U128(b.cleared);
    w.U128(b.uncleared);
  }
  return w.Take();
}

void Decode(std::string_view in, TrustMatter* s) {
  Reader r = Open(in);
  const std::uint32_t n = r.U32();
  s->balances.clear();
  for (std::uint32_t i = 0; i < n; ++i) {
    TrustBalance b;
    b.asset = static_cast<Asset>(r.U8());
    b.cleared = r.U128();
    b.uncleared = r.U128();
    s->balances.push_back(b);
  }
  r.Finish();
}

std::string Encode(const TrustDepositState& s) {
  Writer w = Start();
  w.Str(s.client_id);
  w.Str(s.matter_id);
  w.Amount(s.amount);
  w.U8(s.cleared ? 1 : 0);
  return w.Take();
}

void Decode(std::string_view in, TrustDepositState* s) {
  Reader r = Open(in);
  s->client_id = r.Str();
  s->matter_id = r.Str();
  s->amount = r.Amount();
  s->cleared = r.U8() != 0;
  r.Finish();
}

}  // namespace folio::domain
