// Alipay OpenAPI calls (RSA2): the request bytes Folio sends to
// POST {base}/gateway.do and the checks on what Alipay answers. No I/O.
//
// Request: application/x-www-form-urlencoded;charset=utf-8, the parameters
//   app_id, method, format=JSON, charset=utf-8, sign_type=RSA2,
//   timestamp ("yyyy-MM-dd HH:mm:ss", Asia/Shanghai), version=1.0,
//   [notify_url], biz_content (a JSON object as a string), sign
// signed message = every parameter except `sign` (sign_type IS signed, unlike
//   in a notification) and except empty values, sorted by name (bytes),
//   joined "name=value&..." with raw (not URL-encoded) values;
// sign = base64(SHA256withRSA(message)) with the merchant's private key.
//
// Response: {"<method with '.' -> '_'>_response":{...},"sign":"<base64>"} or
// {"error_response":{...},...}. `sign` is over the EXACT bytes of that
// object's value in the body (never re-serialized). An answer without `sign`
// is only ever read as an error, and an unsigned error never yields a
// positive answer (query kNotFound, a close that is "nothing to close").
//
// Every Parse* checks, in this order (the first failing one decides):
//   1. gateway_unavailable       HTTP 5xx
//   2. gateway_response_invalid  another status than 200, a body over
//                                kMaxResponseBytes, a media type other than
//                                application/json or text/html (the real
//                                gateway labels its JSON text/html), JSON that
//                                does not parse strictly (duplicate keys,
//                                depth > 16), no or two response objects
//   3. signature_invalid         `sign` not base64, or it does not verify with
//                                Alipay's key; no `sign` with code 10000
//   4. by `code`:
//        10000  the call's own fields (missing or bad -> gateway_response_invalid)
//        20000  gateway_unavailable (service unavailable)
//        40004  business failure: sub_code *SYSTEM_ERROR / *SYSTEM_BUSY ->
//               gateway_unavailable; the call's own exceptions (below);
//               anything else gateway_refused "40004 <sub_code>: <sub_msg>"
//        20001, 40001, 40002, 40003, 40006, any other
//               gateway_refused: our configuration, parameters or
//               permissions are wrong; retrying the same call cannot help
// Amounts in answers must be positive CNY yuan with at most 2 decimals;
// anything else is gateway_response_invalid (the money code in the message).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/form.h"
#include "adapters/gateways/gateway_api.h"
#include "events/money.h"
#include "events/status.h"

namespace folio::gateways {

inline constexpr std::string_view kAlipayGatewayPath = "/gateway.do";

struct AlipayApiConfig {
  std::string app_id;
  // PEM (PKCS#8 or PKCS#1) RSA >= 2048 private key: signs our requests.
  std::string merchant_private_key_pem;
  // Alipay's public key (PEM or the console's bare base64): verifies answers.
  std::string alipay_public_key_pem;
  // Where Alipay notifies trade and refund changes. Default (empty): not sent.
  std::string notify_url;
};

// Longest subject (and refund_reason) accepted, in bytes (Alipay counts 256
// characters; bytes is stricter). Both must be UTF-8 without control characters.
inline constexpr std::size_t kAlipaySubjectBytesMax = 256;
// Largest total_amount / refund_amount Alipay takes: 100,000,000.00 yuan.
inline constexpr std::uint64_t kAlipayAmountMaxFen = 10'000'000'000;
// timeout_express range: 1 minute to 15 days.
inline constexpr std::uint32_t kAlipayTimeoutMinutesMax = 15 * 24 * 60;

// The keys parsed once. Thread-safe: every method is const and OpenSSL 3
// allows concurrent use of one EVP_PKEY for signing and verifying.
// Builders: `now_s` is Unix seconds (REQUIRES: 0 <= now_s <= domain::kShanghaiTimeMaxS);
// ids (out_trade_no, out_request_no) must pass the id rule of
// parse_support.h and be at most 64 bytes; amounts must be positive CNY.
// Bad arguments -> invalid_argument.
class AlipayApi {
 public:
  // gateway_config_invalid when a key does not parse or app_id is empty.
  static Result<AlipayApi> Create(AlipayApiConfig config);

