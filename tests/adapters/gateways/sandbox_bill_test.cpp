// The sandbox's daily trade bill (adapters/gateways/sandbox_bill.h): the day's
// payments and refunds in the gateway's layout, read back by Folio's own
// statement parsers with the fees the ledger expects.
#include <doctest/doctest.h>

#include <sstream>

#include "adapters/gateways/sandbox.h"
#include "adapters/gateways/sandbox_bill.h"

namespace folio::gateways {
namespace {

using std::chrono::milliseconds;
using Clock = SandboxBook::Clock;

constexpr std::int64_t kMsNs = 1'000'000;
constexpr std::int64_t kHourMs = 3'600'000;
// 2026-12-07 00:00:00 in Shanghai.
constexpr std::int64_t kDayStartNs = 1'796'572'800'000'000'000;
constexpr std::int64_t kDayNs = 24 * kHourMs * kMsNs;

Money Cny(u128 fen) { return Money(Asset::CNY, fen); }
std::string S(const statements::Amount& a) { return a.ToString(); }
std::int64_t Seconds(std::int64_t ns) { return ns / 1'000'000'000 * 1'000'000'000; }

struct Parsed {
  statements::Header header;
  std::vector<statements::Line> lines;
};

Parsed Parse(statements::Source source, const std::string& bytes) {
  std::istringstream in(bytes);
  Parsed p;
  auto h = statements::ParseStatement(source, in, [&](const statements::Line& l) {
    p.lines.push_back(l);
    return OkStatus();
  });
  REQUIRE_MESSAGE(h.ok(), h.status().ToString());
  p.header = *h;
  return p;
}

// A book whose wall clock is 2026-12-07 00:00 Shanghai plus `elapsed` on the
// steady clock since t0, so steady and wall times agree.
struct Day {
  Clock::time_point t0 = Clock::now();
  std::int64_t wall_ns = kDayStartNs;
  SandboxBook book;
  explicit Day(SandboxFaults f) : book(1, f, [this] { return wall_ns; }) {}
  // The steady time of `ms` after 00:00 on 2026-12-07; sets the wall clock to it.
  Clock::time_point At(std::int64_t ms) {
    wall_ns = kDayStartNs + ms * kMsNs;
    return t0 + milliseconds(ms);
  }
};

SandboxFaults PaidAfter100ms() {
  SandboxFaults f;
  f.fail_permille = 0;
  f.pay_after = milliseconds(100);
  return f;
}

// Payments on 12-07 and 12-08, a refund on each day of the same payment (the
// second completes it), and a WeChat Pay trade the Alipay bill leaves out.
void Fill(Day& d) {
  for (const char* no : {"p-b", "p-a"}) {
    const Money amount = std::string(no) == "p-b" ? Cny(10000) : Cny(2000);
    REQUIRE(d.book.Create(Gateway::kAlipay, no, amount, "", d.At(10 * kHourMs)).ok());
  }
  REQUIRE(d.book.Create(Gateway::kWechatPay, "w-1", Cny(500), "", d.At(10 * kHourMs)).ok());
  REQUIRE(d.book.Refund(Gateway::kAlipay, "p-b", "r1", Cny(3333), d.At(12 * kHourMs)).ok());
  // Created 50 ms before midnight: paid 50 ms after it, on 12-08.
  REQUIRE(d.book.Create(Gateway::kAlipay, "p-c", Cny(5000), "", d.At(24 * kHourMs - 50)).ok());
  REQUIRE(d.book.Refund(Gateway::kAlipay, "p-b", "r2", Cny(6667), d.At(33 * kHourMs)).ok());
}

SandboxBillRequest Request(Gateway g, domain::CivilDate day, bool extra = false) {
  SandboxBillRequest r;
  r.gateway = g;
  r.day = day;
  r.account = "2021000100000001";
  r.extra_row = extra;
  return r;
}

TEST_CASE("sandbox bill: a date is YYYY-MM-DD of a real day") {
  const auto d = ParseBillDate("2026-12-07");
  REQUIRE(d.has_value());
  CHECK(d->year == 2026);
  CHECK(d->month == 12);
  CHECK(d->day == 7);
  CHECK(ParseBillDate("2024-02-29").has_value());
  CHECK(ParseBillDate("1970-01-01").has_value());
  CHECK(ParseBillDate("2261-12-31").has_value());
  for (const char* bad : {"", "2026-02-29", "2026-13-01", "2026-00-10", "2026-12-00", "2026-04-31",
                          "2026-12-7", "2026/12/07", "2026-12-07x", " 2026-12-07", "20261207",
                          "1969-12-31", "2262-01-01", "abcd-ef-gh", "2026-1a-07", "+026-12-07"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseBillDate(bad).has_value());
  }
}

TEST_CASE("sandbox bill: the day's payments and refunds with the fees the ledger expects") {
  Day d(PaidAfter100ms());
  Fill(d);
  const auto trades = d.book.SettledTrades(Gateway::kAlipay, d.At(34 * kHourMs));
  const std::string bill = SandboxBill(Request(Gateway::kAlipay, {2026, 12, 7}), trades);
  const Parsed p = Parse(statements::Source::kAlipay, bill);
  CHECK(p.header.period_start_ns == kDayStartNs);
  CHECK(p.header.period_end_ns == kDayStartNs + kDayNs);
  CHECK(p.header.account == "2021000100000001");
  REQUIRE(p.lines.size() == 3);
  // Paid at the same time: by out_trade_no.
  const auto& a = p.lines[0];
  CHECK(a.order_ref == "p-a");
  CHECK(a.reference == SandboxTxnId(SandboxPayment{Gateway::kAlipay, "p-a", Cny(2000), ""}));
  CHECK_FALSE(a.is_refund);
  CHECK(S(a.amount) == "20.00");
  CHECK(S(a.fee) == "0.12");  // 0.6%
  CHECK(a.booked_at_ns == Seconds(kDayStartNs + (10 * kHourMs + 100) * kMsNs));
  const auto& b = p.lines[1];
  CHECK(b.order_ref == "p-b");
  CHECK(S(b.amount) == "100.00");
  CHECK(S(b.fee) == "0.60");
  const auto& r1 = p.lines[2];
  CHECK(r1.is_refund);
  CHECK(r1.is_debit);
  CHECK(r1.reference == SandboxRefundId(Gateway::kAlipay, "r1"));
  CHECK(r1.original_ref == b.reference);
  CHECK(S(r1.amount) == "33.33");
  CHECK(S(r1.fee) == "0.20");  // 0.60 * 33.33 / 100 = 0.19998, half-up
  CHECK(r1.booked_at_ns == kDayStartNs + 12 * kHourMs * kMsNs);
  for (const auto& c : p.header.checks) CHECK_MESSAGE(c.consistent, c.note);
}

TEST_CASE("sandbox bill: the next day has the trade paid after midnight and the rest of the fee") {
  Day d(PaidAfter100ms());
  Fill(d);
  const auto trades = d.book.SettledTrades(Gateway::kAlipay, d.At(34 * kHourMs));
  const Parsed p = Parse(statements::Source::kAlipay,
                         SandboxBill(Request(Gateway::kAlipay, {2026, 12, 8}), trades));
  REQUIRE(p.lines.size() == 2);
  CHECK(p.lines[0].order_ref == "p-c");
  CHECK(p.lines[0].booked_at_ns == kDayStartNs + kDayNs);  // 00:00:00.050, to the second
  CHECK(S(p.lines[0].fee) == "0.30");
  CHECK(p.lines[1].reference == SandboxRefundId(Gateway::kAlipay, "r2"));
  CHECK(S(p.lines[1].amount) == "66.67");
  CHECK(S(p.lines[1].fee) == "0.40");  // the refund that completes it gets the rest
  // The day before: an empty bill, still one the parser reads.
  CHECK(Parse(statements::Source::kAlipay,
              SandboxBill(Request(Gateway::kAlipay, {2026, 12, 6}), trades))
            .lines.empty());
}

TEST_CASE("sandbox bill: WeChat Pay's layout carries the refund number and its own trades only") {
  Day d(PaidAfter100ms());
  Fill(d);
  REQUIRE(d.book.Refund(Gateway::kWechatPay, "w-1", "wr1", Cny(100), d.At(13 * kHourMs)).ok());
  const auto trades = d.book.SettledTrades(Gateway::kWechatPay, d.At(34 * kHourMs));
  const Parsed p = Parse(statements::Source::kWechatPay,
                         SandboxBill(Request(Gateway::kWechatPay, {2026, 12, 7}), trades));
  REQUIRE(p.lines.size() == 2);
  CHECK(p.lines[0].order_ref == "w-1");
  CHECK(p.lines[0].status == "SUCCESS");
  CHECK(S(p.lines[0].amount) == "5.00");
  CHECK(S(p.lines[0].fee) == "0.03");
  CHECK(p.lines[1].is_refund);
  CHECK(p.lines[1].order_ref == "wr1");
  CHECK(p.lines[1].reference == SandboxRefundId(Gateway::kWechatPay, "wr1"));
  CHECK(p.lines[1].original_ref == p.lines[0].reference);
  CHECK(S(p.lines[1].fee) == "0.01");  // 0.03 * 1.00 / 5.00 = 0.006, half-up
  for (const auto& c : p.header.checks) CHECK_MESSAGE(c.consistent, c.note);
}

TEST_CASE("sandbox bill: the extra row is one 1.00 CNY payment at the start of the day") {
  Day d(PaidAfter100ms());
  Fill(d);
  const auto trades = d.book.SettledTrades(Gateway::kAlipay, d.At(34 * kHourMs));
  const auto plain = SandboxBillRows(Request(Gateway::kAlipay, {2026, 12, 7}), trades);
  const auto extra = SandboxBillRows(Request(Gateway::kAlipay, {2026, 12, 7}, true), trades);
  REQUIRE(extra.size() == plain.size() + 1);
  CHECK(extra[0].reference == "SANDBOX-EXTRA-2026-12-07");
  CHECK(extra[0].order_ref == "sandbox-extra");
  CHECK(S(extra[0].amount) == "1.00");
  CHECK(S(extra[0].fee) == "0.01");
  CHECK(extra[0].booked_at_ns == kDayStartNs);
  for (std::size_t i = 0; i < plain.size(); ++i)
    CHECK(extra[i + 1].reference == plain[i].reference);
  // Same book, same day: same bytes.
  const auto req = Request(Gateway::kAlipay, {2026, 12, 7}, true);
  CHECK(SandboxBill(req, trades) ==
        SandboxBill(req, d.book.SettledTrades(Gateway::kAlipay, d.At(35 * kHourMs))));
}

TEST_CASE("sandbox bill: UnionPay's INN file carries queryIds, its fees and the extra row") {
  Day d(PaidAfter100ms());
  REQUIRE(d.book.Create(Gateway::kUnionPay, "UPPAY0001", Cny(10000), "", d.At(10 * kHourMs)).ok());
  REQUIRE(d.book.Create(Gateway::kUnionPay, "UPPAY0002", Cny(5000), "", d.At(11 * kHourMs)).ok());
  Fill(d);  // Alipay and WeChat Pay trades: not in UnionPay's file
  REQUIRE(d.book.Refund(Gateway::kUnionPay, "UPPAY0001", "UPRF0001", Cny(4000), d.At(13 * kHourMs))
              .ok());
  const auto trades = d.book.SettledTrades(Gateway::kUnionPay, d.At(14 * kHourMs));
  REQUIRE(BillSource(Gateway::kUnionPay) == statements::Source::kUnionPay);
  SandboxBillRequest req = Request(Gateway::kUnionPay, {2026, 12, 7}, true);
  req.account = "777290058110048";
  const std::string file = SandboxBill(req, trades);
  std::istringstream in(file);
  statements::ParseOptions opts;
  opts.file_name = "INN26120701ACOMN";
  std::vector<statements::Line> lines;
  auto h = statements::ParseStatement(
      statements::Source::kUnionPay, in,
      [&](const statements::Line& l) {
        lines.push_back(l);
        return OkStatus();
      },
      opts);
  REQUIRE_MESSAGE(h.ok(), h.status().ToString());
  CHECK(h->account == "777290058110048");
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].reference == "SANDBOXEXTRA20261207");
  CHECK(lines[0].order_ref == "sandboxextra");
  CHECK(lines[0].booked_at_ns == kDayStartNs);
  CHECK(S(lines[0].fee) == "0.01");  // 0.55% of 1.00, at least 0.01
  CHECK(lines[1].order_ref == "UPPAY0001");
  CHECK(lines[1].status == "S22");
  CHECK(lines[1].reference.size() == 21);
  CHECK(S(lines[1].amount) == "100.00");
  CHECK(S(lines[1].fee) == "0.55");
  CHECK(lines[1].booked_at_ns == Seconds(kDayStartNs + (10 * kHourMs + 100) * kMsNs));
  CHECK(lines[2].order_ref == "UPPAY0002");
  CHECK(S(lines[2].fee) == "0.28");  // 0.275, half-up
  CHECK(lines[3].is_refund);
  CHECK(lines[3].status == "S30");
  CHECK(lines[3].order_ref == "UPRF0001");
  CHECK(lines[3].reference == SandboxRefundId(Gateway::kUnionPay, "UPRF0001"));
  CHECK(lines[3].original_ref == lines[1].reference);
  CHECK(S(lines[3].fee) == "0.22");  // 0.55 * 40 / 100
}

}  // namespace
}  // namespace folio::gateways
