// Decide for the payment commands. Check order per command: docs/rejections.md.
#include <optional>

#include "engine/domain/internal.h"
#include "engine/domain/limits.h"
#include "engine/domain/methods.h"
#include "engine/domain/rejections.h"

namespace folio::domain {
namespace {

namespace rj = rejections;
constexpr std::int64_t kNsPerS = 1'000'000'000;

std::optional<Rejection> CheckCreateInput(const PaymentCreate& c) {
  if (!ValidId(c.payment_id) || !ValidId(c.customer_id)) {
    return Reject(rj::kInvalidCommand, "payment_id and customer_id must be valid ids");
  }
  if (c.method == fb::Method::Unknown || c.method > fb::Method::MAX) {
    return Reject(rj::kInvalidCommand, "unknown method");
  }
  if (!ValidAmount(c.amount)) return Reject(rj::kInvalidCommand, "amount must be positive");
  if (c.destination == fb::Destination::Trust && (!ValidId(c.client_id) || !ValidId(c.matter_id))) {
    return Reject(rj::kInvalidCommand, "a trust payment needs client_id and matter_id");
  }
  if (c.due_at_ns && *c.due_at_ns < 0) return Reject(rj::kInvalidCommand, "due_at before 1970");
  if (!c.network.empty() && c.network != MethodNetwork(c.method)) {
    return Reject(rj::kInvalidCommand, "network does not match the method");
  }
  return std::nullopt;
}

std::optional<Rejection> CheckRules(StateStore& s, const PaymentCreate& c, const MethodConfig& cfg,
                                    const CommandContext& ctx) {
  if (!cfg.enabled) return Reject(rj::kMethodDisabled, std::string(MethodName(c.method)));
  const AssetRules* rules = cfg.RulesFor(c.amount.asset());
  if (rules == nullptr) {
    return Reject(rj::kCurrencyNotAccepted, std::string(AssetCode(c.amount.asset())) +
                                                " is not accepted by " +
                                                std::string(MethodName(c.method)));
  }
  if (c.amount.minor() < rules->min_amount.minor()) {
    return Reject(rj::kAmountBelowMin, "minimum is " + rules->min_amount.ToDisplay());
  }
  if (!rules->max_amount.is_zero() && c.amount.minor() > rules->max_amount.minor()) {
    return Reject(rj::kAmountAboveMax, "maximum is " + rules->max_amount.ToDisplay());
  }
  const LimitKeys keys = LimitKeysFor(c.customer_id, c.method, c.amount.asset(), ctx.now_ns);
  const struct {
    const std::string& key;
    const Money& limit;
    std::string_view code;
  } checks[] = {{keys.day, rules->daily_limit, rj::kLimitDailyExceeded},
                {keys.month, rules->monthly_limit, rj::kLimitMonthlyExceeded}};
  for (const auto& chk : checks) {
    if (chk.limit.is_zero()) continue;
    const u128 used = LimitUsed(s, chk.key);
    if (used > chk.limit.minor() || c.amount.minor() > chk.limit.minor() - used) {
      return Reject(chk.code, "limit is " + chk.limit.ToDisplay());
    }
  }
  return std::nullopt;
}

// Checks shared by every command that moves an open payment forward.
// `payable`: the payment must also be due and not past its expiry.
std::optional<Rejection> CheckOpen(const std::optional<PaymentState>& p, std::string_view id,
                                   bool payable, std::int64_t now_ns) {
  if (!p) return Reject(rj::kPaymentNotFound, std::string(id));
  if (p->status == PaymentStatus::kSettled) return Reject(rj::kPaymentAlreadySettled, "");
  if (p->status >= PaymentStatus::kFailed) return Reject(rj::kPaymentClosed, "");
  if (!payable) return std::nullopt;
  // Time decides, not whether the scheduler has run yet.
  if (p->status == PaymentStatus::kScheduled && now_ns < p->due_at_ns) {
    return Reject(rj::kPaymentNotDue, "");
  }
  if (p->expires_at_ns != 0 && now_ns >= p->expires_at_ns &&
      p->status != PaymentStatus::kConfirming) {
    return Reject(rj::kPaymentExpired, "");
  }
  return std::nullopt;
}

std::int64_t ExpiresAt(const PaymentCreate& c, const MethodConfig& cfg, std::int64_t start_ns) {
  const std::uint32_t timeout_s = c.timeout_s.value_or(cfg.payment_timeout_s);
  if (timeout_s == 0) return 0;
  return start_ns + static_cast<std::int64_t>(timeout_s) * kNsPerS;
}

}  // namespace

Decision DecidePaymentCreate(StateStore& s, const PaymentCreate& c, const CommandContext& ctx) {
  if (auto r = CheckCreateInput(c)) return *r;
  if (s.Load(PaymentKey(c.payment_id))) return Reject(rj::kPaymentAlreadyExists, c.payment_id);
  const MethodConfig cfg = EffectiveMethodConfig(s, c.method);
  if (auto r = CheckRules(s, c, cfg, ctx)) return *r;
  Result<Money> fee = ComputeFee(*cfg.RulesFor(c.amount.asset()), c.amount);
  if (!fee.ok()) return Reject(rj::kAmountOverflow, fee.status().message());
  const std::int64_t due_at_ns = c.due_at_ns.value_or(0) > ctx.now_ns ? *c.due_at_ns : 0;
  const std::int64_t expires_at_ns = ExpiresAt(c, cfg, due_at_ns > 0 ? due_at_ns : ctx.now_ns);
  const std::string network(MethodNetwork(c.method));
  Out out(ctx);
  out.Emit(PaymentStream(c.payment_id), fb::Event::PaymentCreated, [&](auto& b) {
    const fb::Money amount = c.amount.ToFb(), fee_fb = fee->ToFb();
    return fb::CreatePaymentCreatedDirect(b, c.payment_id.c_str(), c.customer_id.c_str(),
                                          c.order_id.c_str(), c.invoice_id.c_str(), c.method,
                                          network.c_str(), &amount, &fee_fb, c.destination,
                                          c.client_id.c_str(), c.matter_id.c_str(), expires_at_ns,
                                          due_at_ns, c.description.c_str())
        .Union();
  });
  return out.Done();
}

Decision DecidePaymentMarkPending(StateStore& s, const PaymentMarkPending& c,
                                  const CommandContext& ctx) {
  if (!ValidId(c.payment_id)) return Reject(rj::kInvalidCommand, "payment_id");
  const auto p = LoadAs<PaymentState>(s, PaymentKey(c.payment_id));
  if (auto r = CheckOpen(p, c.payment_id, true, ctx.now_ns)) return *r;
  Out out(ctx);
  out.Emit(PaymentStream(c.payment_id), fb::Event::PaymentPendingAtGateway, [&](auto& b) {
    return fb::CreatePaymentPendingAtGatewayDirect(b, c.payment_id.c_str(),
                                                   c.gateway_trade_no.c_str(), c.qr_payload.c_str())
        .Union();
  });
  return out.Done();
}

Decision DecidePaymentObserve(StateStore& s, const PaymentObserveConfirmations& c,
                              const CommandContext& ctx) {
  if (!ValidId(c.payment_id)) return Reject(rj::kInvalidCommand, "payment_id");
  const auto p = LoadAs<PaymentState>(s, PaymentKey(c.payment_id));
  if (!p) return Reject(rj::kPaymentNotFound, c.payment_id);
  if (!IsCryptoMethod(p->method)) return Reject(rj::kPaymentNotCrypto, c.payment_id);
  if (auto r = CheckOpen(p, c.payment_id, true, ctx.now_ns)) return *r;
  const std::uint32_t required = EffectiveMethodConfig(s, p->method).confirmations_required;
  Out out(ctx);
  out.Emit(PaymentStream(c.payment_id), fb::Event::CryptoConfirmationsObserved, [&](auto& b) {
    return fb::CreateCryptoConfirmationsObservedDirect(b, c.payment_id.c_str(), c.tx_hash.c_str(),
                                                       c.confirmations, required, c.block_height)
        .Union();
  });
  // Enough confirmations settle the payment in the same decision.
  if (c.confirmations >= required) EmitPaymentSettled(out, c.payment_id, *p, c.tx_hash, p->fee);
  return out.Done();
}

// Closed (failed, cancelled, expired), or open but past its expiry.
bool Late(const PaymentState& p, std::int64_t now_ns) {
  if (p.status >= PaymentStatus::kFailed) return true;
  return p.expires_at_ns != 0 && now_ns >= p.expires_at_ns &&
         p.status != PaymentStatus::kConfirming;
}

Decision DecidePaymentSettle(StateStore& s, const PaymentSettle& c, const CommandContext& ctx) {
  if (!ValidId(c.payment_id)) return Reject(rj::kInvalidCommand, "payment_id");
  const auto p = LoadAs<PaymentState>(s, PaymentKey(c.payment_id));
  // The gateway's word that it took the money is recorded even when the
  // ledger closed the payment: the money exists, and is refunded.
  const bool after_close =
      c.allow_closed && p && p->status != PaymentStatus::kSettled && Late(*p, ctx.now_ns);
  if (!after_close) {
    if (auto r = CheckOpen(p, c.payment_id, true, ctx.now_ns)) return *r;
  }
  if (c.amount && !(*c.amount == p->amount)) {
    return Reject(rj::kSettleAmountMismatch, "the payment is " + p->amount.ToDisplay());
  }
  const Money gateway_fee = c.gateway_fee.value_or(p->fee);
  if (gateway_fee.asset() != p->amount.asset()) {
    return Reject(rj::kCurrencyMismatch, "gateway_fee must be in the payment's currency");
  }
  if (after_close && p->destination != fb::Destination::Trust &&
      s.Load(RefundKey(LateRefundId(c.payment_id)))) {
    // The late refund's id is taken (by an operator's refund elsewhere):
    // recording the money without it would leave it unrefunded unseen.
    return Reject(rj::kRefundAlreadyExists, LateRefundId(c.payment_id));
  }
  Out out(ctx);
  EmitPaymentSettled(out, c.payment_id, *p, c.gateway_txn_id, gateway_fee, after_close);
  return out.Done();
}

Decision DecidePaymentFail(StateStore& s, const PaymentFail& c, const CommandContext& ctx) {
  if (!ValidId(c.payment_id)) return Reject(rj::kInvalidCommand, "payment_id");
  const auto p = LoadAs<PaymentState>(s, PaymentKey(c.payment_id));
  if (auto r = CheckOpen(p, c.payment_id, false, ctx.now_ns)) return *r;
  Out out(ctx);
  out.Emit(PaymentStream(c.payment_id), fb::Event::PaymentFailed, [&](auto& b) {
    return fb::CreatePaymentFailedDirect(b, c.payment_id.c_str(), c.reason.c_str(),
                                         c.gateway_code.c_str())
        .Union();
  });
  return out.Done();
}

Decision DecidePaymentCancel(StateStore& s, const PaymentCancel& c, const CommandContext& ctx) {
  if (!ValidId(c.payment_id)) return Reject(rj::kInvalidCommand, "payment_id");
  const auto p = LoadAs<PaymentState>(s, PaymentKey(c.payment_id));
  if (auto r = CheckOpen(p, c.payment_id, false, ctx.now_ns)) return *r;
  Out out(ctx);
  out.Emit(PaymentStream(c.payment_id), fb::Event::PaymentCancelled, [&](auto& b) {
    return fb::CreatePaymentCancelledDirect(b, c.payment_id.c_str(), c.reason.c_str()).Union();
  });
  return out.Done();
}

}  // namespace folio::domain
