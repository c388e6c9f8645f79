#include "adapters/http/gateway_dispatcher.h"

#include <future>
#include <utility>

#include "adapters/gateways/poll_facts.h"
#include "engine/domain/aggregates.h"
#include "engine/domain/rejections.h"
#include "events/codes.h"

namespace folio::http {
namespace {

using Clock = std::chrono::steady_clock;
namespace gw = gateways;

constexpr std::int64_t kRecoverClosedWithin = 3600LL * 1'000'000'000;

bool ClosedNotFailed(domain::PaymentStatus s) {
  return s == domain::PaymentStatus::kCancelled || s == domain::PaymentStatus::kExpired;
}

}  // namespace

GatewayDispatcher::GatewayDispatcher(Api* api, LogStore* store,
                                     std::map<fb::Method, PaymentGateway*> gateways,
                                     DispatcherOptions opts)
    : api_(api), store_(store), gateways_(std::move(gateways)), opts_(std::move(opts)) {}

GatewayDispatcher::~GatewayDispatcher() { Stop(); }

void GatewayDispatcher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stop_) return;
  stop_ = false;
  for (unsigned i = 0; i < std::max(1u, opts_.workers); ++i) {
    threads_.emplace_back([this] { WorkerLoop(); });
  }
  threads_.emplace_back([this] { TickLoop(); });
}

void GatewayDispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
    tick_cv_.notify_all();
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

Result<std::size_t> GatewayDispatcher::Recover(std::uint64_t from_seq) {
  std::set<std::string> payments, refunds;
  for (std::uint64_t next = std::max<std::uint64_t>(from_seq, 1);;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return std::size_t{0};  // stopping: not worth finishing
    }
    ASSIGN_OR_RETURN(std::vector<EventRecord> page, store_->ReadFrom(next, 4096));
    if (page.empty()) break;
    for (const EventRecord& e : page) {
      next = e.seq() + 1;
      if (const auto* c = e.env().event_as_PaymentCreated()) {
        if (c->payment_id() != nullptr && GatewayFor(c->method()) != nullptr) {
          payments.insert(c->payment_id()->str());
        }
      } else if (const auto* r = e.env().event_as_RefundRequested()) {
        if (r->refund_id() != nullptr && r->target() == fb::RefundTarget::OriginalMethod) {
          refunds.insert(r->refund_id()->str());
        }
      }
    }
  }
  // What is final now needs nothing; the rest is followed as if just created.
  std::size_t followed = 0;
  const auto now = Clock::now();
  for (const std::string& id : payments) {
    auto loaded = store_->LoadState(domain::PaymentKey(id));
    if (!loaded.ok() || !loaded->has_value()) continue;
    domain::PaymentState p;
    domain::Decode(**loaded, &p);
    if (p.status == domain::PaymentStatus::kSettled || p.status == domain::PaymentStatus::kFailed ||
        p.status == domain::PaymentStatus::kScheduled) {
      continue;
    }
    // Expired or cancelled just before a stop, its trade may still be open
    // at the gateway (DoPoll closes it). Long past its expiry, the gateway's
    // own time limit (sent at creation) closed it.
    if (ClosedNotFailed(p.status) && p.expires_at_ns != 0 &&
        p.expires_at_ns < NowNs() - kRecoverClosedWithin) {
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, fresh] = payments_.try_emplace(id);
    if (!fresh) continue;
    it->second.gateway = GatewayFor(p.method);
    it->second.next_poll = now;
    if (!ClosedNotFailed(p.status)) it->second.expires_at_ns = p.expires_at_ns;
    ++followed;
  }
  for (const std::string& id : refunds) {
    auto loaded = store_->LoadState(domain::RefundKey(id));
    if (!loaded.ok() || !loaded->has_value()) continue;
    domain::RefundState r;
    domain::Decode(**loaded, &r);
    if (r.status != domain::RefundStatus::kRequested) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (refunds_.count(id) != 0) continue;
    // DoRefund decides whether its payment is a gateway's; polling it asks
    // the gateway first and sends the refund only if the gateway has none.
    Enqueue(Job{Kind::kRefundPoll, id});
    ++followed;
  }
  return followed;
}

