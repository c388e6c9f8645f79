#include "adapters/gateways/sandbox_bill.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "adapters/reconciliation/ledger_items.h"
#include "adapters/statements/bill_writer.h"
#include "engine/assert.h"
#include "engine/domain/methods.h"

namespace folio::gateways {
namespace {

constexpr std::int64_t kNsPerDay = 86'400'000'000'000;

struct Period {
  std::int64_t start_ns = 0, end_ns = 0;  // [start, end)
  bool Holds(std::int64_t ns) const { return ns >= start_ns && ns < end_ns; }
};

Period DayPeriod(const domain::CivilDate& day) {
  const std::int64_t start = domain::ShanghaiDayStartNs(day);
  return Period{start, start + kNsPerDay};
}

// The fee Folio's ledger books on a payment of `amount` by g's method.
Money ExpectedFee(Gateway g, const Money& amount) {
  const fb::Method method = g == Gateway::kAlipay     ? fb::Method::Alipay
                            : g == Gateway::kUnionPay ? fb::Method::UnionPay
                                                      : fb::Method::WechatPay;
  const domain::MethodConfig config = domain::DefaultMethodConfig(method);
  const domain::AssetRules* rules = config.RulesFor(amount.asset());
  if (rules == nullptr) return Money(amount.asset(), 0);  // an asset the method does not take
  auto fee = domain::ComputeFee(*rules, amount);
  return fee.ok() ? *fee : Money(amount.asset(), 0);  // only when a sum overflows 128 bits
}

std::string PaymentStatus(Gateway g) {
  return g == Gateway::kAlipay ? "交易" : g == Gateway::kUnionPay ? "S22" : "SUCCESS";
}
std::string RefundStatus(Gateway g) {
  return g == Gateway::kAlipay ? "退款" : g == Gateway::kUnionPay ? "S30" : "REFUND";
}

statements::Line PaymentRow(Gateway g, const SandboxTrade& t) {
  statements::Line l;
  l.reference = t.gateway_txn_id;
  l.order_ref = t.out_trade_no;
  l.amount = t.amount;
  l.fee = ExpectedFee(g, t.amount);
  l.status = PaymentStatus(g);
  l.description = "Folio sandbox";
  l.booked_at_ns = t.paid_at_unix_ns;
  return l;
}

// The trade's refunds made in `day`, each with the fee given back counted
// over all of the trade's refunds in the order they were made.
void AddRefundRows(Gateway g, const SandboxTrade& t, const Period& day,
                   std::vector<statements::Line>* rows) {
  std::vector<const SandboxRefund*> made;
  for (const auto& [no, r] : t.refunds) made.push_back(&r);
  std::sort(made.begin(), made.end(), [](const SandboxRefund* a, const SandboxRefund* b) {
    return a->made_index < b->made_index;
  });
  const Money fee = ExpectedFee(g, t.amount);
  reconciliation::RefundedSoFar so_far;
  for (const SandboxRefund* r : made) {
    const Money back = t.amount.is_zero() || r->amount.asset() != t.amount.asset()
                           ? Money(r->amount.asset(), 0)
                           : reconciliation::FeeGivenBack(t.amount, fee, r->amount, &so_far);
    if (!day.Holds(r->made_at_unix_ns)) continue;
    statements::Line l;
    l.reference = r->gateway_refund_id;
    l.order_ref = r->refund_no;
    l.original_ref = t.gateway_txn_id;
    l.amount = r->amount;
    l.fee = back;
    l.is_debit = true;
    l.is_refund = true;
    l.status = RefundStatus(g);
    l.description = "Folio sandbox";
    l.booked_at_ns = r->made_at_unix_ns;
    rows->push_back(std::move(l));
  }
}

std::string DateText(const domain::CivilDate& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", d.year, d.month, d.day);
  return buf;
}

}  // namespace

std::optional<domain::CivilDate> ParseBillDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int digits[10] = {};
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 4 || i == 7) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    digits[i] = text[i] - '0';
  }
  domain::CivilDate d;
  d.year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3];
  d.month = static_cast<std::uint32_t>(digits[5] * 10 + digits[6]);
  d.day = static_cast<std::uint32_t>(digits[8] * 10 + digits[9]);
  if (d.year < 1970 || d.year > 2261 || d.month < 1 || d.month > 12 || d.day < 1) {
    return std::nullopt;
  }
  // A day past the month's end comes back as another date.
  const domain::CivilDate back = domain::CivilFromDays(domain::DaysFromCivil(d));
  if (back.month != d.month || back.day != d.day) return std::nullopt;
  return d;
}

std::optional<statements::Source> BillSource(Gateway g) {
  switch (g) {
    case Gateway::kAlipay:
      return statements::Source::kAlipay;
    case Gateway::kWechatPay:
      return statements::Source::kWechatPay;
    case Gateway::kUnionPay:
      return statements::Source::kUnionPay;
    default:
      return std::nullopt;
  }
}

std::vector<statements::Line> SandboxBillRows(const SandboxBillRequest& req,
                                              const std::vector<SandboxTrade>& trades) {
  FOLIO_ASSERT(BillSource(req.gateway).has_value(), "a gateway with a trade bill");
  const Period day = DayPeriod(req.day);
  std::vector<statements::Line> rows;
  for (const SandboxTrade& t : trades) {
    if (t.gateway != req.gateway) continue;
    if (t.paid_at_unix_ns != 0 && day.Holds(t.paid_at_unix_ns)) {
      rows.push_back(PaymentRow(req.gateway, t));
    }
    AddRefundRows(req.gateway, t, day, &rows);
  }
  if (req.extra_row) {
    SandboxTrade extra;
    if (req.gateway == Gateway::kUnionPay) {  // queryId is 21 letters or digits at most
      std::string digits = DateText(req.day);
      std::erase(digits, '-');
      extra.gateway_txn_id = "SANDBOXEXTRA" + digits;
      extra.out_trade_no = "sandboxextra";
    } else {
      extra.gateway_txn_id = "SANDBOX-EXTRA-" + DateText(req.day);
      extra.out_trade_no = "sandbox-extra";
    }
    extra.amount = Money(Asset::CNY, 100);
    extra.paid_at_unix_ns = day.start_ns;
    rows.push_back(PaymentRow(req.gateway, extra));
  }
  std::sort(rows.begin(), rows.end(), [](const statements::Line& a, const statements::Line& b) {
    return std::tie(a.booked_at_ns, a.is_refund, a.order_ref, a.reference) <
           std::tie(b.booked_at_ns, b.is_refund, b.order_ref, b.reference);
  });
  return rows;
}

std::string SandboxBill(const SandboxBillRequest& req, const std::vector<SandboxTrade>& trades) {
  const Period day = DayPeriod(req.day);
  statements::BillMeta meta;
  meta.account = req.account;
  meta.asset = Asset::CNY;
  meta.period_start_ns = day.start_ns;
  meta.period_end_ns = day.end_ns;
  return statements::WriteBill(*BillSource(req.gateway), meta, SandboxBillRows(req, trades));
}

}  // namespace folio::gateways
