// Unit tests: the checkpoint codec and the balance sign rules.
#include <doctest/doctest.h>

#include "projections/balances.h"
#include "projections/checkpoint.h"

namespace folio::projections {
namespace {

TEST_CASE("checkpoint records round-trip, truncated or extended ones are rejected") {
  Checkpoint c;
  c.version = 0x01020304;
  c.seq = 0x1122334455667788;
  for (std::size_t i = 0; i < c.hash.size(); ++i) c.hash[i] = static_cast<std::uint8_t>(i * 7);
  const std::string bytes = EncodeCheckpoint(c);
  CHECK(bytes.size() == 44);
  CHECK(bytes.substr(0, 4) == std::string("\x01\x02\x03\x04", 4));
  auto back = DecodeCheckpoint(bytes);
  REQUIRE(back);
  CHECK(*back == c);
  for (std::size_t n = 0; n < bytes.size(); ++n) CHECK_FALSE(DecodeCheckpoint(bytes.substr(0, n)));
  CHECK_FALSE(DecodeCheckpoint(bytes + "x"));
  CHECK(CheckpointKey("balances") == "proj/balances");
}

TEST_CASE("balance sign: credit-normal for liability and income, debit-normal otherwise") {
  CHECK(IsCreditNormal("liability:trust:cl1:m1"));
  CHECK(IsCreditNormal("income:payments"));
  CHECK_FALSE(IsCreditNormal("bank:trust"));
  CHECK_FALSE(IsCreditNormal("clearing:alipay"));
  CHECK_FALSE(IsCreditNormal("expense:fees:alipay"));
  CHECK_FALSE(IsCreditNormal("suspense:reconciliation"));

  auto b = MakeBalance("income:payments", Asset::CNY, 1250, 100, 7);
  CHECK(b.negative);
  CHECK(b.magnitude == 1150);
  CHECK(b.BalanceString() == "-11.50");
  CHECK(b.as_of_seq == 7);
  b = MakeBalance("income:payments", Asset::CNY, 100, 1250, 7);
  CHECK(b.BalanceString() == "11.50");
  b = MakeBalance("clearing:alipay", Asset::CNY, 100, 1350, 7);
  CHECK(b.BalanceString() == "-12.50");
  b = MakeBalance("bank:trust", Asset::USDT, 5, 5, 1);
  CHECK_FALSE(b.negative);
  CHECK(b.BalanceString() == "0.000000");
  const u128 big = ~u128{0};
  b = MakeBalance("bank:operating", Asset::CNY, 0, big, 1);
  CHECK(b.BalanceString() == "-" + Money(Asset::CNY, big).ToString());
}

}  // namespace
}  // namespace folio::projections
