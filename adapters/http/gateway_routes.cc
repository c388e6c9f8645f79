#include "adapters/http/gateway_routes.h"

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>

#include <boost/json.hpp>

#include "adapters/json/query_json.h"
#include "events/codes.h"

namespace folio::http {
namespace {

std::int64_t SystemNowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Response Text(std::string body) {
  return Response{200, "text/plain; charset=utf-8", std::move(body), {}};
}

Response JsonReply(const Status& why) {
  if (why.ok()) return Response{200, "application/json", R"({"ok":true})", {}};
  boost::json::object o;
  o["code"] = why.code();
  o["message"] = json::ValidUtf8(why.message());
  return Response{400, "application/json", boost::json::serialize(o), {}};
}

GatewayVerdict ToVerdict(gateways::Notification n) {
  return GatewayVerdict{std::move(n.dedupe_key), std::move(n.command)};
}

// Rejections meaning "this fact is already recorded": the gateway gets its
// success reply so that it stops retrying (docs/gateways.md). A fact's key
// names the fact itself (gateway, trade or refund, outcome), so the same key
// with other wording (a notification's description where the status poller
// recorded the plain one) is that fact, already recorded.
const std::vector<std::string> kBenign = {"payment_already_settled", "payment_closed",
                                          "refund_not_pending", "idempotency_key_conflict"};

gateways::HmacHeaders HmacHeadersOf(const Request& r) {
  return gateways::HmacHeaders{std::string(r.Header("x-folio-timestamp")),
                               std::string(r.Header("x-folio-nonce")),
                               std::string(r.Header("x-folio-signature"))};
}

std::string Str(const boost::json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

GatewayConfigs GatewayConfigs::FromSandbox(const gateways::SandboxKeys& keys) {
  GatewayConfigs c;
  c.alipay = keys.alipay_config();
  c.wechat = keys.wechat_config();
  c.unionpay = keys.unionpay_config();
  c.chain = keys.hmac_config();
  c.generic = keys.hmac_config();
  return c;
}

Result<GatewayConfigs> GatewayConfigs::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Error(codes::kNotFound, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  auto v = boost::json::parse(ss.str(), ec);
  if (ec || !v.is_object()) {
    return Status::Error(codes::kInvalidArgument, path + ": not a JSON object");
  }
  const auto& o = v.as_object();
  GatewayConfigs c;
  auto part = [&](const char* name) -> const boost::json::object* {
    auto* p = o.if_contains(name);
    return p != nullptr && p->is_object() ? &p->as_object() : nullptr;
  };
  if (auto* a = part("alipay"))
    c.alipay = gateways::AlipayConfig{Str(*a, "public_key"), Str(*a, "app_id")};
  if (auto* w = part("wechatpay")) {
    c.wechat = gateways::WechatConfig{Str(*w, "platform_public_key"), Str(*w, "platform_serial"),
                                      Str(*w, "apiv3_key"), Str(*w, "mchid")};
  }
  if (auto* u = part("unionpay")) {
    c.unionpay.emplace();
    c.unionpay->unionpay_public_key_pem = Str(*u, "public_key");
    c.unionpay->mer_id = Str(*u, "mer_id");
    c.unionpay->cert_id = Str(*u, "cert_id");
    // The root and middle certificates (here or under "api", where the
    // outbound calls read them too) switch on ACP's certificate chain check.
    const boost::json::object* api = nullptr;
    if (auto* a = u->if_contains("api"); a != nullptr && a->is_object()) api = &a->as_object();
    for (const boost::json::object* where : {u, api}) {
      if (where == nullptr) continue;
      if (c.unionpay->root_cert_pem.empty()) c.unionpay->root_cert_pem = Str(*where, "root_cert");
      if (c.unionpay->middle_cert_pem.empty()) {
        c.unionpay->middle_cert_pem = Str(*where, "middle_cert");
      }
      if (where->if_contains("expected_cert_org") != nullptr) {
        c.unionpay->expected_cert_org = Str(*where, "expected_cert_org");
      }
    }
  }
  for (auto [name, slot] : {std::pair{"chain", &c.chain}, std::pair{"generic", &c.generic}}) {
    if (auto* h = part(name)) {
      gateways::HmacConfig hc;
      hc.secret = Str(*h, "secret");
      if (hc.secret.empty()) {
        return Status::Error(codes::kInvalidArgument, path + ": " + name + ".secret is required");
      }
      if (auto* w = h->if_contains("window_s"); w != nullptr && w->is_int64())
        hc.window_s = w->as_int64();
      *slot = hc;
    }
  }
  return c;
}

namespace {

// A route from a parser (Request -> Result<Notification>) and a reply.
template <typename Parse, typename Reply>
GatewayRoute MakeRoute(std::string name, Parse parse, Reply reply) {
  return GatewayRoute{std::move(name),
                      [parse](const Request& r) -> Result<GatewayVerdict> {
                        ASSIGN_OR_RETURN(auto n, parse(r));
                        return ToVerdict(std::move(n));
                      },
                      reply, kBenign};
}

}  // namespace

void AddGatewayRoutes(Api& api, const GatewayConfigs& configs) {
  auto now = configs.now_s ? configs.now_s : std::function<std::int64_t()>(SystemNowS);
  if (configs.alipay) {
    api.AddGateway(MakeRoute(
        "alipay",
        [cfg = *configs.alipay](const Request& r) {
          return gateways::ParseAlipayNotify(r.body, cfg);
        },
        [](const Status& why) { return Text(gateways::AlipayReply(why.ok())); }));
  }
  if (configs.wechat) {
    api.AddGateway(MakeRoute(
        "wechatpay",
        [cfg = *configs.wechat, now](const Request& r) {
          gateways::WechatHeaders h{std::string(r.Header("wechatpay-timestamp")),
                                    std::string(r.Header("wechatpay-nonce")),
                                    std::string(r.Header("wechatpay-signature")),
                                    std::string(r.Header("wechatpay-serial"))};
          return gateways::ParseWechatNotify(h, r.body, cfg, now());
        },
        [](const Status& why) {
          return Response{200,
                          "application/json",
                          gateways::WechatReply(why.ok(), why.ok() ? "" : why.message()),
                          {}};
        }));
  }
  if (configs.unionpay) {
    api.AddGateway(MakeRoute(
        "unionpay",
        [cfg = *configs.unionpay, now](const Request& r) {
          return gateways::ParseUnionPayNotify(r.body, cfg, now());
        },
        [](const Status& why) { return Text(gateways::UnionPayReply(why.ok())); }));
  }
  for (auto [name, hc, chain] :
       {std::tuple{"chain", configs.chain, true}, std::tuple{"generic", configs.generic, false}}) {
    if (!hc) continue;
    auto cfg = *hc;
    auto nonces = std::make_shared<gateways::NonceCache>(100'000, cfg.window_s);
    api.AddGateway(MakeRoute(
        name,
        [cfg, nonces, now, is_chain = chain](const Request& r) {
          auto h = HmacHeadersOf(r);
          return is_chain ? gateways::ParseChainNotify(h, r.body, cfg, *nonces, now())
                          : gateways::ParseGenericNotify(h, r.body, cfg, *nonces, now());
        },
        JsonReply));
  }
}

}  // namespace folio::http
