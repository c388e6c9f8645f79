#include "adapters/http/sandbox_gateway.h"

#include <algorithm>

#include "adapters/http/client.h"
#include "engine/domain/methods.h"
#include "events/hash.h"

namespace folio::http {
namespace {

using Clock = std::chrono::steady_clock;

std::optional<gateways::Gateway> GatewayOf(fb::Method m) {
  switch (m) {
    case fb::Method::Alipay:
      return gateways::Gateway::kAlipay;
    case fb::Method::WechatPay:
      return gateways::Gateway::kWechatPay;
    case fb::Method::UnionPay:
      return gateways::Gateway::kUnionPay;
    default:
      if (domain::IsCryptoMethod(m)) return gateways::Gateway::kChain;
      return std::nullopt;  // cards and bank transfers have no sandbox
  }
}

std::int64_t NowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

SandboxGateway::SandboxGateway(gateways::SandboxKeys keys, SandboxOptions opts, Api* api)
    : keys_(std::move(keys)), opts_(opts), api_(api), rng_(opts.seed) {}

SandboxGateway::~SandboxGateway() { Stop(); }

void SandboxGateway::Start(std::uint16_t port) {
  port_ = port;
  thread_ = std::thread([this] { Loop(); });
}

void SandboxGateway::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

unsigned SandboxGateway::Roll() { return static_cast<unsigned>(rng_() % 1000); }

SandboxStats SandboxGateway::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

bool SandboxGateway::idle() const {
  std::lock_guard lock(mu_);
  return queue_.empty() && !busy_;
}

void SandboxGateway::Schedule(Task t) {
  std::lock_guard lock(mu_);
  ScheduleLocked(std::move(t));
}

void SandboxGateway::ScheduleLocked(Task t) {
  auto at = std::upper_bound(queue_.begin(), queue_.end(), t.due,
                             [](Clock::time_point due, const Task& x) { return due < x.due; });
  queue_.insert(at, std::move(t));
  cv_.notify_all();
}

void SandboxGateway::OnCommitted(const domain::Command& command, const AppendOutcome&) {
  const auto* create = std::get_if<domain::PaymentCreate>(&command);
  if (create == nullptr || create->due_at_ns) return;  // scheduled payments: not yet payable
  auto gw = GatewayOf(create->method);
  if (!gw) return;
  if (opts_.chain_only && *gw != gateways::Gateway::kChain) return;
  Task t;
  t.due = Clock::now();
  t.kind = Task::kPrecreate;
  t.payment = gateways::SandboxPayment{*gw, create->payment_id, create->amount, ""};
  if (!create->network.empty()) t.payment.network = create->network;
  {
    std::lock_guard lock(mu_);
    ++stats_.payments;
  }
  Schedule(std::move(t));
}

void SandboxGateway::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    if (Clock::now() < queue_.front().due) {
      cv_.wait_until(lock, queue_.front().due);
      continue;
    }
    Task t = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    Run(std::move(t));
    lock.lock();
    busy_ = false;
  }
}

bool SandboxGateway::Deliver(const gateways::OutgoingNotification& n, gateways::Gateway g) {
  auto client = HttpClient::Connect("127.0.0.1", port_, std::chrono::seconds(10));
  if (!client.ok()) return false;
  std::vector<std::pair<std::string, std::string>> headers = n.headers;
  auto r = client->Send("POST", n.path, n.body, headers);
  if (!r.ok()) return false;
  switch (g) {
    case gateways::Gateway::kAlipay:
      return r->body == "success";
    case gateways::Gateway::kUnionPay:
      return r->status == 200 && r->body == "ok";
    default:
      return r->status == 200 || r->status == 204;
  }
}

void SandboxGateway::Run(Task t) {
  const auto& p = t.payment;
  if (t.kind == Task::kPrecreate) {
    const bool chain = p.gateway == gateways::Gateway::kChain;
    if (!chain) {
      // The gateway's answer to "create this payment": a trade number and a
      // QR code, recorded by the server as payment.mark_pending.
      domain::PaymentMarkPending cmd{p.payment_id, gateways::SandboxTxnId(p),
                                     gateways::SandboxQrPayload(p)};
      const std::string key = "sandbox:pending:" + p.payment_id;
      api_->Submit(cmd, "sandbox", "sandbox", key, Sha256(key), [](const AppendOutcome&) {});
    }
    std::string outcome;
    const bool fails = Roll() < opts_.fail_permille;
    switch (p.gateway) {
      case gateways::Gateway::kAlipay:
        outcome = fails ? "TRADE_CLOSED" : "TRADE_SUCCESS";
        break;
      case gateways::Gateway::kWechatPay:
        outcome = fails ? "PAYERROR" : "SUCCESS";
        break;
      case gateways::Gateway::kUnionPay:
        outcome = fails ? "05" : "00";
        break;
      default:
        outcome = "confirmations";
        break;
    }
    if (fails && !chain) {
      std::lock_guard lock(mu_);
      ++stats_.failed_payments;
    }
    Task n;
    n.kind = Task::kNotify;
    n.payment = p;
    n.outcome = outcome;
    n.confirmations = chain ? 1 : 0;
    n.due = Clock::now() + opts_.pay_after;
    Schedule(std::move(n));
    return;
  }

  // A notification delivery.
  const std::int64_t now = NowS();
  gateways::OutgoingNotification msg;
  switch (p.gateway) {
    case gateways::Gateway::kAlipay:
      msg = gateways::BuildAlipayNotify(keys_, p, t.outcome, now);
      break;
    case gateways::Gateway::kWechatPay:
      msg = gateways::BuildWechatNotify(keys_, p, t.outcome, now);
      break;
    case gateways::Gateway::kUnionPay:
      msg = gateways::BuildUnionPayNotify(keys_, p, t.outcome, now);
      break;
    default:
      msg = gateways::BuildChainNotify(keys_, p, t.confirmations, 880000 + t.confirmations, now);
      break;
  }
  const bool lost = !t.duplicate && t.attempt == 0 && Roll() < opts_.drop_permille;
  const bool ok = !lost && Deliver(msg, p.gateway);
  std::lock_guard lock(mu_);
  if (lost) ++stats_.dropped;
  if (!ok) {
    if (t.attempt + 1 >= opts_.attempts_max) {
      ++stats_.gave_up;
      return;
    }
    ++stats_.retries;
    Task again = t;
    ++again.attempt;
    again.due = Clock::now() + opts_.retry_after * (1 << std::min(again.attempt, 6u));
    ScheduleLocked(std::move(again));
    return;
  }
  if (t.duplicate) {
    ++stats_.duplicates;
  } else {
    ++stats_.notifications;
  }
  if (!t.duplicate && Roll() < opts_.duplicate_permille) {
    Task dup = t;
    dup.duplicate = true;
    dup.attempt = 0;
    dup.due = Clock::now() + opts_.retry_after;
    ScheduleLocked(std::move(dup));
  }
  if (p.gateway == gateways::Gateway::kChain && t.confirmations == 1 && !t.duplicate) {
    Task more = t;
    more.confirmations = 64;  // past every network's requirement: the payment settles
    more.attempt = 0;
    more.due = Clock::now() + opts_.pay_after;
    ScheduleLocked(std::move(more));
  }
}

}  // namespace folio::http
