// The API's front: construction, request handling and routing. Commands are
// in api_commands.cc, queries and reports in api_queries.cc.
#include "adapters/http/api.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "adapters/gateways/form.h"
#include "adapters/http/api_internal.h"
#include "adapters/json/command_json.h"
#include "adapters/json/json_codes.h"
#include "adapters/json/query_json.h"
#include "events/codes.h"

namespace folio::http {

namespace {

// Puts "field": value first into a JSON object body, for ids taken from the
// path. A body that already has the field fails as a duplicate key.
std::string InjectField(const std::string& body, std::string_view field, const std::string& value) {
  std::size_t i = body.find_first_not_of(" \t\r\n");
  std::string pair = "\"" + std::string(field) +
                     "\":" + boost::json::serialize(boost::json::value(boost::json::string(value)));
  if (i == std::string::npos) return "{" + pair + "}";
  if (body[i] != '{') return body;  // not an object: the parser says so
  std::size_t j = body.find_first_not_of(" \t\r\n", i + 1);
  bool empty_object = j != std::string::npos && body[j] == '}';
  return "{" + pair + (empty_object ? "" : ",") + body.substr(i + 1);
}

}  // namespace

Api::Api(ApiDeps deps, ApiOptions opts) : deps_(std::move(deps)), opts_(opts) {
  poll_thread_ = std::thread([this] { LongPollLoop(); });
}

Api::~Api() {
  {
    std::lock_guard lock(poll_mu_);
    poll_stop_ = true;
  }
  poll_cv_.notify_all();
  poll_thread_.join();
}

void Api::AddGateway(GatewayRoute route) { gateways_.push_back(std::move(route)); }

void Api::Finish(Call& call, Response r) {
  if (call.answered) return;
  call.answered = true;
  // Every 503 is transient (overload, lag, a writer stopped until a restart
  // or until the disk has room): it says when to ask again.
  if (r.status == 503) {
    r.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
  }
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - call.start).count();
  metrics_.CountRequest(call.req.method, call.route, r.status, static_cast<std::uint64_t>(ns));
  call.respond(std::move(r));
}

void Api::Fail(Call& call, const Status& s) { Finish(call, ErrorResponse(s)); }

namespace {

// Statement imports: the route, and the one role that may use it (also the
// one BodyLimitFor lets past the server's body limit).
constexpr std::string_view kImportRoute = "/v1/imports";
constexpr Role kReconciliationRole = Role::kOperator;

// The key of "Authorization: Bearer KEY", or empty.
std::string_view BearerKey(std::string_view authorization) {
  if (authorization.size() > 7 &&
      (authorization.substr(0, 7) == "Bearer " || authorization.substr(0, 7) == "bearer ")) {
    return authorization.substr(7);
  }
  return {};
}

}  // namespace

std::size_t Api::BodyLimitFor(std::string_view method, std::string_view target,
                              std::string_view authorization) const {
  if (method != "POST") return 0;
  std::string_view path = target.substr(0, target.find('?'));
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path != kImportRoute) return 0;
  std::string_view key = BearerKey(authorization);
  if (key.empty()) return 0;
  auto who = deps_.keys->Authenticate(key);
  return who && who->role == kReconciliationRole ? opts_.import_body_limit : 0;
}

