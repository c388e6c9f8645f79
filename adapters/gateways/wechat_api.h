// WeChat Pay API v3, outbound: the pure codec of the calls Folio makes to
// https://api.mch.weixin.qq.com (Native order, query, close, domestic refund,
// refund query, trade bill, platform certificates). No I/O, no clock: the
// caller passes the request stamp and now_s. docs/gateways.md, "WeChat Pay
// API v3 outbound calls", has every call, check and mapping.
//
// Request signing (Authorization header):
//   message   = METHOD "\n" target "\n" timestamp "\n" nonce_str "\n" body "\n"
//   signature = base64(SHA256withRSA(merchant private key, message))
//   Authorization: WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",
//                  signature="..",timestamp="..",serial_no=".."
// where target is the path and query exactly as sent and body is empty for GET.
//
// Response verification (every answer, 204 included, whose status is < 500):
//   message   = Wechatpay-Timestamp "\n" Wechatpay-Nonce "\n" body "\n"
// verified with the platform key that Wechatpay-Serial names: a platform
// certificate downloaded from /v3/certificates, or the configured WeChat Pay
// public key ("PUB_KEY_ID_..."). An unknown serial is signature_key_unknown;
// NeedsWechatCertificateRefresh() says so, and the caller then sends
// Certificates(), hands the answer to LoadCertificates() and verifies again,
// once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/gateway_api.h"
#include "adapters/gateways/wechat_platform_keys.h"
#include "events/money.h"
#include "events/status.h"

namespace folio::gateways {

inline constexpr std::string_view kWechatApiBaseUrl = "https://api.mch.weixin.qq.com";
inline constexpr std::string_view kWechatAuthScheme = "WECHATPAY2-SHA256-RSA2048";

struct WechatApiConfig {
  std::string mchid;  // 商户号, e.g. "1900000109"
  std::string appid;  // the app or official account the Native order is for
  // The merchant API certificate's serial (Authorization serial_no).
  std::string merchant_serial;
  // The merchant API private key (apiclient_key.pem), RSA >= 2048 bits.
  std::string merchant_private_key_pem;
  // The APIv3 key: exactly 32 bytes; decrypts the downloaded certificates.
  std::string apiv3_key;
  // Where WeChat Pay sends the notifications of orders and refunds.
  std::string notify_url;
  // WeChat Pay public-key mode: answers whose Wechatpay-Serial equals this id
  // are verified with public_key_pem, without any certificate.
  // Default: empty (certificate mode only).
  std::string public_key_id;  // "PUB_KEY_ID_..."
  std::string public_key_pem;
  // Default: "folio-wechatpay-apiv3/1".
  std::string user_agent = "folio-wechatpay-apiv3/1";
};

// The per-request values of the signature. A retry is a new request with a
// new stamp (WeChat Pay refuses a timestamp more than 5 minutes off).
struct WechatStamp {
  std::int64_t timestamp_s = 0;
  std::string nonce;  // 1 to 32 of [0-9A-Za-z]
};
// now_s and 32 random alphanumerics from the OpenSSL CSPRNG.
WechatStamp NewWechatStamp(std::int64_t now_s);

// The exact string the merchant signs.
std::string WechatRequestMessage(std::string_view method, std::string_view target,
                                 std::int64_t timestamp_s, std::string_view nonce,
                                 std::string_view body);

// A Native (QR) order.
struct WechatNativeOrder {
  std::string out_trade_no;  // our payment id: 6 to 32 of [0-9A-Za-z_-|*]
  std::string description;   // 1 to 127 bytes, what the payer sees
  Money amount;              // CNY, > 0, at most INT64_MAX fen
  // The order's deadline, Unix seconds (sent as RFC 3339 in +08:00).
  // Default: none (WeChat Pay's own, 2 hours).
  std::optional<std::int64_t> time_expire_s;
};

// A domestic refund of (part of) a paid order.
struct WechatRefundRequest {
  std::string out_trade_no;   // the paid order
  std::string out_refund_no;  // our refund id: 1 to 64 of [0-9A-Za-z_-|*@]
  Money refund;               // CNY, > 0, <= total
  Money total;                // the order's total, CNY
  std::string reason;         // Default: empty (not sent); at most 80 bytes
};

// The codec. Create() parses the keys once; the codec is then immutable
// (except the platform key store, which is internally synchronized) and
// every method is thread-safe. Copies share one platform key store.
//
// Builders fail with gateway_config_invalid (never after Create) or
// invalid_argument (an id, amount or date the API would refuse).
//
// Parsers check, in this order (the first failing one decides):
//   1. gateway_unavailable       HTTP 5xx (not verified: it only leads to a retry)
//   2. VerifyWechatResponse()    its codes (wechat_platform_keys.h)
//   3. gateway_unavailable       4xx with code SYSTEM_ERROR, SYSTEMERROR,
//                                FREQUENCY_LIMITED or BANKERROR
//      gateway_refused           any other 4xx {code, message}; the message starts
//                                with the code (ORDER_NOT_EXIST / RESOURCE_NOT_EXISTS
//                                are answers, kNotFound, for the two queries)
//   4. gateway_response_invalid  another status than the call's, a content type
//                                other than application/json, JSON that does not
//                                parse (truncated, duplicate keys), a field missing
//                                or mistyped, a transaction_id or refund_id that
//                                breaks the id rule (parse_support.h CheckId:
//                                1 to 128 bytes, no control, '/' or ':'), an
//                                amount that is not a positive
//                                integer of fen within 64 bits, an unknown state,
//                                another mchid / out_trade_no / out_refund_no
class WechatApiCodec {
 public:
  // Errors: gateway_config_invalid (a key does not parse, apiv3_key not 32
  // bytes, mchid / appid / merchant_serial empty, mchid / merchant_serial not
  // alphanumeric, notify_url not https://, user_agent empty or not printable
  // ASCII, public_key_id not PUB_KEY_ID_... or without a public_key_pem).
  static Result<WechatApiCodec> Create(WechatApiConfig config);

