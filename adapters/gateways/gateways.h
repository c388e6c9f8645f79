// Gateway notifications in one include: the parsers of Alipay, WeChat Pay,
// UnionPay and the HMAC scheme (chain watcher, generic gateway), their error
// codes, and the sandbox that builds correctly signed notifications.
// The schemes, mappings and replies are described in docs/gateways.md.
//
// How an endpoint uses a parser (the HTTP server owns the I/O):
//   1. Parse*(headers/body, config, ...) -> Notification or Status.
//      On error: reply with the gateway's failure reply and a 4xx; nothing is written.
//   2. If notification.command: run it with idempotency key = dedupe_key.
//      A repeat of the key returns the recorded outcome, so a gateway retry
//      gets the same reply. Domain rejections that mean "already done"
//      (payment_already_settled for a settle) are still a success reply.
//   3. Only after the command's events are durable: the success reply
//      (AlipayReply(true), WechatReply(true, ""), UnionPayReply(true), 200).
#pragma once

#include "adapters/gateways/alipay.h"         // IWYU pragma: export
#include "adapters/gateways/gateway_codes.h"  // IWYU pragma: export
#include "adapters/gateways/hmac_notify.h"    // IWYU pragma: export
#include "adapters/gateways/notification.h"   // IWYU pragma: export
#include "adapters/gateways/sandbox.h"        // IWYU pragma: export
#include "adapters/gateways/unionpay.h"       // IWYU pragma: export
#include "adapters/gateways/wechat.h"         // IWYU pragma: export
