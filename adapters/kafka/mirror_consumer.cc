#include "adapters/kafka/mirror_consumer.h"

#include <cstring>

#include "adapters/kafka/event_message.h"
#include "events/codes.h"

namespace folio::kafka {
namespace {

std::optional<std::string_view> HeaderValue(const rd_kafka_message_t& m, std::string_view name) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(&m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  const void* v = nullptr;
  std::size_t n = 0;
  if (rd_kafka_header_get_last(hdrs, std::string(name).c_str(), &v, &n) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  return std::string_view(static_cast<const char*>(v), n);
}

Status Invalid(const rd_kafka_message_t& m, const std::string& why) {
  return Status::Error(codes::kEnvelopeInvalid, "partition " + std::to_string(m.partition) +
                                                    " offset " + std::to_string(m.offset) + ": " +
                                                    why);
}

}  // namespace

MirrorConsumer::MirrorConsumer(LogStore* store, MirrorConsumerOptions opts)
    : store_(store), opts_(std::move(opts)) {}

MirrorConsumer::~MirrorConsumer() { Close(); }

Result<std::unique_ptr<MirrorConsumer>> MirrorConsumer::Start(LogStore* store,
                                                              MirrorConsumerOptions opts) {
  if (opts.brokers.empty()) return Status::Error(kKafkaConfig, "no brokers given");
  std::unique_ptr<MirrorConsumer> c(new MirrorConsumer(store, std::move(opts)));
  ASSIGN_OR_RETURN(c->head_, store->ReadHead());
  ASSIGN_OR_RETURN(c->writer_, Writer::Start(store));
  c->stats_.head_seq = c->head_.seq;
  ConfPairs conf = {{"bootstrap.servers", c->opts_.brokers},
                    {"group.id", c->opts_.group},
                    {"enable.auto.commit", "false"},
                    {"auto.offset.reset", "earliest"},
                    {"isolation.level", "read_committed"},
                    {"fetch.wait.max.ms", "50"},
                    // A restarted consumer rejoins only once the group has
                    // given up on its previous member (the mock does not
                    // act on LeaveGroup at once): keep that short.
                    {"session.timeout.ms", "6000"},
                    {"heartbeat.interval.ms", "1000"},
                    {"log_level", "3"}};
  conf.insert(conf.end(), c->opts_.extra_config.begin(), c->opts_.extra_config.end());
  ASSIGN_OR_RETURN(ConfPtr cf, MakeConf(conf));
  ASSIGN_OR_RETURN(c->rk_, NewHandle(RD_KAFKA_CONSUMER, std::move(cf)));
  rd_kafka_poll_set_consumer(c->rk_.get());
  PartitionListPtr topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), c->opts_.topic.c_str(), RD_KAFKA_PARTITION_UA);
  if (auto err = rd_kafka_subscribe(c->rk_.get(), topics.get()); err) {
    return KafkaStatus(kKafkaError, err, "subscribe " + c->opts_.topic);
  }
  return c;
}

void MirrorConsumer::Close() {
  if (closed_ || !rk_) return;
  closed_ = true;
  // The last positions, synchronously, so a restart of the group resumes
  // exactly after what was written.
  offsets_dirty_ = !next_offset_.empty();
  CommitOffsets(/*async=*/false);
  rd_kafka_consumer_close(rk_.get());
  if (writer_) writer_->Stop();
}

MirrorConsumerStats MirrorConsumer::stats() const {
  MirrorConsumerStats s = stats_;
  s.waiting = waiting_.size();
  s.head_seq = head_.seq;
  return s;
}

