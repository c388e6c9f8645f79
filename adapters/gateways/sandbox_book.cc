#include "adapters/gateways/sandbox_book.h"

#include <utility>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/sandbox.h"

namespace folio::gateways {
namespace {

Status Refused(std::string_view what, std::string_view no) {
  return Status::Error(codes::kGatewayRefused, std::string(what) + ": " + std::string(no));
}

std::int64_t SystemUnixNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

SandboxBook::SandboxBook(std::uint64_t seed, SandboxFaults faults, WallClock wall_clock)
    : seed_(seed),
      wall_clock_(wall_clock ? std::move(wall_clock) : WallClock(SystemUnixNs)),
      faults_(faults),
      rng_(seed) {}

SandboxFaults SandboxBook::faults() const {
  std::lock_guard<std::mutex> lock(mu_);
  return faults_;
}

void SandboxBook::SetFaults(const SandboxFaults& f) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_ = f;
}

std::string SandboxBook::Key(Gateway g, std::string_view no) {
  return std::string(GatewayName(g)) + "/" + std::string(no);
}

unsigned SandboxBook::Roll() {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<unsigned>(rng_() % 1000);
}

Result<SandboxTrade> SandboxBook::Create(Gateway g, std::string_view out_trade_no,
                                         const Money& amount, std::string_view notify_url,
                                         Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, fresh] = trades_.try_emplace(Key(g, out_trade_no));
  SandboxTrade& t = it->second;
  if (!fresh) {
    if (!(t.amount == amount)) return Refused("TRADE_HAS_EXIST", out_trade_no);
    return t;
  }
  t.gateway = g;
  t.out_trade_no = std::string(out_trade_no);
  t.amount = amount;
  t.refunded = Money(amount.asset(), 0);
  t.notify_url = std::string(notify_url);
  SandboxPayment p{g, t.out_trade_no, amount, ""};
  t.gateway_txn_id = SandboxTxnId(p);
  t.qr_payload = SandboxQrPayload(p);
  // The payer's fate depends on the seed and the trade only, not on the
  // order in which trades arrive.
  const std::string h = crypto::Sha256(std::to_string(seed_) + "/" + Key(g, out_trade_no));
  const unsigned roll =
      (static_cast<unsigned char>(h[0]) * 256u + static_cast<unsigned char>(h[1])) % 1000u;
  t.will_fail = roll < faults_.fail_permille;
  t.pay_at = now + faults_.pay_after;
  ++stats_.trades;
  return t;
}

void SandboxBook::SettleLocked(SandboxTrade& t, Clock::time_point now) {
  if (t.state != TradeState::kPending || now < t.pay_at) return;
  t.state = t.will_fail ? TradeState::kFailed : TradeState::kPaid;
  ++(t.will_fail ? stats_.failed : stats_.paid);
  if (t.state == TradeState::kPaid) {
    // The payer paid at pay_at; the book may learn it later (nobody asked).
    const auto late = std::chrono::duration_cast<std::chrono::nanoseconds>(now - t.pay_at);
    t.paid_at_unix_ns = wall_clock_() - late.count();
  }
}

Result<SandboxTrade> SandboxBook::Get(Gateway g, std::string_view out_trade_no,
                                      Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = trades_.find(Key(g, out_trade_no));
  if (it == trades_.end()) return Refused("TRADE_NOT_EXIST", out_trade_no);
  SettleLocked(it->second, now);
  return it->second;
}

Result<SandboxTrade> SandboxBook::Close(Gateway g, std::string_view out_trade_no,
                                        Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = trades_.find(Key(g, out_trade_no));
  if (it == trades_.end()) return Refused("TRADE_NOT_EXIST", out_trade_no);
  SandboxTrade& t = it->second;
  SettleLocked(t, now);
  if (t.state == TradeState::kPaid || t.state == TradeState::kRefunded) {
    return Refused("TRADE_STATUS_ERROR", out_trade_no);
  }
  if (t.state == TradeState::kPending) {
    if (faults_.paid_after_close) {
      // The payer's payment raced the close: the gateway took the money.
      t.state = TradeState::kPaid;
      t.will_fail = false;
      t.paid_at_unix_ns = wall_clock_();
      ++stats_.paid;
      ++stats_.paid_after_close;
      return t;  // the close "succeeded", the trade is paid anyway
    }
    t.state = TradeState::kClosed;
    ++stats_.closed;
  }
  return t;
}

