// The "alerts" object of the server's configuration: the rules' thresholds,
// the silenced alerts and where alerts go (docs/alerts.md has an example).
//
//   {"rules": {"pending_max_s": 1800, ...},      (AlertRulesConfig keys)
//    "silenced": ["relay_lag_high", "failure_rate_high:card"],
//    "kafka_topic": "folio.alerts",
//    "webhook": {"url": "https://ops.example/alerts", "secret_file": "/etc/folio/alerts.key",
//                "attempts_max": 5, "backoff_base_ms": 200, "backoff_cap_ms": 10000,
//                "timeout_ms": 5000}}
//
// Every key is optional; no "webhook" means no webhook sink.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/fwd.hpp>

#include "adapters/alerts/alert_rules.h"
#include "events/status.h"

namespace folio::alerts {

struct WebhookConfig {
  std::string url;            // http:// or https://; required
  std::string secret_file;    // a file holding the HMAC secret (trailing newline dropped); required
  unsigned attempts_max = 5;  // the first attempt included; 1..20. Default: 5
  std::int64_t backoff_base_ms = 200;    // the cap of the first wait; 1..60,000. Default: 200
  std::int64_t backoff_cap_ms = 10'000;  // no wait is longer; base..600,000. Default: 10,000
  std::int64_t timeout_ms = 5'000;       // one attempt; 1..120,000. Default: 5,000
};

struct AlertsConfig {
  AlertRulesConfig rules;  // "silenced" lives at the top level of the JSON
  // Letters, digits, '.', '_', '-'; 1..249 characters. Default: "folio.alerts".
  std::string kafka_topic = "folio.alerts";
  std::optional<WebhookConfig> webhook;

  // Errors: invalid_argument, the message naming the field ("alerts.webhook.url").
  static Result<AlertsConfig> FromJson(const boost::json::value& v);
};

// The webhook's secret from its file. Errors: not_found (unreadable),
// invalid_argument (empty).
Result<std::string> ReadSecretFile(const std::string& path);

}  // namespace folio::alerts
