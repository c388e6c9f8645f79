// The gateway notification endpoints (/v1/gateways/{name}/notify) wired to
// the parsers of adapters/gateways/ (docs/gateways.md). Each endpoint is added
// only when its gateway is configured.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "adapters/gateways/gateways.h"
#include "adapters/http/api.h"

namespace folio::http {

struct GatewayConfigs {
  std::optional<gateways::AlipayConfig> alipay;
  std::optional<gateways::WechatConfig> wechat;
  std::optional<gateways::UnionPayConfig> unionpay;
  std::optional<gateways::HmacConfig> chain;
  std::optional<gateways::HmacConfig> generic;
  // Unix seconds; the WeChat Pay and HMAC windows are checked against it.
  std::function<std::int64_t()> now_s;

  // The configs that verify what the sandbox gateway signs.
  static GatewayConfigs FromSandbox(const gateways::SandboxKeys& keys);
  // A JSON file: {"alipay":{"public_key","app_id"},"wechatpay":{"platform_public_key",
  // "platform_serial","apiv3_key","mchid"},"unionpay":{"public_key","mer_id","cert_id"},
  // "chain":{"secret","window_s"},"generic":{"secret","window_s"}}; every part optional.
  // Errors: invalid_argument naming the field.
  static Result<GatewayConfigs> Load(const std::string& path);
};

void AddGatewayRoutes(Api& api, const GatewayConfigs& configs);

}  // namespace folio::http
