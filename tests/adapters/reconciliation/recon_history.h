// A small ledger history for the reconciliation tests, run through the real
// writer with chosen business times.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "adapters/statements/text.h"
#include "engine/domain/domain.h"
#include "engine/domain/postings.h"
#include "engine/writer.h"

namespace folio::testing {

inline Money Cny(u128 minor) { return Money(Asset::CNY, minor); }
inline constexpr std::int64_t kSecond = 1'000'000'000;
// 2026-11-01 00:00 Asia/Shanghai.
inline std::int64_t Nov1() { return *statements::ShanghaiMidnight(2026, 11, 1, 0); }

class History {
 public:
  explicit History(Writer& w) : w_(w) {}

  void Do(const domain::Command& c, std::int64_t at_ns) {
    AppendRequest r;
    r.idempotency_key = "h" + std::to_string(++n_);
    r.fingerprint = Sha256(r.idempotency_key);
    r.context.actor = "test";
    r.context.now_ns = at_ns;
    r.command = c;
    const AppendOutcome o = w_.Append(std::move(r));
    REQUIRE_MESSAGE(o.status.ok(), o.status.ToString());
  }

  // A payment created and (unless `settle` is false) settled at `at_ns`.
  void Payment(const std::string& id, fb::Method m, u128 amount, u128 fee, std::int64_t at_ns,
               const std::string& gateway_txn, bool settle = true) {
    domain::PaymentCreate c;
    c.payment_id = id;
    c.customer_id = "cust-" + id;
    c.order_id = "ORD-" + id;
    c.method = m;
    c.amount = Cny(amount);
    Do(c, at_ns - 60 * kSecond);
    if (!settle) return;
    domain::PaymentSettle s;
    s.payment_id = id;
    s.gateway_txn_id = gateway_txn;
    s.gateway_fee = Cny(fee);
    Do(s, at_ns);
  }

  void Refund(const std::string& id, const std::string& payment, u128 amount, std::int64_t at_ns,
              const std::string& gateway_refund_id) {
    domain::RefundRequest r;
    r.refund_id = id;
    r.payment_id = payment;
    r.amount = Cny(amount);
    Do(r, at_ns - kSecond);
    domain::RefundSucceed s;
    s.refund_id = id;
    s.gateway_refund_id = gateway_refund_id;
    Do(s, at_ns);
  }

 private:
  Writer& w_;
  int n_ = 0;
};

// Every posting of the log: the trial balance.
inline domain::Ledger PostAll(const LogStore& store) {
  domain::Ledger ledger;
  auto events = store.ReadFrom(1, 10'000'000);
  REQUIRE(events.ok());
  for (const EventRecord& e : *events) domain::Post(ledger, domain::PostingsFor(e.env()));
  return ledger;
}

// Debits minus credits of an account, as (negative, magnitude).
inline std::pair<bool, u128> BalanceOf(const domain::Ledger& l, const std::string& account) {
  auto it = l.find({account, Asset::CNY});
  if (it == l.end()) return {false, 0};
  const auto& b = it->second;
  return b.debit >= b.credit ? std::make_pair(false, b.debit - b.credit)
                             : std::make_pair(true, b.credit - b.debit);
}

}  // namespace folio::testing
