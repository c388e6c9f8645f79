// docs/prometheus-rules.yml, docs/grafana-dashboard.json and docs/alerts.md
// against the code: every metric they name is one the server exports, every
// rule and config key is documented. promtool checks the rules file (and runs
// its unit tests) when it is installed.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/alerts/alert_rules.h"
#include "tests/test_support.h"

namespace folio::alerts {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot read " << p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool MetricChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// Every "folio_..." token of `text`; with `quoted`, only those after a '"'
// (string literals in C++ sources).
std::set<std::string> MetricNames(const std::string& text, bool quoted) {
  std::set<std::string> out;
  for (std::size_t i = text.find("folio_"); i != std::string::npos;
       i = text.find("folio_", i + 1)) {
    if (i > 0 && MetricChar(text[i - 1])) continue;
    if (quoted && (i == 0 || text[i - 1] != '"')) continue;
    std::size_t j = i;
    while (j < text.size() && MetricChar(text[j])) ++j;
    out.insert(text.substr(i, j - i));
  }
  return out;
}

// The metric names the server exports: string literals in adapters/.
std::set<std::string> ExportedMetrics() {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(FOLIO_SOURCE_DIR) / "adapters")) {
    if (e.path().extension() != ".cc") continue;
    for (const std::string& m : MetricNames(ReadText(e.path()), true)) out.insert(m);
  }
  return out;
}

void CheckExpr(const std::string& expr, const std::set<std::string>& known) {
  CAPTURE(expr);
  const std::set<std::string> used = MetricNames(expr, false);
  CHECK_FALSE(used.empty());
  for (const std::string& m : used) CHECK_MESSAGE(known.contains(m), "unknown metric " << m);
  // Rule names in a rule=~"a|b" matcher are rules the engine has.
  for (const char* op : {"rule=~\"", "rule!~\"", "rule=\""}) {
    for (std::size_t i = expr.find(op); i != std::string::npos; i = expr.find(op, i + 1)) {
      const std::size_t start = i + std::string_view(op).size();
      std::stringstream names(expr.substr(start, expr.find('"', start) - start));
      for (std::string n; std::getline(names, n, '|');) {
        CHECK_MESSAGE(
            std::find(std::begin(kRuleNames), std::end(kRuleNames), n) != std::end(kRuleNames),
            "unknown rule " << n);
      }
    }
  }
}

TEST_CASE("alerts docs: prometheus-rules.yml names only exported metrics and passes promtool") {
  const std::set<std::string> known = ExportedMetrics();
  REQUIRE(known.contains("folio_alerts_firing"));
  REQUIRE(known.contains("folio_gateway_breaker_open"));
  const fs::path docs = fs::path(FOLIO_SOURCE_DIR) / "docs";
  std::stringstream in(ReadText(docs / "prometheus-rules.yml"));
  int alerts = 0, exprs = 0, severities = 0;
  for (std::string line; std::getline(in, line);) {
    const std::size_t k = line.find_first_not_of(' ');
    if (k == std::string::npos || line[k] == '#') continue;
    const std::string_view l = std::string_view(line).substr(k);
    if (l.starts_with("- alert: ")) ++alerts;
    if (l.starts_with("severity: ")) ++severities;
    if (l.starts_with("expr: ")) {
      ++exprs;
      CheckExpr(std::string(l.substr(6)), known);
    }
  }
  CHECK(alerts >= 8);
  CHECK(exprs == alerts);
  CHECK(severities == alerts);
  std::string out;
  if (testing::RunCommand("command -v promtool >/dev/null 2>&1", &out) == 0) {
    std::string checked, tested;
    const int check_rc = testing::RunCommand(
        "promtool check rules '" + (docs / "prometheus-rules.yml").string() + "' 2>&1", &checked);
    const int test_rc = testing::RunCommand(
        "cd '" + docs.string() + "' && promtool test rules prometheus-rules.test.yml 2>&1",
        &tested);
    CHECK_MESSAGE(check_rc == 0, checked);
    CHECK_MESSAGE(test_rc == 0, tested);
  } else {
    MESSAGE("promtool not installed: checked the metric names only");
  }
}

TEST_CASE("alerts docs: the Grafana dashboard is JSON whose queries name exported metrics") {
  const std::set<std::string> known = ExportedMetrics();
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(
      ReadText(fs::path(FOLIO_SOURCE_DIR) / "docs" / "grafana-dashboard.json"), ec);
  REQUIRE_FALSE(ec);
  const boost::json::object& d = v.as_object();
  CHECK(d.at("title").as_string() == "Folio");
  CHECK(d.at("schemaVersion").as_int64() >= 30);
  std::set<std::int64_t> ids;
  int queries = 0;
  for (const boost::json::value& p : d.at("panels").as_array()) {
    const boost::json::object& panel = p.as_object();
    CHECK(ids.insert(panel.at("id").as_int64()).second);
    REQUIRE(panel.at("gridPos").is_object());
    if (panel.at("type").as_string() == "row") continue;
    const boost::json::array& targets = panel.at("targets").as_array();
    CHECK_FALSE(targets.empty());
    for (const boost::json::value& t : targets) {
      CheckExpr(std::string(t.at("expr").as_string()), known);
      ++queries;
    }
  }
  CHECK(queries >= 15);
  // The alert metrics are on it.
  const std::string text = boost::json::serialize(v);
  for (const char* m : {"folio_alerts_firing", "folio_alerts_published_total",
                        "folio_alerts_publish_failures_total"}) {
    CHECK(text.find(m) != std::string::npos);
  }
}

TEST_CASE("alerts docs: alerts.md documents every rule and every config key") {
  const std::string md = ReadText(fs::path(FOLIO_SOURCE_DIR) / "docs" / "alerts.md");
  for (std::string_view rule : kRuleNames) {
    CHECK_MESSAGE(md.find("`" + std::string(rule) + "`") != std::string::npos, std::string(rule));
  }
  for (const char* key :
       {"pending_max_s", "failure_rate_permille", "failure_window_s", "failure_min_samples",
        "relay_lag_max_events", "relay_lag_for_s", "silenced", "kafka_topic", "secret_file",
        "attempts_max", "backoff_base_ms", "backoff_cap_ms", "timeout_ms"}) {
    // `key` or `webhook.key`
    const bool found = md.find("`" + std::string(key) + "`") != std::string::npos ||
                       md.find("`webhook." + std::string(key) + "`") != std::string::npos;
    CHECK_MESSAGE(found, std::string(key));
  }
}

}  // namespace
}  // namespace folio::alerts
