// The read side of the API: aggregates, balances and ledgers, reports,
// verify, the event tail (long poll) and /metrics.
#include <algorithm>

#include <boost/json.hpp>

#include "adapters/http/api.h"
#include "adapters/http/api_internal.h"
#include "adapters/json/query_json.h"
#include "adapters/json/rfc3339.h"
#include "adapters/reports/reports.h"
#include "adapters/statements/text.h"
#include "engine/domain/aggregates.h"
#include "engine/domain/methods.h"
#include "engine/recon/recon.h"
#include "engine/verify.h"
#include "events/codes.h"
#include "events/json.h"
#include "projections/balances.h"
#include "projections/reconciliation.h"
#include "projections/rocks_reader.h"
#include "projections/row_codec.h"
#include "projections/stats.h"
#include "projections/trust_ledger.h"
#include "projections/view.h"

namespace folio::http {
namespace {

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

std::string RfcOrEmpty(std::int64_t ns) {
  return ns == 0 ? std::string() : json::FormatRfc3339(ns);
}

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
  o["target"] =
      r.target == fb::RefundTarget::CustomerCredit ? "customer_credit" : "original_method";
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
  auto loaded = deps_.store->LoadState(key);
  if (!loaded.ok()) return Fail(call, loaded.status());
  if (!loaded->has_value()) {
    return Fail(call, Err(std::string(kind) + "_not_found",
                          std::string(kind) + " '" + id + "' does not exist"));
  }
  const std::string& value = **loaded;
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
  boost::json::array found;
  boost::json::array missing;
  for (const std::string& id : list) {
    auto loaded = deps_.store->LoadState(domain::PaymentKey(id));
    if (!loaded.ok()) return Fail(call, loaded.status());
    if (!loaded->has_value()) {
      missing.push_back(boost::json::value(boost::json::string(id)));
      continue;
    }
    domain::PaymentState p;
    domain::Decode(**loaded, &p);
    found.push_back(PaymentJson(id, p));
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
    if (!as_of)
      return Fail(call, Err(hcodes::kQueryInvalid, "as_of_seq must be an unsigned integer"));
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
    if (!asset)
      return Fail(call, Err(codes::kCurrencyUnknown, "unknown asset '" + *asset_code + "'"));
    auto b = (*balances)->Balance(*account, *asset, as_of);
    if (!b.ok()) return Fail(call, b.status());
    return Finish(call, JsonResponse(200, boost::json::serialize(json::BalanceJson(*b))));
  }
  if (what == "trial_balance") {
    auto tb = (*balances)->TrialBalance(as_of);
    if (!tb.ok()) return Fail(call, tb.status());
    std::uint64_t shown =
        std::min(as_of.value_or((*balances)->applied_seq()), (*balances)->applied_seq());
    return Finish(call,
                  JsonResponse(200, boost::json::serialize(json::TrialBalanceJson(*tb, shown))));
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
    return Finish(call,
                  JsonResponse(200, projections::TrustGeneralLedgerJson(
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
  for (auto [name, slot] :
       {std::pair{"from", &rq.period_start_ns}, std::pair{"to", &rq.period_end_ns}}) {
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

// GET /v1/reconciliations/{run}: the run from the reconciliation projection,
// as of ?as_of_seq= (default: the head), with every match when ?matches=true.
void Api::HandleReconciliation(Call& call, const std::string& run_id) {
  if (Status s = ReadYourWrites(call); !s.ok()) return Fail(call, s);
  auto head = deps_.store->ReadHead();
  if (!head.ok()) return Fail(call, head.status());
  std::uint64_t as_of = head->seq;
  if (auto v = call.Param("as_of_seq")) {
    auto n = ParseU64(*v);
    if (!n) return Fail(call, Err(hcodes::kQueryInvalid, "as_of_seq must be an unsigned integer"));
    as_of = std::min(*n, head->seq);
  }
  bool matches = false;
  if (auto v = call.Param("matches")) {
    if (*v != "true" && *v != "false") {
      return Fail(call, Err(hcodes::kQueryInvalid, "matches must be true or false"));
    }
    matches = *v == "true";
  }
  projections::ReconciliationProjection projection;
  auto view = projections::ProjectionView::Open(*deps_.store, projection, as_of);
  if (!view.ok()) return Fail(call, view.status());
  auto run = projections::ReconRun(**view, run_id, (*view)->as_of());
  if (!run) {
    return Fail(call, Status::Error(recon::rejections::kRunNotFound, "no reconciliation run '" +
                                                                         run_id + "' as of seq " +
                                                                         std::to_string(as_of)));
  }
  Finish(call, JsonResponse(200, projections::ReconRunJson(*run, as_of, matches)));
}

void Api::HandleEvents(Call& call) {
  std::uint64_t from = 1;
  std::uint64_t limit = 100;
  std::uint64_t wait_ms = 0;
  for (auto [name, slot] :
       {std::pair{"from_seq", &from}, std::pair{"limit", &limit}, std::pair{"wait_ms", &wait_ms}}) {
    if (auto v = call.Param(name)) {
      auto n = ParseU64(*v);
      if (!n) {
        return Fail(call,
                    Err(hcodes::kQueryInvalid, std::string(name) + " must be an unsigned integer"));
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

std::string Api::MetricsText() {
  std::vector<Sample> live;
  const keys::Head head = deps_.writer->durable_head();
  live.push_back({"folio_log_head_seq",
                  "Sequence of the last durable event.",
                  "gauge",
                  {},
                  static_cast<double>(head.seq)});
  WriterStats ws = deps_.writer->stats();
  live.push_back({"folio_writer_failed",
                  "1 when the writer stopped after a failed write.",
                  "gauge",
                  {},
                  deps_.writer->failed() ? 1.0 : 0.0});
  live.push_back({"folio_writer_groups_total",
                  "Group commits written.",
                  "counter",
                  {},
                  static_cast<double>(ws.groups)});
  live.push_back({"folio_writer_events_total",
                  "Events appended.",
                  "counter",
                  {},
                  static_cast<double>(ws.events)});
  live.push_back({"folio_writer_resumes_total",
                  "In-process recoveries from a full disk.",
                  "counter",
                  {},
                  static_cast<double>(ws.resumes)});
  live.push_back({"folio_rocksdb_background_errors_total",
                  "Background errors RocksDB reported since the log was opened.",
                  "counter",
                  {},
                  static_cast<double>(deps_.store->background_errors())});
  if (deps_.projector != nullptr) {
    for (const auto& p : deps_.projector->status()) {
      live.push_back({"folio_projection_lag_events",
                      "Events not yet applied, per projection.",
                      "gauge",
                      {{"projection", p.name}},
                      static_cast<double>(p.lag_events)});
    }
    for (const auto& p : deps_.projector->status()) {
      live.push_back({"folio_projection_lag_seconds",
                      "Age of the oldest event not yet applied, per projection.",
                      "gauge",
                      {{"projection", p.name}},
                      p.lag_seconds});
    }
  }
  if (deps_.extra_metrics) {
    for (auto& s : deps_.extra_metrics()) live.push_back(std::move(s));
  }
  return metrics_.Render(live);
}

}  // namespace folio::http
