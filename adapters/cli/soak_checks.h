// The checks `folio soak` runs after its rounds, against the journal of
// first answers (adapters/cli/soak_load.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "adapters/cli/soak_load.h"
#include "events/status.h"

namespace folio::cli {

struct LogCheck {
  std::uint64_t head_seq = 0;
  std::uint64_t events = 0;
  // Events the server's clock wrote (`clock.advance`, scope "clock"): due
  // and expired payments, expired credits. Not commands of the load.
  std::uint64_t clock_events = 0;
  std::uint64_t lost = 0;        // acknowledged commands whose events are not in the log
  std::uint64_t duplicated = 0;  // commands whose events are in the log more than once
  // The seqs of the events that also go to an integration topic, by
  // kafka::IntegrationKind - 1 (settled, failed, refunded, credited).
  std::array<std::vector<std::uint64_t>, 4> integration_seqs;
};

// Reads the log in `dir` (read-only; no server may have it open) and checks
// that every 2xx of the journal has its events at the seqs it was answered
// with, once; that no refused command has events; and that every event
// belongs to a command of the journal. Errors: the log cannot be read.
Result<LogCheck> CheckLog(const std::string& dir, const std::vector<SoakAck>& journal,
                          SoakProblems* problems);

struct RetryCheck {
  std::uint64_t retries = 0, conflicts = 0;
};

// Sends every command of the journal again (its first answer must come
// back) and then another body under its key (idempotency_key_conflict must
// come back), to the server on 127.0.0.1:`port`. Errors: io_error when the
// server does not answer.
Result<RetryCheck> CheckRetries(std::uint16_t port, const std::string& api_key,
                                const std::vector<SoakAck>& journal, SoakProblems* problems);

}  // namespace folio::cli