  const WechatApiConfig& config() const { return config_; }
  // The store the parsers verify with; LoadCertificates() fills it.
  const WechatPlatformKeys& platform_keys() const { return *keys_; }

  // POST /v3/pay/transactions/native
  Result<OutboundRequest> NativeOrder(const WechatNativeOrder& order, const WechatStamp& st) const;
  // GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid={mchid}
  Result<OutboundRequest> QueryOrder(std::string_view out_trade_no, const WechatStamp& st) const;
  // POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close  {"mchid"}
  Result<OutboundRequest> CloseOrder(std::string_view out_trade_no, const WechatStamp& st) const;
  // POST /v3/refund/domestic/refunds
  Result<OutboundRequest> Refund(const WechatRefundRequest& refund, const WechatStamp& st) const;
  // GET /v3/refund/domestic/refunds/{out_refund_no}
  Result<OutboundRequest> QueryRefund(std::string_view out_refund_no, const WechatStamp& st) const;
  // GET /v3/bill/tradebill?bill_date={YYYY-MM-DD}&bill_type=ALL
  Result<OutboundRequest> TradeBill(std::string_view bill_date, const WechatStamp& st) const;
  // GET /v3/certificates
  Result<OutboundRequest> Certificates(const WechatStamp& st) const;
  // GET of a bill's download_url (its path and query, `target`): WeChat Pay
  // wants the download signed like any call. The answer is the bill itself
  // (not signed: its hash came in the signed TradeBill answer).
  Result<OutboundRequest> BillDownload(std::string_view target, const WechatStamp& st) const;

  // 200 {"code_url"} -> qr_payload = code_url (weixin://...).
  Result<CreatedTrade> ParseNativeOrder(const InboundResponse& r, std::int64_t now_s) const;
  // 200 {trade_state, out_trade_no, mchid, transaction_id?, amount?}, or
  // 404 ORDER_NOT_EXIST -> kNotFound.
  Result<TradeQuery> ParseQueryOrder(const InboundResponse& r, std::string_view out_trade_no,
                                     std::int64_t now_s) const;
  // 204, empty body.
  Status ParseCloseOrder(const InboundResponse& r, std::int64_t now_s) const;
  // The answer of Refund(): 200 {refund_id, out_refund_no, status, amount{refund}}.
  Result<RefundAnswer> ParseRefund(const InboundResponse& r, std::string_view out_refund_no,
                                   std::int64_t now_s) const;
  // The answer of QueryRefund(): the same, or 4xx RESOURCE_NOT_EXISTS -> kNotFound.
  Result<RefundAnswer> ParseRefundQuery(const InboundResponse& r, std::string_view out_refund_no,
                                        std::int64_t now_s) const;
  // 200 {hash_type, hash_value, download_url (https://)}.
  Result<BillLocation> ParseTradeBill(const InboundResponse& r, std::int64_t now_s) const;

  // Verifies the /v3/certificates answer, decrypts every certificate with the
  // APIv3 key and installs the unexpired ones; returns how many. Signature:
  // by a key already known, or else by the certificate in the answer whose
  // serial_no is Wechatpay-Serial (the bootstrap of WeChat Pay's own
  // CertificateDownloader: that certificate is only accepted because it
  // decrypts under our APIv3 key, which only WeChat Pay shares).
  // Errors: the parser checks 1-3 (with the bootstrap in place of
  // signature_key_unknown; that code only when no certificate in the answer
  // has the signer's serial), then gateway_response_invalid (shape, times,
  // empty or over kKeysMax entries), notification_undecryptable (a
  // certificate does not decrypt), gateway_certificate_invalid (not a
  // certificate, or its serial is not serial_no). Nothing is installed unless
  // every entry checks out; entries already expired are skipped.
  Result<std::size_t> LoadCertificates(const InboundResponse& r, std::int64_t now_s) const;

 private:
  WechatApiCodec() = default;

  enum class NotFound { kRefused, kAnswer };
  Result<RefundAnswer> RefundAnswerOf(const InboundResponse& r, std::string_view out_refund_no,
                                      NotFound not_found, std::int64_t now_s) const;
  Result<OutboundRequest> Signed(std::string method, std::string target, std::string body,
                                 const WechatStamp& st) const;

  WechatApiConfig config_;
  std::shared_ptr<EVP_PKEY> merchant_key_;
  std::shared_ptr<WechatPlatformKeys> keys_;
};

// RFC 3339 in China Standard Time: 1795309200 -> "2026-11-22T09:00:00+08:00".
std::string WechatTime(std::int64_t unix_s);
// RFC 3339 with "Z" or a "+hh:mm"/"-hh:mm" offset, seconds precision (an
// optional fraction is ignored). nullopt when not well-formed.
std::optional<std::int64_t> ParseWechatTime(std::string_view text);

}  // namespace folio::gateways
