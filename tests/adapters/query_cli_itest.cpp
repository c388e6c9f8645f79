// folio balance, trial-balance and replay end to end over the demo log; and
// verify (read-only) still opens a log that has projection families.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "engine/log_store.h"
#include "tests/test_support.h"

namespace folio {
namespace {

using testing::RunCommand;
using testing::TempDir;

std::string Bin() { return FOLIO_BIN; }

boost::json::object Json(const std::string& text) {
  boost::json::error_code ec;
  auto v = boost::json::parse(text, ec);
  REQUIRE_MESSAGE(!ec, "not JSON: " << text);
  REQUIRE(v.is_object());
  return v.as_object();
}

TEST_CASE("folio balance / trial-balance / replay answer from the projections") {
  TempDir dir;
  const std::string data = " --data " + dir.str();
  REQUIRE(RunCommand(Bin() + " demo" + data + " >/dev/null 2>&1", nullptr) == 0);

  std::string out;
  REQUIRE(RunCommand(Bin() + " trial-balance --json" + data, &out) == 0);
  auto tb = Json(out);
  CHECK(tb.at("balanced").as_bool());
  const std::int64_t head = tb.at("as_of_seq").as_int64();
  CHECK(head > 0);
  bool saw_cny = false;
  for (const auto& a : tb.at("assets").as_array()) {
    const auto& o = a.as_object();
    CHECK(o.at("debits") == o.at("credits"));
    if (o.at("asset") == "CNY") saw_cny = true;
  }
  CHECK(saw_cny);

  out.clear();
  REQUIRE(RunCommand(Bin() + " balance --json --account income:payments --asset CNY" + data,
                     &out) == 0);
  auto b = Json(out);
  CHECK(b.at("account") == "income:payments");
  CHECK(b.at("asset") == "CNY");
  CHECK(b.at("as_of_seq").as_int64() == head);
  for (const char* k : {"debits", "credits", "balance"}) CHECK(b.at(k).is_string());

  out.clear();
  REQUIRE(RunCommand(
              Bin() + " balance --json --account income:payments --asset CNY --as-of-seq 0" + data,
              &out) == 0);
  auto zero = Json(out);
  CHECK(zero.at("balance") == "0.00");
  CHECK(zero.at("as_of_seq").as_int64() == 0);

  out.clear();
  REQUIRE(RunCommand(Bin() + " balance --json --account income:payments --asset CNY " +
                         "--as-of 1970-01-01T00:00:00Z" + data,
                     &out) == 0);
  CHECK(Json(out).at("as_of_seq").as_int64() == 0);

  out.clear();
  REQUIRE(RunCommand(Bin() + " replay --json" + data, &out) == 0);
  auto r = Json(out);
  CHECK(r.at("ok").as_bool());
  CHECK(r.at("until_seq").as_int64() == head);
  CHECK(r.at("projections").as_array().at(0).as_object().at("mode") == "bytes");

  out.clear();
  REQUIRE(RunCommand(Bin() + " replay --json --until-seq 5 --projection balances" + data, &out) ==
          0);
  CHECK(Json(out).at("ok").as_bool());

  // A changed projection value is a difference: exit 1.
  {
    auto store = LogStore::Open(dir.str());
    REQUIRE(store.ok());
    auto* cf = (*store)->column_family("proj.balances");
    REQUIRE(cf != nullptr);
    REQUIRE((*store)->db()->Put({}, cf, "zz/extra", "x").ok());
  }
  out.clear();
  CHECK(RunCommand(Bin() + " replay --json" + data, &out) == 1);
  CHECK_FALSE(Json(out).at("ok").as_bool());

  // verify opens read-only and must cope with the projection families.
  CHECK(RunCommand(Bin() + " verify" + data + " >/dev/null", nullptr) == 0);

  CHECK(RunCommand(Bin() + " balance --asset CNY" + data + " 2>/dev/null", nullptr) == 2);
  CHECK(RunCommand(Bin() + " balance --account a --asset XXX" + data + " 2>/dev/null", nullptr) ==
        2);
}

}  // namespace
}  // namespace folio
