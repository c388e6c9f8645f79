#include "adapters/alerts/alert_publish.h"

#include <cstdio>
#include <filesystem>
#include <set>

#include <boost/json.hpp>

#include "adapters/files/durable_file.h"
#include "events/codes.h"

namespace folio::alerts {
namespace {

namespace bj = boost::json;

bj::object AlertToJson(const Alert& a) {
  return {{"id", a.id},
          {"rule", a.rule},
          {"subject", a.subject},
          {"severity", a.severity},
          {"summary", a.summary},
          {"since_ns", a.since_ns},
          {"source_seq", a.source_seq}};
}

std::optional<Alert> AlertFromJson(const bj::value& v) {
  const bj::object* o = v.if_object();
  if (o == nullptr) return std::nullopt;
  auto str = [&](const char* k) -> const bj::string* {
    const bj::value* f = o->if_contains(k);
    return f ? f->if_string() : nullptr;
  };
  const bj::value* since = o->if_contains("since_ns");
  const bj::value* seq = o->if_contains("source_seq");
  if (!str("id") || !str("rule") || !str("subject") || !str("severity") || !str("summary") ||
      since == nullptr || !since->is_int64() || seq == nullptr ||
      !(seq->is_uint64() || (seq->is_int64() && seq->get_int64() >= 0))) {
    return std::nullopt;
  }
  Alert a;
  a.id = *str("id");
  a.rule = *str("rule");
  a.subject = *str("subject");
  a.severity = *str("severity");
  a.summary = *str("summary");
  a.since_ns = since->get_int64();
  a.source_seq = seq->to_number<std::uint64_t>();
  return a;
}

}  // namespace

Result<std::unique_ptr<AlertPublisher>> AlertPublisher::Open(
    std::string dir, std::vector<std::unique_ptr<AlertSink>> sinks) {
  std::vector<SinkState> states;
  std::set<std::string_view> names;
  for (auto& s : sinks) {
    if (!names.insert(s->name()).second) {
      return Status::Error(codes::kInvalidArgument,
                           "two alert sinks named " + std::string(s->name()));
    }
    states.push_back({std::move(s), {}, false});
  }
  std::unique_ptr<AlertPublisher> p(new AlertPublisher(std::move(dir), std::move(states)));
  RETURN_IF_ERROR(p->Load());
  return p;
}

Status AlertPublisher::Load() {
  const std::string path = dir_ + "/" + std::string(kMarkFileName);
  auto text = files::ReadWholeFile(path);
  if (text.status().code() == codes::kNotFound) return OkStatus();  // first start
  RETURN_IF_ERROR(text.status());
  auto bad = [&](const char* why) { return Status::Error(codes::kCorruption, path + ": " + why); };
  boost::system::error_code ec;
  bj::value v = bj::parse(*text, ec);
  if (ec || !v.is_object()) return bad("not a JSON object");
  const bj::object& o = v.get_object();
  const bj::value* version = o.if_contains("version");
  const bj::value* mark = o.if_contains("mark_seq");
  const bj::value* held = o.if_contains("sinks");
  if (!version || !version->is_int64() || version->get_int64() != 1) return bad("version not 1");
  if (!mark || !(mark->is_uint64() || (mark->is_int64() && mark->get_int64() >= 0))) {
    return bad("mark_seq missing");
  }
  if (!held || !held->is_object()) return bad("sinks missing");
  mark_seq_ = mark->to_number<std::uint64_t>();
  for (SinkState& s : sinks_) {
    // A sink added since the last run holds nothing; one removed is forgotten.
    const bj::value* list = held->get_object().if_contains(s.sink->name());
    if (list == nullptr) continue;
    if (!list->is_array()) return bad("a sink's alerts are not a list");
    for (const bj::value& a : list->get_array()) {
      std::optional<Alert> alert = AlertFromJson(a);
      if (!alert) return bad("an alert is malformed");
      std::string key = AlertKey(alert->rule, alert->subject);
      s.held.emplace(std::move(key), std::move(*alert));
    }
  }
  return OkStatus();
}

Status AlertPublisher::WriteMark() const {
  bj::object sinks;
  for (const SinkState& s : sinks_) {
    bj::array list;
    for (const auto& [key, a] : s.held) list.push_back(AlertToJson(a));
    sinks[s.sink->name()] = std::move(list);
  }
  bj::object o{{"version", 1}, {"mark_seq", mark_seq_}, {"sinks", std::move(sinks)}};
  return files::WriteFileDurably(dir_ + "/" + std::string(kMarkFileName), bj::serialize(o));
}

Status AlertPublisher::Send(SinkState& s, const AlertTransition& t) {
  const std::string sink(s.sink->name());
  Status st = s.sink->Publish(t);
  std::lock_guard lock(mu_);
  if (!st.ok()) {
    ++failures_[sink];
    s.failed_this_round = true;
    return st;
  }
  ++published_[{sink, t.firing ? "firing" : "resolved"}];
  return OkStatus();
}

// One transition to one sink, with the rules of the header; records it.
Status AlertPublisher::Apply(SinkState& s, const AlertTransition& t) {
  if (s.failed_this_round) return OkStatus();
  const std::string key = AlertKey(t.alert.rule, t.alert.subject);
  auto it = s.held.find(key);
  if (t.firing) {
    if (it != s.held.end()) return OkStatus();  // the sink has it already
    if (s.held.size() >= kHeldMax) {
      std::lock_guard lock(mu_);
      ++failures_[std::string(s.sink->name())];
      return Status::Error(codes::kInvalidArgument, "too many firing alerts held");
    }
    RETURN_IF_ERROR(Send(s, t));
    s.held.emplace(key, t.alert);
    mark_seq_ = std::max(mark_seq_, t.alert.source_seq);
  } else {
    if (it == s.held.end()) return OkStatus();  // the sink never saw it fire
    // As the sink knows it: the id and since it was told.
    RETURN_IF_ERROR(Send(s, {it->second, false, t.at_ns}));
    s.held.erase(it);
  }
  return WriteMark();
}

Status AlertPublisher::Reconcile(SinkState& s, const std::map<std::string, const Alert*>& firing,
                                 std::int64_t now_ns) {
  Status first;
  auto note = [&](Status st) {
    if (first.ok() && !st.ok()) first = std::move(st);
  };
  std::vector<Alert> stale;
  for (const auto& [key, a] : s.held) {
    if (!firing.contains(key)) stale.push_back(a);
  }
  for (const Alert& a : stale) note(Apply(s, {a, false, now_ns}));
  for (const auto& [key, a] : firing) {
    if (!s.held.contains(key)) note(Apply(s, {*a, true, now_ns}));
  }
  return first;
}

Status AlertPublisher::Publish(const std::vector<AlertTransition>& transitions,
                               const std::vector<Alert>& firing, std::int64_t now_ns) {
  std::map<std::string, const Alert*> firing_by_key;
  std::map<std::string, std::uint64_t> by_rule;
  for (std::string_view r : kRuleNames) by_rule[std::string(r)] = 0;
  for (const Alert& a : firing) {
    firing_by_key.emplace(AlertKey(a.rule, a.subject), &a);
    ++by_rule[a.rule];
  }
  {
    std::lock_guard lock(mu_);
    firing_by_rule_ = std::move(by_rule);
  }
  Status first;
  auto note = [&](Status st) {
    if (first.ok() && !st.ok()) first = std::move(st);
  };
  for (SinkState& s : sinks_) {
    s.failed_this_round = false;
    for (const AlertTransition& t : transitions) note(Apply(s, t));
    note(Reconcile(s, firing_by_key, now_ns));
  }
  return first;
}

std::vector<http::Sample> AlertPublisher::MetricSamples() const {
  std::vector<http::Sample> out;
  std::lock_guard lock(mu_);
  for (const auto& [rule, n] : firing_by_rule_) {
    out.push_back({"folio_alerts_firing",
                   "Alerts firing now, by rule (silenced ones excepted).",
                   "gauge",
                   {{"rule", rule}},
                   static_cast<double>(n)});
  }
  for (const SinkState& s : sinks_) {
    const std::string sink(s.sink->name());
    for (const char* state : {"firing", "resolved"}) {
      auto it = published_.find({sink, state});
      out.push_back({"folio_alerts_published_total",
                     "Alert transitions a sink accepted.",
                     "counter",
                     {{"sink", sink}, {"state", state}},
                     static_cast<double>(it == published_.end() ? 0 : it->second)});
    }
    auto f = failures_.find(sink);
    out.push_back({"folio_alerts_publish_failures_total",
                   "Alert transitions a sink did not accept (retried next round).",
                   "counter",
                   {{"sink", sink}},
                   static_cast<double>(f == failures_.end() ? 0 : f->second)});
  }
  return out;
}

const std::map<std::string, Alert>* AlertPublisher::Held(std::string_view sink) const {
  for (const SinkState& s : sinks_) {
    if (s.sink->name() == sink) return &s.held;
  }
  return nullptr;
}

}  // namespace folio::alerts
