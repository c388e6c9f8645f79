#include "adapters/kafka/synthetic_load.h"

#include <semaphore>

#include "events/codes.h"
#include "events/money.h"

namespace folio::kafka {

std::string SyntheticSettledEnvelope(const std::string& stream, std::uint64_t n) {
  EnvelopeMeta meta;
  meta.stream_id = stream;
  meta.occurred_at_ns = 1'795'000'000'000'000'000 + static_cast<std::int64_t>(n);
  meta.actor = "gateway:alipay";
  meta.correlation_id = "req-" + std::to_string(n);
  std::string txn = "2026112122001" + std::to_string(n);
  std::string order = "order-" + std::to_string(n);
  return EncodeEnvelope(meta, fb::Event::PaymentSettled, [&](flatbuffers::FlatBufferBuilder& b) {
    auto amount = Money(Asset::CNY, 10000 + n % 100000).ToFb();
    auto gw_fee = Money(Asset::CNY, 60 + n % 100).ToFb();
    auto fee = Money(Asset::CNY, 60).ToFb();
    return fb::CreatePaymentSettledDirect(b, stream.c_str(), txn.c_str(), &amount, &gw_fee, &fee,
                                          fb::Method::Alipay, fb::Destination::Operating,
                                          "cust-1", order.c_str())
        .Union();
  });
}

Status AppendSynthetic(Writer& writer, const SyntheticLoadOptions& o) {
  const auto window = static_cast<std::ptrdiff_t>(std::max<std::size_t>(1, o.requests_in_flight_max));
  std::counting_semaphore<> slots(window);
  std::atomic<std::uint64_t> errors{0};
  std::string first_error;
  std::mutex err_mu;
  const std::uint64_t end = o.first + o.count;
  for (std::uint64_t n = o.first; n < end;) {
    if (o.stop != nullptr && o.stop->load()) break;
    AppendRequest req;
    const std::uint64_t stop_at = std::min(end, n + std::max<std::size_t>(1, o.events_per_request));
    for (; n < stop_at; ++n) {
      std::string stream = "pay-" + std::to_string(n % std::max<std::size_t>(1, o.streams));
      if (req.stream_id.empty()) req.stream_id = stream;
      req.envelopes.push_back(SyntheticSettledEnvelope(stream, n));
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
