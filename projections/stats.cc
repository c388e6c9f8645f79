#include "projections/stats.h"

#include "engine/domain/civil_time.h"
#include "engine/domain/methods.h"
#include "events/fields.h"

namespace folio::projections {
namespace {

std::string RowKey(std::uint32_t day_key, fb::Method method, Asset asset) {
  std::string k = "s/";
  PutKeyU32(k, day_key);
  k.push_back(static_cast<char>(method));
  k.push_back(static_cast<char>(asset));
  return k;
}
std::string PaymentKey(std::string_view payment_id) { return "p/" + std::string(payment_id); }

struct PaymentInfo {
  fb::Method method = fb::Method::Unknown;
  Money amount;
};

PaymentInfo LoadPayment(ProjectionStore& s, std::string_view payment_id) {
  PaymentInfo p;
  const auto row = s.Get(PaymentKey(payment_id));
  if (!row) return p;
  RowReader r(*row);
  const auto method = static_cast<fb::Method>(r.U8());
  const auto asset = static_cast<Asset>(r.U8());
  const u128 minor = r.U128();
  if (r.Done()) p = {method, Money(asset, minor)};
  return p;
}

void StorePayment(ProjectionStore& s, std::string_view payment_id, const PaymentInfo& p) {
  RowWriter w;
  w.U8(static_cast<std::uint8_t>(p.method)), w.U8(static_cast<std::uint8_t>(p.amount.asset()));
  w.U128(p.amount.minor());
  s.Put(PaymentKey(payment_id), w.str());
}

void Bump(StatsCount& c, u128 amount_minor) {
  if (c.count < std::numeric_limits<std::uint64_t>::max()) ++c.count;
  c.amount_minor = SaturatingAdd(c.amount_minor, amount_minor);
}

// One event's effect: which row, and how its counters change.
struct Update {
  fb::Method method = fb::Method::Unknown;
  Asset asset = Asset::Unknown;
  StatsCount StatsCounters::*count = nullptr;
  u128 amount_minor = 0;
  u128 created_fee_minor = 0;
  u128 fee_computed_minor = 0;
  u128 fee_gateway_minor = 0;
};

Update ForPayment(const PaymentInfo& p, StatsCount StatsCounters::*count) {
  return {p.method, p.amount.asset(), count, p.amount.minor()};
}
// A refund: its own amount, the method from the event when it has one.
Update ForRefund(ProjectionStore& s, std::string_view payment_id, const fb::Money* amount,
                 fb::Method method, StatsCount StatsCounters::*count) {
  const Money m = MoneyOf(amount);
  if (method == fb::Method::Unknown) method = LoadPayment(s, payment_id).method;
  return {method, m.asset(), count, m.minor()};
}

std::optional<Update> UpdateFor(const fb::Envelope& env, ProjectionStore& s) {
  using E = fb::Event;
  switch (env.event_type()) {
    case E::PaymentCreated: {
      const auto* e = env.event_as_PaymentCreated();
      const PaymentInfo p{e->method(), MoneyOf(e->amount())};
      StorePayment(s, Sv(e->payment_id()), p);
      Update u = ForPayment(p, &StatsCounters::created);
      u.created_fee_minor = MoneyOf(e->fee()).minor();
      return u;
    }
    case E::PaymentSettled: {
      const auto* e = env.event_as_PaymentSettled();
      PaymentInfo p{e->method(), MoneyOf(e->amount())};
      if (p.method == fb::Method::Unknown) p.method = LoadPayment(s, Sv(e->payment_id())).method;
      Update u = ForPayment(p, &StatsCounters::settled);
      u.fee_computed_minor = MoneyOf(e->fee()).minor();
      u.fee_gateway_minor = MoneyOf(e->gateway_fee()).minor();
      return u;
    }
    case E::PaymentFailed:
      return ForPayment(LoadPayment(s, Sv(env.event_as_PaymentFailed()->payment_id())),
                        &StatsCounters::failed);
    case E::PaymentCancelled:
      return ForPayment(LoadPayment(s, Sv(env.event_as_PaymentCancelled()->payment_id())),
                        &StatsCounters::cancelled);
    case E::PaymentExpired:
      return ForPayment(LoadPayment(s, Sv(env.event_as_PaymentExpired()->payment_id())),
                        &StatsCounters::expired);
    case E::RefundRequested: {
      const auto* e = env.event_as_RefundRequested();
      return ForRefund(s, Sv(e->payment_id()), e->amount(), fb::Method::Unknown,
                       &StatsCounters::refund_requested);
    }
    case E::RefundSucceeded: {
      const auto* e = env.event_as_RefundSucceeded();
      return ForRefund(s, Sv(e->payment_id()), e->amount(), e->method(),
                       &StatsCounters::refund_succeeded);
    }
    case E::RefundFailed: {
      const auto* e = env.event_as_RefundFailed();
      return ForRefund(s, Sv(e->payment_id()), e->amount(), fb::Method::Unknown,
                       &StatsCounters::refund_failed);
    }
    default:
      return std::nullopt;
  }
}

void PutCount(RowWriter& w, const StatsCount& c) { w.U64(c.count), w.U128(c.amount_minor); }
StatsCount GetCount(RowReader& r) {
  StatsCount c;
  c.count = r.U64();
  c.amount_minor = r.U128();
  return c;
}

std::string FeeKey(std::uint64_t seq) {
  std::string k = "f/";
  PutKeyU64(k, seq);
  return k;
}

void PutMoney(RowWriter& w, const Money& m) {
  w.U8(static_cast<std::uint8_t>(m.asset())), w.U128(m.minor());
}
Money GetMoney(RowReader& r) {
  const auto asset = static_cast<Asset>(r.U8());
  return Money(asset, r.U128());
}

// A settlement whose gateway fee is not the schedule's: its "f/" row.
void RecordFeeDifference(const EventRecord& event, std::uint32_t day_key, ProjectionStore& s) {
  const auto* e = event.env().event_as_PaymentSettled();
  const Money charged = MoneyOf(e->gateway_fee()), schedule = MoneyOf(e->fee());
  if (charged.minor() == schedule.minor()) return;
  RowWriter w;
  w.U32(day_key), w.I64(event.env().occurred_at_ns());
  w.U8(static_cast<std::uint8_t>(e->method()));
  w.Bytes(Sv(e->payment_id())), w.Bytes(Sv(e->gateway_txn_id()));
  PutMoney(w, MoneyOf(e->amount())), PutMoney(w, charged), PutMoney(w, schedule);
  s.Put(FeeKey(event.seq()), w.str());
}

}  // namespace

void StatsProjection::Apply(const EventRecord& event, ProjectionStore& s) {
  const std::optional<Update> u = UpdateFor(event.env(), s);
  if (!u) return;
  const std::uint32_t day_key = domain::ShanghaiDayKey(event.env().occurred_at_ns());
  if (event.env().event_type() == fb::Event::PaymentSettled) {
    RecordFeeDifference(event, day_key, s);
  }
  const std::string key = RowKey(day_key, u->method, u->asset);
  StatsCounters c;
  if (auto row = s.Get(key)) c = DecodeStatsCounters(*row).value_or(StatsCounters{});
  Bump(c.*(u->count), u->amount_minor);
  c.created_fee_minor = SaturatingAdd(c.created_fee_minor, u->created_fee_minor);
  c.fee_computed_minor = SaturatingAdd(c.fee_computed_minor, u->fee_computed_minor);
  c.fee_gateway_minor = SaturatingAdd(c.fee_gateway_minor, u->fee_gateway_minor);
  s.Put(key, EncodeStatsCounters(c));
}

std::string EncodeStatsCounters(const StatsCounters& c) {
  RowWriter w;
  for (const StatsCount* n : {&c.created, &c.settled, &c.failed, &c.cancelled, &c.expired,
                              &c.refund_requested, &c.refund_succeeded, &c.refund_failed}) {
    PutCount(w, *n);
  }
  w.U128(c.created_fee_minor), w.U128(c.fee_computed_minor), w.U128(c.fee_gateway_minor);
  return std::move(w.str());
}

std::optional<StatsCounters> DecodeStatsCounters(std::string_view row) {
  RowReader r(row);
  StatsCounters c;
  for (StatsCount* n : {&c.created, &c.settled, &c.failed, &c.cancelled, &c.expired,
                        &c.refund_requested, &c.refund_succeeded, &c.refund_failed}) {
    *n = GetCount(r);
  }
  c.created_fee_minor = r.U128(), c.fee_computed_minor = r.U128(), c.fee_gateway_minor = r.U128();
  if (!r.Done()) return std::nullopt;
  return c;
}

std::optional<u128> BasisPointsHalfUp(u128 numerator, u128 denominator) {
  if (denominator == 0) return std::nullopt;
  // The 256-bit product numerator * 10000 as hi:lo.
  constexpr u128 kBp = 10000;
  const u128 p0 = kBp * static_cast<std::uint64_t>(numerator);
  const u128 p1 = kBp * static_cast<std::uint64_t>(numerator >> 64);
  const u128 lo = p0 + (p1 << 64);
  const u128 hi = (p1 >> 64) + (lo < p0 ? 1 : 0);
  if (hi >= denominator) return kU128Max;  // quotient does not fit
  // Restoring long division of hi:lo by denominator; rem < denominator throughout.
  u128 rem = hi, quotient = 0;
  for (int bit = 127; bit >= 0; --bit) {
    const bool carry = (rem >> 127) != 0;
    rem = (rem << 1) | ((lo >> bit) & 1);
    quotient <<= 1;
    if (carry || rem >= denominator) {
      rem -= denominator;
      quotient |= 1;
    }
  }
  if (rem >= denominator - rem) quotient = SaturatingAdd(quotient, 1);  // half-up
  return quotient;
}

std::vector<StatsRow> Stats(ProjectionReader& reader, std::uint32_t from_day_key,
                            std::uint32_t to_day_key) {
  std::vector<StatsRow> out;
  if (from_day_key > to_day_key) return out;
  std::string from = "s/", to = "s/";
  PutKeyU32(from, from_day_key);
  PutKeyU32(to, to_day_key);
  to = PrefixEnd(to);
  ScanAll(reader, from, to, [&](const std::string& key, const std::string& value) {
    RowReader k(std::string_view(key).substr(2));
    StatsRow row;
    row.day_key = k.U32();
    row.method = static_cast<fb::Method>(k.U8());
    row.asset = static_cast<Asset>(k.U8());
    std::optional<StatsCounters> c = DecodeStatsCounters(value);
    if (!k.Done() || !c) return;
    row.counters = *c;
    row.refund_rate_bp =
        BasisPointsHalfUp(c->refund_succeeded.amount_minor, c->settled.amount_minor);
    row.success_rate_bp = BasisPointsHalfUp(c->settled.count, c->created.count);
    out.push_back(std::move(row));
  });
  return out;
}

std::string StatsJson(const std::vector<StatsRow>& rows) {
  std::string out = "{\"rows\":[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const StatsRow& r = rows[i];
    const StatsCounters& c = r.counters;
    if (i > 0) out.push_back(',');
    out += "{\"day\":\"" + DayKeyString(r.day_key) + "\",\"method\":";
    AppendJsonString(out, domain::MethodName(r.method));
    out += ",\"asset\":";
    AppendJsonString(out, AssetString(r.asset));
    const std::pair<const char*, const StatsCount*> counts[] = {
        {"created", &c.created},
        {"settled", &c.settled},
        {"failed", &c.failed},
        {"cancelled", &c.cancelled},
        {"expired", &c.expired},
        {"refund_requested", &c.refund_requested},
        {"refund_succeeded", &c.refund_succeeded},
        {"refund_failed", &c.refund_failed},
    };
    for (const auto& [name, n] : counts) {
      out += ",\"" + std::string(name) + "\":{\"count\":" + std::to_string(n->count) +
             ",\"amount\":\"" + AmountString(r.asset, n->amount_minor) + "\"}";
    }
    out += ",\"created_fee\":\"" + AmountString(r.asset, c.created_fee_minor) + "\"";
    out += ",\"fee_computed\":\"" + AmountString(r.asset, c.fee_computed_minor) + "\"";
    out += ",\"fee_gateway\":\"" + AmountString(r.asset, c.fee_gateway_minor) + "\"";
    out += ",\"refund_rate_bp\":" +
           (r.refund_rate_bp ? U128ToString(*r.refund_rate_bp) : std::string("null"));
    out += ",\"success_rate_bp\":" +
           (r.success_rate_bp ? U128ToString(*r.success_rate_bp) : std::string("null")) + "}";
  }
  out += "]}";
  return out;
}

std::vector<FeeDifference> FeeDifferences(ProjectionReader& reader, std::uint32_t from_day_key,
                                          std::uint32_t to_day_key) {
  std::vector<FeeDifference> out;
  ScanAll(reader, "f/", "f0", [&](const std::string& key, const std::string& value) {
    RowReader k(std::string_view(key).substr(2));
    RowReader r(value);
    FeeDifference d;
    d.seq = k.U64();
    d.day_key = r.U32();
    d.occurred_at_ns = r.I64();
    d.method = static_cast<fb::Method>(r.U8());
    d.payment_id = r.Bytes();
    d.gateway_txn_id = r.Bytes();
    d.amount = GetMoney(r), d.charged = GetMoney(r), d.schedule = GetMoney(r);
    if (!k.Done() || !r.Done()) return;
    if (d.day_key < from_day_key || d.day_key > to_day_key) return;
    out.push_back(std::move(d));
  });
  return out;
}

}  // namespace folio::projections
