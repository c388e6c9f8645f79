#include "engine/domain/methods.h"

#include <array>

#include "engine/domain/codec.h"
#include "engine/domain/rejections.h"

namespace folio::domain {
namespace {

struct MethodInfo {
  fb::Method method;
  std::string_view name;
  std::string_view network;  // empty: not crypto
  std::uint8_t chain_decimals;
};

constexpr std::array<MethodInfo, kMethodCount> kMethods = {{
    {fb::Method::Unknown, "unknown", "", 0},
    {fb::Method::Alipay, "alipay", "", 0},
    {fb::Method::WechatPay, "wechat_pay", "", 0},
    {fb::Method::UnionPay, "unionpay", "", 0},
    {fb::Method::Card, "card", "", 0},
    {fb::Method::BankTransfer, "bank_transfer", "", 0},
    {fb::Method::UsdtTrc20, "usdt_trc20", "TRC20", 6},
    {fb::Method::UsdtErc20, "usdt_erc20", "ERC20", 6},
    {fb::Method::UsdtBep20, "usdt_bep20", "BEP20", 18},
    {fb::Method::Btc, "btc", "BTC", 8},
    {fb::Method::Eth, "eth", "ETH", 18},
}};

const MethodInfo& Info(fb::Method method) {
  const auto i = static_cast<std::size_t>(method);
  DomainCheck(i < kMethods.size(), "method out of range");
  return kMethods[i];
}

u128 Pow10(std::uint8_t n) {
  u128 v = 1;
  for (std::uint8_t i = 0; i < n; ++i) v *= 10;
  return v;
}

}  // namespace

std::string_view MethodName(fb::Method method) { return Info(method).name; }

std::optional<fb::Method> MethodFromName(std::string_view name) {
  for (const MethodInfo& m : kMethods) {
    if (m.method != fb::Method::Unknown && m.name == name) return m.method;
  }
  return std::nullopt;
}

bool IsCryptoMethod(fb::Method method) { return !Info(method).network.empty(); }

std::string_view MethodNetwork(fb::Method method) { return Info(method).network; }

MethodConfig EffectiveMethodConfig(StateStore& state, fb::Method method) {
  std::optional<MethodConfig> stored = LoadAs<MethodConfig>(state, MethodKey(method));
  return stored ? *stored : DefaultMethodConfig(method);
}

Result<Money> ComputeFee(const AssetRules& rules, const Money& amount) {
  ASSIGN_OR_RETURN(u128 rate_part, ApplyBasisPointsHalfUp(amount.minor(), rules.fee_rate_bp));
  const u128 fixed = rules.fee_fixed.minor();
  if (rate_part > ~u128{0} - fixed) {
    return Status::Error(rejections::kAmountOverflow, "fee does not fit 128 bits");
  }
  u128 fee = rate_part + fixed;
  if (fee < rules.fee_min.minor()) fee = rules.fee_min.minor();
  if (!rules.fee_max.is_zero() && fee > rules.fee_max.minor()) fee = rules.fee_max.minor();
  return Money(amount.asset(), fee);
}

Result<Money> ChainAmountToAsset(fb::Method method, u128 chain_units) {
  if (!IsCryptoMethod(method)) {
    return Status::Error(rejections::kInvalidCommand, "not a crypto method");
  }
  const Asset asset = DefaultMethodConfig(method).rules.front().asset;
  const std::uint8_t chain = Info(method).chain_decimals;
  const std::uint8_t scale = AssetScale(asset);
  DomainCheck(chain >= scale, "chain has fewer decimals than the asset");
  const u128 divisor = Pow10(static_cast<std::uint8_t>(chain - scale));
  if (chain_units % divisor != 0) {
    return Status::Error(
        rejections::kPrecisionLoss,
        "amount has more decimals than " + std::string(AssetCode(asset)) + " carries");
  }
  return Money(asset, chain_units / divisor);
}

std::optional<fb::Method> RecommendMethod(StateStore& state, std::string_view customer_id) {
  std::optional<CustomerState> c = LoadAs<CustomerState>(state, CustomerKey(customer_id));
  if (!c) return std::nullopt;
  if (c->preference != fb::Method::Unknown) return c->preference;
  std::size_t best = 0;
  for (std::size_t i = 1; i < kMethodCount; ++i) {
    if (c->settled_count[i] > c->settled_count[best]) best = i;
  }
  if (best == 0) return std::nullopt;
  return static_cast<fb::Method>(best);
}

}  // namespace folio::domain