void Api::Handle(Request req, Responder respond) {
  auto call = std::make_shared<Call>();
  call->req = std::move(req);
  call->respond = std::move(respond);
  std::string_view target = call->req.target;
  auto q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (raw_path.empty() || raw_path[0] != '/') {
    return Fail(*call, Err(hcodes::kBadRequest, "the request target must be an absolute path"));
  }
  // Segments, each percent-decoded.
  for (std::size_t pos = 1; pos <= raw_path.size();) {
    auto next = raw_path.find('/', pos);
    if (next == std::string_view::npos) next = raw_path.size();
    auto seg = gateways::PercentDecode(raw_path.substr(pos, next - pos), false);
    if (!seg) return Fail(*call, Err(hcodes::kBadRequest, "malformed percent-escape in the path"));
    call->segs.push_back(std::move(*seg));
    pos = next + 1;
  }
  while (!call->segs.empty() && call->segs.back().empty()) call->segs.pop_back();
  call->path = std::string(raw_path);
  if (q != std::string_view::npos) {
    std::string_view qs = target.substr(q + 1);
    for (std::size_t pos = 0; pos < qs.size();) {
      auto amp = qs.find('&', pos);
      if (amp == std::string_view::npos) amp = qs.size();
      std::string_view kv = qs.substr(pos, amp - pos);
      pos = amp + 1;
      if (kv.empty()) continue;
      auto eq = kv.find('=');
      auto k = gateways::PercentDecode(kv.substr(0, eq), true);
      auto v = gateways::PercentDecode(eq == std::string_view::npos ? "" : kv.substr(eq + 1), true);
      if (!k || !v) {
        return Fail(*call, Err(hcodes::kBadRequest, "malformed percent-escape in the query"));
      }
      if (!call->query.emplace(std::move(*k), std::move(*v)).second) {
        return Fail(*call, Err(hcodes::kQueryInvalid, "a query parameter is repeated"));
      }
    }
  }
  Dispatch(*call);
}

// ---------------------------------------------------------------- routing

