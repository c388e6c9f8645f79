#include "adapters/kafka/mock_cluster.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>

#include <librdkafka/rdkafka_mock.h>

namespace {

// Fixed ports. librdkafka 2.0.2's mock binds each broker to 127.0.0.1:0 (an
// ephemeral port) and offers no option to choose one. So while
// MockCluster::Start creates the brokers, this thread's bind() calls to
// 127.0.0.1:0 are given the next fixed port instead. The executable's bind()
// interposes librdkafka's (ELF symbol interposition); every other bind() in the
// process, and this thread's outside Start, goes straight to the kernel.
thread_local int t_next_port = 0;

int RealBind(int fd, const struct sockaddr* addr, socklen_t len) {
  return static_cast<int>(syscall(SYS_bind, fd, addr, len));
}

}  // namespace

extern "C" int bind(int fd, const struct sockaddr* addr, socklen_t len) noexcept {
  if (t_next_port != 0 && addr != nullptr && addr->sa_family == AF_INET &&
      len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    sockaddr_in in;
    std::copy_n(reinterpret_cast<const char*>(addr), sizeof in, reinterpret_cast<char*>(&in));
    if (in.sin_port == 0 && in.sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
      in.sin_port = htons(static_cast<std::uint16_t>(t_next_port++));
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      return RealBind(fd, reinterpret_cast<const struct sockaddr*>(&in), sizeof in);
    }
  }
  return RealBind(fd, addr, len);
}

namespace folio::kafka {

Result<std::unique_ptr<MockCluster>> MockCluster::Start(int brokers, int port_base) {
  if (brokers < 1 || brokers > 32) {
    return Status::Error(kKafkaConfig, "brokers must be 1..32");
  }
  if (port_base < 0 || port_base + brokers > 65536) {
    return Status::Error(kKafkaConfig, "port base out of range");
  }
  ASSIGN_OR_RETURN(ConfPtr conf, MakeConf({{"log_level", "3"}}));
  ASSIGN_OR_RETURN(KafkaPtr rk, NewHandle(RD_KAFKA_PRODUCER, std::move(conf)));
  // One cluster creation at a time: the port counter is per thread, but the
  // ports themselves are a process-wide resource.
  static std::mutex start_mu;
  std::lock_guard lock(start_mu);
  t_next_port = port_base;
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk.get(), brokers);
  const int next = t_next_port;
  t_next_port = 0;
  if (mc == nullptr) {
    return Status::Error(kKafkaConfig, "cannot start the mock cluster (ports " +
                                           std::to_string(port_base) + ".. in use?)");
  }
  if (port_base != 0 && next != port_base + brokers) {
    rd_kafka_mock_cluster_destroy(mc);
    return Status::Error(kKafkaConfig, "mock cluster did not bind the expected ports");
  }
  std::unique_ptr<MockCluster> c(new MockCluster());
  c->handle_ = std::move(rk);
  c->cluster_ = mc;
  c->brokers_ = brokers;
  return c;
}

MockCluster::~MockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
  // handle_ goes after the cluster, as rdkafka_mock.h requires.
}

std::string MockCluster::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

Status MockCluster::CreateTopic(const MockTopic& topic) {
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster_, topic.name.c_str(),
                                                       topic.partitions, std::min(3, brokers_));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(kKafkaError, err, topic.name);
  return OkStatus();
}

Status MockCluster::SetBrokerDown(int broker_id) {
  rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_down(cluster_, broker_id);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(kKafkaError, err, "broker down");
  return OkStatus();
}

Status MockCluster::SetBrokerUp(int broker_id) {
  rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_up(cluster_, broker_id);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(kKafkaError, err, "broker up");
  return OkStatus();
}

void MockCluster::PushRequestErrors(std::int16_t api_key, std::size_t count,
                                    rd_kafka_resp_err_t err) {
  std::vector<rd_kafka_resp_err_t> errs(count, err);
  rd_kafka_mock_push_request_errors_array(cluster_, api_key, count, errs.data());
}

Status MockCluster::SetBrokerRtt(int broker_id, int rtt_ms) {
  rd_kafka_resp_err_t err = rd_kafka_mock_broker_set_rtt(cluster_, broker_id, rtt_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(kKafkaError, err, "broker rtt");
  return OkStatus();
}

}  // namespace folio::kafka
