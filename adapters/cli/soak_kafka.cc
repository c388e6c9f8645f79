#include "adapters/cli/soak_kafka.h"

#include <charconv>

#include "adapters/kafka/event_message.h"
#include "adapters/kafka/rd_handles.h"
#include "events/envelope.h"

namespace folio::cli {
namespace {

constexpr std::size_t kErrorsMax = 20;
constexpr int kPollMs = 50;
constexpr std::size_t kFirstMax = 10;

// The folio-seq header of a message; 0 when absent or malformed.
std::uint64_t HeaderSeq(rd_kafka_message_t* m) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
  const void* v = nullptr;
  std::size_t n = 0;
  const std::string name(kafka::kHeaderSeq);
  if (rd_kafka_header_get_last(hdrs, name.c_str(), &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
  const char* p = static_cast<const char*>(v);
  std::uint64_t seq = 0;
  auto [end, ec] = std::from_chars(p, p + n, seq);
  return ec == std::errc() && end == p + n ? seq : 0;
}

}  // namespace

KafkaSeqCounter::KafkaSeqCounter(std::string brokers, std::string topic, SeqFrom from)
    : brokers_(std::move(brokers)), topic_(std::move(topic)), from_(from), seen_(1, 0) {
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

bool KafkaSeqCounter::WaitFor(std::uint64_t distinct, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (distinct_.load() < distinct) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a counter, bounded
  }
  return true;
}

KafkaSeqCounter::Comparison KafkaSeqCounter::Compare(
    const std::vector<std::uint64_t>& expected) const {
  std::lock_guard lock(mu_);
  Comparison c;
  std::vector<bool> wanted(seen_.size(), false);
  for (std::uint64_t seq : expected) {
    if (seq < seen_.size() && seen_[seq] != 0) {
      wanted[seq] = true;
      continue;
    }
    if (c.first_missing.size() < kFirstMax) c.first_missing.push_back(seq);
    ++c.missing;
  }
  for (std::uint64_t seq = 0; seq < seen_.size(); ++seq) {
    if (seen_[seq] == 0 || wanted[seq]) continue;
    if (c.first_unexpected.size() < kFirstMax) c.first_unexpected.push_back(seq);
    ++c.unexpected;
  }
  return c;
}

// A stream's events share a key, hence a partition: they must arrive in
// stream order, versions 1, 2, 3...
// REQUIRES: mu_ held.
void KafkaSeqCounter::CheckStreamOrder(const fb::Envelope& env) {
  std::uint64_t& last = stream_version_[env.stream_id()->str()];
  if (env.stream_version() != last + 1 && errors_.size() < kErrorsMax) {
    errors_.push_back("seq " + std::to_string(env.seq()) + ": stream " + env.stream_id()->str() +
                      " version " + std::to_string(env.stream_version()) + " after " +
                      std::to_string(last));
  }
  last = env.stream_version();
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
      Error(topic_ + " partition " + std::to_string(m->partition) +
            " was pruned before it was read");
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;  // transient: librdkafka retries
    messages_.fetch_add(1);
    std::uint64_t seq = 0;
    const fb::Envelope* env = nullptr;
    if (from_ == SeqFrom::kHeader) {
      seq = HeaderSeq(m.get());
    } else {
      aligned.assign(static_cast<const char*>(m->payload), m->len);
      if (VerifyEnvelope(aligned).ok()) env = fb::GetEnvelope(aligned.data());
      seq = env != nullptr ? env->seq() : 0;
    }
    if (seq == 0) {
      Error(topic_ + " partition " + std::to_string(m->partition) + " offset " +
            std::to_string(m->offset) + ": no seq (not a valid envelope, or no folio-seq)");
      continue;
    }
    std::lock_guard lock(mu_);
    if (seq >= seen_.size()) seen_.resize(std::max<std::size_t>(seq + 1, seen_.size() * 2), 0);
    if (seen_[seq] == 0) {
      distinct_.fetch_add(1);
      if (env != nullptr) CheckStreamOrder(*env);
    } else {
      duplicates_.fetch_add(1);
    }
    if (seen_[seq] < 255) ++seen_[seq];
  }
  rd_kafka_consumer_close(rk->get());
}

}  // namespace folio::cli
