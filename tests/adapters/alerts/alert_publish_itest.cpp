// The alert sinks against real receivers (librdkafka's mock cluster, a local
// HTTP server) and the publisher's once-only mark across restarts.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "adapters/alerts/alert_publish.h"
#include "adapters/alerts/alert_rules.h"
#include "adapters/alerts/alert_sinks.h"
#include "adapters/gateways/crypto.h"
#include "adapters/gateways/hmac_notify.h"
#include "adapters/http/server.h"
#include "adapters/json/rfc3339.h"
#include "adapters/kafka/mock_cluster.h"
#include "tests/adapters/alerts/alert_events.h"
#include "tests/adapters/alerts/alert_kafka_read.h"
#include "tests/test_support.h"

namespace folio::alerts {
namespace {

using testing::AlertEvents;
using testing::kT0;
using testing::S;

AlertTransition SampleTransition(bool firing) {
  AlertTransition t;
  t.alert.rule = std::string(kReconciliationDiscrepancy);
  t.alert.subject = "run-1/d-1";
  t.alert.severity = "warning";
  t.alert.summary = "reconciliation discrepancy run-1/d-1";
  t.alert.since_ns = kT0;
  t.alert.source_seq = 7;
  t.alert.id = AlertId(t.alert.rule, t.alert.subject, t.alert.since_ns, t.alert.source_seq);
  t.firing = firing;
  t.at_ns = kT0 + S(3);
  return t;
}

TEST_CASE(
    "alerts publish: the Kafka sink's messages carry the alert JSON and CloudEvents headers") {
  auto cluster = kafka::MockCluster::Start(1);
  REQUIRE(cluster.ok());
  REQUIRE((*cluster)->CreateTopic({"folio.alerts", 1}).ok());
  KafkaAlertOptions o;
  o.brokers = (*cluster)->bootstrap();
  auto sink = KafkaAlertSink::Create(o);
  REQUIRE_MESSAGE(sink.ok(), sink.status().ToString());
  const AlertTransition firing = SampleTransition(true);
  const AlertTransition resolved = SampleTransition(false);
  Status s = (*sink)->Publish(firing);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  s = (*sink)->Publish(resolved);
  REQUIRE_MESSAGE(s.ok(), s.ToString());

  const auto got = ReadMessages(o.brokers, "folio.alerts", 2);
  REQUIRE(got.size() == 2);
  const KafkaMessage& m = got[0];
  CHECK(m.key == "reconciliation_discrepancy:run-1/d-1");
  CHECK(m.value == AlertJson(firing));
  CHECK(boost::json::parse(m.value).at("state").as_string() == "firing");
  CHECK(m.headers.at("ce_specversion") == "1.0");
  CHECK(m.headers.at("ce_id") == firing.alert.id + ":firing");
  CHECK(m.headers.at("ce_source") == "/folio");
  CHECK(m.headers.at("ce_type") == "folio.alert.firing");
  CHECK(m.headers.at("ce_time") == json::FormatRfc3339(firing.at_ns));
  CHECK(m.headers.at("content-type") == "application/json");
  CHECK(got[1].headers.at("ce_type") == "folio.alert.resolved");
  CHECK(got[1].headers.at("ce_id") == firing.alert.id + ":resolved");
  CHECK(got[1].value == AlertJson(resolved));
}

TEST_CASE("alerts publish: the Kafka sink says so when no broker acknowledges") {
  auto cluster = kafka::MockCluster::Start(1);
  REQUIRE(cluster.ok());
  REQUIRE((*cluster)->CreateTopic({"folio.alerts", 1}).ok());
  REQUIRE((*cluster)->SetBrokerDown(1).ok());
  KafkaAlertOptions o;
  o.brokers = (*cluster)->bootstrap();
  o.delivery_timeout = std::chrono::milliseconds(1500);
  o.extra_config = {{"log_level", "0"}};  // the refused connections are expected
  auto sink = KafkaAlertSink::Create(o);
  REQUIRE(sink.ok());
  const Status s = (*sink)->Publish(SampleTransition(true));
  CHECK_FALSE(s.ok());
  CHECK(s.code() == kafka::kKafkaError);
}

// A webhook receiver: answers each request with the next status of `plan`
// (the last one repeats) and keeps what it received.
class Receiver {
 public:
  explicit Receiver(std::vector<unsigned> plan) : plan_(std::move(plan)) {
    http::ServerOptions so;
    auto s = http::HttpServer::Start(so, [this](http::Request r, http::Responder done) {
      unsigned status = 0;
      {
        std::lock_guard lock(mu_);
        status = plan_[std::min(requests_.size(), plan_.size() - 1)];
        requests_.push_back(r);
        statuses_.push_back(status);
      }
      done(http::Response{status, "application/json", "{}", {}});
    });
    REQUIRE(s.ok());
    server_ = std::move(*s);
  }
  ~Receiver() { server_->Stop(); }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hook";
  }
  std::vector<http::Request> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::vector<unsigned> statuses() const {
    std::lock_guard lock(mu_);
    return statuses_;
  }

