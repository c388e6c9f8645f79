#include "adapters/automation/recon_scheduler.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include <boost/json.hpp>

#include "adapters/files/durable_file.h"
#include "adapters/gateways/gateway_api.h"
#include "adapters/reconciliation/import.h"
#include "adapters/reports/reports.h"
#include "engine/domain/civil_time.h"
#include "events/codes.h"

namespace folio::automation {
namespace {

namespace bj = boost::json;
using files::ReadWholeFile;
using files::WriteFileDurably;
namespace fs = std::filesystem;

constexpr std::int64_t kNsPerMinute = 60'000'000'000;
constexpr std::int64_t kNsPerDay = 1440 * kNsPerMinute;

Status Invalid(const std::string& what) { return Status::Error(codes::kInvalidArgument, what); }

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

bool ValidJobName(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string Extension(statements::Source s) {
  switch (s) {
    case statements::Source::kCamt053:
      return ".xml";
    case statements::Source::kMt940:
      return ".sta";
    case statements::Source::kUnionPay:
      return ".txt";
    default:
      return ".csv";
  }
}

// Fields: check that an object holds only `known`.
Status OnlyKnown(const bj::object& o, std::initializer_list<std::string_view> known,
                 const std::string& where) {
  for (const auto& kv : o) {
    if (std::find(known.begin(), known.end(), kv.key()) == known.end()) {
      return Invalid(where + "." + std::string(kv.key()) + ": not a known field");
    }
  }
  return Status();
}

Result<std::string> StringField(const bj::object& o, std::string_view key, const std::string& where,
                                bool required) {
  const bj::value* v = o.if_contains(key);
  if (v == nullptr) {
    if (required) return Invalid(where + "." + std::string(key) + ": required");
    return std::string();
  }
  if (!v->is_string()) return Invalid(where + "." + std::string(key) + ": must be a string");
  return std::string(v->as_string());
}

Result<std::chrono::milliseconds> MillisField(const bj::object& o, std::string_view key,
                                              const std::string& where,
                                              std::chrono::milliseconds fallback) {
  const bj::value* v = o.if_contains(key);
  if (v == nullptr) return fallback;
  if (!v->is_int64() && !v->is_uint64()) {
    return Invalid(where + "." + std::string(key) + ": must be a whole number of milliseconds");
  }
  const std::int64_t ms = v->is_int64() ? v->as_int64() : static_cast<std::int64_t>(v->as_uint64());
  if (ms < 100 || ms > 86'400'000) {
    return Invalid(where + "." + std::string(key) + ": must be 100..86400000");
  }
  return std::chrono::milliseconds(ms);
}

Result<ReconJob> JobFromJson(const bj::value& v, const std::string& where) {
  if (!v.is_object()) return Invalid(where + ": must be an object");
  const bj::object& o = v.as_object();
  RETURN_IF_ERROR(OnlyKnown(o, {"name", "source", "from", "folder", "account", "at"}, where));
  ReconJob job;
  ASSIGN_OR_RETURN(job.name, StringField(o, "name", where, true));
  if (!ValidJobName(job.name)) return Invalid(where + ".name: 1 to 64 of a-z 0-9 _ -");
  ASSIGN_OR_RETURN(std::string source, StringField(o, "source", where, true));
  auto s = statements::SourceFromName(source);
  if (!s) return Invalid(where + ".source: alipay, wechatpay, unionpay, camt053, mt940 or csv");
  job.source = *s;
  ASSIGN_OR_RETURN(std::string from, StringField(o, "from", where, true));
  if (from == "gateway") {
    job.from = ReconJob::From::kGateway;
    if (job.source != statements::Source::kAlipay && job.source != statements::Source::kWechatPay &&
        job.source != statements::Source::kUnionPay) {
      return Invalid(where +
                     ".from: only alipay, wechatpay and unionpay bills come from a gateway");
    }
  } else if (from == "folder") {
    job.from = ReconJob::From::kFolder;
    ASSIGN_OR_RETURN(job.folder, StringField(o, "folder", where, true));
    if (job.folder.empty()) return Invalid(where + ".folder: required");
  } else {
    return Invalid(where + ".from: gateway or folder");
  }
  ASSIGN_OR_RETURN(job.account, StringField(o, "account", where, false));
  ASSIGN_OR_RETURN(std::string at, StringField(o, "at", where, false));
  if (!at.empty()) {
    auto m = ParseTimeOfDay(at);
    if (!m) return Invalid(where + ".at: HH:MM, 00:00 to 23:59");
    job.at_minutes = *m;
  }
  return job;
}

bj::object ToJson(const ReconRunRecord& r) {
  bj::array files;
  for (const auto& f : r.bill_files) files.emplace_back(f);
  return bj::object{{"job", r.job},
                    {"day", r.day},
                    {"status", r.status},
                    {"run_id", r.run_id},
                    {"lines", r.lines},
                    {"matched", r.matched},
                    {"discrepancies", r.discrepancies},
                    {"attempts", r.attempts},
                    {"error", r.error},
                    {"bill_files", std::move(files)},
                    {"updated_at_ns", r.updated_at_ns},
                    {"next_attempt_ns", r.next_attempt_ns}};
}

std::optional<ReconRunRecord> FromJson(std::string_view text) {
  bj::error_code ec;
  bj::value v = bj::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const bj::object& o = v.as_object();
  ReconRunRecord r;
  auto str = [&](const char* k) {
    const bj::value* x = o.if_contains(k);
    return x != nullptr && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  auto num = [&](const char* k) -> std::int64_t {
    const bj::value* x = o.if_contains(k);
    if (x == nullptr) return 0;
    if (x->is_int64()) return x->as_int64();
    if (x->is_uint64()) return static_cast<std::int64_t>(x->as_uint64());
    return 0;
  };
  r.job = str("job");
  r.day = str("day");
  r.status = str("status");
  r.run_id = str("run_id");
  r.error = str("error");
  r.lines = static_cast<std::uint32_t>(num("lines"));
  r.matched = static_cast<std::uint32_t>(num("matched"));
  r.discrepancies = static_cast<std::uint32_t>(num("discrepancies"));
  r.attempts = static_cast<std::uint32_t>(num("attempts"));
  r.updated_at_ns = num("updated_at_ns");
  r.next_attempt_ns = num("next_attempt_ns");
  if (const bj::value* f = o.if_contains("bill_files"); f != nullptr && f->is_array()) {
    for (const auto& x : f->as_array()) {
      if (x.is_string()) r.bill_files.emplace_back(x.as_string());
    }
  }
  if (r.job.empty() || r.day.empty() || r.status.empty()) return std::nullopt;
  return r;
}

// Unfinished days are resumed this far back.
constexpr std::int64_t kResumeDaysMax = 62;

// "YYYY-MM-DD" -> days since 1970-01-01; nullopt unless it is a real date.
std::optional<std::int64_t> ParseDay(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int v[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int f = 0; f < 3; ++f) {
    for (std::size_t i = 0; i < lens[f]; ++i) {
      const char c = s[starts[f] + i];
      if (c < '0' || c > '9') return std::nullopt;
      v[f] = v[f] * 10 + (c - '0');
    }
  }
  const std::int64_t days = domain::DaysFromCivil(
      {v[0], static_cast<std::uint32_t>(v[1]), static_cast<std::uint32_t>(v[2])});
  if (DayText(days) != s) return std::nullopt;  // 2026-02-30 and the like
  return days;
}

// Both spellings of a day in a file name.
bool NamesDay(const std::string& file, const std::string& day) {
  std::string compact = day;
  compact.erase(std::remove(compact.begin(), compact.end(), '-'), compact.end());
  return file.find(day) != std::string::npos || file.find(compact) != std::string::npos;
}

}  // namespace

std::optional<gateways::Gateway> GatewayOfSource(statements::Source source) {
  switch (source) {
    case statements::Source::kAlipay:
      return gateways::Gateway::kAlipay;
    case statements::Source::kWechatPay:
      return gateways::Gateway::kWechatPay;
    case statements::Source::kUnionPay:
      return gateways::Gateway::kUnionPay;
    default:
      return std::nullopt;
  }
}

std::optional<int> ParseTimeOfDay(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return std::nullopt;
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
  }
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::optional<int> ParseUtcOffset(std::string_view zone) {
  if (zone == "Asia/Shanghai") return static_cast<int>(domain::kShanghaiUtcOffsetS / 60);
  if (zone == "UTC" || zone == "Z") return 0;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-')) return std::nullopt;
  auto m = ParseTimeOfDay(zone.substr(1));
  if (!m || *m > 14 * 60) return std::nullopt;
  return zone[0] == '-' ? -*m : *m;
}

std::string DayText(std::int64_t days) {
  const domain::CivilDate d = domain::CivilFromDays(days);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", d.year, d.month, d.day);
  return buf;
}

std::int64_t BillDayDue(std::int64_t now_ns, int at_minutes, int utc_offset_minutes) {
  const std::int64_t local = now_ns + utc_offset_minutes * kNsPerMinute;
  const std::int64_t today = FloorDiv(local, kNsPerDay);
  const std::int64_t minute_of_day = (local - today * kNsPerDay) / kNsPerMinute;
  return minute_of_day >= at_minutes ? today - 1 : today - 2;
}

Result<ReconScheduleConfig> ReconScheduleConfig::FromJson(const bj::value& v) {
  const std::string where = "reconciliation";
  if (!v.is_object()) return Invalid(where + ": must be an object");
  const bj::object& o = v.as_object();
  RETURN_IF_ERROR(OnlyKnown(o, {"time_zone", "check_every_ms", "retry_after_ms", "jobs"}, where));
  ReconScheduleConfig c;
  ASSIGN_OR_RETURN(std::string zone, StringField(o, "time_zone", where, false));
  if (!zone.empty()) {
    auto off = ParseUtcOffset(zone);
    if (!off) return Invalid(where + ".time_zone: Asia/Shanghai, UTC or an offset like +08:00");
    c.utc_offset_minutes = *off;
  }
  ASSIGN_OR_RETURN(c.check_every, MillisField(o, "check_every_ms", where, c.check_every));
  ASSIGN_OR_RETURN(c.retry_after, MillisField(o, "retry_after_ms", where, c.retry_after));
  if (const bj::value* jobs = o.if_contains("jobs")) {
    if (!jobs->is_array()) return Invalid(where + ".jobs: must be an array");
    std::set<std::string> names;
    for (std::size_t i = 0; i < jobs->as_array().size(); ++i) {
      ASSIGN_OR_RETURN(ReconJob job, JobFromJson(jobs->as_array()[i],
                                                 where + ".jobs[" + std::to_string(i) + "]"));
      if (!names.insert(job.name).second) {
        return Invalid(where + ".jobs[" + std::to_string(i) + "].name: " + job.name + " twice");
      }
      c.jobs.push_back(std::move(job));
    }
  }
  return c;
}

ReconScheduler::ReconScheduler(ReconSchedulerDeps deps, ReconScheduleConfig config)
    : deps_(std::move(deps)), config_(std::move(config)) {}

ReconScheduler::~ReconScheduler() { Stop(); }

void ReconScheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stop_ || config_.jobs.empty()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void ReconScheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void ReconScheduler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    RunDue();
    lock.lock();
    cv_.wait_for(lock, config_.check_every, [&] { return stop_; });
  }
}

std::int64_t ReconScheduler::NowNs() const {
  if (deps_.now_ns) return deps_.now_ns();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ReconScheduler::DayDir(const ReconJob& job, const std::string& day) const {
  return deps_.dir + "/" + job.name + "/" + day;
}

Status ReconScheduler::Save(const std::string& day_dir, ReconRunRecord& rec) {
  rec.updated_at_ns = NowNs();
  return WriteFileDurably(day_dir + "/state.json", bj::serialize(ToJson(rec)));
}

// Status kNotFound: nothing to fetch yet (the run waits).
Status ReconScheduler::Fetch(const ReconJob& job, const std::string& day_dir, ReconRunRecord& rec) {
  std::vector<std::string> contents;
  if (job.from == ReconJob::From::kGateway) {
    http::PaymentGateway* g = deps_.gateway_for ? deps_.gateway_for(job.source) : nullptr;
    if (g == nullptr) {
      return Status::Error(codes::kInvalidArgument,
                           "no gateway client for " + std::string(SourceName(job.source)) +
                               " bills (the gateway file has no \"api\" part for it)");
    }
    auto where = g->TradeBill(rec.day);
    if (!where.ok()) return where.status();
    auto bill = g->DownloadBill(*where);
    if (!bill.ok()) return bill.status();
    contents.push_back(std::move(*bill));
  } else {
    std::error_code ec;
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(job.folder, ec)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && !name.starts_with(".") && NamesDay(name, rec.day)) {
        names.push_back(entry.path().string());
      }
    }
    if (ec) return Status::Error(codes::kIoError, job.folder + ": " + ec.message());
    if (names.empty()) {
      return Status::Error(codes::kNotFound, "no file for " + rec.day + " in " + job.folder);
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(n));
      contents.push_back(std::move(bytes));
    }
  }
  // Durable copies first, then the record that names them.
  std::vector<std::string> files;
  for (std::size_t i = 0; i < contents.size(); ++i) {
    const std::string name = "bill-" + std::to_string(i + 1) + Extension(job.source);
    RETURN_IF_ERROR(WriteFileDurably(day_dir + "/" + name, contents[i]));
    files.push_back(name);
  }
  rec.bill_files = std::move(files);
  return Status();
}

