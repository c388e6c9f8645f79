// The daily reconciliation on a fake clock, against a real log: a bank or
// gateway file dropped in a folder is fetched, imported, reconciled and
// reported once for its day; a run that dies after any step resumes at the
// next start and ends exactly as an uninterrupted one (the bill imported
// once, one report, one set of discrepancies).
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "adapters/automation/recon_scheduler.h"
#include "adapters/files/durable_file.h"
#include "adapters/statements/bill_writer.h"
#include "engine/domain/civil_time.h"
#include "tests/adapters/reconciliation/recon_history.h"
#include "tests/test_support.h"

namespace folio::automation {
namespace {

using namespace folio::testing;

constexpr std::int64_t kMinute = 60 * kSecond;

// UTC ns of a Shanghai wall-clock time.
std::int64_t Shanghai(int y, unsigned mo, unsigned d, int h, int mi) {
  return (domain::DaysFromCivil({y, mo, d}) * 1440 + h * 60 + mi - 8 * 60) * kMinute;
}

// A log with three WeChat Pay payments settled on 2026-11-01 (Shanghai), and
// a drop folder holding that day's bill: the three, plus one payment the
// ledger never saw (a discrepancy), plus another day's file to ignore.
struct Fixture {
  TempDir dir;
  std::unique_ptr<LogStore> store;
  std::unique_ptr<Writer> writer;
  std::string drop = dir.str() + "/drop";
  std::int64_t now = 0;

