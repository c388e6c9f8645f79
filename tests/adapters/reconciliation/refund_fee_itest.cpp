// The fee the ledger expects back on refunds: the payment's fee pro rata,
// rounded half-up, the refund that completes the payment taking the rest.
#include <doctest/doctest.h>

#include "adapters/reconciliation/ledger_items.h"
#include "tests/adapters/reconciliation/recon_history.h"
#include "tests/test_support.h"

namespace folio::reconciliation {

using namespace folio::testing;

TEST_CASE("ledger items: refunds expect the payment's fee back pro rata, the last the rest") {
  TempDir dir;
  auto store = std::move(LogStore::Open(dir.str() + "/log")).value();
  auto writer = std::move(Writer::Start(store.get())).value();
  const std::int64_t t = Nov1() + 3600 * kSecond;
  History h(*writer);
  h.Payment("p1", fb::Method::WechatPay, 1000, 7, t, "4200001");  // 10.00, fee 0.07
  h.Refund("r1", "p1", 500, t + kSecond, "RF-1");                 // 0.035 -> 0.04
  h.Refund("r2", "p1", 500, t + 2 * kSecond, "RF-2");             // the rest: 0.03
  writer->Stop();
  auto snap = ReadLedgerItems(*store, LedgerScope::kWechatPay);
  REQUIRE(snap.ok());
  std::map<std::string, Money> fee;
  for (const LedgerItem& it : snap->items) fee[it.id] = it.fee;
  CHECK(fee["p1"] == Cny(7));
  CHECK(fee["r1"] == Cny(4));
  CHECK(fee["r2"] == Cny(3));
}

}  // namespace folio::reconciliation
