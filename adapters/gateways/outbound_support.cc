#include "adapters/gateways/outbound_support.h"

#include "adapters/gateways/gateway_codes.h"
#include "adapters/gateways/parse_support.h"

namespace folio::gateways::internal {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  return t;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

}  // namespace

Status Refused(std::string message) {
  return Status::Error(codes::kGatewayRefused, std::move(message));
}

Status Unavailable(std::string message) {
  return Status::Error(codes::kGatewayUnavailable, std::move(message));
}

Status ResponseInvalid(std::string message) {
  return Status::Error(codes::kGatewayResponseInvalid, std::move(message));
}

Status AsResponseError(const Status& s) {
  const std::string_view c = s.code();
  const bool keep = c.starts_with("signature_") ||
                    (c.starts_with("gateway_") && c != codes::kGatewayUnknownStatus);
  if (s.ok() || keep) return s;
  return ResponseInvalid(std::string(c) + ": " + s.message());
}

Status CheckHttpResponse(const InboundResponse& r,
                         std::initializer_list<std::string_view> media_types) {
  if (r.status >= 500 && r.status <= 599) {
    return Unavailable("HTTP " + std::to_string(r.status));
  }
  if (r.status != 200) return ResponseInvalid("unexpected HTTP " + std::to_string(r.status));
  if (r.body.size() > kMaxResponseBytes) return ResponseInvalid("body larger than 1 MiB");
  const std::string_view media = MediaType(r.Header("content-type"));
  for (std::string_view allowed : media_types) {
    if (EqualsIgnoreCase(media, allowed)) return OkStatus();
  }
  return ResponseInvalid("unexpected Content-Type '" + std::string(r.Header("content-type")) + "'");
}

Result<Money> ResponseYuan(std::string_view field, std::string_view decimal) {
  Result<Money> m = PositiveAmount(field, decimal, Asset::CNY);
  if (!m.ok()) return AsResponseError(m.status());
  return m;
}

}  // namespace folio::gateways::internal
