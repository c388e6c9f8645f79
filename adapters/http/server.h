// HttpServer: HTTP/1.1 over TCP (Boost.Asio + Beast), keep-alive, bounded.
//
// Each connection reads one request at a time (no pipelining), hands it to the
// Handler and writes the answer when the Handler responds, possibly from
// another thread (after a durable append). Limits, each answered with a JSON
// error {"code","message"} and the connection closed:
//   - a body over body_limit (or what body_limit_for allows that request)
//                                         -> 413 body_too_large
//   - headers over header_limit           -> 431 headers_too_large
//   - a request not read within read_timeout (slow client) -> 408 request_timeout
//   - a malformed request                 -> 400 bad_request
//   - a request cut short by the client   -> 400 request_truncated
//   - more than max_connections at once   -> 503 too_many_connections
// A connection idle for idle_timeout between requests is closed silently.
//
// Stop(): stops accepting, closes idle connections, lets requests in flight
// finish (their answers carry "Connection: close"), then stops the threads.
//
// Thread-safety: Start/Stop/port/stats may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/http/message.h"
#include "events/status.h"

namespace folio::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see HttpServer::port())
  unsigned threads = 2;
  std::size_t max_connections = 512;
  std::size_t body_limit = 1 << 20;  // bytes
  // A request's own body limit, decided once its headers are in (statement
  // imports are larger than commands): given the method, the target and the
  // Authorization header, the limit in bytes, or 0 for body_limit. Never more
  // than body_limit_max. Default: none (body_limit for every request).
  std::function<std::size_t(std::string_view method, std::string_view target,
                            std::string_view authorization)>
      body_limit_for;
  std::size_t body_limit_max = 256u << 20;
  std::size_t header_limit = 16 << 10;             // bytes, request line included
  std::chrono::milliseconds read_timeout{10'000};  // first byte to last byte of a request
  std::chrono::milliseconds idle_timeout{60'000};  // between requests on a keep-alive connection
  std::chrono::milliseconds write_timeout{10'000};
  std::chrono::milliseconds drain_timeout{10'000};  // Stop(): wait for requests in flight
};

struct ServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_rejected = 0;  // over max_connections
  std::uint64_t connections_open = 0;
  std::uint64_t requests = 0;
  std::uint64_t requests_refused = 0;  // answered by the server itself (limits, bad requests)
};

class HttpServer {
 public:
  // Binds and listens before returning (so port() is valid), then serves on
  // `threads` threads. Errors: invalid_argument (bad address), io_error (bind).
  static Result<std::unique_ptr<HttpServer>> Start(ServerOptions opts, Handler handler);
  ~HttpServer();  // Stop()s.
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  ServerStats stats() const;
  // Graceful stop (see above). Idempotent; blocks until the threads ended.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace folio::http
