// The real `folio serve` runs the daily reconciliation of a dropped bank
// file by itself, dies in the middle of it (killed right after the import),
// and after a restart finishes it: the bill imported once, one report, the
// run listed done, and the discrepancy alert on Kafka exactly once.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "adapters/automation/recon_scheduler.h"
#include "adapters/kafka/mock_cluster.h"
#include "adapters/statements/bill_writer.h"
#include "engine/log_store.h"
#include "tests/adapters/alerts/alert_kafka_read.h"
#include "tests/adapters/automation/serve_child.h"

namespace folio {
namespace {

using namespace folio::testing;

std::string Yesterday() {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  return automation::DayText(automation::BillDayDue(now, 0, 8 * 60));
}

std::string Runs(const ServeChild& s, const std::string& key) {
  auto c = s.Client();
  auto r = c.Send("GET", "/v1/reconciliations", "", {{"Authorization", "Bearer " + key}});
  return r.ok() && r->status == 200 ? r->body : "";
}

std::string RunStatus(const ServeChild& s, const std::string& key, const std::string& day) {
  const std::string body = Runs(s, key);
  if (body.empty()) return "";
  const boost::json::value v = boost::json::parse(body);
  for (const auto& r : v.at("runs").as_array()) {
    if (r.at("day").as_string() == day) return std::string(r.at("status").as_string());
  }
  return "";
}

TEST_CASE("folio serve recon job: killed after the import, finished after a restart, once") {
  TempDir dir;
  const std::string key = AddOperatorKey(dir.str() + "/keys");
  auto cluster = kafka::MockCluster::Start(1);
  REQUIRE(cluster.ok());
  REQUIRE((*cluster)->CreateTopic({"folio.alerts", 1}).ok());
  // Yesterday's WeChat Pay bill: one payment the ledger never saw.
  const std::string day = Yesterday();
  const std::string drop = dir.str() + "/drop";
  std::filesystem::create_directories(drop);
  statements::Line line;
  line.reference = "4200000001";
  line.order_ref = "unknown-order";
  line.amount = Money(Asset::CNY, 12'345);
  line.fee = Money(Asset::CNY, 74);
  line.booked_at_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          (std::chrono::system_clock::now() - std::chrono::hours(24)).time_since_epoch())
          .count();
  std::ofstream(drop + "/wechat-" + day + ".csv", std::ios::binary)
      << statements::WriteBill(statements::Source::kWechatPay, {}, {line});
  std::ofstream(dir.str() + "/config.json")
      << R"({"reconciliation": {"check_every_ms": 200, "jobs": [{"name": "wechat-drop",
            "source": "wechatpay", "from": "folder", "folder": ")"
      << drop << R"(", "at": "00:00"}]}})";
  const std::vector<std::string> args = {
      "--data",   dir.str() + "/data",        "--keys",          dir.str() + "/keys",
      "--config", dir.str() + "/config.json", "--kafka-brokers", (*cluster)->bootstrap()};
  {
    ServeChild dying(dir.str() + "/serve-1.log", args, {"FOLIO_TEST_RECON_CRASH_AFTER=imported"});
    REQUIRE_MESSAGE(PollUntil([&] { return dying.Exited(); }, std::chrono::seconds(60)),
                    dying.Log());
    CHECK(WIFEXITED(dying.exit_status()));
    CHECK(WEXITSTATUS(dying.exit_status()) == 137);
  }
  {
    ServeChild serve(dir.str() + "/serve-2.log", args);
    REQUIRE_MESSAGE(
        PollUntil([&] { return RunStatus(serve, key, day) == "done"; }, std::chrono::seconds(60)),
        Runs(serve, key) << serve.Log());
    // The alert: read until it is there, then the server is stopped (its last
    // round published or not; either way nothing after).
    REQUIRE(alerts::ReadMessages((*cluster)->bootstrap(), "folio.alerts", 1).size() >= 1);
    serve.Stop();
  }
  // Every message on the topic (at most a few): the discrepancy once.
  const auto messages = alerts::ReadMessages((*cluster)->bootstrap(), "folio.alerts", 10);
  int discrepancy_firing = 0;
  for (const auto& m : messages) {
    if (m.key.rfind("reconciliation_discrepancy:", 0) == 0 &&
        m.headers.at("ce_type") == "folio.alert.firing") {
      ++discrepancy_firing;
    }
  }
  CHECK(discrepancy_firing == 1);
  // The log: the statement imported once, its run completed once.
  auto store = LogStore::Open(dir.str() + "/data");
  REQUIRE(store.ok());
  auto events = (*store)->ReadFrom(1, 100'000);
  REQUIRE(events.ok());
  int imported = 0, completed = 0, detected = 0;
  for (const EventRecord& e : *events) {
    imported += e.type() == fb::Event::StatementImported ? 1 : 0;
    completed += e.type() == fb::Event::ReconciliationRunCompleted ? 1 : 0;
    detected += e.type() == fb::Event::DiscrepancyDetected ? 1 : 0;
  }
  CHECK(imported == 1);
  CHECK(completed == 1);
  CHECK(detected == 1);
  std::size_t reports = 0;
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(dir.str() + "/data/recon-jobs")) {
    reports += e.path().filename() == "report.json" ? 1u : 0u;
  }
  CHECK(reports == 1);
}

}  // namespace
}  // namespace folio
