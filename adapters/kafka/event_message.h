// How one log event becomes Kafka messages (docs/kafka.md).
//
//   folio.events      key   := stream_id
//                     value := the envelope bytes, exactly as in the log
//                     headers (CloudEvents Kafka binding, binary mode):
//                       ce_specversion "1.0"
//                       ce_id          the event id (UUID)
//                       ce_source      RelayOptions::ce_source ("/folio")
//                       ce_type        "folio." event type ("folio.PaymentSettled")
//                       ce_time        occurred_at, RFC 3339 UTC
//                       content-type   kEnvelopeContentType
//                     plus folio-seq (decimal) and folio-hash (64 hex digits)
//   payments.settled  key := payment id, value := IntegrationJson (settledAt)
//   payments.failed   key := payment id, value := IntegrationJson (failedAt)
//   refunds.succeeded key := refund id, value := IntegrationJson (refundedAt)
//   credits.issued    key := credit id, value := IntegrationJson (issuedAt)
//                     headers: folio-seq, folio-hash, content-type application/json
//
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/envelope.h"

namespace folio::kafka {

inline constexpr std::string_view kEnvelopeContentType =
    "application/vnd.folio.envelope+flatbuffers";
inline constexpr std::string_view kHeaderSeq = "folio-seq";
inline constexpr std::string_view kHeaderHash = "folio-hash";

struct Header {
  std::string_view name;
  std::string value;
};

// The CloudEvents headers plus folio-seq and folio-hash of `env`, in the
// order listed above (8 headers).
// REQUIRES: env verified (VerifyEnvelope).
void EventHeaders(const fb::Envelope& env, std::string_view ce_source, Header (&out)[8]);

// The payment fields the failed topic needs but PaymentFailed does not carry:
// taken from the payment's PaymentCreated event.
struct PaymentContext {
  std::string order_id, user_id, amount, currency, method;
};

// Which integration topic an event also goes to. The values after kNone
// index RelayOptions' integration topic names (kIntegrationKinds of them).
enum class IntegrationKind { kNone, kSettled, kFailed, kRefunded, kCredited };
inline constexpr int kIntegrationKinds = 4;
IntegrationKind IntegrationKindOf(const fb::Envelope& env);

// JSON for the integration topics; every message has requestId (the
// correlation id, else the idempotency key); amounts are decimal strings.
//   payments.settled / payments.failed: paymentId, orderId, userId, amount,
//     currency, method, settledAt or failedAt, reason. `created` fills what
//     PaymentFailed lacks (may be null).
//   refunds.succeeded: refundId, paymentId, userId, amount, currency, method,
//     target ("original_method" or "customer_credit"), gatewayRefundId,
//     refundedAt.
//   credits.issued: creditId, userId, amount, currency, expiresAt (null when
//     never), sourceRefundId (null unless a refund issued it), reason, issuedAt.
// REQUIRES: IntegrationKindOf(env) != kNone.
std::string IntegrationJson(const fb::Envelope& env, const PaymentContext* created);
// The message key: the payment, refund or credit id.
std::string_view IntegrationKey(const fb::Envelope& env);
// The context of a PaymentCreated event; nullopt for other types.
std::optional<PaymentContext> ContextOfCreated(const fb::Envelope& env);

// Parses a folio-seq header value; nullopt when malformed.
std::optional<std::uint64_t> ParseSeq(std::string_view text);

}  // namespace folio::kafka
