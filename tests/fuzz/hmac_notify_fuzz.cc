// HMAC-signed JSON notifications: the chain watcher and the generic gateway.
// Input: byte 0 bit 0 picks the endpoint, bit 1 signs the body (else the
// headers come first, one per line: timestamp, nonce, signature).
// Property: an accepted notification's dedupe key is a valid idempotency key,
// and the same request a second time is refused as a replay.
#include "adapters/gateways/hmac_notify.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace folio;
  const auto& keys = fuzz::Keys();
  std::vector<std::string> seeds;
  auto chain = fuzz::SeedPayment(gateways::Gateway::kChain, "100.00");
  seeds.push_back("\x03" + gateways::BuildChainNotify(keys, chain, 12, 900000, fuzz::kNow).body);
  auto generic = fuzz::SeedPayment(gateways::Gateway::kGeneric, "100.00");
  for (std::string_view t : {"payment.succeeded", "payment.pending", "payment.failed"})
    seeds.push_back("\x02" + gateways::BuildGenericNotify(keys, generic, t, fuzz::kNow).body);
  fuzz::WriteSeedsIfAsked(seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace folio;
  if (size == 0) return 0;
  const auto& keys = fuzz::Keys();
  const bool chain = data[0] & 1;
  std::string_view rest = fuzz::Bytes(data + 1, size - 1);
  gateways::HmacHeaders headers;
  std::string body;
  if (data[0] & 2) {
    auto n = gateways::SignHmacNotify(
        keys, chain ? gateways::kChainNotifyPath : gateways::kGenericNotifyPath, std::string(rest),
        fuzz::kNow);
    for (const auto& [k, v] : n.headers) {
      if (k == gateways::kHmacTimestampHeader) headers.timestamp = v;
      if (k == gateways::kHmacNonceHeader) headers.nonce = v;
      if (k == gateways::kHmacSignatureHeader) headers.signature = v;
    }
    body = n.body;
  } else {
    headers.timestamp = fuzz::Field(&rest);
    headers.nonce = fuzz::Field(&rest);
    headers.signature = fuzz::Field(&rest);
    body = rest;
  }
  gateways::NonceCache nonces(1024, 300);
  auto parse = [&] {
    return chain ? gateways::ParseChainNotify(headers, body, keys.hmac_config(), nonces, fuzz::kNow)
                 : gateways::ParseGenericNotify(headers, body, keys.hmac_config(), nonces,
                                                fuzz::kNow);
  };
  auto n = parse();
  if (n.ok()) {
    fuzz::CheckNotification(*n);
    FOLIO_FUZZ_CHECK(!parse().ok());  // a replay
  }
  return 0;
}
