// Keys shared by the gateway tests: generated once per test binary (RSA-2048
// generation is slow), never written to disk.
#pragma once

#include <string>

#include "adapters/gateways/sandbox.h"
#include "events/status.h"

namespace folio::gateways::testing {

// The sandbox's keys: what the server under test is configured with.
inline const SandboxKeys& Keys() {
  static const SandboxKeys keys = SandboxKeys::Generate();
  return keys;
}

// Another, unrelated set: signatures by the wrong key.
inline const SandboxKeys& OtherKeys() {
  static const SandboxKeys keys = [] {
    SandboxKeys k = SandboxKeys::Generate();
    const SandboxKeys& ours = Keys();
    // Same identities, different secrets.
    k.alipay_app_id = ours.alipay_app_id;
    k.wechat_mchid = ours.wechat_mchid;
    k.wechat_platform_serial = ours.wechat_platform_serial;
    k.unionpay_mer_id = ours.unionpay_mer_id;
    k.unionpay_cert_id = ours.unionpay_cert_id;
    return k;
  }();
  return keys;
}

template <typename T>
std::string CodeOf(const Result<T>& r) {
  return r.ok() ? std::string("ok") : std::string(r.status().code());
}

// 2026-11-22T01:00:00Z.
inline constexpr std::int64_t kNow = 1795309200;

}  // namespace folio::gateways::testing
