// Credits: issue, partial application, expiry by time, reversal, rejection order.
#include "engine/domain/aggregates.h"
#include "tests/engine/domain_harness.h"

namespace folio::domain::testing {
namespace {

namespace rj = rejections;

CreditApply Use(std::string credit, Money amount) {
  return CreditApply{std::move(credit), "inv-1", amount, "app-1"};
}

TEST_CASE("credit: issue, apply partially, reverse the rest") {
  Harness h;
  CHECK(h.Ok(CreditIssue{"cr", "c1", Cny("50.00"), std::nullopt, "goodwill"}) ==
        std::vector{fb::Event::CreditIssued});
  h.Ok(Use("cr", Cny("20.00")));
  h.Ok(Use("cr", Cny("10.00")));
  CHECK(LoadAs<CreditState>(h.state, CreditKey("cr"))->remaining == Cny("20.00"));
  CHECK(h.Rejected(Use("cr", Cny("20.01"))) == rj::kCreditInsufficient);
  CHECK(h.Ok(CreditReverse{"cr", "mistake"}) == std::vector{fb::Event::CreditReversed});
  CHECK(LoadAs<CreditState>(h.state, CreditKey("cr"))->remaining == Cny("0"));
  CHECK(Balance(h.ledger, "liability:credit:c1", Asset::CNY) == 0);
  CHECK(Balance(h.ledger, "income:payments", Asset::CNY) == -3000);
  CHECK(Balance(h.ledger, "expense:credits", Asset::CNY) == 5000 - 2000);
}

TEST_CASE("credit rejections in documented order, expiry decided by time") {
  Harness h;
  const std::int64_t t0 = h.ctx.now_ns;
  h.Ok(CreditIssue{"cr", "c1", Cny("50.00"), t0 + 3600 * kSecond, ""});
  h.Ok(CreditIssue{"gone", "c1", Cny("5.00"), std::nullopt, ""});
  h.Ok(CreditReverse{"gone", ""});
  h.Ok(CreditIssue{"empty", "c1", Cny("5.00"), std::nullopt, ""});
  h.Ok(Use("empty", Cny("5.00")));
  struct Row {
    const char* name;
    Command cmd;
    std::string_view code;
  } rows[] = {
      {"issue invalid", CreditIssue{"", "c1", Cny("1"), std::nullopt, ""}, rj::kInvalidCommand},
      {"issue zero", CreditIssue{"cr", "c1", Cny("0"), std::nullopt, ""}, rj::kInvalidCommand},
      {"issue past expiry", CreditIssue{"cr", "c1", Cny("1"), t0, ""}, rj::kInvalidCommand},
      {"issue twice", CreditIssue{"cr", "c2", Cny("1"), std::nullopt, ""},
       rj::kCreditAlreadyExists},
      {"apply invalid", Use("", Cny("1")), rj::kInvalidCommand},
      {"apply missing", Use("nope", Cny("1")), rj::kCreditNotFound},
      {"apply reversed", Use("gone", M("1", "USD")), rj::kCreditReversed},
      {"apply currency", Use("cr", M("100", "USD")), rj::kCurrencyMismatch},
      {"overdraw", Use("cr", Cny("50.01")), rj::kCreditInsufficient},
      {"reverse missing", CreditReverse{"nope", ""}, rj::kCreditNotFound},
      {"reverse reversed", CreditReverse{"gone", ""}, rj::kCreditReversed},
      {"reverse empty", CreditReverse{"empty", ""}, rj::kCreditInsufficient},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    CHECK(h.Rejected(r.cmd) == r.code);
  }
  // At the expiry instant the credit is unusable even before the scheduler runs.
  h.ctx.now_ns = t0 + 3600 * kSecond;
  CHECK(h.Rejected(Use("cr", Cny("1.00"))) == rj::kCreditExpired);
  CHECK(h.Rejected(CreditReverse{"cr", ""}) == rj::kCreditExpired);
  h.ctx.now_ns -= 1;
  CHECK(h.Ok(Use("cr", Cny("1.00"))).size() == 1);
  h.ctx.now_ns += 1;
  CHECK(h.Ok(ClockAdvance{h.ctx.now_ns}) == std::vector{fb::Event::CreditExpired});
  CHECK(h.Rejected(Use("cr", Cny("1.00"))) == rj::kCreditExpired);
  CHECK(Balance(h.ledger, "income:credits_expired", Asset::CNY) == -4900);
  CHECK(Balance(h.ledger, "liability:credit:c1", Asset::CNY) == 0);
}

}  // namespace
}  // namespace folio::domain::testing
