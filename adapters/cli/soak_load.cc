#include "adapters/cli/soak_load.h"

#include <boost/json.hpp>

#include <deque>
#include <random>

namespace folio::cli {
namespace {

constexpr const char* kMethods[] = {"alipay", "wechat_pay", "unionpay", "card", "bank_transfer"};
// Watchdog on one server incarnation: a worker whose command gets no answer
// for this long reports it (the round's own watchdog then fails the soak).
constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr auto kBackoff5xx = std::chrono::milliseconds(20);

std::uint64_t Uniform(std::mt19937_64& rng, std::uint64_t lo, std::uint64_t hi) {
  return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
}

bool Chance(std::mt19937_64& rng, unsigned per_mille) { return Uniform(rng, 0, 999) < per_mille; }

// Minor units of CNY as the API's decimal string: 12345 -> "123.45".
std::string Cny(std::uint64_t minor) {
  const std::uint64_t cents = minor % 100;
  return std::to_string(minor / 100) + (cents < 10 ? ".0" : ".") + std::to_string(cents);
}

std::string Json(const boost::json::object& o) { return boost::json::serialize(o); }

// The commands of one payment's life, each under its own key.
std::vector<SoakCommand> PlanCase(std::mt19937_64& rng, const std::string& id) {
  std::vector<SoakCommand> out;
  const std::string pid = "p-" + id, key = "soak-" + id + "-";
  const std::uint64_t amount = Uniform(rng, 100, 500'000);
  boost::json::object create{
      {"payment_id", pid},     {"customer_id", "c-" + id},
      {"order_id", "o-" + id}, {"method", kMethods[Uniform(rng, 0, std::size(kMethods) - 1)]},
      {"amount", Cny(amount)}, {"currency", "CNY"}};
  boost::json::object other = create;
  other["order_id"] = "o-" + id + "-other";
  out.push_back({"POST", "/v1/payments", Json(create), key + "create", Json(other)});
  if (!Chance(rng, 50)) {  // else it stays unsettled, and a refund is refused
    out.push_back({"POST", "/v1/payments/" + pid + "/settle", Json({{"gateway_txn_id", "g-" + id}}),
                   key + "settle", Json({{"gateway_txn_id", "g-" + id + "-other"}})});
  }
  if (Chance(rng, 50)) {  // a second payment under a taken id
    out.push_back({"POST", "/v1/payments", Json(other), key + "again", Json(create)});
  }
  if (!Chance(rng, 600)) return out;
  // One refund in ten asks for more than was paid.
  const std::uint64_t refund =
      Chance(rng, 100) ? amount + Uniform(rng, 1, 1000) : Uniform(rng, 1, amount);
  const std::string rid = "r-" + id;
  boost::json::object request{
      {"refund_id", rid}, {"payment_id", pid}, {"amount", Cny(refund)}, {"currency", "CNY"}};
  boost::json::object other_request = request;
  other_request["amount"] = Cny(refund + 1);
  out.push_back({"POST", "/v1/refunds", Json(request), key + "refund", Json(other_request)});
  if (Chance(rng, 800)) {
    out.push_back({"POST", "/v1/refunds/" + rid + "/succeed",
                   Json({{"gateway_refund_id", "gr-" + id}}), key + "refunded",
                   Json({{"gateway_refund_id", "gr-" + id + "-other"}})});
  }
  return out;
}

boost::json::value ParseOr(const std::string& body) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) return boost::json::value(body);  // compared as a string
  return v;
}

}  // namespace

void SoakProblems::Add(std::string what) {
  std::lock_guard lock(mu_);
  if (shown_.size() < kShownMax) shown_.push_back(std::move(what));
  ++count_;
}

std::size_t SoakProblems::count() const {
  std::lock_guard lock(mu_);
  return count_;
}

std::vector<std::string> SoakProblems::shown() const {
  std::lock_guard lock(mu_);
  return shown_;
}

