// The command side of the API: submitting commands (the /v1 routes, gateway
// notifications, the sandbox), API keys, and statement imports and
// resolutions. Routing and the read side are in api.cc and api_queries.cc.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/json.hpp>

#include "adapters/http/api.h"
#include "adapters/http/api_internal.h"
#include "adapters/json/command_json.h"
#include "adapters/json/json_codes.h"
#include "adapters/reconciliation/import.h"
#include "adapters/statements/statement.h"
#include "adapters/statements/text.h"
#include "events/codes.h"
#include "events/hash.h"

namespace folio::http {

namespace {
std::string_view OutcomeLabel(const AppendOutcome& o) {
  return o.status.ok() ? (o.replayed ? "replayed" : "ok") : o.status.code();
}
}  // namespace

void Api::Append(AppendRequest r, std::string metric_type,
                 std::function<void(const AppendOutcome&)> done) {
  std::optional<domain::Command> copy;
  if (deps_.on_committed && r.command) copy = *r.command;
  deps_.writer->Submit(std::move(r), [this, copy = std::move(copy), type = std::move(metric_type),
                                      done = std::move(done)](const AppendOutcome& o) {
    if (o.status.ok() && o.first_seq != 0) NotifyAppended();
    if (o.status.ok() && !o.replayed && copy && deps_.on_committed) deps_.on_committed(*copy, o);
    if (!type.empty()) metrics_.CountCommand(type, OutcomeLabel(o));
    done(o);
  });
}

void Api::Submit(domain::Command command, const std::string& actor, const std::string& scope,
                 const std::string& idempotency_key, const Hash32& fingerprint,
                 std::function<void(const AppendOutcome&)> done) {
  AppendRequest r;
  r.idempotency_scope = scope;
  r.idempotency_key = idempotency_key;
  r.fingerprint = fingerprint;
  r.context.actor = actor;
  r.context.idempotency_key = idempotency_key;
  r.command = std::move(command);
  Append(std::move(r), "", std::move(done));
}

AppendRequest Api::GatewayFactRequest(std::string_view gateway, const std::string& dedupe_key,
                                      domain::Command command, const std::string& actor) {
  // The fingerprint is the rendered command: the same fact under the same key
  // is a replay, whoever reports it (a notification or the status poller).
  json::ParsedCommand pc;
  pc.command = command;
  pc.idempotency_key = dedupe_key;
  auto rendered = json::RenderCommand(pc);
  AppendRequest r;
  r.idempotency_scope = "gw:" + std::string(gateway);
  r.idempotency_key = dedupe_key;
  r.fingerprint = Sha256(rendered.ok() ? *rendered : dedupe_key);
  r.context.actor = actor;
  r.context.idempotency_key = dedupe_key;
  // A gateway that took the money is believed even after the ledger closed
  // the payment: the money is recorded and refunded (docs/gateways.md). Set
  // after the fingerprint, which names the fact, not this policy, so facts
  // recorded before it existed replay as themselves.
  if (auto* settle = std::get_if<domain::PaymentSettle>(&command)) settle->allow_closed = true;
  r.command = std::move(command);
  return r;
}

void Api::SubmitGatewayFact(std::string_view gateway, const std::string& dedupe_key,
                            domain::Command command, const std::string& actor,
                            std::function<void(const AppendOutcome&)> done) {
  AppendRequest r = GatewayFactRequest(gateway, dedupe_key, std::move(command), actor);
  std::string type(json::CommandTypeName(*r.command));
  Append(std::move(r), type, std::move(done));
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
  AppendRequest r;
  r.idempotency_key = key;
  r.fingerprint = Sha256(parsed->canonical);
  r.context.actor = call.who->name;
  r.context.idempotency_key = key;
  r.context.correlation_id = parsed->correlation_id;
  r.context.now_ns = parsed->at_ns.value_or(0);
  r.command = std::move(parsed->command);
  // The Call must live until the writer answers.
  auto keep = std::make_shared<Call>(std::move(call));
  call.answered = true;  // moved-from; the copy answers
  std::string type_name(type);
  Append(std::move(r), type_name, [this, keep, type_name, ok_status](const AppendOutcome& o) {
    boost::json::object j;
    if (o.status.ok()) {
      j["ok"] = true;
      j["type"] = type_name;
      j["first_seq"] = o.first_seq;
      j["last_seq"] = o.last_seq;
      j["stream_version"] = o.stream_version;
      j["replayed"] = o.replayed;
    } else {
      j["code"] = o.status.code();
      j["message"] = json::ValidUtf8(o.status.message());
      if (o.replayed) j["replayed"] = true;
    }
    Response resp = JsonResponse(o.status.ok() ? ok_status : HttpStatusFor(o.status.code()),
                                 boost::json::serialize(j));
    if (o.replayed) resp.headers.emplace_back("Idempotent-Replayed", "true");
    Finish(*keep, std::move(resp));
  });
}

void Api::HandleGateway(Call& call, const GatewayRoute& gw) {
  // A failure in the gateway's own reply format, with Folio's code in a header.
  auto gateway_failure = [&gw](const Status& why, unsigned status) {
    Response r = gw.reply(why);
    r.status = status;
    r.headers.emplace_back("X-Folio-Code", std::string(why.code()));
    return r;
  };
  auto verdict = gw.parse(call.req);
  if (!verdict.ok()) {
    const unsigned status = HttpStatusFor(verdict.status().code());
    return Finish(call, gateway_failure(verdict.status(), status == 422 ? 400 : status));
  }
  if (!verdict->command) return Finish(call, gw.reply(Status()));
  AppendRequest r = GatewayFactRequest(gw.name, verdict->dedupe_key, std::move(*verdict->command),
                                       "gateway:" + gw.name);
  auto keep = std::make_shared<Call>(std::move(call));
  call.answered = true;
  std::string type(json::CommandTypeName(*r.command));
  Append(std::move(r), type, [this, keep, &gw, gateway_failure](const AppendOutcome& o) {
    bool benign = std::find(gw.benign_codes.begin(), gw.benign_codes.end(), o.status.code()) !=
                  gw.benign_codes.end();
    if (o.status.ok() || benign) return Finish(*keep, gw.reply(Status()));
    Finish(*keep, gateway_failure(o.status, HttpStatusFor(o.status.code())));
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
    return Fail(call, Err(json::codes::kInvalidJson,
                          R"(expected {"name": "...", "role": "operator|auditor|admin"})"));
  }
  std::string name(v.as_object().at("name").as_string());
  auto role = RoleFromName(std::string(v.as_object().at("role").as_string()));
  if (!role) return Fail(call, Err(json::codes::kInvalidField, "role: operator, auditor or admin"));
  std::lock_guard lock(keys_mu_);
  if (auto it = key_requests_.find(key); it != key_requests_.end()) {
    if (it->second.first != call.req.body) {
      return Fail(call,
                  Err(codes::kIdempotencyKeyConflict, "this key was used for another request"));
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

// ---------------------------------------------------------------- reconciliation

void Api::HandleImport(Call& call) {
  auto source_name = call.Param("source");
  auto source = source_name ? statements::SourceFromName(*source_name) : std::nullopt;
  if (!source) {
    return Fail(call,
                Err(hcodes::kQueryInvalid,
                    "source= is required: alipay, wechatpay, unionpay, camt053, mt940 or csv"));
  }
  // UnionPay's file names no year: the settle date it is read against.
  std::int64_t settle_ns = 0;
  if (auto settle = call.Param("settle_date")) {
    auto ns = statements::ParseShanghaiTime(*settle, 0);
    if (*source != statements::Source::kUnionPay || settle->size() != 10 || !ns.ok()) {
      return Fail(call, Err(hcodes::kQueryInvalid, "settle_date= is YYYY-MM-DD, for unionpay"));
    }
    settle_ns = *ns;
  }
  if (call.req.body.empty())
    return Fail(call, Err(hcodes::kBadRequest, "the body is the statement file"));
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
  if (settle_ns != 0) {
    o.period_start_ns = settle_ns;
    o.period_end_ns = settle_ns + statements::kNsPerDay;
  }
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
    return Fail(call,
                Err(json::codes::kInvalidJson, R"(expected {"resolution": "what was done"})"));
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

}  // namespace folio::http
