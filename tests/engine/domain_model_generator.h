// The random command generator of tests/engine/domain_model_test.cpp: ids from
// small sliding pools and amounts near the edges, so that collisions, limits and
// overdraws happen often. Included by that test alone.
#pragma once

#include "tests/engine/domain_model.h"

namespace folio::domain::testing::model {

// ---------------------------------------------------------------------------
// The generator: ids from small sliding pools, amounts near the edges.

class Generator {
 public:
  Generator(u64 seed, const Model& model) : rng_(seed), model_(model) {}

  std::size_t U(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  bool P(std::size_t percent) { return U(100) < percent; }
  u128 Between(u128 lo, u128 hi) {  // inclusive
    const u128 span = hi - lo + 1;
    const u128 r = (static_cast<u128>(rng_()) << 64) | rng_();
    return lo + r % span;
  }

  // Moves the clock forward: mostly seconds, sometimes hours (Shanghai
  // midnights and month ends pass regularly).
  i64 Tick(i64 now) {
    const std::size_t r = U(100);
    if (r < 80) return now + static_cast<i64>(U(61)) * kSecond;
    if (r < 99) return now + static_cast<i64>(U(601)) * kSecond;
    return now + static_cast<i64>(U(12 * 3600 + 1)) * kSecond;
  }

  Command Next(i64 now) {
    now_ = now;
    static constexpr std::size_t kWeights[] = {22, 5, 6, 12, 3, 3, 10, 5, 3, 4,
                                               5,  2, 2, 1,  5, 2, 3,  2, 2, 5};
    std::size_t total = 0;
    for (std::size_t w : kWeights) total += w;
    std::size_t r = U(total), kind = 0;
    while (r >= kWeights[kind]) r -= kWeights[kind++];
    switch (kind) {
      case 0:
        return Create();
      case 1:
        return PaymentMarkPending{OldPayment(), "gw", ""};
      case 2:
        return PaymentObserveConfirmations{OldPayment(), "0xabc", static_cast<u32>(U(25)), 1};
      case 3:
        return Settle();
      case 4:
        return PaymentFail{OldPayment(), "declined", "05"};
      case 5:
        return PaymentCancel{OldPayment(), "asked"};
      case 6:
        return Refund();
      case 7:
        return RefundSucceed{RefundToFinish(), "g"};
      case 8:
        return RefundFail{RefundToFinish(), "timeout"};
      case 9:
        return IssueCredit();
      case 10:
        return ApplyCredit();
      case 11:
        return CreditReverse{Known("cr", credit_next_, 10, model_.credits_), "mistake"};
      case 12:
        return Configure();
      case 13:
        return CustomerSetPreference{Customer(), static_cast<M>(1 + U(10))};
      case 14:
        return Deposit();
      case 15:
        return TrustClearDeposit{Old("t", deposit_next_, 6), Client(), Matter()};
      case 16:
        return TrustDisburse{Txn(), Client(), Matter(), TrustAmount(), "Court", "filing", ""};
      case 17:
        return TrustTransferFees{Txn(), Client(), Matter(), TrustAmount(), "inv1"};
      case 18:
        return TrustRefundClient{Txn(), Client(), Matter(), TrustAmount(), ""};
      default: {
        const std::size_t t = U(10);
        const i64 jitter = static_cast<i64>(U(7201)) * kSecond;
        return ClockAdvance{t < 7 ? now : t < 9 ? now + jitter : now - jitter / 2};
      }
    }
  }

 private:
  // A fresh id sometimes, else one of the last `window` handed out.
  std::string Pick(const char* prefix, u64& next, std::size_t window, std::size_t fresh_pct) {
    if (next == 0 || P(fresh_pct)) return prefix + std::to_string(next++);
    return Old(prefix, next, window);
  }
  std::string Old(const char* prefix, u64 next, std::size_t window) {
    if (next == 0) return std::string(prefix) + "0";
    const u64 back = U(std::min<std::size_t>(window, static_cast<std::size_t>(next)));
    return prefix + std::to_string(next - 1 - back);
  }
  // An id of the pool, preferring one that exists (a second draw when the
  // first is unknown), so that most commands reach the later checks.
  template <typename Map>
  std::string Known(const char* prefix, u64 next, std::size_t window, const Map& known) {
    std::string id = Old(prefix, next, window);
    if (!known.count(id)) id = Old(prefix, next, window);
    return id;
  }
  // Mostly a requested refund, sometimes a late payment's ("late<payment>").
  std::string RefundToFinish() {
    if (P(15)) return "late" + Old("p", payment_next_, 10);
    return Known("r", refund_next_, 8, model_.refunds_);
  }
  std::string OldPayment() {
    return P(3) ? "p-none" : Known("p", payment_next_, 10, model_.payments_);
  }
  std::string Customer() { return "c" + std::to_string(1 + U(3)); }
  std::string Client() { return "cl" + std::to_string(1 + U(2)); }
  std::string Matter() { return "m" + std::to_string(1 + U(2)); }
  std::string Txn() { return Pick("x", txn_next_, 6, 60); }

  M Method() {
    static constexpr M kCommon[] = {M::Alipay, M::Card, M::UsdtTrc20, M::Btc, M::BankTransfer};
    if (P(75)) return kCommon[U(5)];
    return static_cast<M>(1 + U(10));
  }
  static Asset MainAsset(M m) { return DefaultConfig(m).rules.front().asset; }
  Asset AnyAsset() {
    static constexpr Asset kAssets[] = {Asset::CNY,  Asset::USD, Asset::EUR, Asset::HKD,
                                        Asset::USDT, Asset::BTC, Asset::ETH};
    return kAssets[U(7)];
  }

  // Zero, sub-unit, ordinary, large and very large amounts of `a`.
  Money Amount(Asset a) {
    const u128 unit = Unit(a);
    const std::size_t r = U(100);
    if (r < 2) return Money(a, 0);
    if (r < 10) return Money(a, Between(1, unit - 1));
    if (r < 80) return Money(a, Between(unit, 300 * unit));
    if (r < 95) return Money(a, Between(300 * unit, 6000 * unit));
    return Money(a, Between(10'000 * unit, 120'000 * unit));
  }

  Command Create() {
    PaymentCreate c;
    c.payment_id = Pick("p", payment_next_, 10, 80);
    c.customer_id = P(1) ? "" : Customer();
    c.order_id = "o";
    c.method = Method();
    c.amount = Amount(P(8) ? AnyAsset() : MainAsset(c.method));
    if (IsCrypto(c.method) && P(50)) c.network = NetworkOf(c.method);
    if (P(2)) c.network = "BTC";
    if (P(15)) {
      c.destination = fb::Destination::Trust;
      c.client_id = Client();
      c.matter_id = P(2) ? "" : Matter();
    }
    if (P(15)) c.due_at_ns = now_ + static_cast<i64>(U(7201)) * kSecond - 600 * kSecond;
    if (P(30)) {
      static constexpr u32 kTimeouts[] = {0, 60, 600, 3600};
      c.timeout_s = kTimeouts[U(4)];
    }
    return c;
  }

  Command Settle() {
    PaymentSettle c;
    c.payment_id = OldPayment();
    c.gateway_txn_id = "txn";
    auto it = model_.payments_.find(c.payment_id);
    if (it != model_.payments_.end()) {
      const MPayment& p = it->second;
      const std::size_t r = U(100);
      if (r < 20) c.amount = Money(p.asset, p.amount);
      if (r >= 20 && r < 24) c.amount = Money(p.asset, p.amount + 1);
      if (r >= 24 && r < 27)
        c.amount = Money(p.asset == Asset::CNY ? Asset::USD : Asset::CNY, p.amount);
      const std::size_t f = U(100);
      if (f < 20) c.gateway_fee = Money(p.asset, Between(0, p.amount / 50));
      if (f >= 20 && f < 25)
        c.gateway_fee = Money(p.asset == Asset::BTC ? Asset::ETH : Asset::BTC, 1);
    }
    c.allow_closed = P(30);  // a gateway's word: recorded even when closed
    return c;
  }

  Command Refund() {
    RefundRequest c;
    c.refund_id = Pick("r", refund_next_, 8, 70);
    c.payment_id = OldPayment();
    Asset a = Asset::CNY;
    u128 left = 100;
    auto it = model_.payments_.find(c.payment_id);
    if (it != model_.payments_.end()) {
      a = it->second.asset;
      const MPayment& p = it->second;
      left = p.settled >= p.refunded + p.held ? p.settled - p.refunded - p.held : 0;
      if (p.amount > 0 && left == 0) left = p.amount;
    }
    const std::size_t r = U(100);
    u128 amount = r < 35 ? left : r < 75 ? Between(1, left > 0 ? left : 1) : left + 1;
    if (P(2)) amount = 0;
    if (P(3)) a = a == Asset::CNY ? Asset::USD : Asset::CNY;
    c.amount = Money(a, amount);
    if (P(40)) {
      c.target = fb::RefundTarget::CustomerCredit;
      if (P(50)) c.credit_id = Pick("cr", credit_next_, 10, 60);
      if (P(50))
        c.credit_expires_at_ns = now_ + static_cast<i64>(U(2 * 86400)) * kSecond - 3600 * kSecond;
    }
    return c;
  }

  Command IssueCredit() {
    CreditIssue c;
    c.credit_id = Pick("cr", credit_next_, 10, 60);
    c.customer_id = Customer();
    const Asset a = P(80) ? Asset::CNY : Asset::USD;
    c.amount = Money(a, P(2) ? 0 : Between(1, 500 * Unit(a)));
    const std::size_t r = U(100);
    if (r < 5) c.expires_at_ns = now_ - static_cast<i64>(U(3600)) * kSecond;
    if (r >= 5 && r < 50) c.expires_at_ns = now_ + static_cast<i64>(1 + U(3 * 86400)) * kSecond;
    return c;
  }

  Command ApplyCredit() {
    CreditApply c;
    c.credit_id = Known("cr", credit_next_, 10, model_.credits_);
    c.invoice_id = "inv";
    Asset a = Asset::CNY;
    u128 left = 100;
    auto it = model_.credits_.find(c.credit_id);
    if (it != model_.credits_.end()) {
      a = it->second.asset;
      left = it->second.remaining > 0 ? it->second.remaining : 1;
    }
    const std::size_t r = U(100);
    u128 amount = r < 30 ? left : r < 80 ? Between(1, left) : left + 1;
    if (P(2)) amount = 0;
    if (P(4)) a = a == Asset::CNY ? Asset::USD : Asset::CNY;
    c.amount = Money(a, amount);
    return c;
  }

  Command Deposit() {
    TrustDeposit c;
    c.deposit_id = Pick("t", deposit_next_, 6, 70);
    c.client_id = Client();
    c.matter_id = Matter();
    const Asset a = P(80) ? Asset::CNY : Asset::USD;
    c.amount = Money(a, P(2) ? 0 : Between(1, 2000 * Unit(a)));
    c.cleared = P(60);
    return c;
  }

  // Around the balance of a random matter: exact, within, uncleared-only, over.
  Money TrustAmount() {
    const Asset a = P(80) ? Asset::CNY : Asset::USD;
    const MBalance b = Balance(a);
    const std::size_t r = U(100);
    u128 amount = 0;
    if (r < 25) amount = b.cleared;
    if (r >= 25 && r < 60) amount = Between(1, b.cleared > 0 ? b.cleared : 1);
    if (r >= 60 && r < 80) amount = b.cleared + Between(1, b.uncleared > 0 ? b.uncleared : 1);
    if (r >= 80) amount = b.cleared + b.uncleared + Between(1, 100 * Unit(a));
    if (amount == 0 || P(1)) amount = P(50) ? 0 : 1;
    return Money(a, amount);
  }
  MBalance Balance(Asset a) {
    // The matter the command will name is drawn after the amount, so look
    // at a random one: close enough to hit every branch often.
    auto it = model_.matters_.find({Client(), Matter(), a});
    return it == model_.matters_.end() ? MBalance{} : it->second;
  }

  Command Configure() {
    MethodConfigure c;
    c.method = Method();
    c.enabled = P(85);
    std::vector<Asset> assets;
    for (const MRules& r : DefaultConfig(c.method).rules) {
      if (!P(10)) assets.push_back(r.asset);
    }
    if (P(10)) assets.push_back(AnyAsset());
    for (Asset a : assets) {
      const u128 u = Unit(a);
      AssetRulesSpec s;
      s.asset = a;
      static constexpr u64 kMin[] = {0, 1, 10}, kMax[] = {0, 200, 5000, 50'000},
                           kDaily[] = {0, 500, 20'000}, kMonthly[] = {0, 3000, 100'000};
      s.min_amount = Money(a, kMin[U(3)] * u);
      s.max_amount = Money(a, kMax[U(4)] * u);
      s.daily_limit = Money(a, kDaily[U(3)] * u);
      s.monthly_limit = Money(a, kMonthly[U(4) % 3] * u);
      if (P(3)) s.min_amount = Money(a, 100'000 * u);  // above any max but "none"
      if (P(2)) s.daily_limit = Money(a == Asset::CNY ? Asset::USD : Asset::CNY, u);
      s.fee.rate_bp = static_cast<u32>(U(300));
      s.fee.fixed = Money(a, Between(0, u));
      s.fee.min = Money(a, Between(0, u));
      s.fee.max = Money(a, P(50) ? 0 : Between(0, 20 * u));
      c.rules.push_back(s);
    }
    if (P(15)) c.confirmations_required = static_cast<u32>(U(8));
    if (P(30)) {
      static constexpr u32 kTimeouts[] = {0, 120, 900, 3600};
      c.payment_timeout_s = kTimeouts[U(4)];
    }
    return c;
  }

  std::mt19937_64 rng_;
  const Model& model_;
  i64 now_ = 0;
  u64 payment_next_ = 0, refund_next_ = 0, credit_next_ = 0, deposit_next_ = 0, txn_next_ = 0;
};

}  // namespace folio::domain::testing::model