ReconRunRecord ReconScheduler::RunDay(const ReconJob& job, std::int64_t day_number) {
  std::lock_guard<std::mutex> run(run_mu_);
  const std::string day = DayText(day_number);
  const std::string day_dir = DayDir(job, day);
  ReconRunRecord rec;
  if (auto text = ReadWholeFile(day_dir + "/state.json"); text.ok()) {
    if (auto loaded = FromJson(*text)) rec = std::move(*loaded);
  }
  if (rec.status == "done") return rec;
  const std::int64_t now = NowNs();
  if (rec.status == "failed" && now < rec.next_attempt_ns) return rec;
  rec.job = job.name;
  rec.day = day;
  auto count = [&](const char* outcome) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[outcome];
  };
  std::error_code ec;
  fs::create_directories(day_dir, ec);
  auto fail = [&](const Status& why) {
    rec.status = "failed";
    rec.error = why.ToString();
    rec.next_attempt_ns = NowNs() + std::chrono::nanoseconds(config_.retry_after).count();
    Status saved = Save(day_dir, rec);
    if (!saved.ok()) std::fprintf(stderr, "folio serve: recon: %s\n", saved.ToString().c_str());
    count("failed");
    return rec;
  };
  if (ec) return fail(Status::Error(codes::kIoError, day_dir + ": " + ec.message()));
  auto hook = [&](std::string_view step) {
    return deps_.after_step ? deps_.after_step(step, rec) : Status();
  };
  ++rec.attempts;
  bool have_bill = !rec.bill_files.empty();
  for (const auto& f : rec.bill_files) have_bill = have_bill && fs::exists(day_dir + "/" + f);
  if (!have_bill) {
    Status fetched = Fetch(job, day_dir, rec);
    if (fetched.code() == codes::kNotFound || fetched.code() == gateways::codes::kGatewayRefused) {
      // Not there yet (a folder still empty, a bill the gateway has not made).
      rec.status = "waiting";
      rec.error = fetched.ToString();
      if (Status s = Save(day_dir, rec); !s.ok()) return fail(s);
      count("waiting");
      return rec;
    }
    if (!fetched.ok()) return fail(fetched);
    rec.status = "fetched";
    rec.error.clear();
    if (Status s = Save(day_dir, rec); !s.ok()) return fail(s);
    if (!hook("fetched").ok()) return rec;
  }
  reconciliation::ImportOptions io;
  io.source = job.source;
  io.path = day_dir + "/" + rec.bill_files.front();
  for (std::size_t i = 1; i < rec.bill_files.size(); ++i) {
    io.more_paths.push_back(day_dir + "/" + rec.bill_files[i]);
  }
  io.actor = "recon-job:" + job.name;
  // The local day asked for, when the bill does not name its period.
  io.period_start_ns = day_number * kNsPerDay - config_.utc_offset_minutes * kNsPerMinute;
  io.period_end_ns = io.period_start_ns + kNsPerDay;
  io.account = job.account;
  auto imported = reconciliation::ImportStatement(*deps_.store, *deps_.writer, io);
  if (!imported.ok()) return fail(imported.status());
  rec.run_id = imported->run_id;
  rec.lines = imported->lines;
  rec.matched = imported->matched;
  rec.discrepancies = 0;
  for (const auto& [kind, n] : imported->discrepancies) rec.discrepancies += n;
  rec.status = "imported";
  rec.error.clear();
  if (Status s = Save(day_dir, rec); !s.ok()) return fail(s);
  if (!hook("imported").ok()) return rec;
  reports::ReportRequest rq;
  rq.kind = reports::ReportKind::kReconciliationRun;
  rq.format = reports::ReportFormat::kJson;
  rq.run_id = rec.run_id;
  auto report = reports::RenderReport(rq, *deps_.store);
  if (!report.ok()) return fail(report.status());
  if (Status s = WriteFileDurably(day_dir + "/report.json", *report); !s.ok()) return fail(s);
  if (!hook("reported").ok()) return rec;
  rec.status = "done";
  if (Status s = Save(day_dir, rec); !s.ok()) return fail(s);
  count("done");
  return rec;
}

