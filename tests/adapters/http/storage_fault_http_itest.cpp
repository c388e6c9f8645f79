// Storage faults seen from HTTP (docs/reliability.md, "Storage faults"): the
// full stack over engine/fault_fs.h. While the writer has failed, commands
// and /readyz answer 503 store_failed with Retry-After; a full disk resumes by
// itself once space is freed, an I/O error waits for a restart.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>

#include "engine/fault_fs.h"
#include "events/codes.h"
#include "tests/adapters/http/http_harness.h"

namespace folio {
namespace {

using namespace folio::testing;
using namespace std::chrono_literals;

http::ClientResponse Must(Result<http::ClientResponse> r) {
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(*r);
}

std::string Payment(const std::string& id) {
  return R"({"payment_id":")" + id + R"(","customer_id":"c1","order_id":"o-)" + id +
         R"(","method":"alipay","amount":"100.00","currency":"CNY"})";
}

http::ClientResponse CreatePayment(http::HttpClient& c, const std::string& id) {
  return Must(c.Send("POST", "/v1/payments", Payment(id), Auth(kOperatorKey, "key-" + id)));
}

void CheckUnavailable(const http::ClientResponse& r) {
  CHECK_MESSAGE(r.status == 503, r.body);
  CHECK(CodeOf(r) == codes::kStoreFailed);
  CHECK(r.Header("retry-after") == "1");
}

struct FaultyServer {
  std::shared_ptr<FaultFs> fs = std::make_shared<FaultFs>(3);
  std::unique_ptr<TestServer> ts;
  FaultyServer() {
    LogStoreOptions lo;
    lo.file_system = fs;
    WriterOptions wo;
    wo.resume_interval = 1ms;
    wo.checkpoint_events_max = 1;  // a checkpoint after each command
    wo.checkpoint_interval = 10ms;
    ts = std::make_unique<TestServer>(http::ServerOptions{}, http::ApiOptions{}, lo, wo);
  }
  Writer& writer() { return *ts->engine.writer; }
};

TEST_CASE("storage fault over HTTP: a full disk answers 503 with Retry-After, then resumes") {
  FaultyServer fsv;
  auto c = fsv.ts->Client();
  REQUIRE(CreatePayment(c, "p1").status == 201);
  REQUIRE(Must(c.Send("GET", "/readyz")).status == 200);

  // The checkpoint of the next command meets the full disk.
  fsv.fs->Arm(Fault::kNoSpace, FaultRule{1, "checkpoint.tmp"});
  const unsigned p2 = CreatePayment(c, "p2").status;
  CHECK((p2 == 201 || p2 == 503));
  REQUIRE(PollUntil([&] { return fsv.writer().failed(); }, 30s));
  CheckUnavailable(CreatePayment(c, "p3"));
  auto ready = Must(c.Send("GET", "/readyz"));
  CheckUnavailable(ready);
  CHECK(ready.body.find("No space") != std::string::npos);
  CheckUnavailable(CreatePayment(c, "p3"));  // still full: the resume fails

  fsv.fs->Disarm(Fault::kNoSpace);  // space freed
  REQUIRE(PollUntil([&] { return CreatePayment(c, "p3").status == 201; }, 30s));
  CHECK(Must(c.Send("GET", "/readyz")).status == 200);
  CHECK(fsv.writer().stats().resumes == 1);
  const std::string metrics = Must(c.Send("GET", "/metrics")).body;
  CHECK(metrics.find("folio_writer_resumes_total 1") != std::string::npos);
  CHECK(metrics.find("folio_rocksdb_background_errors_total 0") != std::string::npos);
  auto again = CreatePayment(c, "p3");
  CHECK(again.status == 201);
  CHECK(again.Header("idempotent-replayed") == "true");
  CHECK(CreatePayment(c, "p2").status == 201);  // its outcome was unknown: now done, once
  CHECK(Must(c.Send("GET", "/v1/payments/p1", "", Auth(kAuditorKey))).status == 200);
}

TEST_CASE(
    "storage fault over HTTP: after an I/O error or a full log the server answers 503 until a "
    "restart") {
  for (Fault fault : {Fault::kWriteError, Fault::kNoSpace}) {
    const std::string name = FaultName(fault);
    CAPTURE(name);
    FaultyServer fsv;
    auto c = fsv.ts->Client();
    REQUIRE(CreatePayment(c, "p1").status == 201);
    fsv.fs->Arm(fault, FaultRule{1, ".log"});
    CheckUnavailable(CreatePayment(c, "p2"));
    fsv.fs->DisarmAll();
    // The disk works again, but the writer does not guess what reached it.
    CheckUnavailable(CreatePayment(c, "p3"));
    CheckUnavailable(Must(c.Send("GET", "/readyz")));
    CHECK(fsv.writer().stats().resumes == 0);
    const std::string metrics = Must(c.Send("GET", "/metrics")).body;
    CHECK(metrics.find("folio_writer_failed 1") != std::string::npos);
    CHECK(metrics.find("folio_rocksdb_background_errors_total 0") == std::string::npos);
    // Queries still answer from what is durable.
    CHECK(Must(c.Send("GET", "/v1/payments/p1", "", Auth(kAuditorKey))).status == 200);
  }
}

}  // namespace
}  // namespace folio
