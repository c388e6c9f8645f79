// The independent reference model of tests/engine/domain_model_test.cpp,
// written from docs/rejections.md, docs/methods.md and docs/postings.md. It only
// uses the command structs; it never calls the domain's decide or apply code.
// Included by that test alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>
#include "engine/domain/aggregates.h"
#include "tests/engine/domain_harness.h"

namespace folio::domain::testing::model {

namespace rj = rejections;
using M = fb::Method;
using i64 = std::int64_t;
using u64 = std::uint64_t;
using u32 = std::uint32_t;

constexpr u64 kSeeds[] = {1, 2, 3, 5, 8, 13, 21, 34};
constexpr int kCommandsPerSeed = 25'000;

inline u128 Pow10(std::uint8_t n) {
  u128 v = 1;
  for (std::uint8_t i = 0; i < n; ++i) v *= 10;
  return v;
}
inline u128 Unit(Asset a) { return Pow10(AssetScale(a)); }
inline u128 Minor(Asset a, std::string_view decimal) {
  Result<Money> m = Money::Parse(decimal, a);
  REQUIRE(m.ok());
  return m->minor();
}

// ---------------------------------------------------------------------------
// The model.

struct MRules {
  Asset asset = Asset::Unknown;
  u128 min = 0, max = 0, daily = 0, monthly = 0;  // zero max/daily/monthly: none
};

struct MConfig {
  bool enabled = true;
  std::vector<MRules> rules;
  u32 confirmations = 0;
  u32 timeout_s = 0;
  const MRules* For(Asset a) const {
    for (const MRules& r : rules) {
      if (r.asset == a) return &r;
    }
    return nullptr;
  }
};

inline MRules R(Asset a, const char* min, const char* max, const char* daily, const char* monthly) {
  return MRules{a, Minor(a, min), Minor(a, max), Minor(a, daily), Minor(a, monthly)};
}

// docs/methods.md, the defaults table.
inline MConfig DefaultConfig(M m) {
  switch (m) {
    case M::Alipay:
    case M::WechatPay:
      return {true, {R(Asset::CNY, "0.01", "50000", "200000", "1000000")}, 0, 900};
    case M::UnionPay:
      return {true, {R(Asset::CNY, "0.01", "100000", "500000", "2000000")}, 0, 900};
    case M::Card:
      return {true,
              {R(Asset::CNY, "1", "100000", "200000", "1000000"),
               R(Asset::USD, "1", "20000", "50000", "200000"),
               R(Asset::EUR, "1", "20000", "50000", "200000"),
               R(Asset::HKD, "1", "150000", "400000", "1500000")},
              0,
              1800};
    case M::BankTransfer:
      return {true, {R(Asset::CNY, "1", "5000000", "0", "0")}, 0, 3 * 86400};
    case M::UsdtTrc20:
      return {true, {R(Asset::USDT, "1", "1000000", "2000000", "20000000")}, 19, 3600};
    case M::UsdtErc20:
      return {true, {R(Asset::USDT, "1", "1000000", "2000000", "20000000")}, 12, 3600};
    case M::UsdtBep20:
      return {true, {R(Asset::USDT, "1", "1000000", "2000000", "20000000")}, 15, 3600};
    case M::Btc:
      return {true, {R(Asset::BTC, "0.0001", "100", "200", "1000")}, 6, 3600};
    case M::Eth:
      return {true, {R(Asset::ETH, "0.001", "1000", "2000", "10000")}, 12, 3600};
    default:
      FAIL("no defaults");
      return {};
  }
}

inline const char* NetworkOf(M m) {
  switch (m) {
    case M::UsdtTrc20:
      return "TRC20";
    case M::UsdtErc20:
      return "ERC20";
    case M::UsdtBep20:
      return "BEP20";
    case M::Btc:
      return "BTC";
    case M::Eth:
      return "ETH";
    default:
      return "";
  }
}
inline bool IsCrypto(M m) { return NetworkOf(m)[0] != '\0'; }

enum class PSt {
  kScheduled,
  kCreated,
  kPending,
  kConfirming,
  kSettled,
  kFailed,
  kCancelled,
  kExpired
};
inline bool Closed(PSt s) {
  return s == PSt::kFailed || s == PSt::kCancelled || s == PSt::kExpired;
}

struct MPayment {
  PSt status = PSt::kCreated;
  std::string customer;
  M method = M::Unknown;
  Asset asset = Asset::Unknown;
  u128 amount = 0;
  bool trust = false;
  std::string client, matter;
  i64 created = 0, due = 0, expires = 0;
  bool observed = false;  // a confirmation was seen: never expires any more
  u128 settled = 0, refunded = 0, held = 0;
};

enum class RSt { kRequested, kSucceeded, kFailed };
struct MRefund {
  RSt status = RSt::kRequested;
  std::string payment;
  u128 amount = 0;
  bool to_credit = false;
  std::string credit_id;
  i64 credit_expires = 0;
};

enum class CSt { kReserved, kActive, kExpired, kReversed };
struct MCredit {
  CSt status = CSt::kActive;
  std::string customer;
  Asset asset = Asset::Unknown;
  u128 issued = 0, remaining = 0;
  i64 expires = 0;
};

struct MDeposit {
  std::string client, matter;
  Asset asset = Asset::Unknown;
  u128 amount = 0;
  bool cleared = true;
};

struct MBalance {
  u128 cleared = 0, uncleared = 0;
};
using MatterKey = std::tuple<std::string, std::string, Asset>;

// Asia/Shanghai is UTC+8 without DST.
inline i64 ShDay(i64 ns) { return (ns / 1'000'000'000 + 8 * 3600) / 86400; }
inline i64 ShMonth(i64 ns) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{ShDay(ns)}}};
  return static_cast<int>(ymd.year()) * 100 + static_cast<i64>(static_cast<unsigned>(ymd.month()));
}

