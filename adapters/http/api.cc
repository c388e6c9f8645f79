#include "adapters/http/api.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <map>
#include <set>

#include <fmt/format.h>

#include <boost/json.hpp>

#include "adapters/json/command_json.h"
#include "adapters/json/json_codes.h"
#include "adapters/json/query_json.h"
#include "adapters/json/rfc3339.h"
#include "adapters/reconciliation/import.h"
#include "adapters/reports/reports.h"
#include "adapters/statements/statement.h"
#include "adapters/statements/text.h"
#include "engine/domain/aggregates.h"
#include "engine/domain/methods.h"
#include "engine/verify.h"
#include "events/codes.h"
#include "events/json.h"
#include "projections/balances.h"
#include "projections/rocks_reader.h"
#include "projections/row_codec.h"
#include "projections/stats.h"
#include "projections/trust_ledger.h"

namespace folio::http {

// Codes of the HTTP layer (docs/errors.md, "HTTP API").
namespace hcodes {
inline constexpr std::string_view kUnauthorized = "unauthorized";
inline constexpr std::string_view kForbidden = "forbidden";
inline constexpr std::string_view kRouteNotFound = "route_not_found";
inline constexpr std::string_view kMethodNotAllowed = "method_not_allowed";
inline constexpr std::string_view kIdempotencyKeyMissing = "idempotency_key_missing";
inline constexpr std::string_view kUnsupportedMediaType = "unsupported_media_type";
inline constexpr std::string_view kBadRequest = "bad_request";
inline constexpr std::string_view kQueryInvalid = "query_invalid";
inline constexpr std::string_view kNotReady = "not_ready";
}  // namespace hcodes

unsigned HttpStatusFor(std::string_view code) {
  static const std::map<std::string_view, unsigned> kFixed = {
      {hcodes::kUnauthorized, 401},
      {hcodes::kForbidden, 403},
      {hcodes::kRouteNotFound, 404},
      {codes::kNotFound, 404},
      {"payment_not_found", 404},
      {"refund_not_found", 404},
      {"credit_not_found", 404},
      {"trust_deposit_not_found", 404},
      {"recon_run_not_found", 404},
      {"recon_discrepancy_not_found", 404},
      {"recon_run_exists", 409},
      {"recon_discrepancy_resolved", 409},
      {hcodes::kMethodNotAllowed, 405},
      {codes::kIdempotencyKeyConflict, 409},
      {codes::kStreamVersionConflict, 409},
      {"payment_already_exists", 409},
      {"refund_already_exists", 409},
      {"credit_already_exists", 409},
      {"trust_deposit_already_exists", 409},
      {hcodes::kUnsupportedMediaType, 415},
      {codes::kStoreOverloaded, 503},
      {codes::kStoreFailed, 503},
      {codes::kStoreClosed, 503},
      {"projection_lag_timeout", 503},
      {hcodes::kNotReady, 503},
      {"signature_invalid", 401},
      {"signature_expired", 401},
      {"signature_key_unknown", 401},
      {"notification_replayed", 409},
      {"notification_malformed", 400},
      {"notification_undecryptable", 400},
      {"gateway_unknown_status", 400},
      {"gateway_merchant_mismatch", 403},
      {"gateway_config_invalid", 500},
      {codes::kIoError, 500},
      {codes::kCorruption, 500},
  };
  static const std::set<std::string_view> kBadInput = {
      "invalid_json",     "unknown_command_type",  "missing_field",     "invalid_field",
      "unknown_field",    codes::kAmountInvalid,   codes::kAmountPrecision,
      codes::kAmountOverflow, codes::kAmountUnderflow, codes::kCurrencyUnknown,
      codes::kInvalidArgument, codes::kEnvelopeInvalid, hcodes::kIdempotencyKeyMissing,
      hcodes::kBadRequest, hcodes::kQueryInvalid, "invalid_command",
  };
  if (auto it = kFixed.find(code); it != kFixed.end()) return it->second;
  if (code == "statement_too_large") return 413;
  if (kBadInput.contains(code) || code.starts_with("statement_")) return 400;
  return 422;  // a business rule said no (docs/rejections.md)
}

namespace {

using Clock = std::chrono::steady_clock;

std::string ErrorJson(std::string_view code, std::string_view message) {
  boost::json::object o;
  o["code"] = code;
  o["message"] = message;
  return boost::json::serialize(o);
}

Response JsonResponse(unsigned status, std::string body) {
  return Response{status, "application/json", std::move(body), {}};
}

Response ErrorResponse(const Status& s) {
  return JsonResponse(HttpStatusFor(s.code()), ErrorJson(s.code(), s.message()));
}

Status Err(std::string_view code, std::string message) {
  return Status::Error(InternCode(code), std::move(message));
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; '+' is a space only in query strings.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = HexDigit(in[i + 1]), lo = HexDigit(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::uint64_t> ParseU64(std::string_view s) {
  std::uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Puts "field": value first into a JSON object body, for ids taken from the
// path. A body that already has the field fails as a duplicate key.
std::string InjectField(const std::string& body, std::string_view field, const std::string& value) {
  std::size_t i = body.find_first_not_of(" \t\r\n");
  std::string pair = "\"" + std::string(field) + "\":" +
                     boost::json::serialize(boost::json::value(boost::json::string(value)));
  if (i == std::string::npos) return "{" + pair + "}";
  if (body[i] != '{') return body;  // not an object: the parser says so
  std::size_t j = body.find_first_not_of(" \t\r\n", i + 1);
  bool empty_object = j != std::string::npos && body[j] == '}';
  return "{" + pair + (empty_object ? "" : ",") + body.substr(i + 1);
}

std::string_view PaymentStatusName(domain::PaymentStatus s) {
  switch (s) {
    case domain::PaymentStatus::kScheduled:
      return "scheduled";
    case domain::PaymentStatus::kCreated:
      return "created";
    case domain::PaymentStatus::kPending:
      return "pending";
    case domain::PaymentStatus::kConfirming:
      return "confirming";
    case domain::PaymentStatus::kSettled:
      return "settled";
    case domain::PaymentStatus::kFailed:
      return "failed";
    case domain::PaymentStatus::kCancelled:
      return "cancelled";
    case domain::PaymentStatus::kExpired:
      return "expired";
  }
  return "unknown";
}

std::string MoneyOr(const Money& m, Asset asset) {
  return (m.asset() == Asset::Unknown ? Money(asset, m.minor()) : m).ToString();
}

std::string RfcOrEmpty(std::int64_t ns) { return ns == 0 ? std::string() : json::FormatRfc3339(ns); }

boost::json::object PaymentJson(const std::string& id, const domain::PaymentState& p) {
  const Asset a = p.amount.asset();
  boost::json::object o;
  o["payment_id"] = id;
  o["status"] = PaymentStatusName(p.status);
  o["method"] = domain::MethodName(p.method);
  o["currency"] = AssetCode(a);
  o["amount"] = MoneyOr(p.amount, a);
  o["fee"] = MoneyOr(p.fee, a);
  o["settled"] = MoneyOr(p.settled, a);
  o["gateway_fee"] = MoneyOr(p.gateway_fee, a);
  o["refunded"] = MoneyOr(p.refunded, a);
  o["refund_held"] = MoneyOr(p.held, a);
  o["customer_id"] = p.customer_id;
  o["order_id"] = p.order_id;
  if (!p.invoice_id.empty()) o["invoice_id"] = p.invoice_id;
  o["destination"] = p.destination == fb::Destination::Trust ? "trust" : "operating";
  if (!p.client_id.empty()) o["client_id"] = p.client_id;
  if (!p.matter_id.empty()) o["matter_id"] = p.matter_id;
  o["created_at"] = RfcOrEmpty(p.created_at_ns);
  if (p.due_at_ns != 0) o["due_at"] = RfcOrEmpty(p.due_at_ns);
  if (p.expires_at_ns != 0) o["expires_at"] = RfcOrEmpty(p.expires_at_ns);
  if (p.confirmations != 0) o["confirmations"] = p.confirmations;
  return o;
}

boost::json::object RefundJson(const std::string& id, const domain::RefundState& r) {
  boost::json::object o;
  o["refund_id"] = id;
  o["status"] = r.status == domain::RefundStatus::kRequested   ? "requested"
                : r.status == domain::RefundStatus::kSucceeded ? "succeeded"
                                                               : "failed";
  o["payment_id"] = r.payment_id;
  o["amount"] = r.amount.ToString();
  o["currency"] = AssetCode(r.amount.asset());
  o["target"] = r.target == fb::RefundTarget::CustomerCredit ? "customer_credit" : "original_method";
  if (!r.credit_id.empty()) o["credit_id"] = r.credit_id;
  return o;
}

boost::json::object CreditJson(const std::string& id, const domain::CreditState& c) {
  static constexpr const char* kNames[] = {"reserved", "active", "expired", "reversed"};
  boost::json::object o;
  o["credit_id"] = id;
  o["status"] = kNames[static_cast<int>(c.status) & 3];
  o["customer_id"] = c.customer_id;
  o["issued"] = c.issued.ToString();
  o["remaining"] = MoneyOr(c.remaining, c.issued.asset());
  o["currency"] = AssetCode(c.issued.asset());
  if (c.expires_at_ns != 0) o["expires_at"] = RfcOrEmpty(c.expires_at_ns);
  return o;
}

}  // namespace

struct Api::Call {
  Request req;
  Responder respond;
  Clock::time_point start = Clock::now();
  std::string route = "unmatched";
  std::string path;
  std::vector<std::string> segs;
  std::map<std::string, std::string> query;
  std::optional<Principal> who;
  bool answered = false;

  std::optional<std::string> Param(const std::string& name) const {
    auto it = query.find(name);
    if (it == query.end()) return std::nullopt;
    return it->second;
  }
};

using CallPtr = std::shared_ptr<Api::Call>;

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
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - call.start).count();
  metrics_.CountRequest(call.req.method, call.route, r.status, static_cast<std::uint64_t>(ns));
  call.respond(std::move(r));
}

void Api::Fail(Call& call, const Status& s) { Finish(call, ErrorResponse(s)); }

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
    auto seg = PercentDecode(raw_path.substr(pos, next - pos), false);
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
      auto k = PercentDecode(kv.substr(0, eq), true);
      auto v = PercentDecode(eq == std::string_view::npos ? "" : kv.substr(eq + 1), true);
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
  std::vector<std::string_view> pattern;  // "{id}" matches one segment
  const char* type;
  const char* id_field;  // injected from {id}; nullptr: none
  unsigned ok_status;
  Access access;
};

const std::vector<CommandRoute>& CommandRoutes() {
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
      {{"v1", "reports", "{id}"}, "report"},
  };
  return kRoutes;
}

