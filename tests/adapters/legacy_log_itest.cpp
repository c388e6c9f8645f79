// A log written by Folio before the derived-state checkpoint existed
// (tests/fixtures/legacy-v1, made by main's binary at 0982d63) opens,
// verifies (also --deep), answers every retry of its history exactly as that
// binary did, keeps its events byte for byte, and takes new writes whose
// retries work after a restart.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "tests/test_support.h"

namespace folio {
namespace {

using testing::RunCommand;
using testing::TempDir;

const std::string kFixture = std::string(FOLIO_SOURCE_DIR) + "/tests/fixtures/legacy-v1";

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE_MESSAGE(f.good(), "cannot read " << path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

boost::json::object Json(const std::string& text) {
  boost::json::error_code ec;
  auto v = boost::json::parse(text, ec);
  REQUIRE_MESSAGE((!ec && v.is_object()), "not a JSON object: " << text);
  return v.as_object();
}

std::string Folio(const std::string& args, int expect_rc = 0) {
  std::string out;
  const int rc = RunCommand(std::string(FOLIO_BIN) + " " + args, &out);
  REQUIRE_MESSAGE(rc == expect_rc, "folio " << args << " exited " << rc << ":\n" << out);
  return out;
}

TEST_CASE("a log written before derived-state checkpoints opens, verifies and serves") {
  TempDir tmp;
  REQUIRE(RunCommand("tar -xzf " + kFixture + "/db.tar.gz -C " + tmp.str(), nullptr) == 0);
  const std::string db = tmp.str() + "/db";

  // Read-only first, as an auditor would: nothing in the log changes.
  auto before = Json(ReadFile(kFixture + "/verify.json"));
  auto verified = Json(Folio("verify --json --data " + db));
  CHECK(verified.at("ok").as_bool());
  CHECK(verified.at("events") == before.at("events"));
  CHECK(verified.at("head_hash") == before.at("head_hash"));
  CHECK(Folio("inspect --from 1 --limit 100000 --data " + db) ==
        ReadFile(kFixture + "/inspect.jsonl"));

  // Every command of its history again: each answered as that binary answered
  // it the second time, refusals and their messages included, nothing appended.
  CHECK(Folio("exec --data " + db + " " + FOLIO_SOURCE_DIR + "/tests/data/history.jsonl") ==
        ReadFile(kFixture + "/exec2.txt"));
  auto deep = Json(Folio("verify --deep --json --data " + db));
  CHECK(deep.at("ok").as_bool());
  CHECK(deep.at("head_seq") == before.at("head_seq"));
  CHECK(deep.at("derived").at("ok").as_bool());
  CHECK(deep.at("derived").at("applied_seq") == before.at("head_seq"));
  CHECK(deep.at("derived").at("legacy_records").as_int64() > 0);

  // New commands append after the old head; their retries answer the same
  // after a restart; the old log's projections still equal a rebuild.
  const std::string next = tmp.str() + "/next.jsonl";
  {
    std::ofstream f(next);
    f << R"({"type":"payment.create","idempotency_key":"after-1","payment_id":"p-after-1","customer_id":"c-new","order_id":"o-a1","method":"alipay","amount":"12.34","currency":"CNY"})"
      << "\n"
      << R"({"type":"payment.settle","idempotency_key":"after-2","payment_id":"p-nope","gateway_txn_id":"x"})"
      << "\n";
  }
  const auto head = before.at("head_seq").as_int64();
  const std::string first = Folio("exec --data " + db + " " + next);
  CHECK(first == "line 1: ok seq " + std::to_string(head + 1) +
                     "\nline 2: rejected payment_not_found: p-nope\n");
  const std::string again = Folio("exec --data " + db + " " + next);
  CHECK(again == "line 1: ok seq " + std::to_string(head + 1) +
                     " (replayed)\nline 2: rejected payment_not_found: p-nope\n");
  auto after = Json(Folio("verify --deep --json --data " + db));
  CHECK(after.at("ok").as_bool());
  CHECK(after.at("events").as_int64() == head + 1);
  CHECK(after.at("derived").at("ok").as_bool());
  Folio("replay --data " + db);
}

}  // namespace
}  // namespace folio
