#include "adapters/cli/soak_kafka.h"

#include "adapters/kafka/rd_handles.h"
#include "events/envelope.h"

namespace folio::cli {
namespace {

constexpr std::size_t kErrorsMax = 20;
constexpr int kPollMs = 50;

}  // namespace

KafkaSeqCounter::KafkaSeqCounter(std::string brokers, std::string topic)
    : brokers_(std::move(brokers)), topic_(std::move(topic)), seen_(1, 0) {
  thread_ = std::thread([this] { Run(); });
}

KafkaSeqCounter::~KafkaSeqCounter() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void KafkaSeqCounter::Error(std::string e) {
  std::lock_guard lock(mu_);
  if (errors_.size() < kErrorsMax) errors_.push_back(std::move(e));
}

std::vector<std::string> KafkaSeqCounter::errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}

bool KafkaSeqCounter::WaitFor(std::uint64_t head, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (distinct_.load() < head) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a counter, bounded
  }
  return true;
}

std::uint64_t KafkaSeqCounter::Missing(std::uint64_t head, std::size_t max,
                                       std::vector<std::uint64_t>* first) const {
  std::lock_guard lock(mu_);
  std::uint64_t missing = 0;
  for (std::uint64_t s = 1; s <= head; ++s) {
    if (s < seen_.size() && seen_[s] != 0) continue;
    if (first != nullptr && first->size() < max) first->push_back(s);
    ++missing;
  }
  return missing;
}

std::uint64_t KafkaSeqCounter::Beyond(std::uint64_t head) const {
  std::lock_guard lock(mu_);
  std::uint64_t beyond = 0;
  for (std::uint64_t s = head + 1; s < seen_.size(); ++s) beyond += seen_[s] != 0 ? 1u : 0u;
  return beyond;
}

void KafkaSeqCounter::Run() {
  auto conf = kafka::MakeConf({{"bootstrap.servers", brokers_},
                               {"group.id", "folio-soak-counter"},
                               {"enable.auto.commit", "false"},
                               {"auto.offset.reset", "earliest"},
                               {"isolation.level", "read_committed"},
                               {"fetch.wait.max.ms", "20"},
                               {"log_level", "2"}});
  if (!conf.ok()) return Error(conf.status().ToString());
  auto rk = kafka::NewHandle(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk.ok()) return Error(rk.status().ToString());
  int partitions = 0;
  while (!stop_.load() && partitions == 0) {
    auto n = kafka::PartitionCount(rk->get(), topic_, 2000);
    if (n.ok()) partitions = *n;
  }
  kafka::PartitionListPtr parts(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(parts.get(), topic_.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  if (partitions > 0) rd_kafka_assign(rk->get(), parts.get());
  std::string aligned;  // heap storage: 8-byte aligned for the verifier
  while (!stop_.load()) {
    kafka::MessagePtr m(rd_kafka_consumer_poll(rk->get(), kPollMs));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
      Error("partition " + std::to_string(m->partition) + " was pruned before it was read");
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // transient: librdkafka retries
    messages_.fetch_add(1);
    aligned.assign(static_cast<const char*>(m->payload), m->len);
    if (!VerifyEnvelope(aligned).ok()) {
      Error("partition " + std::to_string(m->partition) + " offset " + std::to_string(m->offset) +
            ": not a valid envelope");
      continue;
    }
    const std::uint64_t seq = fb::GetEnvelope(aligned.data())->seq();
    std::lock_guard lock(mu_);
    if (seq >= seen_.size()) seen_.resize(std::max<std::size_t>(seq + 1, seen_.size() * 2), 0);
    if (seen_[seq] == 0) {
      distinct_.fetch_add(1);
    } else {
      duplicates_.fetch_add(1);
    }
    if (seen_[seq] < 255) ++seen_[seq];
  }
  rd_kafka_consumer_close(rk->get());
}

}  // namespace folio::cli