struct Outcome {
  std::string_view code;  // empty: accepted
  std::size_t events = 0;
};
inline Outcome Ok(std::size_t events) { return Outcome{{}, events}; }
inline Outcome No(std::string_view code) { return Outcome{code, 0}; }

inline bool ValidIdM(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char ch : id) {
    if (ch == '/' || ch == ':' || static_cast<unsigned char>(ch) < 0x20) return false;
  }
  return true;
}

class Model {
 public:
  Model() {
    for (int m = 1; m <= 10; ++m) configs_[static_cast<M>(m)] = DefaultConfig(static_cast<M>(m));
  }

  // Decides and, when accepted, applies `c` at `now`.
  Outcome Run(const Command& c, i64 now) {
    now_ = now;
    return std::visit([&](const auto& cmd) { return Do(cmd); }, c);
  }

  std::map<M, MConfig> configs_;
  std::map<std::string, MPayment> payments_;
  std::map<std::string, MRefund> refunds_;
  std::map<std::string, MCredit> credits_;
  std::map<std::string, MDeposit> deposits_;
  std::set<std::string> trust_txns_;
  std::map<MatterKey, MBalance> matters_;
  std::map<std::tuple<std::string, M, Asset, char, i64>, u128> usage_;

  u128 Used(const MPayment& p, char kind) const {
    auto it = usage_.find(
        {p.customer, p.method, p.asset, kind, kind == 'd' ? ShDay(p.created) : ShMonth(p.created)});
    return it == usage_.end() ? 0 : it->second;
  }

 private:
  void Count(const MPayment& p, bool add) {
    for (char kind : {'d', 'm'}) {
      auto key = std::make_tuple(p.customer, p.method, p.asset, kind,
                                 kind == 'd' ? ShDay(p.created) : ShMonth(p.created));
      u128& used = usage_[key];
      if (add) {
        used += p.amount;
      } else {
        REQUIRE(used >= p.amount);
        used -= p.amount;
        if (used == 0) usage_.erase(key);
      }
    }
  }

