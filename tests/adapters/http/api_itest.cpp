// The HTTP API over a real socket: every endpoint's happy path, role
// boundaries, idempotent retries, and hostile input that must write nothing.
#include <doctest/doctest.h>

#include <thread>

#include "tests/adapters/http/http_harness.h"

namespace folio {
namespace {

using namespace folio::testing;

const char* kCreateBody =
    R"({"payment_id":"p1","customer_id":"c1","order_id":"o1","method":"alipay","amount":"100.00","currency":"CNY"})";

http::ClientResponse Must(Result<http::ClientResponse> r) {
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(*r);
}

TEST_CASE("payments: create, get, settle, refund, batch get, queries see them") {
  TestServer ts;
  auto c = ts.Client();
  auto r = Must(c.Send("POST", "/v1/payments", kCreateBody, Auth(kOperatorKey, "k-create")));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  auto created = JsonOf(r.body);
  CHECK(created.at("ok").as_bool());
  CHECK(created.at("first_seq").to_number<std::uint64_t>() == 1);
  CHECK(ts.Head() == 1);  // the 201 came after the event was durable

  r = Must(c.Send("GET", "/v1/payments/p1", "", Auth(kAuditorKey)));
  REQUIRE(r.status == 200);
  auto p = JsonOf(r.body);
  CHECK(p.at("status").as_string() == "created");
  CHECK(p.at("amount").as_string() == "100.00");

  r = Must(c.Send("POST", "/v1/payments/p1/settle", R"({"gateway_txn_id":"T1"})",
                  Auth(kOperatorKey, "k-settle")));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  r = Must(c.Send("POST", "/v1/refunds",
                  R"({"refund_id":"r1","payment_id":"p1","amount":"30.00","currency":"CNY"})",
                  Auth(kOperatorKey, "k-refund")));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  r = Must(c.Send("POST", "/v1/refunds/r1/succeed", "{}", Auth(kOperatorKey, "k-refund-ok")));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  r = Must(c.Send("GET", "/v1/refunds/r1", "", Auth(kAuditorKey)));
  CHECK(JsonOf(r.body).at("status").as_string() == "succeeded");
  r = Must(c.Send("GET", "/v1/payments/p1", "", Auth(kAuditorKey)));
  CHECK(JsonOf(r.body).at("refunded").as_string() == "30.00");

  r = Must(c.Send("GET", "/v1/payments?ids=p1,nope", "", Auth(kAuditorKey)));
  auto batch = JsonOf(r.body);
  CHECK(batch.at("payments").as_array().size() == 1);
  CHECK(batch.at("missing").as_array().at(0).as_string() == "nope");

  // Read your writes: min_seq makes the query wait for the projection.
  const std::string head = std::to_string(ts.Head());
  r = Must(c.Send("GET", "/v1/balances?account=clearing:alipay&asset=CNY&min_seq=" + head, "",
                  Auth(kAuditorKey)));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto bal = JsonOf(r.body);
  CHECK(bal.at("as_of_seq").to_number<std::uint64_t>() == ts.Head());
  // 100.00 in, 30.00 refunded out; the fee went to expense:fees:alipay.
  CHECK(bal.at("debits").as_string() == "100.00");
  r = Must(c.Send("GET", "/v1/trial-balance?min_seq=" + head, "", Auth(kAuditorKey)));
  CHECK(JsonOf(r.body).at("balanced").as_bool());
  r = Must(c.Send("GET", "/v1/balances?account=clearing:alipay&asset=CNY&as_of_seq=1", "",
                  Auth(kAuditorKey)));
  CHECK(JsonOf(r.body).at("debits").as_string() == "0.00");
  r = Must(c.Send("GET", "/v1/stats?min_seq=" + head, "", Auth(kAuditorKey)));
  CHECK(r.status == 200);
  CHECK(r.body.find("alipay") != std::string::npos);
  r = Must(c.Send("GET", "/v1/projections", "", Auth(kAuditorKey)));
  CHECK(JsonOf(r.body).at("projections").as_array().size() >= 3);
  r = Must(c.Send("GET", "/v1/verify", "", Auth(kAuditorKey)));
  auto v = JsonOf(r.body);
  CHECK(v.at("ok").as_bool());
  CHECK(v.at("head_seq").to_number<std::uint64_t>() == ts.Head());
}

TEST_CASE("every command route runs its command") {
  TestServer ts;
  auto c = ts.Client();
  struct Step {
    const char* method;
    const char* target;
    const char* body;
    const char* key;
    unsigned status;
  };
  const Step steps[] = {
      {"PUT", "/v1/methods/alipay",
       R"({"enabled":true,"rules":[{"currency":"CNY","fee":{"rate_bp":60}}]})", kAdminKey, 200},
      {"PUT", "/v1/customers/c1/preference", R"({"method":"wechat_pay"})", kOperatorKey, 200},
      {"POST", "/v1/payments", kCreateBody, kOperatorKey, 201},
      {"POST", "/v1/payments/p1/pending", R"({"gateway_trade_no":"G1","qr_payload":"https://qr"})",
       kOperatorKey, 200},
      {"POST", "/v1/payments/p1/settle", R"({"gateway_txn_id":"T1"})", kOperatorKey, 200},
      {"POST", "/v1/payments",
       R"({"payment_id":"p2","customer_id":"c1","order_id":"o2","method":"usdt_trc20","network":"TRC20","amount":"5.000000","currency":"USDT"})",
       kOperatorKey, 201},
      {"POST", "/v1/payments/p2/confirmations", R"({"tx_hash":"ab12","confirmations":1})",
       kOperatorKey, 200},
      {"POST", "/v1/payments/p2/cancel", R"({"reason":"customer left"})", kOperatorKey, 200},
      {"POST", "/v1/payments",
       R"({"payment_id":"p3","customer_id":"c1","order_id":"o3","method":"card","amount":"9.00","currency":"CNY"})",
       kOperatorKey, 201},
      {"POST", "/v1/payments/p3/fail", R"({"reason":"declined"})", kOperatorKey, 200},
      {"POST", "/v1/refunds",
       R"({"refund_id":"r1","payment_id":"p1","amount":"10.00","currency":"CNY"})", kOperatorKey,
       201},
      {"POST", "/v1/refunds/r1/fail", R"({"reason":"bank said no"})", kOperatorKey, 200},
      {"POST", "/v1/credits",
       R"({"credit_id":"cr1","customer_id":"c1","amount":"20.00","currency":"CNY"})", kOperatorKey,
       201},
      {"POST", "/v1/credits/cr1/apply",
       R"({"invoice_id":"i1","amount":"5.00","currency":"CNY","application_id":"a1"})",
       kOperatorKey, 200},
      {"POST", "/v1/credits/cr1/reverse", R"({"reason":"goodwill ended"})", kOperatorKey, 200},
      {"POST", "/v1/trust/deposits",
       R"({"deposit_id":"d1","client_id":"cl1","matter_id":"m1","amount":"500.00","currency":"CNY","method":"bank_transfer","reference":"B1","payer":"ACME","cleared":false})",
       kOperatorKey, 201},
      {"POST", "/v1/trust/deposits/d1/clear", R"({"client_id":"cl1","matter_id":"m1"})",
       kOperatorKey, 200},
      {"POST", "/v1/trust/disbursements",
       R"({"disbursement_id":"x1","client_id":"cl1","matter_id":"m1","amount":"50.00","currency":"CNY","payee":"Court","purpose":"filing fee"})",
       kOperatorKey, 201},
      {"POST", "/v1/trust/fee-transfers",
       R"({"transfer_id":"f1","client_id":"cl1","matter_id":"m1","amount":"100.00","currency":"CNY","invoice_id":"i9"})",
       kOperatorKey, 201},
      {"POST", "/v1/trust/client-refunds",
       R"({"refund_id":"tr1","client_id":"cl1","matter_id":"m1","amount":"10.00","currency":"CNY"})",
       kOperatorKey, 201},
  };
  int n = 0;
  for (const Step& s : steps) {
    CAPTURE(s.target);
    auto r = Must(c.Send(s.method, s.target, s.body, Auth(s.key, "step-" + std::to_string(++n))));
    CHECK_MESSAGE(r.status == s.status, r.body);
  }
  const std::string head = std::to_string(ts.Head());
  auto r =
      Must(c.Send("GET", "/v1/trust/ledger?client=cl1&min_seq=" + head, "", Auth(kAuditorKey)));
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.body.find("Court") != std::string::npos);
  r = Must(c.Send("GET", "/v1/trust/negative", "", Auth(kAuditorKey)));
  CHECK(r.status == 200);
  r = Must(c.Send("GET", "/v1/trust/general-ledger", "", Auth(kAuditorKey)));
  CHECK(r.status == 200);
  r = Must(c.Send("GET", "/v1/credits/cr1", "", Auth(kAuditorKey)));
  CHECK(JsonOf(r.body).at("status").as_string() == "reversed");
}

TEST_CASE("roles: auditor cannot write, operator cannot configure, unknown key refused") {
  TestServer ts;
  auto c = ts.Client();
  auto r = Must(c.Send("POST", "/v1/payments", kCreateBody, Auth(kAuditorKey, "a1")));
  CHECK(r.status == 403);
  CHECK(CodeOf(r) == "forbidden");
  r = Must(c.Send("PUT", "/v1/methods/alipay", R"({"enabled":false,"rules":[]})",
                  Auth(kOperatorKey, "a2")));
  CHECK(r.status == 403);
  r = Must(c.Send("POST", "/v1/payments", kCreateBody, Auth(kAdminKey, "a3")));
  CHECK(r.status == 403);
  r = Must(c.Send("POST", "/v1/payments", kCreateBody, Auth("not-a-key", "a4")));
  CHECK(r.status == 401);
  CHECK(CodeOf(r) == "unauthorized");
  r = Must(c.Send("GET", "/v1/payments/p1", "", {}));
  CHECK(r.status == 401);
  r = Must(
      c.Send("POST", "/v1/keys", R"({"name":"eve","role":"admin"})", Auth(kOperatorKey, "a5")));
  CHECK(r.status == 403);
  CHECK(ts.Head() == 0);

  // An admin creates a key; the new key works with its role and its name is the actor.
  r = Must(
      c.Send("POST", "/v1/keys", R"({"name":"dave","role":"operator"})", Auth(kAdminKey, "a6")));
  REQUIRE_MESSAGE(r.status == 201, r.body);
  std::string dave(JsonOf(r.body).at("key").as_string());
  r = Must(c.Send("POST", "/v1/payments", kCreateBody, Auth(dave.c_str(), "a7")));
  CHECK(r.status == 201);
  auto events = ts.store->ReadFrom(1, 1);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].env().actor()->str() == "dave");
}

