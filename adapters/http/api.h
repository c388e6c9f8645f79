// Api: Folio's HTTP API (/v1, /healthz, /readyz, /metrics, gateway
// notifications) on top of the writer, the projections and the log. It is
// the HttpServer's Handler; the routes, bodies and codes are documented in
// docs/api.md and docs/openapi.yaml.
//
// Commands reuse the command JSON format (adapters/json/command_json.h): the
// body of POST /v1/payments is the fields of payment.create without "type",
// the Idempotency-Key header is the command's idempotency key, the API key's
// name is the actor of the events. The answer is sent only once the command's
// outcome is durable (the writer's group commit), so a 2xx means "on disk".
//
// Thread-safety: Handle may be called from any number of threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/auth.h"
#include "adapters/http/message.h"
#include "adapters/http/metrics.h"
#include "engine/append.h"
#include "engine/domain/commands.h"
#include "engine/log_store.h"
#include "engine/writer.h"
#include "projections/projector.h"

namespace folio::http {

struct ApiOptions {
  // Honour the command field "at" (a client-chosen clock). Off in production:
  // the server's clock decides; on for scripted demo histories.
  bool allow_client_time = false;
  // Longest wait of a query's ?min_seq= (read your writes).
  std::chrono::milliseconds read_your_writes_max{5000};
  // Longest wait of GET /v1/events?wait_ms= (long poll).
  std::chrono::milliseconds long_poll_max{30000};
  std::size_t events_limit_max = 1000;
  // Largest statement file POST /v1/imports accepts (see BodyLimitFor).
  std::size_t import_body_limit = 256u << 20;
};

// A verified gateway notification: what to run, under which idempotency key.
struct GatewayVerdict {
  std::string dedupe_key;
  std::optional<domain::Command> command;  // nullopt: acknowledge, nothing to record
};
struct GatewayRoute {
  std::string name;  // path: /v1/gateways/{name}/notify
  // Verifies (signature first) and maps the request. Errors carry stable codes.
  std::function<Result<GatewayVerdict>(const Request&)> parse;
  // The gateway's own reply format for success or failure (`why` non-ok).
  std::function<Response(const Status& why)> reply;
  // Rejections that mean "already done" and get the success reply (a gateway
  // may report TRADE_FINISHED after TRADE_SUCCESS).
  std::vector<std::string> benign_codes;
};

struct ApiDeps {
  LogStore* store = nullptr;
  Writer* writer = nullptr;
  projections::Projector* projector = nullptr;  // may be null: queries read what is there
  KeyStore* keys = nullptr;
  // Extra /metrics samples and readiness (the Kafka relay's lag, ...).
  std::function<std::vector<Sample>()> extra_metrics;
  std::function<Status()> ready;  // non-ok: /readyz answers 503 with its code
  // Called (on the writer's thread; keep it short) after a command's outcome
  // is durable and ok. The sandbox gateway uses it to answer payment creation.
  std::function<void(const domain::Command&, const AppendOutcome&)> on_committed;
  // Called after any durable append (wake the projector and the relay).
  std::function<void()> on_appended;
  // GET /v1/reconciliations: the scheduled runs as {"runs":[...]} (JSON).
  std::function<std::string()> reconciliations;
};

class Api {
 public:
  Api(ApiDeps deps, ApiOptions opts = {});
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  void AddGateway(GatewayRoute route);
  void Handle(Request req, Responder respond);
  // For ServerOptions::body_limit_for: `import_body_limit` bytes for
  // POST /v1/imports with an operator key (the only callers who may import),
  // 0 (the server's default) for everything else.
  std::size_t BodyLimitFor(std::string_view method, std::string_view target,
                           std::string_view authorization) const;
  Metrics& metrics() { return metrics_; }
  // Runs a command as `actor` (the sandbox, the scheduler); same path as HTTP.
  void Submit(domain::Command command, const std::string& actor, const std::string& scope,
              const std::string& idempotency_key, const Hash32& fingerprint,
              std::function<void(const AppendOutcome&)> done);

  // Records a gateway's fact (a notification's, or the status poller's) the
  // way the notification endpoints do: idempotency scope "gw:<gateway>", the
  // fact's dedupe key, the rendered command as fingerprint.
  void SubmitGatewayFact(std::string_view gateway, const std::string& dedupe_key,
                         domain::Command command, const std::string& actor,
                         std::function<void(const AppendOutcome&)> done);

  struct Route;
  struct Call;

 private:
  static AppendRequest GatewayFactRequest(std::string_view gateway, const std::string& dedupe_key,
                                          domain::Command command, const std::string& actor);
  void Dispatch(Call& call);
  void RunCommand(Call& call, std::string_view type, std::string body, unsigned ok_status);
  // Hands `r` to the writer. On its outcome: wakes the tails, calls
  // on_committed, counts it under `metric_type` (none when empty), then done.
  void Append(AppendRequest r, std::string metric_type,
              std::function<void(const AppendOutcome&)> done);
  void Finish(Call& call, Response r);
  void Fail(Call& call, const Status& s);
  void HandleGateway(Call& call, const GatewayRoute& gw);
  void HandleEvents(Call& call);
  void HandleGetAggregate(Call& call, std::string_view kind, const std::string& id);
  void HandleBatchGetPayments(Call& call);
  void HandleQuery(Call& call, std::string_view what);
  void HandleCreateKey(Call& call);
  void HandleVerify(Call& call);
  void HandleImport(Call& call);
  void HandleResolve(Call& call);
  void HandleReport(Call& call, const std::string& kind);
  void HandleReconciliation(Call& call, const std::string& run_id);
  std::string MetricsText();
  Status ReadYourWrites(const Call& call);
  void NotifyAppended();
  void LongPollLoop();

  ApiDeps deps_;
  ApiOptions opts_;
  Metrics metrics_;
  std::vector<GatewayRoute> gateways_;

  // Long polls waiting for new events.
  struct Waiter {
    std::uint64_t from_seq;
    std::chrono::steady_clock::time_point deadline;
    std::function<void()> answer;
  };
  std::mutex poll_mu_;
  std::condition_variable poll_cv_;
  std::list<Waiter> waiters_;
  bool poll_stop_ = false;
  std::thread poll_thread_;

  // POST /v1/keys idempotency (keys are not events): key -> answer.
  std::mutex keys_mu_;
  std::map<std::string, std::pair<std::string, Response>> key_requests_;
};

// One line of the command format (with "type" and "idempotency_key") as the
// HTTP call that runs it: the route of its type, ids of the path taken out of
// the body, the key as the Idempotency-Key header. For the demo loader, tests
// and docs. Errors: invalid_json, unknown_command_type.
struct HttpCall {
  std::string method, target, body, idempotency_key;
  bool admin = false;  // the route needs an admin key
};
Result<HttpCall> CommandLineToHttp(std::string_view json_line);

// One route the API serves: its method and path template, parameters in
// braces ("/v1/payments/{id}/settle"). The list is made from the tables the
// router dispatches with, so it cannot drift from what is served;
// docs/openapi.yaml must list exactly these (tests/adapters/http/routes_test.cpp).
struct ApiRoute {
  std::string method, path;
};
std::vector<ApiRoute> ApiRoutes();

}  // namespace folio::http
