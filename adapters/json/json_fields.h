// Internal to adapters/json: the strict JSON document parser, a field reader
// with the format's type rules, a field writer, and the canonical serializer.
// Includes Boost.JSON, so only adapters/json/*.cc (and the gateway parsers,
// for ParseStrict) include this header.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/domain/commands.h"
#include "events/money.h"
#include "events/status.h"

namespace folio::json::internal {

// Parses `text` as one JSON value: at most kInputBytesMax bytes, valid UTF-8,
// nesting at most kDepthMax, no comments or trailing commas, no duplicate key
// in any object (Boost.JSON alone would keep the last one silently).
// Errors: invalid_json. Never throws.
Result<boost::json::value> ParseStrict(std::string_view text);

// Appends the canonical form of `v`: object keys sorted by bytes at every
// level, no whitespace, strings escaped minimally (\" \\ and \u00XX for
// control characters), integers in decimal. REQUIRES: `v` holds no double.
void AppendCanonical(const boost::json::value& v, std::string* out);

enum class Need { kRequired, kOptional };

// Reads the fields of one JSON object with the format's rules. Messages name
// the field with `path` in front ("rules[1].fee.rate_bp"). Each getter leaves
// `*out` untouched when an optional field is absent, so defaults are the
// struct's. Money getters take the currency from the object's "currency".
class FieldReader {
 public:
  // REQUIRES: `obj` outlives the reader.
  FieldReader(const boost::json::object& obj, std::string path)
      : obj_(obj), path_(std::move(path)) {}

  // unknown_field for a key not in `allowed` (space-separated names).
  Status CheckKnown(std::string_view allowed) const;
  // invalid_field when "currency" is present but no money field used it.
  Status CheckCurrencyUsed() const;

  Status Id(std::string_view key, std::string* out, Need need);
  Status Text(std::string_view key, std::string* out, Need need);
  Status U32(std::string_view key, std::uint32_t* out, Need need);
  Status U32(std::string_view key, std::optional<std::uint32_t>* out);
  Status U64(std::string_view key, std::uint64_t* out, Need need);
  Status Bool(std::string_view key, bool* out, Need need);
  Status Time(std::string_view key, std::int64_t* out, Need need);
  Status Time(std::string_view key, std::optional<std::int64_t>* out);
  Status Method(std::string_view key, fb::Method* out, Need need);
  Status Destination(std::string_view key, fb::Destination* out, Need need);
  Status RefundTarget(std::string_view key, fb::RefundTarget* out, Need need);
  Status Network(std::string_view key, std::string* out, Need need);
  Status Currency(std::string_view key, Asset* out, Need need);
  Status Amount(std::string_view key, Money* out, Need need);
  Status Amount(std::string_view key, std::optional<Money>* out);
  // The value of an object-valued field; nullptr when an optional one is absent.
  Status Object(std::string_view key, const boost::json::object** out, Need need);
  Status Array(std::string_view key, const boost::json::array** out, Need need);

  std::string Name(std::string_view key) const { return path_ + std::string(key); }

 private:
  // Sets *out to the value or nullptr (absent and optional); missing_field
  // when required and absent.
  Status Find(std::string_view key, Need need, const boost::json::value** out) const;
  Status String(std::string_view key, Need need, const boost::json::string** out) const;

  const boost::json::object& obj_;
  std::string path_;
  bool currency_used_ = false;
};

// Writes fields into an object; the opposite of FieldReader. Money fields set
// "currency" and must all be of one registered asset (checked by status()).
class FieldWriter {
 public:
  FieldWriter() = default;
  // Money fields must be of `currency` (a method.configure rule's own).
  explicit FieldWriter(Asset currency) : currency_(currency) {}

  // Keeps the first error.
  void Merge(const Status& s) {
    if (status_.ok() && !s.ok()) status_ = s;
  }
  void Str(std::string_view key, std::string_view value);  // omitted when empty
  void U32(std::string_view key, std::uint32_t value);
  void U32(std::string_view key, const std::optional<std::uint32_t>& value);
  void U64(std::string_view key, std::uint64_t value);
  void Bool(std::string_view key, bool value);
  void Time(std::string_view key, std::int64_t ns);
  void Time(std::string_view key, const std::optional<std::int64_t>& ns);
  void Method(std::string_view key, fb::Method value);
  void Destination(std::string_view key, fb::Destination value);
  void RefundTarget(std::string_view key, fb::RefundTarget value);
  void Amount(std::string_view key, const Money& value);
  void Amount(std::string_view key, const std::optional<Money>& value);
  void Put(std::string_view key, boost::json::value value);

  const Status& status() const { return status_; }
  boost::json::object& object() { return obj_; }

 private:
  boost::json::object obj_;
  Asset currency_ = Asset::Unknown;
  Status status_;
};

// Names of the enums in the format; empty for a value without a name.
std::string_view MethodName(fb::Method method);

}  // namespace folio::json::internal
