// The command JSON format: the documented lines, every command type, hostile
// input (a table, in the order the checks run), the canonical form and
// RFC 3339 timestamps. Expected nanosecond values are computed independently
// (GNU date), not by the code under test.
#include "adapters/json/command_json.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/json/json_codes.h"
#include "adapters/json/rfc3339.h"

namespace folio::json {
namespace {

namespace d = domain;

std::string CodeOf(const Result<ParsedCommand>& r) {
  return r.ok() ? std::string("ok") : std::string(r.status().code());
}

ParsedCommand MustParse(std::string_view line) {
  Result<ParsedCommand> r = ParseCommand(line);
  INFO(line);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

template <typename T>
T MustParseAs(std::string_view line) {
  ParsedCommand p = MustParse(line);
  REQUIRE(std::holds_alternative<T>(p.command));
  return std::get<T>(p.command);
}

Money Cny(unsigned long long minor) { return Money(Asset::CNY, minor); }

// Parse -> render -> parse gives the same rendering: the writer and the reader agree.
void CheckRoundTrip(std::string_view line) {
  ParsedCommand p = MustParse(line);
  Result<std::string> rendered = RenderCommand(p);
  REQUIRE_MESSAGE(rendered.ok(), rendered.status().ToString());
  ParsedCommand again = MustParse(*rendered);
  Result<std::string> rendered_again = RenderCommand(again);
  REQUIRE(rendered_again.ok());
  CHECK(*rendered_again == *rendered);
  CHECK(again.canonical == MustParse(*rendered).canonical);
  CHECK(again.idempotency_key == p.idempotency_key);
  CHECK(again.at_ns == p.at_ns);
  CHECK(again.correlation_id == p.correlation_id);
  CHECK(CommandTypeName(again.command) == CommandTypeName(p.command));
}

// --- the lines of the issue, exactly as written ---

TEST_CASE("documented line: payment.create") {
  ParsedCommand p = MustParse(
      R"({"type":"payment.create","idempotency_key":"k1","payment_id":"p1","customer_id":"c1","order_id":"o1","method":"alipay","amount":"100.00","currency":"CNY"})");
  CHECK(p.idempotency_key == "k1");
  CHECK(!p.at_ns.has_value());
  CHECK(p.correlation_id.empty());
  CHECK(CommandTypeName(p.command) == "payment.create");
  const auto& c = std::get<d::PaymentCreate>(p.command);
  CHECK(c.payment_id == "p1");
  CHECK(c.customer_id == "c1");
  CHECK(c.order_id == "o1");
  CHECK(c.invoice_id.empty());
  CHECK(c.method == fb::Method::Alipay);
  CHECK(c.network.empty());
  CHECK(c.amount == Cny(10000));
  CHECK(c.destination == fb::Destination::Operating);
  CHECK(c.client_id.empty());
  CHECK(c.matter_id.empty());
  CHECK(!c.due_at_ns.has_value());
  CHECK(!c.timeout_s.has_value());
  CHECK(c.description.empty());
  CHECK(
      p.canonical ==
      R"({"amount":"100.00","currency":"CNY","customer_id":"c1","method":"alipay","order_id":"o1","payment_id":"p1","type":"payment.create"})");
}

TEST_CASE("documented line: payment.settle") {
  ParsedCommand p = MustParse(
      R"({"type":"payment.settle","idempotency_key":"k2","payment_id":"p1","gateway_txn_id":"2026112122001"})");
  CHECK(p.idempotency_key == "k2");
  const auto& c = std::get<d::PaymentSettle>(p.command);
  CHECK(c.payment_id == "p1");
  CHECK(c.gateway_txn_id == "2026112122001");
  CHECK(!c.amount.has_value());
  CHECK(!c.gateway_fee.has_value());
}

TEST_CASE("documented line: refund.request") {
  ParsedCommand p = MustParse(
      R"({"type":"refund.request","idempotency_key":"k3","refund_id":"r1","payment_id":"p1","amount":"60.00","currency":"CNY"})");
  CHECK(p.idempotency_key == "k3");
  const auto& c = std::get<d::RefundRequest>(p.command);
  CHECK(c.refund_id == "r1");
  CHECK(c.payment_id == "p1");
  CHECK(c.amount == Cny(6000));
  CHECK(c.target == fb::RefundTarget::OriginalMethod);
  CHECK(c.reason.empty());
  CHECK(c.credit_id.empty());
  CHECK(!c.credit_expires_at_ns.has_value());
}

TEST_CASE("documented line: trust.deposit") {
  ParsedCommand p = MustParse(
      R"({"type":"trust.deposit","idempotency_key":"k5","deposit_id":"t1","client_id":"cl1","matter_id":"m1","amount":"5000.00","currency":"CNY","method":"bank_transfer","reference":"BANK-1"})");
  CHECK(p.idempotency_key == "k5");
  const auto& c = std::get<d::TrustDeposit>(p.command);
  CHECK(c.deposit_id == "t1");
  CHECK(c.client_id == "cl1");
  CHECK(c.matter_id == "m1");
  CHECK(c.amount == Cny(500000));
  CHECK(c.method == fb::Method::BankTransfer);
  CHECK(c.reference == "BANK-1");
  CHECK(c.payer.empty());
  CHECK(c.cleared);
}

TEST_CASE("documented line: trust.disburse") {
  ParsedCommand p = MustParse(
      R"({"type":"trust.disburse","idempotency_key":"k6","disbursement_id":"d1","client_id":"cl1","matter_id":"m1","amount":"6000.00","currency":"CNY","payee":"Court","purpose":"filing fee"})");
  CHECK(p.idempotency_key == "k6");
  const auto& c = std::get<d::TrustDisburse>(p.command);
  CHECK(c.disbursement_id == "d1");
  CHECK(c.client_id == "cl1");
  CHECK(c.matter_id == "m1");
  CHECK(c.amount == Cny(600000));
  CHECK(c.payee == "Court");
  CHECK(c.purpose == "filing fee");
  CHECK(c.reference.empty());
}

// --- every command type, every field set ---

// 2026-11-21T10:00:00Z = `date -u -d 2026-11-21T10:00:00Z +%s` = 1795255200
constexpr std::int64_t k20261121T10 = 1795255200LL * 1'000'000'000;

TEST_CASE("payment.create with every field") {
  constexpr std::string_view kLine =
      R"({"type":"payment.create","idempotency_key":"k","at":"2026-11-21T18:00:00+08:00",)"
      R"("correlation_id":"corr-1","payment_id":"p9","customer_id":"c9","order_id":"o9",)"
      R"("invoice_id":"inv9","method":"usdt_trc20","network":"TRC20","amount":"12.345678",)"
      R"("currency":"USDT","destination":"trust","client_id":"cl9","matter_id":"m9",)"
      R"("due_at":"2026-11-21T10:00:00Z","timeout_s":900,"description":"retainer"})";
  ParsedCommand p = MustParse(kLine);
  CHECK(p.at_ns == k20261121T10);
  CHECK(p.correlation_id == "corr-1");
  const auto& c = std::get<d::PaymentCreate>(p.command);
  CHECK(c.invoice_id == "inv9");
  CHECK(c.method == fb::Method::UsdtTrc20);
  CHECK(c.network == "TRC20");
  CHECK(c.amount == Money(Asset::USDT, 12345678));
  CHECK(c.destination == fb::Destination::Trust);
  CHECK(c.client_id == "cl9");
  CHECK(c.matter_id == "m9");
  CHECK(c.due_at_ns == k20261121T10);
  CHECK(c.timeout_s == 900u);
  CHECK(c.description == "retainer");
  CheckRoundTrip(kLine);
}

TEST_CASE("payment.mark_pending") {
  constexpr std::string_view kLine =
      R"({"type":"payment.mark_pending","idempotency_key":"k","payment_id":"p1","gateway_trade_no":"T1","qr_payload":"https://qr.alipay.com/x"})";
  auto c = MustParseAs<d::PaymentMarkPending>(kLine);
  CHECK(c.payment_id == "p1");
  CHECK(c.gateway_trade_no == "T1");
  CHECK(c.qr_payload == "https://qr.alipay.com/x");
  CheckRoundTrip(kLine);
}

TEST_CASE("payment.observe_confirmations") {
  constexpr std::string_view kLine =
      R"({"type":"payment.observe_confirmations","idempotency_key":"k","payment_id":"p1","tx_hash":"0xabc","confirmations":4294967295,"block_height":18446744073709551615})";
  auto c = MustParseAs<d::PaymentObserveConfirmations>(kLine);
  CHECK(c.payment_id == "p1");
  CHECK(c.tx_hash == "0xabc");
  CHECK(c.confirmations == 4294967295u);
  CHECK(c.block_height == 18446744073709551615ull);
  CheckRoundTrip(kLine);
}

TEST_CASE("payment.settle with amount and gateway fee") {
  constexpr std::string_view kLine =
      R"({"type":"payment.settle","idempotency_key":"k","payment_id":"p1","gateway_txn_id":"g1","amount":"100.00","gateway_fee":"0.60","currency":"CNY"})";
  auto c = MustParseAs<d::PaymentSettle>(kLine);
  CHECK(c.amount == Cny(10000));
  CHECK(c.gateway_fee == Cny(60));
  CheckRoundTrip(kLine);
}

TEST_CASE("payment.fail and payment.cancel") {
  constexpr std::string_view kFail =
      R"({"type":"payment.fail","idempotency_key":"k","payment_id":"p1","reason":"declined","gateway_code":"ACQ.TRADE_HAS_CLOSE"})";
  auto f = MustParseAs<d::PaymentFail>(kFail);
  CHECK(f.payment_id == "p1");
  CHECK(f.reason == "declined");
  CHECK(f.gateway_code == "ACQ.TRADE_HAS_CLOSE");
  CheckRoundTrip(kFail);
  constexpr std::string_view kCancel =
      R"({"type":"payment.cancel","idempotency_key":"k","payment_id":"p1","reason":"customer asked"})";
  auto c = MustParseAs<d::PaymentCancel>(kCancel);
  CHECK(c.payment_id == "p1");
  CHECK(c.reason == "customer asked");
  CheckRoundTrip(kCancel);
}

TEST_CASE("refund.request to customer credit") {
  constexpr std::string_view kLine =
      R"({"type":"refund.request","idempotency_key":"k","refund_id":"r1","payment_id":"p1","amount":"0.01","currency":"CNY","target":"customer_credit","reason":"goodwill","credit_id":"cr1","credit_expires_at":"2026-11-21T10:00:00Z"})";
  auto c = MustParseAs<d::RefundRequest>(kLine);
  CHECK(c.amount == Cny(1));
  CHECK(c.target == fb::RefundTarget::CustomerCredit);
  CHECK(c.reason == "goodwill");
  CHECK(c.credit_id == "cr1");
  CHECK(c.credit_expires_at_ns == k20261121T10);
  CheckRoundTrip(kLine);
}

TEST_CASE("refund.succeed and refund.fail") {
  constexpr std::string_view kSucceed =
      R"({"type":"refund.succeed","idempotency_key":"k","refund_id":"r1","gateway_refund_id":"gr1"})";
  auto s = MustParseAs<d::RefundSucceed>(kSucceed);
  CHECK(s.refund_id == "r1");
  CHECK(s.gateway_refund_id == "gr1");
  CheckRoundTrip(kSucceed);
  constexpr std::string_view kFail =
      R"({"type":"refund.fail","idempotency_key":"k","refund_id":"r1","reason":"gateway error"})";
  auto f = MustParseAs<d::RefundFail>(kFail);
  CHECK(f.refund_id == "r1");
  CHECK(f.reason == "gateway error");
  CheckRoundTrip(kFail);
}

TEST_CASE("credit.issue, credit.apply, credit.reverse") {
  constexpr std::string_view kIssue =
      R"({"type":"credit.issue","idempotency_key":"k","credit_id":"cr1","customer_id":"c1","amount":"50.00","currency":"HKD","expires_at":"2027-01-01T00:00:00+08:00","reason":"promo"})";
  auto i = MustParseAs<d::CreditIssue>(kIssue);
  CHECK(i.credit_id == "cr1");
  CHECK(i.customer_id == "c1");
  CHECK(i.amount == Money(Asset::HKD, 5000));
  // `date -u -d 2026-12-31T16:00:00Z +%s` = 1798732800
  CHECK(i.expires_at_ns == 1798732800LL * 1'000'000'000);
  CHECK(i.reason == "promo");
  CheckRoundTrip(kIssue);

  constexpr std::string_view kApply =
      R"({"type":"credit.apply","idempotency_key":"k","credit_id":"cr1","invoice_id":"inv1","amount":"20","currency":"HKD","application_id":"a1"})";
  auto a = MustParseAs<d::CreditApply>(kApply);
  CHECK(a.credit_id == "cr1");
  CHECK(a.invoice_id == "inv1");
  CHECK(a.amount == Money(Asset::HKD, 2000));
  CHECK(a.application_id == "a1");
  CheckRoundTrip(kApply);

  constexpr std::string_view kReverse =
      R"({"type":"credit.reverse","idempotency_key":"k","credit_id":"cr1","reason":"issued by mistake"})";
  auto r = MustParseAs<d::CreditReverse>(kReverse);
  CHECK(r.credit_id == "cr1");
  CHECK(r.reason == "issued by mistake");
  CheckRoundTrip(kReverse);
}

TEST_CASE("method.configure with rules") {
  constexpr std::string_view kLine =
      R"({"type":"method.configure","idempotency_key":"k","method":"alipay","enabled":false,)"
      R"("rules":[{"currency":"CNY","min_amount":"0.01","max_amount":"50000.00",)"
      R"("daily_limit":"100000.00","monthly_limit":"1000000.00",)"
      R"("fee":{"rate_bp":60,"fixed":"0.10","min":"0.50","max":"25.00"}},{"currency":"USD"}],)"
      R"("confirmations_required":3,"payment_timeout_s":1800})";
  auto c = MustParseAs<d::MethodConfigure>(kLine);
  CHECK(c.method == fb::Method::Alipay);
  CHECK(!c.enabled);
  REQUIRE(c.rules.size() == 2);
  const d::AssetRulesSpec& cny = c.rules[0];
  CHECK(cny.asset == Asset::CNY);
  CHECK(cny.min_amount == Cny(1));
  CHECK(cny.max_amount == Cny(5000000));
  CHECK(cny.daily_limit == Cny(10000000));
  CHECK(cny.monthly_limit == Cny(100000000));
  CHECK(cny.fee.rate_bp == 60u);
  CHECK(cny.fee.fixed == Cny(10));
  CHECK(cny.fee.min == Cny(50));
  CHECK(cny.fee.max == Cny(2500));
  const d::AssetRulesSpec& usd = c.rules[1];
  CHECK(usd.asset == Asset::USD);
  CHECK(usd.min_amount == Money(Asset::USD, 0));
  CHECK(usd.max_amount == Money(Asset::USD, 0));
  CHECK(usd.fee.rate_bp == 0u);
  CHECK(usd.fee.max == Money(Asset::USD, 0));
  CHECK(c.confirmations_required == 3u);
  CHECK(c.payment_timeout_s == 1800u);
  CheckRoundTrip(kLine);

  auto defaults = MustParseAs<d::MethodConfigure>(
      R"({"type":"method.configure","idempotency_key":"k","method":"btc","rules":[]})");
  CHECK(defaults.enabled);
  CHECK(defaults.rules.empty());
  CHECK(!defaults.confirmations_required.has_value());
  CHECK(!defaults.payment_timeout_s.has_value());
}

TEST_CASE("customer.set_preference") {
  constexpr std::string_view kLine =
      R"({"type":"customer.set_preference","idempotency_key":"k","customer_id":"c1","method":"wechat_pay"})";
  auto c = MustParseAs<d::CustomerSetPreference>(kLine);
  CHECK(c.customer_id == "c1");
  CHECK(c.method == fb::Method::WechatPay);
  CheckRoundTrip(kLine);
}

TEST_CASE("trust.deposit with every field, trust.clear_deposit") {
  constexpr std::string_view kLine =
      R"({"type":"trust.deposit","idempotency_key":"k","deposit_id":"t1","client_id":"cl1","matter_id":"m1","amount":"1.5","currency":"EUR","method":"card","reference":"R","payer":"Acme Ltd","cleared":false})";
  auto c = MustParseAs<d::TrustDeposit>(kLine);
  CHECK(c.amount == Money(Asset::EUR, 150));
  CHECK(c.method == fb::Method::Card);
  CHECK(c.payer == "Acme Ltd");
  CHECK(!c.cleared);
  CheckRoundTrip(kLine);
  constexpr std::string_view kClear =
      R"({"type":"trust.clear_deposit","idempotency_key":"k","deposit_id":"t1","client_id":"cl1","matter_id":"m1"})";
  auto cl = MustParseAs<d::TrustClearDeposit>(kClear);
  CHECK(cl.deposit_id == "t1");
  CHECK(cl.client_id == "cl1");
  CHECK(cl.matter_id == "m1");
  CheckRoundTrip(kClear);
}

TEST_CASE("trust.disburse, trust.transfer_fees, trust.refund_client") {
  constexpr std::string_view kDisburse =
      R"({"type":"trust.disburse","idempotency_key":"k","disbursement_id":"d1","client_id":"cl1","matter_id":"m1","amount":"6000.00","currency":"CNY","payee":"Court","purpose":"filing fee","reference":"CHK-7"})";
  CHECK(MustParseAs<d::TrustDisburse>(kDisburse).reference == "CHK-7");
  CheckRoundTrip(kDisburse);
  constexpr std::string_view kFees =
      R"({"type":"trust.transfer_fees","idempotency_key":"k","transfer_id":"f1","client_id":"cl1","matter_id":"m1","amount":"300.00","currency":"CNY","invoice_id":"inv1"})";
  auto f = MustParseAs<d::TrustTransferFees>(kFees);
  CHECK(f.transfer_id == "f1");
  CHECK(f.client_id == "cl1");
  CHECK(f.matter_id == "m1");
  CHECK(f.amount == Cny(30000));
  CHECK(f.invoice_id == "inv1");
  CheckRoundTrip(kFees);
  constexpr std::string_view kRefund =
      R"({"type":"trust.refund_client","idempotency_key":"k","refund_id":"tr1","client_id":"cl1","matter_id":"m1","amount":"0.000001","currency":"USDT","reference":"wire back"})";
  auto r = MustParseAs<d::TrustRefundClient>(kRefund);
  CHECK(r.refund_id == "tr1");
  CHECK(r.amount == Money(Asset::USDT, 1));
  CHECK(r.reference == "wire back");
  CheckRoundTrip(kRefund);
}

TEST_CASE("clock.advance") {
  constexpr std::string_view kLine =
      R"({"type":"clock.advance","idempotency_key":"k","to":"2026-11-21T10:00:00.000000001Z"})";
  CHECK(MustParseAs<d::ClockAdvance>(kLine).to_ns == k20261121T10 + 1);
  CheckRoundTrip(kLine);
}

TEST_CASE("CommandTypeName covers every alternative, and every name parses back") {
  const std::vector<std::string_view> expected = {"payment.create",
                                                  "payment.mark_pending",
                                                  "payment.observe_confirmations",
                                                  "payment.settle",
                                                  "payment.fail",
                                                  "payment.cancel",
                                                  "refund.request",
                                                  "refund.succeed",
                                                  "refund.fail",
                                                  "credit.issue",
                                                  "credit.apply",
                                                  "credit.reverse",
                                                  "method.configure",
                                                  "customer.set_preference",
                                                  "trust.deposit",
                                                  "trust.clear_deposit",
                                                  "trust.disburse",
                                                  "trust.transfer_fees",
                                                  "trust.refund_client",
                                                  "clock.advance"};
  REQUIRE(expected.size() == std::variant_size_v<d::Command>);
  // Each name is accepted as a type: an empty body fails on a field, never on the type.
  for (std::string_view name : expected) {
    Result<ParsedCommand> r =
        ParseCommand(R"({"type":")" + std::string(name) + R"(","idempotency_key":"k"})");
    INFO(name);
    CHECK(CodeOf(r) == "missing_field");
  }
  CHECK(CommandTypeName(d::Command(d::PaymentCreate{})) == "payment.create");
  CHECK(CommandTypeName(d::Command(d::TrustRefundClient{})) == "trust.refund_client");
  CHECK(CommandTypeName(d::Command(d::ClockAdvance{})) == "clock.advance");
}

// --- hostile input ---

struct Hostile {
  std::string_view name;
  std::string json;
  std::string_view code;
};

const std::string kCreateHead =
    R"({"type":"payment.create","idempotency_key":"k1","payment_id":"p1","customer_id":"c1","order_id":"o1","method":"alipay",)";

std::string Create(std::string_view amount_and_rest) {
  return kCreateHead + std::string(amount_and_rest) + "}";
}

std::string Nested(std::size_t depth) {
  return R"({"type":"payment.cancel","idempotency_key":"k","payment_id":"p","reason":)" +
         std::string(depth, '[') + std::string(depth, ']') + "}";
}

TEST_CASE("hostile input: each gets its code, never a crash") {
  const std::string long_id(201, 'x');
  const std::string max_id(200, 'x');
  const std::vector<Hostile> table = {
      // invalid_json: size, syntax, encoding, duplicates, depth
      {"empty", "", "invalid_json"},
      {"not json", "payment.create", "invalid_json"},
      {"array", "[1,2]", "invalid_json"},
      {"string", R"("x")", "invalid_json"},
      {"trailing comma", Create(R"("amount":"1.00","currency":"CNY",)"), "invalid_json"},
      {"comment", Create(R"("amount":"1.00",/*x*/"currency":"CNY")"), "invalid_json"},
      {"two documents", Create(R"("amount":"1.00","currency":"CNY")") + "{}", "invalid_json"},
      {"invalid utf-8", Create("\"amount\":\"1.00\",\"currency\":\"CNY\",\"description\":\"\xff\""),
       "invalid_json"},
      {"overlong utf-8",
       Create("\"amount\":\"1.00\",\"currency\":\"CNY\",\"description\":\"\xc0\xaf\""),
       "invalid_json"},
      {"lone surrogate escape",
       Create(R"("amount":"1.00","currency":"CNY","description":"\ud800")"), "invalid_json"},
      {"duplicate key", Create(R"("amount":"1.00","currency":"CNY","amount":"999.00")"),
       "invalid_json"},
      {"duplicate type key",
       R"({"type":"payment.cancel","type":"payment.create","idempotency_key":"k","payment_id":"p"})",
       "invalid_json"},
      {"duplicate nested key",
       R"({"type":"method.configure","idempotency_key":"k","method":"card","rules":[{"currency":"CNY","currency":"USD"}]})",
       "invalid_json"},
      {"deep nesting", Nested(100), "invalid_json"},
      {"very deep nesting", Nested(100000), "invalid_json"},
      {"over 1 MiB",
       Create(R"("amount":"1.00","currency":"CNY","description":")" + std::string(1 << 20, 'a') +
              "\""),
       "invalid_json"},
      // type
      {"missing type", R"({"idempotency_key":"k"})", "missing_field"},
      {"type not a string", R"({"type":1,"idempotency_key":"k"})", "invalid_field"},
      {"unknown type", R"({"type":"payment.explode","idempotency_key":"k"})",
       "unknown_command_type"},
      {"type case", R"({"type":"Payment.Create","idempotency_key":"k"})", "unknown_command_type"},
      // unknown fields, reported before missing ones
      {"typo amout", Create(R"("amout":"1.00","currency":"CNY")"), "unknown_field"},
      {"field of another command", Create(R"("amount":"1.00","currency":"CNY","refund_id":"r")"),
       "unknown_field"},
      {"currency in a fee",
       R"({"type":"method.configure","idempotency_key":"k","method":"card","rules":[{"currency":"CNY","fee":{"currency":"CNY"}}]})",
       "unknown_field"},
      // envelope
      {"missing idempotency_key", R"({"type":"payment.cancel","payment_id":"p"})", "missing_field"},
      {"empty idempotency_key",
       R"({"type":"payment.cancel","idempotency_key":"","payment_id":"p"})", "invalid_field"},
      {"idempotency_key a number",
       R"({"type":"payment.cancel","idempotency_key":7,"payment_id":"p"})", "invalid_field"},
      {"at without zone",
       R"({"type":"payment.cancel","idempotency_key":"k","payment_id":"p","at":"2026-11-21T10:00:00"})",
       "invalid_field"},
      {"correlation_id with newline",
       R"({"type":"payment.cancel","idempotency_key":"k","payment_id":"p","correlation_id":"a\nb"})",
       "invalid_field"},
      // missing fields
      {"missing amount", Create(R"("currency":"CNY")"), "missing_field"},
      {"missing currency", Create(R"("amount":"1.00")"), "missing_field"},
      {"missing method",
       R"({"type":"payment.create","idempotency_key":"k1","payment_id":"p1","customer_id":"c1","order_id":"o1","amount":"1.00","currency":"CNY"})",
       "missing_field"},
      {"missing payee",
       R"({"type":"trust.disburse","idempotency_key":"k","disbursement_id":"d1","client_id":"cl1","matter_id":"m1","amount":"1.00","currency":"CNY","purpose":"x"})",
       "missing_field"},
      {"missing rules", R"({"type":"method.configure","idempotency_key":"k","method":"card"})",
       "missing_field"},
      {"missing rule currency",
       R"({"type":"method.configure","idempotency_key":"k","method":"card","rules":[{"min_amount":"1"}]})",
       "missing_field"},
      // amounts
      {"amount as integer number", Create(R"("amount":100,"currency":"CNY")"), "invalid_field"},
      {"amount as float number", Create(R"("amount":100.0,"currency":"CNY")"), "invalid_field"},
      {"amount as exponent number", Create(R"("amount":1e3,"currency":"CNY")"), "invalid_field"},
      {"amount as bool", Create(R"("amount":true,"currency":"CNY")"), "invalid_field"},
      {"amount null", Create(R"("amount":null,"currency":"CNY")"), "invalid_field"},
      {"negative amount", Create(R"("amount":"-1.00","currency":"CNY")"), "amount_invalid"},
      {"plus sign", Create(R"("amount":"+1.00","currency":"CNY")"), "amount_invalid"},
      {"exponent string", Create(R"("amount":"1e3","currency":"CNY")"), "amount_invalid"},
      {"float-looking .5", Create(R"("amount":".5","currency":"CNY")"), "amount_invalid"},
      {"trailing dot", Create(R"("amount":"5.","currency":"CNY")"), "amount_invalid"},
      {"spaces", Create(R"("amount":" 1.00","currency":"CNY")"), "amount_invalid"},
      {"empty amount", Create(R"("amount":"","currency":"CNY")"), "amount_invalid"},
      {"NaN", Create(R"("amount":"NaN","currency":"CNY")"), "amount_invalid"},
      {"too many digits", Create(R"("amount":")" + std::string(40, '9') + R"(","currency":"CNY")"),
       "amount_invalid"},
      {"huge amount string",
       Create(R"("amount":")" + std::string(100000, '9') + R"(","currency":"CNY")"),
       "amount_invalid"},
      {"precision", Create(R"("amount":"1.001","currency":"CNY")"), "amount_precision"},
      {"precision trailing zero", Create(R"("amount":"1.000","currency":"CNY")"),
       "amount_precision"},
      {"overflow", Create(R"("amount":"340282366920938463463374607431768211456","currency":"CNY")"),
       "amount_overflow"},
      {"unknown currency", Create(R"("amount":"1.00","currency":"XYZ")"), "currency_unknown"},
      {"lower-case currency", Create(R"("amount":"1.00","currency":"cny")"), "currency_unknown"},
      {"currency a number", Create(R"("amount":"1.00","currency":156)"), "invalid_field"},
      {"currency without amount",
       R"({"type":"payment.settle","idempotency_key":"k","payment_id":"p1","gateway_txn_id":"g","currency":"CNY"})",
       "invalid_field"},
      {"rule amount in the wrong precision",
       R"({"type":"method.configure","idempotency_key":"k","method":"card","rules":[{"currency":"USDT","fee":{"fixed":"0.0000001"}}]})",
       "amount_precision"},
      // enums
      {"unknown method",
       Create(R"("amount":"1.00","currency":"CNY")")
           .replace(kCreateHead.find("alipay"), 6, "paypal"),
       "invalid_field"},
      {"method case",
       Create(R"("amount":"1.00","currency":"CNY")")
           .replace(kCreateHead.find("alipay"), 6, "Alipay"),
       "invalid_field"},
      {"bad destination", Create(R"("amount":"1.00","currency":"CNY","destination":"savings")"),
       "invalid_field"},
      {"bad network", Create(R"("amount":"1.00","currency":"CNY","network":"SOL")"),
       "invalid_field"},
      {"bad refund target",
       R"({"type":"refund.request","idempotency_key":"k","refund_id":"r","payment_id":"p","amount":"1","currency":"CNY","target":"wallet"})",
       "invalid_field"},
      // ids and text
      {"id too long", Create(R"("amount":"1.00","currency":"CNY","invoice_id":")" + long_id + "\""),
       "invalid_field"},
      {"empty id", Create(R"("amount":"1.00","currency":"CNY","invoice_id":"")"), "invalid_field"},
      {"id with control char", Create(R"("amount":"1.00","currency":"CNY","invoice_id":"a\u0001")"),
       "invalid_field"},
      {"id with NUL", Create(R"("amount":"1.00","currency":"CNY","invoice_id":"a\u0000b")"),
       "invalid_field"},
      {"id with DEL", Create(R"("amount":"1.00","currency":"CNY","invoice_id":"a\u007f")"),
       "invalid_field"},
      {"id with C1 control", Create(R"("amount":"1.00","currency":"CNY","invoice_id":"a\u0085")"),
       "invalid_field"},
      {"id a number", Create(R"("amount":"1.00","currency":"CNY","invoice_id":42)"),
       "invalid_field"},
      {"id an object", Create(R"("amount":"1.00","currency":"CNY","invoice_id":{})"),
       "invalid_field"},
      {"text too long",
       Create(R"("amount":"1.00","currency":"CNY","description":")" + std::string(2049, 'd') +
              "\""),
       "invalid_field"},
      {"required text empty",
       R"({"type":"trust.disburse","idempotency_key":"k","disbursement_id":"d1","client_id":"cl1","matter_id":"m1","amount":"1.00","currency":"CNY","payee":"","purpose":"x"})",
       "invalid_field"},
      // integers and booleans
      {"uint32 overflow", Create(R"("amount":"1.00","currency":"CNY","timeout_s":4294967296)"),
       "invalid_field"},
      {"uint32 negative", Create(R"("amount":"1.00","currency":"CNY","timeout_s":-1)"),
       "invalid_field"},
      {"uint32 fraction", Create(R"("amount":"1.00","currency":"CNY","timeout_s":1.5)"),
       "invalid_field"},
      {"uint32 as 900.0", Create(R"("amount":"1.00","currency":"CNY","timeout_s":900.0)"),
       "invalid_field"},
      {"uint32 as string", Create(R"("amount":"1.00","currency":"CNY","timeout_s":"900")"),
       "invalid_field"},
      {"uint64 beyond range",
       R"({"type":"payment.observe_confirmations","idempotency_key":"k","payment_id":"p","tx_hash":"h","confirmations":1,"block_height":18446744073709551616})",
       "invalid_field"},
      {"bool as string",
       R"({"type":"method.configure","idempotency_key":"k","method":"card","enabled":"false","rules":[]})",
       "invalid_field"},
      {"bool as 0",
       R"({"type":"method.configure","idempotency_key":"k","method":"card","enabled":0,"rules":[]})",
       "invalid_field"},
      {"rules an object",
       R"({"type":"method.configure","idempotency_key":"k","method":"card","rules":{}})",
       "invalid_field"},
      {"rule a string",
       R"({"type":"method.configure","idempotency_key":"k","method":"card","rules":["CNY"]})",
       "invalid_field"},
      {"two rules for one currency",
       R"({"type":"method.configure","idempotency_key":"k","method":"card","rules":[{"currency":"CNY"},{"currency":"CNY"}]})",
       "invalid_field"},
      {"too many rules",
       R"({"type":"method.configure","idempotency_key":"k","method":"card","rules":[)" +
           [] {
             std::string s;
             for (int i = 0; i < 17; ++i) s += std::string(i ? "," : "") + R"({"currency":"CNY"})";
             return s;
           }() +
           "]}",
       "invalid_field"},
      // timestamps
      {"month 13", Create(R"("amount":"1.00","currency":"CNY","due_at":"2026-13-01T00:00:00Z")"),
       "invalid_field"},
      {"Feb 30", Create(R"("amount":"1.00","currency":"CNY","due_at":"2026-02-30T00:00:00Z")"),
       "invalid_field"},
      {"Feb 29 in a common year",
       Create(R"("amount":"1.00","currency":"CNY","due_at":"2026-02-29T00:00:00Z")"),
       "invalid_field"},
      {"missing zone", Create(R"("amount":"1.00","currency":"CNY","due_at":"2026-11-21T10:00:00")"),
       "invalid_field"},
      {"date only", Create(R"("amount":"1.00","currency":"CNY","due_at":"2026-11-21")"),
       "invalid_field"},
      {"time as number", Create(R"("amount":"1.00","currency":"CNY","due_at":1795255200)"),
       "invalid_field"},
      {"clock.advance without to", R"({"type":"clock.advance","idempotency_key":"k"})",
       "missing_field"},
      {"clock.advance with space",
       R"({"type":"clock.advance","idempotency_key":"k","to":"2026-11-21 10:00:00Z"})",
       "invalid_field"},
  };
  for (const Hostile& h : table) {
    Result<ParsedCommand> r = ParseCommand(h.json);
    INFO(h.name);
    INFO(r.status().ToString());
    CHECK(CodeOf(r) == h.code);
    if (!r.ok()) CHECK(!r.status().message().empty());
  }
}

TEST_CASE("an id of exactly 200 bytes and UTF-8 text are accepted") {
  const std::string max_id(200, 'x');
  auto c =
      MustParseAs<d::PaymentCreate>(Create(R"("amount":"1.00","currency":"CNY","invoice_id":")" +
                                           max_id + R"(","description":"发票 \u00e9 🙂")"));
  CHECK(c.invoice_id == max_id);
  CHECK(c.description == "发票 \xc3\xa9 🙂");
  // A nesting of depth 16 (the limit) is a syntax success and then a type error.
  CHECK(CodeOf(ParseCommand(Nested(kDepthMax - 1))) == "invalid_field");
  CHECK(CodeOf(ParseCommand(Nested(kDepthMax))) == "invalid_json");
}

TEST_CASE("messages name the field") {
  auto message = [](const std::string& json) { return ParseCommand(json).status().message(); };
  CHECK(message(Create(R"("amount":100,"currency":"CNY")")).find("amount") != std::string::npos);
  CHECK(message(Create(R"("amount":100,"currency":"CNY")")).find("decimal strings") !=
        std::string::npos);
  CHECK(message(Create(R"("amout":"1","currency":"CNY")")).find("\"amout\"") != std::string::npos);
  CHECK(message(Create(R"("amount":"1.00","currency":"CNY","amount":"2")")).find("\"amount\"") !=
        std::string::npos);
  CHECK(
      message(
          R"({"type":"method.configure","idempotency_key":"k","method":"card","rules":[{"currency":"CNY","fee":{"rate_bp":-1}}]})")
          .find("rules[0].fee.rate_bp") != std::string::npos);
}

TEST_CASE("truncated lines: every prefix is invalid_json, never a crash") {
  const std::vector<std::string> lines = {
      R"({"type":"payment.create","idempotency_key":"k1","payment_id":"p1","customer_id":"c1","order_id":"o1","method":"alipay","amount":"100.00","currency":"CNY"})",
      R"({"type":"method.configure","idempotency_key":"k","method":"alipay","rules":[{"currency":"CNY","fee":{"rate_bp":60,"fixed":"0.00"}}],"payment_timeout_s":900})",
      R"({"type":"payment.create","idempotency_key":"k","payment_id":"p","customer_id":"c","order_id":"o","method":"alipay","amount":"1","currency":"CNY","description":"发票 \u00e9"})",
  };
  for (const std::string& line : lines) {
    REQUIRE(ParseCommand(line).ok());
    for (std::size_t n = 0; n < line.size(); ++n) {
      Result<ParsedCommand> r = ParseCommand(std::string_view(line).substr(0, n));
      INFO(line.substr(0, n));
      CHECK(CodeOf(r) == "invalid_json");
    }
  }
}

TEST_CASE("flipped bytes never crash and never pass silently as a different command") {
  const std::string line =
      R"({"type":"payment.create","idempotency_key":"k1","payment_id":"p1","customer_id":"c1","order_id":"o1","method":"alipay","amount":"100.00","currency":"CNY"})";
  const ParsedCommand original = MustParse(line);
  int accepted = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    for (unsigned x : {0x01u, 0x20u, 0x80u}) {
      std::string mutated = line;
      mutated[i] = static_cast<char>(static_cast<unsigned char>(mutated[i]) ^ x);
      Result<ParsedCommand> r = ParseCommand(mutated);
      if (r.ok()) {
        ++accepted;
        // Accepted mutations changed a value: the fingerprint sees it, unless
        // the change was in the idempotency key (not part of the fingerprint).
        CHECK(
            (r->canonical != original.canonical || r->idempotency_key != original.idempotency_key));
      }
    }
  }
  CHECK(accepted > 0);
}