std::vector<ReconRunRecord> ReconScheduler::RunDue() {
  std::vector<ReconRunRecord> out;
  const std::int64_t now = NowNs();
  for (const ReconJob& job : config_.jobs) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    const std::int64_t due = BillDayDue(now, job.at_minutes, config_.utc_offset_minutes);
    // Earlier days left unfinished (a crash, a bill that came late) first.
    std::set<std::int64_t> days{due};
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(deps_.dir + "/" + job.name, ec)) {
      const std::optional<std::int64_t> d = ParseDay(entry.path().filename().string());
      if (!d || *d >= due || *d < due - kResumeDaysMax) continue;
      auto text = ReadWholeFile(entry.path().string() + "/state.json");
      if (!text.ok()) continue;
      auto rec = FromJson(*text);
      if (rec && rec->status != "done") days.insert(*d);
    }
    for (std::int64_t d : days) out.push_back(RunDay(job, d));
  }
  return out;
}

std::vector<ReconRunRecord> ReconScheduler::Runs() const {
  std::vector<ReconRunRecord> out;
  std::error_code ec;
  for (const auto& job : fs::directory_iterator(deps_.dir, ec)) {
    std::error_code ec2;
    for (const auto& day : fs::directory_iterator(job.path(), ec2)) {
      auto text = ReadWholeFile(day.path().string() + "/state.json");
      if (!text.ok()) continue;
      if (auto rec = FromJson(*text)) out.push_back(std::move(*rec));
    }
  }
  std::sort(out.begin(), out.end(), [](const ReconRunRecord& a, const ReconRunRecord& b) {
    return a.day != b.day ? a.day > b.day : a.job < b.job;
  });
  return out;
}

std::string ReconScheduler::RunsJson() const {
  bj::array runs;
  for (const ReconRunRecord& r : Runs()) {
    bj::object o = ToJson(r);
    o.erase("bill_files");
    o.erase("next_attempt_ns");
    if (!r.run_id.empty()) {
      o["report"] = "/v1/reports/reconciliation-run?run_id=" + r.run_id;
    } else {
      o["report"] = nullptr;
    }
    runs.emplace_back(std::move(o));
  }
  return bj::serialize(bj::object{{"runs", std::move(runs)}});
}

std::vector<http::Sample> ReconScheduler::MetricSamples() const {
  std::vector<http::Sample> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const char* outcome : {"done", "waiting", "failed"}) {
    auto it = counts_.find(outcome);
    out.push_back({"folio_recon_job_runs_total",
                   "Scheduled reconciliation attempts by outcome",
                   "counter",
                   {{"outcome", outcome}},
                   static_cast<double>(it == counts_.end() ? 0 : it->second)});
  }
  return out;
}

}  // namespace folio::automation
