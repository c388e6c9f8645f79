// Internal to adapters/gateways: error helpers, id checks, amount parsing and
// JSON field access shared by the parsers. Includes Boost.JSON, so only
// adapters/gateways/*.cc include it.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/gateways/form.h"
#include "adapters/gateways/gateway_codes.h"
#include "adapters/gateways/notification.h"
#include "events/money.h"
#include "events/status.h"

namespace folio::gateways::internal {

// Longest id (trade number, transaction id, refund id, nonce) accepted.
inline constexpr std::size_t kIdBytesMax = 128;
// Largest JSON body accepted.
inline constexpr std::size_t kJsonBytesMax = 64 * 1024;

Status Malformed(std::string message);
Status UnknownStatus(std::string message);

// notification_malformed unless `value` is 1..kIdBytesMax bytes with no
// control character, '/' or ':' (the rule of domain ids).
Status CheckId(std::string_view field, std::string_view value);

// Whole minor units written as plain decimal digits ("8888" fen).
// amount_invalid: empty, a sign, a dot, any non-digit, zero;
// amount_overflow: does not fit u128.
Result<u128> MinorFromDigits(std::string_view field, std::string_view digits);

// A decimal amount string in `asset` ("88.88"): Money::Parse's codes, and
// amount_invalid for zero.
Result<Money> PositiveAmount(std::string_view field, std::string_view decimal, Asset asset);

// The JSON object in `text` (strict: no duplicate keys, depth <= 16, at most
// kJsonBytesMax bytes). Errors: notification_malformed.
Result<boost::json::object> ParseJsonObject(std::string_view text, std::string_view what);

// Field access; missing or wrongly typed -> notification_malformed.
Result<std::string> JsonString(const boost::json::object& obj, std::string_view key);
std::optional<std::string> JsonOptionalString(const boost::json::object& obj, std::string_view key);
Result<const boost::json::object*> JsonObject(const boost::json::object& obj, std::string_view key);
// A JSON integer >= 0. A string, a fraction or a negative number ->
// amount_invalid (for amounts) or notification_malformed (`is_amount` false);
// an integer beyond 2^64 -> amount_overflow.
Result<std::uint64_t> JsonUnsigned(const boost::json::object& obj, std::string_view key,
                                   bool is_amount);

// Unix seconds written as 1 to 12 decimal digits. Errors: notification_malformed.
Result<std::int64_t> ParseUnixSeconds(std::string_view field, std::string_view text);

// signature_expired when |now_s - ts_s| > window_s.
Status CheckWindow(std::int64_t ts_s, std::int64_t now_s, std::int64_t window_s);

// Checks an id (CheckId) and returns it.
Result<std::string> JsonId(const boost::json::object& obj, std::string_view key);

// A form parameter that must be present and non-empty (notification_malformed
// otherwise); RequiredId also checks it as an id (CheckId).
Result<std::string_view> Required(const FormPairs& form, std::string_view name);
Result<std::string_view> RequiredId(const FormPairs& form, std::string_view name);

}  // namespace folio::gateways::internal
