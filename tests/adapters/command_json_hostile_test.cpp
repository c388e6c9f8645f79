// The command JSON format against hostile input: a table of bad lines, each
// with the code it must get (in the order the checks run), limits at their
// edges, every truncation and a sweep of flipped bytes. Never a crash.
#include "adapters/json/command_json.h"

#include <doctest/doctest.h>

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
using testing::kCreateHead;
using testing::MustParse;
using testing::MustParseAs;

// --- hostile input ---

struct Hostile {
  std::string_view name;
  std::string json;
  std::string_view code;
};

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

}  // namespace
}  // namespace folio::json
