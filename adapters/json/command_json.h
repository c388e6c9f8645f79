// The command JSON format: one JSON object per command, the same for
// `folio exec` (JSON Lines) and the HTTP API (request bodies). The format,
// field by field, is documented in docs/commands.md; this header is the
// contract of the codec.
//
//   command    := "{" "type": TYPE, "idempotency_key": ID [, "at": TIME]
//                     [, "correlation_id": ID] [, field]* "}"   (keys in any order)
//   money      := decimal string ("100.00"), never a JSON number; one
//                 "currency" per command applies to all its money fields
//                 (method.configure: one "currency" per rule)
//   TIME       := RFC 3339 string (adapters/json/rfc3339.h)
//   ID         := string of 1..200 bytes, no control characters
//
// Strict by design, because the input is hostile: unknown fields, duplicate
// keys, JSON null, numbers for amounts, fractional or out-of-range integers,
// inputs over 1 MiB and nesting deeper than 16 are all rejected. Errors are
// Status values with the codes of adapters/json/json_codes.h plus the money
// codes (amount_invalid, amount_precision, amount_overflow, currency_unknown);
// the message names the field. Nothing here throws. Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/domain/commands.h"
#include "events/status.h"

namespace folio::json {

inline constexpr std::size_t kInputBytesMax = 1 << 20;  // 1 MiB
inline constexpr std::size_t kDepthMax = 16;            // nesting of objects and arrays
inline constexpr std::size_t kIdBytesMax = 200;         // ids, idempotency and correlation keys
inline constexpr std::size_t kTextBytesMax = 2048;      // reason, description, payee, ...
inline constexpr std::size_t kRulesMax = 16;            // method.configure "rules"

struct ParsedCommand {
  domain::Command command;
  std::string idempotency_key;        // required; an ID
  std::optional<std::int64_t> at_ns;  // "at": ns since the epoch, UTC; absent: the caller's clock
  std::string correlation_id;         // optional; empty when absent
  // The request without idempotency_key, at and correlation_id, with "type"
  // always present: keys sorted (byte order) at every level, no whitespace,
  // strings re-escaped minimally. Equal for requests that differ only in key
  // order, whitespace or string escapes; the input of the request fingerprint.
  std::string canonical;
};

// Parses one JSON object that carries its "type". Checks, in this order:
// size and JSON syntax (invalid_json), "type" (missing_field, invalid_field,
// unknown_command_type), unknown fields (unknown_field), idempotency_key, at,
// correlation_id, then the command's fields in the order of docs/commands.md.
Result<ParsedCommand> ParseCommand(std::string_view json_text);

// The same, for a body whose type is implied (HTTP: POST /v1/payments is
// "payment.create") and whose idempotency key comes from a header. The body
// must not contain "type" or "idempotency_key" (unknown_field). The canonical
// form is the one ParseCommand gives for the same command with its "type".
Result<ParsedCommand> ParseCommandBody(std::string_view type, std::string_view json_text,
                                       std::string_view idempotency_key);

// "payment.create", ... (the "type" of the command's JSON form).
std::string_view CommandTypeName(const domain::Command& command);

// Renders `parsed` as one line of the command format, keys sorted, optional
// fields left out when empty/absent and defaults left out: ParseCommand of the
// result gives back an equal command. Ignores parsed.canonical.
// Errors: currency_unknown (a Money of an unregistered asset), invalid_field
// (money fields of one command in different assets).
Result<std::string> RenderCommand(const ParsedCommand& parsed);

}  // namespace folio::json