// --- canonical form ---

TEST_CASE("canonical form: independent of key order, whitespace and escapes") {
  std::vector<std::string> fields = {
      R"("type":"payment.create")", R"("idempotency_key":"k1")", R"("payment_id":"p1")",
      R"("customer_id":"c1")",      R"("order_id":"o1")",        R"("method":"alipay")",
      R"("amount":"100.00")",       R"("currency":"CNY")",
  };
  const std::string expected = MustParse("{" +
                                         [&] {
                                           std::string s;
                                           for (std::size_t i = 0; i < fields.size(); ++i)
                                             s += (i ? "," : "") + fields[i];
                                           return s;
                                         }() +
                                         "}")
                                   .canonical;
  std::sort(fields.begin(), fields.end());
  int permutations = 0;
  do {
    std::string s = "{ ";
    for (std::size_t i = 0; i < fields.size(); ++i) s += (i ? " ,\n" : "") + fields[i];
    s += " }";
    CHECK(MustParse(s).canonical == expected);
    ++permutations;
  } while (std::next_permutation(fields.begin(), fields.end()) && permutations < 2000);
  CHECK(permutations == 2000);

  // Escaped and plain spellings of a string are the same value.
  CHECK(MustParse(Create(R"("amount":"100.00","currency":"CNY")")).canonical ==
        MustParse(Create(R"("amount":"100.00","currency":"\u0043NY")")).canonical);
  // The envelope fields are not part of it.
  CHECK(
      MustParse(Create(R"("amount":"1.00","currency":"CNY")")).canonical ==
      MustParse(
          Create(
              R"("amount":"1.00","currency":"CNY","at":"2026-11-21T10:00:00Z","correlation_id":"x")"))
          .canonical);
  // Nested objects are sorted too.
  CHECK(
      MustParse(
          R"({"type":"method.configure","idempotency_key":"k","method":"card","rules":[{"fee":{"rate_bp":1,"fixed":"1.00"},"currency":"CNY"}]})")
          .canonical ==
      R"({"method":"card","rules":[{"currency":"CNY","fee":{"fixed":"1.00","rate_bp":1}}],"type":"method.configure"})");
}