  Outcome Do(const PaymentCreate& c) {
    if (!ValidIdM(c.payment_id) || !ValidIdM(c.customer_id) || c.amount.is_zero() ||
        (c.destination == fb::Destination::Trust &&
         (!ValidIdM(c.client_id) || !ValidIdM(c.matter_id))) ||
        (c.due_at_ns && *c.due_at_ns < 0) ||
        (!c.network.empty() && c.network != NetworkOf(c.method))) {
      return No(rj::kInvalidCommand);
    }
    if (payments_.count(c.payment_id)) return No(rj::kPaymentAlreadyExists);
    const MConfig& cfg = configs_.at(c.method);
    if (!cfg.enabled) return No(rj::kMethodDisabled);
    const MRules* r = cfg.For(c.amount.asset());
    if (r == nullptr) return No(rj::kCurrencyNotAccepted);
    const u128 amount = c.amount.minor();
    if (amount < r->min) return No(rj::kAmountBelowMin);
    if (r->max != 0 && amount > r->max) return No(rj::kAmountAboveMax);
    MPayment p;
    p.customer = c.customer_id;
    p.method = c.method;
    p.asset = c.amount.asset();
    p.amount = amount;
    p.created = now_;
    if (r->daily != 0 && Used(p, 'd') + amount > r->daily) return No(rj::kLimitDailyExceeded);
    if (r->monthly != 0 && Used(p, 'm') + amount > r->monthly) {
      return No(rj::kLimitMonthlyExceeded);
    }
    p.trust = c.destination == fb::Destination::Trust;
    p.client = c.client_id;
    p.matter = c.matter_id;
    p.due = c.due_at_ns && *c.due_at_ns > now_ ? *c.due_at_ns : 0;
    p.status = p.due > 0 ? PSt::kScheduled : PSt::kCreated;
    const u32 timeout = c.timeout_s.value_or(cfg.timeout_s);
    p.expires = timeout == 0 ? 0 : (p.due > 0 ? p.due : now_) + i64{timeout} * kSecond;
    Count(p, true);
    // Limits respected: the bucket this payment counts in stays within the limit in force.
    REQUIRE(Used(p, 'd') <= (r->daily == 0 ? ~u128{0} : r->daily));
    REQUIRE(Used(p, 'm') <= (r->monthly == 0 ? ~u128{0} : r->monthly));
    payments_[c.payment_id] = p;
    return Ok(1);
  }

  // The checks of mark_pending, settle and observe after payment_not_found.
  std::string_view CheckOpen(const MPayment& p, bool payable) const {
    if (p.status == PSt::kSettled) return rj::kPaymentAlreadySettled;
    if (Closed(p.status)) return rj::kPaymentClosed;
    if (!payable) return {};
    if (p.status == PSt::kScheduled && now_ < p.due) return rj::kPaymentNotDue;
    if (p.expires != 0 && now_ >= p.expires && !p.observed) return rj::kPaymentExpired;
    return {};
  }

  // Settles `p`; returns the number of events (a trust payment also deposits).
  std::size_t Settle(MPayment& p) {
    p.status = PSt::kSettled;
    p.settled = p.amount;
    if (!p.trust) return 1;
    matters_[{p.client, p.matter, p.asset}].cleared += p.amount;
    return 2;
  }

  Outcome Do(const PaymentMarkPending& c) {
    auto it = payments_.find(c.payment_id);
    if (it == payments_.end()) return No(rj::kPaymentNotFound);
    if (auto code = CheckOpen(it->second, true); !code.empty()) return No(code);
    it->second.status = it->second.observed ? PSt::kConfirming : PSt::kPending;
    return Ok(1);
  }

  Outcome Do(const PaymentObserveConfirmations& c) {
    auto it = payments_.find(c.payment_id);
    if (it == payments_.end()) return No(rj::kPaymentNotFound);
    MPayment& p = it->second;
    if (!IsCrypto(p.method)) return No(rj::kPaymentNotCrypto);
    if (auto code = CheckOpen(p, true); !code.empty()) return No(code);
    p.observed = true;
    p.status = PSt::kConfirming;
    if (c.confirmations < configs_.at(p.method).confirmations) return Ok(1);
    return Ok(1 + Settle(p));
  }