std::string CompareRetry(const SoakAck& first, const http::ClientResponse& retry) {
  const std::string what = first.cmd.key + " (" + first.cmd.target + ", first answer " +
                           std::to_string(first.status) + " " + first.body + "): retry answered " +
                           std::to_string(retry.status) + " " + retry.body;
  if (retry.status != first.status) return what;
  boost::json::value a = ParseOr(first.body), b = ParseOr(retry.body);
  const bool recorded = first.status != 400;  // a 400 is refused before the writer
  if (recorded) {
    if (retry.Header("idempotent-replayed") != "true") return what + " (no Idempotent-Replayed)";
    if (!b.is_object() || b.as_object().if_contains("replayed") == nullptr ||
        b.as_object().at("replayed") != true) {
      return what + " (not \"replayed\":true)";
    }
  }
  // The first answer may itself be a replay (its command was in doubt).
  if (a.is_object()) a.as_object().erase("replayed");
  if (b.is_object()) b.as_object().erase("replayed");
  return a == b ? "" : what;
}

std::string CompareConflict(const http::ClientResponse& resp) {
  boost::json::value v = ParseOr(resp.body);
  if (resp.status == 409 && v.is_object() && v.as_object().if_contains("code") != nullptr &&
      v.as_object().at("code") == "idempotency_key_conflict") {
    return "";
  }
  return "answered " + std::to_string(resp.status) + " " + resp.body;
}

struct SoakLoad::Conn {
  http::HttpClient client;
  std::uint64_t generation = 0;
};

class SoakLoad::Worker {
 public:
  Worker(SoakLoad* load, std::size_t index)
      : load_(load), index_(index), rng_(load->opts_.seed * 1'000'003 + index) {}

  void Run() {
    for (;;) {
      // A command in doubt is never left behind: Stop() is seen only here.
      if (load_->Stopping()) return;
      if (queue_.empty()) {
        for (auto& c :
             PlanCase(rng_, "w" + std::to_string(index_) + "-" + std::to_string(cases_++))) {
          queue_.push_back(std::move(c));
        }
      }
      MaybeCheckOlder();
      auto answer = SendUntilAnswered(queue_.front());
      if (!answer) return;  // abandoned
      load_->Record({queue_.front(), answer->status, answer->body, 0});
      queue_.pop_front();
    }
  }

 private:
  std::vector<std::pair<std::string, std::string>> Headers(const std::string& key) const {
    return {{"Authorization", "Bearer " + load_->opts_.api_key},
            {"Content-Type", "application/json"},
            {"Idempotency-Key", key}};
  }

  // One attempt; nullopt when the connection broke (no answer).
  std::optional<http::ClientResponse> SendOnce(const SoakCommand& c, const std::string& body) {
    if (!conn_) {
      conn_ = load_->Connect(broken_generation_);
      if (!conn_) return std::nullopt;
    }
    auto resp = conn_->client.Send(c.method, c.target, body, Headers(c.key));
    if (resp.ok()) return std::move(*resp);
    if (load_->IsCurrent(conn_->generation)) {
      load_->problems_->Add("connection to a live server broke: " + resp.status().ToString());
      broken_generation_ = conn_->generation - 1;  // reconnect to the same server
    } else {
      broken_generation_ = conn_->generation;  // wait for the next server
    }
    conn_.reset();
    return std::nullopt;
  }

  std::optional<http::ClientResponse> SendUntilAnswered(const SoakCommand& c) {
    for (;;) {
      if (load_->Abandoned()) return std::nullopt;
      auto resp = SendOnce(c, c.body);
      if (!resp) {
        load_->in_doubt_.fetch_add(1);
        continue;
      }
      if (resp->status < 500) return resp;
      load_->answers_5xx_.fetch_add(1);
      std::this_thread::sleep_for(kBackoff5xx);  // a client's backoff before retrying
    }
  }

