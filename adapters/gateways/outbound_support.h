// Internal to adapters/gateways: the checks every outbound codec makes on an
// HTTP response before it reads the body, and the error helpers of the
// outbound codes (gateway_api.h). Thread-safe (pure functions).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "adapters/gateways/gateway_api.h"
#include "events/money.h"
#include "events/status.h"

namespace folio::gateways::internal {

Status Refused(std::string message);
Status Unavailable(std::string message);
Status ResponseInvalid(std::string message);

// A parse error of a response body is the gateway's fault, not a notification
// sender's: notification_malformed, gateway_unknown_status and the amount
// codes become gateway_response_invalid (the old code leads the message);
// every other code (signature_*, gateway_*) is kept.
Status AsResponseError(const Status& s);

// In this order:
//   gateway_unavailable       HTTP 5xx
//   gateway_response_invalid  any other status than 200, a body over
//                             kMaxResponseBytes, or a Content-Type whose media
//                             type (before any ';', case-insensitive, spaces
//                             trimmed) is not one of `media_types`.
Status CheckHttpResponse(const InboundResponse& r,
                         std::initializer_list<std::string_view> media_types);

// A positive CNY yuan decimal ("88.88"); anything else (more than 2
// decimals, a sign, zero, beyond u128) -> gateway_response_invalid naming
// the field and the money code.
Result<Money> ResponseYuan(std::string_view field, std::string_view decimal);

}  // namespace folio::gateways::internal