std::int64_t GatewayDispatcher::NowNs() const {
  if (opts_.now_ns) return opts_.now_ns();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

PaymentGateway* GatewayDispatcher::GatewayFor(fb::Method m) const {
  auto it = gateways_.find(m);
  return it == gateways_.end() ? nullptr : it->second;
}

bool GatewayDispatcher::Enqueue(Job job) {
  if (queue_.size() >= opts_.queue_max) {
    ++stats_.dropped;  // the poller comes back to it
    return false;
  }
  queue_.push_back(std::move(job));
  cv_.notify_one();
  return true;
}

void GatewayDispatcher::OnCommitted(const domain::Command& command, const AppendOutcome& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  if (const auto* c = std::get_if<domain::PaymentCreate>(&command)) {
    PaymentGateway* g = GatewayFor(c->method);
    if (g == nullptr || c->due_at_ns) return;  // scheduled payments are not payable yet
    Followed f;
    f.gateway = g;
    f.next_poll = Clock::now() + opts_.poll_after;
    f.queued = Enqueue(Job{Kind::kCreate, c->payment_id});
    payments_[c->payment_id] = f;
  } else if (const auto* r = std::get_if<domain::RefundRequest>(&command)) {
    if (r->target != fb::RefundTarget::OriginalMethod) return;
    // Whether its payment is a gateway's is read on a worker (not here, on
    // the writer's thread).
    Enqueue(Job{Kind::kRefund, r->refund_id});
  } else if (const auto* s = std::get_if<domain::PaymentSettle>(&command)) {
    payments_.erase(s->payment_id);
    // Settled after it was closed: the same decision requested the refund
    // (more than one event; a trust payment's deposit is the other kind,
    // and DoRefund finds no refund for it).
    if (s->allow_closed && outcome.status.ok() && !outcome.replayed &&
        outcome.last_seq > outcome.first_seq) {
      Enqueue(Job{Kind::kRefund, domain::LateRefundId(s->payment_id)});
    }
  } else if (const auto* f = std::get_if<domain::PaymentFail>(&command)) {
    payments_.erase(f->payment_id);
  } else if (const auto* x = std::get_if<domain::PaymentCancel>(&command)) {
    // Its trade is closed at the gateway by the next poll, now.
    auto it = payments_.find(x->payment_id);
    if (it != payments_.end() && !it->second.queued) {
      it->second.queued = Enqueue(Job{Kind::kPoll, x->payment_id});
    }
  } else if (const auto* ok = std::get_if<domain::RefundSucceed>(&command)) {
    refunds_.erase(ok->refund_id);
  } else if (const auto* no = std::get_if<domain::RefundFail>(&command)) {
    refunds_.erase(no->refund_id);
  }
}

void GatewayDispatcher::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Run(job);
    lock.lock();
    auto& m = (job.kind == Kind::kRefund || job.kind == Kind::kRefundPoll) ? refunds_ : payments_;
    auto it = m.find(job.id);
    if (it != m.end()) {
      it->second.queued = false;
      it->second.next_poll = Clock::now() + opts_.poll_every;
      if (job.kind == Kind::kCreate) it->second.next_poll = Clock::now() + opts_.poll_after;
    }
  }
}

void GatewayDispatcher::TickLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    tick_cv_.wait_for(lock, opts_.tick, [&] { return stop_; });
    if (stop_) return;
    const auto now = Clock::now();
    const std::int64_t now_ns = NowNs();
    for (auto& [id, f] : payments_) {
      if (f.queued) continue;
      const bool expired = f.expires_at_ns != 0 && now_ns >= f.expires_at_ns;
      if (f.next_poll <= now || expired) {
        f.queued = Enqueue(Job{Kind::kPoll, id});
        if (f.queued && expired) f.expires_at_ns = 0;  // closed by this poll
      }
    }
    for (auto& [id, f] : refunds_) {
      if (!f.queued && f.next_poll <= now) f.queued = Enqueue(Job{Kind::kRefundPoll, id});
    }
  }
}

