// The trust ledger projection over a realistic history (cleared and uncleared
// deposits, disbursements, fee transfers, refunds to the client, a payment to
// trust, two clients, two assets) and over hostile input that drives matters
// negative: lines, running balances, totals, the general ledger, the negative
// check, as-of answers, determinism, codecs and JSON.
#include "projections/trust_ledger.h"

#include <doctest/doctest.h>

#include "tests/projections/trust_stats_events.h"

namespace folio::projections {
namespace {

using testing::M;
using testing::TestLog;
using testing::Utc;
using E = fb::Event;

// 2026-11-21 10:00 Shanghai, plus `minutes`.
std::int64_t At(std::int64_t minutes) { return Utc(2026, 11, 21, 2, minutes); }

void Deposit(TestLog& log, std::int64_t at, const char* id, const char* client, const char* matter,
             Money amount, const char* payer, const char* ref, bool cleared,
             fb::Method method = fb::Method::BankTransfer, const char* payment_id = "") {
  log.Add(E::TrustDepositRecorded, at, [&](flatbuffers::FlatBufferBuilder& b) {
    const fb::Money m = amount.ToFb();
    return fb::CreateTrustDepositRecordedDirect(b, id, client, matter, &m, method, ref, payer,
                                                payment_id, cleared)
        .Union();
  });
}
void Clear(TestLog& log, std::int64_t at, const char* id, const char* client, const char* matter,
           Money amount) {
  log.Add(E::TrustDepositCleared, at, [&](flatbuffers::FlatBufferBuilder& b) {
    const fb::Money m = amount.ToFb();
    return fb::CreateTrustDepositClearedDirect(b, id, client, matter, &m).Union();
  });
}
void Disburse(TestLog& log, std::int64_t at, const char* id, const char* client, const char* matter,
              Money amount, const char* payee, const char* purpose, const char* ref) {
  log.Add(E::TrustDisbursementRecorded, at, [&](flatbuffers::FlatBufferBuilder& b) {
    const fb::Money m = amount.ToFb();
    return fb::CreateTrustDisbursementRecordedDirect(b, id, client, matter, &m, payee, purpose, ref)
        .Union();
  });
}
void TransferFee(TestLog& log, std::int64_t at, const char* id, const char* client,
                 const char* matter, Money amount, const char* invoice) {
  log.Add(E::TrustFeeTransferred, at, [&](flatbuffers::FlatBufferBuilder& b) {
    const fb::Money m = amount.ToFb();
    return fb::CreateTrustFeeTransferredDirect(b, id, client, matter, &m, invoice).Union();
  });
}
void RefundClient(TestLog& log, std::int64_t at, const char* id, const char* client,
                  const char* matter, Money amount, const char* ref) {
  log.Add(E::TrustRefundedToClient, at, [&](flatbuffers::FlatBufferBuilder& b) {
    const fb::Money m = amount.ToFb();
    return fb::CreateTrustRefundedToClientDirect(b, id, client, matter, &m, ref).Union();
  });
}

// seq: 1 D1 cl1/m1 1000 cleared | 2 D2 cl1/m1 500 uncleared | 3 D3 cl1/m2 USD 200 |
// 4 X1 cl1/m1 300 | 5 clear D2 | 6 fee 700 | 7 D4 cl2/m1 50 (payment to trust) |
// 8 refund 100 | 9 PaymentCreated (not trust) | 10 D5 cl2/m1 10 uncleared (16:01 UTC:
// 00:01 the next Shanghai day) | 11 D6 cl10/m1 5 (a client id that extends "cl1")
TestLog History() {
  TestLog log;
  Deposit(log, At(0), "D1", "cl1", "m1", M("1000.00", "CNY"), "Acme Ltd", "wire-1", true);
  Deposit(log, At(1), "D2", "cl1", "m1", M("500.00", "CNY"), "Acme Ltd", "chq-7", false);
  Deposit(log, At(2), "D3", "cl1", "m2", M("200.00", "USD"), "Acme Inc", "wire-2", true);
  Disburse(log, At(3), "X1", "cl1", "m1", M("300.00", "CNY"), "Shanghai Court", "filing fee",
           "rcpt-1");
  Clear(log, At(4), "D2", "cl1", "m1", M("500.00", "CNY"));
  TransferFee(log, At(5), "F1", "cl1", "m1", M("700.00", "CNY"), "inv-1");
  Deposit(log, At(6), "payment:pay-9", "cl2", "m1", M("50.00", "CNY"), "cust-9", "gw-9", true,
          fb::Method::Alipay, "pay-9");
  RefundClient(log, At(7), "R1", "cl1", "m1", M("100.00", "CNY"), "ret-1");
  log.Add(E::PaymentCreated, At(8), [](flatbuffers::FlatBufferBuilder& b) {
    const fb::Money m = M("1.00", "CNY").ToFb();
    return fb::CreatePaymentCreatedDirect(b, "pay-x", "c", "o", "", fb::Method::Alipay, "", &m, &m)
        .Union();
  });
  Deposit(log, Utc(2026, 11, 21, 16, 1), "D5", "cl2", "m1", M("10.00", "CNY"), "Beta", "cash-1",
          false);
  Deposit(log, At(9), "D6", "cl10", "m1", M("5.00", "CNY"), "Gamma", "wire-3", true);
  return log;
}

std::string Amount(const TrustLine& l) { return AmountString(l.asset, l.amount_minor); }
std::string Running(const TrustLine& l) { return SignedString(l.asset, l.running_balance); }
std::string RunningCleared(const TrustLine& l) {
  return SignedString(l.asset, l.running_cleared_balance);
}

struct Built {
  TestLog log = History();
  MemoryStore store;
  TrustLedgerProjection projection;
  Built() { log.ApplyTo(projection, store); }
};

TEST_CASE("trust: matter ledger lines, kinds, running and cleared balances in seq order") {
  Built b;
  const std::vector<TrustLine> lines = MatterLedger(b.store, "cl1", "m1");
  REQUIRE(lines.size() == 6);
  struct Want {
    std::uint64_t seq;
    TrustLineKind kind;
    const char* amount;
    const char* running;
    const char* running_cleared;
    bool cleared;
  };
  const Want want[] = {
      {1, TrustLineKind::kDeposit, "1000.00", "1000.00", "1000.00", true},
      {2, TrustLineKind::kDeposit, "500.00", "1500.00", "1000.00", true},
      {4, TrustLineKind::kDisbursement, "300.00", "1200.00", "700.00", true},
      {5, TrustLineKind::kClearance, "500.00", "1200.00", "1200.00", true},
      {6, TrustLineKind::kFeeTransfer, "700.00", "500.00", "500.00", true},
      {8, TrustLineKind::kRefundToClient, "100.00", "400.00", "400.00", true},
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(i);
    CHECK(lines[i].seq == want[i].seq);
    CHECK(lines[i].kind == want[i].kind);
    CHECK(Amount(lines[i]) == want[i].amount);
    CHECK(Running(lines[i]) == want[i].running);
    CHECK(RunningCleared(lines[i]) == want[i].running_cleared);
    CHECK(lines[i].cleared == want[i].cleared);
    CHECK(lines[i].client_id == "cl1");
    CHECK(lines[i].matter_id == "m1");
    CHECK(lines[i].asset == Asset::CNY);
  }
  CHECK(lines[0].cleared_seq == 1);  // cleared on receipt
  CHECK(lines[1].cleared_seq == 5);  // cleared by the clearance line
  CHECK(lines[0].counterparty == "Acme Ltd");
  CHECK(lines[0].reference == "wire-1");
  CHECK(lines[2].counterparty == "Shanghai Court");
  CHECK(lines[2].purpose == "filing fee");
  CHECK(lines[2].reference == "rcpt-1");
  CHECK(lines[4].reference == "inv-1");
  CHECK(lines[5].counterparty == "cl1");
  CHECK(lines[0].date() == "2026-11-21");
}

TEST_CASE("trust: the Shanghai date and an uncleared deposit of a payment-to-trust client") {
  Built b;
  const std::vector<TrustLine> lines = MatterLedger(b.store, "cl2", "m1");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].method == fb::Method::Alipay);
  CHECK(lines[0].txn_id == "payment:pay-9");
  CHECK(lines[1].date() == "2026-11-22");  // 16:01 UTC is 00:01 next day in Shanghai
  CHECK_FALSE(lines[1].cleared);
  CHECK(Running(lines[1]) == "60.00");
  CHECK(RunningCleared(lines[1]) == "50.00");
}