TEST_CASE("idempotent retries: same key same body replays, different body conflicts") {
  TestServer ts;
  auto c = ts.Client();
  auto first = Must(c.Send("POST", "/v1/payments", kCreateBody, Auth(kOperatorKey, "same")));
  REQUIRE(first.status == 201);
  // Same request, keys in another order and spacing: the same request.
  auto again = Must(c.Send(
      "POST", "/v1/payments",
      R"({ "currency":"CNY", "amount":"100.00","method":"alipay","order_id":"o1","customer_id":"c1","payment_id":"p1" })",
      Auth(kOperatorKey, "same")));
  CHECK(again.status == 201);
  CHECK(again.Header("idempotent-replayed") == "true");
  CHECK(JsonOf(again.body).at("first_seq") == JsonOf(first.body).at("first_seq"));
  CHECK(ts.Head() == 1);
  auto other = Must(c.Send(
      "POST", "/v1/payments",
      R"({"payment_id":"p1","customer_id":"c1","order_id":"o1","method":"alipay","amount":"101.00","currency":"CNY"})",
      Auth(kOperatorKey, "same")));
  CHECK(other.status == 409);
  CHECK(CodeOf(other) == "idempotency_key_conflict");
  // A rejection is remembered too: the retry gets the same 422.
  const char* big_refund =
      R"({"refund_id":"r1","payment_id":"p1","amount":"1.00","currency":"CNY"})";
  auto rej = Must(c.Send("POST", "/v1/refunds", big_refund, Auth(kOperatorKey, "refund-1")));
  CHECK(rej.status == 422);
  auto rej2 = Must(c.Send("POST", "/v1/refunds", big_refund, Auth(kOperatorKey, "refund-1")));
  CHECK(rej2.status == 422);
  CHECK(CodeOf(rej2) == CodeOf(rej));
  CHECK(ts.Head() == 1);
}

