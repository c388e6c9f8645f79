// WeChat Pay APIv3 notification: the signed JSON body and the AES-256-GCM
// resource inside it.
// Input: byte 0 % 3 == 0: the body signed as is; 1: the rest is the plaintext
// resource, encrypted and wrapped as WeChat Pay does; 2: headers and body as
// received, unsigned (timestamp\nnonce\nsignature\nserial\nbody).
// Property: an accepted notification's dedupe key is a valid idempotency key.
#include "adapters/gateways/wechat.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

folio::gateways::WechatHeaders HeadersOf(const folio::gateways::OutgoingNotification& n) {
  folio::gateways::WechatHeaders h;
  for (const auto& [k, v] : n.headers) {
    if (k == "Wechatpay-Timestamp") h.timestamp = v;
    if (k == "Wechatpay-Nonce") h.nonce = v;
    if (k == "Wechatpay-Signature") h.signature = v;
    if (k == "Wechatpay-Serial") h.serial = v;
  }
  return h;
}

// The next '\n'-terminated field of `rest`, consumed.

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace folio;
  const auto& keys = fuzz::Keys();
  auto p = fuzz::SeedPayment(gateways::Gateway::kWechatPay, "100.00");
  std::vector<std::string> seeds;
  for (std::string_view st : {"SUCCESS", "NOTPAY", "CLOSED"}) {
    const std::string body = gateways::BuildWechatNotify(keys, p, st, fuzz::kNow).body;
    seeds.push_back(std::string(1, '\0') + body);
  }
  // Plaintext resources (mode 1): what the sandbox encrypts, as JSON.
  seeds.push_back(
      "\x01{\"mchid\":\"" + keys.wechat_mchid + "\",\"appid\":\"" + keys.wechat_appid +
      "\",\"out_trade_no\":\"p-seed-1\",\"transaction_id\":\"4200000001202611220000000001\","
      "\"trade_state\":\"SUCCESS\",\"success_time\":\"2026-11-22T09:00:00+08:00\","
      "\"amount\":{\"total\":10000,\"payer_total\":10000,\"currency\":\"CNY\"}}");
  fuzz::WriteSeedsIfAsked(seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace folio;
  if (size == 0) return 0;
  const auto& keys = fuzz::Keys();
  std::string_view rest = fuzz::Bytes(data + 1, size - 1);
  gateways::WechatHeaders headers;
  std::string body;
  switch (data[0] % 3) {
    case 0: {
      auto n = gateways::SignWechatBody(keys, std::string(rest), fuzz::kNow);
      headers = HeadersOf(n);
      body = n.body;
      break;
    }
    case 1: {
      auto n = gateways::WechatNotifyFromResource(keys, "TRANSACTION.SUCCESS", rest, fuzz::kNow);
      headers = HeadersOf(n);
      body = n.body;
      break;
    }
    default:
      headers.timestamp = fuzz::Field(&rest);
      headers.nonce = fuzz::Field(&rest);
      headers.signature = fuzz::Field(&rest);
      headers.serial = fuzz::Field(&rest);
      body = rest;
  }
  auto n = gateways::ParseWechatNotify(headers, body, keys.wechat_config(), fuzz::kNow);
  if (n.ok()) fuzz::CheckNotification(*n);
  return 0;
}
