// Synthetic events for the mirror's benchmark, crash tests and demos: Alipay
// payments created and settled (events/synthetic.h, id prefix "syn-"),
// appended through the real writer.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "engine/writer.h"

namespace folio::kafka {

struct SyntheticLoadOptions {
  // Events are numbered n = first .. first + count - 1 (events/synthetic.h:
  // even n creates a payment, odd n settles it). Continue a load with the
  // same prefix and `first` = the number of its events already appended.
  std::uint64_t first = 0;
  std::uint64_t count = 0;
  // Payment ids are "<id_prefix><n / 2>": a load that continues another
  // keeps its prefix, a new one takes its own. Default: "syn-".
  std::string id_prefix = "syn-";
  std::size_t events_per_request = 256;
  std::size_t requests_in_flight_max = 64;
  // Called (on the writer's thread) after each durable request with the last seq.
  std::function<void(std::uint64_t last_seq)> on_durable;
  // Stops early when set. Default: none.
  const std::atomic<bool>* stop = nullptr;
};

// Appends the events; waits until every request is durable.
Status AppendSynthetic(Writer& writer, const SyntheticLoadOptions& opts);

}  // namespace folio::kafka
