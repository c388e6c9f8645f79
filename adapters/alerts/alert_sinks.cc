#include "adapters/alerts/alert_sinks.h"

#include <random>
#include <thread>
#include <utility>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/gateway_api.h"
#include "adapters/gateways/hmac_notify.h"
#include "adapters/json/rfc3339.h"
#include "events/codes.h"

namespace folio::alerts {

namespace gw = gateways;

// The outcome of the one message in flight, written by the delivery report
// callback on the thread that polls (Publish's).
struct KafkaAlertSink::Delivery {
  bool done = false;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;

  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<Delivery*>(opaque);
    self->done = true;
    self->err = m->err;
  }
};

KafkaAlertSink::KafkaAlertSink(KafkaAlertOptions opts, std::unique_ptr<Delivery> d)
    : opts_(std::move(opts)), delivery_(std::move(d)) {}

KafkaAlertSink::~KafkaAlertSink() {
  if (rk_) {
    // Publish waited for every report, so nothing is left to flush.
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_.get(), 0);
  }
}

Result<std::unique_ptr<KafkaAlertSink>> KafkaAlertSink::Create(KafkaAlertOptions opts) {
  if (opts.brokers.empty()) return Status::Error(kafka::kKafkaConfig, "no brokers given");
  if (opts.delivery_timeout.count() <= 0) {
    return Status::Error(kafka::kKafkaConfig, "delivery_timeout must be positive");
  }
  kafka::ConfPairs pairs = {
      {"bootstrap.servers", opts.brokers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "0"},  // one alert at a time: nothing to batch
      {"message.timeout.ms", std::to_string(opts.delivery_timeout.count())},
      {"log_level", "3"},
  };
  pairs.insert(pairs.end(), opts.extra_config.begin(), opts.extra_config.end());
  ASSIGN_OR_RETURN(kafka::ConfPtr conf, kafka::MakeConf(pairs));
  auto delivery = std::make_unique<Delivery>();
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Delivery::OnDelivery);
  rd_kafka_conf_set_opaque(conf.get(), delivery.get());
  std::unique_ptr<KafkaAlertSink> sink(new KafkaAlertSink(std::move(opts), std::move(delivery)));
  ASSIGN_OR_RETURN(sink->rk_, kafka::NewHandle(RD_KAFKA_PRODUCER, std::move(conf)));
  return sink;
}

Status KafkaAlertSink::Publish(const AlertTransition& t) {
  const std::string key = AlertKey(t.alert.rule, t.alert.subject);
  const std::string value = AlertJson(t);
  const std::string_view state = t.firing ? "firing" : "resolved";
  const std::pair<std::string_view, std::string> headers[] = {
      {"ce_specversion", "1.0"},
      {"ce_id", t.alert.id + ":" + std::string(state)},
      {"ce_source", opts_.ce_source},
      {"ce_type", std::string(t.firing ? kAlertTypeFiring : kAlertTypeResolved)},
      {"ce_time", json::FormatRfc3339(t.at_ns)},
      {"content-type", "application/json"},
  };
  rd_kafka_headers_t* hdrs = rd_kafka_headers_new(std::size(headers));
  for (const auto& [name, v] : headers) {
    rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), v.data(),
                        static_cast<ssize_t>(v.size()));
  }
  *delivery_ = Delivery{};
  // The RD_KAFKA_V_* macros are C and cast the old way.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
  rd_kafka_resp_err_t err = rd_kafka_producev(
      rk_.get(), RD_KAFKA_V_TOPIC(opts_.topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
#pragma GCC diagnostic pop
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_headers_destroy(hdrs);
    return kafka::KafkaStatus(kafka::kKafkaError, err, "produce to " + opts_.topic);
  }
  // message.timeout.ms bounds the wait: librdkafka reports the message
  // failed by then. The extra margin only guards against a report never
  // served; then the message is purged and its report awaited.
  const auto deadline =
      std::chrono::steady_clock::now() + opts_.delivery_timeout + std::chrono::seconds(5);
  while (!delivery_->done) {
    rd_kafka_poll(rk_.get(), 50);
    if (!delivery_->done && std::chrono::steady_clock::now() > deadline) {
      rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      for (int i = 0; i < 100 && !delivery_->done; ++i) rd_kafka_poll(rk_.get(), 10);
      if (!delivery_->done) return Status::Error(kafka::kKafkaTimeout, "no delivery report");
    }
  }
  if (delivery_->err == RD_KAFKA_RESP_ERR_NO_ERROR) return OkStatus();
  char reason[256] = {};
  if (rd_kafka_fatal_error(rk_.get(), reason, sizeof reason) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Error(kafka::kKafkaFatal, std::string("producer fatal: ") + reason);
  }
  return kafka::KafkaStatus(kafka::kKafkaError, delivery_->err, "delivery to " + opts_.topic);
}

