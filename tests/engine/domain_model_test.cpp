// Reference-model test: random command sequences run against Folio's Decide and
// Apply and against a small independent model written here from the documented
// rules (docs/rejections.md, docs/methods.md, docs/postings.md). After every
// command the outcomes agree (accepted or the rejection code, and how many
// events), the ledger invariants hold, and a rejection wrote nothing. At the
// end of every seed the state rebuilt from the events equals the live state
// byte for byte.
//
// The model only uses the command structs (the domain's input) and reads
// Folio's aggregates to cross-check them; it never calls decide/apply code.
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

namespace folio::domain::testing {
namespace {

namespace rj = rejections;
using M = fb::Method;
using i64 = std::int64_t;
using u64 = std::uint64_t;
using u32 = std::uint32_t;

constexpr u64 kSeeds[] = {1, 2, 3, 5, 8, 13, 21, 34};
constexpr int kCommandsPerSeed = 25'000;

u128 Pow10(std::uint8_t n) {
  u128 v = 1;
  for (std::uint8_t i = 0; i < n; ++i) v *= 10;
  return v;
}
u128 Unit(Asset a) { return Pow10(AssetScale(a)); }
u128 Minor(Asset a, std::string_view decimal) {
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

MRules R(Asset a, const char* min, const char* max, const char* daily, const char* monthly) {
  return MRules{a, Minor(a, min), Minor(a, max), Minor(a, daily), Minor(a, monthly)};
}

// docs/methods.md, the defaults table.
MConfig DefaultConfig(M m) {
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

const char* NetworkOf(M m) {
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
bool IsCrypto(M m) { return NetworkOf(m)[0] != '\0'; }

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
bool Closed(PSt s) { return s == PSt::kFailed || s == PSt::kCancelled || s == PSt::kExpired; }

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
i64 ShDay(i64 ns) { return (ns / 1'000'000'000 + 8 * 3600) / 86400; }
i64 ShMonth(i64 ns) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{ShDay(ns)}}};
  return static_cast<int>(ymd.year()) * 100 + static_cast<i64>(static_cast<unsigned>(ymd.month()));
}

struct Outcome {
  std::string_view code;  // empty: accepted
  std::size_t events = 0;
};
Outcome Ok(std::size_t events) { return Outcome{{}, events}; }
Outcome No(std::string_view code) { return Outcome{code, 0}; }

bool ValidIdM(const std::string& id) {
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
    if (auto code = CheckOpen(p, true); !code.empty()) return No(code);
    if (c.amount && (c.amount->asset() != p.asset || c.amount->minor() != p.amount)) {
      return No(rj::kSettleAmountMismatch);
    }
    if (c.gateway_fee && c.gateway_fee->asset() != p.asset) return No(rj::kCurrencyMismatch);
    return Ok(Settle(p));
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
        return RefundSucceed{Known("r", refund_next_, 8, model_.refunds_), "g"};
      case 8:
        return RefundFail{Known("r", refund_next_, 8, model_.refunds_), "timeout"};
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

// ---------------------------------------------------------------------------
// Folio side.

// Forwards to a MemoryStateStore and counts writes: a Decide that writes
// nothing leaves the state byte-identical, which is what a rejection must do.
class CountingStore final : public StateStore {
 public:
  explicit CountingStore(MemoryStateStore& inner) : inner_(inner) {}
  std::optional<std::string> Load(std::string_view key) override { return inner_.Load(key); }
  void Store(std::string_view key, std::string value) override {
    ++writes;
    inner_.Store(key, std::move(value));
  }
  void Erase(std::string_view key) override {
    ++writes;
    inner_.Erase(key);
  }
  std::vector<std::pair<std::string, std::string>> Scan(std::string_view from, std::string_view to,
                                                        std::size_t limit) override {
    return inner_.Scan(from, to, limit);
  }
  std::size_t writes = 0;

 private:
  MemoryStateStore& inner_;
};

std::string Describe(const Command& c, i64 now) {
  std::ostringstream o;
  o << "command #" << c.index() << " on " << PrimaryStream(c) << " at " << now;
  return o.str();
}

std::string PaymentStatusName(PSt s) {
  static const char* kNames[] = {"scheduled", "created", "pending",   "confirming",
                                 "settled",   "failed",  "cancelled", "expired"};
  return kNames[static_cast<int>(s)];
}

class Run {
 public:
  explicit Run(u64 seed) : seed_(seed), gen_(seed, model_) {
    ctx_.actor = "model";
    now_ = Utc(2026, 11, 21, 2, 0, 0);
  }

  void Go(int commands) {
    for (int i = 0; i < commands; ++i) {
      now_ = gen_.Tick(now_);
      Step(gen_.Next(now_), i);
    }
    Replay();
    SweepPayments();
    CheckCredits();
  }

  std::size_t accepted = 0, rejected = 0;
  std::map<std::string, int> codes;

 private:
  void Step(const Command& c, int index) {
    ctx_.now_ns = now_;
    ctx_.idempotency_key = "k" + std::to_string(index);
    // A sampled literal byte comparison on top of the write counter.
    const bool snapshot = index % 1009 == 0;
    std::map<std::string, std::string, std::less<>> before;
    if (snapshot) before = state_.map();
    counting_.writes = 0;
    const Decision d = Decide(counting_, c, ctx_);
    const Outcome want = model_.Run(c, now_);
    if (counting_.writes != 0) FAIL("seed " << seed_ << ": Decide wrote: " << Describe(c, now_));
    if (const auto* r = std::get_if<Rejection>(&d)) {
      ++rejected;
      ++codes[std::string(r->code)];
      if (want.code != r->code) {
        FAIL("seed " << seed_ << " step " << index << ": Folio rejected " << r->code << " ("
                     << r->message << "), the model says '" << want.code
                     << "': " << Describe(c, now_));
      }
      if (snapshot && state_.map() != before) {
        FAIL("seed " << seed_ << ": a rejection changed the state: " << Describe(c, now_));
      }
      return;
    }
    const Events& events = std::get<Events>(d);
    ++accepted;
    ++codes["ok"];
    if (!want.code.empty() || want.events != events.size()) {
      FAIL("seed " << seed_ << " step " << index << ": Folio accepted with " << events.size()
                   << " events, the model says '" << want.code << "' with " << want.events << ": "
                   << Describe(c, now_));
    }
    for (const std::string& bytes : events) ApplyOne(bytes);
    CheckTouched(c);
    CheckLedger(index % 64 == 0);
    if (index % 512 == 0) CheckCredits();
    if (index % 4096 == 0) SweepPayments();
  }

  void ApplyOne(const std::string& bytes) {
    Result<EventRecord> rec = EventRecord::Decode(bytes);
    REQUIRE_MESSAGE(rec.ok(), rec.status().ToString());
    Apply(state_, rec->env());
    Post(ledger_, PostingsFor(rec->env()));
    log_.push_back(bytes);
  }

  // The aggregates the command touched, against the model.
  void CheckTouched(const Command& c) {
    std::visit(
        [&](const auto& cmd) {
          using T = std::decay_t<decltype(cmd)>;
          if constexpr (requires { cmd.payment_id; } && !std::is_same_v<T, TrustRefundClient>) {
            CheckPayment(cmd.payment_id);
          }
          if constexpr (requires { cmd.credit_id; }) CheckCredit(cmd.credit_id);
          if constexpr (std::is_same_v<T, RefundSucceed> || std::is_same_v<T, RefundFail>) {
            const MRefund& r = model_.refunds_.at(cmd.refund_id);
            CheckPayment(r.payment);
            if (r.to_credit) CheckCredit(r.credit_id);
          }
        },
        c);
  }

  void CheckPayment(const std::string& id) {
    auto it = model_.payments_.find(id);
    const auto p = LoadAs<PaymentState>(state_, PaymentKey(id));
    REQUIRE(p.has_value() == (it != model_.payments_.end()));
    if (!p) return;
    const MPayment& m = it->second;
    INFO("seed " << seed_ << " payment " << id);
    REQUIRE(PaymentStatusName(m.status) ==
            PaymentStatusName(static_cast<PSt>(static_cast<int>(p->status))));
    REQUIRE(p->settled.minor() == m.settled);
    REQUIRE(p->refunded.minor() == m.refunded);
    REQUIRE(p->held.minor() == m.held);
    // Refunds never exceed what was settled, holds included.
    REQUIRE(p->refunded.minor() + p->held.minor() <= p->settled.minor());
  }

  void CheckCredit(const std::string& id) {
    auto it = model_.credits_.find(id);
    const auto c = LoadAs<CreditState>(state_, CreditKey(id));
    REQUIRE(c.has_value() == (it != model_.credits_.end()));
    if (!c) return;
    INFO("seed " << seed_ << " credit " << id);
    REQUIRE(static_cast<int>(c->status) == static_cast<int>(it->second.status));
    REQUIRE(c->remaining.minor() == it->second.remaining);
    REQUIRE(c->remaining.minor() <= c->issued.minor());
  }

  void SweepPayments() {
    for (const auto& [id, p] : model_.payments_) {
      REQUIRE(p.refunded + p.held <= p.settled);
      if (!Closed(p.status)) {
        REQUIRE(model_.Used(p, 'd') >= p.amount);
        REQUIRE(model_.Used(p, 'm') >= p.amount);
      }
    }
  }

  // Every credit balance is owed to its customer in the ledger: the credit
  // liability of a customer equals the sum of its model credits' remaining.
  void CheckCredits() {
    std::map<std::pair<std::string, Asset>, u128> owed;
    for (const auto& [id, c] : model_.credits_) {
      if (c.status == CSt::kActive)
        owed[{"liability:credit:" + c.customer, c.asset}] += c.remaining;
    }
    for (const auto& [key, b] : ledger_) {
      if (key.first.rfind("liability:credit:", 0) != 0) continue;
      REQUIRE_MESSAGE(b.credit >= b.debit, "seed " << seed_ << ": credit negative " << key.first);
      REQUIRE(b.credit - b.debit == owed[key]);
      owed.erase(key);
    }
    for (const auto& [key, v] : owed) REQUIRE(v == 0);
  }

  // Trial balance zero per asset; bank:trust equals the matter liabilities;
  // every matter is exactly the model's balance and never negative.
  void CheckLedger(bool against_model) {
    std::map<Asset, __int128> trial, trust_bank, trust_liab;
    for (const auto& [key, b] : ledger_) {
      const __int128 bal = static_cast<__int128>(b.debit) - static_cast<__int128>(b.credit);
      trial[key.second] += bal;
      if (key.first == "bank:trust") trust_bank[key.second] += bal;
      if (key.first.rfind("liability:trust:", 0) == 0) {
        if (bal > 0) FAIL("seed " << seed_ << ": matter negative " << key.first);
        trust_liab[key.second] -= bal;
        if (!against_model) continue;
        const std::string rest = key.first.substr(16);
        const std::size_t colon = rest.find(':');
        auto it = model_.matters_.find({rest.substr(0, colon), rest.substr(colon + 1), key.second});
        const u128 want =
            it == model_.matters_.end() ? 0 : it->second.cleared + it->second.uncleared;
        if (static_cast<__int128>(want) != -bal) {
          FAIL("seed " << seed_ << ": " << key.first << " differs from the model");
        }
      }
    }
    for (const auto& [asset, sum] : trial) {
      if (sum != 0) FAIL("seed " << seed_ << ": trial balance not zero in " << AssetCode(asset));
    }
    for (const auto& [asset, sum] : trust_liab) {
      if (trust_bank[asset] != sum) FAIL("seed " << seed_ << ": bank:trust != matters");
    }
    for (const auto& [asset, sum] : trust_bank) {
      if (trust_liab[asset] != sum) FAIL("seed " << seed_ << ": bank:trust != matters");
    }
  }

  void Replay() {
    MemoryStateStore fresh;
    for (const std::string& bytes : log_) Apply(fresh, *fb::GetEnvelope(bytes.data()));
    REQUIRE_MESSAGE(fresh.map() == state_.map(), "seed " << seed_ << ": replay differs");
  }

  u64 seed_;
  Model model_;
  Generator gen_;
  MemoryStateStore state_;
  CountingStore counting_{state_};
  CommandContext ctx_;
  Ledger ledger_;
  std::vector<std::string> log_;
  i64 now_ = 0;
};

TEST_CASE("reference model: random commands agree with the model, invariants hold, replay equal") {
  std::map<std::string, int> codes;
  std::size_t accepted = 0, rejected = 0;
  for (u64 seed : kSeeds) {
    INFO("seed " << seed);
    Run run(seed);
    run.Go(kCommandsPerSeed);
    accepted += run.accepted;
    rejected += run.rejected;
    for (const auto& [code, n] : run.codes) codes[code] += n;
  }
  CHECK(accepted + rejected == std::size(kSeeds) * kCommandsPerSeed);
  // The generator reaches every outcome the model knows, and often.
  std::ostringstream o;
  for (const auto& [code, n] : codes) o << code << "=" << n << " ";
  MESSAGE("outcomes: " << o.str());
  for (std::string_view code : {rj::kInvalidCommand,
                                rj::kPaymentAlreadyExists,
                                rj::kMethodDisabled,
                                rj::kCurrencyNotAccepted,
                                rj::kAmountBelowMin,
                                rj::kAmountAboveMax,
                                rj::kLimitDailyExceeded,
                                rj::kLimitMonthlyExceeded,
                                rj::kPaymentNotFound,
                                rj::kPaymentNotCrypto,
                                rj::kPaymentAlreadySettled,
                                rj::kPaymentClosed,
                                rj::kPaymentNotDue,
                                rj::kPaymentExpired,
                                rj::kSettleAmountMismatch,
                                rj::kCurrencyMismatch,
                                rj::kRefundAlreadyExists,
                                rj::kRefundNotFound,
                                rj::kRefundNotPending,
                                rj::kPaymentNotSettled,
                                rj::kRefundTrustPayment,
                                rj::kRefundExceedsSettled,
                                rj::kCreditAlreadyExists,
                                rj::kCreditNotFound,
                                rj::kCreditReversed,
                                rj::kCreditExpired,
                                rj::kCreditInsufficient,
                                rj::kTrustDepositAlreadyExists,
                                rj::kTrustDepositNotFound,
                                rj::kTrustDepositAlreadyCleared,
                                rj::kTrustTransactionAlreadyExists,
                                rj::kTrustBalanceInsufficient,
                                rj::kTrustUnclearedFunds}) {
    CHECK_MESSAGE(codes[std::string(code)] >= 20, code);
  }
}

}  // namespace
}  // namespace folio::domain::testing
