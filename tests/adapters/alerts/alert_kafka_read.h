// Reading back what a Kafka sink produced (the alert tests).
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "adapters/kafka/rd_handles.h"

namespace folio::alerts {

struct KafkaMessage {
  std::string key, value;
  std::map<std::string, std::string> headers;
};

// Reads `count` messages of partition 0 of `topic` from its start (fewer
// when they do not come within 20 s).
inline std::vector<KafkaMessage> ReadMessages(const std::string& brokers, const std::string& topic,
                                              std::size_t count) {
  auto conf = kafka::MakeConf({{"bootstrap.servers", brokers},
                               {"group.id", "folio-alerts-test"},
                               {"enable.auto.commit", "false"},
                               {"fetch.wait.max.ms", "20"},
                               {"log_level", "2"}});
  REQUIRE(conf.ok());
  auto rk = kafka::NewHandle(RD_KAFKA_CONSUMER, std::move(*conf));
  REQUIRE(rk.ok());
  kafka::PartitionListPtr parts(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), 0)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  REQUIRE(rd_kafka_assign(rk->get(), parts.get()) == RD_KAFKA_RESP_ERR_NO_ERROR);
  std::vector<KafkaMessage> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    kafka::MessagePtr m(rd_kafka_consumer_poll(rk->get(), 100));
    if (!m || m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    KafkaMessage km;
    km.key.assign(static_cast<const char*>(m->key), m->key_len);
    km.value.assign(static_cast<const char*>(m->payload), m->len);
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m.get(), &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name = nullptr;
      const void* v = nullptr;
      std::size_t n = 0;
      for (std::size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &v, &n) == 0; ++i) {
        km.headers[name] = std::string(static_cast<const char*>(v), n);
      }
    }
    out.push_back(std::move(km));
  }
  rd_kafka_consumer_close(rk->get());
  return out;
}

}  // namespace folio::alerts
