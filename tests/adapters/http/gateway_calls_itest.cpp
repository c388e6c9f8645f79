// Folio calls the gateways: trades are created at the sandbox (a QR payload
// recorded as payment.mark_pending), paid or failed as the sandbox decides,
// learned by notification or by the status poller, and refunded once each —
// over loopback, against the sandbox in-process and as the real
// `folio sandbox` process with its faults switched on.
#include <doctest/doctest.h>

#include <set>

#include "engine/verify.h"
#include "tests/adapters/http/gateway_calls_harness.h"

namespace folio {
namespace {

using namespace folio::testing;
using std::chrono::milliseconds;

const char* const kMethods[] = {"alipay", "wechat_pay", "unionpay"};

// UnionPay's orderId: 8 to 40 letters and digits, so every id here is one.
std::string PaymentId(int i) { return "PAY" + std::to_string(10000000 + i); }
std::string RefundId(int i) { return "REF" + std::to_string(10000000 + i); }

// Payments 0..n-1 by the first `methods` of kMethods in turn; with a time
// limit of `timeout_s` when given.
void CreatePayments(GatewayLedger& l, int n, int methods = 3, int timeout_s = 0) {
  auto c = l.Client();
  for (int i = 0; i < n; ++i) {
    boost::json::object body{{"payment_id", PaymentId(i)},
                             {"customer_id", "c-" + std::to_string(i % 17)},
                             {"order_id", "o-" + std::to_string(i)},
                             {"method", kMethods[i % methods]},
                             {"amount", std::to_string(10 + i % 50) + ".00"},
                             {"currency", "CNY"}};
    if (timeout_s > 0) body["timeout_s"] = timeout_s;
    auto r = c.Send("POST", "/v1/payments", boost::json::serialize(body),
                    Auth(kOperatorKey, "create-" + std::to_string(i)));
    REQUIRE(r.ok());
    REQUIRE_MESSAGE(r->status == 201, r->body);
  }
}

bool AllFinal(const GatewayLedger& l, int n) {
  for (int i = 0; i < n; ++i) {
    auto p = l.Payment(PaymentId(i));
    if (!p || !FinalPayment(p->status)) return false;
  }
  return true;
}

std::vector<int> RequestRefunds(GatewayLedger& l, int n, int every) {
  std::vector<int> refunded;
  auto c = l.Client();
  for (int i = 0; i < n; i += every) {
    auto p = l.Payment(PaymentId(i));
    if (!p || p->status != domain::PaymentStatus::kSettled) continue;
    boost::json::object body{{"refund_id", RefundId(i)},
                             {"payment_id", PaymentId(i)},
                             {"amount", p->amount.ToString()},
                             {"currency", "CNY"}};
    auto r = c.Send("POST", "/v1/refunds", boost::json::serialize(body),
                    Auth(kOperatorKey, "refund-" + std::to_string(i)));
    REQUIRE(r.ok());
    REQUIRE_MESSAGE(r->status == 201, r->body);
    refunded.push_back(i);
  }
  return refunded;
}

bool RefundsFinal(const GatewayLedger& l, const std::vector<int>& ids) {
  for (int i : ids) {
    auto r = l.Refund(RefundId(i));
    if (!r || r->status == domain::RefundStatus::kRequested) return false;
  }
  return true;
}

// Every payment once settled or failed, every refund once succeeded: the log
// holds each fact exactly once, however often it was notified or polled.
void CheckEachFactOnce(const GatewayLedger& l, int n, const std::vector<int>& refunded) {
  const auto events = l.EventsByStream();
  const std::set<int> refunded_set(refunded.begin(), refunded.end());
  for (int i = 0; i < n; ++i) {
    CAPTURE(PaymentId(i));
    auto it = events.find("payment:" + PaymentId(i));
    REQUIRE(it != events.end());
    const auto& types = it->second;
    auto count = [&](const char* t) {
      auto f = types.find(t);
      return f == types.end() ? 0 : f->second;
    };
    CHECK(count("PaymentCreated") == 1);
    CHECK(count("PaymentPendingAtGateway") <= 1);
    CHECK(count("PaymentSettled") + count("PaymentFailed") == 1);
    CHECK(count("RefundSucceeded") == (refunded_set.count(i) ? 1 : 0));
    CHECK(count("RefundFailed") == 0);
  }
  auto report = VerifyLog(*l.engine.store);
  REQUIRE(report.ok());
  CHECK_MESSAGE(report->ok, report->reason);
}

// The dispatcher polling every `every` (and first after `every`), looking
// for due polls every `tick`.
http::DispatcherOptions Polling(milliseconds every, milliseconds tick) {
  http::DispatcherOptions d;
  d.poll_after = every;
  d.poll_every = every;
  d.tick = tick;
  return d;
}

TEST_CASE("gateway calls: trades created, paid or failed as the sandbox decided, refunds once") {
  gateways::SandboxFaults f;
  f.fail_permille = 250;
  f.pay_after = milliseconds(50);
  f.notify_retry = milliseconds(20);
  InProcessSandbox sandbox(f);
  GatewayLedger l(sandbox.file, Polling(milliseconds(300), milliseconds(20)));
  const int n = 24;
  CreatePayments(l, n);
  REQUIRE(PollUntil([&] { return AllFinal(l, n); }, std::chrono::seconds(60)));

  // Each payment ended as the sandbox decided, with the sandbox's QR payload
  // recorded first.
  std::map<std::string, gateways::SandboxTrade> trades;
  for (const auto& t : sandbox->book().Trades()) trades[t.out_trade_no] = t;
  REQUIRE(trades.size() == static_cast<std::size_t>(n));
  int failed = 0;
  for (int i = 0; i < n; ++i) {
    CAPTURE(PaymentId(i));
    const auto p = l.Payment(PaymentId(i));
    const auto& t = trades.at(PaymentId(i));
    CHECK(p->status ==
          (t.will_fail ? domain::PaymentStatus::kFailed : domain::PaymentStatus::kSettled));
    if (t.will_fail) ++failed;
  }
  CHECK(failed > 0);
  CHECK(failed < n);
  CHECK(l.wiring.dispatcher->stats().created == static_cast<std::uint64_t>(n));

  const std::vector<int> refunded = RequestRefunds(l, n, 2);
  REQUIRE(!refunded.empty());
  const bool refunds_final =
      PollUntil([&] { return RefundsFinal(l, refunded); }, std::chrono::seconds(20));
  if (!refunds_final) {
    const auto ds = l.wiring.dispatcher->stats();
    MESSAGE("dispatcher: refunds_sent " << ds.refunds_sent << " refund_facts " << ds.refund_facts
                                        << " errors " << ds.errors << " dropped " << ds.dropped);
    for (const auto& smp : l.wiring.MetricSamples()) {
      if (smp.name == "folio_gateway_calls_total") {
        std::string labels;
        for (const auto& [k, v] : smp.labels) labels += k + "=" + v + " ";
        MESSAGE(labels << smp.value);
      }
    }
  }
  REQUIRE(refunds_final);
  for (int i : refunded) {
    CHECK(l.Refund(RefundId(i))->status == domain::RefundStatus::kSucceeded);
  }
  CHECK(sandbox->stats().book.refunds_made == refunded.size());
  CheckEachFactOnce(l, n, refunded);
}

TEST_CASE("gateway calls: a trade the notification never reports is settled by the poller") {
  gateways::SandboxFaults f;
  f.fail_permille = 0;
  f.pay_after = milliseconds(20);
  f.drop_notify_permille = 1000;  // every delivery lost
  f.notify_attempts_max = 1;      // and never retried
  InProcessSandbox sandbox(f);
  GatewayLedger l(sandbox.file, Polling(milliseconds(100), milliseconds(10)));
  const int n = 6;
  CreatePayments(l, n);
  REQUIRE(PollUntil([&] { return AllFinal(l, n); }, std::chrono::seconds(30)));
  for (int i = 0; i < n; ++i) {
    CHECK(l.Payment(PaymentId(i))->status == domain::PaymentStatus::kSettled);
  }
  CHECK(sandbox->stats().notifications == 0);
  // (A trade the poller asked about first is settled by the query itself
  // and never notified: dropped deliveries are at most one per trade.)
  CHECK(sandbox->stats().notify_dropped <= static_cast<std::uint64_t>(n));
  CHECK(l.wiring.dispatcher->stats().polled_facts == static_cast<std::uint64_t>(n));
  CheckEachFactOnce(l, n, {});
}

TEST_CASE("gateway calls: a notification that comes after the poll is a replay, not a fact") {
  gateways::SandboxFaults f;
  f.fail_permille = 300;
  f.pay_after = milliseconds(20);
  f.notify_delay = milliseconds(1500);  // the poller (after 100 ms) is first
  InProcessSandbox sandbox(f);
  GatewayLedger l(sandbox.file, Polling(milliseconds(100), milliseconds(10)));
  const int n = 9;
  CreatePayments(l, n);
  REQUIRE(PollUntil([&] { return AllFinal(l, n); }, std::chrono::seconds(30)));
  CHECK(sandbox->stats().notifications == 0);  // all settled by the poller
  CHECK(l.wiring.dispatcher->stats().polled_facts >= static_cast<std::uint64_t>(n));
  // Then every notification arrives, and each is acknowledged as done.
  REQUIRE(PollUntil(
      [&] {
        return sandbox->stats().notifications == static_cast<std::uint64_t>(n) &&
               sandbox->notifications_idle();
      },
      std::chrono::seconds(30)));
  CHECK(sandbox->stats().notify_gave_up == 0);
  CheckEachFactOnce(l, n, {});
}

TEST_CASE("gateway calls: answers signed with a wrong key are refused and record nothing") {
  gateways::SandboxFaults f;
  f.bad_sign_permille = 1000;     // every API answer
  f.drop_notify_permille = 1000;  // and no notification to settle by
  f.notify_attempts_max = 1;
  InProcessSandbox sandbox(f);
  GatewayLedger l(sandbox.file, Polling(milliseconds(50), milliseconds(10)));
  const int n = 6;
  CreatePayments(l, n);
  // Every creation and every later query fails verification.
  REQUIRE(PollUntil(
      [&] {
        const auto st = l.wiring.dispatcher->stats();
        return st.create_unknown == static_cast<std::uint64_t>(n) && st.errors >= 2u * n;
      },
      std::chrono::seconds(30)));
  for (int i = 0; i < n; ++i) {
    CHECK(l.Payment(PaymentId(i))->status == domain::PaymentStatus::kCreated);
  }
  for (const auto& entry : l.EventsByStream()) {
    const std::string& stream = entry.first;  // Clang 14 cannot capture a structured binding
    CAPTURE(stream);
    CHECK(entry.second.size() == 1);  // PaymentCreated only: nothing from the gateways
  }
  bool signature_refusals = false;
  for (const auto& smp : l.wiring.MetricSamples()) {
    for (const auto& [k, v] : smp.labels) {
      if (k == "outcome" && v.starts_with("signature_")) signature_refusals = smp.value > 0;
    }
  }
  CHECK(signature_refusals);
  CHECK(l.wiring.dispatcher->stats().created == 0);
}

TEST_CASE("gateway calls: what an earlier run left unfinished is followed again at start") {
  gateways::SandboxFaults f;
  f.fail_permille = 0;
  f.pay_after = milliseconds(20);
  InProcessSandbox sandbox(f);
  GatewayLedger l(sandbox.file, Polling(milliseconds(50), milliseconds(10)));
  // An earlier run recorded these payments and stopped before calling anyone.
  l.hook.store(nullptr);
  const int n = 6;
  CreatePayments(l, n);
  CHECK(sandbox->stats().book.trades == 0);
  l.hook.store(l.wiring.dispatcher.get());
  auto followed = l.wiring.dispatcher->Recover();
  REQUIRE(followed.ok());
  CHECK(*followed == static_cast<std::size_t>(n));
  REQUIRE(PollUntil([&] { return AllFinal(l, n); }, std::chrono::seconds(30)));
  for (int i = 0; i < n; ++i) {
    CHECK(l.Payment(PaymentId(i))->status == domain::PaymentStatus::kSettled);
  }
  CHECK(sandbox->stats().book.trades == static_cast<std::uint64_t>(n));
  // Nothing left: a second recovery follows nothing.
  CHECK(l.wiring.dispatcher->Recover().value() == 0);
  CheckEachFactOnce(l, n, {});
}

// Every payment paid after the ledger closed it (or past its expiry): the
// money recorded once, its refund "late<id>" requested with it, sent to the
// gateway once and recorded as succeeded.
bool LateRefundsDone(const GatewayLedger& l, int n) {
  for (int i = 0; i < n; ++i) {
    auto r = l.Refund(domain::LateRefundId(PaymentId(i)));
    if (!r || r->status != domain::RefundStatus::kSucceeded) return false;
  }
  return true;
}

void CheckPaidLateOnce(const GatewayLedger& l, const InProcessSandbox& sandbox, int n,
                       int expired_in_ledger) {
  const auto events = l.EventsByStream();
  int expired = 0;
  for (int i = 0; i < n; ++i) {
    CAPTURE(PaymentId(i));
    auto p = l.Payment(PaymentId(i));
    REQUIRE(p.has_value());
    CHECK(p->status == domain::PaymentStatus::kSettled);
    CHECK(p->refunded == p->amount);
    CHECK(p->held.is_zero());
    const auto& types = events.at("payment:" + PaymentId(i));
    auto count = [&](const char* t) {
      auto f = types.find(t);
      return f == types.end() ? 0 : f->second;
    };
    CHECK(count("PaymentSettled") == 1);
    CHECK(count("PaymentFailed") == 0);
    CHECK(count("RefundRequested") == 1);
    CHECK(count("RefundSucceeded") == 1);
    expired += count("PaymentExpired") + count("PaymentCancelled");
  }
  CHECK(expired == expired_in_ledger);
  // The gateway moved each refund once, however often it was asked.
  CHECK(sandbox->stats().book.refunds_made == static_cast<std::uint64_t>(n));
  CHECK(l.wiring.dispatcher->stats().late_refunds_sent >= static_cast<std::uint64_t>(n));
  auto report = VerifyLog(*l.engine.store);
  REQUIRE(report.ok());
  CHECK_MESSAGE(report->ok, report->reason);
}

TEST_CASE("gateway calls: a trade paid after its expiry is recorded and refunded by itself") {
  gateways::SandboxFaults f;
  f.fail_permille = 0;
  // Paid 2.5 s after the trade is created, 1 s after the payment: always
  // past its expiry. Alipay's and WeChat Pay's trades are closed at the
  // expiry and reported paid anyway; UnionPay has no close and is paid late.
  f.pay_after = milliseconds(2500);
  f.paid_after_close = true;
  InProcessSandbox sandbox(f);
  GatewayLedger l(sandbox.file, Polling(milliseconds(100), milliseconds(10)));
  const int n = 6;
  CreatePayments(l, n, 3, /*timeout_s=*/1);
  REQUIRE(PollUntil([&] { return LateRefundsDone(l, n); }, std::chrono::seconds(60)));
  CHECK(sandbox->stats().book.paid_after_close >= 1);
  CheckPaidLateOnce(l, sandbox, n, 0);
}

TEST_CASE("gateway calls: a trade paid after the clock expired or an operator cancelled it") {
  gateways::SandboxFaults f;
  f.fail_permille = 0;
  f.pay_after = std::chrono::minutes(10);  // paid only by the close (paid_after_close)
  f.paid_after_close = true;
  InProcessSandbox sandbox(f);
  GatewayLedger l(sandbox.file, Polling(milliseconds(100), milliseconds(10)));
  const int n = 4;
  CreatePayments(l, n, 2);  // Alipay and WeChat Pay: the gateways with a close
  REQUIRE(PollUntil(
      [&] {
        for (int i = 0; i < n; ++i) {
          if (l.Payment(PaymentId(i))->status != domain::PaymentStatus::kPending) return false;
        }
        return true;
      },
      std::chrono::seconds(30)));
  auto c = l.Client();
  // One cancelled by an operator, the rest expired by the clock (an hour on).
  auto cancelled = c.Send("POST", "/v1/payments/" + PaymentId(0) + "/cancel",
                          R"({"reason":"customer asked"})", Auth(kOperatorKey, "cancel-0"));
  REQUIRE(cancelled.ok());
  REQUIRE_MESSAGE(cancelled->status == 200, cancelled->body);
  const auto later = std::chrono::system_clock::now() + std::chrono::hours(3);
  const std::time_t t = std::chrono::system_clock::to_time_t(later);
  char to[32];
  std::strftime(to, sizeof to, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  auto advanced = c.Send("POST", "/v1/clock/advance", std::string(R"({"to":")") + to + "\"}",
                         Auth(kOperatorKey, "advance"));
  REQUIRE(advanced.ok());
  REQUIRE_MESSAGE(advanced->status == 200, advanced->body);
  REQUIRE(PollUntil([&] { return LateRefundsDone(l, n); }, std::chrono::seconds(60)));
  // Each trade was closed at the gateway after the ledger closed it, and
  // reported paid anyway.
  CHECK(sandbox->stats().book.paid_after_close == static_cast<std::uint64_t>(n));
  CHECK(l.wiring.dispatcher->stats().closed_at_expiry >= static_cast<std::uint64_t>(n));
  CheckPaidLateOnce(l, sandbox, n, n);
}

TEST_CASE("folio sandbox: bad flags are usage errors, --help explains the faults") {
  std::string out;
  CHECK(RunCommand(std::string(FOLIO_BIN) + " sandbox --error-permille 2000 2>&1", &out) == 2);
  CHECK(out.find("--error-permille must be 0..1000") != std::string::npos);
  CHECK(RunCommand(std::string(FOLIO_BIN) + " sandbox --listen nowhere 2>&1", &out) == 2);
  CHECK(RunCommand(std::string(FOLIO_BIN) + " sandbox --help", &out) == 0);
  for (const char* flag :
       {"--write-config", "--timeout-permille", "--bad-sign-permille", "--drop-permille",
        "--duplicate-permille", "--paid-after-close", "--bill-extra-row"}) {
    CHECK(out.find(flag) != std::string::npos);
  }
}

// The issue's run: the real sandbox process, 1,000 payments across the three
// gateways, 20% of notifications dropped, 10% duplicated, 10% of calls
// answered 5xx and 5% never answered.
TEST_CASE("gateway calls: 1000 payments through the sandbox process and its faults") {
  TempDir files;
  SandboxChild sandbox(files.str(), {"--fail-permille", "150", "--drop-permille", "200",
                                     "--duplicate-permille", "100", "--error-permille", "100",
                                     "--timeout-permille", "50", "--pay-after-ms", "200"});
  http::DispatcherOptions d;
  d.poll_after = milliseconds(2000);
  d.poll_every = milliseconds(1000);
  d.tick = milliseconds(50);
  d.workers = 4;
  GatewayLedger l(sandbox.config(), d, [](http::GatewayClientConfigs& c) {
    for (auto* e : {&c.alipay_endpoint, &c.wechat_endpoint, &c.unionpay_endpoint}) {
      e->transport.timeout = milliseconds(400);
      e->calls.retry.attempts_max = 4;
      e->calls.retry.base = milliseconds(20);
      e->calls.retry.cap = milliseconds(200);
      e->calls.breaker.failures_to_open = 50;
      e->calls.breaker.open_for = milliseconds(200);
    }
  });
  const int n = 1000;
  CreatePayments(l, n);
  REQUIRE(PollUntil([&] { return AllFinal(l, n); }, std::chrono::seconds(300)));

  auto c = l.Client();
  auto sc = http::HttpClient::Connect("127.0.0.1", sandbox.port());
  REQUIRE(sc.ok());
  auto trades = sc->Send("GET", "/sandbox/trades");
  REQUIRE(trades.ok());
  std::map<std::string, std::string> decided;
  const boost::json::object all = JsonOf(trades->body);
  for (const auto& t : all.at("trades").as_array()) {
    const auto& o = t.as_object();
    decided[std::string(o.at("out_trade_no").as_string())] =
        std::string(o.at("decided").as_string());
  }
  REQUIRE(decided.size() == static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    CAPTURE(PaymentId(i));
    CHECK(l.Payment(PaymentId(i))->status == (decided.at(PaymentId(i)) == "fail"
                                                  ? domain::PaymentStatus::kFailed
                                                  : domain::PaymentStatus::kSettled));
  }

  const std::vector<int> refunded = RequestRefunds(l, n, 5);
  REQUIRE(refunded.size() > 100);
  REQUIRE(PollUntil([&] { return RefundsFinal(l, refunded); }, std::chrono::seconds(300)));
  for (int i : refunded) {
    CHECK(l.Refund(RefundId(i))->status == domain::RefundStatus::kSucceeded);
  }
  auto stats = sc->Send("GET", "/sandbox/stats");
  REQUIRE(stats.ok());
  const auto st = JsonOf(stats->body);
  MESSAGE("sandbox: " << stats->body);
  CHECK(st.at("refunds_made").to_number<std::int64_t>() ==
        static_cast<std::int64_t>(refunded.size()));
  CHECK(st.at("injected_5xx").to_number<std::int64_t>() > 0);
  CHECK(st.at("injected_timeouts").to_number<std::int64_t>() > 0);
  CHECK(st.at("notify_dropped").to_number<std::int64_t>() > 0);
  CHECK(st.at("notify_duplicated").to_number<std::int64_t>() > 0);
  // Each trade refunded at most once at the sandbox, whatever was resent.
  trades = sc->Send("GET", "/sandbox/trades");
  const boost::json::object after = JsonOf(trades->body);
  for (const auto& t : after.at("trades").as_array()) {
    CHECK(t.as_object().at("refunds").as_array().size() <= 1);
  }
  CheckEachFactOnce(l, n, refunded);
}

}  // namespace
}  // namespace folio