TEST_CASE("hostile input gets a 4xx with its code and writes nothing") {
  http::ServerOptions so;
  so.body_limit = 64 * 1024;
  so.header_limit = 8 * 1024;
  so.read_timeout = std::chrono::milliseconds(500);
  TestServer ts(so);
  struct Case {
    const char* name;
    const char* target;
    std::string body;
    bool with_key;
    unsigned status;
    const char* code;
  };
  const std::string pay_prefix =
      R"({"payment_id":"p1","customer_id":"c1","order_id":"o1","method":"alipay",)";
  const Case cases[] = {
      {"malformed JSON", "/v1/payments", "{\"payment_id\":", true, 400, "invalid_json"},
      {"not an object", "/v1/payments", "[1,2]", true, 400, "invalid_json"},
      {"duplicate key", "/v1/payments",
       pay_prefix + R"("amount":"1.00","amount":"2.00","currency":"CNY"})", true, 400,
       "invalid_json"},
      {"wrong type", "/v1/payments",
       pay_prefix + R"("amount":"1.00","currency":"CNY","timeout_s":"ten"})", true, 400,
       "invalid_field"},
      {"float amount", "/v1/payments", pay_prefix + R"("amount":100.5,"currency":"CNY"})", true,
       400, "invalid_field"},
      {"negative amount", "/v1/payments", pay_prefix + R"("amount":"-5.00","currency":"CNY"})",
       true, 400, "amount_invalid"},
      {"too precise", "/v1/payments", pay_prefix + R"("amount":"1.001","currency":"CNY"})", true,
       400, "amount_precision"},
      {"unknown currency", "/v1/payments", pay_prefix + R"("amount":"1.00","currency":"XYZ"})",
       true, 400, "currency_unknown"},
      {"unknown method", "/v1/payments",
       R"({"payment_id":"p1","customer_id":"c1","order_id":"o1","method":"paypal","amount":"1.00","currency":"CNY"})",
       true, 400, "invalid_field"},
      {"unknown field", "/v1/payments",
       pay_prefix + R"("amount":"1.00","currency":"CNY","amout":"2"})", true, 400, "unknown_field"},
      {"type in body", "/v1/payments",
       pay_prefix + R"("amount":"1.00","currency":"CNY","type":"payment.create"})", true, 400,
       "unknown_field"},
      {"missing idempotency key", "/v1/payments", kCreateBody, false, 400,
       "idempotency_key_missing"},
      {"client clock", "/v1/payments",
       pay_prefix + R"("amount":"1.00","currency":"CNY","at":"2026-01-01T00:00:00Z"})", true, 400,
       "invalid_field"},
      {"id in body and path", "/v1/payments/p1/cancel", R"({"payment_id":"p2"})", true, 400,
       "invalid_json"},
      {"unknown route", "/v1/nothing", "{}", true, 404, "route_not_found"},
      {"oversized body", "/v1/payments", std::string(70 * 1024, 'x'), true, 413, "body_too_large"},
      {"deep nesting", "/v1/payments", std::string(40, '[') + std::string(40, ']'), true, 400,
       "invalid_json"},
  };
  for (const Case& k : cases) {
    CAPTURE(k.name);
    auto c = ts.Client();
    auto headers = Auth(kOperatorKey, k.with_key ? std::string("h-") + k.name : "");
    auto r = c.Send("POST", k.target, k.body, headers);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    CHECK(r->status == k.status);
    CHECK(CodeOf(*r) == k.code);
  }
  CHECK(ts.Head() == 0);

  SUBCASE("a body cut short by the client") {
    auto c = ts.Client();
    REQUIRE(
        c.SendRaw("POST /v1/payments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer op-secret-1\r\n"
                  "Idempotency-Key: t1\r\nContent-Length: 200\r\n\r\n{\"payment_id\":")
            .ok());
    c.ShutdownWrite();
    auto r = c.ReadResponse();
    REQUIRE(r.ok());
    CHECK(r->status == 400);
    CHECK(CodeOf(*r) == "request_truncated");
  }
  SUBCASE("a slow client is cut off with 408") {
    auto c = ts.Client();
    REQUIRE(c.SendRaw("POST /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Le").ok());
    auto r = c.ReadResponse();  // the server's timer, not ours, ends the wait
    REQUIRE(r.ok());
    CHECK(r->status == 408);
    CHECK(CodeOf(*r) == "request_timeout");
  }
  SUBCASE("oversized headers") {
    auto c = ts.Client();
    std::string req =
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
    REQUIRE(c.SendRaw(req).ok());
    auto r = c.ReadResponse();
    REQUIRE(r.ok());
    CHECK(r->status == 431);
  }
  SUBCASE("garbage instead of HTTP") {
    auto c = ts.Client();
    REQUIRE(c.SendRaw("\x16\x03\x01\x02\x00 hello\r\n\r\n").ok());
    auto r = c.ReadResponse();
    REQUIRE(r.ok());
    CHECK(r->status == 400);
    CHECK(CodeOf(*r) == "bad_request");
  }
  SUBCASE("malformed percent-escape in the path") {
    auto c = ts.Client();
    auto r = Must(c.Send("GET", "/v1/payments/%zz", "", Auth(kAuditorKey)));
    CHECK(r.status == 400);
  }
  CHECK(ts.Head() == 0);
}

