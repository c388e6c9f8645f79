// The three gateways Folio calls, each a PaymentGateway (payment_gateway.h):
// the codec builds and verifies, the GatewayCaller sends, retries and keeps
// the breaker. Configuration comes from the server's gateway file
// (GatewayClientConfigs::Load, docs/gateways.md "Outbound calls").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "adapters/gateways/alipay_api.h"
#include "adapters/gateways/unionpay_api.h"
#include "adapters/gateways/wechat_api.h"
#include "adapters/http/gateway_caller.h"
#include "adapters/http/gateway_dispatcher.h"
#include "adapters/http/payment_gateway.h"

namespace folio::http {

// One gateway's outbound settings: where, how long, how often.
struct OutboundEndpointConfig {
  std::string base_url;  // "https://openapi.alipay.com", "http://127.0.0.1:9300"
  OutboundOptions transport;
  GatewayCallerOptions calls;
};

struct GatewayClientConfigs {
  std::optional<gateways::AlipayApiConfig> alipay;
  OutboundEndpointConfig alipay_endpoint;
  std::optional<gateways::WechatApiConfig> wechat;
  OutboundEndpointConfig wechat_endpoint;
  std::optional<gateways::UnionPayApiConfig> unionpay;
  OutboundEndpointConfig unionpay_endpoint;
  std::chrono::milliseconds poll_after{60'000};
  std::chrono::milliseconds poll_every{30'000};

  bool any() const { return alipay || wechat || unionpay; }
  // The "api" parts of the server's gateway file (see gateway_routes.h for
  // the rest): {"alipay":{"api":{...}},"wechatpay":{"api":{...}},
  // "unionpay":{"api":{...}},"calls":{...}}; `notify_base` ("http://host:port")
  // fills notify URLs the file leaves out. Errors: invalid_argument naming
  // the field.
  static Result<GatewayClientConfigs> Load(const std::string& path, const std::string& notify_base);
};

// Unix seconds now; the clients stamp requests and check answers with it.
using NowSeconds = std::function<std::int64_t()>;

// Builds every configured client. Errors: gateway_config_invalid (a key that
// does not parse), invalid_argument (a bad base URL or CA file).
Result<std::vector<std::unique_ptr<PaymentGateway>>> MakeGatewayClients(
    const GatewayClientConfigs& configs, NowSeconds now_s = {});

// The configured clients and the dispatcher over them, as `folio serve`
// runs them. Hook OnCommitted into the Api's on_committed (Api is built
// first: the dispatcher records through it).
struct GatewayWiring {
  std::vector<std::unique_ptr<PaymentGateway>> clients;
  std::unique_ptr<GatewayDispatcher> dispatcher;
  std::unique_ptr<std::thread> recovering;  // StartRecovery's; joined by Stop

  // Builds the clients and starts the dispatcher (poll intervals from
  // `configs` unless `opts` sets them). Errors: MakeGatewayClients's.
  static Result<GatewayWiring> Start(Api* api, LogStore* store, const GatewayClientConfigs& configs,
                                     DispatcherOptions opts = {}, NowSeconds now_s = {});
  std::vector<Sample> MetricSamples() const;
  // The client of gateway `g`; null when the gateway file has none for it.
  PaymentGateway* ClientFor(gateways::Gateway g) const;
  // Runs dispatcher->Recover() on a thread of its own (a log is read once).
  void StartRecovery();
  void Stop();
};

class AlipayGateway final : public PaymentGateway {
 public:
  AlipayGateway(gateways::AlipayApi api, std::unique_ptr<GatewayCaller> caller, NowSeconds now_s);
  gateways::Gateway gateway() const override { return gateways::Gateway::kAlipay; }
  Result<gateways::CreatedTrade> CreateTrade(const TradeOrder& order) override;
  Result<gateways::TradeQuery> QueryTrade(std::string_view payment_id,
                                          std::int64_t created_at_s) override;
  Status CloseTrade(std::string_view payment_id) override;
  Result<gateways::RefundAnswer> Refund(const RefundOrder& order) override;
  Result<gateways::RefundAnswer> QueryRefund(const RefundOrder& order) override;
  Result<gateways::BillLocation> TradeBill(std::string_view date) override;
  Result<std::string> DownloadBill(const gateways::BillLocation& where) override;
  std::vector<Sample> MetricSamples() const override { return caller_->MetricSamples(); }

 private:
  const gateways::AlipayApi api_;
  const std::unique_ptr<GatewayCaller> caller_;
  const NowSeconds now_s_;
};

class WechatGateway final : public PaymentGateway {
 public:
  WechatGateway(gateways::WechatApiCodec codec, std::unique_ptr<GatewayCaller> caller,
                NowSeconds now_s);
  gateways::Gateway gateway() const override { return gateways::Gateway::kWechatPay; }
  Result<gateways::CreatedTrade> CreateTrade(const TradeOrder& order) override;
  Result<gateways::TradeQuery> QueryTrade(std::string_view payment_id,
                                          std::int64_t created_at_s) override;
  Status CloseTrade(std::string_view payment_id) override;
  Result<gateways::RefundAnswer> Refund(const RefundOrder& order) override;
  Result<gateways::RefundAnswer> QueryRefund(const RefundOrder& order) override;
  Result<gateways::BillLocation> TradeBill(std::string_view date) override;
  Result<std::string> DownloadBill(const gateways::BillLocation& where) override;
  std::vector<Sample> MetricSamples() const override { return caller_->MetricSamples(); }
  // Downloads the platform certificates (done once before the first call,
  // and again when an answer names an unknown serial). Returns how many.
  Result<std::size_t> RefreshCertificates();

 private:
  // Verifies with the platform keys; an unknown serial refreshes them once.
  template <class T>
  Result<T> Verified(const std::function<Result<T>()>& parse);
  Status EnsureCertificates();

  const gateways::WechatApiCodec codec_;
  const std::unique_ptr<GatewayCaller> caller_;
  const NowSeconds now_s_;
  std::mutex refresh_mu_;
};

class UnionPayGateway final : public PaymentGateway {
 public:
  UnionPayGateway(gateways::UnionPayApi api, std::unique_ptr<GatewayCaller> caller,
                  NowSeconds now_s);
  gateways::Gateway gateway() const override { return gateways::Gateway::kUnionPay; }
  Result<gateways::CreatedTrade> CreateTrade(const TradeOrder& order) override;
  Result<gateways::TradeQuery> QueryTrade(std::string_view payment_id,
                                          std::int64_t created_at_s) override;
  // UnionPay has no close for a QR order: it lapses at the gateway. Ok.
  Status CloseTrade(std::string_view payment_id) override;
  Result<gateways::RefundAnswer> Refund(const RefundOrder& order) override;
  Result<gateways::RefundAnswer> QueryRefund(const RefundOrder& order) override;
  // The merchant reconciliation file of `date` by ACP's file transfer call
  // (unionpay_api.h): its INN detail file in `content`. Not there yet:
  // gateway_refused (respCode 98). DownloadBill hands `content` back.
  Result<gateways::BillLocation> TradeBill(std::string_view date) override;
  Result<std::string> DownloadBill(const gateways::BillLocation& where) override;
  std::vector<Sample> MetricSamples() const override { return caller_->MetricSamples(); }

 private:
  const gateways::UnionPayApi api_;
  const std::unique_ptr<GatewayCaller> caller_;
  const NowSeconds now_s_;
  // ACP names a transaction by orderId and txnTime: the txnTime each refund
  // was first sent with, so a resend is the same transaction (never a second
  // refund). Kept in memory: after a restart an unknown refund is not resent
  // (gateway_unavailable) until an operator looks (docs/gateways.md).
  std::mutex mu_;
  std::map<std::string, std::int64_t> refund_txn_s_;
};

}  // namespace folio::http
