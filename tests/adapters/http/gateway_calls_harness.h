// A Folio server that calls its gateways (GatewayWiring), and a sandbox to
// call: in-process (SandboxServer) or the real `folio sandbox` process. For
// the end-to-end gateway tests.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/gateway_clients.h"
#include "adapters/http/gateway_routes.h"
#include "adapters/http/sandbox_process.h"
#include "engine/domain/aggregates.h"
#include "tests/adapters/http/http_harness.h"

namespace folio::testing {

// `folio sandbox` as a child process: started on a free port, its gateway
// file written; SIGTERMed and reaped at the end.
class SandboxChild {
 public:
  SandboxChild(const std::string& dir, std::vector<std::string> extra) {
    config_ = dir + "/sandbox-gateways.json";
    std::vector<std::string> args = {FOLIO_BIN,     "sandbox",        "--listen",
                                     "127.0.0.1:0", "--write-config", config_};
    args.insert(args.end(), extra.begin(), extra.end());
    int pipefd[2];
    REQUIRE(pipe(pipefd) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(pipefd[1], 1);
      close(pipefd[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(FOLIO_BIN, argv.data());
      _exit(127);
    }
    close(pipefd[1]);
    out_ = fdopen(pipefd[0], "r");
    REQUIRE(out_ != nullptr);
    char line[1024];
    while (std::fgets(line, sizeof line, out_) != nullptr) {  // until it is ready
      const std::string l(line);
      const auto at = l.find("listening on ");
      if (at != std::string::npos) {
        url_ = l.substr(at + 13);
        while (!url_.empty() && (url_.back() == '\n' || url_.back() == '\r')) url_.pop_back();
        break;
      }
    }
    REQUIRE_MESSAGE(!url_.empty(), "folio sandbox did not start");
  }
  ~SandboxChild() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    if (out_ != nullptr) fclose(out_);
  }
  const std::string& url() const { return url_; }
  const std::string& config() const { return config_; }
  std::uint16_t port() const {
    return static_cast<std::uint16_t>(std::stoi(url_.substr(url_.rfind(':') + 1)));
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::string url_, config_;
};

// Folio with the gateway file's notification endpoints and outbound clients.
struct GatewayLedger {
  TempDir dir;
  http::EngineStack engine;
  http::KeyStore keys;
  std::unique_ptr<http::Api> api;
  std::unique_ptr<http::HttpServer> server;
  http::GatewayWiring wiring;
  std::atomic<http::GatewayDispatcher*> hook{nullptr};

  // `tune` adjusts the client settings read from the file (time-outs, ...).
  GatewayLedger(const std::string& gateway_file, http::DispatcherOptions dopts,
                const std::function<void(http::GatewayClientConfigs&)>& tune = {}) {
    engine = std::move(http::EngineStack::Open(dir.str()).value());
    keys.Add(kOperatorKey, {"op-alice", http::Role::kOperator});
    keys.Add(kAuditorKey, {"au-bob", http::Role::kAuditor});
    http::ApiDeps deps = engine.Deps(&keys);
    deps.on_committed = [this](const domain::Command& c, const AppendOutcome& o) {
      if (auto* d = hook.load()) d->OnCommitted(c, o);
    };
    api = std::make_unique<http::Api>(std::move(deps));
    auto notify = http::GatewayConfigs::Load(gateway_file);
    REQUIRE_MESSAGE(notify.ok(), notify.status().ToString());
    http::AddGatewayRoutes(*api, *notify);
    http::ServerOptions so;
    server = std::move(http::HttpServer::Start(so, [this](http::Request r, http::Responder done) {
                         api->Handle(std::move(r), std::move(done));
                       }).value());
    auto calls = http::GatewayClientConfigs::Load(
        gateway_file, "http://127.0.0.1:" + std::to_string(server->port()));
    REQUIRE_MESSAGE(calls.ok(), calls.status().ToString());
    if (tune) tune(*calls);
    auto w = http::GatewayWiring::Start(api.get(), engine.store.get(), *calls, dopts);
    REQUIRE_MESSAGE(w.ok(), w.status().ToString());
    wiring = std::move(*w);
    hook.store(wiring.dispatcher.get());
  }
  ~GatewayLedger() {
    hook.store(nullptr);
    wiring.Stop();
    server->Stop();
    api.reset();
    engine.Stop();
  }

  http::HttpClient Client() {
    auto c = http::HttpClient::Connect("127.0.0.1", server->port());
    REQUIRE(c.ok());
    return std::move(*c);
  }

  std::optional<domain::PaymentState> Payment(const std::string& id) const {
    auto v = engine.store->LoadState(domain::PaymentKey(id));
    if (!v.ok() || !v->has_value()) return std::nullopt;
    domain::PaymentState p;
    domain::Decode(**v, &p);
    return p;
  }
  std::optional<domain::RefundState> Refund(const std::string& id) const {
    auto v = engine.store->LoadState(domain::RefundKey(id));
    if (!v.ok() || !v->has_value()) return std::nullopt;
    domain::RefundState r;
    domain::Decode(**v, &r);
    return r;
  }

  // Event types per stream over the whole log (to find a fact recorded twice).
  std::map<std::string, std::map<std::string, int>> EventsByStream() const {
    std::map<std::string, std::map<std::string, int>> out;
    std::uint64_t from = 1;
    for (;;) {
      auto page = engine.store->ReadFrom(from, 1000);
      REQUIRE(page.ok());
      if (page->empty()) break;
      for (const EventRecord& e : *page) {
        ++out[std::string(e.stream_id())][std::string(e.type_name())];
        from = e.seq() + 1;
      }
    }
    return out;
  }
};

// The sandbox in-process on a free port, and the gateway file that points a
// ledger at it.
struct InProcessSandbox {
  std::unique_ptr<http::SandboxServer> server;
  TempDir files;
  std::string file = files.str() + "/gateways.json";

  explicit InProcessSandbox(const gateways::SandboxFaults& faults)
      : InProcessSandbox(WithFaults(faults)) {}
  explicit InProcessSandbox(http::SandboxServerOptions so) {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    auto started = http::SandboxServer::Start(std::move(so), http::SandboxIdentity::Generate(now));
    REQUIRE(started.ok());
    server = std::move(*started);
    std::ofstream(file) << http::ServerGatewayFile(server->identity(), server->base_url());
  }
  http::SandboxServer* operator->() const { return server.get(); }

 private:
  static http::SandboxServerOptions WithFaults(const gateways::SandboxFaults& faults) {
    http::SandboxServerOptions so;
    so.faults = faults;
    return so;
  }
};

// POSTs `body` with the operator key and `key` as Idempotency-Key; REQUIRES 201.
inline void PostCreated(GatewayLedger& l, const std::string& path, const boost::json::object& body,
                        const std::string& key) {
  auto c = l.Client();
  auto r = c.Send("POST", path, boost::json::serialize(body), Auth(kOperatorKey, key));
  REQUIRE(r.ok());
  REQUIRE_MESSAGE(r->status == 201, r->body);
}

inline bool FinalPayment(domain::PaymentStatus s) {
  return s == domain::PaymentStatus::kSettled || s == domain::PaymentStatus::kFailed ||
         s == domain::PaymentStatus::kCancelled || s == domain::PaymentStatus::kExpired;
}

}  // namespace folio::testing
