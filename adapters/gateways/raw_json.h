// Where a member's value is, byte for byte, in a JSON text: for signatures
// made over the exact bytes a sender wrote (Alipay signs the text of its
// "*_response" object, not a re-serialization). Thread-safe (pure function).
#pragma once

#include <optional>
#include <string_view>

namespace folio::gateways {

// The exact bytes of the value of top-level member `key` of the JSON object
// `json`, found by a scanner that understands strings, escapes and nesting
// (depth <= 64). nullopt when `json` is not one object of well-formed
// structure (strings and their escapes, nesting, ':' and ','; trailing bytes
// included), the key is absent or appears twice. The key is compared as
// written between its quotes (an escaped spelling is not the same key).
// Numbers and literals are only delimited, not spelled out, and UTF-8 is not
// checked: parse `json` strictly first (alipay_api.cc does). On any text the
// strict parser accepts, a value found is exactly the bytes of the value that
// parser reads for the key (tests/fuzz/alipay_api_fuzz.cc checks both).
std::optional<std::string_view> RawJsonMember(std::string_view json, std::string_view key);

}  // namespace folio::gateways