namespace {

enum Access { kAnyRole, kOperatorOnly, kAdminOnly };

struct CommandRoute {
  const char* method;
  std::vector<std::string_view> pattern;  // "{id}" (any "{name}") matches one segment
  const char* type;
  const char* id_field;  // injected from {id}; nullptr: none
  unsigned ok_status;
  Access access;
};

const std::vector<CommandRoute>& CommandRoutes() {
  // One route a line reads as a table.
  // clang-format off
  static const std::vector<CommandRoute> kRoutes = {
      {"POST", {"v1", "payments"}, "payment.create", nullptr, 201, kOperatorOnly},
      {"POST", {"v1", "payments", "{id}", "cancel"}, "payment.cancel", "payment_id", 200, kOperatorOnly},
      {"POST", {"v1", "payments", "{id}", "settle"}, "payment.settle", "payment_id", 200, kOperatorOnly},
      {"POST", {"v1", "payments", "{id}", "fail"}, "payment.fail", "payment_id", 200, kOperatorOnly},
      {"POST", {"v1", "payments", "{id}", "pending"}, "payment.mark_pending", "payment_id", 200,
       kOperatorOnly},
      {"POST", {"v1", "payments", "{id}", "confirmations"}, "payment.observe_confirmations",
       "payment_id", 200, kOperatorOnly},
      {"POST", {"v1", "refunds"}, "refund.request", nullptr, 201, kOperatorOnly},
      {"POST", {"v1", "refunds", "{id}", "succeed"}, "refund.succeed", "refund_id", 200, kOperatorOnly},
      {"POST", {"v1", "refunds", "{id}", "fail"}, "refund.fail", "refund_id", 200, kOperatorOnly},
      {"POST", {"v1", "credits"}, "credit.issue", nullptr, 201, kOperatorOnly},
      {"POST", {"v1", "credits", "{id}", "apply"}, "credit.apply", "credit_id", 200, kOperatorOnly},
      {"POST", {"v1", "credits", "{id}", "reverse"}, "credit.reverse", "credit_id", 200, kOperatorOnly},
      {"PUT", {"v1", "customers", "{id}", "preference"}, "customer.set_preference", "customer_id", 200,
       kOperatorOnly},
      {"POST", {"v1", "trust", "deposits"}, "trust.deposit", nullptr, 201, kOperatorOnly},
      {"POST", {"v1", "trust", "deposits", "{id}", "clear"}, "trust.clear_deposit", "deposit_id", 200,
       kOperatorOnly},
      {"POST", {"v1", "trust", "disbursements"}, "trust.disburse", nullptr, 201, kOperatorOnly},
      {"POST", {"v1", "trust", "fee-transfers"}, "trust.transfer_fees", nullptr, 201, kOperatorOnly},
      {"POST", {"v1", "trust", "client-refunds"}, "trust.refund_client", nullptr, 201, kOperatorOnly},
      {"PUT", {"v1", "methods", "{id}"}, "method.configure", "method", 200, kAdminOnly},
      {"POST", {"v1", "clock", "advance"}, "clock.advance", nullptr, 200, kOperatorOnly},
  };
  // clang-format on
  return kRoutes;
}

struct QueryRoute {
  std::vector<std::string_view> pattern;
  const char* name;
};

const std::vector<QueryRoute>& QueryRoutes() {
  static const std::vector<QueryRoute> kRoutes = {
      {{"v1", "payments", "{id}"}, "payment"},
      {{"v1", "payments"}, "payments"},
      {{"v1", "refunds", "{id}"}, "refund"},
      {{"v1", "credits", "{id}"}, "credit"},
      {{"v1", "balances"}, "balance"},
      {{"v1", "trial-balance"}, "trial_balance"},
      {{"v1", "trust", "ledger"}, "trust_ledger"},
      {{"v1", "trust", "negative"}, "trust_negative"},
      {{"v1", "trust", "general-ledger"}, "trust_gl"},
      {{"v1", "stats"}, "stats"},
      {{"v1", "events"}, "events"},
      {{"v1", "projections"}, "projections"},
      {{"v1", "verify"}, "verify"},
      {{"v1", "reports", "{kind}"}, "report"},
      {{"v1", "reconciliations"}, "reconciliations"},
      {{"v1", "reconciliations", "{run}"}, "reconciliation"},
  };
  return kRoutes;
}

// The routes outside the two tables above, each with its own handling in
// Dispatch, which finds them here.
enum class Fixed { kHealthz, kReadyz, kMetrics, kGatewayNotify, kImport, kResolve, kKeys };

struct FixedRoute {
  const char* method;
  std::vector<std::string_view> pattern;
  Fixed which;
};

const std::vector<FixedRoute>& FixedRoutes() {
  // clang-format off
  static const std::vector<FixedRoute> kRoutes = {
      {"GET", {"healthz"}, Fixed::kHealthz},
      {"GET", {"readyz"}, Fixed::kReadyz},
      {"GET", {"metrics"}, Fixed::kMetrics},
      {"POST", {"v1", "gateways", "{gateway}", "notify"}, Fixed::kGatewayNotify},
      {"POST", {"v1", "imports"}, Fixed::kImport},
      {"POST", {"v1", "reconciliation", "runs", "{run}", "discrepancies", "{id}", "resolve"},
       Fixed::kResolve},
      {"POST", {"v1", "keys"}, Fixed::kKeys},
  };
  // clang-format on
  return kRoutes;
}

bool IsParam(std::string_view seg) {
  return seg.size() >= 2 && seg.front() == '{' && seg.back() == '}';
}

bool Match(const std::vector<std::string_view>& pattern, const std::vector<std::string>& segs,
           std::string* id) {
  if (pattern.size() != segs.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (IsParam(pattern[i])) {
      if (segs[i].empty()) return false;
      *id = segs[i];
    } else if (pattern[i] != segs[i]) {
      return false;
    }
  }
  return true;
}

std::string PatternName(const std::vector<std::string_view>& pattern) {
  std::string s;
  for (auto p : pattern) s.append("/").append(p);
  return s;
}

bool Allowed(Access a, Role r) {
  switch (a) {
    case kAnyRole:
      return true;
    case kOperatorOnly:
      return r == Role::kOperator;
    case kAdminOnly:
      return r == Role::kAdmin;
  }
  return false;
}

}  // namespace

