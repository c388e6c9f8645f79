// The scheduler: expiries, scheduled payments falling due, credit expiry, in
// time order, driven only by ClockAdvance.
#include "engine/domain/aggregates.h"
#include "engine/domain/limits.h"
#include "engine/domain/scheduler.h"
#include "tests/engine/domain_harness.h"

namespace folio::domain::testing {
namespace {

namespace rj = rejections;

PaymentCreate Pay(std::string id, std::optional<std::uint32_t> timeout_s = std::nullopt) {
  PaymentCreate c;
  c.payment_id = std::move(id);
  c.customer_id = "c1";
  c.method = fb::Method::Alipay;
  c.amount = Cny("10.00");
  c.timeout_s = timeout_s;
  return c;
}

std::vector<std::string> StreamsOf(const Decision& d) {
  std::vector<std::string> out;
  for (const auto& b : std::get<Events>(d)) {
    out.emplace_back(fb::GetEnvelope(b.data())->stream_id()->string_view());
  }
  return out;
}

TEST_CASE("unpaid payments expire at their timeout, in time order, paid ones do not") {
  Harness h;
  const std::int64_t t0 = h.ctx.now_ns;
  h.Ok(Pay("late", 120));
  h.Ok(Pay("early", 60));
  h.Ok(Pay("paid", 30));
  PaymentSettle s;
  s.payment_id = "paid";
  h.Ok(s);
  CHECK(h.Ok(ClockAdvance{t0 + 59 * kSecond}).empty());
  Decision d = h.Run(ClockAdvance{t0 + 600 * kSecond});
  CHECK(StreamsOf(d) == std::vector<std::string>{"payment:early", "payment:late"});
  CHECK(LoadAs<PaymentState>(h.state, PaymentKey("late"))->status == PaymentStatus::kExpired);
  CHECK(h.Ok(ClockAdvance{t0 + 600 * kSecond}).empty());  // entries removed as they fire
  CHECK(DueAt(h.state, INT64_MAX, 100).empty());
  PaymentSettle late;
  late.payment_id = "late";
  CHECK(h.Rejected(late) == rj::kPaymentClosed);
  // Expiry gave the limit usage back; only the settled payment still counts.
  CHECK(LimitUsed(h.state, "limits/c1/alipay/CNY/d20261121") == 1000);
  CHECK(LimitUsed(h.state, "limits/c1/alipay/CNY/m202611") == 1000);
}

TEST_CASE("a scheduled payment becomes due, then expires if unpaid") {
  Harness h;
  const std::int64_t t0 = h.ctx.now_ns;
  PaymentCreate c = Pay("sch", 60);
  c.due_at_ns = t0 + 3600 * kSecond;
  h.Ok(c);
  CHECK(LoadAs<PaymentState>(h.state, PaymentKey("sch"))->status == PaymentStatus::kScheduled);
  PaymentSettle s;
  s.payment_id = "sch";
  CHECK(h.Rejected(s) == rj::kPaymentNotDue);
  CHECK(h.Ok(ClockAdvance{t0 + 3599 * kSecond}).empty());
  CHECK(h.Ok(ClockAdvance{t0 + 3600 * kSecond}) == std::vector{fb::Event::PaymentBecameDue});
  h.ctx.now_ns = t0 + 3600 * kSecond;
  PaymentCreate c2 = Pay("sch2", 60);
  c2.due_at_ns = t0 + 7200 * kSecond;
  h.Ok(c2);
  // Due and expiry in one advance: due first.
  CHECK(h.Ok(ClockAdvance{t0 + 9000 * kSecond}) == std::vector{fb::Event::PaymentExpired,
                                                               fb::Event::PaymentBecameDue,
                                                               fb::Event::PaymentExpired});
  CHECK(DueAt(h.state, INT64_MAX, 100).empty());
}

TEST_CASE("a scheduled payment settles once due, entries become moot") {
  Harness h;
  const std::int64_t t0 = h.ctx.now_ns;
  PaymentCreate c = Pay("sch");
  c.due_at_ns = t0 + 60 * kSecond;
  h.Ok(c);
  CHECK(DueAt(h.state, INT64_MAX, 100).size() == 2);  // due + expiry
  h.ctx.now_ns = t0 + 60 * kSecond;  // due by time although the scheduler has not run
  PaymentSettle s;
  s.payment_id = "sch";
  CHECK(h.Ok(s).size() == 1);
  CHECK(DueAt(h.state, INT64_MAX, 100).empty());
  CHECK(h.Ok(ClockAdvance{t0 + 86400 * kSecond}).empty());
}

TEST_CASE("credits expire with their remaining balance, used-up credits do not") {
  Harness h;
  const std::int64_t t0 = h.ctx.now_ns;
  h.Ok(CreditIssue{"a", "c1", Cny("10.00"), t0 + 100 * kSecond, ""});
  h.Ok(CreditIssue{"b", "c1", Cny("10.00"), t0 + 50 * kSecond, ""});
  h.Ok(CreditApply{"b", "inv", Cny("10.00"), ""});
  h.Ok(CreditApply{"a", "inv", Cny("4.00"), ""});
  Decision d = h.Run(ClockAdvance{t0 + 100 * kSecond});
  CHECK(StreamsOf(d) == std::vector<std::string>{"credit:a"});
  const auto* e = fb::GetEnvelope(std::get<Events>(d)[0].data())->event_as_CreditExpired();
  CHECK(Money::FromFb(*e->amount()) == Cny("6.00"));
  CHECK(LoadAs<CreditState>(h.state, CreditKey("a"))->status == CreditStatus::kExpired);
}

}  // namespace
}  // namespace folio::domain::testing
