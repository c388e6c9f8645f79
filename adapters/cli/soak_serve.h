// `folio serve` as `folio soak` drives it: a child process on the soak's log
// and key file, listening on an ephemeral loopback port (a new one after each
// restart, so no port is ever waited for), probed over HTTP.
//
// Thread-safety: as SoakChild (soak_process.h); the free functions from any
// thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/cli/soak_process.h"
#include "events/status.h"

namespace folio::cli {

class ServeProcess {
 public:
  // Starts `folio serve` on WORK/log with the keys of WORK/keys.txt, its
  // relay writing to `brokers`; output appended to WORK/serve.log.
  static Result<std::unique_ptr<ServeProcess>> Start(const std::string& work_dir,
                                                     const std::string& brokers);
  // The port, once serve printed that it listens. Errors: io_error when it
  // exited or did not within `timeout`.
  Result<std::uint16_t> WaitListening(std::chrono::milliseconds timeout);
  SoakChild& child() { return *child_; }

 private:
  ServeProcess() = default;
  std::unique_ptr<SoakChild> child_;
  std::shared_ptr<LineWatch> listening_ = std::make_shared<LineWatch>();
};

// GET /readyz until it answers 200. Errors: io_error at the deadline.
Status WaitReady(std::uint16_t port, std::chrono::milliseconds timeout);

// Polls /metrics until the relay's cursor is the log's head; returns the
// head. Errors: io_error at the deadline or when /metrics does not answer.
Result<std::uint64_t> WaitRelayCaughtUp(std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace folio::cli
