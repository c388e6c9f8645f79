// The daily reconciliation fetching its bills through the gateway clients:
// trades paid at the sandbox gateway (Alipay and WeChat Pay, over their real
// APIs) are recorded by Folio; on a fake clock set to the next day, the jobs
// ask each gateway where yesterday's bill is, download it (WeChat Pay's
// download signed, its SHA1 checked), import and reconcile it: every line
// matches, and the one trade Folio never heard of is the only discrepancy.
#include <doctest/doctest.h>

#include "tests/adapters/automation/recon_gateway_harness.h"

namespace folio {
namespace {

using namespace folio::testing;
using std::chrono::milliseconds;

TEST_CASE("recon job from the gateway: yesterday's Alipay and WeChat Pay bills reconcile") {
  gateways::SandboxFaults f;
  f.fail_permille = 0;
  f.pay_after = milliseconds(20);
  f.bill_extra_row = true;  // one trade Folio never heard of, in each bill
  InProcessSandbox sandbox(f);
  http::DispatcherOptions d;
  d.poll_after = d.poll_every = milliseconds(100);
  d.tick = milliseconds(10);
  GatewayLedger l(sandbox.file, d);
  // Four payments per gateway, paid.
  const char* methods[] = {"alipay", "wechat_pay"};
  for (int i = 0; i < 8; ++i) {
    boost::json::object body{{"payment_id", "PAYBILL" + std::to_string(1000 + i)},
                             {"customer_id", "c-" + std::to_string(i)},
                             {"order_id", "o-" + std::to_string(i)},
                             {"method", methods[i % 2]},
                             {"amount", std::to_string(100 + i) + ".00"},
                             {"currency", "CNY"}};
    PostCreated(l, "/v1/payments", body, "bill-" + std::to_string(i));
  }
  REQUIRE(PollUntil(
      [&] {
        for (int i = 0; i < 8; ++i) {
          auto p = l.Payment("PAYBILL" + std::to_string(1000 + i));
          if (!p || p->status != domain::PaymentStatus::kSettled) return false;
        }
        return true;
      },
      std::chrono::seconds(30)));
  // The fake clock: 00:01 tomorrow in Shanghai, so today's bill is due.
  const NextDayClock clock;
  const std::int64_t today = clock.today;
  automation::ReconScheduleConfig config;
  for (auto [name, source] : {std::pair{"alipay-daily", statements::Source::kAlipay},
                              std::pair{"wechat-daily", statements::Source::kWechatPay}}) {
    automation::ReconJob job;
    job.name = name;
    job.source = source;
    job.from = automation::ReconJob::From::kGateway;
    job.at_minutes = 0;
    config.jobs.push_back(job);
  }
  const auto deps = GatewayBillDeps(l, sandbox.files.str() + "/recon-jobs", clock.now_ns);
  automation::ReconScheduler scheduler(deps, config);
  const auto runs = scheduler.RunDue();
  REQUIRE(runs.size() == 2);
  for (const auto& r : runs) {
    CAPTURE(r.job);
    CAPTURE(r.error);
    CHECK(r.day == automation::DayText(today));
    CHECK(r.status == "done");
    CHECK(r.lines == 5);  // four trades and the stranger
    CHECK(r.matched == 4);
    CHECK(r.discrepancies == 1);
  }
  // The next day's bills are empty: today's trades are not "missing" from
  // them (the job gives the import the day it asked for; an empty WeChat Pay
  // bill names no period).
  f.bill_extra_row = false;
  sandbox->book().SetFaults(f);
  for (const auto& job : config.jobs) {
    CAPTURE(job.name);
    const auto next = scheduler.RunDay(job, today + 1);
    CHECK(next.status == "done");
    CHECK(next.lines == 0);
    CHECK(next.discrepancies == 0);
  }
  // Asked again, nothing is fetched or imported twice.
  const std::uint64_t head = l.engine.writer->durable_head().seq;
  scheduler.RunDue();
  CHECK(l.engine.writer->durable_head().seq == head);
}

}  // namespace
}  // namespace folio