TEST_CASE("trust: client ids that extend each other do not leak into each other's ledgers") {
  Built b;
  for (const TrustLine& l : ClientLedger(b.store, "cl1")) CHECK(l.client_id == "cl1");
  CHECK(ClientLedger(b.store, "cl1").size() == 7);
  CHECK(ClientLedger(b.store, "cl10").size() == 1);
  CHECK(MatterLedger(b.store, "cl", "1").empty());
  CHECK(ClientTotals(b.store, "cl10").size() == 1);
}

TEST_CASE("trust: matter and client totals per asset") {
  Built b;
  const std::vector<TrustTotals> m1 = MatterTotals(b.store, "cl1", "m1");
  REQUIRE(m1.size() == 1);
  CHECK(m1[0].asset == Asset::CNY);
  CHECK(m1[0].deposits_minor == 150000);
  CHECK(m1[0].cleared_minor == 150000);
  CHECK(m1[0].disbursements_minor == 30000);
  CHECK(m1[0].fee_transfers_minor == 70000);
  CHECK(m1[0].refunds_to_client_minor == 10000);
  CHECK(m1[0].balance == SignedMinor{false, 40000});
  CHECK(m1[0].cleared_balance == SignedMinor{false, 40000});
  CHECK(m1[0].line_count == 6);
  CHECK(m1[0].last_seq == 8);

  const std::vector<TrustTotals> c1 = ClientTotals(b.store, "cl1");
  REQUIRE(c1.size() == 2);  // CNY (1) before USD (2)
  CHECK(c1[0].asset == Asset::CNY);
  CHECK(c1[0].matter_id.empty());
  CHECK(c1[0].balance == SignedMinor{false, 40000});
  CHECK(c1[1].asset == Asset::USD);
  CHECK(c1[1].balance == SignedMinor{false, 20000});
  CHECK(c1[1].line_count == 1);
  CHECK(c1[0].last_seq == 8);
}

