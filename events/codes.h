// Stable error and rejection codes. Append only; never rename. Documented in
// docs/errors.md (log and decoding) and docs/rejections.md (domain).
#pragma once

#include <string_view>

namespace folio::codes {

// Input and decoding.
inline constexpr std::string_view kAmountInvalid = "amount_invalid";
inline constexpr std::string_view kAmountPrecision = "amount_precision";
inline constexpr std::string_view kAmountOverflow = "amount_overflow";
inline constexpr std::string_view kAmountUnderflow = "amount_underflow";
inline constexpr std::string_view kCurrencyUnknown = "currency_unknown";
inline constexpr std::string_view kCurrencyMismatch = "currency_mismatch";
inline constexpr std::string_view kEnvelopeInvalid = "envelope_invalid";
inline constexpr std::string_view kInvalidArgument = "invalid_argument";

// Log store.
inline constexpr std::string_view kStreamVersionConflict = "stream_version_conflict";
inline constexpr std::string_view kIdempotencyKeyConflict = "idempotency_key_conflict";
inline constexpr std::string_view kStoreFailed = "store_failed";
inline constexpr std::string_view kStoreClosed = "store_closed";
inline constexpr std::string_view kStoreOverloaded = "store_overloaded";
inline constexpr std::string_view kIoError = "io_error";
inline constexpr std::string_view kNoSpace = "no_space";
inline constexpr std::string_view kCorruption = "corruption";
inline constexpr std::string_view kNotFound = "not_found";

}  // namespace folio::codes
