// What a verified gateway notification means for the ledger.
//
// Each gateway parser (alipay.h, wechat.h, unionpay.h, hmac_notify.h) checks
// the sender's signature first, then parses and maps the gateway's status to
// at most one domain command. The exact schemes are in docs/gateways.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/domain/commands.h"

namespace folio::gateways {

enum class Gateway { kAlipay, kWechatPay, kUnionPay, kChain, kGeneric };

// "alipay", "wechatpay", "unionpay", "chain", "generic".
std::string_view GatewayName(Gateway gateway);

// Suggested endpoint paths; the sandbox sends its notifications there.
inline constexpr std::string_view kAlipayNotifyPath = "/v1/gateways/alipay/notify";
inline constexpr std::string_view kWechatNotifyPath = "/v1/gateways/wechatpay/notify";
inline constexpr std::string_view kUnionPayNotifyPath = "/v1/gateways/unionpay/notify";
inline constexpr std::string_view kChainNotifyPath = "/v1/gateways/chain/notify";
inline constexpr std::string_view kGenericNotifyPath = "/v1/gateways/generic/notify";

struct Notification {
  Gateway gateway = Gateway::kGeneric;
  // The idempotency key of the command: built from the gateway's transaction
  // (or refund, or notification) id and the outcome, never from the
  // notification's timestamp or nonce, so that every retry of the same fact
  // gets the same key and the same command, hence the same recorded outcome.
  // Examples: "alipay:settle:2026112222001", "wechatpay:refund:5030...:SUCCESS".
  // At most 200 bytes, no control characters (a valid idempotency key).
  std::string dedupe_key;
  // The gateway's own status word, for logs and metrics ("TRADE_SUCCESS",
  // "SUCCESS", "00", "confirmations").
  std::string gateway_status;
  // The command to run; nullopt = acknowledged, nothing to do (WAIT_BUYER_PAY,
  // NOTPAY, USERPAYING, ...). Reply success for those too.
  std::optional<domain::Command> command;
};

// The HTTP status to answer a parser error with: 401 for signature_invalid,
// signature_expired, signature_key_unknown; 403 gateway_merchant_mismatch;
// 409 notification_replayed; 500 gateway_config_invalid (our fault: the
// gateway should retry later); 400 for everything else (malformed, unknown
// status, amounts). Every one of them makes the gateway retry or alert.
int NotificationErrorHttpStatus(std::string_view code);

}  // namespace folio::gateways