TEST_CASE("health, readiness and metrics need no key, metrics count what happened") {
  TestServer ts;
  auto c = ts.Client();
  CHECK(Must(c.Send("GET", "/healthz")).status == 200);
  CHECK(Must(c.Send("GET", "/readyz")).status == 200);
  Must(c.Send("POST", "/v1/payments", kCreateBody, Auth(kOperatorKey, "m1")));
  Must(c.Send("POST", "/v1/payments", kCreateBody, Auth(kAuditorKey, "m2")));
  auto m = Must(c.Send("GET", "/metrics"));
  CHECK(m.status == 200);
  CHECK(m.Header("content-type").starts_with("text/plain"));
  CHECK(m.body.find(
            R"(folio_http_requests_total{method="POST",route="/v1/payments",status="201"} 1)") !=
        std::string::npos);
  CHECK(m.body.find(
            R"(folio_http_requests_total{method="POST",route="/v1/payments",status="403"} 1)") !=
        std::string::npos);
  CHECK(m.body.find(R"(folio_commands_total{type="payment.create",outcome="ok"} 1)") !=
        std::string::npos);
  CHECK(m.body.find("folio_log_head_seq 1") != std::string::npos);
  CHECK(m.body.find("folio_projection_lag_events{projection=\"balances\"}") != std::string::npos);
}

