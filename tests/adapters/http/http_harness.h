// A real Folio HTTP stack for tests: RocksDB in a temp dir, the writer, the
// projector, the API and the Beast server on an ephemeral loopback port.
#pragma once

#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "adapters/http/api.h"
#include "adapters/http/client.h"
#include "adapters/http/engine_stack.h"
#include "adapters/http/server.h"
#include "engine/log_store.h"
#include "engine/writer.h"
#include "tests/test_support.h"

namespace folio::testing {

inline constexpr const char* kOperatorKey = "op-secret-1";
inline constexpr const char* kAuditorKey = "au-secret-1";
inline constexpr const char* kAdminKey = "ad-secret-1";

struct TestServer {
  TempDir dir;
  http::EngineStack engine;
  LogStore* store = nullptr;
  http::KeyStore keys;
  std::unique_ptr<http::Api> api;
  std::unique_ptr<http::HttpServer> server;

  explicit TestServer(http::ServerOptions so = {}, http::ApiOptions ao = {},
                      const LogStoreOptions& lo = {}, WriterOptions wo = {}) {
    engine = std::move(http::EngineStack::Open(dir.str(), lo, std::move(wo)).value());
    store = engine.store.get();
    keys.Add(kOperatorKey, {"op-alice", http::Role::kOperator});
    keys.Add(kAuditorKey, {"au-bob", http::Role::kAuditor});
    keys.Add(kAdminKey, {"ad-carol", http::Role::kAdmin});
    api = std::make_unique<http::Api>(engine.Deps(&keys), ao);
    so.port = 0;
    // As folio serve: operators may send statement files past body_limit.
    if (!so.body_limit_for) {
      so.body_limit_for = [this](std::string_view method, std::string_view target,
                                 std::string_view authorization) {
        return api->BodyLimitFor(method, target, authorization);
      };
    }
    server = std::move(http::HttpServer::Start(so, [this](http::Request r, http::Responder done) {
                         api->Handle(std::move(r), std::move(done));
                       }).value());
  }
  ~TestServer() {
    server->Stop();
    api.reset();
    engine.Stop();
  }

  http::HttpClient Client() {
    auto c = http::HttpClient::Connect("127.0.0.1", server->port());
    REQUIRE(c.ok());
    return std::move(*c);
  }
  std::uint64_t Head() const { return engine.writer->durable_head().seq; }
};

inline std::vector<std::pair<std::string, std::string>> Auth(const char* key,
                                                             std::string idem = "") {
  std::vector<std::pair<std::string, std::string>> h = {
      {"Authorization", std::string("Bearer ") + key}, {"Content-Type", "application/json"}};
  if (!idem.empty()) h.emplace_back("Idempotency-Key", std::move(idem));
  return h;
}

inline boost::json::object JsonOf(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  REQUIRE_MESSAGE(!ec, "not JSON: " << text);
  REQUIRE_MESSAGE(v.is_object(), text);
  return v.as_object();
}

inline std::string CodeOf(const http::ClientResponse& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("code")) return "<no code: " + r.body + ">";
  return std::string(v.as_object().at("code").as_string());
}

}  // namespace folio::testing
