// ParseStrict and AppendCanonical of json_fields.h: the format's strict JSON
// parser (two passes: a key-only pass that finds duplicate keys, then
// Boost.JSON's DOM parse with the same limits) and its canonical serializer.
#include "adapters/json/json_fields.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <unordered_set>
#include <vector>

#include "adapters/json/command_json.h"
#include "adapters/json/json_codes.h"

namespace folio::json::internal {
namespace bj = boost::json;
namespace {

// Pass one of ParseStrict: a handler that builds nothing and only remembers
// the keys of each open object, to find duplicates.
class DuplicateKeyFinder {
 public:
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();

  bool on_document_begin(bj::error_code&) { return true; }
  bool on_document_end(bj::error_code&) { return true; }
  bool on_array_begin(bj::error_code&) { return true; }
  bool on_array_end(std::size_t, bj::error_code&) { return true; }
  bool on_object_begin(bj::error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, bj::error_code&) {
    keys_.pop_back();
    return true;
  }
  bool on_string_part(bj::string_view, std::size_t, bj::error_code&) { return true; }
  bool on_string(bj::string_view, std::size_t, bj::error_code&) { return true; }
  bool on_key_part(bj::string_view s, std::size_t, bj::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(bj::string_view s, std::size_t, bj::error_code& ec) {
    key_.append(s.data(), s.size());
    if (!keys_.back().insert(key_).second) {
      duplicate_ = std::move(key_);
      ec = bj::error::syntax;
      return false;
    }
    key_.clear();
    return true;
  }
  bool on_number_part(bj::string_view, bj::error_code&) { return true; }
  bool on_int64(std::int64_t, bj::string_view, bj::error_code&) { return true; }
  bool on_uint64(std::uint64_t, bj::string_view, bj::error_code&) { return true; }
  bool on_double(double, bj::string_view, bj::error_code&) { return true; }
  bool on_bool(bool, bj::error_code&) { return true; }
  bool on_null(bj::error_code&) { return true; }
  bool on_comment_part(bj::string_view, bj::error_code&) { return true; }
  bool on_comment(bj::string_view, bj::error_code&) { return true; }

  const std::optional<std::string>& duplicate() const { return duplicate_; }

 private:
  std::vector<std::unordered_set<std::string>> keys_;
  std::string key_;
  std::optional<std::string> duplicate_;
};

bj::parse_options StrictOptions() {
  bj::parse_options opt;
  opt.max_depth = kDepthMax;
  opt.allow_comments = false;
  opt.allow_trailing_commas = false;
  opt.allow_invalid_utf8 = false;
  return opt;
}

Status InvalidJson(std::string message) {
  return Status::Error(codes::kInvalidJson, std::move(message));
}

Status ParseStrictSyntax(std::string_view text) {
  bj::basic_parser<DuplicateKeyFinder> parser(StrictOptions());
  bj::error_code ec;
  const std::size_t n = parser.write_some(false, text.data(), text.size(), ec);
  if (parser.handler().duplicate()) {
    return InvalidJson("duplicate key \"" + *parser.handler().duplicate() + "\"");
  }
  if (ec) return InvalidJson(ec.message() + " (near byte " + std::to_string(n) + ")");
  if (n < text.size()) return InvalidJson("extra data after the JSON value");
  return OkStatus();
}

void AppendString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out->push_back('\\');
      out->push_back(ch);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
      out->append(buf);
    } else {
      out->push_back(ch);
    }
  }
  out->push_back('"');
}

}  // namespace

Result<bj::value> ParseStrict(std::string_view text) {
  if (text.size() > kInputBytesMax) {
    return InvalidJson("input of " + std::to_string(text.size()) + " bytes exceeds " +
                       std::to_string(kInputBytesMax));
  }
  RETURN_IF_ERROR(ParseStrictSyntax(text));
  bj::error_code ec;
  bj::value v = bj::parse(bj::string_view(text.data(), text.size()), ec, {}, StrictOptions());
  // Pass one accepted the same text with the same options.
  if (ec) return InvalidJson(ec.message());
  return v;
}

void AppendCanonical(const bj::value& v, std::string* out) {
  switch (v.kind()) {
    case bj::kind::null:
      out->append("null");
      return;
    case bj::kind::bool_:
      out->append(v.get_bool() ? "true" : "false");
      return;
    case bj::kind::int64:
      out->append(std::to_string(v.get_int64()));
      return;
    case bj::kind::uint64:
      out->append(std::to_string(v.get_uint64()));
      return;
    case bj::kind::double_:
      out->append(bj::serialize(v));
      return;  // not reached: rejected
    case bj::kind::string:
      AppendString(v.get_string(), out);
      return;
    case bj::kind::array: {
      out->push_back('[');
      bool first = true;
      for (const bj::value& e : v.get_array()) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonical(e, out);
      }
      out->push_back(']');
      return;
    }
    case bj::kind::object: {
      std::vector<const bj::key_value_pair*> sorted;
      for (const bj::key_value_pair& kv : v.get_object()) sorted.push_back(&kv);
      std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
        return std::string_view(a->key()) < std::string_view(b->key());
      });
      out->push_back('{');
      bool first = true;
      for (const bj::key_value_pair* kv : sorted) {
        if (!first) out->push_back(',');
        first = false;
        AppendString(kv->key(), out);
        out->push_back(':');
        AppendCanonical(kv->value(), out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace folio::json::internal
