// The folio binary end to end: demo, verify (intact and tampered), inspect,
// exec, and usage errors. Runs the real executable over a real RocksDB.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "engine/log_store.h"
#include "tests/test_support.h"

namespace folio {
namespace {

using testing::RunCommand;
using testing::TempDir;

std::string Bin() { return FOLIO_BIN; }

boost::json::object ParseObject(const std::string& line) {
  boost::json::error_code ec;
  auto v = boost::json::parse(line, ec);
  REQUIRE_MESSAGE(!ec, "not JSON: " << line);
  REQUIRE(v.is_object());
  return v.as_object();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

TEST_CASE("folio demo then verify --json reports an intact log") {
  TempDir dir;
  std::string out;
  REQUIRE(RunCommand(Bin() + " demo --data " + dir.str() + " 2>&1", &out) == 0);
  out.clear();
  REQUIRE(RunCommand(Bin() + " verify --json --data " + dir.str(), &out) == 0);
  auto j = ParseObject(out);
  CHECK(j.at("ok").as_bool());
  CHECK(j.at("events").as_int64() == 40);  // the demo history's 35 accepted commands
  CHECK(j.at("head_seq").as_int64() == 40);
  CHECK(j.at("head_hash").as_string().size() == 64);
}

TEST_CASE("folio verify names the sequence of a changed byte and exits 1") {
  TempDir dir;
  REQUIRE(RunCommand(Bin() + " demo --data " + dir.str() + " >/dev/null 2>&1", nullptr) == 0);
  {
    auto store = LogStore::Open(dir.str());
    REQUIRE(store.ok());
    std::string v;
    REQUIRE((*store)->db()->Get({}, (*store)->events_cf(), keys::EventKey(5), &v).ok());
    v[v.size() / 2] = static_cast<char>(v[v.size() / 2] ^ 0x01);
    REQUIRE((*store)->db()->Put({}, (*store)->events_cf(), keys::EventKey(5), v).ok());
  }
  std::string out;
  CHECK(RunCommand(Bin() + " verify --json --data " + dir.str(), &out) == 1);
  auto j = ParseObject(out);
  CHECK_FALSE(j.at("ok").as_bool());
  CHECK(j.at("first_bad_seq").as_int64() == 5);
  CHECK(!j.at("reason").as_string().empty());
}

TEST_CASE("folio inspect prints events as JSON Lines") {
  TempDir dir;
  REQUIRE(RunCommand(Bin() + " demo --data " + dir.str() + " >/dev/null 2>&1", nullptr) == 0);
  std::string out;
  REQUIRE(RunCommand(Bin() + " inspect --data " + dir.str() + " --from 2 --limit 3", &out) == 0);
  auto lines = Lines(out);
  REQUIRE(lines.size() == 3);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto j = ParseObject(lines[i]);
    CHECK(j.at("seq").as_int64() == static_cast<std::int64_t>(i + 2));
    CHECK(j.contains("type"));
  }
}

TEST_CASE("usage errors exit 2 and say what is wrong") {
  std::string out;
  CHECK(RunCommand(Bin() + " verify --data /nonexistent --bogus 2>&1", &out) == 2);
  CHECK(out.find("unknown option --bogus") != std::string::npos);
  out.clear();
  CHECK(RunCommand(Bin() + " nosuchcommand 2>&1", &out) == 2);
  out.clear();
  CHECK(RunCommand(Bin() + " verify --data /nonexistent/folio 2>&1", &out) == 3);
  CHECK(out.find("no Folio log") != std::string::npos);
  out.clear();
  CHECK(RunCommand(Bin() + " verify --help", &out) == 0);
  CHECK(out.find("Usage: folio verify") != std::string::npos);
}

TEST_CASE("folio exec runs the issue's example lines with the documented outcomes") {
  TempDir dir;
  const std::string script = (dir.path() / "history.jsonl").string();
  {
    std::ofstream f(script);
    f << R"({"type":"payment.create","idempotency_key":"k1","payment_id":"p1","customer_id":"c1","order_id":"o1","method":"alipay","amount":"100.00","currency":"CNY"}
{"type":"payment.settle","idempotency_key":"k2","payment_id":"p1","gateway_txn_id":"2026112122001"}
{"type":"refund.request","idempotency_key":"k3","refund_id":"r1","payment_id":"p1","amount":"60.00","currency":"CNY"}
{"type":"refund.request","idempotency_key":"k4","refund_id":"r2","payment_id":"p1","amount":"50.00","currency":"CNY"}
{"type":"trust.deposit","idempotency_key":"k5","deposit_id":"t1","client_id":"cl1","matter_id":"m1","amount":"5000.00","currency":"CNY","method":"bank_transfer","reference":"BANK-1"}
{"type":"trust.disburse","idempotency_key":"k6","disbursement_id":"d1","client_id":"cl1","matter_id":"m1","amount":"6000.00","currency":"CNY","payee":"Court","purpose":"filing fee"}
{"type":"payment.create","idempotency_key":"k7","amount":100.00}
)";
  }
  const std::string data = (dir.path() / "data").string();
  for (int run = 0; run < 2; ++run) {  // the second run replays every outcome
    std::string out;
    REQUIRE(RunCommand(Bin() + " exec --json --data " + data + " " + script, &out) == 0);
    auto lines = Lines(out);
    REQUIRE(lines.size() == 7);
    std::vector<boost::json::object> o;
    for (auto& l : lines) o.push_back(ParseObject(l));
    for (int i : {0, 1, 2, 4})
      CHECK_MESSAGE(o[static_cast<std::size_t>(i)].at("ok").as_bool(),
                    lines[static_cast<std::size_t>(i)]);
    CHECK(o[3].at("code").as_string() == "refund_exceeds_settled");
    CHECK(o[5].at("code").as_string() == "trust_balance_insufficient");
    CHECK_FALSE(o[6].at("ok").as_bool());  // a float amount is refused before the writer
    if (run == 1) CHECK(o[0].at("replayed").as_bool());
  }
  std::string out;
  CHECK(RunCommand(Bin() + " verify --json --data " + data, &out) == 0);
  CHECK(ParseObject(out).at("ok").as_bool());
}

}  // namespace
}  // namespace folio