void GatewayDispatcher::Run(const Job& job) {
  switch (job.kind) {
    case Kind::kCreate:
      return DoCreate(job.id);
    case Kind::kPoll:
      return DoPoll(job.id);
    case Kind::kRefund:
      return DoRefund(job.id, /*poll=*/false);
    case Kind::kRefundPoll:
      return DoRefund(job.id, /*poll=*/true);
  }
}

AppendOutcome GatewayDispatcher::Record(PaymentGateway* g, const std::string& key,
                                        domain::Command cmd, bool gateway_fact) {
  std::promise<AppendOutcome> done;
  auto answer = done.get_future();
  const std::string name(gw::GatewayName(g->gateway()));
  api_->SubmitGatewayFact(name, key, std::move(cmd),
                          (gateway_fact ? "poller:" : "dispatcher:") + name,
                          [&done](const AppendOutcome& o) { done.set_value(o); });
  return answer.get();
}

void GatewayDispatcher::Untrack(const std::string& payment_id) {
  std::lock_guard<std::mutex> lock(mu_);
  payments_.erase(payment_id);
}

void GatewayDispatcher::NoteExpiry(const std::string& payment_id, std::int64_t expires_at_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = payments_.find(payment_id);
  if (it != payments_.end()) it->second.expires_at_ns = expires_at_ns;
}

void GatewayDispatcher::DoCreate(const std::string& payment_id) {
  auto loaded = store_->LoadState(domain::PaymentKey(payment_id));
  if (!loaded.ok() || !loaded->has_value()) return;
  domain::PaymentState p;
  domain::Decode(**loaded, &p);
  if (p.expires_at_ns > 0) NoteExpiry(payment_id, p.expires_at_ns);
  if (p.status != domain::PaymentStatus::kCreated) return;  // pending already, or final
  PaymentGateway* g = GatewayFor(p.method);
  if (g == nullptr) return;
  TradeOrder order;
  order.payment_id = payment_id;
  order.amount = p.amount;
  order.description = p.order_id.empty() ? "Payment " + payment_id : "Order " + p.order_id;
  order.expires_at_s = p.expires_at_ns > 0 ? p.expires_at_ns / 1'000'000'000 : 0;
  order.created_at_s = p.created_at_ns / 1'000'000'000;
  auto trade = g->CreateTrade(order);
  const std::string name(gw::GatewayName(g->gateway()));
  if (trade.ok()) {
    Record(g, name + ":pending:" + payment_id,
           domain::PaymentMarkPending{payment_id, trade->gateway_txn_id, trade->qr_payload}, false);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.created;
    return;
  }
  if (trade.status().code() == gw::codes::kGatewayRefused) {
    Record(
        g, name + ":create-refused:" + payment_id,
        domain::PaymentFail{
            payment_id, "the gateway refused the trade: " + std::string(trade.status().message()),
            std::string(trade.status().code())},
        false);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.create_refused;
    return;
  }
  if (trade.status().code() == folio::codes::kInvalidArgument) {
    // The gateway could never take this payment as it is (UnionPay's orderId
    // is 8 to 40 letters and digits): a clear failure, not a retry forever.
    Record(g, name + ":create-invalid:" + payment_id,
           domain::PaymentFail{
               payment_id,
               "the gateway cannot take this payment: " + std::string(trade.status().message()),
               std::string(trade.status().code())},
           false);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.create_refused;
    return;
  }
  // Unknown (time-out, busy, circuit open): the trade may or may not exist.
  // The poller queries it and creates it again if the gateway has none
  // (creation is idempotent by out_trade_no).
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.create_unknown;
}

