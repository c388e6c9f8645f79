// How an event becomes Kafka headers and integration JSON.
#include <doctest/doctest.h>

#include "events/synthetic.h"

#include <boost/json.hpp>

#include "adapters/kafka/event_message.h"
#include "adapters/kafka/synthetic_load.h"
#include "events/envelope.h"

namespace folio::kafka {
namespace {

// Synthetic event 15 settles payment "pay-7" (events/synthetic.h).
std::string SettledPay7() {
  SyntheticEventOptions o;
  o.id_prefix = "pay-";
  return SyntheticPaymentEvent(15, o);
}

EventRecord Stamped(std::string env, std::uint64_t seq) {
  StampEnvelope(env, seq, 1, 1'795'000'000'000'000'000, kGenesisHash);
  auto r = EventRecord::Decode(std::move(env));
  REQUIRE(r.ok());
  return std::move(*r);
}

TEST_CASE("event headers follow the CloudEvents Kafka binding plus folio-seq and folio-hash") {
  EventRecord e = Stamped(SettledPay7(), 42);
  Header h[8];
  EventHeaders(e.env(), "/folio", h);
  CHECK(h[0].name == "ce_specversion");
  CHECK(h[0].value == "1.0");
  CHECK(h[1].name == "ce_id");
  CHECK(h[1].value == UuidToString({e.env().event_id()->hi(), e.env().event_id()->lo()}));
  CHECK(h[2].value == "/folio");
  CHECK(h[3].value == "folio.PaymentSettled");
  CHECK(h[4].name == "ce_time");
  CHECK(h[4].value == "2026-11-18T11:06:40.000000015Z");
  CHECK(h[5].value == kEnvelopeContentType);
  CHECK(h[6].name == kHeaderSeq);
  CHECK(h[6].value == "42");
  CHECK(h[7].name == kHeaderHash);
  CHECK(h[7].value == ToHex(e.hash()));
}

TEST_CASE("payments.settled JSON carries the payment's fields with a decimal amount") {
  EventRecord e = Stamped(SettledPay7(), 1);
  REQUIRE(IntegrationKindOf(e.env()) == IntegrationKind::kSettled);
  CHECK(IntegrationKey(e.env()) == "pay-7");
  auto j = boost::json::parse(IntegrationJson(e.env(), nullptr)).as_object();
  CHECK(j.at("paymentId").as_string() == "pay-7");
  CHECK(j.at("orderId").as_string() == "order-pay-7");
  CHECK(j.at("userId").as_string() == "cust-7");
  CHECK(j.at("amount").as_string() == "100.07");
  CHECK(j.at("currency").as_string() == "CNY");
  CHECK(j.at("method").as_string() == "alipay");  // as the HTTP API names methods
  CHECK(j.at("settledAt").as_string() == "2026-11-18T11:06:40.000000015Z");
  CHECK(j.at("reason").is_null());
  CHECK(j.at("requestId").as_string() == "req-pay-7");
}

TEST_CASE("payments.settled JSON names money paid after the payment was closed") {
  EnvelopeMeta meta;
  meta.stream_id = "payment:late-1";
  meta.occurred_at_ns = 1'795'000'000'000'000'000;
  const auto amount = Money(Asset::CNY, 5000).ToFb();
  for (const bool after_close : {false, true}) {
    CAPTURE(after_close);
    EventRecord e =
        Stamped(EncodeEnvelope(meta, fb::Event::PaymentSettled,
                               [&](flatbuffers::FlatBufferBuilder& b) {
                                 return fb::CreatePaymentSettledDirect(
                                            b, "late-1", "t1", &amount, &amount, &amount,
                                            fb::Method::Alipay, fb::Destination::Operating, "c1",
                                            "o1", after_close)
                                     .Union();
                               }),
                1);
    auto j = boost::json::parse(IntegrationJson(e.env(), nullptr)).as_object();
    if (after_close) {
      CHECK(j.at("reason").as_string() == "paid_after_close");
    } else {
      CHECK(j.at("reason").is_null());
    }
  }
}

TEST_CASE("folio-seq parsing rejects anything but plain digits") {
  CHECK(ParseSeq("17") == 17u);
  CHECK(ParseSeq("18446744073709551615") == UINT64_MAX);
  CHECK_FALSE(ParseSeq(""));
  CHECK_FALSE(ParseSeq("-1"));
  CHECK_FALSE(ParseSeq("1 "));
  CHECK_FALSE(ParseSeq("18446744073709551616"));
}

}  // namespace
}  // namespace folio::kafka
