// RAII owners for librdkafka's C handles and the small helpers every Kafka
// adapter needs (configuration, errors as Status).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "events/status.h"

namespace folio::kafka {

// Stable error codes of the Kafka adapters (docs/errors.md).
inline constexpr std::string_view kKafkaConfig = "kafka_config";
inline constexpr std::string_view kKafkaFatal = "kafka_fatal";
inline constexpr std::string_view kKafkaTimeout = "kafka_timeout";
inline constexpr std::string_view kKafkaError = "kafka_error";

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
  void operator()(rd_kafka_error_t* e) const { rd_kafka_error_destroy(e); }
  void operator()(rd_kafka_headers_t* h) const { rd_kafka_headers_destroy(h); }
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};
using KafkaPtr = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, RdKafkaDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, RdKafkaDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, RdKafkaDeleter>;
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, RdKafkaDeleter>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, RdKafkaDeleter>;

using ConfPairs = std::vector<std::pair<std::string, std::string>>;

// A configuration with every pair set; kafka_config names the bad one.
Result<ConfPtr> MakeConf(const ConfPairs& pairs);

// rd_kafka_new; takes ownership of `conf` in every case.
Result<KafkaPtr> NewHandle(rd_kafka_type_t type, ConfPtr conf);

// The partition count of `topic` as the cluster reports it now (0 when the
// topic is unknown). Asking as a producer lets the broker auto-create it.
Result<int> PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms);

Status KafkaStatus(std::string_view code, rd_kafka_resp_err_t err, const std::string& what);

}  // namespace folio::kafka