Result<HttpCall> CommandLineToHttp(std::string_view json_line) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json_line, ec);
  if (ec || !v.is_object()) return Err(json::codes::kInvalidJson, "not a JSON object");
  auto& o = v.as_object();
  auto* type = o.if_contains("type");
  auto* key = o.if_contains("idempotency_key");
  if (type == nullptr || !type->is_string() || key == nullptr || !key->is_string()) {
    return Err(json::codes::kMissingField, "type and idempotency_key are required");
  }
  for (const auto& r : CommandRoutes()) {
    if (type->as_string() != r.type) continue;
    HttpCall call;
    call.method = r.method;
    call.idempotency_key = std::string(key->as_string());
    call.admin = r.access == kAdminOnly;
    o.erase("type");
    o.erase("idempotency_key");
    for (auto seg : r.pattern) {
      call.target += "/";
      if (!IsParam(seg)) {
        call.target += seg;
        continue;
      }
      auto* id = o.if_contains(r.id_field);
      if (id == nullptr || !id->is_string()) {
        return Err(json::codes::kMissingField, std::string(r.id_field) + " is required");
      }
      call.target += std::string(id->as_string());  // ids have no '/', '?' or '%' in the demo
      o.erase(r.id_field);
    }
    call.body = boost::json::serialize(o);
    return call;
  }
  return Err(json::codes::kUnknownCommandType,
             "no route for '" + std::string(type->as_string()) + "'");
}

std::vector<ApiRoute> ApiRoutes() {
  std::vector<ApiRoute> out;
  for (const auto& r : CommandRoutes()) out.push_back({r.method, PatternName(r.pattern)});
  for (const auto& r : QueryRoutes()) out.push_back({"GET", PatternName(r.pattern)});
  for (const auto& r : FixedRoutes()) out.push_back({r.method, PatternName(r.pattern)});
  return out;
}