namespace folio {
namespace {

TEST_CASE("folio trust ledger, trust negative and stats answer from the demo history") {
  TempDir dir;
  REQUIRE(RunCommand(Bin() + " demo --data " + dir.str() + " >/dev/null 2>&1", nullptr) == 0);
  std::string out;
  REQUIRE(RunCommand(Bin() + " trust ledger --json --data " + dir.str() +
                         " --client cl-acme --matter m-2026-017",
                     &out) == 0);
  auto j = ParseObject(out);
  // deposit 50,000 + deposit 8,000 (cleared later) - 3,500 disbursed - 12,000 fees;
  // the 50,000 disbursement was refused by the rules and left no line.
  auto& lines = j.at("lines").as_array();
  CHECK(lines.size() == 5);
  CHECK(lines[0].as_object().at("amount").as_string() == "50000.00");
  auto& totals = j.at("totals").as_array();
  REQUIRE(totals.size() == 1);
  CHECK(totals[0].as_object().at("balance").as_string() == "42500.00");
  out.clear();
  CHECK(RunCommand(Bin() + " trust negative --data " + dir.str(), &out) == 0);
  out.clear();
  REQUIRE(RunCommand(Bin() + " stats --json --data " + dir.str(), &out) == 0);
  auto stats = ParseObject(out);
  bool saw_alipay = false;
  for (auto& row : stats.at("rows").as_array()) {
    auto& r = row.as_object();
    if (r.at("method").as_string() == "alipay" && r.at("asset").as_string() == "CNY") {
      saw_alipay = true;
      CHECK(r.at("created").as_object().at("count").as_int64() == 2);
      CHECK(r.at("settled").as_object().at("amount").as_string() == "21280.00");
    }
  }
  CHECK(saw_alipay);
  out.clear();
  CHECK(RunCommand(Bin() + " stats --data " + dir.str() + " --from 2026-13-01 2>&1", &out) == 2);
}

}  // namespace
}  // namespace folio