  Outcome Do(const PaymentSettle& c) {
    auto it = payments_.find(c.payment_id);
    if (it == payments_.end()) return No(rj::kPaymentNotFound);
    MPayment& p = it->second;
    // allow_closed: closed, or open past its expiry, is settled all the same.
    const bool late = c.allow_closed && p.status != PSt::kSettled &&
                      (Closed(p.status) || (p.expires != 0 && now_ >= p.expires && !p.observed));
    if (!late) {
      if (auto code = CheckOpen(p, true); !code.empty()) return No(code);
    }
    if (c.amount && (c.amount->asset() != p.asset || c.amount->minor() != p.amount)) {
      return No(rj::kSettleAmountMismatch);
    }
    if (c.gateway_fee && c.gateway_fee->asset() != p.asset) return No(rj::kCurrencyMismatch);
    const std::string late_refund = "late" + c.payment_id;  // ids here are short
    if (late && !p.trust && refunds_.count(late_refund)) return No(rj::kRefundAlreadyExists);
    if (late && Closed(p.status)) Count(p, true);  // it counts against the limits again
    const std::size_t events = Settle(p);
    if (!late || p.trust) return Ok(events);
    // The money goes back: its refund is requested in the same decision.
    MRefund r;
    r.payment = c.payment_id;
    r.amount = p.amount;
    p.held += r.amount;
    refunds_[late_refund] = r;
    return Ok(events + 1);
  }

  Outcome Close(const std::string& id, PSt status) {
    auto it = payments_.find(id);
    if (it == payments_.end()) return No(rj::kPaymentNotFound);
    if (auto code = CheckOpen(it->second, false); !code.empty()) return No(code);
    it->second.status = status;
    Count(it->second, false);
    return Ok(1);
  }
  Outcome Do(const PaymentFail& c) { return Close(c.payment_id, PSt::kFailed); }
  Outcome Do(const PaymentCancel& c) { return Close(c.payment_id, PSt::kCancelled); }

  Outcome Do(const RefundRequest& c) {
    if (!ValidIdM(c.refund_id) || !ValidIdM(c.payment_id) || c.amount.is_zero() ||
        (c.target == fb::RefundTarget::CustomerCredit && !c.credit_id.empty() &&
         !ValidIdM(c.credit_id)) ||
        c.credit_expires_at_ns.value_or(0) < 0) {
      return No(rj::kInvalidCommand);
    }
    if (refunds_.count(c.refund_id)) return No(rj::kRefundAlreadyExists);
    auto it = payments_.find(c.payment_id);
    if (it == payments_.end()) return No(rj::kPaymentNotFound);
    MPayment& p = it->second;
    if (p.status != PSt::kSettled) return No(rj::kPaymentNotSettled);
    if (p.trust) return No(rj::kRefundTrustPayment);
    if (c.amount.asset() != p.asset) return No(rj::kCurrencyMismatch);
    MRefund r;
    r.to_credit = c.target == fb::RefundTarget::CustomerCredit;
    if (r.to_credit) r.credit_id = c.credit_id.empty() ? "refund-" + c.refund_id : c.credit_id;
    if (r.to_credit && credits_.count(r.credit_id)) return No(rj::kCreditAlreadyExists);
    if (p.refunded + p.held + c.amount.minor() > p.settled) return No(rj::kRefundExceedsSettled);
    r.payment = c.payment_id;
    r.amount = c.amount.minor();
    r.credit_expires = c.credit_expires_at_ns.value_or(0);
    p.held += r.amount;
    if (r.to_credit) {
      MCredit reserved;
      reserved.status = CSt::kReserved;
      reserved.customer = p.customer;
      reserved.asset = p.asset;
      credits_[r.credit_id] = reserved;
    }
    refunds_[c.refund_id] = r;
    return Ok(1);
  }

  Outcome Finish(const std::string& id, bool succeeded) {
    if (!ValidIdM(id)) return No(rj::kInvalidCommand);
    auto it = refunds_.find(id);
    if (it == refunds_.end()) return No(rj::kRefundNotFound);
    MRefund& r = it->second;
    if (r.status != RSt::kRequested) return No(rj::kRefundNotPending);
    MPayment& p = payments_.at(r.payment);
    p.held -= r.amount;
    r.status = succeeded ? RSt::kSucceeded : RSt::kFailed;
    if (!succeeded) {
      if (r.to_credit) credits_.erase(r.credit_id);
      return Ok(1);
    }
    p.refunded += r.amount;
    if (!r.to_credit) return Ok(1);
    MCredit& cr = credits_.at(r.credit_id);
    cr.status = CSt::kActive;
    cr.issued = cr.remaining = r.amount;
    cr.expires = r.credit_expires;
    return Ok(2);
  }
  Outcome Do(const RefundSucceed& c) { return Finish(c.refund_id, true); }
  Outcome Do(const RefundFail& c) { return Finish(c.refund_id, false); }