Result<SandboxRefund> SandboxBook::Refund(Gateway g, std::string_view out_trade_no,
                                          std::string_view refund_no, const Money& amount,
                                          Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.refund_calls;
  auto it = trades_.find(Key(g, out_trade_no));
  if (it == trades_.end()) return Refused("TRADE_NOT_EXIST", out_trade_no);
  SandboxTrade& t = it->second;
  SettleLocked(t, now);
  auto r = t.refunds.find(std::string(refund_no));
  if (r != t.refunds.end()) {
    ++r->second.calls;
    if (!(r->second.amount == amount)) return Refused("REFUND_AMT_NOT_EQUAL_TOTAL", refund_no);
    return r->second;  // the same request again: nothing moves
  }
  if (t.state != TradeState::kPaid) return Refused("TRADE_STATUS_ERROR", out_trade_no);
  auto left = t.amount.Sub(t.refunded);
  if (!left.ok() || amount.is_zero() || amount.asset() != t.amount.asset() ||
      amount.minor() > left->minor()) {
    return Refused("REFUND_AMT_NOT_EQUAL_TOTAL", refund_no);
  }
  SandboxRefund made;
  made.refund_no = std::string(refund_no);
  made.amount = amount;
  made.calls = 1;
  made.made_at_unix_ns = wall_clock_();
  made.made_index = static_cast<std::uint32_t>(t.refunds.size());
  made.gateway_refund_id = SandboxRefundId(g, refund_no);
  t.refunded = t.refunded.Add(amount).value();
  if (t.refunded == t.amount) t.state = TradeState::kRefunded;
  ++stats_.refunds_made;
  t.refunds.emplace(made.refund_no, made);
  return made;
}

Result<SandboxRefund> SandboxBook::GetRefund(Gateway g, std::string_view out_trade_no,
                                             std::string_view refund_no) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = trades_.find(Key(g, out_trade_no));
  if (it == trades_.end()) return Refused("TRADE_NOT_EXIST", out_trade_no);
  auto r = it->second.refunds.find(std::string(refund_no));
  if (r == it->second.refunds.end()) return Refused("REFUND_NOT_EXIST", refund_no);
  return r->second;
}

Result<std::pair<std::string, SandboxRefund>> SandboxBook::FindRefund(Gateway g,
                                                                      std::string_view refund_no) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, t] : trades_) {
    if (t.gateway != g) continue;
    auto r = t.refunds.find(std::string(refund_no));
    if (r != t.refunds.end()) return std::make_pair(t.out_trade_no, r->second);
  }
  return Refused("REFUND_NOT_EXIST", refund_no);
}

Result<SandboxTrade> SandboxBook::FindByTxnId(Gateway g, std::string_view gateway_txn_id,
                                              Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [key, t] : trades_) {
    if (t.gateway == g && t.gateway_txn_id == gateway_txn_id) {
      SettleLocked(t, now);
      return t;
    }
  }
  return Refused("TRADE_NOT_EXIST", gateway_txn_id);
}

std::vector<SandboxTrade> SandboxBook::Due(Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SandboxTrade> out;
  for (auto& [key, t] : trades_) {
    SettleLocked(t, now);
    if (t.state != TradeState::kPending && !t.reported) {
      t.reported = true;
      out.push_back(t);
    }
  }
  return out;
}

std::optional<SandboxBook::Clock::time_point> SandboxBook::NextDue() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<Clock::time_point> next;
  for (const auto& [key, t] : trades_) {
    if (t.state == TradeState::kPending && (!next || t.pay_at < *next)) next = t.pay_at;
  }
  return next;
}

SandboxBookStats SandboxBook::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::vector<SandboxTrade> SandboxBook::Trades() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SandboxTrade> out;
  out.reserve(trades_.size());
  for (const auto& [key, t] : trades_) out.push_back(t);
  return out;
}

std::vector<SandboxTrade> SandboxBook::SettledTrades(Gateway g, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SandboxTrade> out;
  for (auto& [key, t] : trades_) {
    if (t.gateway != g) continue;
    SettleLocked(t, now);
    out.push_back(t);
  }
  return out;
}

}  // namespace folio::gateways
