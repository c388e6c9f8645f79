// UnionPay (ACP) back notification (form body, RSA-SHA256 signature).
// Input: byte 0 even: the body as received; odd: the rest parsed as a form and
// signed with the test key.
// Property: an accepted notification's dedupe key is a valid idempotency key.
#include "adapters/gateways/form.h"
#include "adapters/gateways/unionpay.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace folio;
  const auto& keys = fuzz::Keys();
  auto p = fuzz::SeedPayment(gateways::Gateway::kUnionPay, "100.00");
  std::vector<std::string> seeds;
  for (std::string_view code : {"00", "03"}) {
    const std::string body = gateways::BuildUnionPayNotify(keys, p, code, fuzz::kNow).body;
    seeds.push_back("\x01" + fuzz::Unsigned(body, {"signature", "signMethod"}));
    seeds.push_back(std::string(1, '\0') + body);
  }
  seeds.push_back("\x01" + fuzz::Unsigned(gateways::BuildUnionPayRefundNotify(
                                              keys, p, "04", "r-seed-1",
                                              *Money::Parse("10.00", Asset::CNY), "00", fuzz::kNow)
                                              .body,
                                          {"signature", "signMethod"}));
  fuzz::WriteSeedsIfAsked(seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace folio;
  if (size == 0) return 0;
  const auto& keys = fuzz::Keys();
  std::string body(fuzz::Bytes(data + 1, size - 1));
  if (data[0] & 1) {
    auto pairs = gateways::ParseForm(body);
    if (!pairs.ok()) return 0;
    body = gateways::SignUnionPayForm(keys, *pairs);
  }
  auto n = gateways::ParseUnionPayNotify(body, keys.unionpay_config());
  if (n.ok()) fuzz::CheckNotification(*n);
  return 0;
}