Result<WebhookAlertOptions> WebhookAlertOptions::FromConfig(const WebhookConfig& c) {
  WebhookAlertOptions o;
  o.url = c.url;
  ASSIGN_OR_RETURN(o.secret, ReadSecretFile(c.secret_file));
  o.retry.attempts_max = c.attempts_max;
  o.retry.base = std::chrono::milliseconds(c.backoff_base_ms);
  o.retry.cap = std::chrono::milliseconds(c.backoff_cap_ms);
  o.timeout = std::chrono::milliseconds(c.timeout_ms);
  return o;
}

Result<std::unique_ptr<WebhookAlertSink>> WebhookAlertSink::Create(WebhookAlertOptions opts) {
  if (opts.secret.empty()) return Status::Error(codes::kInvalidArgument, "webhook secret is empty");
  if (opts.retry.attempts_max == 0) {
    return Status::Error(codes::kInvalidArgument, "webhook attempts_max is 0");
  }
  ASSIGN_OR_RETURN(http::BaseUrl base, http::ParseBaseUrl(opts.url));
  // The client prepends the URL's path to the target; a bare host needs "/".
  std::string target = base.path_prefix.empty() ? "/" : "";
  http::OutboundOptions oo;
  oo.timeout = opts.timeout;
  oo.ca_file = opts.ca_file;
  ASSIGN_OR_RETURN(auto client, http::OutboundClient::Create(std::move(base), std::move(oo)));
  return std::unique_ptr<WebhookAlertSink>(
      new WebhookAlertSink(std::move(opts), std::move(client), std::move(target)));
}

Status WebhookAlertSink::Attempt(const std::string& body) {
  const std::string ts = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  // A fresh nonce per attempt: a receiver that took an attempt whose answer
  // was lost would refuse the same nonce as a replay; it de-duplicates by id.
  const std::string nonce = gw::crypto::RandomAlnum(32);
  gw::OutboundRequest req;
  req.method = "POST";
  req.target = target_;
  req.headers = {
      {"Content-Type", "application/json"},
      {std::string(gw::kHmacTimestampHeader), ts},
      {std::string(gw::kHmacNonceHeader), nonce},
      {std::string(gw::kHmacSignatureHeader), gw::HmacSignature(opts_.secret, ts, nonce, body)}};
  req.body = body;
  ++attempts_;
  ASSIGN_OR_RETURN(gw::InboundResponse r, client_->Send(req));
  const std::string what = "alert webhook answered HTTP " + std::to_string(r.status);
  if (r.status >= 200 && r.status < 300) return OkStatus();
  if (r.status >= 500 && r.status < 600) return Status::Error(gw::codes::kGatewayUnavailable, what);
  if (r.status >= 400 && r.status < 500) return Status::Error(gw::codes::kGatewayRefused, what);
  return Status::Error(gw::codes::kGatewayResponseInvalid, what);
}

Status WebhookAlertSink::Publish(const AlertTransition& t) {
  const std::string body = AlertJson(t);
  gw::CallBackoff backoff(opts_.retry, std::random_device{}());
  while (true) {
    Status s = Attempt(body);
    const bool retryable =
        s.code() == gw::codes::kGatewayUnavailable || s.code() == gw::codes::kGatewayTimeout;
    if (s.ok() || !retryable) return s;
    const std::chrono::milliseconds wait = backoff.NextWait();
    if (wait.count() < 0) return s;  // attempts used up
    std::this_thread::sleep_for(wait);
  }
}

Result<std::vector<std::unique_ptr<AlertSink>>> MakeAlertSinks(const AlertsConfig& c,
                                                               const std::string& kafka_brokers) {
  std::vector<std::unique_ptr<AlertSink>> sinks;
  if (!kafka_brokers.empty()) {
    KafkaAlertOptions k;
    k.brokers = kafka_brokers;
    k.topic = c.kafka_topic;
    ASSIGN_OR_RETURN(auto sink, KafkaAlertSink::Create(std::move(k)));
    sinks.push_back(std::move(sink));
  }
  if (c.webhook) {
    ASSIGN_OR_RETURN(WebhookAlertOptions w, WebhookAlertOptions::FromConfig(*c.webhook));
    ASSIGN_OR_RETURN(auto sink, WebhookAlertSink::Create(std::move(w)));
    sinks.push_back(std::move(sink));
  }
  return sinks;
}

}  // namespace folio::alerts