  Outcome Do(const CreditIssue& c) {
    if (!ValidIdM(c.credit_id) || !ValidIdM(c.customer_id) || c.amount.is_zero() ||
        (c.expires_at_ns && *c.expires_at_ns <= now_)) {
      return No(rj::kInvalidCommand);
    }
    if (credits_.count(c.credit_id)) return No(rj::kCreditAlreadyExists);
    credits_[c.credit_id] =
        MCredit{CSt::kActive,     c.customer_id,    c.amount.asset(),
                c.amount.minor(), c.amount.minor(), c.expires_at_ns.value_or(0)};
    return Ok(1);
  }

  std::string_view CheckUsable(const std::string& id) const {
    auto it = credits_.find(id);
    if (it == credits_.end() || it->second.status == CSt::kReserved) return rj::kCreditNotFound;
    const MCredit& cr = it->second;
    if (cr.status == CSt::kReversed) return rj::kCreditReversed;
    if (cr.status == CSt::kExpired || (cr.expires != 0 && now_ >= cr.expires)) {
      return rj::kCreditExpired;
    }
    return {};
  }

  Outcome Do(const CreditApply& c) {
    if (!ValidIdM(c.credit_id) || !ValidIdM(c.invoice_id) || c.amount.is_zero()) {
      return No(rj::kInvalidCommand);
    }
    if (auto code = CheckUsable(c.credit_id); !code.empty()) return No(code);
    MCredit& cr = credits_.at(c.credit_id);
    if (c.amount.asset() != cr.asset) return No(rj::kCurrencyMismatch);
    if (c.amount.minor() > cr.remaining) return No(rj::kCreditInsufficient);
    cr.remaining -= c.amount.minor();
    return Ok(1);
  }

  Outcome Do(const CreditReverse& c) {
    if (!ValidIdM(c.credit_id)) return No(rj::kInvalidCommand);
    if (auto code = CheckUsable(c.credit_id); !code.empty()) return No(code);
    MCredit& cr = credits_.at(c.credit_id);
    if (cr.remaining == 0) return No(rj::kCreditInsufficient);
    cr.status = CSt::kReversed;
    cr.remaining = 0;
    return Ok(1);
  }

  Outcome Do(const MethodConfigure& c) {
    std::set<Asset> seen;
    MConfig cfg;
    for (const AssetRulesSpec& spec : c.rules) {
      if (!seen.insert(spec.asset).second) return No(rj::kInvalidCommand);
      for (const Money* m : {&spec.min_amount, &spec.max_amount, &spec.daily_limit,
                             &spec.monthly_limit, &spec.fee.fixed, &spec.fee.min, &spec.fee.max}) {
        if (!m->is_zero() && m->asset() != spec.asset) return No(rj::kInvalidCommand);
      }
      if (!spec.max_amount.is_zero() && spec.min_amount.minor() > spec.max_amount.minor()) {
        return No(rj::kInvalidCommand);
      }
      if (!spec.fee.max.is_zero() && spec.fee.min.minor() > spec.fee.max.minor()) {
        return No(rj::kInvalidCommand);
      }
      cfg.rules.push_back(MRules{spec.asset, spec.min_amount.minor(), spec.max_amount.minor(),
                                 spec.daily_limit.minor(), spec.monthly_limit.minor()});
    }
    const MConfig defaults = DefaultConfig(c.method);
    cfg.enabled = c.enabled;
    cfg.confirmations = c.confirmations_required.value_or(defaults.confirmations);
    cfg.timeout_s = c.payment_timeout_s.value_or(defaults.timeout_s);
    configs_[c.method] = cfg;
    return Ok(1);
  }

