// HttpServer on its own (no Folio behind it): keep-alive, the connection
// bound, graceful stop with a request in flight.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "adapters/http/client.h"
#include "adapters/http/server.h"

namespace folio {
namespace {

TEST_CASE("keep-alive: many requests on one connection") {
  std::atomic<int> seen{0};
  auto server = http::HttpServer::Start({}, [&](http::Request r, http::Responder done) {
    ++seen;
    done(http::Response{200, "text/plain", r.method + " " + r.target + " " + r.body, {}});
  });
  REQUIRE(server.ok());
  auto c = http::HttpClient::Connect("127.0.0.1", (*server)->port());
  REQUIRE(c.ok());
  for (int i = 0; i < 100; ++i) {
    auto r = c->Send("POST", "/echo?i=" + std::to_string(i), "body" + std::to_string(i));
    REQUIRE(r.ok());
    CHECK(r->body == "POST /echo?i=" + std::to_string(i) + " body" + std::to_string(i));
  }
  CHECK(seen == 100);
  CHECK((*server)->stats().connections_accepted == 1);
}

TEST_CASE("connections over max_connections get 503 too_many_connections") {
  http::ServerOptions so;
  so.max_connections = 2;
  auto server = http::HttpServer::Start(so, [](http::Request, http::Responder done) {
    done(http::Response{200, "text/plain", "ok", {}});
  });
  REQUIRE(server.ok());
  const auto port = (*server)->port();
  auto a = http::HttpClient::Connect("127.0.0.1", port);
  auto b = http::HttpClient::Connect("127.0.0.1", port);
  REQUIRE((a.ok() && b.ok()));
  // Both are served (and so registered) before the third arrives.
  REQUIRE(a->Send("GET", "/").ok());
  REQUIRE(b->Send("GET", "/").ok());
  auto c = http::HttpClient::Connect("127.0.0.1", port);
  REQUIRE(c.ok());
  auto r = c->Send("GET", "/");
  REQUIRE(r.ok());
  CHECK(r->status == 503);
  CHECK(r->body.find("too_many_connections") != std::string::npos);
  CHECK(r->Header("retry-after") == "1");
  CHECK((*server)->stats().connections_rejected == 1);
  // The first two still work.
  CHECK(a->Send("GET", "/")->status == 200);
}

TEST_CASE("Stop finishes the request in flight, closes idle connections, refuses new ones") {
  std::mutex mu;
  std::promise<void> arrived;
  http::Responder parked;
  auto server = http::HttpServer::Start({}, [&](http::Request r, http::Responder done) {
    if (r.target == "/slow") {
      std::lock_guard lock(mu);
      parked = std::move(done);
      arrived.set_value();
      return;
    }
    done(http::Response{200, "text/plain", "fast", {}});
  });
  REQUIRE(server.ok());
  const auto port = (*server)->port();
  auto idle = http::HttpClient::Connect("127.0.0.1", port);
  REQUIRE(idle.ok());
  REQUIRE(idle->Send("GET", "/fast").ok());  // now idle between requests

  std::future<Result<http::ClientResponse>> slow = std::async(std::launch::async, [port] {
    auto c = http::HttpClient::Connect("127.0.0.1", port);
    return c.ok() ? c->Send("GET", "/slow") : Result<http::ClientResponse>(c.status());
  });
  arrived.get_future().wait();
  std::thread stopper([&] { (*server)->Stop(); });
  // The idle connection is closed by Stop (read returns end of stream).
  auto gone = idle->ReadResponse();
  CHECK_FALSE(gone.ok());
  CHECK(idle->closed());
  {
    std::lock_guard lock(mu);
    parked(http::Response{200, "text/plain", "finished", {}});
  }
  auto r = slow.get();
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->body == "finished");
  CHECK(r->Header("connection") == "close");
  stopper.join();
  auto late = http::HttpClient::Connect("127.0.0.1", port);
  CHECK_FALSE(late.ok());
}

}  // namespace
}  // namespace folio
