// FieldReader and FieldWriter of json_fields.h: the command format's field
// rules (ids, text, integers, times, enums, amounts), and MethodName.
// ParseStrict and AppendCanonical are in strict_json.cc.
#include "adapters/json/json_fields.h"

#include <array>
#include <limits>
#include <utility>

#include "adapters/json/command_json.h"
#include "adapters/json/json_codes.h"
#include "adapters/json/rfc3339.h"
#include "events/codes.h"

namespace folio::json::internal {
namespace bj = boost::json;
namespace {

// C0 controls, DEL and C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F).
bool HasControl(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size()) {
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

struct MethodEntry {
  fb::Method method;
  std::string_view name;
};
constexpr std::array<MethodEntry, 10> kMethods = {{
    {fb::Method::Alipay, "alipay"},
    {fb::Method::WechatPay, "wechat_pay"},
    {fb::Method::UnionPay, "unionpay"},
    {fb::Method::Card, "card"},
    {fb::Method::BankTransfer, "bank_transfer"},
    {fb::Method::UsdtTrc20, "usdt_trc20"},
    {fb::Method::UsdtErc20, "usdt_erc20"},
    {fb::Method::UsdtBep20, "usdt_bep20"},
    {fb::Method::Btc, "btc"},
    {fb::Method::Eth, "eth"},
}};

constexpr std::array<std::string_view, 5> kNetworks = {"TRC20", "ERC20", "BEP20", "BTC", "ETH"};

std::string_view KindName(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null:
      return "null";
    case bj::kind::bool_:
      return "a boolean";
    case bj::kind::int64:
    case bj::kind::uint64:
      return "an integer";
    case bj::kind::double_:
      return "a fraction or exponent number";
    case bj::kind::string:
      return "a string";
    case bj::kind::array:
      return "an array";
    case bj::kind::object:
      return "an object";
  }
  return "?";
}

}  // namespace

std::string_view MethodName(fb::Method method) {
  for (const MethodEntry& e : kMethods) {
    if (e.method == method) return e.name;
  }
  return {};
}

// --- FieldReader ---

Status FieldReader::CheckKnown(std::string_view allowed) const {
  for (const bj::key_value_pair& kv : obj_) {
    const std::string_view key = kv.key();
    bool found = false;
    std::string_view rest = allowed;
    while (!rest.empty() && !found) {
      const std::size_t space = rest.find(' ');
      found = rest.substr(0, space) == key;
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
    if (!found) {
      const std::string shown = HasControl(key) || key.size() > kIdBytesMax
                                    ? std::string("(unprintable)")
                                    : "\"" + std::string(key) + "\"";
      return Status::Error(codes::kUnknownField, "unknown field " + path_ + shown);
    }
  }
  return OkStatus();
}

Status FieldReader::CheckCurrencyUsed() const {
  if (obj_.contains("currency") && !currency_used_) {
    return Status::Error(codes::kInvalidField, Name("currency") + ": given without an amount");
  }
  return OkStatus();
}

Status FieldReader::Find(std::string_view key, Need need, const bj::value** out) const {
  *out = obj_.if_contains(bj::string_view(key.data(), key.size()));
  if (*out == nullptr && need == Need::kRequired) {
    return Status::Error(codes::kMissingField, Name(key) + ": required");
  }
  if (*out != nullptr && (*out)->is_null()) {
    return Status::Error(codes::kInvalidField,
                         Name(key) + ": null is not accepted; leave the field out");
  }
  return OkStatus();
}

Status FieldReader::String(std::string_view key, Need need, const bj::string** out) const {
  const bj::value* v = nullptr;
  RETURN_IF_ERROR(Find(key, need, &v));
  *out = nullptr;
  if (v == nullptr) return OkStatus();
  if (!v->is_string()) {
    return Status::Error(codes::kInvalidField,
                         Name(key) + ": expected a string, got " + std::string(KindName(*v)));
  }
  *out = &v->get_string();
  return OkStatus();
}

Status FieldReader::Id(std::string_view key, std::string* out, Need need) {
  const bj::string* s = nullptr;
  RETURN_IF_ERROR(String(key, need, &s));
  if (s == nullptr) return OkStatus();
  if (s->empty() || s->size() > kIdBytesMax || HasControl(*s)) {
    return Status::Error(codes::kInvalidField, Name(key) + ": must be 1-" +
                                                   std::to_string(kIdBytesMax) +
                                                   " bytes without control characters");
  }
  out->assign(s->data(), s->size());
  return OkStatus();
}

Status FieldReader::Text(std::string_view key, std::string* out, Need need) {
  const bj::string* s = nullptr;
  RETURN_IF_ERROR(String(key, need, &s));
  if (s == nullptr) return OkStatus();
  const std::size_t min = need == Need::kRequired ? 1 : 0;
  if (s->size() < min || s->size() > kTextBytesMax || HasControl(*s)) {
    return Status::Error(codes::kInvalidField, Name(key) + ": must be " + std::to_string(min) +
                                                   "-" + std::to_string(kTextBytesMax) +
                                                   " bytes without control characters");
  }
  out->assign(s->data(), s->size());
  return OkStatus();
}

Status FieldReader::U64(std::string_view key, std::uint64_t* out, Need need) {
  const bj::value* v = nullptr;
  RETURN_IF_ERROR(Find(key, need, &v));
  if (v == nullptr) return OkStatus();
  if (v->is_uint64()) {
    *out = v->get_uint64();
  } else if (v->is_int64() && v->get_int64() >= 0) {
    *out = static_cast<std::uint64_t>(v->get_int64());
  } else {
    return Status::Error(
        codes::kInvalidField,
        Name(key) + ": expected a non-negative integer, got " +
            (v->is_int64() ? std::string("a negative one") : std::string(KindName(*v))));
  }
  return OkStatus();
}

Status FieldReader::U32(std::string_view key, std::uint32_t* out, Need need) {
  std::uint64_t wide = 0;
  const bool present = obj_.contains(bj::string_view(key.data(), key.size()));
  RETURN_IF_ERROR(U64(key, &wide, need));
  if (!present) return OkStatus();
  if (wide > std::numeric_limits<std::uint32_t>::max()) {
    return Status::Error(codes::kInvalidField, Name(key) + ": exceeds 4294967295");
  }
  *out = static_cast<std::uint32_t>(wide);
  return OkStatus();
}

Status FieldReader::U32(std::string_view key, std::optional<std::uint32_t>* out) {
  std::uint32_t v = 0;
  if (!obj_.contains(bj::string_view(key.data(), key.size()))) return OkStatus();
  RETURN_IF_ERROR(U32(key, &v, Need::kRequired));
  *out = v;
  return OkStatus();
}

Status FieldReader::Bool(std::string_view key, bool* out, Need need) {
  const bj::value* v = nullptr;
  RETURN_IF_ERROR(Find(key, need, &v));
  if (v == nullptr) return OkStatus();
  if (!v->is_bool()) {
    return Status::Error(codes::kInvalidField,
                         Name(key) + ": expected true or false, got " + std::string(KindName(*v)));
  }
  *out = v->get_bool();
  return OkStatus();
}

Status FieldReader::Time(std::string_view key, std::int64_t* out, Need need) {
  const bj::string* s = nullptr;
  RETURN_IF_ERROR(String(key, need, &s));
  if (s == nullptr) return OkStatus();
  Result<std::int64_t> ns = ParseRfc3339(*s);
  if (!ns.ok()) return Status::Error(ns.status().code(), Name(key) + ": " + ns.status().message());
  *out = *ns;
  return OkStatus();
}

Status FieldReader::Time(std::string_view key, std::optional<std::int64_t>* out) {
  std::int64_t ns = 0;
  if (!obj_.contains(bj::string_view(key.data(), key.size()))) return OkStatus();
  RETURN_IF_ERROR(Time(key, &ns, Need::kRequired));
  *out = ns;
  return OkStatus();
}

Status FieldReader::Method(std::string_view key, fb::Method* out, Need need) {
  const bj::string* s = nullptr;
  RETURN_IF_ERROR(String(key, need, &s));
  if (s == nullptr) return OkStatus();
  for (const MethodEntry& e : kMethods) {
    if (e.name == std::string_view(*s)) {
      *out = e.method;
      return OkStatus();
    }
  }
  return Status::Error(codes::kInvalidField,
                       Name(key) +
                           ": unknown payment method (alipay, wechat_pay, unionpay, card, "
                           "bank_transfer, usdt_trc20, usdt_erc20, usdt_bep20, btc, eth)");
}

Status FieldReader::Destination(std::string_view key, fb::Destination* out, Need need) {
  const bj::string* s = nullptr;
  RETURN_IF_ERROR(String(key, need, &s));
  if (s == nullptr) return OkStatus();
  if (*s == "operating") {
    *out = fb::Destination::Operating;
  } else if (*s == "trust") {
    *out = fb::Destination::Trust;
  } else {
    return Status::Error(codes::kInvalidField, Name(key) + ": must be \"operating\" or \"trust\"");
  }
  return OkStatus();
}

Status FieldReader::RefundTarget(std::string_view key, fb::RefundTarget* out, Need need) {
  const bj::string* s = nullptr;
  RETURN_IF_ERROR(String(key, need, &s));
  if (s == nullptr) return OkStatus();
  if (*s == "original_method") {
    *out = fb::RefundTarget::OriginalMethod;
  } else if (*s == "customer_credit") {
    *out = fb::RefundTarget::CustomerCredit;
  } else {
    return Status::Error(codes::kInvalidField,
                         Name(key) + ": must be \"original_method\" or \"customer_credit\"");
  }
  return OkStatus();
}

Status FieldReader::Network(std::string_view key, std::string* out, Need need) {
  const bj::string* s = nullptr;
  RETURN_IF_ERROR(String(key, need, &s));
  if (s == nullptr) return OkStatus();
  for (std::string_view n : kNetworks) {
    if (n == std::string_view(*s)) {
      out->assign(n);
      return OkStatus();
    }
  }
  return Status::Error(codes::kInvalidField,
                       Name(key) + ": must be one of TRC20, ERC20, BEP20, BTC, ETH");
}

Status FieldReader::Currency(std::string_view key, Asset* out, Need need) {
  const bj::string* s = nullptr;
  RETURN_IF_ERROR(String(key, need, &s));
  if (s == nullptr) return OkStatus();
  const std::optional<Asset> asset = AssetFromCode(*s);
  if (!asset) {
    return Status::Error(folio::codes::kCurrencyUnknown,
                         Name(key) + ": unknown currency (CNY, USD, EUR, HKD, USDT, BTC, ETH)");
  }
  *out = *asset;
  return OkStatus();
}

Status FieldReader::Amount(std::string_view key, Money* out, Need need) {
  const bj::value* v = nullptr;
  RETURN_IF_ERROR(Find(key, need, &v));
  if (v == nullptr) return OkStatus();
  if (v->is_number()) {
    return Status::Error(codes::kInvalidField,
                         Name(key) + ": amounts are decimal strings (\"100.00\"), not numbers");
  }
  if (!v->is_string()) {
    return Status::Error(codes::kInvalidField, Name(key) + ": amounts are decimal strings, got " +
                                                   std::string(KindName(*v)));
  }
  currency_used_ = true;
  Asset asset = Asset::Unknown;
  RETURN_IF_ERROR(Currency("currency", &asset, Need::kRequired));
  const bj::string& s = v->get_string();
  if (s.size() > kAmountDigitsMax + 1) {
    return Status::Error(folio::codes::kAmountInvalid, Name(key) + ": too long for an amount");
  }
  Result<Money> money = Money::Parse(std::string_view(s), asset);
  if (!money.ok()) {
    return Status::Error(money.status().code(), Name(key) + ": " + money.status().message());
  }
  *out = *money;
  return OkStatus();
}

Status FieldReader::Amount(std::string_view key, std::optional<Money>* out) {
  Money m;
  if (!obj_.contains(bj::string_view(key.data(), key.size()))) return OkStatus();
  RETURN_IF_ERROR(Amount(key, &m, Need::kRequired));
  *out = m;
  return OkStatus();
}

Status FieldReader::Object(std::string_view key, const bj::object** out, Need need) {
  const bj::value* v = nullptr;
  RETURN_IF_ERROR(Find(key, need, &v));
  *out = nullptr;
  if (v == nullptr) return OkStatus();
  if (!v->is_object()) {
    return Status::Error(codes::kInvalidField,
                         Name(key) + ": expected an object, got " + std::string(KindName(*v)));
  }
  *out = &v->get_object();
  return OkStatus();
}

Status FieldReader::Array(std::string_view key, const bj::array** out, Need need) {
  const bj::value* v = nullptr;
  RETURN_IF_ERROR(Find(key, need, &v));
  *out = nullptr;
  if (v == nullptr) return OkStatus();
  if (!v->is_array()) {
    return Status::Error(codes::kInvalidField,
                         Name(key) + ": expected an array, got " + std::string(KindName(*v)));
  }
  *out = &v->get_array();
  return OkStatus();
}

// --- FieldWriter ---

void FieldWriter::Put(std::string_view key, bj::value value) {
  obj_[bj::string_view(key.data(), key.size())] = std::move(value);
}

void FieldWriter::Str(std::string_view key, std::string_view value) {
  if (!value.empty()) Put(key, bj::string(value));
}

void FieldWriter::U32(std::string_view key, std::uint32_t value) {
  Put(key, static_cast<std::uint64_t>(value));
}

void FieldWriter::U32(std::string_view key, const std::optional<std::uint32_t>& value) {
  if (value) U32(key, *value);
}

void FieldWriter::U64(std::string_view key, std::uint64_t value) {
  // int64 when it fits, as the parser produces it, so that the canonical form agrees.
  if (value <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    Put(key, static_cast<std::int64_t>(value));
  } else {
    Put(key, value);
  }
}

void FieldWriter::Bool(std::string_view key, bool value) { Put(key, value); }

void FieldWriter::Time(std::string_view key, std::int64_t ns) {
  Put(key, bj::string(FormatRfc3339(ns)));
}

void FieldWriter::Time(std::string_view key, const std::optional<std::int64_t>& ns) {
  if (ns) Time(key, *ns);
}

void FieldWriter::Method(std::string_view key, fb::Method value) {
  const std::string_view name = MethodName(value);
  if (name.empty() && status_.ok()) {
    status_ = Status::Error(codes::kInvalidField, std::string(key) + ": no payment method");
  }
  Put(key, bj::string(name));
}

void FieldWriter::Destination(std::string_view key, fb::Destination value) {
  Put(key, bj::string(value == fb::Destination::Trust ? "trust" : "operating"));
}

void FieldWriter::RefundTarget(std::string_view key, fb::RefundTarget value) {
  Put(key, bj::string(value == fb::RefundTarget::CustomerCredit ? "customer_credit"
                                                                : "original_method"));
}

void FieldWriter::Amount(std::string_view key, const Money& value) {
  if (AssetCode(value.asset()).empty()) {
    if (status_.ok()) {
      status_ = Status::Error(folio::codes::kCurrencyUnknown,
                              std::string(key) + ": money of an unregistered asset");
    }
    return;
  }
  if (currency_ != Asset::Unknown && currency_ != value.asset() && status_.ok()) {
    status_ = Status::Error(codes::kInvalidField,
                            std::string(key) + ": money fields of one command differ in currency");
  }
  currency_ = value.asset();
  Put("currency", bj::string(AssetCode(value.asset())));
  Put(key, bj::string(value.ToString()));
}

void FieldWriter::Amount(std::string_view key, const std::optional<Money>& value) {
  if (value) Amount(key, *value);
}

}  // namespace folio::json::internal
