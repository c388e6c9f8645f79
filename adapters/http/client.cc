#include "adapters/http/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "events/codes.h"

namespace folio::http {
namespace {

Status IoError(const std::string& what) {
  return Status::Error(codes::kIoError, what + ": " + std::strerror(errno));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view ClientResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

Result<std::pair<std::string, std::uint16_t>> ParseHostPort(std::string_view url) {
  if (url.starts_with("http://")) url.remove_prefix(7);
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  auto colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::Error(codes::kInvalidArgument,
                         "expected host:port, got '" + std::string(url) + "'");
  }
  unsigned port = 0;
  auto tail = url.substr(colon + 1);
  auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), port);
  if (ec != std::errc() || p != tail.data() + tail.size() || port > 65535) {  // 0: any free port
    return Status::Error(codes::kInvalidArgument, "bad port in '" + std::string(url) + "'");
  }
  return std::pair{std::string(url.substr(0, colon)), static_cast<std::uint16_t>(port)};
}

HttpClient::HttpClient(int fd, std::string host_header)
    : fd_(fd), host_header_(std::move(host_header)) {}

HttpClient::HttpClient(HttpClient&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      host_header_(std::move(o.host_header_)),
      buf_(std::move(o.buf_)),
      closed_(o.closed_) {}

HttpClient& HttpClient::operator=(HttpClient&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    host_header_ = std::move(o.host_header_);
    buf_ = std::move(o.buf_);
    closed_ = o.closed_;
  }
  return *this;
}

HttpClient::~HttpClient() {
  if (fd_ >= 0) ::close(fd_);
}

Result<HttpClient> HttpClient::Connect(const std::string& host, std::uint16_t port,
                                       std::chrono::milliseconds timeout) {
  std::string ip = host == "localhost" ? "127.0.0.1" : host;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    return Status::Error(codes::kInvalidArgument, "not an IPv4 address: '" + host + "'");
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return IoError("socket");
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    Status s = IoError("connect " + host + ":" + std::to_string(port));
    ::close(fd);
    return s;
  }
  return HttpClient(fd, host + ":" + std::to_string(port));
}

Status HttpClient::SendRaw(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("send");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status();
}

void HttpClient::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

Status HttpClient::ReadMore() {
  char chunk[16384];
  for (;;) {
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("recv");
    if (n == 0) {
      closed_ = true;
      return Status::Error(codes::kIoError, "connection closed by the server");
    }
    buf_.append(chunk, static_cast<std::size_t>(n));
    return Status();
  }
}

Result<ClientResponse> HttpClient::ReadResponse() {
  std::size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) RETURN_IF_ERROR(ReadMore());
  std::string_view head(buf_.data(), end);
  ClientResponse r;
  auto line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) {
    return Status::Error(codes::kIoError, "bad status line");
  }
  std::from_chars(status_line.data() + 9, status_line.data() + 12, r.status);
  std::size_t content_length = 0;
  bool has_length = false;
  for (std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
       pos < head.size();) {
    auto next = head.find("\r\n", pos);
    if (next == std::string_view::npos) next = head.size();
    std::string_view line = head.substr(pos, next - pos);
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name = Lower(line.substr(0, colon));
      std::string value(Trim(line.substr(colon + 1)));
      if (name == "content-length") {
        std::from_chars(value.data(), value.data() + value.size(), content_length);
        has_length = true;
      }
      r.headers.emplace_back(std::move(name), std::move(value));
    }
    pos = next + 2;
  }
  buf_.erase(0, end + 4);
  if (r.status >= 100 && r.status < 200) return r;  // interim (100 Continue): no body
  if (!has_length) {                                // read to the end of the connection
    while (ReadMore().ok()) {
    }
    content_length = buf_.size();
  }
  while (buf_.size() < content_length) RETURN_IF_ERROR(ReadMore());
  r.body = buf_.substr(0, content_length);
  buf_.erase(0, content_length);
  return r;
}

Result<ClientResponse> HttpClient::Send(
    std::string_view method, std::string_view target, std::string_view body,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string req;
  req.reserve(256 + body.size());
  req.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ");
  req.append(host_header_).append("\r\n");
  for (const auto& [k, v] : headers) req.append(k).append(": ").append(v).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  // A large body waits for the server's go-ahead (as curl does past 1 MiB):
  // a server that refuses it from the headers answers before the upload.
  const bool expect_continue = body.size() > kExpectContinueBytes;
  if (expect_continue) req.append("Expect: 100-continue\r\n");
  req.append("\r\n");
  if (!expect_continue) {
    req.append(body);
    RETURN_IF_ERROR(SendRaw(req));
    return ReadResponse();
  }
  RETURN_IF_ERROR(SendRaw(req));
  ASSIGN_OR_RETURN(ClientResponse interim, ReadResponse());
  if (interim.status != 100) return interim;  // answered without wanting the body
  RETURN_IF_ERROR(SendRaw(body));
  return ReadResponse();
}

}  // namespace folio::http