  Outcome Do(const CustomerSetPreference& c) {
    if (!ValidIdM(c.customer_id)) return No(rj::kInvalidCommand);
    return Ok(1);
  }

  Outcome Do(const TrustDeposit& c) {
    if (!ValidIdM(c.deposit_id) || !ValidIdM(c.client_id) || !ValidIdM(c.matter_id) ||
        c.amount.is_zero()) {
      return No(rj::kInvalidCommand);
    }
    if (deposits_.count(c.deposit_id)) return No(rj::kTrustDepositAlreadyExists);
    deposits_[c.deposit_id] =
        MDeposit{c.client_id, c.matter_id, c.amount.asset(), c.amount.minor(), c.cleared};
    MBalance& b = matters_[{c.client_id, c.matter_id, c.amount.asset()}];
    (c.cleared ? b.cleared : b.uncleared) += c.amount.minor();
    return Ok(1);
  }

  Outcome Do(const TrustClearDeposit& c) {
    if (!ValidIdM(c.deposit_id) || !ValidIdM(c.client_id) || !ValidIdM(c.matter_id)) {
      return No(rj::kInvalidCommand);
    }
    auto it = deposits_.find(c.deposit_id);
    if (it == deposits_.end() || it->second.client != c.client_id ||
        it->second.matter != c.matter_id) {
      return No(rj::kTrustDepositNotFound);
    }
    MDeposit& d = it->second;
    if (d.cleared) return No(rj::kTrustDepositAlreadyCleared);
    d.cleared = true;
    MBalance& b = matters_[{d.client, d.matter, d.asset}];
    b.uncleared -= d.amount;
    b.cleared += d.amount;
    return Ok(1);
  }

  Outcome Outflow(const std::string& txn, const std::string& client, const std::string& matter,
                  const Money& amount) {
    if (!ValidIdM(txn) || !ValidIdM(client) || !ValidIdM(matter) || amount.is_zero()) {
      return No(rj::kInvalidCommand);
    }
    if (trust_txns_.count(txn)) return No(rj::kTrustTransactionAlreadyExists);
    MBalance& b = matters_[{client, matter, amount.asset()}];
    if (amount.minor() > b.cleared + b.uncleared) return No(rj::kTrustBalanceInsufficient);
    if (amount.minor() > b.cleared) return No(rj::kTrustUnclearedFunds);
    b.cleared -= amount.minor();
    trust_txns_.insert(txn);
    return Ok(1);
  }
  Outcome Do(const TrustDisburse& c) {
    return Outflow(c.disbursement_id, c.client_id, c.matter_id, c.amount);
  }
  Outcome Do(const TrustTransferFees& c) {
    return Outflow(c.transfer_id, c.client_id, c.matter_id, c.amount);
  }
  Outcome Do(const TrustRefundClient& c) {
    return Outflow(c.refund_id, c.client_id, c.matter_id, c.amount);
  }

  // Everything due at or before `to`, judged on the state before the advance
  // (a scheduled payment both due and expired emits both events).
  Outcome Do(const ClockAdvance& c) {
    if (c.to_ns < 0) return No(rj::kInvalidCommand);
    std::size_t events = 0;
    for (auto& [id, p] : payments_) {
      const bool due = p.status == PSt::kScheduled && p.due <= c.to_ns;
      const bool unpaid =
          p.status == PSt::kScheduled || p.status == PSt::kCreated || p.status == PSt::kPending;
      const bool expired = unpaid && !p.observed && p.expires != 0 && p.expires <= c.to_ns;
      if (due) {
        ++events;
        p.status = PSt::kCreated;
      }
      if (expired) {
        ++events;
        p.status = PSt::kExpired;
        Count(p, false);
      }
    }
    for (auto& [id, cr] : credits_) {
      if (cr.status == CSt::kActive && cr.remaining != 0 && cr.expires != 0 &&
          cr.expires <= c.to_ns) {
        ++events;
        cr.status = CSt::kExpired;
        cr.remaining = 0;
      }
    }
    return Ok(events);
  }

  i64 now_ = 0;
};

}  // namespace folio::domain::testing::model
