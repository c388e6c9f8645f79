// PaymentGateway: one gateway as the ledger uses it — its codec
// (adapters/gateways/*_api.h) and its GatewayCaller behind one face. The
// dispatcher (gateway_dispatcher.h) and `folio gateway` call these; each
// implementation is a few lines of "build with the codec, call, parse with
// the codec" (gateway_clients.h).
//
// Errors: as the codec and GatewayCaller return them (gateway_refused,
// gateway_unavailable, gateway_timeout, gateway_circuit_open,
// gateway_response_invalid, signature_*).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/gateways/gateway_api.h"
#include "adapters/gateways/notification.h"
#include "adapters/http/metrics.h"
#include "events/money.h"

namespace folio::http {

struct TradeOrder {
  std::string payment_id;         // out_trade_no / orderId
  Money amount;                   // CNY
  std::string description;        // subject / description; a default when empty
  std::int64_t expires_at_s = 0;  // Unix seconds; 0: the gateway's default
  std::int64_t created_at_s = 0;  // the payment's creation: UnionPay's txnTime
};

struct RefundOrder {
  std::string payment_id;
  std::string refund_id;       // out_request_no / out_refund_no / orderId: the idempotency key
  Money amount;                // this refund
  Money payment_amount;        // the whole payment (WeChat Pay wants it)
  std::string gateway_txn_id;  // the payment's trade_no / queryId (UnionPay needs it)
  std::string reason;
};

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;
  virtual gateways::Gateway gateway() const = 0;
  virtual Result<gateways::CreatedTrade> CreateTrade(const TradeOrder& order) = 0;
  // `created_at_s`: the payment's creation (UnionPay names a transaction by
  // orderId and txnTime).
  virtual Result<gateways::TradeQuery> QueryTrade(std::string_view payment_id,
                                                  std::int64_t created_at_s) = 0;
  // Closing a trade that is gone or closed already is ok; one that is paid:
  // gateway_refused (query it).
  virtual Status CloseTrade(std::string_view payment_id) = 0;
  virtual Result<gateways::RefundAnswer> Refund(const RefundOrder& order) = 0;
  virtual Result<gateways::RefundAnswer> QueryRefund(const RefundOrder& order) = 0;
  // Where the day's trade bill is (date "YYYY-MM-DD", Asia/Shanghai). A
  // gateway whose answer carries the file itself (UnionPay's file transfer)
  // returns it in `content`, download_url empty; a bill not made yet is
  // gateway_refused (the scheduled job waits and asks again).
  virtual Result<gateways::BillLocation> TradeBill(std::string_view date) = 0;
  // The bill at `where`, its hash checked when the gateway gave one (WeChat
  // Pay: SHA1); `where.content` as is when download_url is empty (UnionPay;
  // no second call). Errors: as a call's, and gateway_response_invalid for a
  // hash that does not match or an answer other than 200.
  virtual Result<std::string> DownloadBill(const gateways::BillLocation& where) = 0;
  virtual std::vector<Sample> MetricSamples() const = 0;
};

}  // namespace folio::http
