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
#include "adapters/http/server.h"
#include "engine/log_store.h"
#include "engine/writer.h"
#include "projections/projector.h"
#include "projections/registry.h"
#include "tests/test_support.h"

namespace folio::testing {

inline constexpr const char* kOperatorKey = "op-secret-1";
inline constexpr const char* kAuditorKey = "au-secret-1";
inline constexpr const char* kAdminKey = "ad-secret-1";

struct TestServer {
  TempDir dir;
  std::unique_ptr<LogStore> store;
  std::unique_ptr<Writer> writer;
  std::unique_ptr<projections::Projector> projector;
  http::KeyStore keys;
  std::unique_ptr<http::Api> api;
  std::unique_ptr<http::HttpServer> server;

  explicit TestServer(http::ServerOptions so = {}, http::ApiOptions ao = {}) {
    store = std::move(LogStore::Open(dir.str()).value());
    writer = std::move(Writer::Start(store.get()).value());
    projector =
        std::move(projections::Projector::Start(store.get(), projections::AllProjections()).value());
    keys.Add(kOperatorKey, {"op-alice", http::Role::kOperator});
    keys.Add(kAuditorKey, {"au-bob", http::Role::kAuditor});
    keys.Add(kAdminKey, {"ad-carol", http::Role::kAdmin});
    http::ApiDeps deps;
    deps.store = store.get();
    deps.writer = writer.get();
    deps.projector = projector.get();
    deps.keys = &keys;
    auto* p = projector.get();
    deps.on_appended = [p] { p->Notify(); };
    api = std::make_unique<http::Api>(std::move(deps), ao);
    so.port = 0;
    server = std::move(http::HttpServer::Start(so, [this](http::Request r, http::Responder done) {
                         api->Handle(std::move(r), std::move(done));
                       }).value());
  }
  ~TestServer() {
    server->Stop();
    api.reset();
    projector->Stop();
    writer->Stop();
  }

  http::HttpClient Client() {
    auto c = http::HttpClient::Connect("127.0.0.1", server->port());
    REQUIRE(c.ok());
    return std::move(*c);
  }
  std::uint64_t Head() const { return writer->durable_head().seq; }
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
