// Helpers shared by the tests: scratch directories and sample events.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>

#include "events/envelope.h"

namespace folio::testing {

// A fresh directory under the system temp dir, removed when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// An unstamped PaymentSettled envelope of about 250 bytes for `stream`.
// (For decoders: as a raw append it does not apply without its payment.)
std::string SampleSettledEnvelope(const std::string& stream, std::uint64_t n);

// An unstamped ReconciliationItemMatched envelope of about 250 bytes for
// `stream`: an event that applies to any state (it keeps none), for raw
// appends. With a key, it carries the request's identity (EnvelopeMeta), as
// the writer requires of every event of a keyed request.
std::string SampleRawEnvelope(const std::string& stream, std::uint64_t n,
                              const std::string& idempotency_key = "",
                              const Hash32& fingerprint = {},
                              const std::string& idempotency_scope = "");

// Runs a shell command, returns its exit status and captures stdout.
int RunCommand(const std::string& cmd, std::string* out);

// Polls `cond` every 20 ms until true or the deadline; returns its last value.
template <typename F>
bool PollUntil(F cond, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return cond();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace folio::testing
