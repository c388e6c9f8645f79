// A reconciliation run cut short by a failed write resumes on the next
// import of the same file: the chunks already durable are skipped, the rest
// appended, and the run ends exactly as an uninterrupted one.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <set>

#include "adapters/reconciliation/import.h"
#include "adapters/statements/bill_writer.h"
#include "tests/adapters/reconciliation/recon_history.h"
#include "tests/test_support.h"

namespace folio::reconciliation {

using namespace folio::testing;

TEST_CASE("reconcile: a run cut short by a failed write resumes and completes once") {
  TempDir dir;
  // 10,000 lines the (empty) ledger does not know: three chunks of discrepancies.
  std::vector<statements::Line> rows(10'000);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].reference = "4200" + std::to_string(1'000'000 + i);
    rows[i].order_ref = "X" + std::to_string(i);
    rows[i].amount = Cny(100 + i);
    rows[i].fee = Cny(1);
    rows[i].booked_at_ns = Nov1() + static_cast<std::int64_t>(i) * kSecond;
  }
  const std::string bill = dir.str() + "/wechat.csv";
  std::ofstream(bill, std::ios::binary)
      << statements::WriteBill(statements::Source::kWechatPay, {}, rows);
  ImportOptions io;
  io.source = statements::Source::kWechatPay;
  io.path = bill;

  auto store = std::move(LogStore::Open(dir.str() + "/log")).value();
  {
    std::atomic<int> writes{0};
    WriterOptions wo;
    // The first group (the run's start) is written; every later one fails.
    wo.inject_write_error = [&] {
      return ++writes > 1 ? rocksdb::Status::IOError("injected") : rocksdb::Status();
    };
    auto writer = std::move(Writer::Start(store.get(), wo)).value();
    auto cut = ImportStatement(*store, *writer, io);
    CHECK(!cut.ok());
    writer->Stop();
  }
  store.reset();
  store = std::move(LogStore::Open(dir.str() + "/log")).value();
  auto writer = std::move(Writer::Start(store.get())).value();
  const std::string run_id = "wechatpay-" + ToHex(*FileSha256(bill)).substr(0, 16);
  auto partial = LoadRun(*store, run_id);
  REQUIRE(partial.ok());
  CHECK(!partial->completed);
  const std::uint64_t written = partial->version;
  CHECK(written >= 2);

  auto r = ImportStatement(*store, *writer, io);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(!r->replayed);
  CHECK(r->lines == 10'000);
  CHECK(r->discrepancies.at("missing_in_ledger") == 10'000);
  CHECK(r->events + written == 10'003);
  auto events = store->ReadStream(recon::RunStream(r->run_id), 1, 100'000);
  REQUIRE(events.ok());
  std::set<std::string> ids;
  for (const EventRecord& e : *events) {
    if (e.type() == fb::Event::DiscrepancyDetected) {
      ids.insert(e.env().event_as_DiscrepancyDetected()->discrepancy_id()->str());
    }
  }
  CHECK(ids.size() == 10'000);
  CHECK(events->size() == 10'003);
  CHECK(events->back().type() == fb::Event::ReconciliationRunCompleted);
  auto again = ImportStatement(*store, *writer, io);
  REQUIRE(again.ok());
  CHECK(again->replayed);
}

}  // namespace folio::reconciliation