TEST_CASE("canonical form: differs when any field changes") {
  const std::string base = Create(R"("amount":"100.00","currency":"CNY")");
  const std::string canonical = MustParse(base).canonical;
  const std::vector<std::pair<std::string, std::string>> changes = {
      {R"("payment_id":"p1")", R"("payment_id":"p2")"},
      {R"("customer_id":"c1")", R"("customer_id":"c2")"},
      {R"("order_id":"o1")", R"("order_id":"o2")"},
      {R"("method":"alipay")", R"("method":"card")"},
      {R"("amount":"100.00")", R"("amount":"100.01")"},
      {R"("amount":"100.00")", R"("amount":"100")"},  // same value, different request
      {R"("currency":"CNY")", R"("currency":"USD")"},
      {R"("currency":"CNY")", R"("currency":"CNY","description":"x")"},
      {R"("currency":"CNY")", R"("currency":"CNY","timeout_s":0)"},
  };
  for (const auto& [from, to] : changes) {
    std::string changed = base;
    changed.replace(changed.find(from), from.size(), to);
    INFO(changed);
    CHECK(MustParse(changed).canonical != canonical);
  }
  // A different type with the same fields differs.
  CHECK(
      MustParse(R"({"type":"payment.cancel","idempotency_key":"k","payment_id":"p"})").canonical !=
      MustParse(R"({"type":"payment.fail","idempotency_key":"k","payment_id":"p"})").canonical);
}

