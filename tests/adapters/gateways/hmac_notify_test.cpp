// The HMAC scheme of the chain watcher and the generic gateway: the signed
// message, constant-time verification, the window, the nonce cache against
// replays (bounded, thread-safe), and the two body formats.
#include "adapters/gateways/hmac_notify.h"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "adapters/gateways/crypto.h"
#include "tests/adapters/gateways/gateway_test_support.h"

namespace folio::gateways {
namespace {

using testing::CodeOf;
using testing::Keys;
using testing::kNow;

SandboxPayment ChainPayment() {
  return SandboxPayment{Gateway::kChain, "pay-usdt-1", Money(Asset::USDT, 100000000), ""};
}

std::string Header(const OutgoingNotification& out, std::string_view name) {
  for (const auto& [k, v] : out.headers) {
    if (k == name) return v;
  }
  return std::string();
}

HmacHeaders HeadersOf(const OutgoingNotification& out) {
  return HmacHeaders{Header(out, kHmacTimestampHeader), Header(out, kHmacNonceHeader),
                     Header(out, kHmacSignatureHeader)};
}

template <typename T>
const T& CommandAs(const Result<Notification>& n) {
  INFO(n.status().ToString());
  REQUIRE(n.ok());
  REQUIRE(n->command.has_value());
  const T* c = std::get_if<T>(&*n->command);
  REQUIRE(c != nullptr);
  return *c;
}

TEST_CASE("hmac: the signed message is timestamp.nonce.body, hex HMAC-SHA256") {
  CHECK(HmacSignedMessage("1795309200", "n1", "{}") == "1795309200.n1.{}");
  CHECK(HmacSignature("secret", "1795309200", "n1", "{}") ==
        crypto::HexLower(crypto::HmacSha256("secret", "1795309200.n1.{}")));
}

TEST_CASE("chain: confirmations become PaymentObserveConfirmations") {
  NonceCache nonces(1000, 300);
  const OutgoingNotification out = BuildChainNotify(Keys(), ChainPayment(), 12, 19000000, kNow);
  CHECK(out.path == "/v1/gateways/chain/notify");
  auto n = ParseChainNotify(HeadersOf(out), out.body, Keys().hmac_config(), nonces, kNow);
  const auto& observe = CommandAs<domain::PaymentObserveConfirmations>(n);
  CHECK(observe.payment_id == "pay-usdt-1");
  CHECK(observe.tx_hash == SandboxTxnId(ChainPayment()));
  CHECK(observe.tx_hash.size() == 66);
  CHECK(observe.confirmations == 12);
  CHECK(observe.block_height == 19000000);
  CHECK(n->dedupe_key == "chain:" + observe.tx_hash + ":12");
  CHECK(n->gateway == Gateway::kChain);
}

TEST_CASE("chain: the same delivery twice is a replay, a fresh delivery of the same fact is not") {
  NonceCache nonces(1000, 300);
  const HmacConfig config = Keys().hmac_config();
  const OutgoingNotification out = BuildChainNotify(Keys(), ChainPayment(), 3, 100, kNow);
  REQUIRE(ParseChainNotify(HeadersOf(out), out.body, config, nonces, kNow).ok());
  CHECK(CodeOf(ParseChainNotify(HeadersOf(out), out.body, config, nonces, kNow + 1)) ==
        "notification_replayed");
  const OutgoingNotification again = BuildChainNotify(Keys(), ChainPayment(), 3, 100, kNow + 5);
  auto n = ParseChainNotify(HeadersOf(again), again.body, config, nonces, kNow + 5);
  REQUIRE(n.ok());
  CHECK(n->dedupe_key == "chain:" + SandboxTxnId(ChainPayment()) + ":3");  // idempotent downstream
}

TEST_CASE("hmac: window, signature and header failures") {
  NonceCache nonces(1000, 300);
  const HmacConfig config = Keys().hmac_config();
  const OutgoingNotification out = BuildChainNotify(Keys(), ChainPayment(), 3, 100, kNow);
  const auto parse = [&](const HmacHeaders& h, std::string_view body, std::int64_t now) {
    return CodeOf(ParseChainNotify(h, body, config, nonces, now));
  };
  CHECK(parse(HeadersOf(out), out.body, kNow + 301) == "signature_expired");
  CHECK(parse(HeadersOf(out), out.body, kNow - 301) == "signature_expired");
  const OutgoingNotification other =
      BuildChainNotify(testing::OtherKeys(), ChainPayment(), 3, 100, kNow);
  CHECK(parse(HeadersOf(other), other.body, kNow) == "signature_invalid");
  CHECK(parse(HeadersOf(out), out.body + " ", kNow) == "signature_invalid");
  CHECK(parse(HeadersOf(out), out.body.substr(0, out.body.size() - 1), kNow) ==
        "signature_invalid");
  HmacHeaders h = HeadersOf(out);
  h.nonce += "x";  // the nonce is signed: a fresh nonce cannot be put on a captured request
  CHECK(parse(h, out.body, kNow) == "signature_invalid");
  h = HeadersOf(out);
  h.timestamp = std::to_string(kNow + 1);
  CHECK(parse(h, out.body, kNow) == "signature_invalid");
  h = HeadersOf(out);
  h.signature = h.signature.substr(0, 63);
  CHECK(parse(h, out.body, kNow) == "signature_invalid");
  h.signature = std::string(64, 'g');
  CHECK(parse(h, out.body, kNow) == "signature_invalid");
  h = HeadersOf(out);
  for (char& c : h.signature) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(parse(h, out.body, kNow) == "ok");  // hex case does not matter
  h = HeadersOf(out);
  h.signature.clear();
  CHECK(parse(h, out.body, kNow) == "notification_malformed");
  h = HeadersOf(out);
  h.timestamp = "12.5";
  CHECK(parse(h, out.body, kNow) == "notification_malformed");
  h = HeadersOf(out);
  h.nonce = std::string(129, 'n');
  CHECK(parse(h, out.body, kNow) == "notification_malformed");
  h.nonce = "has space";
  CHECK(parse(h, out.body, kNow) == "notification_malformed");
  HmacConfig empty = config;
  empty.secret.clear();
  CHECK(CodeOf(ParseChainNotify(HeadersOf(out), out.body, empty, nonces, kNow)) ==
        "gateway_config_invalid");
}

TEST_CASE("hmac: a rejected signature does not consume the nonce") {
  NonceCache nonces(1000, 300);
  const OutgoingNotification out = BuildChainNotify(Keys(), ChainPayment(), 3, 100, kNow);
  HmacHeaders bad = HeadersOf(out);
  bad.signature = std::string(64, '0');
  CHECK(CodeOf(ParseChainNotify(bad, out.body, Keys().hmac_config(), nonces, kNow)) ==
        "signature_invalid");
  CHECK(nonces.size() == 0);
  CHECK(ParseChainNotify(HeadersOf(out), out.body, Keys().hmac_config(), nonces, kNow).ok());
}

Result<Notification> SignedChain(const std::string& body) {
  NonceCache nonces(10, 300);
  const OutgoingNotification out = SignHmacNotify(Keys(), kChainNotifyPath, body, kNow);
  return ParseChainNotify(HeadersOf(out), out.body, Keys().hmac_config(), nonces, kNow);
}

TEST_CASE("chain: body fields and types") {
  const std::string base = R"("id":"c1","payment_id":"p1","tx_hash":"0xabc")";
  CHECK(SignedChain("{" + base + R"(,"type":"confirmations","confirmations":1,"block_height":2})")
            .ok());
  auto failed = SignedChain("{" + base + R"(,"type":"failed","reason":"reverted"})");
  const auto& fail = CommandAs<domain::PaymentFail>(failed);
  CHECK(fail.reason == "reverted");
  CHECK(fail.gateway_code == "chain_failed");
  CHECK(failed->dedupe_key == "chain:failed:0xabc");
  CHECK(CodeOf(SignedChain("{" + base + R"(,"type":"reorg"})")) == "gateway_unknown_status");
  CHECK(CodeOf(SignedChain("{" + base +
                           R"(,"type":"confirmations","confirmations":-1,"block_height":2})")) ==
        "notification_malformed");
  CHECK(CodeOf(SignedChain("{" + base +
                           R"(,"type":"confirmations","confirmations":1.5,"block_height":2})")) ==
        "notification_malformed");
  CHECK(CodeOf(SignedChain(
            "{" + base +
            R"(,"type":"confirmations","confirmations":4294967296,"block_height":2})")) ==
        "notification_malformed");
  CHECK(CodeOf(SignedChain("{" + base + R"(,"type":"confirmations","block_height":2})")) ==
        "notification_malformed");
  CHECK(CodeOf(SignedChain(R"({"id":"c1","type":"failed","reason":"x","tx_hash":"0xabc"})")) ==
        "notification_malformed");
  CHECK(CodeOf(
            SignedChain(R"({"type":"failed","reason":"x","payment_id":"p1","tx_hash":"0xabc"})")) ==
        "notification_malformed");
  CHECK(CodeOf(SignedChain("{" + base + R"(,"type":"failed","reason":"x")")) ==
        "notification_malformed");
  CHECK(CodeOf(SignedChain("{" + base + R"(,"type":"failed","reason":"x","reason":"y"})")) ==
        "notification_malformed");
  CHECK(CodeOf(SignedChain("null")) == "notification_malformed");
}

Result<Notification> SignedGeneric(const std::string& body) {
  NonceCache nonces(10, 300);
  const OutgoingNotification out = SignHmacNotify(Keys(), kGenericNotifyPath, body, kNow);
  return ParseGenericNotify(HeadersOf(out), out.body, Keys().hmac_config(), nonces, kNow);
}

TEST_CASE("generic: every type maps to its command, keyed by the notification id") {
  const SandboxPayment p{Gateway::kGeneric, "pay-gen-1", Money(Asset::HKD, 12345), "gtx-1"};
  NonceCache nonces(100, 300);
  const auto parse = [&](std::string_view type) {
    const OutgoingNotification out = BuildGenericNotify(Keys(), p, type, kNow);
    return ParseGenericNotify(HeadersOf(out), out.body, Keys().hmac_config(), nonces, kNow);
  };
  auto settled = parse("payment.succeeded");
  const auto& settle = CommandAs<domain::PaymentSettle>(settled);
  CHECK(settle.amount == Money(Asset::HKD, 12345));
  CHECK(settle.gateway_txn_id == "gtx-1");
  CHECK(settled->dedupe_key.rfind("generic:evt_", 0) == 0);
  CHECK(CommandAs<domain::PaymentMarkPending>(parse("payment.pending")).qr_payload ==
        SandboxQrPayload(p));
  CHECK(CommandAs<domain::PaymentFail>(parse("payment.failed")).reason ==
        "declined by the sandbox");
  CHECK(CommandAs<domain::PaymentCancel>(parse("payment.cancelled")).payment_id == "pay-gen-1");
  CHECK(CodeOf(parse("payment.exploded")) == "gateway_unknown_status");

  auto refund = SignedGeneric(
      R"({"id":"e1","type":"refund.succeeded","refund_id":"r1","gateway_refund_id":"gr1"})");
  CHECK(CommandAs<domain::RefundSucceed>(refund).gateway_refund_id == "gr1");
  CHECK(refund->dedupe_key == "generic:e1");
  CHECK(CommandAs<domain::RefundFail>(
            SignedGeneric(R"({"id":"e2","type":"refund.failed","refund_id":"r1","reason":"no"})"))
            .reason == "no");
  CHECK(CodeOf(SignedGeneric(R"({"id":"e3","type":"refund.lost","refund_id":"r1"})")) ==
        "gateway_unknown_status");
}

TEST_CASE("generic: amounts are decimal strings in a known currency") {
  const auto code = [](std::string_view amount_json, std::string_view currency = "CNY") {
    return CodeOf(SignedGeneric(std::string(R"({"id":"e1","type":"payment.succeeded",)") +
                                R"("payment_id":"p1","gateway_txn_id":"g1","currency":")" +
                                std::string(currency) + R"(","amount":)" +
                                std::string(amount_json) + "}"));
  };
  CHECK(code(R"("12.34")") == "ok");
  CHECK(code("12.34") == "notification_malformed");  // a JSON number, not a string
  CHECK(code(R"("-12.34")") == "amount_invalid");
  CHECK(code(R"("12.345")") == "amount_precision");
  CHECK(code(R"("0")") == "amount_invalid");
  CHECK(code(R"("999999999999999999999999999999999999999")") == "amount_overflow");
  CHECK(code(R"("12.34")", "XYZ") == "currency_unknown");
  CHECK(code(R"("12.345678")", "USDT") == "ok");
  auto fee = SignedGeneric(
      R"({"id":"e1","type":"payment.succeeded","payment_id":"p1","gateway_txn_id":"g1","currency":"CNY","amount":"10.00","fee":"0.06"})");
  CHECK(CommandAs<domain::PaymentSettle>(fee).gateway_fee == Money(Asset::CNY, 6));
  CHECK(
      CodeOf(SignedGeneric(
          R"({"id":"e1","type":"payment.succeeded","payment_id":"p1","gateway_txn_id":"g1","currency":"CNY","amount":"10.00","fee":"0.061"})")) ==
      "amount_precision");
}

