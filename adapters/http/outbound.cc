// The second (and last) translation unit that compiles Boost.Beast: the
// gateway client. Kept apart from server.cc so that neither rebuilds the other.
#include "adapters/http/outbound.h"

#include <cctype>
#include <exception>
#include <optional>
#include <utility>

#include <openssl/ssl.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "events/codes.h"

namespace folio::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
namespace gcodes = gateways::codes;

Status Invalid(std::string msg) { return Status::Error(codes::kInvalidArgument, std::move(msg)); }

// Where a call got to when it failed: decides unavailable vs timeout.
enum class Phase { kConnect, kSent };

struct CallResult {
  std::optional<gateways::InboundResponse> response;
  Status error;
};

Status FailureAt(Phase phase, const boost::system::error_code& ec, bool deadline) {
  if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
      ec == bhttp::error::buffer_overflow) {
    return Status::Error(gcodes::kGatewayResponseInvalid,
                         "the answer is over the size limit: " + ec.message());
  }
  const boost::system::error_code http_error = bhttp::error::bad_target;
  if (ec.category() == http_error.category() && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    return Status::Error(gcodes::kGatewayResponseInvalid,
                         "the answer is not HTTP: " + ec.message());
  }
  if (ec.category() == net::error::get_ssl_category() ||
      ec.category() == ssl::error::get_stream_category()) {
    // A handshake the peer's certificate failed is not a blip.
    const std::string m = ec.message();
    if (m.find("certificate") != std::string::npos) {
      return Status::Error(gcodes::kGatewayResponseInvalid, "TLS: " + m);
    }
  }
  const std::string what = deadline ? "deadline passed" : ec.message();
  if (phase == Phase::kConnect) {
    return Status::Error(gcodes::kGatewayUnavailable, "could not connect: " + what);
  }
  return Status::Error(gcodes::kGatewayTimeout, "no complete answer (outcome unknown): " + what);
}

}  // namespace

struct OutboundClient::Tls {
  ssl::context ctx{ssl::context::tls_client};
};

Result<std::unique_ptr<OutboundClient>> OutboundClient::Create(BaseUrl base, OutboundOptions opts) {
  std::unique_ptr<Tls> tls;
  if (base.tls) {
    tls = std::make_unique<Tls>();
    boost::system::error_code ec;
    if (opts.ca_file.empty()) {
      tls->ctx.set_default_verify_paths(ec);
    } else {
      tls->ctx.load_verify_file(opts.ca_file, ec);
    }
    if (ec) return Invalid("cannot load the CA certificates: " + ec.message());
    tls->ctx.set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_min_proto_version(tls->ctx.native_handle(), TLS1_2_VERSION);
  }
  return std::unique_ptr<OutboundClient>(
      new OutboundClient(std::move(base), std::move(opts), std::move(tls)));
}

OutboundClient::OutboundClient(BaseUrl base, OutboundOptions opts, std::unique_ptr<Tls> tls)
    : base_(std::move(base)), opts_(std::move(opts)), tls_(std::move(tls)) {}

OutboundClient::~OutboundClient() = default;

namespace {

template <class Stream>
net::awaitable<void> Exchange(Stream& stream, const bhttp::request<bhttp::string_body>& req,
                              std::size_t body_limit, std::size_t header_limit, Phase* phase,
                              gateways::InboundResponse* out) {
  *phase = Phase::kSent;
  co_await bhttp::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(body_limit);
  parser.header_limit(static_cast<std::uint32_t>(header_limit));
  co_await bhttp::async_read(stream, buf, parser, net::use_awaitable);
  const auto& res = parser.get();
  out->status = res.result_int();
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out->headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out->body = res.body();
}

}  // namespace

Result<gateways::InboundResponse> OutboundClient::Send(const gateways::OutboundRequest& r,
                                                       std::chrono::milliseconds timeout) const {
  if (timeout.count() <= 0) timeout = opts_.timeout;
  bhttp::request<bhttp::string_body> req;
  const bhttp::verb verb = bhttp::string_to_verb(r.method);
  if (verb == bhttp::verb::unknown) return Invalid("unknown HTTP method " + r.method);
  req.method(verb);
  req.target(base_.path_prefix + r.target);
  req.version(11);
  const bool default_port = base_.port == (base_.tls ? 443 : 80);
  req.set(bhttp::field::host,
          default_port ? base_.host : base_.host + ":" + std::to_string(base_.port));
  req.set(bhttp::field::user_agent, opts_.user_agent);
  req.set(bhttp::field::connection, "close");
  for (const auto& [k, v] : r.headers) req.insert(k, v);
  req.body() = r.body;
  if (!r.body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put) {
    req.prepare_payload();
  }

  net::io_context ioc;
  Phase phase = Phase::kConnect;
  gateways::InboundResponse out;
  boost::system::error_code failure;
  bool done = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;

  auto call = [&]() -> net::awaitable<void> {
    tcp::resolver resolver(ioc);
    beast::tcp_stream tcp_stream(ioc);
    tcp_stream.expires_at(deadline);
    auto endpoints =
        co_await resolver.async_resolve(base_.host, std::to_string(base_.port), net::use_awaitable);
    if (tls_ == nullptr) {
      co_await tcp_stream.async_connect(endpoints, net::use_awaitable);
      co_await Exchange(tcp_stream, req, opts_.body_limit, opts_.header_limit, &phase, &out);
      boost::system::error_code ignored;
      tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    } else {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), tls_->ctx);
      beast::get_lowest_layer(stream).expires_at(deadline);
      // SNI (SSL_set_tlsext_host_name is a macro with an old-style cast).
      if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   const_cast<char*>(base_.host.c_str())) != 1) {
        throw boost::system::system_error(net::error::invalid_argument);
      }
      stream.set_verify_callback(ssl::host_name_verification(base_.host));
      co_await beast::get_lowest_layer(stream).async_connect(endpoints, net::use_awaitable);
      co_await stream.async_handshake(ssl::stream_base::client, net::use_awaitable);
      co_await Exchange(stream, req, opts_.body_limit, opts_.header_limit, &phase, &out);
      // The answer is complete; a peer that skips close_notify is no failure.
      boost::system::error_code ignored;
      beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
    done = true;
  };
  net::co_spawn(ioc, call(), [&](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const boost::system::system_error& se) {
      failure = se.code();
    } catch (const std::exception&) {
      failure = net::error::fault;
    }
  });
  ioc.run();
  if (done) return out;
  const bool deadline_passed =
      failure == beast::error::timeout || std::chrono::steady_clock::now() >= deadline;
  return FailureAt(phase, failure, deadline_passed);
}

}  // namespace folio::http
