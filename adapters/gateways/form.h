// application/x-www-form-urlencoded, strictly (the bodies of Alipay and
// UnionPay notifications).
//
//   body  := pair *( "&" pair )
//   pair  := name "=" value          ; name non-empty after decoding
//   name, value := *( unreserved / "+" / "%" HEXDIG HEXDIG )
//
// "+" decodes to a space, "%XX" to the byte 0xXX. Rejected (the sender's
// signature cannot be checked against something we had to guess about): an
// empty body or pair ("a=1&&b=2", a trailing "&"), a pair without "=", a "%"
// not followed by two hex digits, a repeated name (parameter pollution), more
// than kFormPairsMax pairs or kFormBytesMax bytes. Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/status.h"

namespace folio::gateways {

inline constexpr std::size_t kFormBytesMax = 64 * 1024;
inline constexpr std::size_t kFormPairsMax = 256;

// Pairs in body order, names and values decoded.
using FormPairs = std::vector<std::pair<std::string, std::string>>;

// Errors: notification_malformed.
Result<FormPairs> ParseForm(std::string_view body);

// %XX decoding (either hex case); '+' is a space when plus_is_space (form
// bodies, query strings) and itself otherwise (URL paths). nullopt for a
// truncated or non-hex escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Encodes pairs in the given order. Unreserved bytes (A-Z a-z 0-9 - . _ *)
// stay, a space becomes "+", everything else "%XX" (upper-case hex).
// ParseForm(EncodeForm(p)) == p for pairs with distinct non-empty names.
std::string EncodeForm(const FormPairs& pairs);

// The decoded value of `name`; nullopt when absent.
std::optional<std::string_view> FormValue(const FormPairs& pairs, std::string_view name);

}  // namespace folio::gateways
