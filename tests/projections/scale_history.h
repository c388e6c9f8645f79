// A random, reproducible stream of domain commands for the projection scale
// tests: payments in every method and asset (settled, failed, cancelled,
// scheduled, expired, confirmed on chain, paid into trust), refunds to the
// method and to customer credit (succeeded and failed), credits issued,
// applied, reversed and expired, trust deposits (cleared on receipt or
// later), clearances, disbursements, fee transfers and refunds to clients,
// and a ClockAdvance every so often so the scheduler fires.
//
// Unlike RandomHistory (balances_history.h) it is generated on the fly, since
// a million events' worth of commands is too much to hold, and it keeps a
// model of what the domain will accept (open payments, refundable amounts,
// credit and cleared trust balances) so that few commands are rejected. The
// model is exact only when the commands run one by one in the order Next()
// returns them (one submitter). Business time moves about 8 s per command,
// one command in eight up to 10 minutes into the past (late or skewed
// clocks); a history of a million events spans about two months.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine/domain/domain.h"

namespace folio::testing {

struct TimedCommand {
  domain::Command command;
  std::int64_t now_ns = 0;
};

class ScaleHistory {
 public:
  explicit ScaleHistory(std::uint64_t seed) : rng_(seed) {}

  // The next command and the business time it runs at.
  TimedCommand Next() {
    while (queue_.empty()) Step();  // an abandoned payment is a step without a command
    TimedCommand out{std::move(queue_.front()), Time()};
    queue_.pop_front();
    ++index_;
    return out;
  }

 private:
  static constexpr std::int64_t kBaseNs = 1'790'000'000'000'000'000;
  static constexpr std::int64_t kStepNs = 8'000'000'000;
  static constexpr std::int64_t kMinuteNs = 60'000'000'000;
  static constexpr std::size_t kOpenPaymentsMax = 16;
  static constexpr std::size_t kPoolMax = 4096;  // refundable payments, credits, deposits
  static constexpr std::uint64_t kClockAdvanceEvery = 1000;
  static constexpr std::size_t kCustomers = 400;
  static constexpr std::size_t kClients = 60;
  static constexpr std::size_t kMattersPerClient = 4;
  // Enough for every method (the most any default requires is 19).
  static constexpr std::uint32_t kConfirmationsEnough = 64;

  struct OpenPayment {
    std::string id;
    bool crypto = false;
    bool trust = false;
    std::string matter_key;  // trust payments
    Money amount;
    std::string customer;
    bool advanced = false;  // marked pending / first confirmations seen
  };
  struct Refundable {
    std::string payment_id;
    std::string customer;
    Money remaining;
  };
  struct Credit {
    std::string id;
    Money remaining;
  };
  struct Matter {
    std::string client, matter;
    Asset asset = Asset::CNY;
    u128 cleared = 0;
  };
  struct PendingDeposit {
    std::string id;
    std::string matter_key;
    u128 amount = 0;
  };

  std::uint64_t Pick(std::uint64_t n) { return rng_() % n; }
  bool Chance(std::uint64_t percent) { return Pick(100) < percent; }
  std::string Id(const char* prefix) { return prefix + std::to_string(++ids_); }
  std::string Customer() { return "cu" + std::to_string(Pick(kCustomers)); }

  std::int64_t Time() {
    std::int64_t t = kBaseNs + static_cast<std::int64_t>(index_) * kStepNs;
    if (index_ % 8 == 5) t -= static_cast<std::int64_t>(Pick(10)) * kMinuteNs;
    time_max_ns_ = std::max(time_max_ns_, t);
    return t;
  }

