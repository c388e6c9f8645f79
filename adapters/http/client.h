// HttpClient: a small blocking HTTP/1.1 client over one keep-alive TCP
// connection (POSIX sockets). Used by the tests, `folio bench http`, the demo
// loader and the sandbox gateway; not a general-purpose client (no TLS, no
// chunked responses: Folio's server always sends Content-Length).
//
// Thread-safety: one thread per client.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/status.h"

namespace folio::http {

struct ClientResponse {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string_view Header(std::string_view name) const;
};

class HttpClient {
 public:
  // Connects to host:port (IPv4 literal or "localhost"). Errors: io_error.
  static Result<HttpClient> Connect(const std::string& host, std::uint16_t port,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(30));
  HttpClient(HttpClient&& other) noexcept;
  HttpClient& operator=(HttpClient&& other) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  ~HttpClient();

  // Bodies larger than this are sent after the server's 100 Continue.
  static constexpr std::size_t kExpectContinueBytes = 1u << 20;

  // Sends one request (Host and Content-Length added) and reads the answer.
  // A body over kExpectContinueBytes goes with "Expect: 100-continue" and
  // only if the server says so; a final answer instead is returned as is.
  Result<ClientResponse> Send(std::string_view method, std::string_view target,
                              std::string_view body = {},
                              const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Hostile-input tests: raw bytes, half-close, then read what comes back.
  Status SendRaw(std::string_view bytes);
  void ShutdownWrite();
  Result<ClientResponse> ReadResponse();
  // True when the server closed the connection (read returned 0).
  bool closed() const { return closed_; }

 private:
  explicit HttpClient(int fd, std::string host_header);
  Status ReadMore();
  int fd_ = -1;
  std::string host_header_;
  std::string buf_;
  bool closed_ = false;
};

// Splits "http://host:port" or "host:port" into host and port (0 allowed:
// "any free port" for a listener).
Result<std::pair<std::string, std::uint16_t>> ParseHostPort(std::string_view url);

}  // namespace folio::http