TEST_CASE("trust: the general ledger has every bank:trust movement with a running total") {
  Built b;
  const std::vector<TrustGlLine> gl = TrustGeneralLedger(b.store);
  std::vector<std::uint64_t> seqs;
  std::vector<std::string> running;
  for (const TrustGlLine& g : gl) {
    seqs.push_back(g.seq);
    if (g.asset == Asset::CNY) running.push_back(SignedString(g.asset, g.bank_trust_balance));
  }
  CHECK(seqs == std::vector<std::uint64_t>{1, 2, 3, 4, 6, 7, 8, 10, 11});
  CHECK(running == std::vector<std::string>{"1000.00", "1500.00", "1200.00", "500.00", "550.00",
                                            "450.00", "460.00", "465.00"});
  CHECK(gl[2].asset == Asset::USD);
  CHECK(gl[2].client_id == "cl1");
  CHECK(gl[2].matter_id == "m2");
  // bank:trust equals the sum of all matter balances.
  u128 matters = 0;
  for (const char* c : {"cl1", "cl2", "cl10"}) {
    for (const TrustTotals& t : ClientTotals(b.store, c)) {
      if (t.asset == Asset::CNY) matters += t.balance.magnitude;
    }
  }
  CHECK(matters == 46500);
  // Paging bounds: a window and a limit.
  CHECK(TrustGeneralLedger(b.store, 4, 7).size() == 3);
  CHECK(TrustGeneralLedger(b.store, 0, std::nullopt, 2).size() == 2);
}

TEST_CASE("trust: as-of answers use lines with seq <= N and clearances up to N") {
  Built b;
  const std::vector<TrustLine> lines = MatterLedger(b.store, "cl1", "m1", 4);
  REQUIRE(lines.size() == 3);
  CHECK(lines[1].seq == 2);
  CHECK_FALSE(lines[1].cleared);  // cleared at seq 5
  CHECK(lines[1].cleared_seq == 0);
  CHECK(MatterLedger(b.store, "cl1", "m1", 5)[1].cleared);

  const std::vector<TrustTotals> t = MatterTotals(b.store, "cl1", "m1", 4);
  REQUIRE(t.size() == 1);
  CHECK(t[0].balance == SignedMinor{false, 120000});
  CHECK(t[0].cleared_balance == SignedMinor{false, 70000});
  CHECK(t[0].cleared_minor == 100000);
  CHECK(t[0].last_seq == 4);
  CHECK(ClientTotals(b.store, "cl2", 6).empty());
  CHECK(TrustGeneralLedger(b.store, 0, 3).size() == 3);

  // As of the last event, recomputed totals equal the stored ones.
  for (const char* c : {"cl1", "cl2", "cl10"}) {
    CAPTURE(c);
    CHECK(ClientTotals(b.store, c, b.log.last_seq()) == ClientTotals(b.store, c));
  }
  CHECK(MatterTotals(b.store, "cl1", "m2", b.log.last_seq()) == MatterTotals(b.store, "cl1", "m2"));
}

