// The only translation unit that compiles Boost.Beast (slow to build).
#include "adapters/http/server.h"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "adapters/http/error_status.h"
#include "events/codes.h"

namespace folio::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string ErrorBody(std::string_view code, std::string_view message) {
  // Codes and messages here are fixed ASCII without quotes or backslashes.
  return "{\"code\":\"" + std::string(code) + "\",\"message\":\"" + std::string(message) + "\"}";
}

class Session;

// What the sessions share with the server; kept alive by the sessions too, so
// a Responder called late (after Stop) posts into a live, stopped io_context.
struct Shared {
  ServerOptions opts;
  Handler handler;
  net::io_context ioc;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable drained;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;
  std::atomic<std::uint64_t> accepted{0}, rejected{0}, requests{0}, refused{0};

  // Keeps the threads running while a request waits for the application
  // with no I/O pending (during Stop's drain, say); reset once drained.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;

  explicit Shared(unsigned threads) : ioc(static_cast<int>(threads)) {
    work.emplace(net::make_work_guard(ioc));
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : shared_(std::move(shared)), stream_(std::move(socket)), timer_(stream_.get_executor()) {}

  ~Session() { Unregister(); }

  void Start() {
    {
      std::lock_guard lock(shared_->mu);
      shared_->sessions.emplace(this, weak_from_this());
    }
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForData(); });
  }

  // On the session's strand: closes the connection unless a request is being
  // read, handled or answered.
  void CloseIfIdle() {
    if (!busy_) Close();
  }

  net::any_io_executor executor() { return stream_.get_executor(); }
  void ForceClose() { Close(); }

 private:
  // Timeouts use our own timer rather than tcp_stream's expiry, because that
  // one closes the socket and a slow client could then not be told why.
  void Arm(std::chrono::milliseconds d) {
    ++timer_gen_;
    timer_.expires_after(d);
    timer_.async_wait([self = shared_from_this(), gen = timer_gen_](beast::error_code ec) {
      if (ec || gen != self->timer_gen_) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });
  }
  void Disarm() {
    ++timer_gen_;
    timer_.cancel();
  }

  void WaitForData() {
    busy_ = false;
    if (shared_->stopping.load()) return Close();
    if (buffer_.size() > 0) return ReadRequest();
    Arm(served_ == 0 ? shared_->opts.read_timeout : shared_->opts.idle_timeout);
    stream_.async_read_some(buffer_.prepare(8192),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->Disarm();
                              self->buffer_.commit(n);
                              if (ec || n == 0)
                                return self->Close();  // idle timeout, peer closed, or Stop()
                              self->ReadRequest();
                            });
  }

  void ReadRequest() {
    busy_ = true;
    timed_out_ = false;
    parser_.emplace();
    // The header phase checks Content-Length against this, so it admits the
    // largest body any request may have; OnHeader narrows it per request.
    parser_->body_limit(shared_->opts.body_limit_for
                            ? std::max(shared_->opts.body_limit, shared_->opts.body_limit_max)
                            : shared_->opts.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(shared_->opts.header_limit));
    Arm(shared_->opts.read_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    if (shared_->opts.body_limit_for) {
      const auto& h = parser_->get();
      std::size_t limit = shared_->opts.body_limit_for(h.method_string(), h.target(),
                                                       h[bhttp::field::authorization]);
      if (limit == 0) limit = shared_->opts.body_limit;
      limit = std::min(limit, shared_->opts.body_limit_max);
      // Before any 100 Continue: a client that asked is spared the upload.
      if (auto len = parser_->content_length(); len && *len > limit) {
        return OnReadError(bhttp::make_error_code(bhttp::error::body_limit));
      }
      parser_->body_limit(limit);  // chunked bodies are counted as they arrive
    }
    auto expect = parser_->get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue") && !parser_->is_done()) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code wec, std::size_t) {
                         if (wec) return self->OnReadError(wec);
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnReadError(beast::error_code ec) {
    Disarm();
    keep_alive_ = false;
    if (timed_out_) {
      return Refuse(hcodes::kRequestTimeout, "the request was not received in time");
    }
    if (ec == bhttp::error::body_limit) {
      return Refuse(hcodes::kBodyTooLarge, "the request body is over the limit");
    }
    if (ec == bhttp::error::header_limit) {
      return Refuse(hcodes::kHeadersTooLarge, "the request headers are over the limit");
    }
    if (ec == bhttp::error::partial_message) {
      return Refuse(hcodes::kRequestTruncated, "the connection ended inside the request");
    }
    if (ec == bhttp::error::end_of_stream ||
        ec.category() != bhttp::make_error_code(bhttp::error::end_of_stream).category()) {
      return Close();  // the peer went away, or a socket error: nobody to answer
    }
    Refuse(hcodes::kBadRequest, "malformed HTTP request");
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    Disarm();
    ++served_;
    shared_->requests.fetch_add(1, std::memory_order_relaxed);
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.headers.reserve(8);
    for (const auto& f : msg) {
      std::string name(f.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      req.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    req.body = std::move(msg.body());
    req.remote = remote_;
    parser_.reset();
    Responder respond = [self = shared_from_this()](Response r) {
      net::post(self->stream_.get_executor(),
                [self, r = std::move(r)]() mutable { self->Write(std::move(r)); });
    };
    try {
      shared_->handler(std::move(req), std::move(respond));
    } catch (const std::exception&) {
      // The handler must not throw; if it does, it did not answer either.
      Write(Response{500, "application/json", ErrorBody(codes::kIoError, "internal error"), {}});
    }
  }

  void Refuse(std::string_view code, std::string_view message) {
    shared_->refused.fetch_add(1, std::memory_order_relaxed);
    keep_alive_ = false;
    Write(Response{HttpStatusFor(code), "application/json", ErrorBody(code, message), {}});
  }

  void Write(Response r) {
    busy_ = true;
    res_.emplace(static_cast<bhttp::status>(r.status), 11);
    res_->set(bhttp::field::server, "folio");
    res_->set(bhttp::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res_->set(k, v);
    res_->keep_alive(keep_alive_ && !shared_->stopping.load());
    res_->body() = std::move(r.body);
    res_->prepare_payload();
    Arm(shared_->opts.write_timeout);
    bhttp::async_write(stream_, *res_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         self->Disarm();
                         bool keep = self->res_->keep_alive();
                         self->res_.reset();
                         if (ec || !keep) return self->Close();
                         self->WaitForData();
                       });
  }

  void Close() {
    Disarm();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
    // A closed connection no longer counts, even while a Responder (held by
    // the writer, say) keeps this object alive.
    Unregister();
  }

  void Unregister() {
    if (!registered_) return;
    registered_ = false;
    std::lock_guard lock(shared_->mu);
    shared_->sessions.erase(this);
    if (shared_->sessions.empty()) shared_->drained.notify_all();
  }

  std::shared_ptr<Shared> shared_;
  bool registered_ = true;
  beast::tcp_stream stream_;
  net::steady_timer timer_;
  std::uint64_t timer_gen_ = 0;
  bool timed_out_ = false;
  bool busy_ = true;
  bool keep_alive_ = true;
  std::uint64_t served_ = 0;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> res_;
};

}  // namespace

struct HttpServer::Impl {
  std::shared_ptr<Shared> shared;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  std::vector<std::thread> threads;
  std::once_flag stop_once;

  explicit Impl(std::shared_ptr<Shared> s)
      : shared(std::move(s)), acceptor(net::make_strand(shared->ioc)) {}

  void Accept() {
    acceptor.async_accept(net::make_strand(shared->ioc),
                          [this](beast::error_code ec, tcp::socket socket) {
                            if (ec) {
                              if (ec == net::error::operation_aborted || !acceptor.is_open())
                                return;
                              return Accept();  // e.g. too many open files: keep serving the others
                            }
                            std::size_t open;
                            {
                              std::lock_guard lock(shared->mu);
                              open = shared->sessions.size();
                            }
                            if (shared->stopping.load() || open >= shared->opts.max_connections) {
                              shared->rejected.fetch_add(1, std::memory_order_relaxed);
                              RejectBusy(std::move(socket));
                            } else {
                              shared->accepted.fetch_add(1, std::memory_order_relaxed);
                              std::make_shared<Session>(std::move(socket), shared)->Start();
                            }
                            Accept();
                          });
  }

  static void RejectBusy(tcp::socket socket) {
    static const std::string kBusy = [] {
      std::string body =
          ErrorBody(hcodes::kTooManyConnections, "the server is at its connection limit");
      return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
             "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    auto s = std::make_shared<tcp::socket>(std::move(socket));
    net::async_write(*s, net::buffer(kBusy), [s](beast::error_code, std::size_t) {
      beast::error_code ignored;
      s->shutdown(tcp::socket::shutdown_send, ignored);
      s->close(ignored);
    });
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(ServerOptions opts, Handler handler) {
  if (opts.threads == 0) opts.threads = 1;
  beast::error_code ec;
  auto address = net::ip::make_address(opts.address, ec);
  if (ec) {
    return Status::Error(codes::kInvalidArgument, "not an IP address: '" + opts.address + "'");
  }
  auto shared = std::make_shared<Shared>(opts.threads);
  shared->opts = opts;
  shared->handler = std::move(handler);
  auto impl = std::make_unique<Impl>(shared);
  tcp::endpoint endpoint(address, opts.port);
  auto& acc = impl->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Error(codes::kIoError, "cannot listen on " + opts.address + ":" +
                                              std::to_string(opts.port) + ": " + ec.message());
  }
  impl->port = acc.local_endpoint().port();
  impl->Accept();
  for (unsigned i = 0; i < opts.threads; ++i) {
    impl->threads.emplace_back([s = shared] { s->ioc.run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() { Stop(); }

std::uint16_t HttpServer::port() const { return impl_->port; }

ServerStats HttpServer::stats() const {
  ServerStats s;
  auto& sh = *impl_->shared;
  s.connections_accepted = sh.accepted.load();
  s.connections_rejected = sh.rejected.load();
  s.requests = sh.requests.load();
  s.requests_refused = sh.refused.load();
  std::lock_guard lock(sh.mu);
  s.connections_open = sh.sessions.size();
  return s;
}

void HttpServer::Stop() {
  std::call_once(impl_->stop_once, [this] {
    auto& sh = *impl_->shared;
    sh.stopping.store(true);
    std::promise<void> closed;
    net::post(impl_->acceptor.get_executor(), [this, &closed] {
      beast::error_code ignored;
      impl_->acceptor.close(ignored);
      closed.set_value();
    });
    closed.get_future().wait();  // no connection is accepted after Stop() began
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(sh.mu);
      for (auto& [ptr, weak] : sh.sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) net::post(s->executor(), [s] { s->CloseIfIdle(); });
    live.clear();
    {
      std::unique_lock lock(sh.mu);
      sh.drained.wait_for(lock, sh.opts.drain_timeout, [&] { return sh.sessions.empty(); });
    }
    sh.work.reset();
    sh.ioc.stop();
    for (auto& t : impl_->threads) t.join();
    impl_->threads.clear();
    // Sessions still open after the drain timeout: close them and run what
    // their cancelled operations left queued, so that no handler (and no
    // session holding the io_context) is left behind.
    {
      std::lock_guard lock(sh.mu);
      for (auto& [ptr, weak] : sh.sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live)
      net::post(s->executor(), [s] {
        s->CloseIfIdle();
        s->ForceClose();
      });
    live.clear();
    sh.ioc.restart();
    sh.ioc.poll();
  });
}

}  // namespace folio::http
