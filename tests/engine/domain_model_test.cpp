// Reference-model test: random command sequences run against Folio's Decide and
// Apply and against a small independent model (tests/engine/domain_model.h) written from the
// documented rules (docs/rejections.md, docs/methods.md, docs/postings.md). After every command the
// outcomes agree (accepted or the rejection code, and how many events), the ledger invariants hold,
// and a rejection wrote nothing. At the end of every seed the state rebuilt from the events equals
// the live state byte for byte.
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

#include "tests/engine/domain_model_generator.h"

namespace folio::domain::testing {
namespace {

using namespace model;  // NOLINT: the model is this test's vocabulary

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
