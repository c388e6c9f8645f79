// The out-of-the-box configuration of every method. Keep docs/methods.md in
// step with this table: it is the contract operators read.
#include "engine/domain/codec.h"
#include "engine/domain/methods.h"

namespace folio::domain {
namespace {

Money M(Asset asset, std::string_view decimal) {
  Result<Money> m = Money::Parse(decimal, asset);
  DomainCheck(m.ok(), "bad default amount");
  return *m;
}

struct RuleSpec {
  Asset asset;
  std::string_view min, max, daily, monthly;
  std::uint32_t rate_bp;
  std::string_view fee_fixed, fee_min, fee_max;
};

AssetRules Rules(const RuleSpec& s) {
  AssetRules r;
  r.asset = s.asset;
  r.min_amount = M(s.asset, s.min);
  r.max_amount = M(s.asset, s.max);
  r.daily_limit = M(s.asset, s.daily);
  r.monthly_limit = M(s.asset, s.monthly);
  r.fee_rate_bp = s.rate_bp;
  r.fee_fixed = M(s.asset, s.fee_fixed);
  r.fee_min = M(s.asset, s.fee_min);
  r.fee_max = M(s.asset, s.fee_max);
  return r;
}

MethodConfig Config(std::initializer_list<RuleSpec> rules, std::uint32_t confirmations,
                    std::uint32_t timeout_s) {
  MethodConfig c;
  for (const RuleSpec& s : rules) c.rules.push_back(Rules(s));
  c.confirmations_required = confirmations;
  c.payment_timeout_s = timeout_s;
  return c;
}

constexpr std::uint32_t k15Min = 15 * 60;
constexpr std::uint32_t k30Min = 30 * 60;
constexpr std::uint32_t k1Hour = 60 * 60;
constexpr std::uint32_t k3Days = 3 * 24 * 60 * 60;

MethodConfig Usdt(std::uint32_t confirmations, std::string_view fee_min) {
  return Config({{Asset::USDT, "1", "1000000", "2000000", "20000000", 10, "0", fee_min, "0"}},
                confirmations, k1Hour);
}

}  // namespace

MethodConfig DefaultMethodConfig(fb::Method method) {
  using A = Asset;
  switch (method) {
    case fb::Method::Alipay:
    case fb::Method::WechatPay:
      return Config({{A::CNY, "0.01", "50000", "200000", "1000000", 60, "0", "0", "0"}}, 0, k15Min);
    case fb::Method::UnionPay:
      return Config({{A::CNY, "0.01", "100000", "500000", "2000000", 55, "0", "0", "0"}}, 0,
                    k15Min);
    case fb::Method::Card:
      return Config({{A::CNY, "1", "100000", "200000", "1000000", 290, "2", "0", "0"},
                     {A::USD, "1", "20000", "50000", "200000", 290, "0.30", "0", "0"},
                     {A::EUR, "1", "20000", "50000", "200000", 290, "0.30", "0", "0"},
                     {A::HKD, "1", "150000", "400000", "1500000", 290, "2.30", "0", "0"}},
                    0, k30Min);
    case fb::Method::BankTransfer:
      return Config({{A::CNY, "1", "5000000", "0", "0", 0, "5", "0", "0"}}, 0, k3Days);
    case fb::Method::UsdtTrc20:
      return Usdt(19, "1");
    case fb::Method::UsdtErc20:
      return Usdt(12, "5");
    case fb::Method::UsdtBep20:
      return Usdt(15, "0.5");
    case fb::Method::Btc:
      return Config({{A::BTC, "0.0001", "100", "200", "1000", 10, "0", "0.00001", "0"}}, 6, k1Hour);
    case fb::Method::Eth:
      return Config({{A::ETH, "0.001", "1000", "2000", "10000", 10, "0", "0.0001", "0"}}, 12,
                    k1Hour);
    case fb::Method::Unknown:
      break;
  }
  DomainCheck(false, "no defaults for method Unknown");
  return MethodConfig{};
}

}  // namespace folio::domain