TEST_CASE("events: pages with next_seq, and a long poll answered by a new event") {
  TestServer ts;
  auto c = ts.Client();
  Must(c.Send("POST", "/v1/payments", kCreateBody, Auth(kOperatorKey, "e1")));
  auto r = Must(c.Send("GET", "/v1/events?from_seq=1&limit=10", "", Auth(kAuditorKey)));
  auto page = JsonOf(r.body);
  CHECK(page.at("events").as_array().size() == 1);
  CHECK(page.at("next_seq").to_number<std::uint64_t>() == 2);
  CHECK(Must(c.Send("GET", "/v1/events?limit=0", "", Auth(kAuditorKey))).status == 400);

  // A long poll from seq 2 waits; a payment created meanwhile answers it.
  std::thread poller([&] {
    auto pc = ts.Client();
    auto pr = pc.Send("GET", "/v1/events?from_seq=2&wait_ms=20000", "", Auth(kAuditorKey));
    REQUIRE(pr.ok());
    auto j = JsonOf(pr->body);
    CHECK(j.at("events").as_array().size() == 1);
    CHECK(j.at("next_seq").to_number<std::uint64_t>() == 3);
  });
  // Wait until the poll is registered: the request counter shows it arrived.
  while (ts.server->stats().requests < 4) std::this_thread::yield();
  auto r2 = Must(c.Send(
      "POST", "/v1/payments",
      R"({"payment_id":"p2","customer_id":"c1","order_id":"o2","method":"alipay","amount":"1.00","currency":"CNY"})",
      Auth(kOperatorKey, "e2")));
  CHECK(r2.status == 201);
  poller.join();
}

}  // namespace
}  // namespace folio
