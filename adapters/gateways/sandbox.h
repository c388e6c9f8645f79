// The sandbox gateway's message side: notifications signed exactly as Alipay,
// WeChat Pay, UnionPay, a chain watcher and the generic gateway sign them,
// with keys generated for the sandbox, and QR payloads shaped like real ones.
// No I/O: the caller sends OutgoingNotification over HTTP. Thread-safe
// (builders read the keys only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/gateways/alipay.h"
#include "adapters/gateways/hmac_notify.h"
#include "adapters/gateways/notification.h"
#include "adapters/gateways/unionpay.h"
#include "adapters/gateways/wechat.h"
#include "events/money.h"

namespace folio::gateways {

struct OutgoingNotification {
  std::string path;  // kAlipayNotifyPath, ...
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The sandbox's identities and keys. Private keys stay in the sandbox; the
// *Config() functions give what the server must be configured with.
struct SandboxKeys {
  std::string alipay_private_key_pem, alipay_public_key_pem;
  std::string alipay_app_id = "2021000100000001";

  std::string wechat_platform_private_key_pem, wechat_platform_public_key_pem;
  std::string wechat_platform_serial;  // 40 upper-case hex digits, like a certificate serial
  std::string wechat_apiv3_key;        // 32 characters
  std::string wechat_mchid = "1900000109";
  std::string wechat_appid = "wxd678efh567hg6787";

  std::string unionpay_private_key_pem, unionpay_public_key_pem;
  std::string unionpay_cert_id;  // decimal serial, like ACP's certId
  std::string unionpay_mer_id = "777290058110048";
  // The certificate of the UnionPay key, when the sandbox has a chain for it
  // (`folio sandbox`): notifications then carry it as signPubKeyCert.
  // Default (empty): they do not.
  std::string unionpay_signing_cert_pem;

  std::string hmac_secret;  // 32 random alphanumerics

  // Fresh RSA-2048 keys and random secrets (takes a few hundred ms).
  static SandboxKeys Generate();

  AlipayConfig alipay_config() const;
  WechatConfig wechat_config() const;
  UnionPayConfig unionpay_config() const;
  HmacConfig hmac_config() const;
};

// One payment as the sandbox gateway sees it. REQUIRES of the builders: the
// amount is CNY for Alipay (a yuan decimal) and fits 64 bits of minor units
// for WeChat Pay.
struct SandboxPayment {
  Gateway gateway = Gateway::kAlipay;
  std::string payment_id;      // our id: out_trade_no / orderId
  Money amount;                // CNY for Alipay, WeChat Pay and UnionPay
  std::string gateway_txn_id;  // trade_no / transaction_id / queryId / tx hash;
                               // Default (empty): derived from payment_id
  // Chain only, informative: "TRC20", "ERC20", "BEP20", "BTC", "ETH".
  std::string network = "ERC20";
};

// The gateway's transaction id for `p`: p.gateway_txn_id, or one derived
// deterministically from the payment id in the gateway's own shape.
std::string SandboxTxnId(const SandboxPayment& p);

// The gateway's id for our refund `refund_id`: WeChat Pay's refund_id,
// UnionPay's queryId of the refund; for Alipay (which records the trade
// number) the refund id itself. Deterministic, as the notifications use it.
std::string SandboxRefundId(Gateway g, std::string_view refund_id);

// A QR payload like the real ones, stable for a payment:
// "https://qr.alipay.com/bax0...", "weixin://wxpay/bizpayurl?pr=...",
// "https://qr.95516.com/00010000/...", a chain deposit URI, or a sandbox URL.
std::string SandboxQrPayload(const SandboxPayment& p);

// Alipay: trade_status WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_FINISHED, TRADE_CLOSED
// (or anything, for tests of unknown statuses).
OutgoingNotification BuildAlipayNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                       std::string_view trade_status, std::int64_t now_s);
// Alipay refund notification: trade_status TRADE_SUCCESS (partial) or
// TRADE_CLOSED (full), with out_biz_no = refund_id and refund_fee.
OutgoingNotification BuildAlipayRefundNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                             std::string_view refund_id, const Money& refund,
                                             bool full, std::int64_t now_s);

// Signs already-built Alipay parameters the way Alipay does (adds sign_type and
// sign, sorts nothing: the body keeps the given order). For tests of hostile input.
std::string SignAlipayForm(const SandboxKeys& keys,
                           std::vector<std::pair<std::string, std::string>> params);

