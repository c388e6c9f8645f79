// The alert sinks: the Kafka topic folio.alerts and an optional webhook.
//
//   Kafka    key   := rule ":" subject
//            value := AlertJson (application/json)
//            headers (CloudEvents Kafka binding, binary mode, as folio.events):
//              ce_specversion "1.0"
//              ce_id          alert id ":" state ("<64 hex>:firing")
//              ce_source      KafkaAlertOptions::ce_source ("/folio")
//              ce_type        "folio.alert.firing" | "folio.alert.resolved"
//              ce_time        the transition's time, RFC 3339 UTC
//              content-type   "application/json"
//   Webhook  POST AlertJson to the configured URL with the HMAC headers of
//            adapters/gateways/hmac_notify.h (X-Folio-Timestamp, X-Folio-Nonce,
//            X-Folio-Signature = hex(HMAC-SHA256(secret, ts "." nonce "." body))),
//            a fresh timestamp and nonce per attempt; gateway_unavailable,
//            gateway_timeout and HTTP 5xx are retried with full-jitter back-off
//            (gateways::CallBackoff) up to attempts_max; a 4xx is not
//            (gateway_refused), nor is any other status (gateway_response_invalid).
//
// Thread-safety: each sink's Publish from one thread at a time (the
// publisher's). Publish blocks: Kafka until the delivery report (at most
// delivery_timeout and a little more), the webhook through its retries.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/alerts/alert_publish.h"
#include "adapters/alerts/alerts_config.h"
#include "adapters/gateways/call_policy.h"
#include "adapters/http/outbound.h"
#include "adapters/kafka/rd_handles.h"

namespace folio::alerts {

inline constexpr std::string_view kAlertTypeFiring = "folio.alert.firing";
inline constexpr std::string_view kAlertTypeResolved = "folio.alert.resolved";

struct KafkaAlertOptions {
  std::string brokers;  // required
  std::string topic = "folio.alerts";
  std::string ce_source = "/folio";
  // message.timeout.ms: a message not acknowledged by then fails. Default: 10 s.
  std::chrono::milliseconds delivery_timeout{10'000};
  kafka::ConfPairs extra_config;  // set last, may override the above
};

// An idempotent producer (acks=all) of its own.
class KafkaAlertSink : public AlertSink {
 public:
  // Errors: kafka_config.
  static Result<std::unique_ptr<KafkaAlertSink>> Create(KafkaAlertOptions opts);
  ~KafkaAlertSink() override;

  std::string_view name() const override { return "kafka"; }
  // OK when the delivery report says the broker has the message; else
  // kafka_error (rejected, or its delivery timed out) or kafka_fatal.
  Status Publish(const AlertTransition& t) override;

  struct Delivery;

 private:
  KafkaAlertSink(KafkaAlertOptions opts, std::unique_ptr<Delivery> d);
  KafkaAlertOptions opts_;
  std::unique_ptr<Delivery> delivery_;  // the callback's target; outlives the handle
  kafka::KafkaPtr rk_;
};

struct WebhookAlertOptions {
  std::string url;                           // http:// or https://
  std::string secret;                        // HMAC key; REQUIRES non-empty
  gateways::RetryOptions retry;              // attempts_max, base, cap
  std::chrono::milliseconds timeout{5'000};  // one attempt
  std::string ca_file;                       // https only; empty: the system's CAs

  // From the configuration, reading the secret file. Errors: not_found,
  // invalid_argument.
  static Result<WebhookAlertOptions> FromConfig(const WebhookConfig& c);
};

class WebhookAlertSink : public AlertSink {
 public:
  // Errors: invalid_argument (URL, CA file, empty secret).
  static Result<std::unique_ptr<WebhookAlertSink>> Create(WebhookAlertOptions opts);

  std::string_view name() const override { return "webhook"; }
  Status Publish(const AlertTransition& t) override;

  std::uint64_t attempts() const { return attempts_; }  // requests sent, retries included

 private:
  WebhookAlertSink(WebhookAlertOptions opts, std::unique_ptr<http::OutboundClient> client,
                   std::string target)
      : opts_(std::move(opts)), client_(std::move(client)), target_(std::move(target)) {}
  Status Attempt(const std::string& body);

  WebhookAlertOptions opts_;
  std::unique_ptr<http::OutboundClient> client_;
  std::string target_;
  std::uint64_t attempts_ = 0;
};

// The sinks `c` asks for: Kafka (topic c.kafka_topic) when `kafka_brokers`
// is not empty, the webhook when c.webhook is set (its secret read from its
// file). Errors: those of the Create functions and of ReadSecretFile.
Result<std::vector<std::unique_ptr<AlertSink>>> MakeAlertSinks(const AlertsConfig& c,
                                                               const std::string& kafka_brokers);

}  // namespace folio::alerts
