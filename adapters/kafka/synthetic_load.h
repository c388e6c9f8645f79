// Synthetic events for the mirror's benchmark, crash tests and demos: settled
// Alipay payments spread over a fixed number of streams, appended through the
// real writer.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "engine/writer.h"

namespace folio::kafka {

struct SyntheticLoadOptions {
  // Events are numbered n = first .. first + count - 1; event n goes to stream
  // "pay-<n % streams>". Default: 1,000 streams.
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  std::size_t streams = 1'000;
  std::size_t events_per_request = 256;
  std::size_t requests_in_flight_max = 64;
  // Called (on the writer's thread) after each durable request with the last seq.
  std::function<void(std::uint64_t last_seq)> on_durable;
  // Stops early when set. Default: none.
  const std::atomic<bool>* stop = nullptr;
};

// An unstamped PaymentSettled envelope for synthetic event `n` of `stream`.
std::string SyntheticSettledEnvelope(const std::string& stream, std::uint64_t n);

// Appends the events; waits until every request is durable.
Status AppendSynthetic(Writer& writer, const SyntheticLoadOptions& opts);

}  // namespace folio::kafka