void Api::Dispatch(Call& call) {
  const auto& segs = call.segs;
  const std::string& m = call.req.method;
  const FixedRoute* fixed = nullptr;
  {
    std::string unused;
    for (const auto& r : FixedRoutes()) {
      if (Match(r.pattern, segs, &unused)) fixed = &r;
    }
  }
  const auto is = [&](Fixed f) { return fixed != nullptr && fixed->which == f; };
  const auto wrong_method = [&] {
    Fail(call, Err(hcodes::kMethodNotAllowed, std::string("use ") + fixed->method));
  };
  // Unauthenticated: probes and metrics.
  if (is(Fixed::kHealthz) || is(Fixed::kReadyz) || is(Fixed::kMetrics)) {
    call.route = PatternName(fixed->pattern);
    if (m != fixed->method) return wrong_method();
    if (is(Fixed::kHealthz)) return Finish(call, JsonResponse(200, R"({"status":"ok"})"));
    if (is(Fixed::kMetrics)) {
      return Finish(call, Response{200, "text/plain; version=0.0.4", MetricsText(), {}});
    }
    Status ready;
    if (deps_.writer->failed()) {
      ready = Err(codes::kStoreFailed, "the log writer has stopped: " + deps_.writer->failure());
    } else if (deps_.projector != nullptr) {
      for (const auto& p : deps_.projector->status()) {
        if (p.state == projections::ProjectionState::kFailed) {
          ready = Err(hcodes::kNotReady, "projection " + p.name + " failed: " + p.error.ToString());
        }
      }
    }
    if (ready.ok() && deps_.ready) ready = deps_.ready();
    if (!ready.ok()) return Fail(call, ready);
    return Finish(call, JsonResponse(200, R"({"status":"ready"})"));
  }
  if (segs.empty() || segs[0] != "v1") {
    return Fail(call, Err(hcodes::kRouteNotFound, "no such route: " + call.path));
  }
  // Gateways authenticate by their own signatures.
  if (is(Fixed::kGatewayNotify)) {
    call.route = "/v1/gateways/" + segs[2] + "/notify";
    for (const auto& gw : gateways_) {
      if (gw.name == segs[2]) {
        if (m != fixed->method) return wrong_method();
        return HandleGateway(call, gw);
      }
    }
    call.route = "/v1/gateways/{unknown}/notify";
    return Fail(call, Err(hcodes::kRouteNotFound, "no gateway named '" + segs[2] + "'"));
  }
  // Everything else needs an API key.
  const std::string_view auth = call.req.Header("authorization");
  if (std::string_view key = BearerKey(auth); !key.empty()) {
    call.who = deps_.keys->Authenticate(key);
  }
  // Route lookup first, so an unknown route is a 404 for everyone.
  std::string id;
  const CommandRoute* command = nullptr;
  const QueryRoute* query = nullptr;
  bool path_known = false;
  for (const auto& r : CommandRoutes()) {
    std::string rid;
    if (!Match(r.pattern, segs, &rid)) continue;
    path_known = true;
    if (m == r.method) {
      command = &r;
      id = rid;
      call.route = PatternName(r.pattern);
    }
  }
  for (const auto& r : QueryRoutes()) {
    std::string rid;
    if (!Match(r.pattern, segs, &rid)) continue;
    path_known = true;
    if (m == "GET" && command == nullptr) {
      query = &r;
      id = rid;
      call.route = PatternName(r.pattern);
    }
  }
  // Reconciliation: statement import and resolutions (operator).
  const bool import_route = is(Fixed::kImport);
  if (import_route || is(Fixed::kResolve)) {
    call.route = PatternName(fixed->pattern);
    if (!call.who) {
      return Fail(call,
                  Err(hcodes::kUnauthorized, "an API key is required (Authorization: Bearer KEY)"));
    }
    if (m != fixed->method) return wrong_method();
    if (call.who->role != kReconciliationRole) {
      return Fail(call, Err(hcodes::kForbidden, "only an operator key may import or resolve"));
    }
    if (call.req.Header("idempotency-key").empty()) {
      return Fail(call, Err(hcodes::kIdempotencyKeyMissing,
                            "an Idempotency-Key header is required on every mutating call"));
    }
    return import_route ? HandleImport(call) : HandleResolve(call);
  }
  const bool keys_route = is(Fixed::kKeys);
  if (keys_route) {
    path_known = true;
    call.route = PatternName(fixed->pattern);
  }
  if (!path_known) return Fail(call, Err(hcodes::kRouteNotFound, "no such route: " + call.path));
  if (!call.who) {
    return Fail(call, Err(hcodes::kUnauthorized,
                          auth.empty() ? "an API key is required (Authorization: Bearer KEY)"
                                       : "unknown API key"));
  }
  if (keys_route) {
    if (m != fixed->method) return wrong_method();
    if (call.who->role != Role::kAdmin) {
      return Fail(call, Err(hcodes::kForbidden, "only an admin key may create keys"));
    }
    return HandleCreateKey(call);
  }
  if (command != nullptr) {
    if (!Allowed(command->access, call.who->role)) {
      return Fail(call,
                  Err(hcodes::kForbidden, fmt::format("the {} role may not run {}",
                                                      RoleName(call.who->role), command->type)));
    }
    std::string body = command->id_field ? InjectField(call.req.body, command->id_field, id)
                                         : std::move(call.req.body);
    return RunCommand(call, command->type, std::move(body), command->ok_status);
  }
  if (query == nullptr)
    return Fail(call, Err(hcodes::kMethodNotAllowed, "method not allowed here"));
  std::string_view what = query->name;
  if (what == "payment" || what == "refund" || what == "credit") {
    return HandleGetAggregate(call, what, id);
  }
  if (what == "payments") return HandleBatchGetPayments(call);
  if (what == "events") return HandleEvents(call);
  if (what == "verify") return HandleVerify(call);
  if (what == "report") return HandleReport(call, id);
  if (what == "reconciliation") return HandleReconciliation(call, id);
  if (what == "reconciliations") {
    // The scheduled reconciliation's runs (adapters/automation), when the
    // server runs any.
    if (!deps_.reconciliations) return Finish(call, JsonResponse(200, R"({"runs":[]})"));
    return Finish(call, JsonResponse(200, deps_.reconciliations()));
  }
  return HandleQuery(call, what);
}

}  // namespace folio::http