// --- HTTP bodies ---

TEST_CASE("ParseCommandBody: type implied, key from the header, same canonical form") {
  const std::string body =
      R"({"payment_id":"p1","customer_id":"c1","order_id":"o1","method":"alipay","amount":"100.00","currency":"CNY"})";
  Result<ParsedCommand> r = ParseCommandBody("payment.create", body, "hdr-key");
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->idempotency_key == "hdr-key");
  CHECK(std::get<d::PaymentCreate>(r->command).amount == Cny(10000));
  CHECK(
      r->canonical ==
      MustParse(
          R"({"type":"payment.create","idempotency_key":"k1","payment_id":"p1","customer_id":"c1","order_id":"o1","method":"alipay","amount":"100.00","currency":"CNY"})")
          .canonical);

  CHECK(CodeOf(ParseCommandBody("payment.create", body, "")) == "invalid_field");
  CHECK(CodeOf(ParseCommandBody("payment.create", body, std::string(201, 'k'))) == "invalid_field");
  CHECK(CodeOf(ParseCommandBody("payment.nope", body, "k")) == "unknown_command_type");
  CHECK(CodeOf(ParseCommandBody("payment.create", "{", "k")) == "invalid_json");
  std::string with_type = body;
  with_type.insert(1, R"("type":"payment.create",)");
  CHECK(CodeOf(ParseCommandBody("payment.create", with_type, "k")) == "unknown_field");
  std::string with_key = body;
  with_key.insert(1, R"("idempotency_key":"k",)");
  CHECK(CodeOf(ParseCommandBody("payment.create", with_key, "k")) == "unknown_field");
  CHECK(CodeOf(ParseCommandBody("payment.create", R"({"payment_id":"p1"})", "k")) ==
        "missing_field");
}

