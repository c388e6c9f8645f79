// Shared by the translation units of the API (api.cc: routing and commands;
// api_queries.cc: queries, reports, events, metrics). Not a public header.
#pragma once

#include <charconv>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "adapters/http/api.h"
#include "adapters/http/error_status.h"
#include "adapters/json/query_json.h"
#include "events/status.h"

namespace folio::http {

using Clock = std::chrono::steady_clock;

// The Retry-After of every 503 (the server's too_many_connections too).
inline constexpr unsigned kRetryAfterSeconds = 1;

struct Api::Call {
  Request req;
  Responder respond;
  Clock::time_point start = Clock::now();
  std::string route = "unmatched";
  std::string path;
  std::vector<std::string> segs;
  std::map<std::string, std::string> query;
  std::optional<Principal> who;
  bool answered = false;

  std::optional<std::string> Param(const std::string& name) const {
    auto it = query.find(name);
    if (it == query.end()) return std::nullopt;
    return it->second;
  }
};

inline std::string ErrorJson(std::string_view code, std::string_view message) {
  boost::json::object o;
  o["code"] = code;
  o["message"] = json::ValidUtf8(message);  // messages quote client bytes
  return boost::json::serialize(o);
}

inline Response JsonResponse(unsigned status, std::string body) {
  return Response{status, "application/json", std::move(body), {}};
}

inline Response ErrorResponse(const Status& s) {
  return JsonResponse(HttpStatusFor(s.code()), ErrorJson(s.code(), s.message()));
}

inline Status Err(std::string_view code, std::string message) {
  return Status::Error(InternCode(code), std::move(message));
}

inline std::optional<std::uint64_t> ParseU64(std::string_view s) {
  std::uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace folio::http
