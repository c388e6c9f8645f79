// ReconScheduler: the daily reconciliation, run by the server itself.
//
// Each configured job (a source: Alipay's, WeChat Pay's or UnionPay's bill
// fetched through the gateway clients, or a bank statement dropped in a
// folder) runs once a day at its local time (Asia/Shanghai by default) for
// the previous local day D:
//
//   1. fetch   the bill of D into <dir>/<job>/<D>/ (gateway: TradeBill +
//              DownloadBill; folder: the files whose names hold D as
//              YYYY-MM-DD or YYYYMMDD, copied). Written durably, then never
//              fetched again: a re-run imports the same bytes.
//   2. import  ImportStatement (adapters/reconciliation/import.h): the run id
//              is named by the bill's SHA-256, so a bill is imported once; a
//              run cut short by a crash resumes where it stopped.
//   3. report  the reconciliation-run report (JSON) into report.json.
//   4. done    state.json says so; the day is not run again.
//
// state.json (written durably after each step) is the run's record: job,
// day, status (waiting | fetched | imported | done | failed), the run id,
// the counts, the last error and the attempts. A failed step is retried at
// the next check after `retry_after`; a folder job whose file has not come
// yet waits (status waiting). Discrepancies are ledger events
// (DiscrepancyDetected): the alert rules see them there.
//
// Thread-safety: Start/Stop from the owner's thread; the rest from any.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/fwd.hpp>

#include "adapters/http/metrics.h"
#include "adapters/http/payment_gateway.h"
#include "adapters/statements/statement.h"
#include "engine/domain/civil_time.h"
#include "engine/log_store.h"
#include "engine/writer.h"

namespace folio::automation {

struct ReconJob {
  enum class From { kGateway, kFolder };
  std::string name;  // 1..64 of [a-z0-9_-]; names the job's directory
  statements::Source source = statements::Source::kAlipay;
  From from = From::kGateway;
  std::string folder;            // kFolder
  std::string account;           // empty: the import's default for the source
  int at_minutes = 9 * 60 + 30;  // local time of day it runs
};

struct ReconScheduleConfig {
  // "Asia/Shanghai" (UTC+8, no DST)
  int utc_offset_minutes = static_cast<int>(domain::kShanghaiUtcOffsetS / 60);
  std::chrono::milliseconds check_every{60'000};
  std::chrono::milliseconds retry_after{300'000};
  std::vector<ReconJob> jobs;

  // The "reconciliation" object of the server's config file
  // (docs/automation.md). Errors: invalid_argument naming the field.
  static Result<ReconScheduleConfig> FromJson(const boost::json::value& v);
};

// The gateway whose bills are of `source` (Alipay, WeChat Pay, UnionPay);
// nullopt for bank statements, which come from a folder.
std::optional<gateways::Gateway> GatewayOfSource(statements::Source source);

// "HH:MM" -> minutes; "Asia/Shanghai", "UTC", "+08:00", "-05:30" -> offset
// minutes. nullopt when malformed.
std::optional<int> ParseTimeOfDay(std::string_view hh_mm);
std::optional<int> ParseUtcOffset(std::string_view zone);
// "YYYY-MM-DD" of days since 1970-01-01.
std::string DayText(std::int64_t days);
// The bill day a job is due for at `now_ns`: the local day before today
// once the local time of day has reached `at_minutes`, else the day before
// that. Days since 1970-01-01.
std::int64_t BillDayDue(std::int64_t now_ns, int at_minutes, int utc_offset_minutes);

struct ReconRunRecord {
  std::string job, day, status, run_id, error;
  std::uint32_t lines = 0, matched = 0, discrepancies = 0;
  std::uint32_t attempts = 0;
  std::vector<std::string> bill_files;  // in the day's directory
  std::int64_t updated_at_ns = 0;
  std::int64_t next_attempt_ns = 0;  // a failed step: not before this
};

struct ReconSchedulerDeps {
  LogStore* store = nullptr;
  Writer* writer = nullptr;
  std::string dir;  // <data>/recon-jobs
  // The gateway of a bill source (Alipay, WeChat Pay, UnionPay); null when none.
  std::function<http::PaymentGateway*(statements::Source)> gateway_for;
  std::function<std::int64_t()> now_ns;  // default: the system clock
  // Tests: called after each step ("fetched", "imported", "reported") with
  // the job and day; a non-ok Status stops the run there as a crash would.
  std::function<Status(std::string_view step, const ReconRunRecord&)> after_step;
};

class ReconScheduler {
 public:
  ReconScheduler(ReconSchedulerDeps deps, ReconScheduleConfig config);
  ~ReconScheduler();  // Stop()s.
  ReconScheduler(const ReconScheduler&) = delete;
  ReconScheduler& operator=(const ReconScheduler&) = delete;

  void Start();  // a thread that calls RunDue every check_every
  void Stop();

  // Runs every job whose day is due and not done, and resumes every earlier
  // day left unfinished. Returns the records touched.
  std::vector<ReconRunRecord> RunDue();
  // One job, one day (days since 1970-01-01), whatever the time.
  ReconRunRecord RunDay(const ReconJob& job, std::int64_t day);

  // Every run on disk, newest day first (GET /v1/reconciliations).
  std::vector<ReconRunRecord> Runs() const;
  std::string RunsJson() const;
  std::vector<http::Sample> MetricSamples() const;

 private:
  void Loop();
  std::int64_t NowNs() const;
  std::string DayDir(const ReconJob& job, const std::string& day) const;
  Status Fetch(const ReconJob& job, const std::string& day_dir, ReconRunRecord& rec);
  Status Save(const std::string& day_dir, ReconRunRecord& rec);

  const ReconSchedulerDeps deps_;
  const ReconScheduleConfig config_;
  std::mutex run_mu_;  // one run at a time
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = true;                             // the loop's
  bool stopping_ = false;                        // Stop() was called: RunDue ends early
  std::map<std::string, std::uint64_t> counts_;  // by outcome, for /metrics
  std::thread thread_;
};

}  // namespace folio::automation
