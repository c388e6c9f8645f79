// Payment methods: names, crypto networks, defaults (docs/methods.md), the
// effective configuration, fees, chain amounts and the method recommendation.
#pragma once

#include <optional>
#include <string_view>

#include "engine/domain/aggregates.h"
#include "engine/domain/state_store.h"
#include "events/money.h"
#include "events/status.h"
#include "schemas/envelope_generated.h"

namespace folio::domain {

// "alipay", "wechat_pay", ... ; "unknown" for Method::Unknown.
std::string_view MethodName(fb::Method method);
std::optional<fb::Method> MethodFromName(std::string_view name);
bool IsCryptoMethod(fb::Method method);
// "TRC20", "ERC20", "BEP20", "BTC", "ETH"; empty for non-crypto methods.
std::string_view MethodNetwork(fb::Method method);

// The documented out-of-the-box configuration (docs/methods.md).
// REQUIRES: method != Unknown.
MethodConfig DefaultMethodConfig(fb::Method method);
// The configuration in force: the last MethodConfigured, else the defaults.
MethodConfig EffectiveMethodConfig(StateStore& state, fb::Method method);

// rate_bp of amount, rounded half-up, plus fixed, clamped to [min, max]
// (max zero: no maximum). amount_overflow when a sum does not fit.
Result<Money> ComputeFee(const AssetRules& rules, const Money& amount);

// Converts an on-chain amount (the token's chain decimals: BEP20 USDT 18,
// TRC20/ERC20 USDT 6, BTC 8, ETH 18) to the asset's minor unit. Rejects
// precision_loss when the amount is not a whole number of minor units and
// invalid_command for a non-crypto method.
Result<Money> ChainAmountToAsset(fb::Method method, u128 chain_units);

// The customer's preference, else the method with most settled payments
// (ties: the lower method id), else nullopt.
std::optional<fb::Method> RecommendMethod(StateStore& state, std::string_view customer_id);

}  // namespace folio::domain
