#include "events/synthetic.h"

#include "events/money.h"

namespace folio {
namespace {

constexpr std::int64_t kBaseNs = 1'795'000'000'000'000'000;  // 2026-11-19
constexpr std::int64_t kDayNs = 86'400'000'000'000;

std::string Encode(std::uint64_t n, const SyntheticEventOptions& o, const std::string& pad) {
  const std::uint64_t payment = n / 2;
  const std::string id = o.id_prefix + std::to_string(payment);
  EnvelopeMeta meta;
  meta.stream_id = "payment:" + id;
  meta.occurred_at_ns = kBaseNs + static_cast<std::int64_t>(n);
  meta.actor = n % 2 == 0 ? "api:bench" : "gateway:alipay";
  meta.correlation_id = "req-" + id;
  meta.idempotency_key = o.idempotency_key;
  meta.idempotency_scope = o.idempotency_scope;
  meta.request_fingerprint = o.request_fingerprint;
  const std::string customer = "cust-" + std::to_string(payment % 1000);
  const std::string order = "order-" + id;
  const auto amount = Money(Asset::CNY, 10'000 + payment % 100'000).ToFb();
  const auto fee = Money(Asset::CNY, 60 + payment % 100).ToFb();
  if (n % 2 == 0) {
    return EncodeEnvelope(meta, fb::Event::PaymentCreated, [&](flatbuffers::FlatBufferBuilder& b) {
      const std::string description = "consultation" + pad;
      return fb::CreatePaymentCreatedDirect(b, id.c_str(), customer.c_str(), order.c_str(), "",
                                            fb::Method::Alipay, "", &amount, &fee,
                                            fb::Destination::Operating, "", "",
                                            meta.occurred_at_ns + kDayNs, 0, description.c_str())
          .Union();
    });
  }
  const std::string txn = "2026112122001" + std::to_string(payment) + pad;
  return EncodeEnvelope(meta, fb::Event::PaymentSettled, [&](flatbuffers::FlatBufferBuilder& b) {
    return fb::CreatePaymentSettledDirect(b, id.c_str(), txn.c_str(), &amount, &fee, &fee,
                                          fb::Method::Alipay, fb::Destination::Operating,
                                          customer.c_str(), order.c_str())
        .Union();
  });
}

}  // namespace

std::string SyntheticPaymentStream(const std::string& id_prefix, std::uint64_t n) {
  return "payment:" + id_prefix + std::to_string(n / 2);
}

std::string SyntheticPaymentEvent(std::uint64_t n, const SyntheticEventOptions& o) {
  std::string env = Encode(n, o, "");
  if (o.pad_to > env.size()) env = Encode(n, o, std::string(o.pad_to - env.size(), '0'));
  return env;
}

}  // namespace folio
