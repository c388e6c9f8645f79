#include "adapters/kafka/relay.h"

#include <pthread.h>

#include <algorithm>
#include <cstdio>

#include "adapters/kafka/event_message.h"
#include "adapters/kafka/read_back.h"
#include "engine/keys.h"
#include "engine/log_cursor.h"
#include "events/codes.h"

namespace folio::kafka {
namespace {

// Fatal errors that mean this relay must not go on with any producer: another
// instance owns the transactional.id, or Kafka refuses this one.
bool IsFencingOrRefusal(rd_kafka_resp_err_t code) {
  switch (code) {
    case RD_KAFKA_RESP_ERR__FENCED:
    case RD_KAFKA_RESP_ERR_PRODUCER_FENCED:
    case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_INVALID_TRANSACTION_TIMEOUT:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
      return true;
    default:
      return false;
  }
}

using SteadyClock = std::chrono::steady_clock;

// The producer is transactional (which implies enable.idempotence and
// acks=all): the mock checks sequence numbers only for transactional
// producers (MACHINE-FACTS.md), and real Kafka fences a stale instance.
ConfPairs ProducerConf(const RelayOptions& o) {
  ConfPairs c = {
      {"bootstrap.servers", o.brokers},
      {"transactional.id", o.transactional_id},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"transaction.timeout.ms", "60000"},
      {"compression.codec", o.compression},
      {"linger.ms", "5"},
      {"batch.num.messages", "10000"},
      {"batch.size", "1000000"},
      {"queue.buffering.max.messages", "1000000"},
      {"queue.buffering.max.kbytes", "1048576"},
      {"log_level", "3"},
  };
  c.insert(c.end(), o.extra_config.begin(), o.extra_config.end());
  return c;
}

// A transactional API error as a Status: kafka_fatal when librdkafka says
// the producer cannot go on, else kafka_error.
Status TxnError(const char* call, const rd_kafka_error_t* err) {
  return Status::Error(rd_kafka_error_is_fatal(err) ? kKafkaFatal : kKafkaError,
                       std::string(call) + ": " + rd_kafka_error_string(err));
}

}  // namespace

struct Relay::Producer {
  KafkaPtr rk;
  rd_kafka_topic_t* events = nullptr;
  rd_kafka_topic_t* integration[kIntegrationKinds] = {};  // by IntegrationKind - 1
  // Delivery reports of the current transaction (the one place that decides
  // a message's fate), written by the callback on the thread that polls.
  std::uint64_t delivered = 0;
  std::uint64_t delivery_failures = 0;
  std::string first_failure;

  ~Producer() {
    if (events != nullptr) rd_kafka_topic_destroy(events);
    for (rd_kafka_topic_t* t : integration) {
      if (t != nullptr) rd_kafka_topic_destroy(t);
    }
  }

  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<Producer*>(opaque);
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++self->delivered;
    } else if (self->delivery_failures++ == 0) {
      self->first_failure = rd_kafka_err2str(m->err);
    }
  }
};

std::string Relay::CursorKey(const std::string& events_topic) {
  return "kafka.relay/" + events_topic;
}

Relay::Relay(LogStore* store, RelayOptions opts)
    : store_(store),
      opts_(std::move(opts)),
      events_topic_(opts_.topic_prefix + opts_.events_topic) {}

Result<std::unique_ptr<Relay>> Relay::Start(LogStore* store, RelayOptions opts) {
  if (opts.brokers.empty()) return Status::Error(kKafkaConfig, "no brokers given");
  if (opts.txn_events_max == 0) return Status::Error(kKafkaConfig, "txn_events_max is 0");
  std::unique_ptr<Relay> r(new Relay(store, std::move(opts)));
  ASSIGN_OR_RETURN(r->p_, r->NewProducer());
  std::string v;
  auto s =
      store->db()->Get(rocksdb::ReadOptions(), store->meta_cf(), CursorKey(r->events_topic_), &v);
  if (s.ok() && v.size() == 8) {
    r->cursor_.store(keys::GetU64Be(v));
  } else if (!s.ok() && !s.IsNotFound()) {
    return FromRocks(s, "reading the relay cursor");
  }
  ASSIGN_OR_RETURN(keys::Head head, store->ReadHead());
  r->head_.store(head.seq);
  r->thread_ = std::thread([raw = r.get()] {
    pthread_setname_np(pthread_self(), "folio-relay");
    raw->Loop();
  });
  return r;
}

