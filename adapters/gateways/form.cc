#include "adapters/gateways/form.h"

#include <set>

#include "adapters/gateways/gateway_codes.h"

namespace folio::gateways {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status Malformed(std::string message) {
  return Status::Error(codes::kNotificationMalformed, std::move(message));
}

Result<std::string> Decode(std::string_view text) {
  auto out = PercentDecode(text, true);
  if (!out) return Malformed("truncated or bad %-escape in form body");
  return std::move(*out);
}

bool Unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '*';
}

void Encode(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : text) {
    if (Unreserved(c)) {
      *out += c;
    } else if (c == ' ') {
      *out += '+';
    } else {
      const auto b = static_cast<unsigned char>(c);
      *out += '%';
      *out += kHex[b >> 4];
      *out += kHex[b & 15];
    }
  }
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi << 4 | lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Result<FormPairs> ParseForm(std::string_view body) {
  if (body.empty()) return Malformed("empty form body");
  if (body.size() > kFormBytesMax) return Malformed("form body larger than 64 KiB");
  FormPairs pairs;
  std::set<std::string, std::less<>> names;
  std::size_t start = 0;
  while (true) {
    const std::size_t amp = body.find('&', start);
    const std::string_view pair =
        body.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (pair.empty()) return Malformed("empty pair in form body");
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return Malformed("form pair without '='");
    ASSIGN_OR_RETURN(std::string name, Decode(pair.substr(0, eq)));
    ASSIGN_OR_RETURN(std::string value, Decode(pair.substr(eq + 1)));
    if (name.empty()) return Malformed("form pair with an empty name");
    if (!names.insert(name).second) return Malformed("repeated form parameter " + name);
    if (pairs.size() == kFormPairsMax) return Malformed("too many form parameters");
    pairs.emplace_back(std::move(name), std::move(value));
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return pairs;
}

std::string EncodeForm(const FormPairs& pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    Encode(name, &out);
    out += '=';
    Encode(value, &out);
  }
  return out;
}

std::optional<std::string_view> FormValue(const FormPairs& pairs, std::string_view name) {
  for (const auto& [n, v] : pairs) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

}  // namespace folio::gateways