// WeChat Pay: trade_state SUCCESS, REFUND, NOTPAY, CLOSED, REVOKED, USERPAYING,
// PAYERROR. event_type is TRANSACTION.SUCCESS for SUCCESS, TRANSACTION.<state>
// otherwise. The resource is encrypted with the APIv3 key (random 12-character
// nonce, associated_data "transaction"); the headers carry a random 32-character
// nonce, the timestamp now_s and the signature over "timestamp\nnonce\nbody\n".
OutgoingNotification BuildWechatNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                       std::string_view trade_state, std::int64_t now_s);
// WeChat Pay refund notification: refund_status SUCCESS, CLOSED or ABNORMAL
// (event_type REFUND.<status>); out_refund_no = refund_id.
OutgoingNotification BuildWechatRefundNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                             std::string_view refund_id, const Money& refund,
                                             std::string_view refund_status, std::int64_t now_s);
// The WeChat Pay request for an already-built plaintext resource (for tests of
// hostile resources): encrypts `resource_json`, wraps and signs it.
OutgoingNotification WechatNotifyFromResource(const SandboxKeys& keys, std::string_view event_type,
                                              std::string_view resource_json, std::int64_t now_s);

// Signs any body as WeChat Pay does (timestamp now_s, random nonce), for
// tests of hostile envelopes.
OutgoingNotification SignWechatBody(const SandboxKeys& keys, std::string body, std::int64_t now_s);

// UnionPay consume (txnType 01) with respCode "00" (success) or another code.
OutgoingNotification BuildUnionPayNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                         std::string_view resp_code, std::int64_t now_s);
// UnionPay refund (txnType 04) or consume cancellation (31): orderId = refund_id,
// origQryId = the payment's queryId.
OutgoingNotification BuildUnionPayRefundNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                               std::string_view txn_type,
                                               std::string_view refund_id, const Money& refund,
                                               std::string_view resp_code, std::int64_t now_s);
// Signs already-built ACP parameters (adds signMethod 01 and signature).
std::string SignUnionPayForm(const SandboxKeys& keys,
                             std::vector<std::pair<std::string, std::string>> params);

// Chain watcher: {"id","type":"confirmations","payment_id","tx_hash","network",
// "confirmations","block_height"}, HMAC-signed with a random nonce.
OutgoingNotification BuildChainNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                      std::uint32_t confirmations, std::uint64_t block_height,
                                      std::int64_t now_s);
// Signs any body with the HMAC scheme, for `path` (chain or generic endpoint).
OutgoingNotification SignHmacNotify(const SandboxKeys& keys, std::string_view path,
                                    std::string body, std::int64_t now_s);
// Generic gateway event `type` (payment.pending, payment.succeeded,
// payment.failed, payment.cancelled) for `p`, amount as a decimal string.
OutgoingNotification BuildGenericNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                        std::string_view type, std::int64_t now_s);

// Chain watcher: the transaction failed (reverted, dropped).
OutgoingNotification BuildChainFailedNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                            std::string_view reason, std::int64_t now_s);

// What the sandbox gateway reports about a payment.
enum class SandboxOutcome { kPending, kPaid, kFailed };

// Confirmations the sandbox chain reports for kPaid: more than any method requires.
inline constexpr std::uint32_t kSandboxChainConfirmations = 64;

// The notification p.gateway sends for `outcome`, or nullopt when that
// gateway sends none (UnionPay has no pending notification):
//   gateway     kPending         kPaid                 kFailed
//   Alipay      WAIT_BUYER_PAY   TRADE_SUCCESS         TRADE_CLOSED
//   WeChat Pay  USERPAYING       SUCCESS               PAYERROR
//   UnionPay    (none)           01, respCode 00       01, respCode 61
//   chain       1 confirmation   64 confirmations      failed
//   generic     payment.pending  payment.succeeded     payment.failed
// A duplicate delivery is another call: it gets a fresh nonce and timestamp
// (resending the same bytes to an HMAC endpoint is a replay and is refused).
std::optional<OutgoingNotification> BuildOutcomeNotify(const SandboxKeys& keys,
                                                       const SandboxPayment& p,
                                                       SandboxOutcome outcome, std::int64_t now_s);

}  // namespace folio::gateways
