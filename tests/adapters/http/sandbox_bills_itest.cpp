// The sandbox's daily trade bills over HTTP: payments made through Folio to
// the in-process sandbox, refunded, then the day's bills fetched where the
// gateways' bill calls point and read back by Folio's statement parsers — the
// rows the ledger recorded, with the fees it expects, so a reconciliation of
// them finds nothing; and the extra row when the fault asks for it.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "adapters/gateways/crypto.h"
#include "adapters/reconciliation/ledger_items.h"
#include "adapters/reconciliation/matcher.h"
#include "adapters/statements/statement.h"
#include "engine/recon/recon.h"
#include "tests/adapters/http/gateway_calls_harness.h"

namespace folio {
namespace {

using namespace folio::testing;
using std::chrono::milliseconds;
namespace st = statements;

// 2026-12-07 00:00:00 in Shanghai. The sandbox's wall clock starts at 09:00
// that day, so "today" is the same whenever the test runs.
constexpr std::int64_t kDayStartNs = 1'796'572'800'000'000'000;
constexpr std::int64_t kNineHoursNs = 9LL * 3600 * 1'000'000'000;
constexpr const char* kToday = "2026-12-07";
constexpr const char* kYesterday = "2026-12-06";

struct Payment {
  std::string id, method, amount;
};
const Payment kPayments[] = {{"BILL10000001", "alipay", "12.34"},
                             {"BILL10000002", "wechat_pay", "56.78"},
                             {"BILL10000003", "alipay", "90.12"},
                             {"BILL10000004", "wechat_pay", "34.56"}};
// One refund per gateway: part of an Alipay payment, all of a WeChat Pay one.
struct Refund {
  std::string id, payment_id, amount;
};
const Refund kRefunds[] = {{"BILLREF1", "BILL10000003", "30.05"},
                           {"BILLREF2", "BILL10000004", "34.56"}};

http::SandboxServerOptions FixedDayOptions() {
  http::SandboxServerOptions so;
  so.faults.fail_permille = 0;
  so.faults.pay_after = milliseconds(50);
  so.faults.notify_retry = milliseconds(20);
  const auto start = std::chrono::steady_clock::now();
  so.wall_clock = [start] {
    return kDayStartNs + kNineHoursNs +
           std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                start)
               .count();
  };
  return so;
}

void PayAndRefund(GatewayLedger& l) {
  for (const Payment& p : kPayments) {
    PostCreated(l, "/v1/payments",
                {{"payment_id", p.id},
                 {"customer_id", "c-bills"},
                 {"order_id", "order-" + p.id},
                 {"method", p.method},
                 {"amount", p.amount},
                 {"currency", "CNY"}},
                "create-" + p.id);
  }
  REQUIRE(PollUntil(
      [&] {
        for (const Payment& p : kPayments) {
          auto s = l.Payment(p.id);
          if (!s || s->status != domain::PaymentStatus::kSettled) return false;
        }
        return true;
      },
      std::chrono::seconds(30)));
  for (const Refund& r : kRefunds) {
    PostCreated(l, "/v1/refunds",
                {{"refund_id", r.id},
                 {"payment_id", r.payment_id},
                 {"amount", r.amount},
                 {"currency", "CNY"}},
                "refund-" + r.id);
  }
  REQUIRE(PollUntil(
      [&] {
        for (const Refund& r : kRefunds) {
          auto s = l.Refund(r.id);
          if (!s || s->status != domain::RefundStatus::kSucceeded) return false;
        }
        return true;
      },
      std::chrono::seconds(30)));
}

http::HttpClient SandboxClient(const InProcessSandbox& sandbox) {
  auto c = http::HttpClient::Connect("127.0.0.1", sandbox->port());
  REQUIRE(c.ok());
  return std::move(*c);
}

http::ClientResponse Get(const InProcessSandbox& sandbox, const std::string& target) {
  auto r = SandboxClient(sandbox).Send("GET", target);
  REQUIRE(r.ok());
  return *r;
}

std::string Download(const InProcessSandbox& sandbox, const std::string& gateway,
                     const std::string& date) {
  const auto r = Get(sandbox, "/sandbox/bills/" + gateway + "/" + date);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.body;
}

struct Bill {
  st::Header header;
  std::vector<st::Line> lines;
};

Bill Parse(st::Source source, const std::string& bytes) {
  std::istringstream in(bytes);
  Bill b;
  auto h = st::ParseStatement(source, in, [&](const st::Line& l) {
    b.lines.push_back(l);
    return OkStatus();
  });
  REQUIRE_MESSAGE(h.ok(), h.status().ToString());
  b.header = *h;
  for (const auto& c : b.header.checks) CHECK_MESSAGE(c.consistent, c.note);
  return b;
}

// What a bill line says, to compare as a whole (and print when it differs):
// "payment|refund reference order_ref original_ref amount fee".
using Row = std::string;
Row MakeRow(bool refund, const std::string& reference, const std::string& order_ref,
            const std::string& original_ref, const std::string& amount, const std::string& fee) {
  return std::string(refund ? "refund " : "payment ") + reference + " " + order_ref + " " +
         original_ref + " " + amount + " " + fee;
}

// One row a line, sorted: a whole bill as one printable value.
std::string Join(std::vector<Row> rows) {
  std::sort(rows.begin(), rows.end());
  std::string out;
  for (const Row& r : rows) out += r + "\n";
  return out;
}

std::vector<Row> Rows(const Bill& b) {
  std::vector<Row> out;
  for (const st::Line& l : b.lines) {
    out.push_back(MakeRow(l.is_refund, l.reference, l.order_ref, l.original_ref,
                          l.amount.ToString(), l.fee.ToString()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The rows the ledger expects of a gateway's bill: its settled payments and
// its refunds, with the amounts and fees the ledger recorded (payments) and
// expects back (refunds), read from Folio's log. A refund's reference is the
// gateway's refund id as the sandbox made it: Folio records Alipay's trade_no
// there (Alipay's refund answer names no refund id), so an Alipay refund row
// is matched by its refund number instead.
std::vector<Row> LedgerRows(const GatewayLedger& l, const InProcessSandbox& sandbox,
                            gateways::Gateway g, reconciliation::LedgerScope scope) {
  auto snap = reconciliation::ReadLedgerItems(*l.engine.store, scope);
  REQUIRE(snap.ok());
  std::map<std::string, std::string> txn_of;  // payment id -> gateway txn id
  for (const auto& it : snap->items) {
    if (it.kind == reconciliation::ItemKind::kPayment) txn_of[it.id] = it.gateway_ref;
  }
  std::vector<Row> out;
  for (const auto& it : snap->items) {
    REQUIRE(it.status == reconciliation::ItemStatus::kSettled);
    if (it.kind == reconciliation::ItemKind::kPayment) {
      out.push_back(
          MakeRow(false, it.gateway_ref, it.id, "", it.amount.ToString(), it.fee.ToString()));
      continue;
    }
    const Refund* refund = nullptr;
    for (const Refund& r : kRefunds) {
      if (r.id == it.id) refund = &r;
    }
    REQUIRE(refund != nullptr);
    auto made = sandbox->book().GetRefund(g, refund->payment_id, refund->id);
    REQUIRE(made.ok());
    if (g == gateways::Gateway::kWechatPay) CHECK(made->gateway_refund_id == it.gateway_ref);
    out.push_back(MakeRow(true, made->gateway_refund_id, it.id, txn_of.at(refund->payment_id),
                          it.amount.ToString(), it.fee.ToString()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Reconciles the bill against Folio's ledger (no period: the sandbox's clock
// is not the ledger's); returns the discrepancies' kinds and statement refs.
std::vector<std::pair<std::string, std::string>> Discrepancies(const GatewayLedger& l,
                                                               reconciliation::LedgerScope scope,
                                                               const Bill& b) {
  auto snap = reconciliation::ReadLedgerItems(*l.engine.store, scope);
  REQUIRE(snap.ok());
  reconciliation::Matcher m(&snap->items, reconciliation::MatchOptions{});
  for (const st::Line& line : b.lines) m.Add(line);
  m.Finish();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& d : m.discrepancies()) {
    out.emplace_back(std::string(recon::DiscrepancyKindName(d.kind)), d.statement_ref);
  }
  return out;
}

http::PaymentGateway& Client(GatewayLedger& l, gateways::Gateway g) {
  http::PaymentGateway* found = l.wiring.ClientFor(g);
  REQUIRE(found != nullptr);
  return *found;
}

// Payments and refunds learned by notification; the poller as a back-stop.
http::DispatcherOptions Polling() {
  http::DispatcherOptions d;
  d.poll_after = milliseconds(300);
  d.poll_every = milliseconds(300);
  d.tick = milliseconds(20);
  return d;
}

struct Case {
  gateways::Gateway gateway;
  std::string name;
  st::Source source;
  reconciliation::LedgerScope scope;
};
const Case kCases[] = {{gateways::Gateway::kAlipay, "alipay", st::Source::kAlipay,
                        reconciliation::LedgerScope::kAlipay},
                       {gateways::Gateway::kWechatPay, "wechatpay", st::Source::kWechatPay,
                        reconciliation::LedgerScope::kWechatPay}};

TEST_CASE("sandbox bills: today's bill holds the trades and refunds Folio recorded") {
  InProcessSandbox sandbox(FixedDayOptions());
  GatewayLedger l(sandbox.file, Polling());
  PayAndRefund(l);

  for (const Case& c : kCases) {
    CAPTURE(c.name);
    // Where the gateway's own bill call points, as Folio's client reads it.
    auto where = Client(l, c.gateway).TradeBill(kToday);
    REQUIRE_MESSAGE(where.ok(), where.status().ToString());
    const std::string path = "/sandbox/bills/" + c.name + "/" + kToday;
    CHECK(where->download_url == sandbox->base_url() + path);
    const std::string bytes = Download(sandbox, c.name, kToday);
    if (c.gateway == gateways::Gateway::kWechatPay) {
      CHECK(where->hash_type == "SHA1");
      CHECK(where->hash_value == gateways::crypto::HexLower(gateways::crypto::Sha1(bytes)));
    }

    const Bill bill = Parse(c.source, bytes);
    if (c.gateway == gateways::Gateway::kAlipay) {  // WeChat Pay's layout names no period
      CHECK(bill.header.period_start_ns == kDayStartNs);
      CHECK(bill.header.period_end_ns == kDayStartNs + 24 * 3600 * 1'000'000'000LL);
    }
    // Two payments and one refund, each as the ledger has it.
    REQUIRE(bill.lines.size() == 3);
    CHECK(Join(Rows(bill)) == Join(LedgerRows(l, sandbox, c.gateway, c.scope)));
    for (const st::Line& line : bill.lines) {
      CHECK(line.booked_at_ns >= kDayStartNs + kNineHoursNs);
      CHECK(line.booked_at_ns < kDayStartNs + kNineHoursNs + 600'000'000'000LL);
    }
    // Payments in the order they were paid, the refund (made later) last.
    CHECK(std::is_sorted(
        bill.lines.begin(), bill.lines.end(),
        [](const st::Line& a, const st::Line& b) { return a.booked_at_ns < b.booked_at_ns; }));
    CHECK(bill.lines.back().is_refund);
    CHECK(Discrepancies(l, c.scope, bill).empty());

    // Asked again: the same bytes.
    CHECK(Download(sandbox, c.name, kToday) == bytes);

    // Yesterday: none of today's trades.
    const Bill before = Parse(c.source, Download(sandbox, c.name, kYesterday));
    CHECK(before.lines.empty());
    if (c.gateway == gateways::Gateway::kAlipay) CHECK(before.header.period_end_ns == kDayStartNs);
  }
}

TEST_CASE("sandbox bills: bill_extra_row adds one payment the reconciliation misses") {
  InProcessSandbox sandbox(FixedDayOptions());
  GatewayLedger l(sandbox.file, Polling());
  PayAndRefund(l);
  std::map<std::string, std::vector<Row>> plain;
  for (const Case& c : kCases)
    plain[c.name] = Rows(Parse(c.source, Download(sandbox, c.name, kToday)));

  // Switched on at the control endpoint, as a running sandbox would be.
  auto put = SandboxClient(sandbox).Send("PUT", "/sandbox/faults", R"({"bill_extra_row":true})");
  REQUIRE(put.ok());
  REQUIRE(put->status == 200);
  REQUIRE(sandbox->book().faults().bill_extra_row);

  for (const Case& c : kCases) {
    CAPTURE(c.name);
    const std::string bytes = Download(sandbox, c.name, kToday);
    const Bill bill = Parse(c.source, bytes);
    std::vector<Row> expected = plain[c.name];
    expected.push_back(
        MakeRow(false, "SANDBOX-EXTRA-2026-12-07", "sandbox-extra", "", "1.00", "0.01"));
    CHECK(Join(Rows(bill)) == Join(expected));
    const auto found = Discrepancies(l, c.scope, bill);
    REQUIRE(found.size() == 1);
    CHECK(found[0].first == "missing_in_ledger");
    CHECK(found[0].second == "SANDBOX-EXTRA-2026-12-07");
    CHECK(Download(sandbox, c.name, kToday) == bytes);
    // Yesterday's bill: the extra row alone, named for its day.
    const Bill before = Parse(c.source, Download(sandbox, c.name, kYesterday));
    REQUIRE(before.lines.size() == 1);
    CHECK(before.lines[0].reference == "SANDBOX-EXTRA-2026-12-06");
  }
}

TEST_CASE("sandbox bills: a malformed date is 404 and other routes are unchanged") {
  InProcessSandbox sandbox(FixedDayOptions());
  for (const char* name : {"alipay", "wechatpay"}) {
    for (const char* date : {"2026-13-01", "2026-02-30", "20261207", "today", "", "2026-12-07/x"}) {
      CAPTURE(name);
      CAPTURE(date);
      CHECK(Get(sandbox, std::string("/sandbox/bills/") + name + "/" + date).status == 404);
    }
    CHECK(Get(sandbox, std::string("/sandbox/bills/") + name).status == 404);
  }
  CHECK(Get(sandbox, "/sandbox/bills/nowhere/2026-12-07").status == 404);
  const auto unionpay = Get(sandbox, "/sandbox/bills/unionpay/2026-12-07");
  CHECK(unionpay.status == 200);
  CHECK(unionpay.body.starts_with("out_trade_no,gateway_txn_id,amount_fen,state\n"));
}

TEST_CASE("sandbox bills: folio sandbox --bill-extra-row serves the extra row") {
  TempDir dir;
  for (const bool extra : {false, true}) {
    CAPTURE(extra);
    SandboxChild child(dir.str(), extra ? std::vector<std::string>{"--bill-extra-row"}
                                        : std::vector<std::string>{});
    auto c = http::HttpClient::Connect("127.0.0.1", child.port());
    REQUIRE(c.ok());
    for (const Case& k : kCases) {
      auto r = c->Send("GET", "/sandbox/bills/" + k.name + "/2026-12-05");
      REQUIRE(r.ok());
      REQUIRE(r->status == 200);
      const Bill bill = Parse(k.source, r->body);
      REQUIRE(bill.lines.size() == (extra ? 1u : 0u));
      if (extra) CHECK(bill.lines[0].reference == "SANDBOX-EXTRA-2026-12-05");
    }
  }
}

}  // namespace
}  // namespace folio
