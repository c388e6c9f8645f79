// The matcher's rules for real-world lines: foreign currencies, entries not
// booked, statements that contradict themselves, digits below the minor unit,
// and the fee a gateway gives back on a refund.
#include <doctest/doctest.h>

#include "adapters/reconciliation/matcher.h"
#include "adapters/statements/text.h"

namespace folio::reconciliation {
namespace {

using statements::Amount;
using statements::Line;

Money Cny(u128 minor) { return Money(Asset::CNY, minor); }

Amount Exact(std::string_view text, std::string_view code) {
  return *Amount::Parse(text, *statements::FindCurrency(code), 5);
}

LedgerItem Payment(const std::string& id, u128 amount, u128 fee) {
  LedgerItem it;
  it.id = id;
  it.gateway_ref = "G-" + id;
  it.order_ref = "O-" + id;
  it.amount = Cny(amount);
  it.fee = Cny(fee);
  it.booked_at_ns = 1'000;
  return it;
}

Line LineFor(const std::string& ref, Amount amount, Amount fee) {
  Line l;
  l.line_no = 7;
  l.reference = ref;
  l.amount = amount;
  l.fee = fee;
  l.booked_at_ns = 1'000;
  return l;
}

struct Run {
  std::vector<LedgerItem> items;
  std::vector<recon::ReconDiscrepancy> found;
  std::size_t matched = 0;
  void Go(const std::vector<Line>& lines,
          const std::vector<statements::StatementCheck>& checks = {}) {
    Matcher m(&items, MatchOptions{});
    for (const Line& l : lines) m.Add(l);
    for (const auto& c : checks) m.AddCheck(c);
    m.Finish();
    found = m.discrepancies();
    matched = m.matches().size();
  }
};

}  // namespace

TEST_CASE("matcher: a currency the ledger does not hold is currency_not_held, parks nothing") {
  Run r;
  r.Go({LineFor("SE-1", Exact("8.85", "SEK"), Amount())});
  REQUIRE(r.found.size() == 1);
  CHECK(r.found[0].kind == fb::DiscrepancyKind::CurrencyNotHeld);
  CHECK(r.found[0].statement_amount_text == "8.85 SEK");
  CHECK(r.found[0].difference.is_zero());
}

TEST_CASE("matcher: an entry not booked is not_booked and is not matched") {
  Run r;
  r.items.push_back(Payment("p1", 10000, 0));
  Line l = LineFor("G-p1", Cny(10000), Cny(0));
  l.booked = false;
  l.status = "PDNG";
  r.Go({l});
  REQUIRE(r.found.size() == 2);
  CHECK(r.found[0].kind == fb::DiscrepancyKind::NotBooked);
  CHECK(r.found[1].kind == fb::DiscrepancyKind::MissingInStatement);
  CHECK(r.matched == 0);
}

TEST_CASE("matcher: a statement that does not add up is statement_inconsistent") {
  Run r;
  statements::StatementCheck ok, bad;
  bad.consistent = false;
  bad.statement_id = "STMT-2";
  bad.note = "opening 1.00 EUR + entries ... closing 2.00 EUR";
  r.Go({}, {ok, bad});
  REQUIRE(r.found.size() == 1);
  CHECK(r.found[0].kind == fb::DiscrepancyKind::StatementInconsistent);
  CHECK(r.found[0].statement_ref == "STMT-2");
  CHECK(r.found[0].difference.is_zero());
}

TEST_CASE("matcher: five-decimal fees compare exactly, trailing zeros match") {
  Run r;
  r.items.push_back(Payment("p1", 10000, 60));
  r.items.push_back(Payment("p2", 100, 1));
  r.Go({LineFor("G-p1", Cny(10000), Exact("0.60000", "CNY")),
        LineFor("G-p2", Cny(100), Exact("0.00600", "CNY"))});
  CHECK(r.matched == 1);
  REQUIRE(r.found.size() == 1);
  const recon::ReconDiscrepancy& d = r.found[0];
  CHECK(d.kind == fb::DiscrepancyKind::FeeMismatch);
  CHECK(d.note.find("0.006") != std::string::npos);
  // ledger 0.01 - statement 0.006 = 0.004: below the fen, parked as 0.00 and said so.
  CHECK(d.difference == Cny(0));
  CHECK(d.note.find("exact difference 0.004 CNY") != std::string::npos);
}

TEST_CASE("matcher: an amount below the minor unit never equals the ledger's") {
  Run r;
  r.items.push_back(Payment("p1", 885, 0));
  r.Go({LineFor("G-p1", Exact("8.855", "CNY"), Cny(0))});
  REQUIRE(r.found.size() == 1);
  CHECK(r.found[0].kind == fb::DiscrepancyKind::AmountMismatch);
  CHECK(r.found[0].statement_amount_text == "8.855 CNY");
  CHECK(r.found[0].difference == Cny(1));  // 0.005 rounded half-up
}

TEST_CASE("matcher: on a refund, the fee given back is compared with the ledger's") {
  Run r;
  LedgerItem refund;
  refund.id = "r1";
  refund.gateway_ref = "RF-1";
  refund.amount = Cny(4000);
  refund.fee = Cny(24);  // expected back: the payment's fee pro rata
  refund.is_debit = true;
  refund.kind = ItemKind::kRefund;
  refund.booked_at_ns = 1'000;
  r.items.push_back(refund);
  r.items.push_back(refund);
  r.items[1].id = "r2";
  r.items[1].gateway_ref = "RF-2";
  Line ok = LineFor("RF-1", Cny(4000), Exact("0.24000", "CNY"));
  Line more = LineFor("RF-2", Cny(4000), Cny(30));
  for (Line* l : {&ok, &more}) l->is_debit = l->is_refund = true;
  r.Go({ok, more});
  CHECK(r.matched == 1);
  REQUIRE(r.found.size() == 1);
  CHECK(r.found[0].kind == fb::DiscrepancyKind::FeeMismatch);
  CHECK(r.found[0].difference == Cny(6));  // gave back 0.06 more than expected
  CHECK(r.found[0].difference_is_debit);
}

}  // namespace folio::reconciliation
