#include "adapters/gateways/parse_support.h"

#include <boost/json/string.hpp>

#include "adapters/json/json_fields.h"
#include "events/codes.h"

namespace folio::gateways {

std::string_view GatewayName(Gateway gateway) {
  switch (gateway) {
    case Gateway::kAlipay:
      return "alipay";
    case Gateway::kWechatPay:
      return "wechatpay";
    case Gateway::kUnionPay:
      return "unionpay";
    case Gateway::kChain:
      return "chain";
    case Gateway::kGeneric:
      return "generic";
  }
  return "unknown";
}

int NotificationErrorHttpStatus(std::string_view code) {
  if (code == codes::kSignatureInvalid || code == codes::kSignatureExpired ||
      code == codes::kSignatureKeyUnknown) {
    return 401;
  }
  if (code == codes::kGatewayMerchantMismatch) return 403;
  if (code == codes::kNotificationReplayed) return 409;
  if (code == codes::kGatewayConfigInvalid) return 500;
  return 400;
}

namespace internal {

namespace bj = boost::json;

Status Malformed(std::string message) {
  return Status::Error(codes::kNotificationMalformed, std::move(message));
}

Status UnknownStatus(std::string message) {
  return Status::Error(codes::kGatewayUnknownStatus, std::move(message));
}

Status CheckId(std::string_view field, std::string_view value) {
  if (value.empty()) return Malformed(std::string(field) + " is empty");
  if (value.size() > kIdBytesMax) return Malformed(std::string(field) + " is too long");
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '/' || c == ':') {
      return Malformed(std::string(field) + " has a forbidden character");
    }
  }
  return OkStatus();
}

Result<u128> MinorFromDigits(std::string_view field, std::string_view digits) {
  const std::string name(field);
  if (digits.empty()) return Status::Error(folio::codes::kAmountInvalid, name + " is empty");
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return Status::Error(folio::codes::kAmountInvalid,
                           name + " must be whole minor units (digits only)");
    }
  }
  const std::optional<u128> v = U128FromString(digits);
  if (!v) return Status::Error(folio::codes::kAmountOverflow, name + " does not fit");
  if (*v == 0) return Status::Error(folio::codes::kAmountInvalid, name + " is zero");
  return *v;
}

Result<Money> PositiveAmount(std::string_view field, std::string_view decimal, Asset asset) {
  Result<Money> m = Money::Parse(decimal, asset);
  if (!m.ok()) {
    return Status::Error(m.status().code(), std::string(field) + ": " + m.status().message());
  }
  if (m->is_zero())
    return Status::Error(folio::codes::kAmountInvalid, std::string(field) + " is zero");
  return m;
}

Result<bj::object> ParseJsonObject(std::string_view text, std::string_view what) {
  if (text.size() > kJsonBytesMax) return Malformed(std::string(what) + " larger than 64 KiB");
  Result<bj::value> v = json::internal::ParseStrict(text);
  if (!v.ok()) return Malformed(std::string(what) + ": " + v.status().message());
  if (!v->is_object()) return Malformed(std::string(what) + " is not a JSON object");
  return std::move(v->as_object());
}

Result<std::string> JsonString(const bj::object& obj, std::string_view key) {
  const bj::value* v = obj.if_contains(key);
  if (v == nullptr) return Malformed("missing field " + std::string(key));
  if (!v->is_string()) return Malformed("field " + std::string(key) + " is not a string");
  return std::string(v->as_string());
}

std::optional<std::string> JsonOptionalString(const bj::object& obj, std::string_view key) {
  const bj::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

Result<const bj::object*> JsonObject(const bj::object& obj, std::string_view key) {
  const bj::value* v = obj.if_contains(key);
  if (v == nullptr) return Malformed("missing field " + std::string(key));
  if (!v->is_object()) return Malformed("field " + std::string(key) + " is not an object");
  return &v->as_object();
}

Result<std::uint64_t> JsonUnsigned(const bj::object& obj, std::string_view key, bool is_amount) {
  const bj::value* v = obj.if_contains(key);
  if (v == nullptr) return Malformed("missing field " + std::string(key));
  const std::string_view bad_code =
      is_amount ? folio::codes::kAmountInvalid : codes::kNotificationMalformed;
  if (v->is_uint64()) return v->as_uint64();
  if (v->is_int64()) {
    if (v->as_int64() < 0) return Status::Error(bad_code, std::string(key) + " is negative");
    return static_cast<std::uint64_t>(v->as_int64());
  }
  if (v->is_double()) {
    // Boost.JSON turns integers beyond 2^64 into doubles.
    if (v->as_double() >= 18446744073709551616.0) {
      return Status::Error(is_amount ? folio::codes::kAmountOverflow : bad_code,
                           std::string(key) + " does not fit 64 bits");
    }
    return Status::Error(bad_code, std::string(key) + " is not an integer");
  }
  return Status::Error(bad_code, std::string(key) + " is not a JSON integer");
}

Result<std::int64_t> ParseUnixSeconds(std::string_view field, std::string_view text) {
  if (text.empty() || text.size() > 12) {
    return Malformed(std::string(field) + " must be 1 to 12 decimal digits");
  }
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Malformed(std::string(field) + " must be decimal seconds");
    v = v * 10 + (c - '0');
  }
  return v;
}

Status CheckWindow(std::int64_t ts_s, std::int64_t now_s, std::int64_t window_s) {
  const std::int64_t skew = ts_s > now_s ? ts_s - now_s : now_s - ts_s;
  if (skew > window_s) {
    return Status::Error(codes::kSignatureExpired, "timestamp is " + std::to_string(skew) +
                                                       " s away from now (window " +
                                                       std::to_string(window_s) + " s)");
  }
  return OkStatus();
}

Result<std::string> JsonId(const bj::object& obj, std::string_view key) {
  ASSIGN_OR_RETURN(std::string id, JsonString(obj, key));
  RETURN_IF_ERROR(CheckId(key, id));
  return id;
}

Result<std::string_view> Required(const FormPairs& form, std::string_view name) {
  const std::optional<std::string_view> v = FormValue(form, name);
  if (!v || v->empty()) return Malformed("missing parameter " + std::string(name));
  return *v;
}

Result<std::string_view> RequiredId(const FormPairs& form, std::string_view name) {
  ASSIGN_OR_RETURN(std::string_view v, Required(form, name));
  RETURN_IF_ERROR(CheckId(name, v));
  return v;
}

}  // namespace internal
}  // namespace folio::gateways
