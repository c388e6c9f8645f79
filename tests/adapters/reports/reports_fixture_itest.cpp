// The reports of two histories against what main printed before the reports
// read the projections (issue 17): tests/fixtures/reports/reports.sha256 is
// the SHA-256 of every report below as 7b7b183 rendered it (this same file,
// built in a worktree of that commit with FOLIO_REPORT_FIXTURE_WRITE=path).
//
//   demo     the demo history (adapters/cli/cmd_demo.cc) at fixed times, a
//            WeChat Pay bill imported and partly resolved, a bank statement
//            for the three-way;
//   random   100,000 commands of the seeded random history
//            (tests/projections/balances_history.h).
//
// Every kind, in JSON, CSV and HTML, at the head and below it, over all of
// history and over whole days. Today's reports name the as-of event's hash
// (report_as_of_hash), which 7b7b183's did not: that line is removed before
// hashing. The file compiles against both trees on purpose; keep it so.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/json/command_json.h"
#include "adapters/reconciliation/import.h"
#include "adapters/reports/report_model.h"
#include "adapters/reports/reports.h"
#include "adapters/statements/bill_writer.h"
#include "engine/clock.h"
#include "engine/log_store.h"
#include "engine/writer.h"
#include "events/hash.h"
#include "tests/adapters/reconciliation/recon_history.h"
#include "tests/projections/balances_history.h"
#include "tests/test_support.h"

// The demo history moved out of the CLI after 7b7b183.
#if __has_include("adapters/json/demo_history.h")
#include "adapters/json/demo_history.h"
namespace folio::reports {
inline std::string_view DemoCommands() { return json::DemoHistory(); }
}  // namespace folio::reports
#else
#include "adapters/cli/commands.h"
namespace folio::reports {
inline std::string_view DemoCommands() { return cli::DemoHistory(); }
}  // namespace folio::reports
#endif

