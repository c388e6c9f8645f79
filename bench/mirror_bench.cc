#include "bench/mirror_bench.h"

#include <atomic>
#include <chrono>
#include <vector>

#include "adapters/kafka/event_message.h"
#include "adapters/kafka/mock_cluster.h"
#include "adapters/kafka/relay.h"
#include "adapters/kafka/synthetic_load.h"
#include "bench/scratch_dir.h"
#include "engine/writer.h"
#include "events/codes.h"

namespace folio::kafka {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

struct RawMessage {
  std::string key, value;
  Header headers[8];
};

// Raw librdkafka: the same messages, cycled, to `topic`; returns msgs/s.
// With `txn_messages` > 0 the producer is transactional and commits every
// txn_messages messages, as the relay does.
Result<double> RawProduce(const std::string& brokers, const std::string& topic,
                          const std::vector<RawMessage>& msgs, std::uint64_t count,
                          std::uint64_t txn_messages) {
  ConfPairs pairs = {{"bootstrap.servers", brokers},
                     {"enable.idempotence", "true"},
                     {"acks", "all"},
                     {"compression.codec", "lz4"},
                     {"linger.ms", "5"},
                     {"batch.num.messages", "10000"},
                     {"batch.size", "1000000"},
                     {"queue.buffering.max.messages", "100000"},
                     {"queue.buffering.max.kbytes", "1048576"},
                     {"log_level", "3"}};
  if (txn_messages > 0) pairs.push_back({"transactional.id", "raw-" + topic});
  ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(pairs));
  // Delivery reports counted, as any producer that cares about its messages does.
  static std::atomic<std::uint64_t> delivered{0};
  rd_kafka_conf_set_dr_msg_cb(conf.get(), [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) delivered.fetch_add(1, std::memory_order_relaxed);
  });
  ASSIGN_OR_RETURN(KafkaPtr rk, NewHandle(RD_KAFKA_PRODUCER, std::move(conf)));
  auto txn = [&](rd_kafka_error_t* e) -> Status {
    ErrorPtr err(e);
    if (err) return Status::Error(kKafkaError, rd_kafka_error_string(err.get()));
    return OkStatus();
  };
  if (txn_messages > 0) {
    RETURN_IF_ERROR(txn(rd_kafka_init_transactions(rk.get(), 30'000)));
    RETURN_IF_ERROR(txn(rd_kafka_begin_transaction(rk.get())));
  }
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr);
  auto t0 = Clock::now();
  for (std::uint64_t i = 0; i < count; ++i) {
    if (txn_messages > 0 && i > 0 && i % txn_messages == 0) {
      RETURN_IF_ERROR(txn(rd_kafka_commit_transaction(rk.get(), 60'000)));
      RETURN_IF_ERROR(txn(rd_kafka_begin_transaction(rk.get())));
    }
    const RawMessage& m = msgs[i % msgs.size()];
    while (true) {
      rd_kafka_headers_t* hdrs = rd_kafka_headers_new(8);
      for (const Header& h : m.headers) {
        rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()),
                            h.value.data(), static_cast<ssize_t>(h.value.size()));
      }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
      rd_kafka_resp_err_t err = rd_kafka_producev(
          rk.get(), RD_KAFKA_V_RKT(t), RD_KAFKA_V_KEY(m.key.data(), m.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
#pragma GCC diagnostic pop
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      rd_kafka_headers_destroy(hdrs);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_topic_destroy(t);
        return KafkaStatus(kKafkaError, err, "raw produce");
      }
      rd_kafka_poll(rk.get(), 1);
    }
    rd_kafka_poll(rk.get(), 0);
  }
  if (txn_messages > 0) RETURN_IF_ERROR(txn(rd_kafka_commit_transaction(rk.get(), 60'000)));
  rd_kafka_resp_err_t err = rd_kafka_flush(rk.get(), 120'000);
  auto t1 = Clock::now();
  rd_kafka_topic_destroy(t);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(kKafkaTimeout, err, "raw flush");
  return static_cast<double>(count) / Seconds(t0, t1);
}

}  // namespace

Result<MirrorBenchResult> RunMirrorBench(const MirrorBenchOptions& o) {
  if (o.events == 0) return Status::Error(codes::kInvalidArgument, "events must be positive");
  MirrorBenchResult r;
  r.events = o.events;
  r.integration_topics = o.integration_topics;
  bench::ScratchDir dir(o.data_dir);
  ASSIGN_OR_RETURN(auto store, LogStore::Open(dir.path()));
  {
    if (o.progress) o.progress("filling the log");
    ASSIGN_OR_RETURN(auto writer, Writer::Start(store.get()));
    SyntheticLoadOptions lo;
    lo.count = o.events;
    auto t0 = Clock::now();
    RETURN_IF_ERROR(AppendSynthetic(*writer, lo));
    r.fill_seconds = Seconds(t0, Clock::now());
    writer->Stop();
  }
  // The raw baseline's messages: the log's first 4096 events, as the relay
  // would send them.
  ASSIGN_OR_RETURN(auto sample, store->ReadFrom(1, 4096));
  std::vector<RawMessage> msgs(sample.size());
  double value_bytes = 0, header_bytes = 0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    msgs[i].key = std::string(sample[i].stream_id());
    msgs[i].value = sample[i].bytes();
    EventHeaders(sample[i].env(), "/folio", msgs[i].headers);
    value_bytes += static_cast<double>(msgs[i].value.size());
    for (const Header& h : msgs[i].headers) {
      header_bytes += static_cast<double>(h.name.size() + h.value.size());
    }
  }
  r.event_bytes_avg = value_bytes / static_cast<double>(msgs.size());
  r.header_bytes_avg = header_bytes / static_cast<double>(msgs.size());

  ASSIGN_OR_RETURN(auto cluster, MockCluster::Start(o.brokers, 0));
  for (const char* t :
       {"folio.events", "raw.events.1", "raw.events.2", "raw.events.3", "payments.settled"}) {
    RETURN_IF_ERROR(cluster->CreateTopic({t, o.partitions}));
  }
  if (o.progress) o.progress("raw librdkafka (1)");
  ASSIGN_OR_RETURN(r.raw_msgs_per_s_run1,
                   RawProduce(cluster->bootstrap(), "raw.events.1", msgs, o.events, 0));

  if (o.progress) o.progress("relay");
  RelayOptions ro;
  ro.brokers = cluster->bootstrap();
  ro.integration_topics = o.integration_topics;
  auto t0 = Clock::now();
  ASSIGN_OR_RETURN(auto relay, Relay::Start(store.get(), ro));
  RETURN_IF_ERROR(relay->Flush(std::chrono::minutes(10)));
  auto t1 = Clock::now();
  RelayStatus st = relay->status();
  relay->Stop();
  r.folio_seconds = Seconds(t0, t1);
  r.folio_events_per_s = static_cast<double>(o.events) / r.folio_seconds;
  r.transactions = st.transactions;
  r.exactly_once_checked = st.cursor_seq == o.events && st.produced == o.events && !st.failed;

  if (o.progress) o.progress("raw librdkafka (2)");
  ASSIGN_OR_RETURN(r.raw_msgs_per_s_run2,
                   RawProduce(cluster->bootstrap(), "raw.events.2", msgs, o.events, 0));
  if (o.progress) o.progress("raw librdkafka, transactional");
  ASSIGN_OR_RETURN(r.raw_txn_msgs_per_s, RawProduce(cluster->bootstrap(), "raw.events.3", msgs,
                                                    o.events, RelayOptions().txn_events_max));
  r.raw_msgs_per_s = (r.raw_msgs_per_s_run1 + r.raw_msgs_per_s_run2) / 2;
  r.ratio = r.folio_events_per_s / r.raw_msgs_per_s;
  return r;
}

}  // namespace folio::kafka
