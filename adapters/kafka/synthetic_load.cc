#include "adapters/kafka/synthetic_load.h"

#include <semaphore>

#include "events/codes.h"
#include "events/synthetic.h"

namespace folio::kafka {

Status AppendSynthetic(Writer& writer, const SyntheticLoadOptions& o) {
  const auto window =
      static_cast<std::ptrdiff_t>(std::max<std::size_t>(1, o.requests_in_flight_max));
  std::counting_semaphore<> slots(window);
  std::atomic<std::uint64_t> errors{0};
  std::string first_error;
  std::mutex err_mu;
  const std::uint64_t end = o.first + o.count;
  for (std::uint64_t n = o.first; n < end;) {
    if (o.stop != nullptr && o.stop->load()) break;
    AppendRequest req;
    const std::uint64_t stop_at = std::min(end, n + std::max<std::size_t>(1, o.events_per_request));
    SyntheticEventOptions so;
    so.id_prefix = o.id_prefix;
    for (; n < stop_at; ++n) {
      if (req.stream_id.empty()) req.stream_id = SyntheticPaymentStream(so.id_prefix, n);
      req.envelopes.push_back(SyntheticPaymentEvent(n, so));
    }
    slots.acquire();
    writer.Submit(std::move(req), [&](const AppendOutcome& out) {
      if (!out.status.ok()) {
        if (errors.fetch_add(1) == 0) {
          std::lock_guard lock(err_mu);
          first_error = out.status.ToString();
        }
      } else if (o.on_durable) {
        o.on_durable(out.last_seq);
      }
      slots.release();
    });
  }
  for (std::ptrdiff_t k = 0; k < window; ++k) slots.acquire();
  if (errors.load() != 0) {
    std::lock_guard lock(err_mu);
    return Status::Error(codes::kStoreFailed, first_error);
  }
  return OkStatus();
}

}  // namespace folio::kafka