Status MirrorConsumer::Poll(std::chrono::milliseconds max_wait) {
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  // Drain what is there (bounded), then write once.
  for (int n = 0; n < 100'000; ++n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    MessagePtr m(rd_kafka_consumer_poll(
        rk_.get(), n == 0 ? static_cast<int>(std::max<std::int64_t>(0, left.count())) : 0));
    if (!m) break;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      if (m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
          m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        continue;  // the relay has not created it yet
      }
      if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
        return Status::Error(kMirrorGap, "offset out of range in partition " +
                                             std::to_string(m->partition) +
                                             ": events were pruned before they were read");
      }
      continue;  // transient (transport, broker down): librdkafka retries
    }
    RETURN_IF_ERROR(Receive(*m));
  }
  RETURN_IF_ERROR(AppendContiguous());
  CommitOffsets(/*async=*/true);
  if (waiting_.size() > opts_.waiting_events_max) {
    return Status::Error(kMirrorGap, "seq " + std::to_string(head_.seq + 1) +
                                         " never arrived while " + std::to_string(waiting_.size()) +
                                         " later events did");
  }
  return OkStatus();
}

Status MirrorConsumer::Receive(const rd_kafka_message_t& m) {
  ++stats_.received;
  next_offset_[m.partition] = m.offset + 1;
  offsets_dirty_ = true;
  auto seq_text = HeaderValue(m, kHeaderSeq);
  if (!seq_text) return Invalid(m, "no folio-seq header");
  auto seq = ParseSeq(*seq_text);
  if (!seq || *seq == 0) return Invalid(m, "bad folio-seq header");
  if (*seq <= head_.seq || waiting_.count(*seq)) {
    ++stats_.duplicates;
    return OkStatus();
  }
  std::string bytes(static_cast<const char*>(m.payload), m.len);
  RETURN_IF_ERROR(VerifyEnvelope(bytes));
  const fb::Envelope& env = *fb::GetEnvelope(bytes.data());
  if (env.seq() != *seq) return Invalid(m, "folio-seq header differs from the envelope");
  std::string_view key(static_cast<const char*>(m.key), m.key_len);
  if (key != env.stream_id()->string_view()) return Invalid(m, "key is not the stream id");
  waiting_offsets_[m.partition][m.offset] = *seq;
  waiting_.emplace(*seq, Waiting{std::move(bytes), m.partition, m.offset});
  return OkStatus();
}

// What continues the head goes to the engine as sealed events: the writer
// checks the chain and the stream versions, applies them to the aggregate
// state and derives the rest, exactly as for its own events.
Status MirrorConsumer::AppendContiguous() {
  AppendRequest req;
  req.sealed = true;
  std::uint64_t next = head_.seq + 1;
  for (auto it = waiting_.begin(); it != waiting_.end() && it->first == next;
       it = waiting_.begin(), ++next) {
    req.envelopes.push_back(std::move(it->second.bytes));
    waiting_offsets_[it->second.partition].erase(it->second.offset);
    waiting_.erase(it);
  }
  if (req.envelopes.empty()) return OkStatus();
  const std::size_t n = req.envelopes.size();
  const fb::Envelope& last = *fb::GetEnvelope(req.envelopes.back().data());
  keys::Head head{last.seq(), {}};
  std::memcpy(head.hash.data(), last.hash()->bytes()->Data(), head.hash.size());
  AppendOutcome out = writer_->Append(std::move(req));
  if (!out.status.ok()) return out.status;
  head_ = head;
  stats_.appended += n;
  return OkStatus();
}

void MirrorConsumer::CommitOffsets(bool async) {
  if (!offsets_dirty_) return;
  offsets_dirty_ = false;
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(next_offset_.size())));
  for (const auto& [p, next] : next_offset_) {
    const auto& w = waiting_offsets_[p];
    std::int64_t commit = w.empty() ? next : w.begin()->first;
    rd_kafka_topic_partition_list_add(list.get(), opts_.topic.c_str(), p)->offset = commit;
  }
  // Async: a lost commit only means re-reading events that dedupe drops.
  rd_kafka_commit(rk_.get(), list.get(), async ? 1 : 0);
}

}  // namespace folio::kafka
