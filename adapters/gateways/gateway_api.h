// The outbound side of the gateways: what Folio asks Alipay, WeChat Pay and
// UnionPay, and what they answer, independent of any one gateway's wire format.
//
// Each gateway has a pure codec (alipay_api.h, wechat_api.h, unionpay_api.h):
// it turns a call into the exact request bytes (signed by the merchant key)
// and turns the exact response bytes into a verified result or an error. No
// I/O: the caller (adapters/http/gateway_caller.h) sends the request with a
// time-out, retries what is retryable and keeps the circuit breaker.
//
// Every error a codec returns carries one of the stable codes below (or a
// notification code of gateway_codes.h for a response whose signature or
// certificate does not check out). IsRetryable() says whether the same call
// may be sent again; every call here is idempotent at the gateway (the trade
// is named by out_trade_no, a refund by its request number), so a retry after
// an unknown outcome can never pay or refund twice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/money.h"
#include "events/status.h"

namespace folio::gateways {

namespace codes {
// The gateway refused the call for a business reason (trade not found, already
// closed, refund exceeds the paid amount, ...): never retried. The message
// names the gateway's own code ("ACQ.TRADE_NOT_EXIST", "ORDER_CLOSED", "12").
inline constexpr std::string_view kGatewayRefused = "gateway_refused";
// The gateway answered "busy" / "system error" or HTTP 5xx: retryable.
inline constexpr std::string_view kGatewayUnavailable = "gateway_unavailable";
// No answer within the time-out, or the connection broke after the request
// was sent: the outcome is unknown. Retryable (the calls are idempotent).
inline constexpr std::string_view kGatewayTimeout = "gateway_timeout";
// The answer is not what the protocol allows: truncated or invalid JSON or
// form, a required field missing, wrong content type, a body over the limit,
// an unexpected HTTP status. Not retried: something is wrong beyond a blip.
inline constexpr std::string_view kGatewayResponseInvalid = "gateway_response_invalid";
// The circuit breaker is open or the outbound queue is full: the call was not
// sent. Retryable later.
inline constexpr std::string_view kGatewayCircuitOpen = "gateway_circuit_open";
}  // namespace codes

// True for gateway_unavailable, gateway_timeout, gateway_circuit_open and io_error.
bool IsRetryable(const Status& s);

// Largest response body any codec accepts (a bill download URL answer is
// small; bills themselves are fetched separately). Larger: gateway_response_invalid.
inline constexpr std::size_t kMaxResponseBytes = 1u << 20;

// One HTTP request, ready to send. `target` is the path and query
// ("/gateway.do", "/v3/pay/transactions/native"); the base URL comes from
// the configuration. Header names as the gateway documents them.
struct OutboundRequest {
  std::string method;  // "GET" or "POST"
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// One HTTP response as received. Header names lower-cased.
struct InboundResponse {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return v;
    }
    return {};
  }
};

// What a trade is at the gateway.
enum class TradeState {
  kPending,   // created, not paid (WAIT_BUYER_PAY, NOTPAY, USERPAYING)
  kPaid,      // TRADE_SUCCESS / TRADE_FINISHED, SUCCESS, respCode 00
  kClosed,    // closed or revoked before payment (TRADE_CLOSED, CLOSED, REVOKED)
  kFailed,    // the payment failed (PAYERROR, a UnionPay failure code)
  kRefunded,  // paid, then refunded in full (WeChat REFUND; Alipay TRADE_CLOSED after payment)
  kNotFound,  // the gateway has no such trade (ACQ.TRADE_NOT_EXIST, ORDER_NOT_EXIST)
};
std::string_view TradeStateName(TradeState s);

// A new trade: the QR payload the payer scans.
struct CreatedTrade {
  std::string qr_payload;      // Alipay qr_code, WeChat code_url, UnionPay qrCode
  std::string gateway_txn_id;  // when the gateway already names it (may be empty)
};

struct TradeQuery {
  TradeState state = TradeState::kPending;
  std::string gateway_status;   // the gateway's own word ("TRADE_SUCCESS", "NOTPAY", "00")
  std::string gateway_txn_id;   // trade_no / transaction_id / queryId (empty if not paid)
  std::optional<Money> amount;  // what the gateway says was (or is to be) paid
};

enum class RefundState { kSucceeded, kProcessing, kFailed, kNotFound };
std::string_view RefundStateName(RefundState s);

struct RefundAnswer {
  RefundState state = RefundState::kProcessing;
  std::string gateway_status;     // "SUCCESS", "PROCESSING", "10000"/fund_change ...
  std::string gateway_refund_id;  // the gateway's refund id, when given
  std::optional<Money> refunded;  // the amount this refund moved, when given
};

// Where to fetch a day's bill from (Alipay bill_download_url, WeChat
// download_url), or the bill itself when the gateway's answer carries it
// (UnionPay's file transfer): then download_url is empty and `content` is
// the file.
struct BillLocation {
  std::string download_url;
  std::string hash_type;   // WeChat: "SHA1"; empty when the gateway gives none
  std::string hash_value;  // hex, as given
  std::string content;     // the bill, when download_url is empty
};

}  // namespace folio::gateways