namespace folio::reports {
namespace {

using folio::testing::Cny;
using folio::testing::kSecond;
using folio::testing::TempDir;

// 2026-11-21 09:00 Asia/Shanghai: the demo's commands a minute apart from here.
constexpr std::int64_t kDemoStartNs = 1'795'222'800'000'000'000;
constexpr std::int64_t kDayNs = 86'400 * kSecond;

std::string Render(const ReportRequest& q, const LogStore& store) {
  auto r = BuildReport(q, store);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  auto& h = r->header;
  h.erase(std::remove_if(h.begin(), h.end(),
                         [](const auto& kv) { return kv.first == "report_as_of_hash"; }),
          h.end());
  switch (q.format) {
    case ReportFormat::kCsv:
      return RenderCsv(*r);
    case ReportFormat::kJson:
      return RenderJson(*r);
    case ReportFormat::kHtml:
      return RenderHtml(*r);
  }
  return {};
}

// name -> SHA-256 of the rendered report, in every format.
void AddAll(std::map<std::string, std::string>& out, const std::string& name, ReportRequest q,
            const LogStore& store) {
  for (auto [ext, f] :
       {std::pair{"json", ReportFormat::kJson}, std::pair{"csv", ReportFormat::kCsv},
        std::pair{"html", ReportFormat::kHtml}}) {
    q.format = f;
    out[name + "." + ext] = ToHex(Sha256(Render(q, store)));
  }
}

void DemoHistory(Writer& w) {
  std::istringstream in{std::string(DemoCommands())};
  std::string line;
  std::int64_t at = kDemoStartNs;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto parsed = json::ParseCommand(line);
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
    AppendRequest r;
    r.idempotency_key = parsed->idempotency_key;
    r.fingerprint = Sha256(parsed->canonical);
    r.context.actor = "demo";
    r.context.idempotency_key = parsed->idempotency_key;
    r.context.now_ns = at;
    r.command = std::move(parsed->command);
    w.Append(std::move(r));  // refusals are part of the demo
    at += 60 * kSecond;
  }
}

// The demo's WeChat Pay payment and a line the ledger does not have.
std::string WechatBill(const std::string& dir) {
  std::vector<statements::Line> rows(2);
  rows[0].reference = "4200002026112100001";
  rows[0].order_ref = "INV-2026-1002";
  rows[0].amount = Cny(56000);
  rows[0].fee = Cny(336);
  rows[0].booked_at_ns = kDemoStartNs + 12 * 60 * kSecond;
  rows[0].description = "consultation";
  rows[1] = rows[0];
  rows[1].reference = "4200002026112199999";
  rows[1].order_ref = "UNKNOWN-1";
  rows[1].amount = Cny(7700);
  rows[1].fee = Cny(46);
  const std::string path = dir + "/wechat_20261121.csv";
  std::ofstream(path, std::ios::binary)
      << statements::WriteBill(statements::Source::kWechatPay, statements::BillMeta{}, rows);
  return path;
}

// The trust bank account's November: the deposits and one disbursement.
std::string BankStatement(const std::string& dir) {
  std::vector<statements::Line> lines;
  auto add = [&](const char* ref, u128 amount, bool debit, std::int64_t minute) {
    statements::Line l;
    l.reference = ref;
    l.order_ref = ref;
    l.amount = Cny(amount);
    l.is_debit = debit;
    l.booked_at_ns = kDemoStartNs + minute * 60 * kSecond;
    l.description = "trust";
    lines.push_back(l);
  };
  add("BANK-REF-5521", 5'000'000, false, 29);
  add("BANK-REF-5530", 800'000, false, 40);
  add("filing fee", 350'000, true, 41);
  statements::BillMeta meta;
  meta.account = "CN12 3456 7890 TRUST";
  meta.period_start_ns = kDemoStartNs - 9 * 3600 * kSecond;
  meta.period_end_ns = meta.period_start_ns + 10 * kDayNs;
  meta.opening = Cny(0);
  meta.closing = Cny(5'000'000 + 800'000 - 350'000);
  const std::string path = dir + "/camt053_202611.xml";
  std::ofstream(path, std::ios::binary)
      << statements::WriteBill(statements::Source::kCamt053, meta, lines);
  return path;
}

std::map<std::string, std::string> DemoReports(const std::string& dir) {
  auto store = std::move(LogStore::Open(dir + "/log")).value();
  auto writer = std::move(Writer::Start(store.get())).value();
  DemoHistory(*writer);
  const std::uint64_t before_import = store->ReadHead()->seq;
  ManualClock clock(kDemoStartNs + kDayNs);
  reconciliation::ImportOptions o;
  o.source = statements::Source::kWechatPay;
  o.path = WechatBill(dir);
  o.clock = &clock;
  o.actor = "ops";
  auto run = reconciliation::ImportStatement(*store, *writer, o);
  REQUIRE_MESSAGE(run.ok(), run.status().ToString());
  const std::uint64_t before_resolve = store->ReadHead()->seq;
  recon::ReconResolve res{run->run_id, "d000001", "Li Wei (finance)", "reported to WeChat Pay"};
  REQUIRE(reconciliation::ResolveDiscrepancy(*store, *writer, res, "ops", &clock).ok());
  writer->Stop();
  const std::uint64_t head = store->ReadHead()->seq;

  std::map<std::string, std::string> out;
  const std::string bank = BankStatement(dir);
  for (auto [at, seq] : {std::pair{"head", head}, std::pair{"before-resolve", before_resolve},
                         std::pair{"before-import", before_import}}) {
    const std::string p = std::string("demo/") + at + "/";
    ReportRequest q;
    q.as_of_seq = seq;
    q.kind = ReportKind::kStats;
    AddAll(out, p + "stats", q, *store);
    q.kind = ReportKind::kFees;
    AddAll(out, p + "fees", q, *store);
    q.kind = ReportKind::kTrustStatement;
    for (const char* client : {"cl-acme", "cl-liu", "cl-nobody"}) {
      q.client_id = client;
      AddAll(out, p + "trust-statement-" + client, q, *store);
    }
    q.matter_id = "m-2026-017";
    q.client_id = "cl-acme";
    AddAll(out, p + "trust-statement-cl-acme-m-2026-017", q, *store);
    q.matter_id.clear();
    q.kind = ReportKind::kThreeWay;
    q.statement_source = statements::Source::kCamt053;
    q.statement_path = bank;
    AddAll(out, p + "three-way", q, *store);
    if (seq > before_import) {
      ReportRequest r;
      r.as_of_seq = seq;
      r.kind = ReportKind::kReconciliationRun;
      r.run_id = run->run_id;
      AddAll(out, p + "reconciliation-run", r, *store);
    }
  }
  return out;
}

std::map<std::string, std::string> RandomReports(const std::string& dir) {
  auto store = std::move(LogStore::Open(dir + "/log")).value();
  const auto history = folio::testing::RandomHistory(100'000, 20261207);
  {
    auto writer = std::move(Writer::Start(store.get())).value();
    folio::testing::RunCommands(*writer, history, 0, history.size());
  }
  const std::uint64_t head = store->ReadHead()->seq;
  std::map<std::string, std::string> out;
  // Whole Asia/Shanghai days of the history's business time, and all of it.
  const std::int64_t shanghai = 8 * 3600 * kSecond;
  const std::int64_t day0 =
      (folio::testing::BusinessTime(0) + shanghai) / kDayNs * kDayNs - shanghai;
  const std::vector<std::pair<std::int64_t, std::int64_t>> periods = {
      {0, 0}, {day0 + 2 * kDayNs, day0 + 5 * kDayNs}};
  for (auto [at, seq] : {std::pair{"head", head}, std::pair{"half", head / 2}}) {
    for (std::size_t i = 0; i < periods.size(); ++i) {
      const std::string p = std::string("random/") + at + "/" + (i == 0 ? "all" : "days") + "/";
      ReportRequest q;
      q.as_of_seq = seq;
      q.period_start_ns = periods[i].first;
      q.period_end_ns = periods[i].second;
      q.kind = ReportKind::kStats;
      AddAll(out, p + "stats", q, *store);
      q.kind = ReportKind::kFees;
      AddAll(out, p + "fees", q, *store);
      q.kind = ReportKind::kTrustStatement;
      for (const char* client : {"cl0", "cl1", "cl2", "cl3", "cl4"}) {
        q.client_id = client;
        AddAll(out, p + "trust-statement-" + client, q, *store);
      }
      q.matter_id = "m1";
      AddAll(out, p + "trust-statement-cl4-m1", q, *store);
    }
  }
  return out;
}

TEST_CASE("reports: the demo and a 100,000-command history print what main printed before") {
  TempDir dir;
  std::filesystem::create_directories(dir.str() + "/demo");
  std::filesystem::create_directories(dir.str() + "/random");
  std::map<std::string, std::string> got = DemoReports(dir.str() + "/demo");
  for (auto& kv : RandomReports(dir.str() + "/random")) got.insert(kv);
  REQUIRE(got.size() > 150);

  if (const char* write = std::getenv("FOLIO_REPORT_FIXTURE_WRITE")) {
    std::ofstream f(write, std::ios::binary);
    for (const auto& [name, sha] : got) f << sha << "  " << name << "\n";
    MESSAGE("wrote " << got.size() << " report hashes to " << write);
    return;
  }
  std::ifstream f(std::string(FOLIO_SOURCE_DIR) + "/tests/fixtures/reports/reports.sha256");
  REQUIRE(f.good());
  std::map<std::string, std::string> want;
  std::string sha, name;
  while (f >> sha >> name) want[name] = sha;
  REQUIRE(want.size() == got.size());
  for (const auto& [n, s] : want) {
    CAPTURE(n);
    REQUIRE(got.count(n) == 1);
    CHECK(got[n] == s);
  }
}

}  // namespace
}  // namespace folio::reports