Result<std::unique_ptr<Relay::Producer>> Relay::NewProducer() const {
  auto p = std::make_unique<Producer>();
  ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(ProducerConf(opts_)));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Producer::OnDelivery);
  rd_kafka_conf_set_opaque(conf.get(), p.get());
  ASSIGN_OR_RETURN(p->rk, NewHandle(RD_KAFKA_PRODUCER, std::move(conf)));
  p->events = rd_kafka_topic_new(p->rk.get(), events_topic_.c_str(), nullptr);
  for (int k = 0; k < kIntegrationKinds; ++k) {
    const std::string& name = IntegrationTopic(static_cast<IntegrationKind>(k + 1));
    p->integration[k] = rd_kafka_topic_new(p->rk.get(), name.c_str(), nullptr);
  }
  return p;
}

Relay::~Relay() { Stop(); }

void Relay::Notify() {
  {
    std::lock_guard lock(mu_);
    notified_ = true;
  }
  wake_cv_.notify_one();
}

void Relay::Stop() {
  std::call_once(stop_once_, [this] {
    stop_requested_ = true;
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_cv_.notify_all();
    progress_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(producer_mu_);
    if (p_ && p_->rk) {
      // Whatever is still queued belongs to an uncommitted transaction: drop it
      // rather than wait (the next start reads back what landed).
      rd_kafka_purge(p_->rk.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_poll(p_->rk.get(), 0);
    }
    p_.reset();
  });
}

RelayStatus Relay::status() const {
  RelayStatus s;
  s.cursor_seq = cursor_.load();
  s.head_seq = std::max(head_.load(), s.cursor_seq);
  if (auto h = store_->ReadHead(); h.ok()) s.head_seq = std::max(s.head_seq, h->seq);
  s.lag_events = s.head_seq - s.cursor_seq;
  if (s.lag_events > 0) {
    auto next = store_->ReadEvent(s.cursor_seq + 1);
    if (next.ok() && next->has_value()) {
      auto now = std::chrono::system_clock::now().time_since_epoch();
      auto age_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() -
                    (*next)->env().recorded_at_ns();
      s.lag_seconds = std::max(0.0, static_cast<double>(age_ns) / 1e9);
    }
  }
  s.failed = failed_.load();
  {
    std::lock_guard lock(mu_);
    s.error = error_;
  }
  s.produced = produced_.load();
  s.skipped = skipped_.load();
  s.retries = retries_.load();
  s.transactions = txns_.load();
  s.producer_restarts = restarts_.load();
  s.queue_full_waits = queue_full_waits_.load();
  return s;
}

Status Relay::Flush(std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(keys::Head head, store_->ReadHead());
  Notify();
  std::unique_lock lock(mu_);
  bool done = progress_cv_.wait_for(
      lock, timeout, [&] { return failed_.load() || stopping_ || cursor_.load() >= head.seq; });
  if (failed_.load()) return Status::Error(kKafkaFatal, error_);
  if (!done || cursor_.load() < head.seq) {
    return Status::Error(kKafkaTimeout, "relay at seq " + std::to_string(cursor_.load()) +
                                            ", head " + std::to_string(head.seq));
  }
  return OkStatus();
}

const std::string& Relay::IntegrationTopic(IntegrationKind kind) const {
  switch (kind) {
    case IntegrationKind::kSettled:
      return opts_.settled_topic;
    case IntegrationKind::kFailed:
      return opts_.failed_topic;
    case IntegrationKind::kRefunded:
      return opts_.refunded_topic;
    case IntegrationKind::kCredited:
    case IntegrationKind::kNone:  // never asked: kNone has no topic
      break;
  }
  return opts_.credited_topic;
}

void Relay::Log(const std::string& msg) const {
  if (opts_.log) {
    opts_.log(msg);
  } else {
    std::fprintf(stderr, "folio relay: %s\n", msg.c_str());
  }
}

void Relay::Fail(const Status& why) {
  {
    std::lock_guard lock(mu_);
    error_ = why.ToString();
  }
  failed_.store(true);
  Log("FATAL, relay stopped at seq " + std::to_string(cursor_.load()) + ": " + why.ToString());
  progress_cv_.notify_all();
}

void Relay::ProducerFatal(const Status& why) {
  char reason[512] = {0};
  rd_kafka_resp_err_t code = rd_kafka_fatal_error(p_->rk.get(), reason, sizeof reason);
  if (IsFencingOrRefusal(code)) {
    Fail(why);
    return;
  }
  if (restarts_in_a_row_ >= opts_.producer_restarts_max) {
    Fail(Status::Error(kKafkaFatal, why.message() + " (after " +
                                        std::to_string(restarts_in_a_row_) +
                                        " producer restarts without a committed round)"));
    return;
  }
  Log("producer failed (" + std::string(rd_kafka_err2name(code)) + ": " + reason +
      "); replacing it and reading back from seq " + std::to_string(cursor_.load()));
  restart_producer_ = true;
}

// The old producer's open transaction is aborted by the new one's
// init_transactions on real Kafka (same transactional.id, higher epoch); the
// read-back finds whatever of it a broker shows anyway.
Status Relay::RestartProducer() {
  ASSIGN_OR_RETURN(std::unique_ptr<Producer> old, NewProducer());
  {
    std::lock_guard lock(producer_mu_);
    std::swap(p_, old);  // p_ is the new instance, `old` the failed one
  }
  // Let the old instance's requests already on the wire finish (or fail)
  // before the read-back looks at what landed: the mock does not fence them.
  rd_kafka_purge(old->rk.get(), RD_KAFKA_PURGE_F_QUEUE);
  rd_kafka_flush(old->rk.get(), static_cast<int>(opts_.commit_timeout.count()));
  old.reset();
  restart_producer_ = false;
  initialized_ = false;
  abort_pending_ = false;
  need_read_back_ = true;
  ++restarts_in_a_row_;
  restarts_.fetch_add(1);
  return OkStatus();
}

void Relay::InjectFatalError(rd_kafka_resp_err_t err, const std::string& reason) {
  std::lock_guard lock(producer_mu_);
  if (p_ && p_->rk) rd_kafka_test_fatal_error(p_->rk.get(), err, reason.c_str());
}

bool Relay::WaitOrStop(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  wake_cv_.wait_for(lock, d, [&] { return stopping_ || notified_; });
  notified_ = false;
  return stopping_;
}

void Relay::Loop() {
  auto backoff = opts_.backoff_min;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    Status s;
    if (restart_producer_) s = RestartProducer();
    if (s.ok() && !initialized_) {
      s = InitTransactions();
      if (s.ok()) initialized_ = true;
    }
    if (s.ok() && need_read_back_) {
      s = ReadBackAll();
      if (s.ok()) need_read_back_ = false;
    }
    if (s.ok()) {
      auto head = store_->ReadHead();
      if (!head.ok()) {
        Fail(head.status());
        return;
      }
      head_.store(head->seq);
      const std::uint64_t cursor = cursor_.load();
      if (cursor >= head->seq) {
        backoff = opts_.backoff_min;
        if (WaitOrStop(opts_.idle_poll)) return;
        continue;
      }
      s = MirrorRound(std::min<std::uint64_t>(head->seq, cursor + opts_.txn_events_max));
    }
    if (!s.ok() && !failed_.load() && !restart_producer_ &&
        rd_kafka_fatal_error(p_->rk.get(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Raised outside the transactional API (produce returns __FATAL).
      ProducerFatal(s);
    }
    if (failed_.load()) return;
    if (restart_producer_) continue;  // no backoff: a new producer, then a read-back
    if (s.ok()) {
      backoff = opts_.backoff_min;
      progress_cv_.notify_all();
      continue;
    }
    retries_.fetch_add(1);
    {
      std::lock_guard lock(mu_);
      error_ = s.ToString();
    }
    Log("retrying in " + std::to_string(backoff.count()) + " ms: " + s.ToString());
    if (WaitOrStop(backoff)) return;
    backoff = std::min(opts_.backoff_max, backoff * 2);
  }
}

Status Relay::ReadBackAll() {
  const std::uint64_t cursor = cursor_.load();
  ReadBackOptions o;
  o.brokers = opts_.brokers;
  o.after_seq = cursor;
  o.window_messages = opts_.txn_events_max;
  o.timeout = opts_.commit_timeout;
  o.extra_config = opts_.extra_config;
  ASSIGN_OR_RETURN(present_events_, ReadBackSeqs(o, events_topic_));
  if (opts_.integration_topics) {
    for (int k = 0; k < kIntegrationKinds; ++k) {
      ASSIGN_OR_RETURN(present_integration_[k],
                       ReadBackSeqs(o, IntegrationTopic(static_cast<IntegrationKind>(k + 1))));
    }
  }
  if (!present_events_.empty()) {
    Log("read back " + std::to_string(present_events_.size()) +
        " events already in Kafka beyond seq " + std::to_string(cursor) + "; not producing them");
  }
  return OkStatus();
}

namespace {

// Produces one message, waiting for room in librdkafka's queue.
Status Produce(rd_kafka_t* rk, rd_kafka_topic_t* topic, std::string_view key,
               std::string_view value, const Header* headers, std::size_t header_count,
               const std::atomic<bool>* stop_flag, std::atomic<std::uint64_t>* queue_full_waits) {
  while (true) {
    rd_kafka_headers_t* hdrs = rd_kafka_headers_new(header_count);
    for (std::size_t i = 0; i < header_count; ++i) {
      rd_kafka_header_add(hdrs, headers[i].name.data(),
                          static_cast<ssize_t>(headers[i].name.size()), headers[i].value.data(),
                          static_cast<ssize_t>(headers[i].value.size()));
    }
    // The RD_KAFKA_V_* macros are C and cast the old way.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
#pragma GCC diagnostic pop
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return OkStatus();  // hdrs owned by the message
    rd_kafka_headers_destroy(hdrs);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return KafkaStatus(kKafkaError, err, "produce");
    if (stop_flag->load()) return Status::Error(kKafkaError, "stopping");
    queue_full_waits->fetch_add(1, std::memory_order_relaxed);
    rd_kafka_poll(rk, 10);  // serves delivery reports, which frees room
  }
}

}  // namespace

Status Relay::MirrorRound(std::uint64_t last) {
  rd_kafka_t* rk = p_->rk.get();
  const std::uint64_t first = cursor_.load() + 1;
  // The chain is checked from event first - 1 (its hash read from the log):
  // never mirror an event the log cannot vouch for.
  auto cursor = LogCursor::At(*store_, first);
  if (!cursor.ok()) {
    if (cursor.status().code() == codes::kCorruption) Fail(cursor.status());
    return cursor.status();
  }
  RETURN_IF_ERROR(AbortIfPending());
  ErrorPtr err(rd_kafka_begin_transaction(rk));
  if (err) {
    Status s = TxnError("begin_transaction", err.get());
    if (rd_kafka_error_is_fatal(err.get())) ProducerFatal(s);
    return s;
  }
  p_->delivered = 0;
  p_->delivery_failures = 0;
  std::uint64_t messages = 0, events = 0, skipped = 0, scanned = 0;
  Header headers[8];
  Status s;
  Status scan = cursor->Scan(
      [&](EventRecord& rec) {
        const std::uint64_t seq = rec.seq();
        const fb::Envelope& env = rec.env();
        EventHeaders(env, opts_.ce_source, headers);
        if (present_events_.count(seq)) {
          ++skipped;
        } else {
          s = Produce(rk, p_->events, env.stream_id()->string_view(), rec.bytes(), headers, 8,
                      &stop_requested_, &queue_full_waits_);
          if (!s.ok()) return false;
          ++messages;
          ++events;
        }
        if (opts_.integration_topics) {
          IntegrationKind kind = IntegrationKindOf(env);
          const int k = static_cast<int>(kind) - 1;  // -1: no integration topic
          if (k >= 0 && !present_integration_[k].count(seq)) {
            std::optional<PaymentContext> ctx;
            if (kind == IntegrationKind::kFailed) {
              auto created = store_->ReadStream(env.stream_id()->string_view(), 1, 1);
              if (created.ok() && !created->empty()) ctx = ContextOfCreated(created->front().env());
            }
            std::string json = IntegrationJson(env, ctx ? &*ctx : nullptr);
            Header ih[3] = {{"content-type", "application/json"}, headers[6], headers[7]};
            s = Produce(rk, p_->integration[k], IntegrationKey(env), json, ih, 3, &stop_requested_,
                        &queue_full_waits_);
            if (!s.ok()) return false;
            ++messages;
          }
        }
        // Serve delivery reports now and then, not per message: each poll takes
        // librdkafka's locks, and commit_transaction serves the rest anyway.
        if (++scanned % 1024 == 0) rd_kafka_poll(rk, 0);
        return true;
      },
      last);
  if (s.ok()) s = scan;
  if (s.ok() && cursor->next_seq() != last + 1) {
    s = Status::Error(codes::kCorruption, "log ends at " + std::to_string(cursor->next_seq() - 1) +
                                              " before the head " + std::to_string(last));
  }
  if (!s.ok()) {
    if (s.code() == codes::kCorruption || s.code() == codes::kEnvelopeInvalid) {
      Fail(s);  // the log itself is bad: never skip an event
      return s;
    }
    abort_pending_ = true;
    need_read_back_ = true;
    (void)AbortIfPending();
    return s;
  }
  RETURN_IF_ERROR(Commit());
  if (p_->delivery_failures != 0 || p_->delivered != messages) {
    // Committed, yet not every report said delivered: do not trust the round.
    need_read_back_ = true;
    return Status::Error(
        kKafkaError, "transaction committed with " + std::to_string(p_->delivered) + " of " +
                         std::to_string(messages) + " deliveries confirmed " + p_->first_failure);
  }
  RETURN_IF_ERROR(WriteCursor(last));
  for (std::uint64_t q = first; q <= last && !present_events_.empty(); ++q)
    present_events_.erase(q);
  for (auto& present : present_integration_) {
    for (std::uint64_t q = first; q <= last && !present.empty(); ++q) present.erase(q);
  }
  produced_.fetch_add(events);
  skipped_.fetch_add(skipped);
  txns_.fetch_add(1);
  restarts_in_a_row_ = 0;
  return OkStatus();
}

// Commits the open transaction. Retriable errors (timeouts while brokers are
// down) are retried with backoff until the commit goes through or Stop();
// an abortable one aborts and asks for a read-back; a fatal one fails.
Status Relay::Commit() {
  rd_kafka_t* rk = p_->rk.get();
  const int timeout_ms = static_cast<int>(opts_.commit_timeout.count());
  auto backoff = opts_.backoff_min;
  while (true) {
    ErrorPtr err(rd_kafka_commit_transaction(rk, timeout_ms));
    rd_kafka_poll(rk, 0);
    if (!err) return OkStatus();
    Status s = TxnError("commit_transaction", err.get());
    if (rd_kafka_error_is_fatal(err.get())) {
      ProducerFatal(s);
      return s;
    }
    if (rd_kafka_error_txn_requires_abort(err.get())) {
      abort_pending_ = true;
      need_read_back_ = true;
      (void)AbortIfPending();
      return s;
    }
    retries_.fetch_add(1);
    Log("commit retry in " + std::to_string(backoff.count()) + " ms: " + s.ToString());
    if (WaitOrStop(backoff)) return Status::Error(kKafkaError, "stopping");
    backoff = std::min(opts_.backoff_max, backoff * 2);
  }
}

// On real Kafka this also fences an older instance with the same
// transactional.id and aborts the transaction it left open.
Status Relay::InitTransactions() {
  ErrorPtr err(
      rd_kafka_init_transactions(p_->rk.get(), static_cast<int>(opts_.commit_timeout.count())));
  if (!err) return OkStatus();
  Status s = TxnError("init_transactions", err.get());
  if (rd_kafka_error_is_fatal(err.get())) ProducerFatal(s);
  return s;
}

Status Relay::AbortIfPending() {
  if (!abort_pending_) return OkStatus();
  ErrorPtr err(
      rd_kafka_abort_transaction(p_->rk.get(), static_cast<int>(opts_.commit_timeout.count())));
  if (!err) {
    abort_pending_ = false;
    return OkStatus();
  }
  Status s = TxnError("abort_transaction", err.get());
  if (rd_kafka_error_is_fatal(err.get())) ProducerFatal(s);
  return s;
}

Status Relay::WriteCursor(std::uint64_t seq) {
  std::string v;
  keys::PutU64Be(&v, seq);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  auto s = store_->db()->Put(wo, store_->meta_cf(), CursorKey(events_topic_), v);
  if (!s.ok()) {
    Status st = FromRocks(s, "writing the relay cursor");
    Fail(st);
    return st;
  }
  cursor_.store(seq);
  return OkStatus();
}

}  // namespace folio::kafka
