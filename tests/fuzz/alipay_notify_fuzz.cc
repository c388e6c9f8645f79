// Alipay asynchronous notification (form body, RSA2 signature).
// Input: byte 0 even: the body as received; odd: the rest parsed as a form and
// signed with the test key, so the checks after the signature are fuzzed too.
// Property: an accepted notification's dedupe key is a valid idempotency key.
#include "adapters/gateways/alipay.h"
#include "adapters/gateways/form.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace folio;
  const auto& keys = fuzz::Keys();
  auto p = fuzz::SeedPayment(gateways::Gateway::kAlipay, "100.00");
  std::vector<std::string> seeds;
  for (std::string_view st : {"TRADE_SUCCESS", "WAIT_BUYER_PAY", "TRADE_CLOSED"}) {
    const std::string body = gateways::BuildAlipayNotify(keys, p, st, fuzz::kNow).body;
    seeds.push_back("\x01" + fuzz::Unsigned(body, {"sign", "sign_type"}));
    seeds.push_back(std::string(1, '\0') + body);
  }
  seeds.push_back("\x01" + fuzz::Unsigned(gateways::BuildAlipayRefundNotify(
                                              keys, p, "r-seed-1",
                                              *Money::Parse("10.00", Asset::CNY), false, fuzz::kNow)
                                              .body,
                                          {"sign", "sign_type"}));
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
    body = gateways::SignAlipayForm(keys, *pairs);
  }
  auto n = gateways::ParseAlipayNotify(body, keys.alipay_config());
  if (n.ok()) fuzz::CheckNotification(*n);
  return 0;
}
