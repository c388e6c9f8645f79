// Commands through the real writer: the domain decides inside the group
// commit, state persists in the `state` family, retries are idempotent across
// restarts, and the state rebuilt from the log equals the live state.
#include <doctest/doctest.h>

#include <future>

#include "engine/domain/domain.h"
#include "engine/verify.h"
#include "engine/writer.h"
#include "events/codes.h"
#include "tests/test_support.h"

namespace folio {
namespace {

using testing::TempDir;

Money Cny(const char* s) { return *Money::Parse(s, Asset::CNY); }

// The six lines of issue 3's `folio exec` example, as commands.
std::vector<std::pair<std::string, domain::Command>> ExampleHistory() {
  domain::PaymentCreate create;
  create.payment_id = "p1";
  create.customer_id = "c1";
  create.order_id = "o1";
  create.method = fb::Method::Alipay;
  create.amount = Cny("100.00");
  domain::PaymentSettle settle;
  settle.payment_id = "p1";
  settle.gateway_txn_id = "2026112122001";
  domain::RefundRequest r1;
  r1.refund_id = "r1";
  r1.payment_id = "p1";
  r1.amount = Cny("60.00");
  domain::RefundRequest r2 = r1;
  r2.refund_id = "r2";
  r2.amount = Cny("50.00");
  domain::TrustDeposit dep;
  dep.deposit_id = "t1";
  dep.client_id = "cl1";
  dep.matter_id = "m1";
  dep.amount = Cny("5000.00");
  dep.method = fb::Method::BankTransfer;
  dep.reference = "BANK-1";
  domain::TrustDisburse dis;
  dis.disbursement_id = "d1";
  dis.client_id = "cl1";
  dis.matter_id = "m1";
  dis.amount = Cny("6000.00");
  dis.payee = "Court";
  dis.purpose = "filing fee";
  return {{"k1", create}, {"k2", settle}, {"k3", r1}, {"k4", r2}, {"k5", dep}, {"k6", dis}};
}

AppendRequest CommandRequest(const std::string& key, const domain::Command& cmd) {
  AppendRequest r;
  r.idempotency_key = key;
  r.fingerprint = Sha256(key);
  r.context.actor = "test";
  r.context.now_ns = 1'795'000'000'000'000'000;
  r.command = cmd;
  return r;
}

std::vector<AppendOutcome> Run(Writer& w,
                               const std::vector<std::pair<std::string, domain::Command>>& h,
                               std::size_t from, std::size_t to) {
  // Submitted back to back so that several land in one group.
  std::vector<std::future<AppendOutcome>> futures;
  for (std::size_t i = from; i < to; ++i) {
    auto p = std::make_shared<std::promise<AppendOutcome>>();
    futures.push_back(p->get_future());
    w.Submit(CommandRequest(h[i].first, h[i].second),
             [p](const AppendOutcome& o) { p->set_value(o); });
  }
  std::vector<AppendOutcome> out;
  for (auto& f : futures) out.push_back(f.get());
  return out;
}

std::map<std::string, std::string> StateFamily(const LogStore& store) {
  std::map<std::string, std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator({}, store.state_cf()));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out[it->key().ToString()] = it->value().ToString();
  return out;
}

void CheckExampleOutcomes(const std::vector<AppendOutcome>& o) {
  REQUIRE(o.size() == 6);
  CHECK_MESSAGE(o[0].status.ok(), o[0].status.ToString());
  CHECK_MESSAGE(o[1].status.ok(), o[1].status.ToString());
  CHECK_MESSAGE(o[2].status.ok(), o[2].status.ToString());
  CHECK(o[3].status.code() == "refund_exceeds_settled");
  CHECK_MESSAGE(o[4].status.ok(), o[4].status.ToString());
  CHECK(o[5].status.code() == "trust_balance_insufficient");
}

TEST_CASE("the example history gives the documented outcomes, also when retried after a restart") {
  TempDir dir;
  auto history = ExampleHistory();
  std::vector<AppendOutcome> first;
  {
    auto store = LogStore::Open(dir.str());
    REQUIRE(store.ok());
    auto writer = Writer::Start(store->get());
    REQUIRE(writer.ok());
    auto part = Run(**writer, history, 0, 3);  // then "crash" (clean stop) mid-script
    first.insert(first.end(), part.begin(), part.end());
  }
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  std::uint64_t head_before;
  {
    auto writer = Writer::Start(store->get());
    REQUIRE(writer.ok());
    auto all = Run(**writer, history, 0, 6);  // the whole script again
    CheckExampleOutcomes(all);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(all[i].replayed);
      CHECK(all[i].first_seq == first[i].first_seq);
      CHECK(all[i].last_seq == first[i].last_seq);
    }
    head_before = (*writer)->durable_head().seq;
    auto again = Run(**writer, history, 0, 6);  // and once more: nothing new
    CheckExampleOutcomes(again);
    for (const auto& o : again) CHECK(o.replayed);
    CHECK((*writer)->durable_head().seq == head_before);
  }
  auto report = VerifyLog(**store);
  REQUIRE(report.ok());
  CHECK_MESSAGE(report->ok, report->reason);

  // Replay: the state rebuilt from the log by the same Apply equals the live
  // state family, byte for byte.
  domain::MemoryStateStore rebuilt;
  auto events = (*store)->ReadFrom(1, 1'000'000);
  REQUIRE(events.ok());
  CHECK(events->size() == head_before);
  for (const EventRecord& e : *events) domain::Apply(rebuilt, e.env());
  auto live = StateFamily(**store);
  std::map<std::string, std::string> replayed(rebuilt.map().begin(), rebuilt.map().end());
  CHECK(live.size() == replayed.size());
  CHECK(live == replayed);
}

TEST_CASE("commands in one group see each other's effects exactly as if run one by one") {
  TempDir dir;
  auto store = LogStore::Open(dir.str());
  REQUIRE(store.ok());
  auto writer = Writer::Start(store->get());
  REQUIRE(writer.ok());
  auto history = ExampleHistory();
  // Two refunds of 60 and 50 on a settled 100, submitted together: exactly one
  // must be rejected, whatever the grouping.
  auto o = Run(**writer, history, 0, 4);
  CHECK(o[2].status.ok());
  CHECK(o[3].status.code() == "refund_exceeds_settled");
  // The rejection wrote nothing: the head is that of the three accepted commands.
  CHECK((*writer)->durable_head().seq == o[2].last_seq);
}

}  // namespace
}  // namespace folio
