// folio exec end to end over the scripted history tests/data/history.jsonl:
// every command type, with "at" times, expiries, a scheduled payment, limits,
// trust money and intentional rejections. The outcomes must match
// tests/data/history.expected.jsonl; a restart in the middle (run the first
// half, then the whole file) must give the same outcomes, the first half
// replayed from the idempotency records; and `folio verify` must pass.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace folio {
namespace {

using testing::RunCommand;
using testing::TempDir;

const std::string kHistory = std::string(FOLIO_SOURCE_DIR) + "/tests/data/history.jsonl";
const std::string kExpected = std::string(FOLIO_SOURCE_DIR) + "/tests/data/history.expected.jsonl";

std::vector<std::string> Lines(std::istream& in) {
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) out.push_back(l);
  }
  return out;
}
std::vector<std::string> FileLines(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  return Lines(in);
}

boost::json::object ParseObject(const std::string& line) {
  boost::json::error_code ec;
  auto v = boost::json::parse(line, ec);
  REQUIRE_MESSAGE(!ec, "not JSON: " << line);
  REQUIRE(v.is_object());
  return v.as_object();
}

// Runs `folio exec --json` over `script` into `data`; one outcome per line.
std::vector<boost::json::object> Exec(const std::string& data, const std::string& script) {
  std::string out;
  REQUIRE(RunCommand(std::string(FOLIO_BIN) + " exec --json --data " + data + " " + script, &out) ==
          0);
  std::istringstream in(out);
  std::vector<boost::json::object> outcomes;
  for (const std::string& l : Lines(in)) outcomes.push_back(ParseObject(l));
  return outcomes;
}

void Verify(const std::string& data) {
  std::string out;
  CHECK(RunCommand(std::string(FOLIO_BIN) + " verify --json --data " + data, &out) == 0);
  CHECK(ParseObject(out).at("ok").as_bool());
}

// The outcome without "replayed": what a retry must give back unchanged.
boost::json::object WithoutReplayed(boost::json::object o) {
  o.erase("replayed");
  return o;
}

TEST_CASE("folio exec runs the scripted history with the expected outcomes") {
  const std::vector<std::string> script = FileLines(kHistory);
  const std::vector<std::string> expected = FileLines(kExpected);
  REQUIRE(script.size() == expected.size());
  REQUIRE(script.size() >= 50);
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const std::vector<boost::json::object> got = Exec(data, kHistory);
  REQUIRE(got.size() == script.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const boost::json::object want = ParseObject(expected[i]);
    INFO("line " << i + 1 << ": " << script[i] << "\n  got " << boost::json::serialize(got[i]));
    CHECK(want.at("line").as_int64() == static_cast<std::int64_t>(i + 1));
    CHECK(got[i].at("ok").as_bool() == want.at("ok").as_bool());
    if (want.at("ok").as_bool()) {
      CHECK(got[i].at("seqs").as_array().size() ==
            static_cast<std::size_t>(want.at("events").as_int64()));
    } else {
      CHECK(got[i].at("code").as_string() == want.at("code").as_string());
    }
    const bool replayed = want.contains("replayed") && want.at("replayed").as_bool();
    CHECK(got[i].at("replayed").as_bool() == replayed);
  }
  Verify(data);

  {  // A restart in the middle changes no outcome.
    const std::size_t half = script.size() / 2;
    const std::string first_half = (dir.path() / "first_half.jsonl").string();
    {
      std::ofstream f(first_half);
      for (std::size_t i = 0; i < half; ++i) f << script[i] << "\n";
    }
    const std::string data2 = (dir.path() / "data2").string();
    const std::vector<boost::json::object> part = Exec(data2, first_half);
    REQUIRE(part.size() == half);
    for (std::size_t i = 0; i < half; ++i) {
      INFO("first half, line " << i + 1);
      CHECK(part[i] == got[i]);
    }
    // "Restart": a new process over the same data dir runs the whole file.
    const std::vector<boost::json::object> again = Exec(data2, kHistory);
    REQUIRE(again.size() == got.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      INFO("line " << i + 1 << ": " << script[i] << "\n  single run "
                   << boost::json::serialize(got[i]) << "\n  restarted "
                   << boost::json::serialize(again[i]));
      CHECK(WithoutReplayed(again[i]) == WithoutReplayed(got[i]));
      // The first half comes back from the idempotency records, rejections too.
      if (i < half) CHECK(again[i].at("replayed").as_bool());
      if (i >= half) CHECK(again[i].at("replayed") == got[i].at("replayed"));
    }
    Verify(data2);
  }
}

}  // namespace
}  // namespace folio
