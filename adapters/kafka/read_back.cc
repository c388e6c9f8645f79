#include "adapters/kafka/read_back.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "adapters/kafka/event_message.h"

namespace folio::kafka {
namespace {

std::optional<std::uint64_t> SeqOf(const rd_kafka_message_t* m) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  const void* v = nullptr;
  std::size_t n = 0;
  if (rd_kafka_header_get_last(hdrs, std::string(kHeaderSeq).c_str(), &v, &n) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  return ParseSeq({static_cast<const char*>(v), n});
}

struct Scan {
  bool any = false;
  std::uint64_t first_seq = 0;
};

// Reads partition `p` from `start` to its end, adding seqs > after to `out`.
Result<Scan> ScanPartition(rd_kafka_t* rk, const std::string& topic, int p, std::int64_t start,
                           const ReadBackOptions& o, std::unordered_set<std::uint64_t>* out) {
  PartitionListPtr parts(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), p)->offset = start;
  if (auto err = rd_kafka_assign(rk, parts.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(kKafkaError, err, "assign " + topic);
  }
  Scan scan;
  const auto deadline = std::chrono::steady_clock::now() + o.timeout;
  while (true) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Error(kKafkaTimeout, "reading back " + topic + "[" + std::to_string(p) + "]");
    }
    MessagePtr m(rd_kafka_consumer_poll(rk, 100));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) break;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err == RD_KAFKA_RESP_ERR__TRANSPORT || m->err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        continue;  // librdkafka reconnects; the deadline bounds the wait
      }
      return KafkaStatus(kKafkaError, m->err, "reading back " + topic);
    }
    auto seq = SeqOf(m.get());
    if (!seq) continue;  // not ours
    if (!scan.any) scan.first_seq = *seq;
    scan.any = true;
    if (*seq > o.after_seq) out->insert(*seq);
  }
  rd_kafka_assign(rk, nullptr);
  return scan;
}

}  // namespace

Result<std::unordered_set<std::uint64_t>> ReadBackSeqs(const ReadBackOptions& o,
                                                       const std::string& topic) {
  ConfPairs c = {{"bootstrap.servers", o.brokers},
                 {"group.id", "folio-relay-read-back"},
                 {"enable.auto.commit", "false"},
                 {"enable.partition.eof", "true"},
                 {"isolation.level", "read_committed"},
                 {"log_level", "3"}};
  for (const auto& kv : o.extra_config) {
    if (kv.first.rfind("test.", 0) == 0) c.push_back(kv);
  }
  ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(c));
  ASSIGN_OR_RETURN(KafkaPtr rk, NewHandle(RD_KAFKA_CONSUMER, std::move(conf)));
  const auto timeout_ms = static_cast<int>(o.timeout.count());
  ASSIGN_OR_RETURN(int partitions, PartitionCount(rk.get(), topic, timeout_ms));
  std::unordered_set<std::uint64_t> seqs;
  for (int p = 0; p < partitions; ++p) {
    std::int64_t lo = 0, hi = 0;
    auto err = rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &lo, &hi, timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(kKafkaTimeout, err, "watermarks of " + topic);
    }
    std::uint64_t window = std::max<std::uint64_t>(1, o.window_messages);
    while (hi > lo) {
      const std::int64_t start = std::max<std::int64_t>(lo, hi - static_cast<std::int64_t>(window));
      ASSIGN_OR_RETURN(Scan scan, ScanPartition(rk.get(), topic, p, start, o, &seqs));
      // The window must reach back to an event at or below the cursor (or the
      // partition's start), else older events beyond the cursor may lie before it.
      if (start == lo || (scan.any && scan.first_seq <= o.after_seq)) break;
      window *= 4;
    }
  }
  rd_kafka_consumer_close(rk.get());
  return seqs;
}

}  // namespace folio::kafka
