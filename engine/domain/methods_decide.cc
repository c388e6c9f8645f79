// Method configuration and customer preferences: decide and apply.
#include "engine/domain/codec.h"
#include "engine/domain/internal.h"
#include "engine/domain/methods.h"
#include "engine/domain/rejections.h"

namespace folio::domain {
namespace {

namespace rj = rejections;

bool KnownMethod(fb::Method m) { return m != fb::Method::Unknown && m <= fb::Method::MAX; }

// A zero amount may come without a currency; anything else must be in the
// rule's asset. Returns false on a mismatch.
bool Normalize(Asset asset, Money* m) {
  if (m->is_zero()) {
    *m = Money(asset, 0);
    return true;
  }
  return m->asset() == asset;
}

std::optional<Rejection> CheckRules(std::vector<AssetRulesSpec>* rules) {
  std::uint32_t seen = 0;
  for (AssetRulesSpec& r : *rules) {
    if (AssetCode(r.asset).empty()) return Reject(rj::kInvalidCommand, "unknown asset in rules");
    const std::uint32_t bit = 1u << static_cast<std::uint32_t>(r.asset);
    if ((seen & bit) != 0) return Reject(rj::kInvalidCommand, "an asset is listed twice");
    seen |= bit;
    for (Money* m : {&r.min_amount, &r.max_amount, &r.daily_limit, &r.monthly_limit, &r.fee.fixed,
                     &r.fee.min, &r.fee.max}) {
      if (!Normalize(r.asset, m)) return Reject(rj::kInvalidCommand, "amount in another asset");
    }
    if (!r.max_amount.is_zero() && r.min_amount.minor() > r.max_amount.minor()) {
      return Reject(rj::kInvalidCommand, "min_amount above max_amount");
    }
    if (!r.fee.max.is_zero() && r.fee.min.minor() > r.fee.max.minor()) {
      return Reject(rj::kInvalidCommand, "fee min above fee max");
    }
  }
  return std::nullopt;
}

flatbuffers::Offset<fb::AssetRules> BuildRules(flatbuffers::FlatBufferBuilder& b,
                                               const AssetRulesSpec& r) {
  const fb::Money fixed = r.fee.fixed.ToFb(), fmin = r.fee.min.ToFb(), fmax = r.fee.max.ToFb();
  const auto fee = fb::CreateFeeSchedule(b, r.fee.rate_bp, &fixed, &fmin, &fmax);
  const fb::Money min = r.min_amount.ToFb(), max = r.max_amount.ToFb();
  const fb::Money daily = r.daily_limit.ToFb(), monthly = r.monthly_limit.ToFb();
  return fb::CreateAssetRules(b, r.asset, &min, &max, &daily, &monthly, fee);
}

}  // namespace

Decision DecideMethodConfigure(StateStore& s, const MethodConfigure& c, const CommandContext& ctx) {
  if (!KnownMethod(c.method)) return Reject(rj::kInvalidCommand, "unknown method");
  std::vector<AssetRulesSpec> rules = c.rules;
  if (auto r = CheckRules(&rules)) return *r;
  (void)s;  // the configuration replaces whatever was there: nothing to check against
  const MethodConfig defaults = DefaultMethodConfig(c.method);
  const std::uint32_t confirmations =
      c.confirmations_required.value_or(defaults.confirmations_required);
  const std::uint32_t timeout_s = c.payment_timeout_s.value_or(defaults.payment_timeout_s);
  Out out(ctx);
  out.Emit(MethodStream(c.method), fb::Event::MethodConfigured, [&](auto& b) {
    std::vector<flatbuffers::Offset<fb::AssetRules>> offsets;
    for (const AssetRulesSpec& r : rules) offsets.push_back(BuildRules(b, r));
    return fb::CreateMethodConfiguredDirect(b, c.method, c.enabled, &offsets, confirmations,
                                            timeout_s)
        .Union();
  });
  return out.Done();
}

Decision DecideSetPreference(StateStore& s, const CustomerSetPreference& c,
                             const CommandContext& ctx) {
  (void)s;
  if (!ValidId(c.customer_id)) return Reject(rj::kInvalidCommand, "customer_id");
  if (!KnownMethod(c.method)) return Reject(rj::kInvalidCommand, "unknown method");
  Out out(ctx);
  out.Emit(CustomerStream(c.customer_id), fb::Event::CustomerPreferenceSet, [&](auto& b) {
    return fb::CreateCustomerPreferenceSetDirect(b, c.customer_id.c_str(), c.method).Union();
  });
  return out.Done();
}

namespace {

AssetRules RulesFromFb(const fb::AssetRules& r) {
  AssetRules a;
  a.asset = r.asset();
  a.min_amount = MoneyOf(r.min_amount());
  a.max_amount = MoneyOf(r.max_amount());
  a.daily_limit = MoneyOf(r.daily_limit());
  a.monthly_limit = MoneyOf(r.monthly_limit());
  if (const fb::FeeSchedule* f = r.fee()) {
    a.fee_rate_bp = f->rate_bp();
    a.fee_fixed = MoneyOf(f->fixed());
    a.fee_min = MoneyOf(f->min());
    a.fee_max = MoneyOf(f->max());
  }
  return a;
}

void ApplyConfigured(StateStore& s, const fb::MethodConfigured& e) {
  MethodConfig c;
  c.enabled = e.enabled();
  if (e.rules() != nullptr) {
    for (const fb::AssetRules* r : *e.rules()) c.rules.push_back(RulesFromFb(*r));
  }
  c.confirmations_required = e.confirmations_required();
  c.payment_timeout_s = e.payment_timeout_s();
  StoreAs(s, MethodKey(e.method()), c);
}

void ApplyPreference(StateStore& s, const fb::CustomerPreferenceSet& e) {
  const std::string key = CustomerKey(Sv(e.customer_id()));
  CustomerState c = LoadAs<CustomerState>(s, key).value_or(CustomerState{});
  c.preference = e.method();
  StoreAs(s, key, c);
}

}  // namespace

void ApplyMethodEvent(StateStore& s, const fb::Envelope& env) {
  switch (env.event_type()) {
    case fb::Event::MethodConfigured:
      return ApplyConfigured(s, *env.event_as_MethodConfigured());
    case fb::Event::CustomerPreferenceSet:
      return ApplyPreference(s, *env.event_as_CustomerPreferenceSet());
    default:
      DomainCheck(false, "ApplyMethodEvent: not a method event");
  }
}

}  // namespace folio::domain
