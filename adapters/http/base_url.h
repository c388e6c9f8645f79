// A gateway's (or a webhook's) base URL, split. Pure: the fuzz build and
// config parsers use it without the HTTP client (outbound.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/status.h"

namespace folio::http {

// A base URL split: "https://openapi.alipay.com" -> {true, host, 443, ""};
// "http://127.0.0.1:9300/sandbox" -> {false, "127.0.0.1", 9300, "/sandbox"}.
struct BaseUrl {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
  std::string path_prefix;  // no trailing '/'; prepended to every target
};
// Errors: invalid_argument (not http:// or https://, no host, bad port, a
// query or fragment in the base).
Result<BaseUrl> ParseBaseUrl(std::string_view url);

}  // namespace folio::http
