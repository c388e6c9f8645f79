#include "adapters/alerts/alerts_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "adapters/http/base_url.h"
#include "events/codes.h"

namespace folio::alerts {
namespace {

namespace bj = boost::json;

Status Invalid(std::string_view field, const std::string& why) {
  return Status::Error(codes::kInvalidArgument, "alerts." + std::string(field) + " " + why);
}

Status OnlyKeys(const bj::object& o, std::string_view where,
                std::initializer_list<std::string_view> keys) {
  for (const auto& kv : o) {
    if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end()) {
      return Invalid(std::string(where) + std::string(kv.key()), "is not a known field");
    }
  }
  return OkStatus();
}

Status ReadString(const bj::object& o, std::string_view key, std::string_view field,
                  std::string* out) {
  const bj::value* v = o.if_contains(key);
  if (v == nullptr) return OkStatus();
  if (!v->is_string()) return Invalid(field, "must be a string");
  *out = std::string(v->get_string());
  return OkStatus();
}

template <typename T>
Status ReadInt(const bj::object& o, std::string_view key, std::string_view field, std::int64_t lo,
               std::int64_t hi, T* out) {
  const bj::value* v = o.if_contains(key);
  if (v == nullptr) return OkStatus();
  if (!v->is_int64() || v->get_int64() < lo || v->get_int64() > hi) {
    return Invalid(field,
                   "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  *out = static_cast<T>(v->get_int64());
  return OkStatus();
}

bool ValidTopic(std::string_view t) {
  if (t.empty() || t.size() > 249) return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

Result<WebhookConfig> ParseWebhook(const bj::value& v) {
  if (!v.is_object()) return Invalid("webhook", "must be an object");
  const bj::object& o = v.get_object();
  RETURN_IF_ERROR(OnlyKeys(
      o, "webhook.",
      {"url", "secret_file", "attempts_max", "backoff_base_ms", "backoff_cap_ms", "timeout_ms"}));
  WebhookConfig w;
  RETURN_IF_ERROR(ReadString(o, "url", "webhook.url", &w.url));
  if (w.url.empty()) return Invalid("webhook.url", "is required");
  if (auto u = http::ParseBaseUrl(w.url); !u.ok()) {
    return Invalid("webhook.url", "is not a URL: " + u.status().message());
  }
  RETURN_IF_ERROR(ReadString(o, "secret_file", "webhook.secret_file", &w.secret_file));
  if (w.secret_file.empty()) return Invalid("webhook.secret_file", "is required");
  RETURN_IF_ERROR(ReadInt(o, "attempts_max", "webhook.attempts_max", 1, 20, &w.attempts_max));
  RETURN_IF_ERROR(
      ReadInt(o, "backoff_base_ms", "webhook.backoff_base_ms", 1, 60'000, &w.backoff_base_ms));
  RETURN_IF_ERROR(ReadInt(o, "backoff_cap_ms", "webhook.backoff_cap_ms", w.backoff_base_ms, 600'000,
                          &w.backoff_cap_ms));
  RETURN_IF_ERROR(ReadInt(o, "timeout_ms", "webhook.timeout_ms", 1, 120'000, &w.timeout_ms));
  return w;
}

}  // namespace

Result<AlertsConfig> AlertsConfig::FromJson(const bj::value& v) {
  if (!v.is_object()) return Status::Error(codes::kInvalidArgument, "alerts must be an object");
  const bj::object& o = v.get_object();
  RETURN_IF_ERROR(OnlyKeys(o, "", {"rules", "silenced", "kafka_topic", "webhook"}));
  AlertsConfig c;
  // One home for the rule keys: AlertRulesConfig::FromJson reads "rules"
  // with the top-level "silenced" added (inside "rules" it is refused here).
  bj::object rules;
  if (const bj::value* r = o.if_contains("rules")) {
    if (!r->is_object()) return Invalid("rules", "must be an object");
    if (r->get_object().contains("silenced")) {
      return Invalid("rules.silenced", "is not a known field (silenced is top-level)");
    }
    rules = r->get_object();
  }
  if (const bj::value* s = o.if_contains("silenced")) rules["silenced"] = *s;
  ASSIGN_OR_RETURN(c.rules, AlertRulesConfig::FromJson(rules));
  RETURN_IF_ERROR(ReadString(o, "kafka_topic", "kafka_topic", &c.kafka_topic));
  if (!ValidTopic(c.kafka_topic)) {
    return Invalid("kafka_topic", "must be 1..249 of [A-Za-z0-9._-]");
  }
  if (const bj::value* w = o.if_contains("webhook")) {
    ASSIGN_OR_RETURN(c.webhook, ParseWebhook(*w));
  }
  return c;
}

Result<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(codes::kNotFound, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty()) return Status::Error(codes::kInvalidArgument, path + " holds no secret");
  return s;
}

}  // namespace folio::alerts