  // Random amounts in minor units, per asset, inside every method's limits.
  Money Amount(Asset a) {
    switch (a) {
      case Asset::USDT:
        return Money(a, 1'000'000 + Pick(500'000'000));
      case Asset::BTC:
        return Money(a, 10'000 + Pick(10'000'000));
      case Asset::ETH:
        return Money(a, 1'000'000'000'000'000 + Pick(1'000'000'000'000'000'000));
      default:
        return Money(a, 1'000 + Pick(500'000));
    }
  }

  template <class Pool>
  void AddToPool(Pool& pool, typename Pool::value_type v) {
    if (pool.size() < kPoolMax) {
      pool.push_back(std::move(v));
    } else {
      pool[Pick(pool.size())] = std::move(v);
    }
  }
  template <class Pool>
  static void RemoveAt(Pool& pool, std::size_t i) {
    pool[i] = std::move(pool.back());
    pool.pop_back();
  }

  void Step() {
    if (index_ + queue_.size() >= next_clock_advance_) {
      next_clock_advance_ += kClockAdvanceEvery;
      queue_.push_back(domain::ClockAdvance{time_max_ns_});
      return;
    }
    const std::uint64_t r = Pick(100);
    if (r < 30) return NewPayment();
    if (r < 60) return AdvancePayment();
    if (r < 70) return Refund();
    if (r < 80) return CreditStep();
    return TrustStep();
  }

  void NewPayment() {
    if (open_.size() >= kOpenPaymentsMax) return AdvancePayment();
    static constexpr fb::Method kMethods[] = {
        fb::Method::Alipay,    fb::Method::WechatPay, fb::Method::UnionPay,
        fb::Method::Card,      fb::Method::Card,      fb::Method::BankTransfer,
        fb::Method::UsdtTrc20, fb::Method::UsdtErc20, fb::Method::UsdtBep20,
        fb::Method::Btc,       fb::Method::Eth};
    static constexpr Asset kCardAssets[] = {Asset::CNY, Asset::USD, Asset::EUR, Asset::HKD};
    domain::PaymentCreate c;
    c.method = kMethods[Pick(std::size(kMethods))];
    Asset asset = Asset::CNY;
    bool crypto = true;
    switch (c.method) {
      case fb::Method::Card:
        asset = kCardAssets[Pick(std::size(kCardAssets))];
        crypto = false;
        break;
      case fb::Method::UsdtTrc20:
      case fb::Method::UsdtErc20:
      case fb::Method::UsdtBep20:
        asset = Asset::USDT;
        break;
      case fb::Method::Btc:
        asset = Asset::BTC;
        break;
      case fb::Method::Eth:
        asset = Asset::ETH;
        break;
      default:
        crypto = false;
        break;
    }
    c.payment_id = Id("p");
    c.customer_id = Customer();
    c.order_id = "o" + c.payment_id;
    c.amount = Amount(asset);
    OpenPayment p{c.payment_id, crypto, false, {}, c.amount, c.customer_id, false};
    if (!crypto && asset == Asset::CNY && Chance(10)) {
      Matter& m = PickMatter(Asset::CNY);
      c.destination = fb::Destination::Trust;
      c.client_id = m.client;
      c.matter_id = m.matter;
      p.trust = true;
      p.matter_key = MatterKey(m.client, m.matter, Asset::CNY);
    }
    if (Chance(3)) {
      // Scheduled and never paid: falls due, then expires (ClockAdvance).
      c.due_at_ns = time_max_ns_ + 5 * kMinuteNs;
      queue_.push_back(std::move(c));
      return;
    }
    queue_.push_back(std::move(c));
    open_.push_back(std::move(p));
  }

  void AdvancePayment() {
    if (open_.empty()) return NewPayment();
    const std::size_t i = Pick(open_.size());
    OpenPayment& p = open_[i];
    if (!p.advanced && Chance(p.crypto ? 80 : 35)) {
      p.advanced = true;
      if (p.crypto) {
        queue_.push_back(domain::PaymentObserveConfirmations{p.id, "tx" + p.id, 1, 1 + ids_});
      } else {
        queue_.push_back(domain::PaymentMarkPending{p.id, "trade" + p.id, "qr"});
      }
      return;
    }
    const std::uint64_t r = Pick(100);
    if (r < 84) {
      Settle(p);
    } else if (r < 92) {
      queue_.push_back(domain::PaymentFail{p.id, "declined", "E42"});
    } else if (r < 97 && !(p.crypto && p.advanced)) {
      queue_.push_back(domain::PaymentCancel{p.id, "customer"});
    }
    // Otherwise abandoned: it expires at a ClockAdvance (unless it is
    // confirming on chain, which never expires).
    RemoveAt(open_, i);
  }

  void Settle(const OpenPayment& p) {
    if (p.crypto) {
      queue_.push_back(
          domain::PaymentObserveConfirmations{p.id, "tx" + p.id, kConfirmationsEnough, 2 + ids_});
    } else {
      domain::PaymentSettle s;
      s.payment_id = p.id;
      s.gateway_txn_id = "g" + p.id;
      if (Chance(20)) s.gateway_fee = Money(p.amount.asset(), Pick(500));
      queue_.push_back(std::move(s));
    }
    if (p.trust) {
      matters_[p.matter_key].cleared += p.amount.minor();
    } else {
      AddToPool(refundable_, Refundable{p.id, p.customer, p.amount});
    }
  }

  void Refund() {
    if (refundable_.empty()) return NewPayment();
    const std::size_t i = Pick(refundable_.size());
    Refundable& p = refundable_[i];
    const u128 left = p.remaining.minor();
    const u128 amount =
        Chance(20) ? left
                   : 1 + static_cast<u128>(
                             Pick(static_cast<std::uint64_t>(std::min<u128>(left, UINT64_MAX))));
    domain::RefundRequest r;
    r.refund_id = Id("r");
    r.payment_id = p.payment_id;
    r.amount = Money(p.remaining.asset(), amount);
    r.reason = "returned";
    const bool to_credit = Chance(25);
    if (to_credit) {
      r.target = fb::RefundTarget::CustomerCredit;
      r.credit_id = "rc" + r.refund_id;
    }
    queue_.push_back(r);
    if (Chance(15)) {
      queue_.push_back(domain::RefundFail{r.refund_id, "gateway down"});
      return;
    }
    queue_.push_back(domain::RefundSucceed{r.refund_id, "gr" + r.refund_id});
    if (to_credit) AddToPool(credits_, Credit{r.credit_id, r.amount});
    p.remaining = Money(p.remaining.asset(), left - amount);
    if (left == amount) RemoveAt(refundable_, i);
  }

  void CreditStep() {
    const std::uint64_t r = Pick(100);
    if (r < 45 || credits_.empty()) {
      domain::CreditIssue c;
      c.credit_id = Id("cr");
      c.customer_id = Customer();
      c.amount = Amount(Chance(70) ? Asset::CNY : Asset::USD);
      c.reason = "goodwill";
      if (Chance(15)) {
        c.expires_at_ns = time_max_ns_ + 30 * kMinuteNs;  // expires unused
      } else {
        AddToPool(credits_, Credit{c.credit_id, c.amount});
      }
      queue_.push_back(std::move(c));
      return;
    }
    const std::size_t i = Pick(credits_.size());
    Credit& c = credits_[i];
    if (r < 93) {
      const u128 left = c.remaining.minor();
      const u128 amount = 1 + static_cast<u128>(Pick(static_cast<std::uint64_t>(left)));
      const std::string app = Id("ap");
      queue_.push_back(
          domain::CreditApply{c.id, "inv" + app, Money(c.remaining.asset(), amount), app});
      c.remaining = Money(c.remaining.asset(), left - amount);
      if (left == amount) RemoveAt(credits_, i);
      return;
    }
    queue_.push_back(domain::CreditReverse{c.id, "mistake"});
    RemoveAt(credits_, i);
  }

  static std::string MatterKey(const std::string& client, const std::string& matter, Asset a) {
    return client + "/" + matter + "/" + std::to_string(static_cast<int>(a));
  }

  Matter& PickMatter(Asset asset) {
    const std::string client = "cl" + std::to_string(Pick(kClients));
    const std::string matter = "m" + std::to_string(Pick(kMattersPerClient));
    Matter& m = matters_[MatterKey(client, matter, asset)];
    m.client = client;
    m.matter = matter;
    m.asset = asset;
    return m;
  }

  void TrustStep() {
    static constexpr Asset kTrustAssets[] = {Asset::CNY, Asset::CNY, Asset::CNY, Asset::USD,
                                             Asset::HKD};
    const std::uint64_t r = Pick(100);
    if (r >= 35 && r < 45 && !uncleared_.empty()) {
      const std::size_t i = Pick(uncleared_.size());
      const PendingDeposit d = uncleared_[i];
      RemoveAt(uncleared_, i);
      Matter& m = matters_[d.matter_key];
      m.cleared += d.amount;
      queue_.push_back(domain::TrustClearDeposit{d.id, m.client, m.matter});
      return;
    }
    Matter& m = PickMatter(kTrustAssets[Pick(std::size(kTrustAssets))]);
    if (r < 45 || m.cleared == 0) return Deposit(m);
    const u128 amount =
        1 + static_cast<u128>(
                Pick(static_cast<std::uint64_t>(std::min<u128>(m.cleared / 2 + 1, UINT64_MAX))));
    m.cleared -= amount;
    const Money money(m.asset, amount);
    if (r < 70) {
      queue_.push_back(domain::TrustDisburse{Id("d"), m.client, m.matter, money, "Court",
                                             "filing fee", "REF" + std::to_string(ids_)});
    } else if (r < 88) {
      const std::string id = Id("f");
      queue_.push_back(domain::TrustTransferFees{id, m.client, m.matter, money, "inv" + id});
    } else {
      queue_.push_back(domain::TrustRefundClient{Id("tr"), m.client, m.matter, money,
                                                 "CHQ" + std::to_string(ids_)});
    }
  }

  void Deposit(Matter& m) {
    static constexpr fb::Method kDepositMethods[] = {fb::Method::BankTransfer,
                                                     fb::Method::BankTransfer, fb::Method::Card};
    domain::TrustDeposit d;
    d.deposit_id = Id("t");
    d.client_id = m.client;
    d.matter_id = m.matter;
    d.amount = Money(m.asset, 10'000 + Pick(5'000'000));
    d.method = kDepositMethods[Pick(std::size(kDepositMethods))];
    d.reference = "BANK" + d.deposit_id;
    d.payer = "payer of " + m.client;
    d.cleared = Chance(70);
    if (d.cleared) {
      m.cleared += d.amount.minor();
    } else {
      AddToPool(uncleared_, PendingDeposit{d.deposit_id, MatterKey(m.client, m.matter, m.asset),
                                           d.amount.minor()});
    }
    queue_.push_back(std::move(d));
  }

  std::mt19937_64 rng_;
  std::uint64_t index_ = 0;  // commands returned so far
  std::uint64_t ids_ = 0;
  std::uint64_t next_clock_advance_ = kClockAdvanceEvery;
  std::int64_t time_max_ns_ = kBaseNs;
  std::deque<domain::Command> queue_;
  std::vector<OpenPayment> open_;
  std::vector<Refundable> refundable_;
  std::vector<Credit> credits_;
  std::vector<PendingDeposit> uncleared_;
  std::map<std::string, Matter> matters_;
};

}  // namespace folio::testing
