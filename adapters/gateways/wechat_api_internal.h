// Internal to the WeChat Pay v3 codec (wechat_api.cc, wechat_certificates.cc):
// the answer-reading helpers both use. Includes Boost.JSON.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "adapters/gateways/wechat_platform_keys.h"
#include "events/status.h"

namespace folio::gateways::wechat_internal {

// gateway_response_invalid with `message`.
Status Invalid(std::string message);

// The non-empty string field `key` of `o`; gateway_response_invalid when it is
// missing, not a string, or empty.
Result<std::string> Str(const boost::json::object& o, std::string_view key);

// The platform certificates of a /v3/certificates answer's body ("data": 1 to
// WechatPlatformKeys::kKeysMax items), each decrypted with the APIv3 key
// (AEAD_AES_256_GCM) and read as X.509; its validity is the narrower of the
// listed times and the certificate's own. Errors: gateway_response_invalid
// (shape, times, algorithm), notification_undecryptable (wrong APIv3 key),
// gateway_certificate_invalid (not a certificate, or another serial than
// listed).
Result<std::vector<std::shared_ptr<const WechatPlatformKey>>> DecodeCertificates(
    const boost::json::object& body, std::string_view apiv3_key);

}  // namespace folio::gateways::wechat_internal