// --- rendering ---

TEST_CASE("RenderCommand: sorted keys, defaults left out, refuses what cannot be written") {
  ParsedCommand p = MustParse(
      R"({"type":"payment.create","idempotency_key":"k1","payment_id":"p1","customer_id":"c1","order_id":"o1","method":"alipay","amount":"100","currency":"CNY","destination":"operating","at":"2026-11-21T18:00:00+08:00"})");
  Result<std::string> s = RenderCommand(p);
  REQUIRE(s.ok());
  CHECK(
      *s ==
      R"({"amount":"100.00","at":"2026-11-21T10:00:00Z","currency":"CNY","customer_id":"c1","idempotency_key":"k1","method":"alipay","order_id":"o1","payment_id":"p1","type":"payment.create"})");

  ParsedCommand unregistered;
  unregistered.idempotency_key = "k";
  d::PaymentCreate create;
  create.payment_id = "p";
  create.method = fb::Method::Card;
  unregistered.command = create;  // amount of Asset::Unknown
  CHECK(RenderCommand(unregistered).status().code() == "currency_unknown");

  ParsedCommand mixed;
  mixed.idempotency_key = "k";
  d::PaymentSettle settle;
  settle.payment_id = "p";
  settle.amount = Cny(1);
  settle.gateway_fee = Money(Asset::USD, 1);
  mixed.command = settle;
  CHECK(RenderCommand(mixed).status().code() == "invalid_field");
}

