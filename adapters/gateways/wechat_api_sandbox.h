// The sandbox's side of WeChat Pay API v3 (wechat_api.h): it checks the
// merchant's signed requests as WeChat Pay does, signs its answers with the
// platform key, and builds the /v3/certificates answer that carries the
// platform certificate encrypted with the APIv3 key. No I/O: the sandbox
// process serves what these build. Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/gateways/gateway_api.h"
#include "adapters/gateways/sandbox.h"
#include "events/status.h"

namespace folio::gateways {

enum class WechatApiCallKind {
  kNativeOrder,   // POST /v3/pay/transactions/native
  kQueryOrder,    // GET  /v3/pay/transactions/out-trade-no/{id}?mchid=
  kCloseOrder,    // POST /v3/pay/transactions/out-trade-no/{id}/close
  kRefund,        // POST /v3/refund/domestic/refunds
  kQueryRefund,   // GET  /v3/refund/domestic/refunds/{id}
  kTradeBill,     // GET  /v3/bill/tradebill?bill_date=&bill_type=
  kCertificates,  // GET  /v3/certificates
};

struct WechatApiCall {
  WechatApiCallKind kind = WechatApiCallKind::kCertificates;
  std::string mchid;  // from the Authorization header
  std::string id;     // the path's out_trade_no / out_refund_no, else empty
  // Query parameters and the JSON body's scalar fields, flattened with dots
  // ("amount.total" -> "8888"), strings without quotes, in document order.
  std::vector<std::pair<std::string, std::string>> fields;
};

// Checks, in this order (the first failing one decides):
//   1. gateway_config_invalid  the merchant key does not parse
//   2. notification_malformed  no Authorization, not WECHATPAY2-SHA256-RSA2048,
//                              a field missing, repeated or unknown, timestamp
//                              not decimal seconds
//   3. signature_expired       |now_s - timestamp| > 300 s
//   4. signature_key_unknown   serial_no is not merchant_serial
//   5. signature_invalid       signature not base64 or does not verify over
//                              METHOD\ntarget\ntimestamp\nnonce\nbody\n
//   6. notification_malformed  an unknown method and path, a POST body that
//                              is not a JSON object, a GET with a body
//   7. gateway_merchant_mismatch  the body's or query's mchid is not the
//                              Authorization's
// `headers`: names in any case.
Result<WechatApiCall> ParseWechatApiRequest(
    std::string_view method, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body,
    std::string_view merchant_public_key_pem, std::string_view merchant_serial, std::int64_t now_s);

// The answer as WeChat Pay signs it: Wechatpay-Timestamp now_s, a random
// 32-character Wechatpay-Nonce, Wechatpay-Serial, Wechatpay-Signature over
// "timestamp\nnonce\nbody\n", Wechatpay-Signature-Type, and Content-Type
// application/json when the body is not empty. Header names lower-case.
// Errors: gateway_config_invalid (the key does not parse).
Result<InboundResponse> SignWechatApiResponse(std::string_view platform_private_key_pem,
                                              std::string_view platform_serial, unsigned status,
                                              std::string body, std::int64_t now_s);

// One platform certificate as /v3/certificates lists it.
struct WechatCertificateEntry {
  std::string serial_no;  // upper-case hex
  std::string certificate_pem;
  std::int64_t effective_s = 0;
  std::int64_t expire_s = 0;
};

// {"data":[{serial_no, effective_time, expire_time, encrypt_certificate{
// algorithm AEAD_AES_256_GCM, nonce (12 random characters), associated_data
// "certificate", ciphertext}}]} with each certificate encrypted under the
// APIv3 key. REQUIRES: apiv3_key is 32 bytes.
std::string BuildWechatCertificatesBody(std::string_view apiv3_key,
                                        const std::vector<WechatCertificateEntry>& entries);

// The sandbox platform key's self-signed certificate, serial
// keys.wechat_platform_serial, valid from now_s - 1 day for `valid_s`.
// Errors: MakeSelfSignedCert's.
Result<WechatCertificateEntry> SandboxWechatCertificate(const SandboxKeys& keys, std::int64_t now_s,
                                                        std::int64_t valid_s = 5 * 365 * 86400);

}  // namespace folio::gateways
