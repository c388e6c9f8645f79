#include "bench/http_bench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/api.h"
#include "adapters/http/client.h"
#include "adapters/http/engine_stack.h"
#include "adapters/http/server.h"
#include "bench/scratch_dir.h"
#include "engine/writer.h"
#include "events/codes.h"

namespace folio::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Phase {
  double per_s = 0, p50_ms = 0, p99_ms = 0;
  std::uint64_t errors = 0;
};

double Percentile(std::vector<std::uint64_t>& ns, double q) {
  if (ns.empty()) return 0;
  auto k = static_cast<std::size_t>(q * static_cast<double>(ns.size() - 1));
  std::nth_element(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(k), ns.end());
  return static_cast<double>(ns[k]) / 1e6;
}

// `total` requests spread over `connections` keep-alive clients; make(conn, i)
// gives the i-th request of a connection; `expect` the status counted as ok.
template <typename Make>
Result<Phase> Drive(std::uint16_t port, unsigned connections, std::uint64_t total, unsigned expect,
                    Make make) {
  std::vector<std::vector<std::uint64_t>> lat(connections);
  std::atomic<std::uint64_t> errors{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (unsigned c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      auto client = http::HttpClient::Connect("127.0.0.1", port);
      if (!client.ok()) {
        failed = true;
        return;
      }
      const std::uint64_t n = total / connections + (c < total % connections ? 1 : 0);
      lat[c].reserve(n);
      for (std::uint64_t i = 0; i < n; ++i) {
        auto [method, target, body, headers] = make(c, i);
        auto t0 = Clock::now();
        auto r = client->Send(method, target, body, headers);
        lat[c].push_back(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count()));
        if (!r.ok()) {
          failed = true;
          return;
        }
        if (r->status != expect) errors.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed) return Status::Error(codes::kIoError, "a benchmark connection failed");
  std::vector<std::uint64_t> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  Phase p;
  p.per_s = static_cast<double>(all.size()) / secs;
  p.p50_ms = Percentile(all, 0.50);
  p.p99_ms = Percentile(all, 0.99);
  p.errors = errors.load();
  return p;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

}  // namespace

Result<HttpBenchResult> RunHttpBench(const HttpBenchOptions& opts) {
  ScratchDir dir(opts.data_dir);
  ASSIGN_OR_RETURN(http::EngineStack engine, http::EngineStack::Open(dir.path()));
  http::KeyStore keys;
  keys.Add("bench-operator", {"bench", http::Role::kOperator});
  http::Api api(engine.Deps(&keys));
  http::ServerOptions so;
  so.threads = opts.server_threads;
  so.max_connections = opts.connections + 16;
  ASSIGN_OR_RETURN(auto server,
                   http::HttpServer::Start(so, [&api](http::Request r, http::Responder done) {
                     api.Handle(std::move(r), std::move(done));
                   }));
  const std::uint16_t port = server->port();
  const Headers post_headers = {{"Authorization", "Bearer bench-operator"},
                                {"Content-Type", "application/json"}};

  HttpBenchResult out;
  ASSIGN_OR_RETURN(Phase health,
                   Drive(port, opts.connections, opts.healthz, 200, [](unsigned, std::uint64_t) {
                     return std::tuple<std::string, std::string, std::string, Headers>{
                         "GET", "/healthz", "", {}};
                   }));
  ASSIGN_OR_RETURN(Phase post,
                   Drive(port, opts.connections, opts.posts, 201, [&](unsigned c, std::uint64_t i) {
                     const std::string id = "b" + std::to_string(c) + "-" + std::to_string(i);
                     Headers h = post_headers;
                     h.emplace_back("Idempotency-Key", "k-" + id);
                     std::string body = R"({"payment_id":")" + id + R"(","customer_id":"cust-)" +
                                        std::to_string(c) + R"(","order_id":"o-)" + id +
                                        R"(","method":"alipay","amount":"88.00","currency":"CNY"})";
                     return std::tuple<std::string, std::string, std::string, Headers>{
                         "POST", "/v1/payments", std::move(body), std::move(h)};
                   }));
  server->Stop();
  engine.Stop();
  out.head_seq = engine.writer->durable_head().seq;
  out.posts = opts.posts;
  out.healthz = opts.healthz;
  out.post_payments_per_s = post.per_s;
  out.post_p50_ms = post.p50_ms;
  out.post_p99_ms = post.p99_ms;
  out.post_errors = post.errors;
  out.healthz_per_s = health.per_s;
  out.healthz_p50_ms = health.p50_ms;
  out.healthz_p99_ms = health.p99_ms;
  return out;
}

}  // namespace folio::bench