  Fixture() {
    store = std::move(LogStore::Open(dir.str() + "/log")).value();
    writer = std::move(Writer::Start(store.get())).value();
    History h(*writer);
    std::vector<statements::Line> rows;
    for (int i = 0; i < 3; ++i) {
      const std::string id = "p" + std::to_string(i);
      const std::int64_t at = Nov1() + (10 + i) * 3600 * kSecond;
      h.Payment(id, fb::Method::WechatPay, 10'000 + static_cast<u128>(i), 60, at,
                "4200" + std::to_string(i));
      statements::Line l;
      l.reference = "4200" + std::to_string(i);
      l.order_ref = id;
      l.amount = Cny(10'000 + static_cast<u128>(i));
      l.fee = Cny(60);
      l.booked_at_ns = at;
      rows.push_back(l);
    }
    statements::Line extra;
    extra.reference = "4200999";
    extra.order_ref = "nobody";
    extra.amount = Cny(100);
    extra.fee = Cny(1);
    extra.booked_at_ns = Nov1() + 20 * 3600 * kSecond;
    rows.push_back(extra);
    std::filesystem::create_directories(drop);
    std::ofstream(drop + "/wechat-2026-11-01.csv", std::ios::binary)
        << statements::WriteBill(statements::Source::kWechatPay, {}, rows);
    std::ofstream(drop + "/wechat-20261030.csv", std::ios::binary)
        << statements::WriteBill(statements::Source::kWechatPay, {}, {extra});
  }

  ReconScheduleConfig Config() const {
    ReconJob job;
    job.name = "wechat-drop";
    job.source = statements::Source::kWechatPay;
    job.from = ReconJob::From::kFolder;
    job.folder = drop;
    job.at_minutes = 9 * 60 + 30;
    ReconScheduleConfig c;
    c.jobs.push_back(job);
    return c;
  }

  std::unique_ptr<ReconScheduler> Scheduler(
      std::function<Status(std::string_view, const ReconRunRecord&)> after = {}) {
    ReconSchedulerDeps d;
    d.store = store.get();
    d.writer = writer.get();
    d.dir = dir.str() + "/recon-jobs";
    d.now_ns = [this] { return now; };
    d.after_step = std::move(after);
    return std::make_unique<ReconScheduler>(d, Config());
  }

  int Count(fb::Event type) const {
    auto events = store->ReadFrom(1, 1'000'000);
    REQUIRE(events.ok());
    int n = 0;
    for (const EventRecord& e : *events) n += e.type() == type ? 1 : 0;
    return n;
  }

  std::optional<ReconRunRecord> Run(const ReconScheduler& s, const std::string& day) const {
    for (auto& r : s.Runs()) {
      if (r.day == day) return r;
    }
    return std::nullopt;
  }
};

TEST_CASE("recon job: nothing before its minute and then the day is imported and reported once") {
  Fixture f;
  auto s = f.Scheduler();
  // 09:29 on Nov 2: Nov 1 is not due yet; Oct 31 has no file: it waits.
  f.now = Shanghai(2026, 11, 2, 9, 29);
  auto first = s->RunDue();
  REQUIRE(first.size() == 1);
  CHECK(first[0].day == "2026-10-31");
  CHECK(first[0].status == "waiting");
  CHECK(f.Count(fb::Event::StatementImported) == 0);
  // 09:30: Nov 1 is due.
  f.now = Shanghai(2026, 11, 2, 9, 30);
  s->RunDue();
  auto run = f.Run(*s, "2026-11-01");
  REQUIRE(run.has_value());
  CHECK(run->status == "done");
  CHECK(run->lines == 4);
  CHECK(run->matched == 3);
  CHECK(run->discrepancies == 1);
  CHECK(run->bill_files.size() == 1);  // the other day's file was not taken
  CHECK(f.Count(fb::Event::StatementImported) == 1);
  CHECK(f.Count(fb::Event::DiscrepancyDetected) == 1);
  auto report =
      files::ReadWholeFile(f.dir.str() + "/recon-jobs/wechat-drop/2026-11-01/report.json");
  REQUIRE(report.ok());
  CHECK(report->find(run->run_id) != std::string::npos);
  // Later checks the same day change nothing.
  const std::uint64_t head = f.writer->durable_head().seq;
  f.now += 3600 * kSecond;
  s->RunDue();
  CHECK(f.writer->durable_head().seq == head);
  const auto listed = boost::json::parse(s->RunsJson()).as_object();
  const auto& runs = listed.at("runs").as_array();
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].at("day").as_string() == "2026-11-01");
  CHECK(runs[0].at("report").as_string() == "/v1/reports/reconciliation-run?run_id=" + run->run_id);
  CHECK(runs[1].at("status").as_string() == "waiting");
  CHECK(runs[1].at("report").is_null());
}

TEST_CASE("recon job: a run that dies after any step resumes at the next start, once") {
  for (const char* step : {"fetched", "imported", "reported"}) {
    CAPTURE(step);
    Fixture f;
    f.now = Shanghai(2026, 11, 2, 9, 30);
    {
      // The process "dies" right after `step`: nothing after it happens.
      auto crashing = f.Scheduler([step](std::string_view done, const ReconRunRecord&) {
        return done == step ? Status::Error("io_error", "killed") : Status();
      });
      crashing->RunDay(f.Config().jobs[0], domain::DaysFromCivil({2026, 11, 1}));
      auto cut = f.Run(*crashing, "2026-11-01");
      REQUIRE(cut.has_value());
      CHECK(cut->status != "done");
    }
    // The next start: the day resumes from its record.
    auto s = f.Scheduler();
    s->RunDue();
    auto run = f.Run(*s, "2026-11-01");
    REQUIRE(run.has_value());
    CHECK(run->status == "done");
    CHECK(run->attempts == 2);
    CHECK(run->discrepancies == 1);
    CHECK(f.Count(fb::Event::StatementImported) == 1);
    CHECK(f.Count(fb::Event::DiscrepancyDetected) == 1);
    CHECK(f.Count(fb::Event::ReconciliationRunCompleted) == 1);
    std::size_t reports = 0;
    for (const auto& e :
         std::filesystem::recursive_directory_iterator(f.dir.str() + "/recon-jobs")) {
      reports += e.path().filename() == "report.json" ? 1u : 0u;
    }
    CHECK(reports == 1);
  }
}

TEST_CASE("recon job: a bill that changes in the folder after the fetch is not imported again") {
  Fixture f;
  f.now = Shanghai(2026, 11, 2, 9, 30);
  {
    auto crashing = f.Scheduler([](std::string_view done, const ReconRunRecord&) {
      return done == "fetched" ? Status::Error("io_error", "killed") : Status();
    });
    crashing->RunDue();
  }
  // Someone rewrites the dropped file (a re-export with other bytes).
  std::ofstream(f.drop + "/wechat-2026-11-01.csv", std::ios::app) << "\n";
  auto s = f.Scheduler();
  s->RunDue();
  CHECK(f.Run(*s, "2026-11-01")->status == "done");
  CHECK(f.Count(fb::Event::StatementImported) == 1);
}

}  // namespace
}  // namespace folio::automation