void GatewayDispatcher::DoPoll(const std::string& payment_id) {
  auto loaded = store_->LoadState(domain::PaymentKey(payment_id));
  if (!loaded.ok() || !loaded->has_value()) return Untrack(payment_id);
  domain::PaymentState p;
  domain::Decode(**loaded, &p);
  if (p.status == domain::PaymentStatus::kSettled || p.status == domain::PaymentStatus::kFailed) {
    return Untrack(payment_id);
  }
  PaymentGateway* g = GatewayFor(p.method);
  if (g == nullptr) return Untrack(payment_id);
  // Cancelled or expired in the ledger: its trade may still be open at the
  // gateway (the clock expired it, or an operator cancelled it).
  const bool closed = ClosedNotFailed(p.status);
  const bool expired = closed || (p.expires_at_ns > 0 && NowNs() >= p.expires_at_ns);
  if (expired) {
    // Expiry closes the trade at the gateway first, so that nobody can pay
    // it afterwards; what the gateway then reports is what is recorded.
    Status shut = g->CloseTrade(payment_id);
    if (shut.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.closed_at_expiry;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.polls;
  }
  auto q = g->QueryTrade(payment_id, p.created_at_ns / 1'000'000'000);
  if (!q.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.errors;
    return;
  }
  if (q->state == gw::TradeState::kNotFound) {
    // The creation never reached the gateway: create it now (or, once
    // expired, it is simply closed: nothing can be paid).
    if (!expired) return DoCreate(payment_id);
    q->state = gw::TradeState::kClosed;
  }
  // Closed in the ledger and nothing paid at the gateway: done, unless the
  // trade is still open there (its close failed): asked again next poll.
  if (closed && q->state != gw::TradeState::kPaid) {
    if (q->state != gw::TradeState::kPending) Untrack(payment_id);
    return;
  }
  auto fact = gw::FactFromTradeQuery(g->gateway(), payment_id, *q);
  if (!fact.ok() || !fact->command) return;
  // A settle is recorded even after the ledger closed the payment (the
  // gateway took the money): the same decision requests its refund, which
  // OnCommitted hands to DoRefund.
  Record(g, fact->dedupe_key, std::move(*fact->command), true);
  if (closed) Untrack(payment_id);
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.polled_facts;
}

void GatewayDispatcher::DoRefund(const std::string& refund_id, bool poll) {
  auto rl = store_->LoadState(domain::RefundKey(refund_id));
  if (!rl.ok() || !rl->has_value()) return;
  domain::RefundState r;
  domain::Decode(**rl, &r);
  auto untrack = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    refunds_.erase(refund_id);
  };
  if (r.status != domain::RefundStatus::kRequested) return untrack();
  if (r.target != fb::RefundTarget::OriginalMethod) return untrack();
  auto pl = store_->LoadState(domain::PaymentKey(r.payment_id));
  if (!pl.ok() || !pl->has_value()) return untrack();
  domain::PaymentState p;
  domain::Decode(**pl, &p);
  PaymentGateway* g = GatewayFor(p.method);
  if (g == nullptr) return untrack();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, fresh] = refunds_.try_emplace(refund_id);
    if (fresh) {
      it->second.gateway = g;
      it->second.payment_id = r.payment_id;
      it->second.next_poll = Clock::now() + opts_.poll_every;
      it->second.queued = true;  // this run; the worker clears it
    }
  }
  // The payment's trade number: Alipay records it with the refund, UnionPay
  // refunds against it.
  auto trade = g->QueryTrade(r.payment_id, p.created_at_ns / 1'000'000'000);
  if (!trade.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.errors;
    return;  // polled again later
  }
  RefundOrder order;
  order.payment_id = r.payment_id;
  order.refund_id = refund_id;
  order.amount = r.amount;
  order.payment_amount = p.amount;
  order.gateway_txn_id = trade->gateway_txn_id;
  order.reason = "refund " + refund_id;
  // The refund request is idempotent by refund id: sending it again (after a
  // time-out, or when polling) can never refund twice.
  auto answer = poll ? g->QueryRefund(order) : g->Refund(order);
  if (poll && !answer.ok() && answer.status().code() == gw::codes::kGatewayRefused) {
    answer = g->Refund(order);  // the gateway never got it: send it now
  }
  if (!poll) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.refunds_sent;
    if (refund_id == domain::LateRefundId(r.payment_id)) ++stats_.late_refunds_sent;
  }
  const std::string name(gw::GatewayName(g->gateway()));
  if (!answer.ok()) {
    // Refused, or a refund the gateway could never take as it is (UnionPay's
    // orderId is 8 to 40 letters and digits): a clear failure for an
    // operator, not a retry forever.
    const bool refused = answer.status().code() == gw::codes::kGatewayRefused;
    if (refused || answer.status().code() == folio::codes::kInvalidArgument) {
      const std::string why =
          refused ? "the gateway refused the refund: " : "the gateway cannot take this refund: ";
      Record(g, name + (refused ? ":refund-refused:" : ":refund-invalid:") + refund_id,
             domain::RefundFail{refund_id, why + std::string(answer.status().message())}, false);
      return untrack();
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.errors;
    return;  // unknown: polled again
  }
  if (answer->state == gw::RefundState::kNotFound && poll) {
    answer = g->Refund(order);
    if (!answer.ok()) return;
  }
  auto fact = gw::FactFromRefund(g->gateway(), refund_id, order.gateway_txn_id, *answer);
  if (!fact.ok() || !fact->command) return;  // processing: polled again
  Record(g, fact->dedupe_key, std::move(*fact->command), true);
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.refund_facts;
}

