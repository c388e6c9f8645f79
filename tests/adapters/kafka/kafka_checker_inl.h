// Implementation of kafka_checker.h, header-only so each test file can use it
// (tests/CMakeLists.txt compiles only *_itest.cpp files).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "adapters/kafka/event_message.h"
#include "adapters/kafka/rd_handles.h"
#include "events/envelope.h"

namespace folio::testing {

using kafka::Header;

inline MirrorChecker::MirrorChecker(std::string brokers, std::string topic, std::uint64_t expected)
    : brokers_(std::move(brokers)),
      topic_(std::move(topic)),
      expected_(expected),
      seen_(expected + 1, 0) {
  thread_ = std::thread([this] { Run(); });
}

inline MirrorChecker::~MirrorChecker() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

inline void MirrorChecker::Error(std::string e) {
  std::lock_guard lock(mu_);
  if (errors_.size() < 20) errors_.push_back(std::move(e));
  failed_.store(true);
}

inline std::vector<std::string> MirrorChecker::errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}

inline std::vector<std::uint64_t> MirrorChecker::Missing(std::size_t max) const {
  std::lock_guard lock(mu_);
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = 1; s <= expected_ && out.size() < max; ++s) {
    if (seen_[s] == 0) out.push_back(s);
  }
  return out;
}

inline bool MirrorChecker::WaitComplete(std::chrono::milliseconds timeout) {
  return PollUntil([&] { return failed_.load() || distinct_.load() == expected_; }, timeout) &&
         !failed_.load();
}

inline void MirrorChecker::Run() {
  auto conf = kafka::MakeConf({{"bootstrap.servers", brokers_},
                               {"group.id", "folio-test-checker"},
                               {"enable.auto.commit", "false"},
                               {"auto.offset.reset", "earliest"},
                               {"fetch.wait.max.ms", "20"},
                               {"log_level", "2"}});
  if (!conf.ok()) return Error(conf.status().ToString());
  auto rk = kafka::NewHandle(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk.ok()) return Error(rk.status().ToString());
  int partitions = 0;
  while (!stop_.load() && partitions == 0) {
    auto n = kafka::PartitionCount(rk->get(), topic_, 2000);
    if (n.ok()) partitions = *n;
    if (partitions == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kafka::PartitionListPtr parts(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(parts.get(), topic_.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk->get(), parts.get());
  std::string aligned;
  while (!stop_.load()) {
    kafka::MessagePtr m(rd_kafka_consumer_poll(rk->get(), 50));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
      Error("partition " + std::to_string(m->partition) + " pruned before it was read");
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    messages_.fetch_add(1);
    rd_kafka_headers_t* hdrs = nullptr;
    std::unordered_map<std::string, std::string> h;
    if (rd_kafka_message_headers(m.get(), &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name = nullptr;
      const void* v = nullptr;
      std::size_t n = 0;
      for (std::size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &v, &n) == 0; ++i) {
        h[name] = std::string(static_cast<const char*>(v), n);
      }
    }
    aligned.assign(static_cast<const char*>(m->payload), m->len);
    if (!VerifyEnvelope(aligned).ok()) {
      Error("bad envelope at offset " + std::to_string(m->offset));
      continue;
    }
    const fb::Envelope& env = *fb::GetEnvelope(aligned.data());
    Header want[8];
    kafka::EventHeaders(env, "/folio", want);
    for (const Header& w : want) {
      auto it = h.find(std::string(w.name));
      if (it == h.end() || it->second != w.value) {
        Error("seq " + std::to_string(env.seq()) + ": header " + std::string(w.name) + " is '" +
              (it == h.end() ? "<absent>" : it->second) + "', want '" + w.value + "'");
      }
    }
    const std::uint64_t seq = env.seq();
    std::string key(static_cast<const char*>(m->key), m->key_len);
    if (key != env.stream_id()->string_view()) Error("key is not the stream id");
    std::lock_guard lock(mu_);
    if (seq == 0 || seq > expected_) {
      if (errors_.size() < 20) errors_.push_back("unexpected seq " + std::to_string(seq));
      failed_.store(true);
      continue;
    }
    if (seen_[seq]++ != 0) {
      duplicates_.fetch_add(1);
      if (errors_.size() < 20) errors_.push_back("duplicate seq " + std::to_string(seq));
      failed_.store(true);
      continue;
    }
    distinct_.fetch_add(1);
    std::uint64_t& last = stream_version_[key];
    if (env.stream_version() != last + 1) {
      if (errors_.size() < 20) {
        errors_.push_back("stream " + key + " version " + std::to_string(env.stream_version()) +
                          " after " + std::to_string(last));
      }
      failed_.store(true);
    }
    last = env.stream_version();
  }
  rd_kafka_consumer_close(rk->get());
}

inline std::vector<TopicMessage> ReadTopic(const std::string& brokers, const std::string& topic,
                                           std::chrono::milliseconds timeout) {
  std::vector<TopicMessage> out;
  auto conf = kafka::MakeConf({{"bootstrap.servers", brokers},
                               {"group.id", "folio-test-read-topic"},
                               {"enable.partition.eof", "true"},
                               {"log_level", "2"}});
  if (!conf.ok()) return out;
  auto rk = kafka::NewHandle(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk.ok()) return out;
  auto n = kafka::PartitionCount(rk->get(), topic, 5000);
  if (!n.ok() || *n == 0) return out;
  kafka::PartitionListPtr parts(rd_kafka_topic_partition_list_new(*n));
  for (int p = 0; p < *n; ++p) {
    rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk->get(), parts.get());
  int eofs = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (eofs < *n && std::chrono::steady_clock::now() < deadline) {
    kafka::MessagePtr m(rd_kafka_consumer_poll(rk->get(), 50));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++eofs;
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    out.push_back({std::string(static_cast<const char*>(m->key), m->key_len),
                   std::string(static_cast<const char*>(m->payload), m->len)});
  }
  rd_kafka_consumer_close(rk->get());
  return out;
}

inline Child::Child(const std::vector<std::string>& args, bool capture_stdout) {
  int fds[2] = {-1, -1};
  if (capture_stdout && pipe2(fds, O_CLOEXEC) != 0) std::abort();
  pid_ = fork();
  if (pid_ == 0) {
    if (capture_stdout) dup2(fds[1], STDOUT_FILENO);
    int devnull = open("/dev/null", O_WRONLY);
    if (!capture_stdout) dup2(devnull, STDOUT_FILENO);
    std::vector<char*> argv;
    std::string bin = FOLIO_BIN;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  if (capture_stdout) {
    close(fds[1]);
    out_fd_ = fds[0];
  }
}

inline Child::~Child() {
  if (!reaped_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

inline std::string Child::ReadLine(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || out_fd_ < 0) return "";
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) return "";
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

inline void Child::Kill(int sig) {
  if (!reaped_) kill(pid_, sig);
}

inline int Child::Wait(std::chrono::milliseconds timeout) {
  bool done = PollUntil(
      [&] {
        if (reaped_) return true;
        if (waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
        return reaped_;
      },
      timeout);
  if (!done) return -1;
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  return 128 + WTERMSIG(status_);
}

}  // namespace folio::testing
