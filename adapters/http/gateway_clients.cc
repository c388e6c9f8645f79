#include "adapters/http/gateway_clients.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <openssl/evp.h>

#include <boost/json.hpp>

#include "adapters/gateways/gateway_codes.h"
#include "adapters/gateways/wechat_platform_keys.h"
#include "adapters/http/outbound.h"
#include "events/codes.h"
#include "events/hash.h"

namespace folio::http {
namespace {

namespace gw = gateways;
namespace bj = boost::json;

std::int64_t SystemNowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status Invalid(const std::string& path, const std::string& what) {
  return Status::Error(codes::kInvalidArgument, path + ": " + what);
}

std::string Str(const bj::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A non-negative integer field, or `dflt` when absent. Errors name the field.
Result<std::int64_t> Int(const bj::object& o, const char* key, std::int64_t dflt,
                         const std::string& where) {
  auto* v = o.if_contains(key);
  if (v == nullptr) return dflt;
  if (!v->is_int64() || v->as_int64() < 0) {
    return Status::Error(codes::kInvalidArgument,
                         where + "." + key + " must be a non-negative integer");
  }
  return v->as_int64();
}

Status LoadEndpoint(const bj::object& api, const std::string& where, OutboundEndpointConfig* e) {
  e->base_url = Str(api, "base_url");
  if (e->base_url.empty()) {
    return Status::Error(codes::kInvalidArgument, where + ".base_url is required");
  }
  ASSIGN_OR_RETURN(std::int64_t timeout, Int(api, "timeout_ms", 10'000, where));
  e->transport.timeout = std::chrono::milliseconds(timeout);
  e->transport.ca_file = Str(api, "ca_file");
  return OkStatus();
}

Status LoadCalls(const bj::object& c, GatewayClientConfigs* out) {
  const std::string where = "calls";
  GatewayCallerOptions o;
  ASSIGN_OR_RETURN(std::int64_t attempts, Int(c, "attempts_max", 4, where));
  ASSIGN_OR_RETURN(std::int64_t base, Int(c, "backoff_base_ms", 100, where));
  ASSIGN_OR_RETURN(std::int64_t cap, Int(c, "backoff_cap_ms", 5'000, where));
  ASSIGN_OR_RETURN(std::int64_t failures, Int(c, "breaker_failures", 5, where));
  ASSIGN_OR_RETURN(std::int64_t open_ms, Int(c, "breaker_open_ms", 10'000, where));
  ASSIGN_OR_RETURN(std::int64_t in_flight, Int(c, "in_flight_max", 8, where));
  ASSIGN_OR_RETURN(std::int64_t waiting, Int(c, "waiting_max", 64, where));
  ASSIGN_OR_RETURN(std::int64_t poll_after, Int(c, "poll_after_ms", 60'000, where));
  ASSIGN_OR_RETURN(std::int64_t poll_every, Int(c, "poll_every_ms", 30'000, where));
  if (attempts < 1 || in_flight < 1) {
    return Status::Error(codes::kInvalidArgument, "calls.attempts_max and in_flight_max >= 1");
  }
  o.retry.attempts_max = static_cast<unsigned>(attempts);
  o.retry.base = std::chrono::milliseconds(base);
  o.retry.cap = std::chrono::milliseconds(cap);
  o.breaker.failures_to_open = static_cast<unsigned>(std::max<std::int64_t>(1, failures));
  o.breaker.open_for = std::chrono::milliseconds(open_ms);
  o.in_flight_max = static_cast<std::size_t>(in_flight);
  o.waiting_max = static_cast<std::size_t>(waiting);
  for (auto* e : {&out->alipay_endpoint, &out->wechat_endpoint, &out->unionpay_endpoint}) {
    e->calls = o;
  }
  out->poll_after = std::chrono::milliseconds(poll_after);
  out->poll_every = std::chrono::milliseconds(poll_every);
  return OkStatus();
}

Result<std::unique_ptr<GatewayCaller>> MakeCaller(std::string name,
                                                  const OutboundEndpointConfig& e) {
  ASSIGN_OR_RETURN(BaseUrl base, ParseBaseUrl(e.base_url));
  ASSIGN_OR_RETURN(auto client, OutboundClient::Create(std::move(base), e.transport));
  return std::make_unique<GatewayCaller>(std::move(name), std::move(client), e.calls);
}

// Minutes from now until `expires_at_s` (Alipay's timeout_express), at least 1.
std::uint32_t MinutesUntil(std::int64_t expires_at_s, std::int64_t now_s) {
  if (expires_at_s <= 0) return 120;
  const std::int64_t m = (expires_at_s - now_s + 59) / 60;
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(m, 1, gw::kAlipayTimeoutMinutesMax));
}

// Bills are files, larger than an API answer.
constexpr std::size_t kBillBytesMax = 256u << 20;

// "https://host:port/path?query" -> the base and the target.
Result<std::pair<BaseUrl, std::string>> SplitUrl(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    return Status::Error(gw::codes::kGatewayResponseInvalid, "bill URL without a scheme");
  }
  const auto path = url.find('/', scheme + 3);
  const std::string_view base = path == std::string_view::npos ? url : url.substr(0, path);
  std::string target = path == std::string_view::npos ? "/" : std::string(url.substr(path));
  auto parsed = ParseBaseUrl(base);
  if (!parsed.ok()) {
    return Status::Error(gw::codes::kGatewayResponseInvalid,
                         "bill URL: " + std::string(parsed.status().message()));
  }
  return std::pair{std::move(*parsed), std::move(target)};
}

std::string Digest(const EVP_MD* md, std::string_view bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &n, md, nullptr);
  return ToHex(std::span<const std::uint8_t>(out, n));
}

// GETs a bill and checks its hash when the gateway gave one.
Result<std::string> FetchBill(const BaseUrl& base, gw::OutboundRequest req,
                              const gw::BillLocation& where) {
  OutboundOptions o;
  o.timeout = std::chrono::seconds(120);
  o.body_limit = kBillBytesMax;
  ASSIGN_OR_RETURN(auto client, OutboundClient::Create(base, o));
  req.method = "GET";
  ASSIGN_OR_RETURN(gw::InboundResponse r, client->Send(req));
  if (r.status != 200) {
    return Status::Error(
        r.status >= 500 ? gw::codes::kGatewayUnavailable : gw::codes::kGatewayResponseInvalid,
        "bill download answered HTTP " + std::to_string(r.status));
  }
  if (!where.hash_type.empty()) {
    const EVP_MD* md = where.hash_type == "SHA1"     ? EVP_sha1()
                       : where.hash_type == "SHA256" ? EVP_sha256()
                                                     : nullptr;
    if (md == nullptr) {
      return Status::Error(gw::codes::kGatewayResponseInvalid,
                           "bill hash type " + where.hash_type + " is not known");
    }
    std::string want = where.hash_value;
    for (char& c : want) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (Digest(md, r.body) != want) {
      return Status::Error(gw::codes::kGatewayResponseInvalid,
                           "the bill does not match its " + where.hash_type);
    }
  }
  return std::move(r.body);
}

}  // namespace

Result<GatewayClientConfigs> GatewayClientConfigs::Load(const std::string& path,
                                                        const std::string& notify_base) {
  std::ifstream in(path);
  if (!in) return Status::Error(codes::kNotFound, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  auto v = bj::parse(ss.str(), ec);
  if (ec || !v.is_object()) return Invalid(path, "not a JSON object");
  const auto& o = v.as_object();
  GatewayClientConfigs c;
  auto api_of = [&](const char* name) -> const bj::object* {
    auto* p = o.if_contains(name);
    if (p == nullptr || !p->is_object()) return nullptr;
    auto* a = p->as_object().if_contains("api");
    return a != nullptr && a->is_object() ? &a->as_object() : nullptr;
  };
  auto notify = [&](const bj::object& api, const char* key, const char* gateway) {
    std::string url = Str(api, key);
    if (url.empty()) url = notify_base + "/v1/gateways/" + gateway + "/notify";
    return url;
  };
  if (const bj::object* a = api_of("alipay")) {
    gw::AlipayApiConfig cfg;
    cfg.app_id = Str(o.at("alipay").as_object(), "app_id");
    cfg.merchant_private_key_pem = Str(*a, "merchant_private_key");
    cfg.alipay_public_key_pem = Str(o.at("alipay").as_object(), "public_key");
    cfg.notify_url = notify(*a, "notify_url", "alipay");
    RETURN_IF_ERROR(LoadEndpoint(*a, "alipay.api", &c.alipay_endpoint));
    c.alipay = std::move(cfg);
  }
  if (const bj::object* a = api_of("wechatpay")) {
    const auto& w = o.at("wechatpay").as_object();
    gw::WechatApiConfig cfg;
    cfg.mchid = Str(w, "mchid");
    cfg.appid = Str(*a, "appid");
    cfg.merchant_serial = Str(*a, "merchant_serial");
    cfg.merchant_private_key_pem = Str(*a, "merchant_private_key");
    cfg.apiv3_key = Str(w, "apiv3_key");
    cfg.notify_url = notify(*a, "notify_url", "wechatpay");
    cfg.public_key_id = Str(*a, "public_key_id");
    cfg.public_key_pem = Str(*a, "public_key");
    RETURN_IF_ERROR(LoadEndpoint(*a, "wechatpay.api", &c.wechat_endpoint));
    c.wechat = std::move(cfg);
  }
  if (const bj::object* a = api_of("unionpay")) {
    const auto& u = o.at("unionpay").as_object();
    gw::UnionPayApiConfig cfg;
    cfg.mer_id = Str(u, "mer_id");
    cfg.merchant_private_key_pem = Str(*a, "merchant_private_key");
    cfg.merchant_cert_id = Str(*a, "merchant_cert_id");
    cfg.root_cert_pem = Str(*a, "root_cert");
    cfg.middle_cert_pem = Str(*a, "middle_cert");
    if (a->if_contains("expected_cert_org") != nullptr) {
      cfg.expected_cert_org = Str(*a, "expected_cert_org");
    }
    cfg.back_url = notify(*a, "back_url", "unionpay");
    RETURN_IF_ERROR(LoadEndpoint(*a, "unionpay.api", &c.unionpay_endpoint));
    c.unionpay = std::move(cfg);
  }
  if (auto* calls = o.if_contains("calls"); calls != nullptr) {
    if (!calls->is_object()) return Invalid(path, "calls must be an object");
    RETURN_IF_ERROR(LoadCalls(calls->as_object(), &c));
  }
  return c;
}

Result<std::vector<std::unique_ptr<PaymentGateway>>> MakeGatewayClients(
    const GatewayClientConfigs& configs, NowSeconds now_s) {
  if (!now_s) now_s = SystemNowS;
  std::vector<std::unique_ptr<PaymentGateway>> out;
  if (configs.alipay) {
    ASSIGN_OR_RETURN(gw::AlipayApi api, gw::AlipayApi::Create(*configs.alipay));
    ASSIGN_OR_RETURN(auto caller, MakeCaller("alipay", configs.alipay_endpoint));
    out.push_back(std::make_unique<AlipayGateway>(std::move(api), std::move(caller), now_s));
  }
  if (configs.wechat) {
    ASSIGN_OR_RETURN(gw::WechatApiCodec codec, gw::WechatApiCodec::Create(*configs.wechat));
    ASSIGN_OR_RETURN(auto caller, MakeCaller("wechatpay", configs.wechat_endpoint));
    out.push_back(std::make_unique<WechatGateway>(std::move(codec), std::move(caller), now_s));
  }
  if (configs.unionpay) {
    ASSIGN_OR_RETURN(gw::UnionPayApi api, gw::UnionPayApi::Create(*configs.unionpay));
    ASSIGN_OR_RETURN(auto caller, MakeCaller("unionpay", configs.unionpay_endpoint));
    out.push_back(std::make_unique<UnionPayGateway>(std::move(api), std::move(caller), now_s));
  }
  return out;
}

Result<GatewayWiring> GatewayWiring::Start(Api* api, LogStore* store,
                                           const GatewayClientConfigs& configs,
                                           DispatcherOptions opts, NowSeconds now_s) {
  GatewayWiring w;
  ASSIGN_OR_RETURN(w.clients, MakeGatewayClients(configs, now_s));
  std::map<fb::Method, PaymentGateway*> by_method;
  for (const auto& c : w.clients) {
    switch (c->gateway()) {
      case gw::Gateway::kAlipay:
        by_method[fb::Method::Alipay] = c.get();
        break;
      case gw::Gateway::kWechatPay:
        by_method[fb::Method::WechatPay] = c.get();
        break;
      case gw::Gateway::kUnionPay:
        by_method[fb::Method::UnionPay] = c.get();
        break;
      default:
        break;
    }
  }
  if (opts.poll_after == DispatcherOptions{}.poll_after) opts.poll_after = configs.poll_after;
  if (opts.poll_every == DispatcherOptions{}.poll_every) opts.poll_every = configs.poll_every;
  w.dispatcher = std::make_unique<GatewayDispatcher>(api, store, std::move(by_method), opts);
  w.dispatcher->Start();
  return w;
}

PaymentGateway* GatewayWiring::ClientFor(gw::Gateway g) const {
  for (const auto& c : clients) {
    if (c->gateway() == g) return c.get();
  }
  return nullptr;
}

std::vector<Sample> GatewayWiring::MetricSamples() const {
  return dispatcher ? dispatcher->MetricSamples() : std::vector<Sample>{};
}

void GatewayWiring::StartRecovery() {
  if (!dispatcher || recovering) return;
  GatewayDispatcher* d = dispatcher.get();
  recovering = std::make_unique<std::thread>([d] {
    auto n = d->Recover();
    if (!n.ok()) {
      std::fprintf(stderr, "folio: gateway recovery: %s\n", n.status().ToString().c_str());
    } else if (*n > 0) {
      std::fprintf(stderr, "folio: following %zu unfinished gateway payment(s) and refund(s)\n",
                   *n);
    }
  });
}

void GatewayWiring::Stop() {
  if (dispatcher) dispatcher->Stop();
  if (recovering && recovering->joinable()) recovering->join();
}

// --- Alipay -----------------------------------------------------------------

AlipayGateway::AlipayGateway(gw::AlipayApi api, std::unique_ptr<GatewayCaller> caller,
                             NowSeconds now_s)
    : api_(std::move(api)), caller_(std::move(caller)), now_s_(std::move(now_s)) {}

Result<gw::CreatedTrade> AlipayGateway::CreateTrade(const TradeOrder& o) {
  const std::string subject = o.description.empty() ? "Payment " + o.payment_id : o.description;
  return caller_->Call<gw::CreatedTrade>(
      "precreate",
      [&] {
        const std::int64_t now = now_s_();
        return api_.Precreate(o.payment_id, o.amount, subject, MinutesUntil(o.expires_at_s, now),
                              now);
      },
      [&](const gw::InboundResponse& r) { return api_.ParsePrecreate(r, o.payment_id); });
}

Result<gw::TradeQuery> AlipayGateway::QueryTrade(std::string_view payment_id, std::int64_t) {
  return caller_->Call<gw::TradeQuery>(
      "query", [&] { return api_.Query(payment_id, now_s_()); },
      [&](const gw::InboundResponse& r) { return api_.ParseQuery(r, payment_id); });
}

Status AlipayGateway::CloseTrade(std::string_view payment_id) {
  return caller_
      ->Call<bool>(
          "close", [&] { return api_.Close(payment_id, now_s_()); },
          [&](const gw::InboundResponse& r) -> Result<bool> {
            RETURN_IF_ERROR(api_.ParseClose(r, payment_id));
            return true;
          })
      .status();
}

Result<gw::RefundAnswer> AlipayGateway::Refund(const RefundOrder& o) {
  return caller_->Call<gw::RefundAnswer>(
      "refund",
      [&] { return api_.Refund(o.payment_id, o.refund_id, o.amount, o.reason, now_s_()); },
      // fund_change N comes back as processing: the refund query says more.
      [&](const gw::InboundResponse& r) { return api_.ParseRefund(r, o.payment_id); });
}

Result<gw::RefundAnswer> AlipayGateway::QueryRefund(const RefundOrder& o) {
  return caller_->Call<gw::RefundAnswer>(
      "refund_query", [&] { return api_.RefundQuery(o.payment_id, o.refund_id, now_s_()); },
      [&](const gw::InboundResponse& r) {
        return api_.ParseRefundQuery(r, o.payment_id, o.refund_id);
      });
}

Result<gw::BillLocation> AlipayGateway::TradeBill(std::string_view date) {
  return caller_->Call<gw::BillLocation>(
      "bill", [&] { return api_.BillDownloadUrl(date, now_s_()); },
      [&](const gw::InboundResponse& r) { return api_.ParseBillDownloadUrl(r); });
}

Result<std::string> AlipayGateway::DownloadBill(const gw::BillLocation& where) {
  // Alipay's URL carries its own short-lived signature: a plain GET.
  ASSIGN_OR_RETURN(auto split, SplitUrl(where.download_url));
  gw::OutboundRequest req;
  req.target = split.second;
  return FetchBill(split.first, std::move(req), where);
}

// --- WeChat Pay -------------------------------------------------------------

WechatGateway::WechatGateway(gw::WechatApiCodec codec, std::unique_ptr<GatewayCaller> caller,
                             NowSeconds now_s)
    : codec_(std::move(codec)), caller_(std::move(caller)), now_s_(std::move(now_s)) {}

Result<std::size_t> WechatGateway::RefreshCertificates() {
  std::lock_guard<std::mutex> lock(refresh_mu_);
  return caller_->Call<std::size_t>(
      "certificates",
      [&]() -> Result<gw::OutboundRequest> {
        return codec_.Certificates(gw::NewWechatStamp(now_s_()));
      },
      [&](const gw::InboundResponse& r) { return codec_.LoadCertificates(r, now_s_()); });
}

Status WechatGateway::EnsureCertificates() {
  if (codec_.platform_keys().size() > 0 || !codec_.config().public_key_id.empty()) {
    return OkStatus();
  }
  return RefreshCertificates().status();
}

template <class T>
Result<T> WechatGateway::Verified(const std::function<Result<T>()>& parse) {
  Result<T> v = parse();
  if (v.ok() || !gw::NeedsWechatCertificateRefresh(v.status())) return v;
  // An unknown serial: WeChat Pay rotated its certificate. One refresh, then
  // the same answer is verified again; still unknown is an error.
  if (!RefreshCertificates().ok()) return v;
  return parse();
}

Result<gw::CreatedTrade> WechatGateway::CreateTrade(const TradeOrder& o) {
  RETURN_IF_ERROR(EnsureCertificates());
  gw::WechatNativeOrder order;
  order.out_trade_no = o.payment_id;
  order.description = o.description.empty() ? "Payment " + o.payment_id : o.description;
  order.amount = o.amount;
  if (o.expires_at_s > 0) order.time_expire_s = o.expires_at_s;
  return caller_->Call<gw::CreatedTrade>(
      "native", [&] { return codec_.NativeOrder(order, gw::NewWechatStamp(now_s_())); },
      [&](const gw::InboundResponse& r) {
        return Verified<gw::CreatedTrade>([&] { return codec_.ParseNativeOrder(r, now_s_()); });
      });
}

Result<gw::TradeQuery> WechatGateway::QueryTrade(std::string_view payment_id, std::int64_t) {
  RETURN_IF_ERROR(EnsureCertificates());
  return caller_->Call<gw::TradeQuery>(
      "query", [&] { return codec_.QueryOrder(payment_id, gw::NewWechatStamp(now_s_())); },
      [&](const gw::InboundResponse& r) {
        return Verified<gw::TradeQuery>(
            [&] { return codec_.ParseQueryOrder(r, payment_id, now_s_()); });
      });
}

Status WechatGateway::CloseTrade(std::string_view payment_id) {
  RETURN_IF_ERROR(EnsureCertificates());
  auto closed = caller_->Call<bool>(
      "close", [&] { return codec_.CloseOrder(payment_id, gw::NewWechatStamp(now_s_())); },
      [&](const gw::InboundResponse& r) {
        return Verified<bool>([&]() -> Result<bool> {
          RETURN_IF_ERROR(codec_.ParseCloseOrder(r, now_s_()));
          return true;
        });
      });
  return closed.status();
}

Result<gw::RefundAnswer> WechatGateway::Refund(const RefundOrder& o) {
  RETURN_IF_ERROR(EnsureCertificates());
  gw::WechatRefundRequest req;
  req.out_trade_no = o.payment_id;
  req.out_refund_no = o.refund_id;
  req.refund = o.amount;
  req.total = o.payment_amount;
  return caller_->Call<gw::RefundAnswer>(
      "refund", [&] { return codec_.Refund(req, gw::NewWechatStamp(now_s_())); },
      [&](const gw::InboundResponse& r) {
        return Verified<gw::RefundAnswer>(
            [&] { return codec_.ParseRefund(r, o.refund_id, now_s_()); });
      });
}

Result<gw::RefundAnswer> WechatGateway::QueryRefund(const RefundOrder& o) {
  RETURN_IF_ERROR(EnsureCertificates());
  return caller_->Call<gw::RefundAnswer>(
      "refund_query", [&] { return codec_.QueryRefund(o.refund_id, gw::NewWechatStamp(now_s_())); },
      [&](const gw::InboundResponse& r) {
        return Verified<gw::RefundAnswer>(
            [&] { return codec_.ParseRefundQuery(r, o.refund_id, now_s_()); });
      });
}

Result<gw::BillLocation> WechatGateway::TradeBill(std::string_view date) {
  RETURN_IF_ERROR(EnsureCertificates());
  return caller_->Call<gw::BillLocation>(
      "bill", [&] { return codec_.TradeBill(date, gw::NewWechatStamp(now_s_())); },
      [&](const gw::InboundResponse& r) {
        return Verified<gw::BillLocation>([&] { return codec_.ParseTradeBill(r, now_s_()); });
      });
}

Result<std::string> WechatGateway::DownloadBill(const gw::BillLocation& where) {
  ASSIGN_OR_RETURN(auto split, SplitUrl(where.download_url));
  ASSIGN_OR_RETURN(gw::OutboundRequest req,
                   codec_.BillDownload(split.second, gw::NewWechatStamp(now_s_())));
  req.target = split.second;
  return FetchBill(split.first, std::move(req), where);
}

// --- UnionPay ---------------------------------------------------------------

UnionPayGateway::UnionPayGateway(gw::UnionPayApi api, std::unique_ptr<GatewayCaller> caller,
                                 NowSeconds now_s)
    : api_(std::move(api)), caller_(std::move(caller)), now_s_(std::move(now_s)) {}

Result<gw::CreatedTrade> UnionPayGateway::CreateTrade(const TradeOrder& o) {
  // txnTime is the payment's creation, so that a query (and a resend of the
  // same order) names the same transaction.
  const std::int64_t txn_s = o.created_at_s > 0 ? o.created_at_s : now_s_();
  return caller_->Call<gw::CreatedTrade>(
      "qr_apply", [&] { return api_.ApplyQrCode(o.payment_id, o.amount, txn_s); },
      [&](const gw::InboundResponse& r) {
        return api_.ParseApplyQrCode(r, o.payment_id, now_s_());
      });
}

Result<gw::TradeQuery> UnionPayGateway::QueryTrade(std::string_view payment_id,
                                                   std::int64_t created_at_s) {
  return caller_->Call<gw::TradeQuery>(
      "query", [&] { return api_.Query(payment_id, created_at_s); },
      [&](const gw::InboundResponse& r) { return api_.ParseQuery(r, payment_id, now_s_()); });
}

Status UnionPayGateway::CloseTrade(std::string_view) { return OkStatus(); }

Result<gw::RefundAnswer> UnionPayGateway::Refund(const RefundOrder& o) {
  std::int64_t txn_s = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, fresh] = refund_txn_s_.try_emplace(o.refund_id, now_s_());
    txn_s = it->second;
  }
  return caller_->Call<gw::RefundAnswer>(
      "refund", [&] { return api_.Refund(o.refund_id, o.gateway_txn_id, o.amount, txn_s); },
      [&](const gw::InboundResponse& r) { return api_.ParseRefund(r, o.refund_id, now_s_()); });
}

Result<gw::RefundAnswer> UnionPayGateway::QueryRefund(const RefundOrder& o) {
  std::int64_t txn_s = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = refund_txn_s_.find(o.refund_id);
    if (it == refund_txn_s_.end()) {
      return Status::Error(gw::codes::kGatewayUnavailable,
                           "the refund's txnTime is not known (sent before a restart): not "
                           "resent; check it at UnionPay");
    }
    txn_s = it->second;
  }
  return caller_->Call<gw::RefundAnswer>(
      "refund_query", [&] { return api_.Query(o.refund_id, txn_s); },
      [&](const gw::InboundResponse& r) {
        return api_.ParseRefundQuery(r, o.refund_id, now_s_());
      });
}

Result<gw::BillLocation> UnionPayGateway::TradeBill(std::string_view date) {
  // "YYYY-MM-DD" -> ACP's settleDate "MMDD".
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') {
    return Status::Error(codes::kInvalidArgument, "bill date must be YYYY-MM-DD");
  }
  const std::string settle = std::string(date.substr(5, 2)) + std::string(date.substr(8, 2));
  ASSIGN_OR_RETURN(gw::UnionPayFile file,
                   caller_->Call<gw::UnionPayFile>(
                       "file_transfer", [&] { return api_.FileTransfer(settle, now_s_()); },
                       [&](const gw::InboundResponse& r) {
                         return api_.ParseFileTransfer(r, settle, now_s_());
                       }));
  gw::BillLocation where;
  where.content = std::move(file.bytes);
  return where;
}

Result<std::string> UnionPayGateway::DownloadBill(const gw::BillLocation& where) {
  if (!where.download_url.empty()) {
    return Status::Error(gw::codes::kGatewayRefused,
                         "UnionPay hands its files over in the file transfer answer, not by URL");
  }
  return where.content;
}

}  // namespace folio::http