// --- docs/commands.md ---

TEST_CASE("every example line of docs/commands.md parses, and every type has one") {
  // __FILE__ is absolute under CMake: tests/adapters/ -> the source root.
  const std::filesystem::path doc =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "docs" /
      "commands.md";
  std::ifstream in(doc);
  REQUIRE_MESSAGE(in.good(), doc.string());
  std::set<std::string, std::less<>> types;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("{\"type\"", 0) != 0) continue;
    ParsedCommand p = MustParse(line);
    types.insert(std::string(CommandTypeName(p.command)));
  }
  CHECK(types.size() == std::variant_size_v<d::Command>);
}

// --- RFC 3339 ---

struct TimeCase {
  std::string_view text;
  std::int64_t ns;
};

TEST_CASE("RFC 3339 to nanoseconds") {
  // Seconds from `date -u -d <instant> +%s`.
  const std::vector<TimeCase> table = {
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01T00:00:00.000000001Z", 1},
      {"1969-12-31T23:59:59.999999999Z", -1},
      {"1970-01-01T08:00:00+08:00", 0},
      {"1969-12-31T19:00:00-05:00", 0},
      {"2026-11-21T10:00:00Z", 1795255200LL * 1'000'000'000},
      {"2026-11-21T18:00:00+08:00", 1795255200LL * 1'000'000'000},
      {"2026-11-22T00:00:00+14:00", 1795255200LL * 1'000'000'000},
      {"2026-11-21T10:00:00-00:00", 1795255200LL * 1'000'000'000},
      {"2026-11-21t10:00:00z", 1795255200LL * 1'000'000'000},
      {"2026-11-21T10:00:00.5Z", 1795255200LL * 1'000'000'000 + 500'000'000},
      {"2026-11-21T10:00:00.123Z", 1795255200LL * 1'000'000'000 + 123'000'000},
      {"2026-11-21T10:00:00.123456789Z", 1795255200LL * 1'000'000'000 + 123'456'789},
      {"2026-11-21T18:00:00.000001+08:00", 1795255200LL * 1'000'000'000 + 1'000},
      // Leap years: 2024 (div by 4), 2000 (div by 400).
      {"2024-02-29T00:00:00Z", 1709164800LL * 1'000'000'000},
      {"2024-03-01T00:00:00Z", 1709251200LL * 1'000'000'000},
      {"2000-02-29T12:00:00Z", 951825600LL * 1'000'000'000},
      {"2028-02-29T23:59:59Z", 1835481599LL * 1'000'000'000},
      // Shanghai midnight is 16:00 UTC the day before.
      {"2027-01-01T00:00:00+08:00", 1798732800LL * 1'000'000'000},
      // The ends of the int64 range.
      {"2262-04-11T23:47:16.854775807Z", 9223372036854775807LL},
      {"1677-09-21T00:12:43.145224192Z", -9223372036854775807LL - 1},
  };
  for (const TimeCase& t : table) {
    INFO(t.text);
    Result<std::int64_t> ns = ParseRfc3339(t.text);
    REQUIRE_MESSAGE(ns.ok(), ns.status().ToString());
    CHECK(*ns == t.ns);
    CHECK(*ParseRfc3339(FormatRfc3339(*ns)) == t.ns);
  }
  CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(-1) == "1969-12-31T23:59:59.999999999Z");
  CHECK(FormatRfc3339(1795255200LL * 1'000'000'000 + 500'000'000) == "2026-11-21T10:00:00.5Z");
  CHECK(FormatRfc3339(1709164800LL * 1'000'000'000) == "2024-02-29T00:00:00Z");
  CHECK(FormatRfc3339(1'000) == "1970-01-01T00:00:00.000001Z");
  std::string out = "at ";
  AppendRfc3339(&out, 1795255200LL * 1'000'000'000 + 120'000'000);
  CHECK(out == "at 2026-11-21T10:00:00.12Z");
}

TEST_CASE("RFC 3339: malformed or impossible timestamps are rejected") {
  const std::vector<std::string_view> bad = {
      "",
      "2026-13-01T00:00:00Z",
      "2026-00-01T00:00:00Z",
      "2026-02-30T00:00:00Z",
      "2026-02-29T00:00:00Z",  // 2026 is not a leap year
      "1900-02-29T00:00:00Z",  // divisible by 100, not by 400
      "2026-04-31T00:00:00Z",
      "2026-11-00T00:00:00Z",
      "2026-11-21T24:00:00Z",
      "2026-11-21T10:60:00Z",
      "2026-12-31T23:59:60Z",  // leap second
      "2026-11-21T10:00:00",   // missing zone
      "2026-11-21 10:00:00Z",  // space
      "2026-11-21T10:00Z",     // no seconds
      "2026-11-21",
      "26-11-21T10:00:00Z",
      "2026-1-21T10:00:00Z",
      "2026-11-21T10:00:00.Z",
      "2026-11-21T10:00:00.1234567891Z",  // more than ns precision
      "2026-11-21T10:00:00+0800",
      "2026-11-21T10:00:00+08",
      "2026-11-21T10:00:00+24:00",
      "2026-11-21T10:00:00+08:60",
      "2026-11-21T10:00:00ZZ",
      "2026-11-21T10:00:00Z ",
      " 2026-11-21T10:00:00Z",
      "+2026-11-21T10:00:00Z",
      "2262-04-11T23:47:16.854775808Z",  // one ns past int64
      "1677-09-21T00:12:43.145224191Z",  // one ns before int64
      "9999-12-31T23:59:59Z",
      "0000-01-01T00:00:00Z",
      "2026-11-21T10:00:00\xef\xbc\xbaZ",
  };
  for (std::string_view text : bad) {
    INFO(text);
    Result<std::int64_t> ns = ParseRfc3339(text);
    CHECK(!ns.ok());
    if (!ns.ok()) CHECK(ns.status().code() == codes::kInvalidField);
  }
}

}  // namespace
}  // namespace folio::json
