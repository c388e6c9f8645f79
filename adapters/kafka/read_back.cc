#include "adapters/kafka/read_back.h"

#include <algorithm>
#include <cstring>
#include <map>
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

struct PartitionScan {
  std::int64_t lo = 0, hi = 0, start = 0;
  std::uint64_t window = 0;
  bool any = false;  // a message with folio-seq was read this pass
  std::uint64_t first_seq = 0;
  bool eof = false;
};

// Reads every partition of `parts` from its `start` to its end, all at once,
// adding seqs > after to `out`.
Status ScanPartitions(rd_kafka_t* rk, const std::string& topic, std::map<int, PartitionScan>& parts,
                      const ReadBackOptions& o, std::unordered_set<std::uint64_t>* out) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
  for (auto& [p, scan] : parts) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = scan.start;
    scan.any = false;
    scan.eof = false;
  }
  if (auto err = rd_kafka_assign(rk, list.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(kKafkaError, err, "assign " + topic);
  }
  std::size_t eofs = 0;
  const auto deadline = std::chrono::steady_clock::now() + o.timeout;
  while (eofs < parts.size()) {
    if (std::chrono::steady_clock::now() > deadline) {
      rd_kafka_assign(rk, nullptr);
      return Status::Error(kKafkaTimeout, "reading back " + topic);
    }
    MessagePtr m(rd_kafka_consumer_poll(rk, 100));
    if (!m) continue;
    auto it = parts.find(m->partition);
    if (it == parts.end()) continue;
    PartitionScan& scan = it->second;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (!scan.eof) ++eofs;
      scan.eof = true;
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err == RD_KAFKA_RESP_ERR__TRANSPORT || m->err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        continue;  // librdkafka reconnects; the deadline bounds the wait
      }
      rd_kafka_assign(rk, nullptr);
      return KafkaStatus(kKafkaError, m->err, "reading back " + topic);
    }
    auto seq = SeqOf(m.get());
    if (!seq) continue;  // not ours
    if (!scan.any) scan.first_seq = *seq;
    scan.any = true;
    if (*seq > o.after_seq) out->insert(*seq);
  }
  rd_kafka_assign(rk, nullptr);
  return OkStatus();
}

}  // namespace

Result<std::unordered_set<std::uint64_t>> ReadBackSeqs(const ReadBackOptions& o,
                                                       const std::string& topic) {
  ConfPairs c = {{"bootstrap.servers", o.brokers},
                 {"group.id", "folio-relay-read-back"},
                 {"enable.auto.commit", "false"},
                 {"enable.partition.eof", "true"},
                 {"isolation.level", "read_committed"},
                 {"fetch.wait.max.ms", "10"},
                 {"log_level", "3"}};
  for (const auto& kv : o.extra_config) {
    if (kv.first.rfind("test.", 0) == 0) c.push_back(kv);
  }
  ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(c));
  ASSIGN_OR_RETURN(KafkaPtr rk, NewHandle(RD_KAFKA_CONSUMER, std::move(conf)));
  const auto timeout_ms = static_cast<int>(o.timeout.count());
  ASSIGN_OR_RETURN(int partitions, PartitionCount(rk.get(), topic, timeout_ms));
  std::unordered_set<std::uint64_t> seqs;
  std::map<int, PartitionScan> todo;
  for (int p = 0; p < partitions; ++p) {
    PartitionScan scan;
    auto err = rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), p, &scan.lo, &scan.hi,
                                                timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(kKafkaTimeout, err, "watermarks of " + topic);
    }
    scan.window = std::max<std::uint64_t>(1, o.window_messages);
    if (scan.hi > scan.lo) todo.emplace(p, scan);
  }
  while (!todo.empty()) {
    for (auto& [p, scan] : todo) {
      scan.start =
          std::max<std::int64_t>(scan.lo, scan.hi - static_cast<std::int64_t>(scan.window));
    }
    RETURN_IF_ERROR(ScanPartitions(rk.get(), topic, todo, o, &seqs));
    // A partition is done when its window reached back to an event at or below
    // the cursor (or to its start); else older events beyond the cursor may
    // lie before the window, and it is read again with a wider one.
    for (auto it = todo.begin(); it != todo.end();) {
      PartitionScan& scan = it->second;
      if (scan.start == scan.lo || (scan.any && scan.first_seq <= o.after_seq)) {
        it = todo.erase(it);
      } else {
        scan.window *= 4;
        ++it;
      }
    }
  }
  rd_kafka_consumer_close(rk.get());
  return seqs;
}

}  // namespace folio::kafka
