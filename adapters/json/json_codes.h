// Error codes of the command JSON format (adapters/json/command_json.h).
// Stable: append only, never rename. Documented in docs/commands.md.
//
// Money fields also return the money codes of events/codes.h: amount_invalid,
// amount_precision, amount_overflow, currency_unknown.
#pragma once

#include <string_view>

namespace folio::json::codes {

// Not one JSON object: a syntax error, invalid UTF-8, a duplicate key,
// nesting deeper than kDepthMax, more than kInputBytesMax bytes.
inline constexpr std::string_view kInvalidJson = "invalid_json";
// "type" names no command.
inline constexpr std::string_view kUnknownCommandType = "unknown_command_type";
// A required field is absent.
inline constexpr std::string_view kMissingField = "missing_field";
// A field has the wrong JSON type, a value out of range, an unknown enum
// value, a malformed id or timestamp; also amounts given as JSON numbers.
inline constexpr std::string_view kInvalidField = "invalid_field";
// A field the command does not have (a typo must not drop data silently).
inline constexpr std::string_view kUnknownField = "unknown_field";

}  // namespace folio::json::codes
