// The command JSON format: the documented lines, every command type, the
// canonical form, HTTP bodies, rendering and docs/commands.md. Hostile input is
// in command_json_hostile_test.cpp, timestamps in rfc3339_test.cpp.
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
#include "tests/adapters/command_json_support.h"

namespace folio::json {
namespace {

namespace d = domain;
using testing::CodeOf;
using testing::Create;
using testing::MustParse;
using testing::MustParseAs;

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
  CHECK_FALSE(c.allow_closed);
  CheckRoundTrip(kLine);
}

TEST_CASE("payment.settle allow_closed: a bool, rendered only when true") {
  constexpr std::string_view kLine =
      R"({"type":"payment.settle","idempotency_key":"k","payment_id":"p1","gateway_txn_id":"g1","allow_closed":true})";
  CHECK(MustParseAs<d::PaymentSettle>(kLine).allow_closed);
  CheckRoundTrip(kLine);
  auto bad = ParseCommand(
      R"({"type":"payment.settle","idempotency_key":"k","payment_id":"p1","gateway_txn_id":"g1","allow_closed":"yes"})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("allow_closed") != std::string::npos);
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
  const std::filesystem::path doc =
      std::filesystem::path(FOLIO_SOURCE_DIR) / "docs" / "commands.md";
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

}  // namespace
}  // namespace folio::json
