// OutboundClient: Folio's HTTP(S) client for the gateways' APIs. One call is
// one connection (gateway calls are few and each must stand alone), with one
// deadline for the whole call: resolve, connect, TLS handshake, write, read.
// https:// verifies the peer's certificate chain (the system's CAs, or a
// configured CA file) and its host name; http:// is for loopback sandboxes.
//
// Errors of Send, each with a stable code (adapters/gateways/gateway_api.h):
//   gateway_unavailable       the connection (or the TLS handshake) could not
//                             be made: nothing was sent
//   gateway_timeout           the deadline passed, or the connection broke,
//                             after the request was (maybe) sent: outcome unknown
//   gateway_response_invalid  the answer is not HTTP, its headers or body are
//                             over the limits, or the peer's certificate does
//                             not verify (never retried: a retry would not help)
//
// Thread-safety: Send may be called from any number of threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/gateways/gateway_api.h"
#include "adapters/http/base_url.h"
#include "events/status.h"

namespace folio::http {

struct OutboundOptions {
  std::chrono::milliseconds timeout{10'000};  // the whole call
  std::size_t body_limit = gateways::kMaxResponseBytes;
  std::size_t header_limit = 16u << 10;
  std::string ca_file;  // PEM bundle; empty: the system's default CAs
  std::string user_agent = "folio/1 (+https://github.com/folio-ledger)";
};

class OutboundClient {
 public:
  // Errors: invalid_argument (the CA file does not load).
  static Result<std::unique_ptr<OutboundClient>> Create(BaseUrl base, OutboundOptions opts);
  ~OutboundClient();
  OutboundClient(const OutboundClient&) = delete;
  OutboundClient& operator=(const OutboundClient&) = delete;

  const BaseUrl& base() const { return base_; }
  const OutboundOptions& options() const { return opts_; }

  // Sends `req` (Host, User-Agent and Content-Length added; the codec's own
  // headers kept) to base + req.target and reads the answer, chunked or not.
  // `timeout` overrides the configured one when positive.
  Result<gateways::InboundResponse> Send(const gateways::OutboundRequest& req,
                                         std::chrono::milliseconds timeout = {}) const;

  struct Tls;

 private:
  OutboundClient(BaseUrl base, OutboundOptions opts, std::unique_ptr<Tls> tls);
  BaseUrl base_;
  OutboundOptions opts_;
  std::unique_ptr<Tls> tls_;  // null for http://
};

}  // namespace folio::http