 private:
  std::vector<unsigned> plan_;
  mutable std::mutex mu_;
  std::vector<http::Request> requests_;
  std::vector<unsigned> statuses_;
  std::unique_ptr<http::HttpServer> server_;
};

WebhookAlertOptions FastWebhook(const std::string& url, unsigned attempts) {
  WebhookAlertOptions o;
  o.url = url;
  o.secret = "alert-secret-1";
  o.retry.attempts_max = attempts;
  o.retry.base = std::chrono::milliseconds(1);
  o.retry.cap = std::chrono::milliseconds(5);
  o.timeout = std::chrono::milliseconds(5000);
  return o;
}

TEST_CASE(
    "alerts publish: the webhook gets the alert once after two 503s and its signature verifies") {
  Receiver rx({503, 503, 200});
  auto sink = WebhookAlertSink::Create(FastWebhook(rx.url(), 5));
  REQUIRE_MESSAGE(sink.ok(), sink.status().ToString());
  const AlertTransition t = SampleTransition(true);
  const Status s = (*sink)->Publish(t);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  const auto reqs = rx.requests();
  REQUIRE(reqs.size() == 3);
  CHECK(rx.statuses() == std::vector<unsigned>{503, 503, 200});
  CHECK((*sink)->attempts() == 3);
  std::set<std::string> nonces;
  for (const http::Request& r : reqs) {
    CHECK(r.method == "POST");
    CHECK(r.target == "/hook");
    CHECK(r.body == AlertJson(t));
    CHECK(r.Header("content-type") == "application/json");
    nonces.insert(std::string(r.Header("x-folio-nonce")));
  }
  CHECK(nonces.size() == 3);  // a fresh nonce per attempt
  // The accepted request verifies with the gateways' HMAC scheme, and a
  // changed body does not.
  const http::Request& last = reqs.back();
  const std::string ts(last.Header("x-folio-timestamp"));
  const std::string nonce(last.Header("x-folio-nonce"));
  const std::string sig(last.Header("x-folio-signature"));
  CHECK(sig.size() == 64);
  CHECK(gateways::crypto::ConstantTimeEqual(
      sig, gateways::HmacSignature("alert-secret-1", ts, nonce, last.body)));
  CHECK_FALSE(gateways::crypto::ConstantTimeEqual(
      sig, gateways::HmacSignature("alert-secret-1", ts, nonce, last.body + " ")));
  CHECK_FALSE(gateways::crypto::ConstantTimeEqual(
      sig, gateways::HmacSignature("another-secret", ts, nonce, last.body)));
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  CHECK(std::abs(std::stoll(ts) - now_s) < 60);
}

TEST_CASE("alerts publish: the webhook does not retry a 400 and gives up after attempts_max 503s") {
  Receiver bad({400});
  auto sink = WebhookAlertSink::Create(FastWebhook(bad.url(), 5));
  REQUIRE(sink.ok());
  Status s = (*sink)->Publish(SampleTransition(true));
  CHECK(s.code() == gateways::codes::kGatewayRefused);
  CHECK(bad.requests().size() == 1);

  Receiver down({503});
  auto sink2 = WebhookAlertSink::Create(FastWebhook(down.url(), 3));
  REQUIRE(sink2.ok());
  s = (*sink2)->Publish(SampleTransition(true));
  CHECK(s.code() == gateways::codes::kGatewayUnavailable);
  CHECK(down.requests().size() == 3);
}

TEST_CASE("alerts publish: the sinks of an alerts config sign with the secret of its file") {
  testing::TempDir dir;
  Receiver rx({200});
  const std::string key_file = (dir.path() / "alerts.key").string();
  {
    std::ofstream out(key_file);
    out << "from-the-file\n";
  }
  boost::json::object webhook{{"url", rx.url()}, {"secret_file", key_file}, {"attempts_max", 1}};
  auto cfg = AlertsConfig::FromJson(boost::json::object{{"webhook", webhook}});
  REQUIRE_MESSAGE(cfg.ok(), cfg.status().ToString());
  auto sinks = MakeAlertSinks(*cfg, "");  // no brokers: no Kafka sink
  REQUIRE_MESSAGE(sinks.ok(), sinks.status().ToString());
  REQUIRE(sinks->size() == 1);
  CHECK((*sinks)[0]->name() == "webhook");
  REQUIRE((*sinks)[0]->Publish(SampleTransition(true)).ok());
  REQUIRE(rx.requests().size() == 1);
  const http::Request r = rx.requests()[0];
  CHECK(r.Header("x-folio-signature") ==
        gateways::HmacSignature("from-the-file", r.Header("x-folio-timestamp"),
                                r.Header("x-folio-nonce"), r.body));

  webhook["secret_file"] = (dir.path() / "missing.key").string();
  auto missing = AlertsConfig::FromJson(boost::json::object{{"webhook", webhook}});
  REQUIRE(missing.ok());
  CHECK(MakeAlertSinks(*missing, "").status().code() == "not_found");
}

// Records what it is given; fails while `failing` is set.
struct Recording {
  std::vector<AlertTransition> got;
  bool failing = false;
};
class RecordingSink : public AlertSink {
 public:
  RecordingSink(std::string name, std::shared_ptr<Recording> r)
      : name_(std::move(name)), r_(std::move(r)) {}
  std::string_view name() const override { return name_; }
  Status Publish(const AlertTransition& t) override {
    if (r_->failing) return Status::Error("kafka_error", "down");
    r_->got.push_back(t);
    return OkStatus();
  }

