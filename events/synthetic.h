// Synthetic payment events for benchmarks, load tests and demos: each
// payment's lifecycle as the writer would record it, PaymentCreated then
// PaymentSettled, so that raw appends of them apply to the ledger's state like
// real ones (a settlement needs its payment).
//
//   event n  ->  payment "<prefix><n / 2>" on stream "payment:<prefix><n / 2>":
//                n even: PaymentCreated (Alipay, CNY, customer cust-<(n/2) % 1000>)
//                n odd:  PaymentSettled (gateway txn, amount, fees)
//
// Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>

#include "events/envelope.h"

namespace folio {

struct SyntheticEventOptions {
  std::string id_prefix;  // keeps payments of different runs or threads apart
  // Pad envelopes to about this size (a longer description or transaction
  // id); 0: natural (~400 bytes).
  std::size_t pad_to = 0;
  // The request's identity, recorded in the envelope (EnvelopeMeta).
  std::string idempotency_key;
  std::string idempotency_scope;
  Hash32 request_fingerprint{};
};

std::string SyntheticPaymentStream(const std::string& id_prefix, std::uint64_t n);
std::string SyntheticPaymentEvent(std::uint64_t n, const SyntheticEventOptions& opts);

}  // namespace folio
