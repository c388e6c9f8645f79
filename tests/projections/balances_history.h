// A random but reproducible history of domain commands for the projection
// tests: payments settled (operating), refunds to the method and to credit,
// goodwill credits applied, trust deposits, disbursements and fee transfers.
// Business times move forward with jitter, sometimes backwards, so the
// running-maximum time index is exercised. Rejections are part of it.
#pragma once

#include <future>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine/domain/domain.h"
#include "engine/writer.h"

namespace folio::testing {

using CommandList = std::vector<std::pair<std::string, domain::Command>>;

inline CommandList RandomHistory(std::size_t commands, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  const auto pick = [&](std::uint64_t n) { return rng() % n; };
  const auto cny = [](std::uint64_t minor) { return Money(Asset::CNY, minor); };
  CommandList out;
  std::size_t payments = 0, credits = 0, deposits = 0;
  const fb::Method methods[] = {fb::Method::Alipay, fb::Method::WechatPay};
  while (out.size() < commands) {
    const std::string key = "k" + std::to_string(out.size());
    switch (pick(6)) {
      case 0:
      case 1: {
        domain::PaymentCreate c;
        c.payment_id = "p" + std::to_string(++payments);
        c.customer_id = "c" + std::to_string(pick(20));
        c.order_id = "o" + std::to_string(payments);
        c.method = methods[pick(2)];
        c.amount = cny(100 + pick(50'000));
        out.emplace_back(key, c);
        domain::PaymentSettle s;
        s.payment_id = c.payment_id;
        s.gateway_txn_id = "g" + std::to_string(payments);
        out.emplace_back(key + "s", s);
        break;
      }
      case 2: {
        if (payments == 0) break;
        domain::RefundRequest r;
        r.refund_id = "r" + std::to_string(out.size());
        r.payment_id = "p" + std::to_string(1 + pick(payments));
        r.amount = cny(1 + pick(20'000));
        if (pick(2) == 0) {
          r.target = fb::RefundTarget::CustomerCredit;
          r.credit_id = "rc" + std::to_string(out.size());
        }
        out.emplace_back(key, r);
        domain::RefundSucceed s;
        s.refund_id = r.refund_id;
        s.gateway_refund_id = "gr" + r.refund_id;
        out.emplace_back(key + "s", s);
        break;
      }
      case 3: {
        domain::CreditIssue c;
        c.credit_id = "cr" + std::to_string(++credits);
        c.customer_id = "c" + std::to_string(pick(20));
        c.amount = cny(100 + pick(5'000));
        c.reason = "goodwill";
        out.emplace_back(key, c);
        domain::CreditApply a;
        a.credit_id = c.credit_id;
        a.invoice_id = "i" + std::to_string(credits);
        a.amount = cny(1 + pick(5'000));
        a.application_id = "ap" + std::to_string(credits);
        out.emplace_back(key + "a", a);
        break;
      }
      case 4: {
        domain::TrustDeposit d;
        d.deposit_id = "t" + std::to_string(++deposits);
        d.client_id = "cl" + std::to_string(pick(5));
        d.matter_id = "m" + std::to_string(pick(3));
        d.amount = cny(10'000 + pick(500'000));
        d.reference = "BANK-" + std::to_string(deposits);
        out.emplace_back(key, d);
        break;
      }
      default: {
        const std::string client = "cl" + std::to_string(pick(5));
        const std::string matter = "m" + std::to_string(pick(3));
        if (pick(2) == 0) {
          domain::TrustDisburse d;
          d.disbursement_id = "d" + std::to_string(out.size());
          d.client_id = client;
          d.matter_id = matter;
          d.amount = cny(1 + pick(200'000));
          d.payee = "Court";
          d.purpose = "filing fee";
          out.emplace_back(key, d);
        } else {
          domain::TrustTransferFees f;
          f.transfer_id = "f" + std::to_string(out.size());
          f.client_id = client;
          f.matter_id = matter;
          f.amount = cny(1 + pick(100'000));
          f.invoice_id = "inv" + std::to_string(out.size());
          out.emplace_back(key, f);
        }
        break;
      }
    }
  }
  out.resize(commands);
  return out;
}

// Business time of command i: about one minute apart, one in eight 0..10
// minutes in the past of its predecessor (late or skewed clocks).
inline std::int64_t BusinessTime(std::size_t i) {
  constexpr std::int64_t kBase = 1'795'000'000'000'000'000;
  constexpr std::int64_t kMinute = 60'000'000'000;
  const auto n = static_cast<std::int64_t>(i);
  std::int64_t t = kBase + n * kMinute;
  if (i % 8 == 5) t -= static_cast<std::int64_t>((i * 7919) % 10) * kMinute;
  return t;
}

// Runs commands [from, to) through the writer, back to back; returns the
// last durable seq.
inline std::uint64_t RunCommands(Writer& w, const CommandList& h, std::size_t from,
                                 std::size_t to) {
  std::vector<std::future<AppendOutcome>> futures;
  for (std::size_t i = from; i < to; ++i) {
    AppendRequest r;
    r.idempotency_key = h[i].first;
    r.fingerprint = Sha256(h[i].first);
    r.context.actor = "test";
    r.context.now_ns = BusinessTime(i);
    r.command = h[i].second;
    auto p = std::make_shared<std::promise<AppendOutcome>>();
    futures.push_back(p->get_future());
    w.Submit(std::move(r), [p](const AppendOutcome& o) { p->set_value(o); });
  }
  for (auto& f : futures) f.get();
  return w.durable_head().seq;
}

}  // namespace folio::testing