  // Repeats an older command or sends another body under its key; the
  // answer is checked at once. An attempt without an answer is dropped.
  void MaybeCheckOlder() {
    const bool retry = Chance(rng_, load_->opts_.retry_per_mille);
    const bool conflict = !retry && Chance(rng_, load_->opts_.conflict_per_mille);
    if (!retry && !conflict) return;
    auto old = load_->RandomAck(rng_());
    if (!old || (conflict && old->status == 400)) return;
    auto resp = SendOnce(old->cmd, conflict ? old->cmd.conflict_body : old->cmd.body);
    if (!resp || resp->status >= 500) return;
    std::string wrong = conflict ? CompareConflict(*resp) : CompareRetry(*old, *resp);
    (conflict ? load_->conflicts_checked_ : load_->retries_checked_).fetch_add(1);
    if (!wrong.empty()) {
      load_->problems_->Add(conflict ? old->cmd.key + ": another body " + wrong : wrong);
    }
  }

  SoakLoad* const load_;
  const std::size_t index_;
  std::mt19937_64 rng_;
  std::uint64_t cases_ = 0;
  std::deque<SoakCommand> queue_;
  std::optional<Conn> conn_;
  std::uint64_t broken_generation_ = 0;
};

SoakLoad::SoakLoad(SoakLoadOptions opts, SoakProblems* problems)
    : opts_(std::move(opts)), problems_(problems) {
  for (std::size_t i = 0; i < opts_.workers; ++i) {
    threads_.emplace_back([this, i] { Worker(this, i).Run(); });
  }
}

SoakLoad::~SoakLoad() { Stop(/*abandon_in_doubt=*/true); }

void SoakLoad::ServerUp(std::uint16_t port, std::uint64_t round) {
  std::lock_guard lock(mu_);
  port_ = port;
  ++generation_;
  round_ = round;
  round_acks_ = 0;
  cv_.notify_all();
}

void SoakLoad::ServerDown() {
  std::lock_guard lock(mu_);
  port_ = 0;
}

bool SoakLoad::IsCurrent(std::uint64_t generation) const {
  std::lock_guard lock(mu_);
  return port_ != 0 && generation == generation_;
}

bool SoakLoad::Stopping() const {
  std::lock_guard lock(mu_);
  return stop_;
}

bool SoakLoad::Abandoned() const {
  std::lock_guard lock(mu_);
  return abandon_;
}

std::optional<SoakLoad::Conn> SoakLoad::Connect(std::uint64_t newer_than) {
  for (;;) {
    std::uint16_t port;
    std::uint64_t generation;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return abandon_ || (port_ != 0 && generation_ > newer_than); });
      if (abandon_) return std::nullopt;
      port = port_;
      generation = generation_;
    }
    auto c = http::HttpClient::Connect("127.0.0.1", port, kRequestTimeout);
    if (c.ok()) return Conn{std::move(*c), generation};
    newer_than = generation;  // killed between ServerUp and now: wait for the next
  }
}

void SoakLoad::Record(SoakAck ack) {
  std::lock_guard lock(mu_);
  ack.round = round_;
  journal_.push_back(std::move(ack));
  ++round_acks_;
  cv_.notify_all();
}

std::optional<SoakAck> SoakLoad::RandomAck(std::uint64_t draw) const {
  std::lock_guard lock(mu_);
  if (journal_.empty()) return std::nullopt;
  return journal_[draw % journal_.size()];
}

std::uint64_t SoakLoad::WaitRoundAcks(std::uint64_t acks, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return round_acks_ >= acks; });
  return round_acks_;
}

void SoakLoad::Stop(bool abandon_in_doubt) {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    abandon_ = abandon_ || abandon_in_doubt;
    cv_.notify_all();
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::vector<SoakAck> SoakLoad::Journal() const {
  std::lock_guard lock(mu_);
  return journal_;
}

SoakLoad::Counts SoakLoad::counts() const {
  Counts c;
  {
    std::lock_guard lock(mu_);
    c.acks = journal_.size();
  }
  c.answers_5xx = answers_5xx_.load();
  c.in_doubt = in_doubt_.load();
  c.retries_checked = retries_checked_.load();
  c.conflicts_checked = conflicts_checked_.load();
  return c;
}

}  // namespace folio::cli