 private:
  std::string name_;
  std::shared_ptr<Recording> r_;
};

std::unique_ptr<AlertPublisher> OpenPublisher(const testing::TempDir& dir,
                                              const std::shared_ptr<Recording>& a,
                                              const std::shared_ptr<Recording>& b = nullptr) {
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(std::make_unique<RecordingSink>("kafka", a));
  if (b) sinks.push_back(std::make_unique<RecordingSink>("webhook", b));
  auto p = AlertPublisher::Open(dir.str(), std::move(sinks));
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return std::move(*p);
}

// Evaluate, then publish with Firing() of that Evaluate (not in one call's
// arguments: their order of evaluation is unspecified).
Status Round(AlertEngine& engine, AlertPublisher& pub, std::int64_t now_ns) {
  const std::vector<AlertTransition> ts = engine.Evaluate(now_ns, {});
  return pub.Publish(ts, engine.Firing(), now_ns);
}

// One server life: a fresh engine fed `events` from seq 1, one Evaluate,
// its transitions handed to a publisher opened on `dir`.
void ServerLife(const testing::TempDir& dir, const std::shared_ptr<Recording>& rec,
                const std::vector<const EventRecord*>& events, std::int64_t now_ns,
                AlertRulesConfig config = {}) {
  AlertEngine engine(std::move(config));
  for (const EventRecord* e : events) engine.OnEvent(*e);
  auto pub = OpenPublisher(dir, rec);
  const Status s = Round(engine, *pub, now_ns);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
}

TEST_CASE("alerts publish: a discrepancy alert is published once across a restart") {
  testing::TempDir dir;
  auto rec = std::make_shared<Recording>();
  AlertEvents ev;
  const EventRecord detected = ev.Detected("run-1", "d-1", kT0);
  ServerLife(dir, rec, {&detected}, kT0 + S(1));
  REQUIRE(rec->got.size() == 1);
  CHECK(rec->got[0].firing);
  {
    auto pub = OpenPublisher(dir, rec);
    CHECK(pub->mark_seq() == 1);
    REQUIRE(pub->Held("kafka") != nullptr);
    CHECK(pub->Held("kafka")->size() == 1);
  }
  // Crash and restart: every event again from seq 1; the engine fires anew.
  ServerLife(dir, rec, {&detected}, kT0 + S(60));
  CHECK(rec->got.size() == 1);
  // Resolved after the restart: published once, as the alert first published.
  const EventRecord resolved = ev.Resolved("run-1", "d-1", kT0 + S(70));
  {
    AlertEngine engine(AlertRulesConfig{});
    engine.OnEvent(detected);
    auto pub = OpenPublisher(dir, rec);
    REQUIRE(Round(engine, *pub, kT0 + S(65)).ok());
    CHECK(rec->got.size() == 1);
    engine.OnEvent(resolved);
    REQUIRE(Round(engine, *pub, kT0 + S(80)).ok());
  }
  REQUIRE(rec->got.size() == 2);
  CHECK_FALSE(rec->got[1].firing);
  CHECK(rec->got[1].alert.id == rec->got[0].alert.id);
  // And a third life replays both events: nothing at all.
  ServerLife(dir, rec, {&detected, &resolved}, kT0 + S(90));
  CHECK(rec->got.size() == 2);
}

TEST_CASE(
    "alerts publish: an alert resolved while the server was down is published resolved after the "
    "restart") {
  testing::TempDir dir;
  auto rec = std::make_shared<Recording>();
  AlertEvents ev;
  const EventRecord detected = ev.Detected("run-2", "d-7", kT0);
  ServerLife(dir, rec, {&detected}, kT0 + S(1));
  REQUIRE(rec->got.size() == 1);
  // The resolution was committed but the server died before publishing it.
  const EventRecord resolved = ev.Resolved("run-2", "d-7", kT0 + S(2));
  ServerLife(dir, rec, {&detected, &resolved}, kT0 + S(10));
  REQUIRE(rec->got.size() == 2);
  CHECK_FALSE(rec->got[1].firing);
  CHECK(rec->got[1].alert.id == rec->got[0].alert.id);
  CHECK(rec->got[1].at_ns == kT0 + S(10));
  ServerLife(dir, rec, {&detected, &resolved}, kT0 + S(20));
  CHECK(rec->got.size() == 2);
}

TEST_CASE("alerts publish: an alert silenced after it was published is published resolved") {
  testing::TempDir dir;
  auto rec = std::make_shared<Recording>();
  AlertEvents ev;
  const EventRecord detected = ev.Detected("run-4", "d-1", kT0);
  ServerLife(dir, rec, {&detected}, kT0 + S(1));
  REQUIRE(rec->got.size() == 1);
  AlertRulesConfig silenced;
  silenced.silenced = {"reconciliation_discrepancy:run-4/d-1"};
  ServerLife(dir, rec, {&detected}, kT0 + S(2), silenced);
  REQUIRE(rec->got.size() == 2);
  CHECK_FALSE(rec->got[1].firing);
  CHECK(rec->got[1].alert.id == rec->got[0].alert.id);
  ServerLife(dir, rec, {&detected}, kT0 + S(3), silenced);
  CHECK(rec->got.size() == 2);
}

TEST_CASE(
    "alerts publish: a sink that failed gets the alert next round and the other sink only once") {
  testing::TempDir dir;
  auto a = std::make_shared<Recording>();
  auto b = std::make_shared<Recording>();
  b->failing = true;
  AlertEngine engine(AlertRulesConfig{});
  AlertEvents ev;
  engine.OnEvent(ev.Detected("run-3", "d-1", kT0));
  engine.OnEvent(ev.Detected("run-3", "d-2", kT0));
  auto pub = OpenPublisher(dir, a, b);
  const Status s = Round(engine, *pub, kT0 + S(1));
  CHECK(s.code() == "kafka_error");
  CHECK(a->got.size() == 2);
  CHECK(b->got.empty());
  b->failing = false;
  REQUIRE(Round(engine, *pub, kT0 + S(2)).ok());
  CHECK(a->got.size() == 2);
  CHECK(b->got.size() == 2);
  std::map<std::string, double> m;
  for (const http::Sample& x : pub->MetricSamples()) {
    std::string k = x.name;
    for (const auto& [l, v] : x.labels) k += "," + l + "=" + v;
    m[k] = x.value;
  }
  CHECK(m.at("folio_alerts_firing,rule=reconciliation_discrepancy") == 2);
  CHECK(m.at("folio_alerts_firing,rule=relay_lag_high") == 0);
  CHECK(m.at("folio_alerts_published_total,sink=kafka,state=firing") == 2);
  CHECK(m.at("folio_alerts_published_total,sink=webhook,state=firing") == 2);
  CHECK(m.at("folio_alerts_published_total,sink=webhook,state=resolved") == 0);
  // The first failure stops the sink for the round: one failure counted.
  CHECK(m.at("folio_alerts_publish_failures_total,sink=webhook") == 1);
  CHECK(m.at("folio_alerts_publish_failures_total,sink=kafka") == 0);
}

TEST_CASE("alerts publish: a mark file that is not one is refused") {
  testing::TempDir dir;
  {
    std::ofstream out(dir.path() / std::string(kMarkFileName));
    out << "{\"version\":1,\"mark_seq\":\"x\"}";
  }
  auto p = AlertPublisher::Open(dir.str(), {});
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == "corruption");
  {
    std::ofstream out(dir.path() / std::string(kMarkFileName));
    out << "not json";
  }
  CHECK(AlertPublisher::Open(dir.str(), {}).status().code() == "corruption");
}

}  // namespace
}  // namespace folio::alerts