bool Match(const std::vector<std::string_view>& pattern, const std::vector<std::string>& segs,
           std::string* id) {
  if (pattern.size() != segs.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == "{id}") {
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
      if (seg != "{id}") {
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
  return Err(json::codes::kUnknownCommandType, "no route for '" + std::string(type->as_string()) + "'");
}

void Api::Dispatch(Call& call) {
  const auto& segs = call.segs;
  const std::string& m = call.req.method;
  // Unauthenticated: probes and metrics.
  if (segs.size() == 1 && (segs[0] == "healthz" || segs[0] == "readyz" || segs[0] == "metrics")) {
    call.route = "/" + segs[0];
    if (m != "GET") {
      return Fail(call, Err(hcodes::kMethodNotAllowed, "use GET"));
    }
    if (segs[0] == "healthz") return Finish(call, JsonResponse(200, R"({"status":"ok"})"));
    if (segs[0] == "metrics") {
      return Finish(call, Response{200, "text/plain; version=0.0.4", MetricsText(), {}});
    }
    Status ready;
    if (deps_.writer->failed()) {
      ready = Err(codes::kStoreFailed, "the log writer has stopped after a failed write");
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
  if (segs.size() == 4 && segs[1] == "gateways" && segs[3] == "notify") {
    call.route = "/v1/gateways/" + segs[2] + "/notify";
    for (const auto& gw : gateways_) {
      if (gw.name == segs[2]) {
        if (m != "POST") return Fail(call, Err(hcodes::kMethodNotAllowed, "use POST"));
        return HandleGateway(call, gw);
      }
    }
    call.route = "/v1/gateways/{unknown}/notify";
    return Fail(call, Err(hcodes::kRouteNotFound, "no gateway named '" + segs[2] + "'"));
  }
  // Everything else needs an API key.
  std::string_view auth = call.req.Header("authorization");
  if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) {
    call.who = deps_.keys->Authenticate(auth.substr(7));
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
  const bool import_route = segs.size() == 2 && segs[1] == "imports";
  const bool resolve_route = segs.size() == 7 && segs[1] == "reconciliation" &&
                             segs[2] == "runs" && segs[4] == "discrepancies" &&
                             segs[6] == "resolve";
  if (import_route || resolve_route) {
    call.route = import_route ? "/v1/imports"
                              : "/v1/reconciliation/runs/{run}/discrepancies/{id}/resolve";
    if (!call.who) {
      return Fail(call, Err(hcodes::kUnauthorized, "an API key is required (Authorization: Bearer KEY)"));
    }
    if (m != "POST") return Fail(call, Err(hcodes::kMethodNotAllowed, "use POST"));
    if (call.who->role != Role::kOperator) {
      return Fail(call, Err(hcodes::kForbidden, "only an operator key may import or resolve"));
    }
    if (call.req.Header("idempotency-key").empty()) {
      return Fail(call, Err(hcodes::kIdempotencyKeyMissing,
                            "an Idempotency-Key header is required on every mutating call"));
    }
    return import_route ? HandleImport(call) : HandleResolve(call);
  }
  const bool keys_route = segs.size() == 2 && segs[1] == "keys";
  if (keys_route) {
    path_known = true;
    call.route = "/v1/keys";
  }
  if (!path_known) return Fail(call, Err(hcodes::kRouteNotFound, "no such route: " + call.path));
  if (!call.who) {
    return Fail(call, Err(hcodes::kUnauthorized,
                          auth.empty() ? "an API key is required (Authorization: Bearer KEY)"
                                       : "unknown API key"));
  }
  if (keys_route) {
    if (m != "POST") return Fail(call, Err(hcodes::kMethodNotAllowed, "use POST"));
    if (call.who->role != Role::kAdmin) {
      return Fail(call, Err(hcodes::kForbidden, "only an admin key may create keys"));
    }
    return HandleCreateKey(call);
  }
  if (command != nullptr) {
    if (!Allowed(command->access, call.who->role)) {
      return Fail(call, Err(hcodes::kForbidden,
                            fmt::format("the {} role may not run {}", RoleName(call.who->role),
                                        command->type)));
    }
    std::string body = command->id_field ? InjectField(call.req.body, command->id_field, id)
                                         : std::move(call.req.body);
    return RunCommand(call, command->type, std::move(body), command->ok_status);
  }
  if (query == nullptr) return Fail(call, Err(hcodes::kMethodNotAllowed, "method not allowed here"));
  std::string_view what = query->name;
  if (what == "payment" || what == "refund" || what == "credit") {
    return HandleGetAggregate(call, what, id);
  }
  if (what == "payments") return HandleBatchGetPayments(call);
  if (what == "events") return HandleEvents(call);
  if (what == "verify") return HandleVerify(call);
  if (what == "report") return HandleReport(call, id);
  return HandleQuery(call, what);
}

// ---------------------------------------------------------------- commands

void Api::Submit(domain::Command command, const std::string& actor, const std::string& scope,
                 const std::string& idempotency_key, const Hash32& fingerprint,
                 std::function<void(const AppendOutcome&)> done) {
  AppendRequest r;
  r.idempotency_scope = scope;
  r.idempotency_key = idempotency_key;
  r.fingerprint = fingerprint;
  r.context.actor = actor;
  r.context.idempotency_key = idempotency_key;
  std::optional<domain::Command> copy;
  if (deps_.on_committed) copy = command;
  r.command = std::move(command);
  deps_.writer->Submit(std::move(r), [this, copy = std::move(copy),
                                      done = std::move(done)](const AppendOutcome& o) {
    if (o.status.ok() && o.first_seq != 0) NotifyAppended();
    if (o.status.ok() && !o.replayed && copy && deps_.on_committed) deps_.on_committed(*copy, o);
    done(o);
  });
}

void Api::RunCommand(Call& call, std::string_view type, std::string body, unsigned ok_status) {
  std::string key(call.req.Header("idempotency-key"));
  if (key.empty()) {
    return Fail(call, Err(hcodes::kIdempotencyKeyMissing,
                          "an Idempotency-Key header is required on every mutating call"));
  }
  std::string_view ctype = call.req.Header("content-type");
  if (!ctype.empty() && ctype.substr(0, 16) != "application/json") {
    return Fail(call, Err(hcodes::kUnsupportedMediaType, "send the body as application/json"));
  }
  auto parsed = json::ParseCommandBody(type, body, key);
  if (!parsed.ok()) {
    metrics_.CountCommand(type, parsed.status().code());
    return Fail(call, parsed.status());
  }
  if (parsed->at_ns && !opts_.allow_client_time) {
    return Fail(call, Err(json::codes::kInvalidField,
                          "at: this server keeps its own clock; leave \"at\" out"));
  }
  const std::string& canon = parsed->canonical;
  Hash32 fp = Sha256({reinterpret_cast<const std::uint8_t*>(canon.data()), canon.size()});
  AppendRequest r;
  r.idempotency_key = key;
  r.fingerprint = fp;
  r.context.actor = call.who->name;
  r.context.idempotency_key = key;
  r.context.correlation_id = parsed->correlation_id;
  r.context.now_ns = parsed->at_ns.value_or(0);
  std::optional<domain::Command> copy;
  if (deps_.on_committed) copy = parsed->command;
  r.command = std::move(parsed->command);
  // The Call must live until the writer answers.
  auto keep = std::shared_ptr<Call>(std::make_shared<Call>(std::move(call)));
  std::string type_name(type);
  deps_.writer->Submit(std::move(r), [this, keep, type_name, ok_status,
                                      copy = std::move(copy)](const AppendOutcome& o) {
    if (o.status.ok() && o.first_seq != 0) NotifyAppended();
    if (o.status.ok() && !o.replayed && copy && deps_.on_committed) deps_.on_committed(*copy, o);
    metrics_.CountCommand(type_name, o.status.ok() ? (o.replayed ? "replayed" : "ok")
                                                   : o.status.code());
    Response resp;
    if (o.status.ok()) {
      boost::json::object j;
      j["ok"] = true;
      j["type"] = type_name;
      j["first_seq"] = o.first_seq;
      j["last_seq"] = o.last_seq;
      j["stream_version"] = o.stream_version;
      j["replayed"] = o.replayed;
      resp = JsonResponse(ok_status, boost::json::serialize(j));
    } else {
      boost::json::object j;
      j["code"] = o.status.code();
      j["message"] = o.status.message();
      if (o.replayed) j["replayed"] = true;
      resp = JsonResponse(HttpStatusFor(o.status.code()), boost::json::serialize(j));
    }
    if (o.replayed) resp.headers.emplace_back("Idempotent-Replayed", "true");
    Finish(*keep, std::move(resp));
  });
  call.answered = true;  // moved-from; the copy answers
}

void Api::HandleGateway(Call& call, const GatewayRoute& gw) {
  auto verdict = gw.parse(call.req);
  if (!verdict.ok()) {
    Response r = gw.reply(verdict.status());
    r.status = HttpStatusFor(verdict.status().code());
    if (r.status == 422) r.status = 400;
    r.headers.emplace_back("X-Folio-Code", std::string(verdict.status().code()));
    return Finish(call, std::move(r));
  }
  if (!verdict->command) return Finish(call, gw.reply(Status()));
  std::string rendered;
  {
    json::ParsedCommand pc;
    pc.command = *verdict->command;
    pc.idempotency_key = verdict->dedupe_key;
    auto text = json::RenderCommand(pc);
    rendered = text.ok() ? *text : verdict->dedupe_key;
  }
  Hash32 fp = Sha256({reinterpret_cast<const std::uint8_t*>(rendered.data()), rendered.size()});
  auto keep = std::make_shared<Call>(std::move(call));
  call.answered = true;
  std::string type(json::CommandTypeName(*verdict->command));
  Submit(std::move(*verdict->command), "gateway:" + gw.name, "gw:" + gw.name, verdict->dedupe_key,
         fp, [this, keep, &gw, type](const AppendOutcome& o) {
           metrics_.CountCommand(type, o.status.ok() ? (o.replayed ? "replayed" : "ok")
                                                     : o.status.code());
           bool benign = std::find(gw.benign_codes.begin(), gw.benign_codes.end(),
                                   o.status.code()) != gw.benign_codes.end();
           if (o.status.ok() || benign) return Finish(*keep, gw.reply(Status()));
           Response r = gw.reply(o.status);
           r.status = HttpStatusFor(o.status.code());
           r.headers.emplace_back("X-Folio-Code", std::string(o.status.code()));
           Finish(*keep, std::move(r));
         });
}

void Api::HandleCreateKey(Call& call) {
  std::string key(call.req.Header("idempotency-key"));
  if (key.empty()) {
    return Fail(call, Err(hcodes::kIdempotencyKeyMissing, "an Idempotency-Key header is required"));
  }
  boost::system::error_code ec;
  auto v = boost::json::parse(call.req.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("name") || !v.as_object().contains("role") ||
      !v.as_object().at("name").is_string() || !v.as_object().at("role").is_string() ||
      v.as_object().size() != 2) {
    return Fail(call, Err(json::codes::kInvalidJson, R"(expected {"name": "...", "role": "operator|auditor|admin"})"));
  }
  std::string name(v.as_object().at("name").as_string());
  auto role = RoleFromName(std::string(v.as_object().at("role").as_string()));
  if (!role) return Fail(call, Err(json::codes::kInvalidField, "role: operator, auditor or admin"));
  std::lock_guard lock(keys_mu_);
  if (auto it = key_requests_.find(key); it != key_requests_.end()) {
    if (it->second.first != call.req.body) {
      return Fail(call, Err(codes::kIdempotencyKeyConflict, "this key was used for another request"));
    }
    return Finish(call, it->second.second);
  }
  auto created = deps_.keys->Create(name, *role);
  if (!created.ok()) return Fail(call, created.status());
  boost::json::object o;
  o["name"] = name;
  o["role"] = RoleName(*role);
  o["key"] = *created;
  Response r = JsonResponse(201, boost::json::serialize(o));
  key_requests_[key] = {call.req.body, r};
  Finish(call, std::move(r));
}

// ---------------------------------------------------------------- queries

Status Api::ReadYourWrites(const Call& call) {
  auto min_seq = call.Param("min_seq");
  if (!min_seq || deps_.projector == nullptr) return Status();
  auto seq = ParseU64(*min_seq);
  if (!seq) return Err(hcodes::kQueryInvalid, "min_seq must be an unsigned integer");
  return deps_.projector->WaitFor(*seq, opts_.read_your_writes_max);
}

void Api::HandleGetAggregate(Call& call, std::string_view kind, const std::string& id) {
  std::string key = kind == "payment"  ? domain::PaymentKey(id)
                    : kind == "refund" ? domain::RefundKey(id)
                                       : domain::CreditKey(id);
  std::string value;
  auto s = deps_.store->db()->Get(rocksdb::ReadOptions(), deps_.store->state_cf(), key, &value);
  if (s.IsNotFound()) {
    return Fail(call, Err(std::string(kind) + "_not_found", std::string(kind) + " '" + id + "' does not exist"));
  }
  if (!s.ok()) return Fail(call, Err(codes::kIoError, s.ToString()));
  boost::json::object o;
  if (kind == "payment") {
    domain::PaymentState p;
    domain::Decode(value, &p);
    o = PaymentJson(id, p);
  } else if (kind == "refund") {
    domain::RefundState r;
    domain::Decode(value, &r);
    o = RefundJson(id, r);
  } else {
    domain::CreditState c;
    domain::Decode(value, &c);
    o = CreditJson(id, c);
  }
  Finish(call, JsonResponse(200, boost::json::serialize(o)));
}

void Api::HandleBatchGetPayments(Call& call) {
  auto ids = call.Param("ids");
  if (!ids || ids->empty()) {
    return Fail(call, Err(hcodes::kQueryInvalid, "ids=ID,ID,... is required (at most 100)"));
  }
  std::vector<std::string> list;
  for (std::size_t pos = 0; pos <= ids->size();) {
    auto comma = ids->find(',', pos);
    if (comma == std::string::npos) comma = ids->size();
    list.push_back(ids->substr(pos, comma - pos));
    pos = comma + 1;
  }
  if (list.size() > 100) return Fail(call, Err(hcodes::kQueryInvalid, "at most 100 ids"));
  std::vector<std::string> keys;
  for (const auto& id : list) keys.push_back(domain::PaymentKey(id));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<std::string> values(keys.size());
  std::vector<rocksdb::ColumnFamilyHandle*> cfs(keys.size(), deps_.store->state_cf());
  auto statuses = deps_.store->db()->MultiGet(rocksdb::ReadOptions(), cfs, slices, &values);
  boost::json::array found;
  boost::json::array missing;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      missing.push_back(boost::json::value(boost::json::string(list[i])));
      continue;
    }
    if (!statuses[i].ok()) return Fail(call, Err(codes::kIoError, statuses[i].ToString()));
    domain::PaymentState p;
    domain::Decode(values[i], &p);
    found.push_back(PaymentJson(list[i], p));
  }
  boost::json::object o;
  o["payments"] = std::move(found);
  o["missing"] = std::move(missing);
  Finish(call, JsonResponse(200, boost::json::serialize(o)));
}

void Api::HandleQuery(Call& call, std::string_view what) {
  if (what == "projections") {
    boost::json::array arr;
    if (deps_.projector != nullptr) {
      for (const auto& p : deps_.projector->status()) {
        boost::json::object o;
        o["name"] = p.name;
        o["version"] = p.version;
        o["state"] = projections::ProjectionStateName(p.state);
        o["applied_seq"] = p.applied_seq;
        o["head_seq"] = p.head_seq;
        o["lag_events"] = p.lag_events;
        o["lag_ms"] = static_cast<std::uint64_t>(p.lag_seconds * 1000);
        if (!p.error.ok()) o["error"] = p.error.ToString();
        arr.push_back(std::move(o));
      }
    }
    boost::json::object o;
    o["projections"] = std::move(arr);
    return Finish(call, JsonResponse(200, boost::json::serialize(o)));
  }
  if (Status s = ReadYourWrites(call); !s.ok()) return Fail(call, s);
  auto balances = projections::BalancesReader::Open(*deps_.store);
  if (!balances.ok()) return Fail(call, balances.status());
  // as_of_seq / as_of -> a sequence.
  std::optional<std::uint64_t> as_of;
  auto as_of_seq = call.Param("as_of_seq");
  auto as_of_time = call.Param("as_of");
  if (as_of_seq && as_of_time) {
    return Fail(call, Err(hcodes::kQueryInvalid, "give as_of_seq or as_of, not both"));
  }
  if (as_of_seq) {
    as_of = ParseU64(*as_of_seq);
    if (!as_of) return Fail(call, Err(hcodes::kQueryInvalid, "as_of_seq must be an unsigned integer"));
  } else if (as_of_time) {
    auto ns = json::ParseRfc3339(*as_of_time);
    if (!ns.ok()) return Fail(call, Err(hcodes::kQueryInvalid, "as_of: " + ns.status().message()));
    auto seq = (*balances)->SeqAtTime(*ns);
    if (!seq.ok()) return Fail(call, seq.status());
    as_of = *seq;
  }
  if (what == "balance") {
    auto account = call.Param("account");
    auto asset_code = call.Param("asset");
    if (!account || !asset_code) {
      return Fail(call, Err(hcodes::kQueryInvalid, "account= and asset= are required"));
    }
    auto asset = AssetFromCode(*asset_code);
    if (!asset) return Fail(call, Err(codes::kCurrencyUnknown, "unknown asset '" + *asset_code + "'"));
    auto b = (*balances)->Balance(*account, *asset, as_of);
    if (!b.ok()) return Fail(call, b.status());
    return Finish(call, JsonResponse(200, boost::json::serialize(json::BalanceJson(*b))));
  }
  if (what == "trial_balance") {
    auto tb = (*balances)->TrialBalance(as_of);
    if (!tb.ok()) return Fail(call, tb.status());
    std::uint64_t shown = std::min(as_of.value_or((*balances)->applied_seq()), (*balances)->applied_seq());
    return Finish(call, JsonResponse(200, boost::json::serialize(json::TrialBalanceJson(*tb, shown))));
  }
  const char* projection = what == "stats" ? "stats" : "trust";
  auto reader = projections::RocksProjectionReader::Open(*deps_.store, projection);
  if (!reader.ok()) return Fail(call, reader.status());
  if (what == "trust_ledger") {
    auto client = call.Param("client");
    if (!client) return Fail(call, Err(hcodes::kQueryInvalid, "client= is required"));
    std::string matter = call.Param("matter").value_or("");
    auto lines = matter.empty() ? projections::ClientLedger(**reader, *client, as_of)
                                : projections::MatterLedger(**reader, *client, matter, as_of);
    auto totals = matter.empty() ? projections::ClientTotals(**reader, *client, as_of)
                                 : projections::MatterTotals(**reader, *client, matter, as_of);
    return Finish(call, JsonResponse(200, projections::TrustLedgerJson(*client, matter, lines,
                                                                       totals, as_of)));
  }
  if (what == "trust_negative") {
    return Finish(call, JsonResponse(200, projections::TrustTotalsJson(
                                              projections::NegativeMatters(**reader, as_of))));
  }
  if (what == "trust_gl") {
    std::uint64_t from = 0;
    if (auto f = call.Param("from_seq")) {
      auto v = ParseU64(*f);
      if (!v) return Fail(call, Err(hcodes::kQueryInvalid, "from_seq must be an unsigned integer"));
      from = *v;
    }
    return Finish(call, JsonResponse(200, projections::TrustGeneralLedgerJson(
                                              projections::TrustGeneralLedger(**reader, from, as_of))));
  }
  // stats
  std::uint32_t from = 0, to = 99991231;
  for (auto [name, slot] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
    if (auto v = call.Param(name)) {
      auto day = projections::ParseDayKey(*v);
      if (!day) {
        return Fail(call, Err(hcodes::kQueryInvalid, std::string(name) + " must be YYYY-MM-DD"));
      }
      *slot = *day;
    }
  }
  Finish(call, JsonResponse(200, projections::StatsJson(projections::Stats(**reader, from, to))));
}

void Api::HandleVerify(Call& call) {
  auto report = VerifyLog(*deps_.store);
  if (!report.ok()) return Fail(call, report.status());
  boost::json::object o;
  o["ok"] = report->ok;
  o["events"] = report->events;
  o["streams"] = report->streams;
  o["head_seq"] = report->head_seq;
  o["head_hash"] = ToHex(report->head_hash);
  if (!report->ok) {
    if (report->first_bad_seq) o["first_bad_seq"] = *report->first_bad_seq;
    o["reason"] = report->reason;
  }
  Finish(call, JsonResponse(report->ok ? 200 : 500, boost::json::serialize(o)));
}

// ---------------------------------------------------------------- reconciliation

void Api::HandleImport(Call& call) {
  auto source_name = call.Param("source");
  auto source = source_name ? statements::SourceFromName(*source_name) : std::nullopt;
  if (!source) {
    return Fail(call, Err(hcodes::kQueryInvalid,
                          "source= is required: alipay, wechatpay, camt053, mt940 or csv"));
  }
  if (call.req.body.empty()) return Fail(call, Err(hcodes::kBadRequest, "the body is the statement file"));
  // The importer reads a file (it streams and hashes it): the body goes to a
  // private temporary file first.
  std::string path = (std::filesystem::temp_directory_path() / "folio-import-XXXXXX").string();
  int fd = ::mkstemp(path.data());
  if (fd < 0) return Fail(call, Err(codes::kIoError, "cannot create a temporary file"));
  ::close(fd);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(call.req.body.data(), static_cast<std::streamsize>(call.req.body.size()));
    if (!out) {
      std::filesystem::remove(path);
      return Fail(call, Err(codes::kIoError, "cannot write a temporary file"));
    }
  }
  reconciliation::ImportOptions o;
  o.source = *source;
  o.path = path;
  o.actor = call.who->name;
  if (auto account = call.Param("account")) o.account = *account;
  auto r = reconciliation::ImportStatement(*deps_.store, *deps_.writer, o);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (!r.ok()) return Fail(call, r.status());
  NotifyAppended();
  metrics_.CountCommand("statement.import", r->replayed ? "replayed" : "ok");
  Response resp = JsonResponse(r->replayed ? 200 : 201, reconciliation::ImportResultJson(*r));
  if (r->replayed) resp.headers.emplace_back("Idempotent-Replayed", "true");
  Finish(call, std::move(resp));
}

void Api::HandleResolve(Call& call) {
  boost::system::error_code ec;
  auto v = boost::json::parse(call.req.body, ec);
  const boost::json::object* o = (!ec && v.is_object()) ? &v.as_object() : nullptr;
  auto* resolution = o ? o->if_contains("resolution") : nullptr;
  if (o == nullptr || resolution == nullptr || !resolution->is_string() ||
      resolution->as_string().empty() || o->size() != 1) {
    return Fail(call, Err(json::codes::kInvalidJson, R"(expected {"resolution": "what was done"})"));
  }
  recon::ReconResolve res;
  res.run_id = call.segs[3];
  res.discrepancy_id = call.segs[5];
  res.resolved_by = call.who->name;
  res.resolution = std::string(resolution->as_string());
  auto r = reconciliation::ResolveDiscrepancy(*deps_.store, *deps_.writer, res, call.who->name);
  if (!r.ok()) return Fail(call, r.status());
  NotifyAppended();
  boost::json::object j;
  j["ok"] = true;
  j["first_seq"] = r->first_seq;
  j["last_seq"] = r->last_seq;
  j["replayed"] = r->replayed;
  Finish(call, JsonResponse(200, boost::json::serialize(j)));
}

void Api::HandleReport(Call& call, const std::string& kind_name) {
  auto kind = reports::ReportKindFromName(kind_name);
  if (!kind) {
    return Fail(call, Err(hcodes::kRouteNotFound,
                          "no report '" + kind_name +
                              "': reconciliation-run, trust-statement, fees or stats"));
  }
  if (*kind == reports::ReportKind::kThreeWay) {
    return Fail(call, Err(hcodes::kQueryInvalid,
                          "three-way needs the bank statement file: use folio report three-way"));
  }
  reports::ReportRequest rq;
  rq.kind = *kind;
  auto format = reports::ReportFormatFromName(call.Param("format").value_or("json"));
  if (!format) return Fail(call, Err(hcodes::kQueryInvalid, "format must be csv, json or html"));
  rq.format = *format;
  if (auto v = call.Param("as_of_seq")) {
    auto n = ParseU64(*v);
    if (!n) return Fail(call, Err(hcodes::kQueryInvalid, "as_of_seq must be an unsigned integer"));
    rq.as_of_seq = *n;
  }
  for (auto [name, slot] : {std::pair{"from", &rq.period_start_ns}, std::pair{"to", &rq.period_end_ns}}) {
    if (auto v = call.Param(name)) {
      // As `folio report`: a Shanghai day YYYY-MM-DD (to: exclusive), or an RFC 3339 time.
      auto ns = v->size() == 10 ? statements::ParseShanghaiTime(*v, 0) : json::ParseRfc3339(*v);
      if (!ns.ok()) {
        return Fail(call, Err(hcodes::kQueryInvalid,
                              std::string(name) + ": YYYY-MM-DD (Asia/Shanghai) or RFC 3339"));
      }
      *slot = *ns;
    }
  }
  rq.run_id = call.Param("run_id").value_or("");
  rq.client_id = call.Param("client").value_or("");
  rq.matter_id = call.Param("matter").value_or("");
  auto body = reports::RenderReport(rq, *deps_.store);
  if (!body.ok()) return Fail(call, body.status());
  Finish(call, Response{200, std::string(reports::ContentType(rq.format)), std::move(*body), {}});
}

// ---------------------------------------------------------------- events

void Api::HandleEvents(Call& call) {
  std::uint64_t from = 1;
  std::uint64_t limit = 100;
  std::uint64_t wait_ms = 0;
  for (auto [name, slot] : {std::pair{"from_seq", &from}, std::pair{"limit", &limit},
                            std::pair{"wait_ms", &wait_ms}}) {
    if (auto v = call.Param(name)) {
      auto n = ParseU64(*v);
      if (!n) {
        return Fail(call, Err(hcodes::kQueryInvalid, std::string(name) + " must be an unsigned integer"));
      }
      *slot = *n;
    }
  }
  if (from == 0) from = 1;
  if (limit == 0 || limit > opts_.events_limit_max) {
    return Fail(call, Err(hcodes::kQueryInvalid,
                          "limit must be 1.." + std::to_string(opts_.events_limit_max)));
  }
  auto answer = [this, from, limit](Call& c) {
    auto events = deps_.store->ReadFrom(from, static_cast<std::size_t>(limit));
    if (!events.ok()) return Fail(c, events.status());
    std::string body = "{\"events\":[";
    std::uint64_t next = from;
    for (std::size_t i = 0; i < events->size(); ++i) {
      if (i) body += ",";
      body += EventToJson((*events)[i]);
      next = (*events)[i].seq() + 1;
    }
    body += "],\"next_seq\":" + std::to_string(next) + "}";
    Finish(c, JsonResponse(200, std::move(body)));
  };
  if (wait_ms == 0 || deps_.writer->durable_head().seq >= from) return answer(call);
  auto wait = std::min(std::chrono::milliseconds(wait_ms), opts_.long_poll_max);
  auto keep = std::make_shared<Call>(std::move(call));
  call.answered = true;
  std::lock_guard lock(poll_mu_);
  waiters_.push_back(Waiter{from, Clock::now() + wait, [keep, answer] { answer(*keep); }});
  poll_cv_.notify_all();
}

void Api::NotifyAppended() {
  poll_cv_.notify_all();
  if (deps_.on_appended) deps_.on_appended();
}

void Api::LongPollLoop() {
  std::unique_lock lock(poll_mu_);
  while (!poll_stop_) {
    auto next = Clock::now() + std::chrono::milliseconds(200);
    for (const auto& w : waiters_) next = std::min(next, w.deadline);
    poll_cv_.wait_until(lock, next);
    if (waiters_.empty()) continue;
    const std::uint64_t head = deps_.writer->durable_head().seq;
    const auto now = Clock::now();
    std::vector<std::function<void()>> due;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (head >= it->from_seq || now >= it->deadline || poll_stop_) {
        due.push_back(std::move(it->answer));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
    lock.unlock();
    for (auto& f : due) f();
    lock.lock();
  }
  for (auto& w : waiters_) w.answer();
  waiters_.clear();
}

// ---------------------------------------------------------------- metrics

std::string Api::MetricsText() {
  std::vector<Sample> live;
  const keys::Head head = deps_.writer->durable_head();
  live.push_back({"folio_log_head_seq", "Sequence of the last durable event.", "gauge", {},
                  static_cast<double>(head.seq)});
  WriterStats ws = deps_.writer->stats();
  live.push_back({"folio_writer_failed", "1 when the writer stopped after a failed write.", "gauge",
                  {}, deps_.writer->failed() ? 1.0 : 0.0});
  live.push_back({"folio_writer_groups_total", "Group commits written.", "counter", {},
                  static_cast<double>(ws.groups)});
  live.push_back({"folio_writer_events_total", "Events appended.", "counter", {},
                  static_cast<double>(ws.events)});
  if (deps_.projector != nullptr) {
    for (const auto& p : deps_.projector->status()) {
      live.push_back({"folio_projection_lag_events", "Events not yet applied, per projection.",
                      "gauge", {{"projection", p.name}}, static_cast<double>(p.lag_events)});
    }
    for (const auto& p : deps_.projector->status()) {
      live.push_back({"folio_projection_lag_seconds",
                      "Age of the oldest event not yet applied, per projection.", "gauge",
                      {{"projection", p.name}}, p.lag_seconds});
    }
  }
  if (deps_.extra_metrics) {
    for (auto& s : deps_.extra_metrics()) live.push_back(std::move(s));
  }
  return metrics_.Render(live);
}

}  // namespace folio::http