TEST_CASE("trust: an as-of answer equals a rebuild that stops at that sequence") {
  Built full;
  for (std::uint64_t n = 1; n <= full.log.last_seq(); ++n) {
    CAPTURE(n);
    MemoryStore partial;
    TrustLedgerProjection p;
    full.log.ApplyTo(p, partial, 1, n);
    for (const char* c : {"cl1", "cl2", "cl10"}) {
      CHECK(ClientTotals(full.store, c, n) == ClientTotals(partial, c));
      const auto a = ClientLedger(full.store, c, n), want = ClientLedger(partial, c);
      REQUIRE(a.size() == want.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(EncodeTrustLine(a[i]) == EncodeTrustLine(want[i]));
        CHECK(a[i].cleared == want[i].cleared);
      }
    }
    CHECK(TrustGeneralLedgerJson(TrustGeneralLedger(full.store, 0, n)) ==
          TrustGeneralLedgerJson(TrustGeneralLedger(partial)));
  }
}

TEST_CASE("trust: two applications give identical bytes, a split application too") {
  Built a, b;
  CHECK(a.store.map() == b.store.map());
  MemoryStore split;
  TrustLedgerProjection p;
  a.log.ApplyTo(p, split, 1, 5);
  a.log.ApplyTo(p, split, 6);
  CHECK(split.map() == a.store.map());
  CHECK(!a.store.map().empty());
}

TEST_CASE("trust: hostile input makes matters negative, the check reports, nothing crashes") {
  TestLog log;
  Disburse(log, At(0), "X9", "cl3", "m9", M("10.00", "CNY"), "Mallory", "", "");  // no deposit
  Deposit(log, At(1), "D9", "cl3", "m9", M("5.00", "CNY"), "Bob", "", false);
  Clear(log, At(2), "nope", "cl4", "m1", M("7.00", "CNY"));  // unknown deposit
  log.Add(E::TrustFeeTransferred, At(3), [](flatbuffers::FlatBufferBuilder& b) {
    const fb::Money m = Money(Asset::Unknown, 3).ToFb();  // no ids, unknown asset
    return fb::CreateTrustFeeTransferred(b, 0, 0, 0, &m).Union();
  });
  log.Add(E::TrustRefundedToClient, At(4), [](flatbuffers::FlatBufferBuilder& b) {
    return fb::CreateTrustRefundedToClient(b).Union();
  });
  Deposit(log, At(5), "D10", "cl3", "m9", M("20.00", "CNY"), "Bob", "", true);

  MemoryStore store;
  TrustLedgerProjection p;
  log.ApplyTo(p, store, 1, 2);
  std::vector<TrustTotals> neg = NegativeMatters(store);
  REQUIRE(neg.size() == 1);
  CHECK(neg[0].client_id == "cl3");
  CHECK(neg[0].matter_id == "m9");
  CHECK(neg[0].balance == SignedMinor{true, 500});
  CHECK(neg[0].cleared_balance == SignedMinor{true, 1000});
  CHECK(TrustTotalsJson(neg).find("\"balance\":\"-5.00\"") != std::string::npos);

  log.ApplyTo(p, store, 3);
  neg = NegativeMatters(store);
  REQUIRE(neg.size() == 1);  // cl3/m9 recovered; the fee of nobody is negative
  CHECK(neg[0].client_id.empty());
  CHECK(neg[0].asset == Asset::Unknown);
  CHECK(neg[0].balance == SignedMinor{true, 3});
  CHECK(TrustTotalsJson(neg).find("\"balance\":\"-3\"") != std::string::npos);
  CHECK(MatterLedger(store, "cl3", "m9").back().running_balance == SignedMinor{false, 1500});
  CHECK(MatterLedger(store, "cl3", "m9").back().running_cleared_balance ==
        SignedMinor{false, 1000});
  CHECK(MatterLedger(store, "cl4", "m1").at(0).kind == TrustLineKind::kClearance);

  // As of seq 2 the check is recomputed from lines and agrees with what it said then.
  const std::vector<TrustTotals> then = NegativeMatters(store, 2);
  REQUIRE(then.size() == 1);
  CHECK(then[0].balance == SignedMinor{true, 500});
  CHECK(NegativeMatters(store, 0).empty());
  // The refund with no fields at all is a zero line of an empty matter.
  CHECK(MatterLedger(store, "", "").size() == 2);
}

