// Methods, chain amounts, the Shanghai calendar and the state codec.
#include "engine/domain/aggregates.h"
#include "engine/domain/codec.h"
#include "engine/domain/methods.h"
#include "tests/engine/domain_harness.h"

namespace folio::domain::testing {
namespace {

namespace rj = rejections;

TEST_CASE("every method works out of the box with its documented defaults") {
  struct Row {
    fb::Method method;
    std::string_view name;
    Asset asset;
    std::uint32_t confirmations;
  } rows[] = {
      {fb::Method::Alipay, "alipay", Asset::CNY, 0},
      {fb::Method::WechatPay, "wechat_pay", Asset::CNY, 0},
      {fb::Method::UnionPay, "unionpay", Asset::CNY, 0},
      {fb::Method::Card, "card", Asset::HKD, 0},
      {fb::Method::BankTransfer, "bank_transfer", Asset::CNY, 0},
      {fb::Method::UsdtTrc20, "usdt_trc20", Asset::USDT, 19},
      {fb::Method::UsdtErc20, "usdt_erc20", Asset::USDT, 12},
      {fb::Method::UsdtBep20, "usdt_bep20", Asset::USDT, 15},
      {fb::Method::Btc, "btc", Asset::BTC, 6},
      {fb::Method::Eth, "eth", Asset::ETH, 12},
  };
  Harness h;
  for (const Row& r : rows) {
    CAPTURE(r.name);
    CHECK(MethodName(r.method) == r.name);
    CHECK(MethodFromName(r.name) == r.method);
    const MethodConfig cfg = DefaultMethodConfig(r.method);
    CHECK(cfg.enabled);
    CHECK(cfg.payment_timeout_s > 0);
    CHECK(cfg.confirmations_required == r.confirmations);
    REQUIRE(cfg.RulesFor(r.asset) != nullptr);
    PaymentCreate c;
    c.payment_id = "p-" + std::string(r.name);
    c.customer_id = "c1";
    c.method = r.method;
    c.amount = cfg.RulesFor(r.asset)->min_amount;
    CHECK(h.Ok(c).size() == 1);
  }
  CHECK_FALSE(MethodFromName("paypal").has_value());
  CHECK(DefaultMethodConfig(fb::Method::Alipay).rules[0].fee_rate_bp == 60);
}

TEST_CASE("method.configure replaces the whole configuration") {
  Harness h;
  MethodConfigure c;
  c.method = fb::Method::Card;
  c.rules.push_back(AssetRulesSpec{Asset::EUR, {}, M("10.00", "EUR"), {}, {}, {}});
  CHECK(h.Ok(c) == std::vector{fb::Event::MethodConfigured});
  const MethodConfig cfg = EffectiveMethodConfig(h.state, fb::Method::Card);
  CHECK(cfg.RulesFor(Asset::CNY) == nullptr);  // no longer accepted
  CHECK(cfg.RulesFor(Asset::EUR)->max_amount == M("10.00", "EUR"));
  CHECK(cfg.payment_timeout_s == DefaultMethodConfig(fb::Method::Card).payment_timeout_s);
  MethodConfigure dup = c;
  dup.rules.push_back(dup.rules[0]);
  MethodConfigure mixed = c;
  mixed.rules[0].daily_limit = Cny("1.00");
  MethodConfigure inverted = c;
  inverted.rules[0].min_amount = M("11.00", "EUR");
  MethodConfigure unknown = c;
  unknown.method = fb::Method::Unknown;
  for (const MethodConfigure& bad : {dup, mixed, inverted, unknown}) {
    CHECK(h.Rejected(bad) == rj::kInvalidCommand);
  }
}

TEST_CASE("chain amounts: BEP20 USDT has 18 decimals, USDT has 6") {
  const u128 e12 = 1'000'000'000'000;
  struct Row {
    fb::Method method;
    u128 chain_units;
    std::string_view code;  // empty: accepted
    u128 minor;
  } rows[] = {
      {fb::Method::UsdtBep20, 1'500'000 * e12, "", 1'500'000},
      {fb::Method::UsdtBep20, 1'500'000 * e12 + 1, rj::kPrecisionLoss, 0},
      {fb::Method::UsdtBep20, e12 - 1, rj::kPrecisionLoss, 0},
      {fb::Method::UsdtBep20, 0, "", 0},
      {fb::Method::UsdtTrc20, 1'234'567, "", 1'234'567},
      {fb::Method::UsdtErc20, 7, "", 7},
      {fb::Method::Btc, 123, "", 123},
      {fb::Method::Eth, 5, "", 5},
      {fb::Method::Alipay, 1, rj::kInvalidCommand, 0},
  };
  for (const Row& r : rows) {
    CAPTURE(MethodName(r.method));
    Result<Money> m = ChainAmountToAsset(r.method, r.chain_units);
    if (r.code.empty()) {
      REQUIRE(m.ok());
      CHECK(m->minor() == r.minor);
    } else {
      CHECK(m.status().code() == r.code);
    }
  }
}

TEST_CASE("Shanghai calendar: UTC+8, days and months roll at 16:00Z") {
  CHECK(ShanghaiDayKey(Utc(2026, 11, 21, 15, 59, 59)) == 20261121);
  CHECK(ShanghaiDayKey(Utc(2026, 11, 21, 16, 0, 0)) == 20261122);
  CHECK(ShanghaiMonthKey(Utc(2026, 11, 30, 16, 0, 0)) == 202612);
  CHECK(ShanghaiDayKey(Utc(2026, 12, 31, 16, 0, 0)) == 20270101);
  CHECK(ShanghaiDayKey(Utc(2028, 2, 28, 16, 0, 0)) == 20280229);  // leap day
  CHECK(ShanghaiDayKey(0) == 19700101);
  CHECK(ShanghaiDayKey(-1) == 19700101);  // 07:59:59.999 in Shanghai
  CHECK(ShanghaiDayKey(-8 * 3600 * kSecond - 1) == 19691231);
  for (std::int64_t days : {-800000, -1, 0, 1, 20779, 2932896}) {
    CHECK(DaysFromCivil(CivilFromDays(days)) == days);
  }
}

TEST_CASE("state codec: round trip is byte-identical") {
  PaymentState p;
  p.status = PaymentStatus::kSettled;
  p.customer_id = "c1";
  p.matter_id = "m";
  p.method = fb::Method::Eth;
  p.amount = Money(Asset::ETH, ~u128{0});
  p.due_at_ns = -5;
  p.confirmations = 12;
  const std::string bytes = Encode(p);
  PaymentState back;
  Decode(bytes, &back);
  CHECK(Encode(back) == bytes);
  CHECK(back.amount == p.amount);
  CHECK(back.due_at_ns == -5);
  MethodConfig cfg = DefaultMethodConfig(fb::Method::Card);
  MethodConfig cfg_back;
  Decode(Encode(cfg), &cfg_back);
  CHECK(Encode(cfg_back) == Encode(cfg));
  CHECK(cfg_back.rules.size() == 4);
}

}  // namespace
}  // namespace folio::domain::testing