TEST_CASE("nonce cache: duplicates, window and floor") {
  NonceCache cache(3, 300);
  CHECK(cache.CheckAndInsert("a", kNow, kNow));
  CHECK_FALSE(cache.CheckAndInsert("a", kNow, kNow));
  CHECK_FALSE(cache.CheckAndInsert("a", kNow + 10, kNow + 10));  // same nonce, other timestamp
  CHECK_FALSE(cache.CheckAndInsert("old", kNow - 301, kNow));
  CHECK_FALSE(cache.CheckAndInsert("future", kNow + 301, kNow));
  CHECK(cache.CheckAndInsert("b", kNow + 1, kNow));
  CHECK(cache.CheckAndInsert("c", kNow + 2, kNow));
  CHECK(cache.size() == 3);
  // Full: the oldest ("a" at kNow) is forgotten, and kNow becomes the floor.
  CHECK(cache.CheckAndInsert("d", kNow + 3, kNow));
  CHECK(cache.size() == 3);
  CHECK_FALSE(cache.CheckAndInsert("a", kNow, kNow));  // forgotten but still refused
  CHECK_FALSE(cache.CheckAndInsert("e", kNow, kNow));  // at the floor: cannot prove it new
  // Entries leave once the window has passed them.
  CHECK(cache.CheckAndInsert("f", kNow + 400, kNow + 400));
  CHECK(cache.size() == 1);
  CHECK_FALSE(cache.CheckAndInsert("d", kNow + 3, kNow + 400));  // outside the window anyway
}

TEST_CASE("nonce cache: concurrent inserts of the same nonces accept each exactly once") {
  NonceCache cache(100000, 300);
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (cache.CheckAndInsert("n" + std::to_string(i), kNow, kNow)) accepted.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(accepted.load() == 2000);
  CHECK(cache.size() == 2000);
}

}  // namespace
}  // namespace folio::gateways
