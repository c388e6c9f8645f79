// Every error code Folio answers with, and its HTTP status: the one table.
//
// A code is a stable snake_case string defined next to the code that
// returns it (events/codes.h, engine/domain/rejections.h, engine/recon,
// projections/checkpoint.h, adapters/json, adapters/gateways, adapters/kafka,
// adapters/statements, and the HTTP layer's own below). Which HTTP status
// each one is answered with is decided here, once, in a table
// (error_status.cc). docs/errors.md ("HTTP status of every code") lists the
// same pairs; tests/adapters/error_codes_test.cpp fails when the two differ,
// when a code constant anywhere has no row, or when a row names no code.
//
// Thread-safe (constant data).
#pragma once

#include <span>
#include <string_view>

namespace folio::http {

// Codes of the HTTP layer (docs/errors.md, "HTTP API").
namespace hcodes {
inline constexpr std::string_view kUnauthorized = "unauthorized";
inline constexpr std::string_view kForbidden = "forbidden";
inline constexpr std::string_view kRouteNotFound = "route_not_found";
inline constexpr std::string_view kMethodNotAllowed = "method_not_allowed";
inline constexpr std::string_view kIdempotencyKeyMissing = "idempotency_key_missing";
inline constexpr std::string_view kUnsupportedMediaType = "unsupported_media_type";
inline constexpr std::string_view kBadRequest = "bad_request";
inline constexpr std::string_view kQueryInvalid = "query_invalid";
inline constexpr std::string_view kNotReady = "not_ready";
// Refused by the server before a request reaches the API (server.cc).
inline constexpr std::string_view kRequestTruncated = "request_truncated";
inline constexpr std::string_view kRequestTimeout = "request_timeout";
inline constexpr std::string_view kBodyTooLarge = "body_too_large";
inline constexpr std::string_view kHeadersTooLarge = "headers_too_large";
inline constexpr std::string_view kTooManyConnections = "too_many_connections";
}  // namespace hcodes

struct CodeStatus {
  std::string_view code;
  unsigned status;
};

// Every code with its status, ordered by status then code.
std::span<const CodeStatus> ErrorStatusTable();

// The HTTP status of `code`: its row of the table. A code without a row is
// taken as a business rule's refusal, 422 (the test above keeps every code
// constant in the table, so this is only for codes made at run time).
unsigned HttpStatusFor(std::string_view code);

}  // namespace folio::http