  // alipay.trade.precreate {out_trade_no, total_amount, subject,
  // timeout_express "<n>m"}; notify_url when configured.
  Result<OutboundRequest> Precreate(std::string_view out_trade_no, const Money& amount,
                                    std::string_view subject, std::uint32_t timeout_minutes,
                                    std::int64_t now_s) const;
  // alipay.trade.query {out_trade_no}
  Result<OutboundRequest> Query(std::string_view out_trade_no, std::int64_t now_s) const;
  // alipay.trade.close {out_trade_no}
  Result<OutboundRequest> Close(std::string_view out_trade_no, std::int64_t now_s) const;
  // alipay.trade.refund {out_trade_no, refund_amount, out_request_no,
  // [refund_reason]}; notify_url when configured. Resending the same
  // out_request_no never refunds twice.
  Result<OutboundRequest> Refund(std::string_view out_trade_no, std::string_view out_request_no,
                                 const Money& refund_amount, std::string_view refund_reason,
                                 std::int64_t now_s) const;
  // alipay.trade.fastpay.refund.query {out_trade_no, out_request_no}
  Result<OutboundRequest> RefundQuery(std::string_view out_trade_no,
                                      std::string_view out_request_no, std::int64_t now_s) const;
  // alipay.data.dataservice.bill.downloadurl.query {bill_type "trade",
  // bill_date "yyyy-MM-dd"} (REQUIRES-checked: that exact shape).
  Result<OutboundRequest> BillDownloadUrl(std::string_view bill_date, std::int64_t now_s) const;

  // Each parser takes the answer to the call named by it; the ids the call
  // was made with are checked against the answer's (a mismatch is
  // gateway_response_invalid: an answer for another trade).
  //
  // code 10000 with qr_code (and out_trade_no, when given, ours).
  Result<CreatedTrade> ParsePrecreate(const InboundResponse& r,
                                      std::string_view out_trade_no) const;
  // trade_status: WAIT_BUYER_PAY -> kPending, TRADE_SUCCESS/TRADE_FINISHED ->
  // kPaid, TRADE_CLOSED -> kRefunded when send_pay_date shows it was paid,
  // kClosed otherwise; another status -> gateway_response_invalid.
  // Signed 40004 ACQ.TRADE_NOT_EXIST -> kNotFound (a precreated trade nobody
  // scanned does not exist at Alipay yet).
  Result<TradeQuery> ParseQuery(const InboundResponse& r, std::string_view out_trade_no) const;
  // ok: closed. Signed 40004 ACQ.TRADE_NOT_EXIST -> ok: the QR was never
  // scanned, and integrators report that Alipay refuses a later scan of a
  // closed out_trade_no (should money arrive anyway, its notification says so);
  // ACQ.TRADE_STATUS_ERROR (not waiting for payment: paid, finished or
  // already closed) -> gateway_refused: query it to know which.
  Status ParseClose(const InboundResponse& r, std::string_view out_trade_no) const;
  // fund_change Y -> kSucceeded; N -> kProcessing (a repeat of an earlier
  // request, or not moved yet: query the refund). `refunded` stays empty:
  // refund_fee is the trade's cumulative refund, not this request's.
  Result<RefundAnswer> ParseRefund(const InboundResponse& r, std::string_view out_trade_no) const;
  // refund_status REFUND_SUCCESS -> kSucceeded with refunded = refund_amount;
  // absent -> kNotFound (not received, or failed: resend the refund with the
  // same out_request_no); signed ACQ.TRADE_NOT_EXIST -> kNotFound.
  Result<RefundAnswer> ParseRefundQuery(const InboundResponse& r, std::string_view out_trade_no,
                                        std::string_view out_request_no) const;
  // bill_download_url (https:// or http://). 40004 isp.bill_not_exist and
  // the like -> gateway_refused.
  Result<BillLocation> ParseBillDownloadUrl(const InboundResponse& r) const;

 private:
  AlipayApi(AlipayApiConfig config, crypto::Pkey merchant_key, crypto::Pkey alipay_key);

  Result<OutboundRequest> Build(std::string_view method, std::string biz_content,
                                bool with_notify_url, std::int64_t now_s) const;

  AlipayApiConfig config_;
  crypto::Pkey merchant_key_;
  crypto::Pkey alipay_key_;
};

// The message a request signs: every pair except `sign`, non-empty values,
// sorted by name, "k=v&..." raw. (Exposed for the sandbox and tests.)
std::string AlipayRequestSignedMessage(const FormPairs& params);

// "alipay.trade.query" -> "alipay_trade_query_response".
std::string AlipayResponseKey(std::string_view method);

}  // namespace folio::gateways
