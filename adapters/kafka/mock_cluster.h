// MockCluster: librdkafka's in-memory Kafka cluster (rdkafka_mock.h) speaking
// the Kafka protocol over TCP on 127.0.0.1, for `folio kafka-dev`, `folio
// relay`/`serve` without --kafka-brokers, tests and benchmarks.
//
// What the mock does and does not emulate: it
// checks producer sequence numbers only for transactional producers, keeps
// about 5 MB per partition (older data is pruned), and does not hide aborted
// transactions from read_committed consumers. docs/kafka.md has the details.
//
// Thread-safety: the fault-injection helpers may be called from any thread.
// The cluster's own threads serve clients until the object is destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapters/kafka/rd_handles.h"

struct rd_kafka_mock_cluster_s;

namespace folio::kafka {

struct MockTopic {
  std::string name;
  int partitions = 3;
};

class MockCluster {
 public:
  // `brokers` brokers (ids 1..brokers). port_base 0: ephemeral ports;
  // otherwise broker id i listens on 127.0.0.1:(port_base + i - 1) (the port
  // is taken over if a previous run left it in TIME_WAIT).
  static Result<std::unique_ptr<MockCluster>> Start(int brokers, int port_base = 0);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  // "127.0.0.1:p1,127.0.0.1:p2,..."
  std::string bootstrap() const;
  int brokers() const { return brokers_; }

  // Creates `topic` with its partitions (replication factor min(3, brokers)).
  // Topics nobody created are auto-created on first use with the mock's
  // default of 4 partitions.
  Status CreateTopic(const MockTopic& topic);

  // Fault injection. Broker ids are 1..brokers().
  Status SetBrokerDown(int broker_id);
  Status SetBrokerUp(int broker_id);
  // The next `count` requests of API `api_key` (e.g. 0 = Produce) fail with
  // `err`, cluster-wide.
  void PushRequestErrors(std::int16_t api_key, std::size_t count, rd_kafka_resp_err_t err);
  // Adds `rtt_ms` round-trip time to every response of a broker.
  Status SetBrokerRtt(int broker_id, int rtt_ms);

 private:
  MockCluster() = default;
  KafkaPtr handle_;  // the client instance the mock cluster is attached to
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  int brokers_ = 0;
};

}  // namespace folio::kafka