DispatcherStats GatewayDispatcher::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::size_t GatewayDispatcher::tracked_payments() const {
  std::lock_guard<std::mutex> lock(mu_);
  return payments_.size();
}

std::size_t GatewayDispatcher::tracked_refunds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refunds_.size();
}

std::vector<Sample> GatewayDispatcher::MetricSamples() const {
  std::vector<Sample> out;
  std::set<PaymentGateway*> seen;
  for (const auto& [m, g] : gateways_) {
    if (seen.insert(g).second) {
      auto more = g->MetricSamples();
      out.insert(out.end(), more.begin(), more.end());
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto counter = [&](const char* what, std::uint64_t v) {
    out.push_back({"folio_gateway_dispatch_total",
                   "Gateway work done by the dispatcher",
                   "counter",
                   {{"what", what}},
                   static_cast<double>(v)});
  };
  counter("created", stats_.created);
  counter("create_refused", stats_.create_refused);
  counter("create_unknown", stats_.create_unknown);
  counter("polls", stats_.polls);
  counter("polled_facts", stats_.polled_facts);
  counter("closed_at_expiry", stats_.closed_at_expiry);
  counter("refunds_sent", stats_.refunds_sent);
  counter("refund_facts", stats_.refund_facts);
  counter("dropped", stats_.dropped);
  counter("late_refunds_sent", stats_.late_refunds_sent);
  counter("errors", stats_.errors);
  out.push_back({"folio_gateway_followed",
                 "Payments and refunds awaiting a final outcome",
                 "gauge",
                 {{"kind", "payment"}},
                 static_cast<double>(payments_.size())});
  out.push_back({"folio_gateway_followed",
                 "Payments and refunds awaiting a final outcome",
                 "gauge",
                 {{"kind", "refund"}},
                 static_cast<double>(refunds_.size())});
  out.push_back({"folio_gateway_queue_depth",
                 "Gateway jobs waiting for a worker",
                 "gauge",
                 {},
                 static_cast<double>(queue_.size())});
  return out;
}

}  // namespace folio::http
