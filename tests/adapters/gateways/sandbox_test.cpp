// The sandbox gateway's message side: fresh keys, QR payloads shaped like the
// real ones, and every builder's output accepted by the matching parser with
// the configuration the sandbox hands out.
#include "adapters/gateways/sandbox.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "adapters/gateways/gateways.h"
#include "tests/adapters/gateways/gateway_test_support.h"

namespace folio::gateways {
namespace {

using testing::Keys;
using testing::kNow;

std::string Header(const OutgoingNotification& out, std::string_view name) {
  for (const auto& [k, v] : out.headers) {
    if (k == name) return v;
  }
  return std::string();
}

TEST_CASE("sandbox: generated keys are fresh, distinct and usable") {
  const SandboxKeys& a = Keys();
  const SandboxKeys& b = testing::OtherKeys();
  CHECK(a.alipay_private_key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  CHECK(a.alipay_public_key_pem.rfind("-----BEGIN PUBLIC KEY-----", 0) == 0);
  CHECK(a.alipay_public_key_pem != b.alipay_public_key_pem);
  CHECK(a.alipay_public_key_pem != a.wechat_platform_public_key_pem);
  CHECK(a.wechat_platform_public_key_pem != a.unionpay_public_key_pem);
  CHECK(a.wechat_apiv3_key.size() == 32);
  CHECK(a.wechat_apiv3_key != b.wechat_apiv3_key);
  CHECK(a.wechat_platform_serial.size() == 40);
  CHECK(a.hmac_secret.size() == 32);
  CHECK(a.hmac_secret != b.hmac_secret);
  CHECK(a.unionpay_cert_id.size() == 11);
}

TEST_CASE("sandbox: QR payloads look like the real ones and are stable per payment") {
  const Money cny(Asset::CNY, 100);
  const auto qr = [&](Gateway g, std::string id, Money m) {
    return SandboxQrPayload(SandboxPayment{g, std::move(id), m, ""});
  };
  CHECK(qr(Gateway::kAlipay, "p1", cny).rfind("https://qr.alipay.com/bax0", 0) == 0);
  CHECK(qr(Gateway::kWechatPay, "p1", cny).rfind("weixin://wxpay/bizpayurl?pr=", 0) == 0);
  CHECK(qr(Gateway::kUnionPay, "p1", cny).rfind("https://qr.95516.com/00010000/", 0) == 0);
  CHECK(qr(Gateway::kChain, "p1", Money(Asset::USDT, 1500000)).find("&uint256=1500000") !=
        std::string::npos);
  CHECK(qr(Gateway::kChain, "p1", Money(Asset::BTC, 150000000)).find("?amount=1.50000000") !=
        std::string::npos);
  CHECK(qr(Gateway::kAlipay, "p1", cny) == qr(Gateway::kAlipay, "p1", cny));
  CHECK(qr(Gateway::kAlipay, "p1", cny) != qr(Gateway::kAlipay, "p2", cny));
}

TEST_CASE("sandbox: derived transaction ids have the gateways' shapes") {
  const auto id = [](Gateway g) { return SandboxTxnId(SandboxPayment{g, "p1", Money(), ""}); };
  CHECK(id(Gateway::kAlipay).size() == 28);
  CHECK(id(Gateway::kWechatPay).size() == 28);
  CHECK(id(Gateway::kUnionPay).size() == 21);
  CHECK(id(Gateway::kChain).size() == 66);
  CHECK(SandboxTxnId(SandboxPayment{Gateway::kAlipay, "p1", Money(), "given"}) == "given");
}

TEST_CASE("sandbox: every builder's notification is accepted with the sandbox's configuration") {
  const SandboxKeys& k = Keys();
  const SandboxPayment alipay{Gateway::kAlipay, "pay-a", Money(Asset::CNY, 100), ""};
  const SandboxPayment wechat{Gateway::kWechatPay, "pay-w", Money(Asset::CNY, 100), ""};
  const SandboxPayment unionpay{Gateway::kUnionPay, "payu", Money(Asset::CNY, 100), ""};
  const SandboxPayment chain{Gateway::kChain, "pay-c", Money(Asset::USDT, 100), ""};
  const SandboxPayment generic{Gateway::kGeneric, "pay-g", Money(Asset::CNY, 100), ""};

  CHECK(
      ParseAlipayNotify(BuildAlipayNotify(k, alipay, "TRADE_SUCCESS", kNow).body, k.alipay_config())
          .ok());
  const OutgoingNotification w = BuildWechatNotify(k, wechat, "SUCCESS", kNow);
  CHECK(Header(w, "Wechatpay-Signature-Type") == "WECHATPAY2-SHA256-RSA2048");
  CHECK(Header(w, "Wechatpay-Nonce").size() == 32);
  CHECK(ParseWechatNotify({Header(w, "Wechatpay-Timestamp"), Header(w, "Wechatpay-Nonce"),
                           Header(w, "Wechatpay-Signature"), Header(w, "Wechatpay-Serial")},
                          w.body, k.wechat_config(), kNow)
            .ok());
  CHECK(ParseUnionPayNotify(BuildUnionPayNotify(k, unionpay, "00", kNow).body, k.unionpay_config())
            .ok());
  NonceCache nonces(100, 300);
  for (const OutgoingNotification& h :
       {BuildChainNotify(k, chain, 1, 1, kNow),
        BuildGenericNotify(k, generic, "payment.succeeded", kNow)}) {
    const HmacHeaders headers{Header(h, "X-Folio-Timestamp"), Header(h, "X-Folio-Nonce"),
                              Header(h, "X-Folio-Signature")};
    const bool is_chain = h.path == kChainNotifyPath;
    auto n = is_chain ? ParseChainNotify(headers, h.body, k.hmac_config(), nonces, kNow)
                      : ParseGenericNotify(headers, h.body, k.hmac_config(), nonces, kNow);
    INFO(n.status().ToString());
    CHECK(n.ok());
  }
}

TEST_CASE("sandbox: two deliveries of one fact differ on the wire but share the dedupe key") {
  const SandboxKeys& k = Keys();
  const SandboxPayment p{Gateway::kWechatPay, "pay-w", Money(Asset::CNY, 100), ""};
  const OutgoingNotification first = BuildWechatNotify(k, p, "SUCCESS", kNow);
  const OutgoingNotification second = BuildWechatNotify(k, p, "SUCCESS", kNow + 30);
  CHECK(Header(first, "Wechatpay-Nonce") != Header(second, "Wechatpay-Nonce"));
  CHECK(first.body != second.body);  // fresh GCM nonce
  const auto parse = [&](const OutgoingNotification& o, std::int64_t now) {
    return ParseWechatNotify({Header(o, "Wechatpay-Timestamp"), Header(o, "Wechatpay-Nonce"),
                              Header(o, "Wechatpay-Signature"), Header(o, "Wechatpay-Serial")},
                             o.body, k.wechat_config(), now);
  };
  auto a = parse(first, kNow + 30), b = parse(second, kNow + 30);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->dedupe_key == b->dedupe_key);
}

// Parses an outgoing notification with the parser of its path.
Result<Notification> ParseOutgoing(const OutgoingNotification& o, NonceCache& nonces) {
  const SandboxKeys& k = Keys();
  if (o.path == kAlipayNotifyPath) return ParseAlipayNotify(o.body, k.alipay_config());
  if (o.path == kUnionPayNotifyPath) return ParseUnionPayNotify(o.body, k.unionpay_config());
  if (o.path == kWechatNotifyPath) {
    return ParseWechatNotify({Header(o, "Wechatpay-Timestamp"), Header(o, "Wechatpay-Nonce"),
                              Header(o, "Wechatpay-Signature"), Header(o, "Wechatpay-Serial")},
                             o.body, k.wechat_config(), kNow);
  }
  const HmacHeaders h{Header(o, "X-Folio-Timestamp"), Header(o, "X-Folio-Nonce"),
                      Header(o, "X-Folio-Signature")};
  if (o.path == kChainNotifyPath) return ParseChainNotify(h, o.body, k.hmac_config(), nonces, kNow);
  return ParseGenericNotify(h, o.body, k.hmac_config(), nonces, kNow);
}

TEST_CASE("sandbox: outcomes map to the commands the ledger expects, for every gateway") {
  NonceCache nonces(1000, 300);
  const auto command_name = [&](Gateway g, SandboxOutcome outcome) -> std::string {
    const SandboxPayment p{g, "pay-1", Money(g == Gateway::kChain ? Asset::USDT : Asset::CNY, 500),
                           ""};
    const std::optional<OutgoingNotification> o = BuildOutcomeNotify(Keys(), p, outcome, kNow);
    if (!o) return "none sent";
    auto n = ParseOutgoing(*o, nonces);
    if (!n.ok()) return n.status().ToString();
    if (!n->command) return "nothing";
    return std::visit(
        [](const auto& c) -> std::string {
          using T = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<T, domain::PaymentSettle>) return "settle";
          if constexpr (std::is_same_v<T, domain::PaymentFail>) return "fail";
          if constexpr (std::is_same_v<T, domain::PaymentMarkPending>) return "mark_pending";
          if constexpr (std::is_same_v<T, domain::PaymentObserveConfirmations>) {
            return "observe " + std::to_string(c.confirmations);
          }
          return "other";
        },
        *n->command);
  };
  using O = SandboxOutcome;
  CHECK(command_name(Gateway::kAlipay, O::kPending) == "nothing");
  CHECK(command_name(Gateway::kAlipay, O::kPaid) == "settle");
  CHECK(command_name(Gateway::kAlipay, O::kFailed) == "fail");
  CHECK(command_name(Gateway::kWechatPay, O::kPending) == "nothing");
  CHECK(command_name(Gateway::kWechatPay, O::kPaid) == "settle");
  CHECK(command_name(Gateway::kWechatPay, O::kFailed) == "fail");
  CHECK(command_name(Gateway::kUnionPay, O::kPending) == "none sent");
  CHECK(command_name(Gateway::kUnionPay, O::kPaid) == "settle");
  CHECK(command_name(Gateway::kUnionPay, O::kFailed) == "fail");
  CHECK(command_name(Gateway::kChain, O::kPending) == "observe 1");
  CHECK(command_name(Gateway::kChain, O::kPaid) == "observe 64");
  CHECK(command_name(Gateway::kChain, O::kFailed) == "fail");
  CHECK(command_name(Gateway::kGeneric, O::kPending) == "mark_pending");
  CHECK(command_name(Gateway::kGeneric, O::kPaid) == "settle");
  CHECK(command_name(Gateway::kGeneric, O::kFailed) == "fail");
}

TEST_CASE("sandbox: a duplicate HMAC delivery is built again, not resent") {
  NonceCache nonces(1000, 300);
  const SandboxPayment p{Gateway::kChain, "pay-c", Money(Asset::USDT, 500), ""};
  const auto first = BuildOutcomeNotify(Keys(), p, SandboxOutcome::kPaid, kNow);
  const auto again = BuildOutcomeNotify(Keys(), p, SandboxOutcome::kPaid, kNow);
  REQUIRE(first.has_value());
  REQUIRE(again.has_value());
  auto a = ParseOutgoing(*first, nonces);
  REQUIRE(a.ok());
  CHECK(ParseOutgoing(*first, nonces).status().code() == "notification_replayed");
  auto b = ParseOutgoing(*again, nonces);
  REQUIRE(b.ok());
  CHECK(a->dedupe_key == b->dedupe_key);
}

TEST_CASE("HTTP status of parser errors") {
  CHECK(NotificationErrorHttpStatus("signature_invalid") == 401);
  CHECK(NotificationErrorHttpStatus("signature_expired") == 401);
  CHECK(NotificationErrorHttpStatus("signature_key_unknown") == 401);
  CHECK(NotificationErrorHttpStatus("gateway_merchant_mismatch") == 403);
  CHECK(NotificationErrorHttpStatus("notification_replayed") == 409);
  CHECK(NotificationErrorHttpStatus("gateway_config_invalid") == 500);
  CHECK(NotificationErrorHttpStatus("notification_malformed") == 400);
  CHECK(NotificationErrorHttpStatus("amount_precision") == 400);
}

TEST_CASE("gateway names") {
  CHECK(GatewayName(Gateway::kAlipay) == "alipay");
  CHECK(GatewayName(Gateway::kWechatPay) == "wechatpay");
  CHECK(GatewayName(Gateway::kUnionPay) == "unionpay");
  CHECK(GatewayName(Gateway::kChain) == "chain");
  CHECK(GatewayName(Gateway::kGeneric) == "generic");
}

}  // namespace
}  // namespace folio::gateways
