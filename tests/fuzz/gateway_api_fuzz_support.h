// Shared by the outbound gateway codec targets (alipay_api, wechat_api,
// unionpay_api): the properties every parsed answer must have, whichever
// gateway it came from (adapters/gateways/gateway_api.h, poll_facts.h).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/gateway_api.h"
#include "adapters/gateways/gateway_codes.h"
#include "adapters/gateways/parse_support.h"
#include "adapters/gateways/poll_facts.h"
#include "tests/fuzz/fuzz_support.h"

namespace folio::fuzz {

// The merchant's own key pair (what signs Folio's requests), once per process.
inline const gateways::crypto::RsaKeyPair& MerchantKeys() {
  static const gateways::crypto::RsaKeyPair keys = gateways::crypto::GenerateRsa2048();
  return keys;
}

// An HTTP status for the answer, picked by one input byte: mostly the
// success statuses, then the errors the codecs map.
inline unsigned StatusOf(std::uint8_t b) {
  constexpr unsigned kStatuses[] = {200, 200, 200, 204, 400, 404, 403, 429, 500, 503, 302, 0};
  return kStatuses[b % (sizeof kStatuses / sizeof kStatuses[0])];
}

// The codes a codec's parser may return (gateway_api.h, gateway_codes.h).
inline void CheckCode(const Status& s, std::initializer_list<std::string_view> extra = {}) {
  FOLIO_FUZZ_CHECK(!s.ok());
  const std::string_view c = s.code();
  bool known = c == gateways::codes::kGatewayRefused || c == gateways::codes::kGatewayUnavailable ||
               c == gateways::codes::kGatewayResponseInvalid ||
               c == gateways::codes::kSignatureInvalid;
  for (std::string_view e : extra) known = known || c == e;
  if (!known) std::fprintf(stderr, "unexpected error %s\n", s.ToString().c_str());
  FOLIO_FUZZ_CHECK(known);
}

// What an id from an answer must be to become part of an event or an
// idempotency key (parse_support.h, the rule of domain ids).
inline bool IsId(std::string_view id) { return gateways::internal::CheckId("id", id).ok(); }

inline bool IsPositiveCny(const std::optional<Money>& m) {
  return m && m->asset() == Asset::CNY && !m->is_zero();
}

// A trade query answer: a paid (or refunded) trade names its transaction by
// a valid id and has an amount; the fact the poller records from it is a
// valid notification (the same one the gateway's notification would give).
inline void CheckTradeQuery(gateways::Gateway g, std::string_view payment_id,
                            const gateways::TradeQuery& q) {
  using gateways::TradeState;
  if (q.state == TradeState::kPaid) {
    FOLIO_FUZZ_CHECK(IsId(q.gateway_txn_id));
    FOLIO_FUZZ_CHECK(IsPositiveCny(q.amount));
  }
  if (!q.gateway_txn_id.empty()) FOLIO_FUZZ_CHECK(IsId(q.gateway_txn_id));
  if (q.amount) FOLIO_FUZZ_CHECK(IsPositiveCny(q.amount));
  if (q.state == TradeState::kNotFound) FOLIO_FUZZ_CHECK(!q.amount && q.gateway_txn_id.empty());
  Result<gateways::Notification> n = gateways::FactFromTradeQuery(g, payment_id, q);
  FOLIO_FUZZ_CHECK(n.ok());
  CheckNotification(*n);
}

// A refund answer: ids valid, an amount positive CNY, and the fact recorded
// from it (when it can be recorded) a valid notification.
inline void CheckRefund(gateways::Gateway g, std::string_view refund_id,
                        const gateways::RefundAnswer& a) {
  if (!a.gateway_refund_id.empty()) FOLIO_FUZZ_CHECK(IsId(a.gateway_refund_id));
  if (a.refunded) FOLIO_FUZZ_CHECK(IsPositiveCny(a.refunded));
  Result<gateways::Notification> n = gateways::FactFromRefund(g, refund_id, "trade-1", a);
  if (n.ok()) CheckNotification(*n);
}

inline void CheckCreated(const gateways::CreatedTrade& t) {
  FOLIO_FUZZ_CHECK(!t.qr_payload.empty());
}

inline void CheckBill(const gateways::BillLocation& b) {
  const std::string_view url = b.download_url;
  FOLIO_FUZZ_CHECK(url.starts_with("https://") || url.starts_with("http://"));
}

}  // namespace folio::fuzz
