// The daily reconciliation of UnionPay's merchant file, end to end: payments
// (and a refund) made through Folio at the in-process sandbox over ACP, then,
// on a fake clock set to the next day, the job asks UnionPayGateway for the
// day: ACP's file transfer call (txnType 76) brings the signed answer whose
// fileContent holds the INN file; the job imports and reconciles it: every
// trade and the refund match, the one trade Folio never heard of is the only
// discrepancy.
#include <doctest/doctest.h>

#include <sstream>

#include "adapters/reconciliation/ledger_items.h"
#include "adapters/reconciliation/matcher.h"
#include "engine/domain/civil_time.h"
#include "tests/adapters/automation/recon_gateway_harness.h"

namespace folio {
namespace {

using namespace folio::testing;
using std::chrono::milliseconds;

TEST_CASE("recon job from the gateway: yesterday's UnionPay file reconciles") {
  gateways::SandboxFaults f;
  f.fail_permille = 0;
  f.pay_after = milliseconds(20);
  f.notify_retry = milliseconds(20);
  f.bill_extra_row = true;  // one trade Folio never heard of
  InProcessSandbox sandbox(f);
  http::DispatcherOptions d;
  d.poll_after = d.poll_every = milliseconds(100);
  d.tick = milliseconds(10);
  GatewayLedger l(sandbox.file, d);
  // Three UnionPay payments, paid; part of the first refunded.
  const std::vector<std::string> ids = {"UPBILL10001", "UPBILL10002", "UPBILL10003"};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    PostCreated(l, "/v1/payments",
                {{"payment_id", ids[i]},
                 {"customer_id", "c-up"},
                 {"order_id", "o-up-" + std::to_string(i)},
                 {"method", "unionpay"},
                 {"amount", std::to_string(100 + 50 * i) + ".00"},
                 {"currency", "CNY"}},
                "up-pay-" + ids[i]);
  }
  REQUIRE(PollUntil(
      [&] {
        for (const auto& id : ids) {
          auto p = l.Payment(id);
          if (!p || p->status != domain::PaymentStatus::kSettled) return false;
        }
        return true;
      },
      std::chrono::seconds(30)));
  PostCreated(l, "/v1/refunds",
              {{"refund_id", "UPREF10001"},
               {"payment_id", ids[0]},
               {"amount", "40.00"},
               {"currency", "CNY"}},
              "up-refund-1");
  REQUIRE(PollUntil(
      [&] {
        auto r = l.Refund("UPREF10001");
        return r && r->status == domain::RefundStatus::kSucceeded;
      },
      std::chrono::seconds(30)));

  // The fake clock: 00:01 tomorrow in Shanghai, so today's file is due.
  const NextDayClock clock;
  const std::int64_t today = clock.today;
  http::PaymentGateway* client = l.wiring.ClientFor(gateways::Gateway::kUnionPay);
  REQUIRE(client != nullptr);

  // What the job will fetch: the INN file in the answer itself, no URL.
  auto where = client->TradeBill(automation::DayText(today));
  REQUIRE_MESSAGE(where.ok(), where.status().ToString());
  CHECK(where->download_url.empty());
  auto bytes = client->DownloadBill(*where);
  REQUIRE(bytes.ok());
  CHECK(*bytes == where->content);
  std::istringstream in(*bytes);
  statements::ParseOptions po;
  po.settle_date_ns = ShanghaiDayStart(today);
  std::vector<statements::Line> lines;
  auto header = statements::ParseStatement(
      statements::Source::kUnionPay, in,
      [&](const statements::Line& line) {
        lines.push_back(line);
        return OkStatus();
      },
      po);
  REQUIRE_MESSAGE(header.ok(), header.status().ToString());
  CHECK(header->account == sandbox->identity().gateway.unionpay_mer_id);
  REQUIRE(lines.size() == 5);  // the stranger, three payments, the refund
  CHECK(lines.back().is_refund);
  CHECK(lines.back().order_ref == "UPREF10001");
  CHECK(lines.back().amount.ToString() == "40.00");
  CHECK(lines.back().fee.ToString() == "0.22");  // 0.55 * 40 / 100
  auto snap =
      reconciliation::ReadLedgerItems(*l.engine.store, reconciliation::LedgerScope::kUnionPay);
  REQUIRE(snap.ok());
  CHECK(snap->items.size() == 4);
  reconciliation::Matcher m(&snap->items, reconciliation::MatchOptions{});
  for (const auto& line : lines) m.Add(line);
  m.Finish();
  REQUIRE(m.discrepancies().size() == 1);
  CHECK(m.discrepancies()[0].kind == fb::DiscrepancyKind::MissingInLedger);
  const domain::CivilDate day = domain::CivilFromDays(today);
  char extra[32];
  std::snprintf(extra, sizeof extra, "SANDBOXEXTRA%04d%02u%02u", day.year, day.month, day.day);
  CHECK(m.discrepancies()[0].statement_ref == extra);

  // The scheduled job: fetched through the gateway, imported, reconciled.
  automation::ReconScheduleConfig config;
  automation::ReconJob job;
  job.name = "unionpay-daily";
  job.source = statements::Source::kUnionPay;
  job.from = automation::ReconJob::From::kGateway;
  job.at_minutes = 0;
  config.jobs.push_back(job);
  const auto deps = GatewayBillDeps(l, sandbox.files.str() + "/recon-jobs", clock.now_ns);
  automation::ReconScheduler scheduler(deps, config);
  const auto runs = scheduler.RunDue();
  REQUIRE(runs.size() == 1);
  const auto& r = runs[0];
  CAPTURE(r.error);
  CHECK(r.day == automation::DayText(today));
  CHECK(r.status == "done");
  CHECK(r.lines == 5);
  CHECK(r.matched == 4);  // three payments and the refund
  CHECK(r.discrepancies == 1);
  CHECK(r.run_id.rfind("unionpay-", 0) == 0);

  // The file the job kept is the one UnionPay's answer carried.
  const std::string kept = deps.dir + "/unionpay-daily/" + r.day + "/bill-1.txt";
  std::ifstream k(kept, std::ios::binary);
  const std::string kept_bytes((std::istreambuf_iterator<char>(k)),
                               std::istreambuf_iterator<char>());
  CHECK(kept_bytes == *bytes);

  // Asked again, nothing is fetched or imported twice.
  const std::uint64_t head = l.engine.writer->durable_head().seq;
  scheduler.RunDue();
  CHECK(l.engine.writer->durable_head().seq == head);
}

}  // namespace
}  // namespace folio
