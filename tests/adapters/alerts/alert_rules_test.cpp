// The alert rules, each with its boundary on both sides (docs/alerts.md).
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "adapters/alerts/alert_rules.h"
#include "adapters/alerts/alerts_config.h"
#include "adapters/json/rfc3339.h"
#include "tests/adapters/alerts/alert_events.h"

namespace folio::alerts {
namespace {

using testing::AlertEvents;
using testing::kT0;
using testing::S;
using Probes = AlertEngine::Probes;

// The one transition of `ts`, which must hold exactly one.
const AlertTransition& Only(const std::vector<AlertTransition>& ts) {
  REQUIRE(ts.size() == 1);
  return ts[0];
}

TEST_CASE(
    "alerts rules: a payment pending pending_max_s - 1 s does not fire and pending_max_s does") {
  AlertRulesConfig c;  // pending_max_s 1800
  AlertEngine e(c);
  AlertEvents ev;
  e.OnEvent(ev.Created("p1", fb::Method::Alipay, kT0));
  e.OnEvent(ev.PendingAtGateway("p1", kT0 + S(5)));
  CHECK(e.Evaluate(kT0 + S(1799), {}).empty());
  const AlertTransition t = Only(e.Evaluate(kT0 + S(1800), {}));
  CHECK(t.firing);
  CHECK(t.alert.rule == kPaymentPendingTooLong);
  CHECK(t.alert.subject == "p1");
  CHECK(t.alert.since_ns == kT0);
  CHECK(t.alert.source_seq == 1);
  CHECK(t.at_ns == kT0 + S(1800));
  CHECK(e.Evaluate(kT0 + S(1900), {}).empty());  // still firing: no new transition
  e.OnEvent(ev.Settled("p1", fb::Method::Alipay, kT0 + S(1950)));
  const AlertTransition r = Only(e.Evaluate(kT0 + S(2000), {}));
  CHECK_FALSE(r.firing);
  CHECK(r.alert.id == t.alert.id);
  CHECK(e.Firing().empty());
}

TEST_CASE("alerts rules: a scheduled payment is pending from its due time and expiry closes it") {
  AlertRulesConfig c;
  c.pending_max_s = 60;
  AlertEngine e(c);
  AlertEvents ev;
  e.OnEvent(ev.Created("p2", fb::Method::WechatPay, kT0, kT0 + S(1000)));
  CHECK(e.Evaluate(kT0 + S(1059), {}).empty());
  CHECK(Only(e.Evaluate(kT0 + S(1060), {})).firing);
  e.OnEvent(ev.Expired("p2", kT0 + S(1100)));
  CHECK_FALSE(Only(e.Evaluate(kT0 + S(1100), {})).firing);
}

TEST_CASE("alerts rules: a failure rate exactly at the threshold does not fire and above it does") {
  AlertRulesConfig c;  // 300 permille, 20 samples, 900 s
  AlertEngine e(c);
  AlertEvents ev;
  for (int i = 0; i < 14; ++i) {
    e.OnEvent(ev.Settled("s" + std::to_string(i), fb::Method::Alipay, kT0 + S(i)));
  }
  for (int i = 0; i < 6; ++i) {
    const std::string id = "f" + std::to_string(i);
    e.OnEvent(ev.Created(id, fb::Method::Alipay, kT0));
    e.OnEvent(ev.Failed(id, kT0 + S(20 + i)));
  }
  CHECK(e.Evaluate(kT0 + S(60), {}).empty());  // 6 of 20 = 300 permille: not above
  e.OnEvent(ev.Created("f6", fb::Method::Alipay, kT0));
  e.OnEvent(ev.Failed("f6", kT0 + S(30)));
  const AlertTransition t = Only(e.Evaluate(kT0 + S(61), {}));  // 7 of 21 = 333
  CHECK(t.firing);
  CHECK(t.alert.rule == kFailureRateHigh);
  CHECK(t.alert.subject == "alipay");
  CHECK(t.alert.source_seq == ev.last_seq());
  CHECK(t.alert.summary.find("7 of 21") != std::string::npos);
}

TEST_CASE("alerts rules: failure_min_samples - 1 outcomes never fire and failure_min_samples do") {
  AlertRulesConfig c;
  c.failure_min_samples = 5;
  AlertEngine e(c);
  AlertEvents ev;
  for (int i = 0; i < 4; ++i) {
    const std::string id = "f" + std::to_string(i);
    e.OnEvent(ev.Created(id, fb::Method::UnionPay, kT0));
    e.OnEvent(ev.Failed(id, kT0 + S(i)));
  }
  CHECK(e.Evaluate(kT0 + S(10), {}).empty());  // 4 of 4 failed, but 4 < 5 samples
  e.OnEvent(ev.Created("f4", fb::Method::UnionPay, kT0));
  e.OnEvent(ev.Failed("f4", kT0 + S(4)));
  const AlertTransition t = Only(e.Evaluate(kT0 + S(10), {}));
  CHECK(t.alert.subject == "unionpay");
}

TEST_CASE(
    "alerts rules: an outcome failure_window_s - 1 s old counts and one failure_window_s old has "
    "left") {
  AlertRulesConfig c;
  c.failure_min_samples = 2;
  c.failure_rate_permille = 500;
  c.failure_window_s = 900;
  AlertEngine e(c);
  AlertEvents ev;
  e.OnEvent(ev.Created("a", fb::Method::Card, kT0));
  e.OnEvent(ev.Failed("a", kT0));
  e.OnEvent(ev.Created("b", fb::Method::Card, kT0));
  e.OnEvent(ev.Failed("b", kT0 + S(100)));
  e.OnEvent(ev.Settled("c", fb::Method::Card, kT0 + S(100)));
  // At +899 s: 2 failed of 3 (667 permille) -> fires.
  CHECK(Only(e.Evaluate(kT0 + S(899), {})).firing);
  // At +900 s the first failure has left: 1 of 2 = 500, not above -> resolved.
  const AlertTransition r = Only(e.Evaluate(kT0 + S(900), {}));
  CHECK_FALSE(r.firing);
  CHECK(r.alert.subject == "card");
}

TEST_CASE("alerts rules: failure rates are per method") {
  AlertRulesConfig c;
  c.failure_min_samples = 1;
  AlertEngine e(c);
  AlertEvents ev;
  e.OnEvent(ev.Created("a", fb::Method::Alipay, kT0));
  e.OnEvent(ev.Failed("a", kT0));
  e.OnEvent(ev.Settled("b", fb::Method::WechatPay, kT0));
  const AlertTransition t = Only(e.Evaluate(kT0 + S(1), {}));
  CHECK(t.alert.subject == "alipay");
}

TEST_CASE("alerts rules: an open circuit fires and a closed one resolves") {
  AlertEngine e(AlertRulesConfig{});
  Probes p;
  p.circuit_open = {{"alipay", false}, {"wechatpay", false}};
  CHECK(e.Evaluate(kT0, p).empty());
  p.circuit_open["wechatpay"] = true;
  const AlertTransition t = Only(e.Evaluate(kT0 + S(1), p));
  CHECK(t.firing);
  CHECK(t.alert.rule == kGatewayCircuitOpen);
  CHECK(t.alert.subject == "wechatpay");
  CHECK(t.alert.source_seq == 0);
  CHECK(t.alert.since_ns == kT0 + S(1));
  CHECK(e.Evaluate(kT0 + S(2), p).empty());
  p.circuit_open["wechatpay"] = false;
  const AlertTransition r = Only(e.Evaluate(kT0 + S(3), p));
  CHECK_FALSE(r.firing);
  CHECK(r.alert.id == t.alert.id);
}

TEST_CASE("alerts rules: a discrepancy fires once and DiscrepancyResolved resolves it") {
  AlertEngine e(AlertRulesConfig{});
  AlertEvents ev;
  e.OnEvent(ev.Detected("run-1", "d-1", kT0));
  const AlertTransition t = Only(e.Evaluate(kT0 + S(1), {}));
  CHECK(t.firing);
  CHECK(t.alert.rule == kReconciliationDiscrepancy);
  CHECK(t.alert.subject == "run-1/d-1");
  CHECK(t.alert.source_seq == 1);
  CHECK(t.alert.since_ns == kT0);
  CHECK(e.Evaluate(kT0 + S(2), {}).empty());
  CHECK(e.Evaluate(kT0 + S(3), {}).empty());
  e.OnEvent(ev.Resolved("run-1", "d-1", kT0 + S(4)));
  const AlertTransition r = Only(e.Evaluate(kT0 + S(5), {}));
  CHECK_FALSE(r.firing);
  CHECK(r.alert.id == t.alert.id);
}

TEST_CASE("alerts rules: a trust matter at zero does not fire and one minor unit below zero does") {
  AlertEngine e(AlertRulesConfig{});
  AlertEvents ev;
  e.OnEvent(ev.Deposit("dep-1", 10'000, true, kT0));
  e.OnEvent(ev.Disburse("dis-1", 10'000, kT0 + S(1)));
  CHECK(e.Evaluate(kT0 + S(2), {}).empty());  // exactly zero
  e.OnEvent(ev.RefundClient("ref-1", 1, kT0 + S(3)));
  auto ts = e.Evaluate(kT0 + S(4), {});
  REQUIRE(ts.size() == 2);  // negative, and paid out beyond cleared
  CHECK(ts[0].alert.rule == kTrustMatterNegative);
  CHECK(ts[0].alert.subject == "c1/m1");
  CHECK(ts[0].alert.source_seq == 3);
  CHECK(ts[0].alert.severity == "critical");
  CHECK(ts[1].alert.rule == kTrustUnclearedDisbursed);
  e.OnEvent(ev.Deposit("dep-2", 1, true, kT0 + S(5)));
  ts = e.Evaluate(kT0 + S(6), {});
  REQUIRE(ts.size() == 2);
  CHECK_FALSE(ts[0].firing);
  CHECK_FALSE(ts[1].firing);
}

TEST_CASE(
    "alerts rules: an outflow of exactly the cleared funds does not fire and one minor unit more "
    "does") {
  AlertEngine e(AlertRulesConfig{});
  AlertEvents ev;
  e.OnEvent(ev.Deposit("dep-1", 10'000, true, kT0));
  e.OnEvent(ev.Deposit("dep-2", 5'000, false, kT0));  // not cleared
  e.OnEvent(ev.Disburse("dis-1", 10'000, kT0 + S(1)));
  CHECK(e.Evaluate(kT0 + S(2), {}).empty());
  e.OnEvent(ev.FeeTransfer("fee-1", 1, kT0 + S(3)));
  const AlertTransition t = Only(e.Evaluate(kT0 + S(4), {}));  // the balance is still positive
  CHECK(t.alert.rule == kTrustUnclearedDisbursed);
  CHECK(t.alert.source_seq == 4);
  e.OnEvent(ev.Clear("dep-2", 5'000, kT0 + S(5)));
  CHECK_FALSE(Only(e.Evaluate(kT0 + S(6), {})).firing);
}

TEST_CASE("alerts rules: a failed write path fires and a recovered one resolves") {
  AlertEngine e(AlertRulesConfig{});
  Probes p;
  CHECK(e.Evaluate(kT0, p).empty());
  p.write_failed = true;
  const AlertTransition t = Only(e.Evaluate(kT0 + S(1), p));
  CHECK(t.alert.rule == kWritePathFailed);
  CHECK(t.alert.severity == "critical");
  p.write_failed = false;
  CHECK_FALSE(Only(e.Evaluate(kT0 + S(2), p)).firing);
}

TEST_CASE(
    "alerts rules: relay lag above the max for relay_lag_for_s - 1 s does not fire and for "
    "relay_lag_for_s does") {
  AlertRulesConfig c;  // 10000 events for 60 s
  AlertEngine e(c);
  Probes p;
  p.relay_lag_events = 10'000;  // at the max: not above
  CHECK(e.Evaluate(kT0, p).empty());
  CHECK(e.Evaluate(kT0 + S(100), p).empty());
  p.relay_lag_events = 10'001;
  CHECK(e.Evaluate(kT0 + S(200), p).empty());
  CHECK(e.Evaluate(kT0 + S(259), p).empty());
  const AlertTransition t = Only(e.Evaluate(kT0 + S(260), p));
  CHECK(t.alert.rule == kRelayLagHigh);
  CHECK(t.alert.since_ns == kT0 + S(200));
  p.relay_lag_events = 10'000;
  CHECK_FALSE(Only(e.Evaluate(kT0 + S(261), p)).firing);
  // A dip resets the clock.
  p.relay_lag_events = 20'000;
  CHECK(e.Evaluate(kT0 + S(300), p).empty());
  CHECK(e.Evaluate(kT0 + S(359), p).empty());
  p.relay_lag_events = std::nullopt;  // no relay: no lag
  CHECK(e.Evaluate(kT0 + S(360), p).empty());
  p.relay_lag_events = 20'000;
  CHECK(e.Evaluate(kT0 + S(400), p).empty());
}

TEST_CASE("alerts rules: silenced rules and rule:subject alerts are tracked but never transition") {
  AlertRulesConfig c;
  c.silenced = {"gateway_circuit_open", "reconciliation_discrepancy:run-1/d-2"};
  AlertEngine e(c);
  AlertEvents ev;
  e.OnEvent(ev.Detected("run-1", "d-1", kT0));
  e.OnEvent(ev.Detected("run-1", "d-2", kT0));
  Probes p;
  p.circuit_open = {{"alipay", true}};
  const AlertTransition t = Only(e.Evaluate(kT0 + S(1), p));
  CHECK(t.alert.subject == "run-1/d-1");
  REQUIRE(e.Firing().size() == 1);
  CHECK(e.Firing()[0].subject == "run-1/d-1");
  e.OnEvent(ev.Resolved("run-1", "d-2", kT0 + S(2)));
  p.circuit_open["alipay"] = false;
  CHECK(e.Evaluate(kT0 + S(3), p).empty());
  CHECK(IsSilenced(c.silenced, "gateway_circuit_open", "anything"));
  CHECK_FALSE(IsSilenced(c.silenced, "reconciliation_discrepancy", "run-1/d-1"));
  CHECK_FALSE(IsSilenced(c.silenced, "reconciliation_discrepancy", "run-1/d-"));
}

TEST_CASE("alerts rules: alert ids are deterministic and the JSON carries every field") {
  CHECK(AlertId("r", "s", 5, 7) == AlertId("r", "s", 5, 7));
  CHECK(AlertId("r", "s", 5, 7) != AlertId("r", "s", 5, 8));
  CHECK(AlertId("r", "s", 5, 7).size() == 64);
  AlertEngine a(AlertRulesConfig{}), b(AlertRulesConfig{});
  AlertEvents ea, eb;
  a.OnEvent(ea.Detected("run-9", "d-9", kT0));
  b.OnEvent(eb.Detected("run-9", "d-9", kT0));
  const AlertTransition ta = Only(a.Evaluate(kT0 + S(1), {}));
  const AlertTransition tb = Only(b.Evaluate(kT0 + S(99), {}));  // another "restart"
  CHECK(ta.alert.id == tb.alert.id);
  auto j = boost::json::parse(AlertJson(ta)).as_object();
  CHECK(j.at("id").as_string() == ta.alert.id);
  CHECK(j.at("rule").as_string() == "reconciliation_discrepancy");
  CHECK(j.at("subject").as_string() == "run-9/d-9");
  CHECK(j.at("severity").as_string() == "warning");
  CHECK(j.at("state").as_string() == "firing");
  CHECK(j.at("summary").as_string() == ta.alert.summary);
  CHECK(j.at("since").as_string() == json::FormatRfc3339(kT0));
  CHECK(j.at("at").as_string() == json::FormatRfc3339(kT0 + S(1)));
  CHECK(j.at("source_seq").to_number<std::uint64_t>() == 1);
  CHECK(j.size() == 9);
  AlertTransition r = ta;
  r.firing = false;
  CHECK(boost::json::parse(AlertJson(r)).at("state").as_string() == "resolved");
}

TEST_CASE("alerts config: the defaults are the documented ones") {
  auto c = AlertRulesConfig::FromJson(boost::json::object{});
  REQUIRE(c.ok());
  CHECK(c->pending_max_s == 1800);
  CHECK(c->failure_rate_permille == 300);
  CHECK(c->failure_window_s == 900);
  CHECK(c->failure_min_samples == 20);
  CHECK(c->relay_lag_max_events == 10'000);
  CHECK(c->relay_lag_for_s == 60);
  CHECK(c->silenced.empty());
  auto full = AlertRulesConfig::FromJson(boost::json::parse(
      R"({"pending_max_s":1,"failure_rate_permille":0,"failure_window_s":604800,
          "failure_min_samples":1000000,"relay_lag_max_events":0,"relay_lag_for_s":86400,
          "silenced":["relay_lag_high","failure_rate_high:card"]})"));
  REQUIRE_MESSAGE(full.ok(), full.status().ToString());
  CHECK(full->pending_max_s == 1);
  CHECK(full->failure_window_s == 604'800);
  CHECK(full->silenced.size() == 2);
}

TEST_CASE("alerts config: hostile rules are refused with invalid_argument naming the field") {
  struct Case {
    const char* json;
    const char* field;
  };
  const Case cases[] = {
      {R"([])", "rules"},
      {R"("x")", "rules"},
      {R"({"pending_max_s":"1800"})", "pending_max_s"},
      {R"({"pending_max_s":-5})", "pending_max_s"},
      {R"({"pending_max_s":0})", "pending_max_s"},
      {R"({"pending_max_s":1.5})", "pending_max_s"},
      {R"({"pending_max_s":true})", "pending_max_s"},
      {R"({"pending_max_s":null})", "pending_max_s"},
      {R"({"pending_max_s":2592001})", "pending_max_s"},
      {R"({"failure_rate_permille":1000})", "failure_rate_permille"},
      {R"({"failure_rate_permille":-1})", "failure_rate_permille"},
      {R"({"failure_window_s":0})", "failure_window_s"},
      {R"({"failure_min_samples":0})", "failure_min_samples"},
      {R"({"relay_lag_max_events":18446744073709551615})", "relay_lag_max_events"},
      {R"({"relay_lag_for_s":-1})", "relay_lag_for_s"},
      {R"({"pending_max":5})", "pending_max"},
      {R"({"silenced":"relay_lag_high"})", "silenced"},
      {R"({"silenced":[1]})", "silenced"},
      {R"({"silenced":["no_such_rule"]})", "silenced"},
      {R"({"silenced":["no_such_rule:x"]})", "silenced"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.json);
    auto r = AlertRulesConfig::FromJson(boost::json::parse(c.json));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == "invalid_argument");
    CHECK(r.status().message().find(c.field) != std::string::npos);
  }
}

TEST_CASE("alerts config: the whole alerts object parses and hostile ones are refused") {
  auto ok = AlertsConfig::FromJson(boost::json::parse(R"({
      "rules": {"pending_max_s": 600},
      "silenced": ["relay_lag_high"],
      "kafka_topic": "ops.alerts",
      "webhook": {"url": "https://ops.example/alerts", "secret_file": "/etc/folio/alerts.key",
                  "attempts_max": 3, "backoff_base_ms": 50, "backoff_cap_ms": 1000,
                  "timeout_ms": 2000}})"));
  REQUIRE_MESSAGE(ok.ok(), ok.status().ToString());
  CHECK(ok->rules.pending_max_s == 600);
  CHECK(ok->rules.silenced == std::vector<std::string>{"relay_lag_high"});
  CHECK(ok->kafka_topic == "ops.alerts");
  REQUIRE(ok->webhook.has_value());
  CHECK(ok->webhook->attempts_max == 3);
  CHECK(ok->webhook->backoff_cap_ms == 1000);
  auto empty = AlertsConfig::FromJson(boost::json::object{});
  REQUIRE(empty.ok());
  CHECK(empty->kafka_topic == "folio.alerts");
  CHECK_FALSE(empty->webhook.has_value());

  struct Case {
    const char* json;
    const char* field;
  };
  const Case cases[] = {
      {R"(7)", "alerts"},
      {R"({"extra":1})", "extra"},
      {R"({"rules":[]})", "rules"},
      {R"({"rules":{"silenced":[]}})", "rules.silenced"},
      {R"({"rules":{"pending_max_s":-1}})", "pending_max_s"},
      {R"({"silenced":["nope"]})", "silenced"},
      {R"({"kafka_topic":"bad topic"})", "kafka_topic"},
      {R"({"kafka_topic":""})", "kafka_topic"},
      {R"({"kafka_topic":5})", "kafka_topic"},
      {R"({"webhook":true})", "webhook"},
      {R"({"webhook":{"secret_file":"/s"}})", "webhook.url"},
      {R"({"webhook":{"url":"ftp://x","secret_file":"/s"}})", "webhook.url"},
      {R"({"webhook":{"url":"http://h"}})", "webhook.secret_file"},
      {R"({"webhook":{"url":"http://h","secret_file":"/s","attempts_max":0}})",
       "webhook.attempts_max"},
      {R"({"webhook":{"url":"http://h","secret_file":"/s","attempts_max":"3"}})",
       "webhook.attempts_max"},
      {R"({"webhook":{"url":"http://h","secret_file":"/s","backoff_cap_ms":1}})",
       "webhook.backoff_cap_ms"},
      {R"({"webhook":{"url":"http://h","secret_file":"/s","timeout_ms":-1}})",
       "webhook.timeout_ms"},
      {R"({"webhook":{"url":"http://h","secret_file":"/s","secret":"inline"}})", "webhook.secret"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.json);
    auto r = AlertsConfig::FromJson(boost::json::parse(c.json));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == "invalid_argument");
    CHECK(r.status().message().find(c.field) != std::string::npos);
  }
}

}  // namespace
}  // namespace folio::alerts