TEST_CASE("trust: ids with NUL bytes stay apart in keys") {
  TestLog log;
  const std::string a("a\0b", 3), c("a", 1), m("\0b", 2);
  log.Add(E::TrustDepositRecorded, At(0), [&](flatbuffers::FlatBufferBuilder& b) {
    const fb::Money money = M("1.00", "CNY").ToFb();
    return fb::CreateTrustDepositRecorded(b, b.CreateString("d1"), b.CreateString(a),
                                          b.CreateString("m"), &money)
        .Union();
  });
  log.Add(E::TrustDepositRecorded, At(1), [&](flatbuffers::FlatBufferBuilder& b) {
    const fb::Money money = M("2.00", "CNY").ToFb();
    return fb::CreateTrustDepositRecorded(b, b.CreateString("d2"), b.CreateString(c),
                                          b.CreateString(m), &money)
        .Union();
  });
  MemoryStore store;
  TrustLedgerProjection p;
  log.ApplyTo(p, store);
  REQUIRE(ClientLedger(store, a).size() == 1);
  CHECK(ClientLedger(store, a)[0].amount_minor == 100);
  REQUIRE(ClientLedger(store, c).size() == 1);
  CHECK(ClientLedger(store, c)[0].matter_id == m);
  CHECK(MatterLedger(store, c, m).size() == 1);
}

TEST_CASE("trust: row codecs round-trip and reject every truncation and bad bytes") {
  Built b;
  const TrustLine line = MatterLedger(b.store, "cl1", "m1")[2];
  const std::string row = EncodeTrustLine(line);
  const std::optional<TrustLine> back = DecodeTrustLine(row);
  REQUIRE(back);
  CHECK(EncodeTrustLine(*back) == row);
  CHECK(back->purpose == "filing fee");
  for (std::size_t n = 0; n < row.size(); ++n) CHECK_FALSE(DecodeTrustLine(row.substr(0, n)));
  CHECK_FALSE(DecodeTrustLine(row + "x"));
  std::string bad_kind = row;
  bad_kind[16] = 9;  // kind follows seq and occurred_at
  CHECK_FALSE(DecodeTrustLine(bad_kind));

  const std::string totals = EncodeTrustTotals(MatterTotals(b.store, "cl1", "m1")[0]);
  REQUIRE(DecodeTrustTotals(totals));
  for (std::size_t n = 0; n < totals.size(); ++n)
    CHECK_FALSE(DecodeTrustTotals(totals.substr(0, n)));
}

TEST_CASE("trust: JSON answer, fixed key order") {
  TestLog log;
  Deposit(log, At(0), "D1", "cl1", "m1", M("1000.00", "CNY"), "Acme \"Ltd\"", "wire-1", false);
  Disburse(log, At(1), "X1", "cl1", "m1", M("1200.50", "CNY"), "Court", "filing", "r-1");
  MemoryStore store;
  TrustLedgerProjection p;
  log.ApplyTo(p, store);
  const std::string json = TrustLedgerJson("cl1", "m1", MatterLedger(store, "cl1", "m1"),
                                           MatterTotals(store, "cl1", "m1"), std::nullopt);
  CHECK(json ==
        "{\"client\":\"cl1\",\"matter\":\"m1\",\"as_of_seq\":null,\"lines\":["
        "{\"seq\":1,\"date\":\"2026-11-21\",\"matter\":\"m1\",\"reference\":\"wire-1\","
        "\"counterparty\":\"Acme \\\"Ltd\\\"\",\"purpose\":\"\",\"kind\":\"deposit\","
        "\"txn_id\":\"D1\",\"asset\":\"CNY\",\"amount\":\"1000.00\","
        "\"running_balance\":\"1000.00\",\"cleared\":false,\"running_cleared_balance\":\"0.00\"},"
        "{\"seq\":2,\"date\":\"2026-11-21\",\"matter\":\"m1\",\"reference\":\"r-1\","
        "\"counterparty\":\"Court\",\"purpose\":\"filing\",\"kind\":\"disbursement\","
        "\"txn_id\":\"X1\",\"asset\":\"CNY\",\"amount\":\"1200.50\","
        "\"running_balance\":\"-200.50\",\"cleared\":true,"
        "\"running_cleared_balance\":\"-1200.50\"}],"
        "\"totals\":[{\"client\":\"cl1\",\"matter\":\"m1\",\"asset\":\"CNY\","
        "\"deposits\":\"1000.00\",\"cleared\":\"0.00\",\"disbursements\":\"1200.50\","
        "\"fee_transfers\":\"0.00\",\"refunds_to_client\":\"0.00\",\"balance\":\"-200.50\","
        "\"cleared_balance\":\"-1200.50\",\"lines\":2,\"last_seq\":2}]}");
}

}  // namespace
}  // namespace folio::projections
