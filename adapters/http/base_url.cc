#include "adapters/http/base_url.h"

#include <cctype>

#include "events/codes.h"

namespace folio::http {
namespace {

Status Invalid(std::string msg) { return Status::Error(codes::kInvalidArgument, std::move(msg)); }

}  // namespace

Result<BaseUrl> ParseBaseUrl(std::string_view url) {
  BaseUrl b;
  std::string_view rest;
  if (url.starts_with("https://")) {
    b.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return Invalid("a gateway base URL starts with http:// or https://: " + std::string(url));
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return Invalid("a gateway base URL has no query or fragment: " + std::string(url));
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    b.path_prefix = std::string(prefix);
  }
  std::string_view host = authority;
  b.port = b.tls ? 443 : 80;
  const std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    const std::string_view port = authority.substr(colon + 1);
    unsigned v = 0;
    if (port.empty() || port.size() > 5) return Invalid("bad port in " + std::string(url));
    for (char c : port) {
      if (c < '0' || c > '9') return Invalid("bad port in " + std::string(url));
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535) return Invalid("bad port in " + std::string(url));
    b.port = static_cast<std::uint16_t>(v);
  }
  if (host.empty()) return Invalid("no host in " + std::string(url));
  for (char c : host) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    if (!ok) return Invalid("bad host in " + std::string(url));
  }
  b.host = std::string(host);
  return b;
}

}  // namespace folio::http
