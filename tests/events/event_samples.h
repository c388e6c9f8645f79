// One sample payload per member of fb::Event, every field set, with the
// strings each one writes and the rendering of one of its Money fields: the
// fixture of the event JSON tests (tests/events/json_test.cpp).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <flatbuffers/flatbuffers.h>

#include "events/envelope.h"
#include "events/money.h"

namespace folio::testing {

// Builds one payload and records every string it writes.
struct PayloadCtx {
  flatbuffers::FlatBufferBuilder& b;
  std::vector<std::string>& strings;

  flatbuffers::Offset<flatbuffers::String> S(std::string text) {
    strings.push_back(text);
    return b.CreateString(text);
  }
};

inline fb::Money M(Asset asset, u128 minor) { return Money(asset, minor).ToFb(); }

struct Sample {
  flatbuffers::Offset<void> (*build)(PayloadCtx&);
  // A Money field of the payload (JSON pointer under the envelope) and its rendering.
  const char* money_pointer;
  const char* amount;
  const char* currency;
};

// One sample per member of fb::Event. Every field is set; the decimal strings
// are written out by hand, not computed with Money::ToString.
inline const std::map<fb::Event, Sample>& Samples() {
  using E = fb::Event;
  static const std::map<fb::Event, Sample> samples = {
      {E::PaymentCreated,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::CNY, 123456);
          auto fee = M(Asset::CNY, 741);
          return fb::CreatePaymentCreated(c.b, c.S("pay-001"), c.S("cust-张三"), c.S("order-77"),
                                          c.S("inv-9"), fb::Method::Alipay, c.S("none"), &amount,
                                          &fee, fb::Destination::Trust, c.S("client-1"),
                                          c.S("matter-2"), 1'800'000'000'000'000'000,
                                          1'790'000'000'000'000'000, c.S("年费 2026 \"会员\""))
              .Union();
        },
        "/event/amount", "1234.56", "CNY"}},
      {E::PaymentBecameDue,
       {[](PayloadCtx& c) { return fb::CreatePaymentBecameDue(c.b, c.S("pay-002")).Union(); },
        nullptr, nullptr, nullptr}},
      {E::PaymentPendingAtGateway,
       {[](PayloadCtx& c) {
          return fb::CreatePaymentPendingAtGateway(c.b, c.S("pay-003"), c.S("2026112122001"),
                                                   c.S("https://qr.alipay.com/bax0?x=1&y=2"))
              .Union();
        },
        nullptr, nullptr, nullptr}},
      {E::CryptoConfirmationsObserved,
       {[](PayloadCtx& c) {
          return fb::CreateCryptoConfirmationsObserved(c.b, c.S("pay-004"), c.S("0xabc123"), 12, 19,
                                                       18'446'744'073'709'551'615ULL)
              .Union();
        },
        nullptr, nullptr, nullptr}},
      {E::PaymentSettled,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::USDT, 1'500'000);
          auto gateway_fee = M(Asset::USDT, 1);
          auto fee = M(Asset::USDT, 0);
          return fb::CreatePaymentSettled(c.b, c.S("pay-005"), c.S("txn-5"), &amount, &gateway_fee,
                                          &fee, fb::Method::UsdtTrc20, fb::Destination::Trust,
                                          c.S("cust-5"), c.S("order-5"))
              .Union();
        },
        "/event/amount", "1.500000", "USDT"}},
      {E::PaymentFailed,
       {[](PayloadCtx& c) {
          return fb::CreatePaymentFailed(c.b, c.S("pay-006"), c.S("余额不足"), c.S("ACQ.NO_FUNDS"))
              .Union();
        },
        nullptr, nullptr, nullptr}},
      {E::PaymentCancelled,
       {[](PayloadCtx& c) {
          return fb::CreatePaymentCancelled(c.b, c.S("pay-007"), c.S("customer asked")).Union();
        },
        nullptr, nullptr, nullptr}},
      {E::PaymentExpired,
       {[](PayloadCtx& c) { return fb::CreatePaymentExpired(c.b, c.S("pay-008")).Union(); },
        nullptr, nullptr, nullptr}},
      {E::RefundRequested,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::USD, 5);
          return fb::CreateRefundRequested(c.b, c.S("ref-1"), c.S("pay-009"), &amount,
                                           fb::RefundTarget::CustomerCredit, c.S("duplicate"),
                                           c.S("cred-1"), 1'795'000'000'000'000'000)
              .Union();
        },
        "/event/amount", "0.05", "USD"}},
      {E::RefundSucceeded,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::EUR, 100000);
          return fb::CreateRefundSucceeded(c.b, c.S("ref-2"), c.S("pay-010"), &amount,
                                           c.S("gw-ref-2"), fb::Method::Card,
                                           fb::RefundTarget::OriginalMethod, c.S("cust-10"))
              .Union();
        },
        "/event/amount", "1000.00", "EUR"}},
      {E::RefundFailed,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::HKD, 99);
          return fb::CreateRefundFailed(c.b, c.S("ref-3"), c.S("pay-011"), &amount,
                                        c.S("gateway down"))
              .Union();
        },
        "/event/amount", "0.99", "HKD"}},
      {E::CreditIssued,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::CNY, 2000);
          return fb::CreateCreditIssued(c.b, c.S("cred-2"), c.S("cust-2"), &amount, 0, c.S("ref-4"),
                                        c.S("退款转余额"))
              .Union();
        },
        "/event/amount", "20.00", "CNY"}},
      {E::CreditApplied,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::CNY, 1);
          return fb::CreateCreditApplied(c.b, c.S("cred-3"), c.S("cust-3"), c.S("inv-3"), &amount,
                                         c.S("app-3"))
              .Union();
        },
        "/event/amount", "0.01", "CNY"}},
      {E::CreditExpired,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::CNY, 0);
          return fb::CreateCreditExpired(c.b, c.S("cred-4"), c.S("cust-4"), &amount).Union();
        },
        "/event/amount", "0.00", "CNY"}},
      {E::CreditReversed,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::CNY, 12345);
          return fb::CreateCreditReversed(c.b, c.S("cred-5"), c.S("cust-5"), &amount, c.S("fraud"))
              .Union();
        },
        "/event/amount", "123.45", "CNY"}},
      {E::MethodConfigured,
       {[](PayloadCtx& c) {
          auto zero_cny = M(Asset::CNY, 0);
          auto min_cny = M(Asset::CNY, 100);
          auto max_cny = M(Asset::CNY, 5'000'000);
          auto daily = M(Asset::CNY, 20'000'000);
          auto monthly = M(Asset::CNY, 0);
          auto fee_cny = fb::CreateFeeSchedule(c.b, 60, &zero_cny, &zero_cny, &zero_cny);
          auto min_btc = M(Asset::BTC, 10'000);
          auto max_btc = M(Asset::BTC, 2'100'000'000'000'000);
          auto fixed_btc = M(Asset::BTC, 1'000);
          auto fee_btc = fb::CreateFeeSchedule(c.b, 0, &fixed_btc, &fixed_btc, &max_btc);
          std::vector<flatbuffers::Offset<fb::AssetRules>> rules = {
              fb::CreateAssetRules(c.b, Asset::CNY, &min_cny, &max_cny, &daily, &monthly, fee_cny),
              fb::CreateAssetRules(c.b, Asset::BTC, &min_btc, &max_btc, &max_btc, &max_btc,
                                   fee_btc)};
          return fb::CreateMethodConfigured(c.b, fb::Method::Card, false, c.b.CreateVector(rules),
                                            6, 900)
              .Union();
        },
        "/event/rules/1/max_amount", "21000000.00000000", "BTC"}},
      {E::CustomerPreferenceSet,
       {[](PayloadCtx& c) {
          return fb::CreateCustomerPreferenceSet(c.b, c.S("cust-6"), fb::Method::WechatPay).Union();
        },
        nullptr, nullptr, nullptr}},
      {E::TrustDepositRecorded,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::HKD, 1'000'000);
          return fb::CreateTrustDepositRecorded(c.b, c.S("dep-1"), c.S("client-2"), c.S("matter-3"),
                                                &amount, fb::Method::BankTransfer, c.S("bank-ref"),
                                                c.S("李四"), c.S("pay-012"), false)
              .Union();
        },
        "/event/amount", "10000.00", "HKD"}},
      {E::TrustDepositCleared,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::HKD, 1'000'000);
          return fb::CreateTrustDepositCleared(c.b, c.S("dep-2"), c.S("client-3"), c.S("matter-4"),
                                               &amount)
              .Union();
        },
        "/event/amount", "10000.00", "HKD"}},
      {E::TrustDisbursementRecorded,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::USD, 250'000);
          return fb::CreateTrustDisbursementRecorded(c.b, c.S("disb-1"), c.S("client-4"),
                                                     c.S("matter-5"), &amount, c.S("Court"),
                                                     c.S("filing fee"), c.S("chk-100"))
              .Union();
        },
        "/event/amount", "2500.00", "USD"}},
      {E::TrustFeeTransferred,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::USD, 30'000);
          return fb::CreateTrustFeeTransferred(c.b, c.S("xfer-1"), c.S("client-5"), c.S("matter-6"),
                                               &amount, c.S("inv-6"))
              .Union();
        },
        "/event/amount", "300.00", "USD"}},
      {E::TrustRefundedToClient,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::EUR, 7);
          return fb::CreateTrustRefundedToClient(c.b, c.S("ref-5"), c.S("client-6"),
                                                 c.S("matter-7"), &amount, c.S("wire-7"))
              .Union();
        },
        "/event/amount", "0.07", "EUR"}},
      {E::StatementImported,
       {[](PayloadCtx& c) {
          fb::Hash32 file_sha;
          for (std::uint8_t i = 0; i < 32; ++i) file_sha.mutable_bytes()->Mutate(i, i);
          auto opening = M(Asset::CNY, 0);
          auto closing = M(Asset::CNY, 123456);
          auto a1 = M(Asset::CNY, 100000);
          auto f1 = M(Asset::CNY, 600);
          auto a2 = M(Asset::CNY, 23456);
          auto f2 = M(Asset::CNY, 0);
          std::vector<flatbuffers::Offset<fb::StatementLine>> lines = {
              fb::CreateStatementLine(c.b, 1, c.S("2026112122001"), c.S("order-1"), &a1, &f1, false,
                                      c.S("payment"), 1'795'000'000'000'000'001),
              fb::CreateStatementLine(c.b, 2, c.S("2026112122002"), c.S("order-2"), &a2, &f2, true,
                                      c.S("退款"), 1'795'000'000'000'000'002)};
          return fb::CreateStatementImported(c.b, c.S("stmt-1"), fb::StatementSource::Alipay,
                                             c.S("acct-支付宝"), 1'794'000'000'000'000'000,
                                             1'796'000'000'000'000'000, &file_sha, &opening,
                                             &closing, c.b.CreateVector(lines), 2, c.S("CNY"),
                                             c.S("0.00 CNY"), c.S("1234.56 CNY"), 1)
              .Union();
        },
        "/event/lines/1/amount", "234.56", "CNY"}},
      {E::ReconciliationRunStarted,
       {[](PayloadCtx& c) {
          return fb::CreateReconciliationRunStarted(c.b, c.S("run-1"), c.S("stmt-2"),
                                                    -1'000'000'000, 1'000'000'000, 42,
                                                    fb::StatementSource::Camt053, c.S("bank:trust"))
              .Union();
        },
        nullptr, nullptr, nullptr}},
      {E::ReconciliationItemMatched,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::ETH, 1'500'000'000'000'000'000ULL);
          return fb::CreateReconciliationItemMatched(c.b, c.S("run-2"), 3, c.S("pay-013"),
                                                     c.S("0xdef"), &amount, c.S("gateway_txn_id"))
              .Union();
        },
        "/event/amount", "1.500000000000000000", "ETH"}},
      {E::DiscrepancyDetected,
       {[](PayloadCtx& c) {
          auto ledger = M(Asset::CNY, 10000);
          auto statement = M(Asset::CNY, 9999);
          auto diff = M(Asset::CNY, 1);
          return fb::CreateDiscrepancyDetected(
                     c.b, c.S("run-3"), c.S("disc-1"), fb::DiscrepancyKind::AmountMismatch, 4,
                     c.S("pay-014"), c.S("2026112122004"), &ledger, &statement, c.S("差 0.01 元"),
                     c.S("clearing:alipay"), &diff, false, c.S("99.99 CNY"))
              .Union();
        },
        "/event/statement_amount", "99.99", "CNY"}},
      {E::DiscrepancyResolved,
       {[](PayloadCtx& c) {
          auto amount = M(Asset::CNY, 1);
          return fb::CreateDiscrepancyResolved(c.b, c.S("run-4"), c.S("disc-2"), c.S("ops@例子.cn"),
                                               c.S("written off"), &amount, c.S("clearing:alipay"),
                                               true)
              .Union();
        },
        "/event/amount", "0.01", "CNY"}},
      {E::ReconciliationRunCompleted,
       {[](PayloadCtx& c) {
          auto sc = M(Asset::CNY, 500), sd = M(Asset::CNY, 100), lc = M(Asset::CNY, 400),
               ld = M(Asset::CNY, 100), ma = M(Asset::CNY, 300);
          return fb::CreateReconciliationRunCompleted(c.b, c.S("run-5"), 4'000'000'000U, 17, &sc,
                                                      &sd, &lc, &ld, &ma)
              .Union();
        },
        nullptr, nullptr, nullptr}},
  };
  return samples;
}

}  // namespace folio::testing
