// HTTP requests and responses as the API sees them: plain values, no Beast
// types, so that only adapters/http/server.cc compiles Boost.Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace folio::http {

struct Request {
  std::string method;  // "GET", "POST", ... (upper case, as sent)
  std::string target;  // "/v1/payments?x=1" (raw, still percent-encoded)
  // Header names lower-cased; repeated headers appear repeatedly.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote;  // "127.0.0.1:53412"

  // The first header called `name` (lower case), or empty.
  std::string_view Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
  bool HasHeader(std::string_view name) const {
    for (const auto& kv : headers) {
      if (kv.first == name) return true;
    }
    return false;
  }
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones
};

// Called exactly once per request, from any thread.
using Responder = std::function<void(Response)>;
// The application. May answer at once or later (after a durable append).
using Handler = std::function<void(Request, Responder)>;

}  // namespace folio::http
