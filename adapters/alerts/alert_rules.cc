#include "adapters/alerts/alert_rules.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <utility>

#include <boost/json.hpp>

#include "adapters/json/rfc3339.h"
#include "engine/domain/methods.h"
#include "events/codes.h"
#include "events/fields.h"
#include "events/hash.h"
#include "events/money.h"

namespace folio::alerts {
namespace {

namespace bj = boost::json;

constexpr std::int64_t kNsPerS = 1'000'000'000;
constexpr std::size_t kSilencedMax = 1000;
using i128 = __int128;

Status Invalid(std::string_view field, const std::string& why) {
  return Status::Error(codes::kInvalidArgument, "alerts rules: " + std::string(field) + " " + why);
}

// An integer field in [lo, hi]; absent leaves *out as it is.
template <typename T>
Status ReadInt(const bj::object& o, std::string_view key, std::int64_t lo, std::int64_t hi,
               T* out) {
  const bj::value* v = o.if_contains(key);
  if (v == nullptr) return OkStatus();
  std::int64_t n = 0;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64()) {
    return Invalid(key, "must be at most " + std::to_string(hi));
  } else {
    return Invalid(key, "must be an integer");
  }
  if (n < lo || n > hi) {
    return Invalid(key, "must be in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  *out = static_cast<T>(n);
  return OkStatus();
}

bool KnownRule(std::string_view name) {
  return std::find(std::begin(kRuleNames), std::end(kRuleNames), name) != std::end(kRuleNames);
}

Status ReadSilenced(const bj::value& v, std::vector<std::string>* out) {
  if (!v.is_array()) return Invalid("silenced", "must be an array of strings");
  const bj::array& a = v.get_array();
  if (a.size() > kSilencedMax) return Invalid("silenced", "has more than 1000 entries");
  for (const bj::value& e : a) {
    if (!e.is_string()) return Invalid("silenced", "must be an array of strings");
    std::string s(e.get_string());
    const std::string_view rule = std::string_view(s).substr(0, s.find(':'));
    if (!KnownRule(rule)) return Invalid("silenced", "names an unknown rule: \"" + s + "\"");
    out->push_back(std::move(s));
  }
  return OkStatus();
}

std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

// std::map::erase by a std::string_view key is C++23.
template <typename M>
void EraseKey(M& map, std::string_view key) {
  if (auto it = map.find(key); it != map.end()) map.erase(it);
}

i128 ToI128(const fb::Money* m) {
  if (m == nullptr) return 0;
  const u128 v = Money::FromFb(*m).minor();
  const u128 max = static_cast<u128>(std::numeric_limits<i128>::max());
  return static_cast<i128>(v > max ? max : v);
}

// a + b, saturating (amounts near 2^127 are not money anyone holds).
i128 SatAdd(i128 a, i128 b) {
  i128 r = 0;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  return b > 0 ? std::numeric_limits<i128>::max() : std::numeric_limits<i128>::min();
}

std::string I128ToString(i128 v) {
  if (v >= 0) return U128ToString(static_cast<u128>(v));
  return "-" + U128ToString(static_cast<u128>(-(v + 1)) + 1);
}

// How long from since_ns to now_ns reached limit_s (no overflow).
bool Reached(std::int64_t now_ns, std::int64_t since_ns, std::int64_t limit_s) {
  return static_cast<i128>(now_ns) - since_ns >= static_cast<i128>(limit_s) * kNsPerS;
}

Alert Make(std::string_view rule, std::string subject, std::string_view severity,
           std::string summary, std::int64_t since_ns, std::uint64_t source_seq) {
  Alert a;
  a.id = AlertId(rule, subject, since_ns, source_seq);
  a.rule = rule;
  a.subject = std::move(subject);
  a.severity = severity;
  a.summary = std::move(summary);
  a.since_ns = since_ns;
  a.source_seq = source_seq;
  return a;
}

}  // namespace

Result<AlertRulesConfig> AlertRulesConfig::FromJson(const bj::value& v) {
  if (!v.is_object()) return Invalid("rules", "must be an object");
  const bj::object& o = v.get_object();
  static constexpr std::string_view kKeys[] = {
      "pending_max_s",        "failure_rate_permille", "failure_window_s", "failure_min_samples",
      "relay_lag_max_events", "relay_lag_for_s",       "silenced"};
  for (const auto& kv : o) {
    if (std::find(std::begin(kKeys), std::end(kKeys), kv.key()) == std::end(kKeys)) {
      return Invalid(kv.key(), "is not a known field");
    }
  }
  AlertRulesConfig c;
  RETURN_IF_ERROR(ReadInt(o, "pending_max_s", 1, 30 * 86'400, &c.pending_max_s));
  RETURN_IF_ERROR(ReadInt(o, "failure_rate_permille", 0, 999, &c.failure_rate_permille));
  RETURN_IF_ERROR(ReadInt(o, "failure_window_s", 1, 7 * 86'400, &c.failure_window_s));
  RETURN_IF_ERROR(ReadInt(o, "failure_min_samples", 1, 1'000'000, &c.failure_min_samples));
  RETURN_IF_ERROR(
      ReadInt(o, "relay_lag_max_events", 0, 1'000'000'000'000, &c.relay_lag_max_events));
  RETURN_IF_ERROR(ReadInt(o, "relay_lag_for_s", 0, 86'400, &c.relay_lag_for_s));
  if (const bj::value* s = o.if_contains("silenced")) {
    RETURN_IF_ERROR(ReadSilenced(*s, &c.silenced));
  }
  return c;
}

std::string AlertKey(std::string_view rule, std::string_view subject) {
  std::string k(rule);
  k.append(":").append(subject);
  return k;
}

std::string AlertId(std::string_view rule, std::string_view subject, std::int64_t since_ns,
                    std::uint64_t source_seq) {
  std::string text(rule);
  text.append("\n").append(subject).append("\n").append(std::to_string(since_ns));
  text.append("\n").append(std::to_string(source_seq));
  return ToHex(Sha256(text));
}

bool IsSilenced(const std::vector<std::string>& silenced, std::string_view rule,
                std::string_view subject) {
  for (const std::string& s : silenced) {
    if (s == rule) return true;
    if (s.size() == rule.size() + 1 + subject.size() && s.starts_with(rule) &&
        s[rule.size()] == ':' && std::string_view(s).substr(rule.size() + 1) == subject) {
      return true;
    }
  }
  return false;
}

std::string AlertJson(const AlertTransition& t) {
  bj::object o;
  o["id"] = t.alert.id;
  o["rule"] = t.alert.rule;
  o["subject"] = t.alert.subject;
  o["severity"] = t.alert.severity;
  o["state"] = t.firing ? "firing" : "resolved";
  o["summary"] = t.alert.summary;
  o["since"] = json::FormatRfc3339(t.alert.since_ns);
  o["at"] = json::FormatRfc3339(t.at_ns);
  o["source_seq"] = t.alert.source_seq;
  return bj::serialize(o);
}

AlertEngine::AlertEngine(AlertRulesConfig config) : config_(std::move(config)) {}

void AlertEngine::OnEvent(const EventRecord& e) {
  switch (e.type()) {
    case fb::Event::PaymentCreated:
    case fb::Event::PaymentBecameDue:
    case fb::Event::PaymentPendingAtGateway:
    case fb::Event::PaymentSettled:
    case fb::Event::PaymentFailed:
    case fb::Event::PaymentCancelled:
    case fb::Event::PaymentExpired:
      return OnPayment(e);
    case fb::Event::TrustDepositRecorded:
    case fb::Event::TrustDepositCleared:
    case fb::Event::TrustDisbursementRecorded:
    case fb::Event::TrustFeeTransferred:
    case fb::Event::TrustRefundedToClient:
      return OnTrust(e);
    case fb::Event::DiscrepancyDetected: {
      const auto* d = e.env().event_as_DiscrepancyDetected();
      std::string key = Str(d->run_id()) + "/" + Str(d->discrepancy_id());
      if (discrepancies_.size() >= kTrackedMax && !discrepancies_.contains(key)) {
        ++dropped_;
        return;
      }
      discrepancies_[std::move(key)] = {e.env().occurred_at_ns(), e.seq(), Str(d->note())};
      return;
    }
    case fb::Event::DiscrepancyResolved: {
      const auto* d = e.env().event_as_DiscrepancyResolved();
      discrepancies_.erase(Str(d->run_id()) + "/" + Str(d->discrepancy_id()));
      return;
    }
    default:
      return;
  }
}

void AlertEngine::OnPayment(const EventRecord& e) {
  const fb::Envelope& env = e.env();
  const std::int64_t t = env.occurred_at_ns();
  if (const auto* c = env.event_as_PaymentCreated()) {
    std::string id = Str(c->payment_id());
    if (payments_.size() >= kTrackedMax && !payments_.contains(id)) {
      ++dropped_;
      return;
    }
    // A scheduled payment is not payable, so not pending, before it is due.
    payments_[std::move(id)] = {std::string(domain::MethodName(c->method())),
                                std::max(t, c->due_at_ns()), e.seq()};
  } else if (const auto* d = env.event_as_PaymentBecameDue()) {
    auto it = payments_.find(Sv(d->payment_id()));
    if (it != payments_.end()) {
      it->second.since_ns = t;
      it->second.source_seq = e.seq();
    }
  } else if (const auto* s = env.event_as_PaymentSettled()) {
    EraseKey(payments_, Sv(s->payment_id()));
    // Money taken after Folio closed the payment is not a fresh outcome: the
    // payment was already counted when it closed.
    if (!s->after_close()) {
      AddOutcome(std::string(domain::MethodName(s->method())), {t, false, e.seq()});
    }
  } else if (const auto* f = env.event_as_PaymentFailed()) {
    auto it = payments_.find(Sv(f->payment_id()));
    std::string method = it != payments_.end() ? it->second.method : std::string("unknown");
    if (it != payments_.end()) payments_.erase(it);
    AddOutcome(method, {t, true, e.seq()});
  } else if (const auto* x = env.event_as_PaymentCancelled()) {
    EraseKey(payments_, Sv(x->payment_id()));
  } else if (const auto* p = env.event_as_PaymentExpired()) {
    EraseKey(payments_, Sv(p->payment_id()));
  }
  // PaymentPendingAtGateway changes nothing: the payment has been unpaid
  // since it became payable, whether or not a gateway holds it.
}

void AlertEngine::AddOutcome(const std::string& method, const Outcome& o) {
  Window& w = windows_[method];
  w.newest_ns = std::max(w.newest_ns, o.at_ns);
  w.by_time.emplace(o.at_ns, o);
  // Whatever is out of the window at the newest event is out of it now.
  PruneWindow(w, w.newest_ns);
  while (w.by_time.size() > kWindowSamplesMax) w.by_time.erase(w.by_time.begin());
}

void AlertEngine::PruneWindow(Window& w, std::int64_t now_ns) const {
  // In the window: now - at < failure_window_s; one exactly that old has left.
  while (!w.by_time.empty() &&
         Reached(now_ns, w.by_time.begin()->first, config_.failure_window_s)) {
    w.by_time.erase(w.by_time.begin());
  }
}

namespace {

// What a trust event does to its matter's balance in one asset.
struct TrustMove {
  std::string matter;  // "client/matter"
  const fb::Money* amount = nullptr;
  enum Kind { kDepositCleared, kDepositUncleared, kClear, kOutflow } kind = kOutflow;
};

template <typename E>
TrustMove MoveOf(const E& e, TrustMove::Kind kind) {
  return {Str(e.client_id()) + "/" + Str(e.matter_id()), e.amount(), kind};
}

TrustMove TrustMoveOf(const fb::Envelope& env) {
  if (const auto* d = env.event_as_TrustDepositRecorded()) {
    return MoveOf(*d, d->cleared() ? TrustMove::kDepositCleared : TrustMove::kDepositUncleared);
  }
  if (const auto* c = env.event_as_TrustDepositCleared()) return MoveOf(*c, TrustMove::kClear);
  if (const auto* b = env.event_as_TrustDisbursementRecorded()) {
    return MoveOf(*b, TrustMove::kOutflow);
  }
  if (const auto* f = env.event_as_TrustFeeTransferred()) return MoveOf(*f, TrustMove::kOutflow);
  const auto* r = env.event_as_TrustRefundedToClient();
  assert(r != nullptr);
  return MoveOf(*r, TrustMove::kOutflow);
}

}  // namespace

void AlertEngine::OnTrust(const EventRecord& e) {
  TrustMove move = TrustMoveOf(e.env());
  if (matters_.size() >= kTrackedMax && !matters_.contains(move.matter)) {
    ++dropped_;
    return;
  }
  Matter& m = matters_[move.matter];
  MatterBalance& b = m.by_asset[move.amount ? static_cast<int>(move.amount->asset()) : 0];
  const i128 v = ToI128(move.amount);
  switch (move.kind) {
    case TrustMove::kDepositCleared:
      b.cleared = SatAdd(b.cleared, v);
      break;
    case TrustMove::kDepositUncleared:
      b.uncleared = SatAdd(b.uncleared, v);
      break;
    case TrustMove::kClear:
      b.uncleared = SatAdd(b.uncleared, -v);
      b.cleared = SatAdd(b.cleared, v);
      break;
    case TrustMove::kOutflow:
      b.cleared = SatAdd(b.cleared, -v);  // only cleared money may leave a matter
      break;
  }
  CheckMatter(m, e);
}

void AlertEngine::CheckMatter(Matter& m, const EventRecord& e) {
  std::string negative, uncleared;
  for (const auto& [asset, b] : m.by_asset) {
    const std::string code(AssetCode(static_cast<Asset>(asset)));
    if (SatAdd(b.cleared, b.uncleared) < 0) {
      negative = "balance " + I128ToString(SatAdd(b.cleared, b.uncleared)) + " minor " + code;
    }
    if (b.cleared < 0) uncleared = "cleared " + I128ToString(b.cleared) + " minor " + code;
  }
  auto update = [&](std::optional<Violation>& v, std::string detail) {
    if (detail.empty()) {
      v.reset();
    } else if (!v) {
      v = Violation{e.env().occurred_at_ns(), e.seq(), std::move(detail)};
    }
  };
  update(m.negative, std::move(negative));
  update(m.uncleared, std::move(uncleared));
}

void AlertEngine::DesiredFailureRates(std::int64_t now_ns, std::map<std::string, Alert>& out) {
  for (auto& [method, w] : windows_) {
    PruneWindow(w, now_ns);
    const std::uint64_t samples = w.by_time.size();
    std::uint64_t failed = 0, last_seq = 0;
    for (const auto& [at, o] : w.by_time) {
      failed += o.failed ? 1 : 0;
      last_seq = std::max(last_seq, o.seq);
    }
    if (samples < config_.failure_min_samples) continue;
    // Strictly above: failed / samples > permille / 1000, in integers.
    if (failed * 1000 <= std::uint64_t{config_.failure_rate_permille} * samples) continue;
    Alert a =
        Make(kFailureRateHigh, method, "warning",
             std::to_string(failed) + " of " + std::to_string(samples) + " " + method +
                 " payments failed in the last " + std::to_string(config_.failure_window_s) + " s",
             now_ns, last_seq);
    out.emplace(AlertKey(a.rule, a.subject), std::move(a));
  }
}

std::map<std::string, Alert> AlertEngine::Desired(std::int64_t now_ns, const Probes& probes) {
  std::map<std::string, Alert> out;
  auto add = [&](Alert a) { out.emplace(AlertKey(a.rule, a.subject), std::move(a)); };
  for (const auto& [id, p] : payments_) {
    if (Reached(now_ns, p.since_ns, config_.pending_max_s)) {
      add(Make(kPaymentPendingTooLong, id, "warning",
               "payment " + id + " (" + p.method + ") unpaid for at least " +
                   std::to_string(config_.pending_max_s) + " s",
               p.since_ns, p.source_seq));
    }
  }
  DesiredFailureRates(now_ns, out);
  for (const auto& [gateway, open] : probes.circuit_open) {
    if (open) {
      add(Make(kGatewayCircuitOpen, gateway, "warning",
               "the circuit breaker of gateway " + gateway + " is open", now_ns, 0));
    }
  }
  for (const auto& [id, d] : discrepancies_) {
    add(Make(kReconciliationDiscrepancy, id, "warning",
             "reconciliation discrepancy " + id + (d.note.empty() ? "" : ": " + d.note), d.since_ns,
             d.source_seq));
  }
  for (const auto& [id, m] : matters_) {
    if (m.negative) {
      add(Make(kTrustMatterNegative, id, "critical",
               "trust matter " + id + " is negative: " + m.negative->detail, m.negative->since_ns,
               m.negative->source_seq));
    }
    if (m.uncleared) {
      add(Make(kTrustUnclearedDisbursed, id, "critical",
               "trust matter " + id + " paid out uncleared funds: " + m.uncleared->detail,
               m.uncleared->since_ns, m.uncleared->source_seq));
    }
  }
  if (probes.write_failed) {
    add(Make(kWritePathFailed, "writer", "critical",
             "the log's write path failed: the writer stopped (fail-stop)", now_ns, 0));
  }
  if (probes.relay_lag_events && *probes.relay_lag_events > config_.relay_lag_max_events) {
    if (!lag_above_since_ns_) lag_above_since_ns_ = now_ns;
    if (Reached(now_ns, *lag_above_since_ns_, config_.relay_lag_for_s)) {
      add(Make(kRelayLagHigh, "kafka", "warning",
               std::to_string(*probes.relay_lag_events) + " events not yet relayed to Kafka",
               *lag_above_since_ns_, 0));
    }
  } else {
    lag_above_since_ns_.reset();
  }
  return out;
}

std::vector<AlertTransition> AlertEngine::Evaluate(std::int64_t now_ns, const Probes& probes) {
  std::map<std::string, Alert> desired = Desired(now_ns, probes);
  std::vector<std::pair<std::string, AlertTransition>> changes;
  for (auto it = firing_.begin(); it != firing_.end();) {
    if (desired.contains(it->first)) {
      ++it;
      continue;
    }
    if (!IsSilenced(config_.silenced, it->second.rule, it->second.subject)) {
      changes.push_back({it->first, {std::move(it->second), false, now_ns}});
    }
    it = firing_.erase(it);
  }
  for (auto& [key, a] : desired) {
    if (firing_.contains(key)) continue;  // still firing: keeps its id and since
    if (!IsSilenced(config_.silenced, a.rule, a.subject)) {
      changes.push_back({key, {a, true, now_ns}});
    }
    firing_.emplace(key, std::move(a));
  }
  std::stable_sort(changes.begin(), changes.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<AlertTransition> out;
  out.reserve(changes.size());
  for (auto& c : changes) out.push_back(std::move(c.second));
  return out;
}

std::vector<Alert> AlertEngine::Firing() const {
  std::vector<Alert> out;
  for (const auto& [key, a] : firing_) {
    if (!IsSilenced(config_.silenced, a.rule, a.subject)) out.push_back(a);
  }
  return out;
}

}  // namespace folio::alerts
