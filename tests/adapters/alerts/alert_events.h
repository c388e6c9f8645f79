// Committed events for the alert tests: each call builds, stamps (the next
// seq) and decodes one envelope, as the engine would hand it over.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "events/envelope.h"
#include "events/money.h"

namespace folio::testing {

inline constexpr std::int64_t kT0 = 1'795'000'000'000'000'000;  // 2026-11-17T...Z
inline constexpr std::int64_t S(std::int64_t seconds) { return seconds * 1'000'000'000; }

class AlertEvents {
 public:
  std::uint64_t last_seq() const { return seq_; }

  EventRecord Created(const std::string& id, fb::Method method, std::int64_t at_ns,
                      std::int64_t due_at_ns = 0) {
    return Make(fb::Event::PaymentCreated, "payment-" + id, at_ns, [&](auto& b) {
      const fb::Money amount = Money(Asset::CNY, 10'000).ToFb();
      return fb::CreatePaymentCreatedDirect(b, id.c_str(), "cust-1", ("order-" + id).c_str(), "",
                                            method, "", &amount, &amount,
                                            fb::Destination::Operating, "", "", 0, due_at_ns)
          .Union();
    });
  }
  EventRecord PendingAtGateway(const std::string& id, std::int64_t at_ns) {
    return Make(fb::Event::PaymentPendingAtGateway, "payment-" + id, at_ns, [&](auto& b) {
      return fb::CreatePaymentPendingAtGatewayDirect(b, id.c_str(), "trade-1", "").Union();
    });
  }
  EventRecord Settled(const std::string& id, fb::Method method, std::int64_t at_ns) {
    return Make(fb::Event::PaymentSettled, "payment-" + id, at_ns, [&](auto& b) {
      const fb::Money amount = Money(Asset::CNY, 10'000).ToFb();
      return fb::CreatePaymentSettledDirect(b, id.c_str(), "txn", &amount, &amount, &amount, method,
                                            fb::Destination::Operating, "cust-1", "order")
          .Union();
    });
  }
  EventRecord Failed(const std::string& id, std::int64_t at_ns) {
    return Make(fb::Event::PaymentFailed, "payment-" + id, at_ns, [&](auto& b) {
      return fb::CreatePaymentFailedDirect(b, id.c_str(), "declined", "E1").Union();
    });
  }
  EventRecord Expired(const std::string& id, std::int64_t at_ns) {
    return Make(fb::Event::PaymentExpired, "payment-" + id, at_ns,
                [&](auto& b) { return fb::CreatePaymentExpiredDirect(b, id.c_str()).Union(); });
  }
  EventRecord Detected(const std::string& run, const std::string& id, std::int64_t at_ns) {
    return Make(fb::Event::DiscrepancyDetected, "recon-" + run, at_ns, [&](auto& b) {
      return fb::CreateDiscrepancyDetectedDirect(b, run.c_str(), id.c_str(),
                                                 fb::DiscrepancyKind::AmountMismatch, 3, "l", "s",
                                                 nullptr, nullptr, "amounts differ")
          .Union();
    });
  }
  EventRecord Resolved(const std::string& run, const std::string& id, std::int64_t at_ns) {
    return Make(fb::Event::DiscrepancyResolved, "recon-" + run, at_ns, [&](auto& b) {
      return fb::CreateDiscrepancyResolvedDirect(b, run.c_str(), id.c_str(), "op", "fixed").Union();
    });
  }
  EventRecord Deposit(const std::string& id, std::uint64_t minor, bool cleared,
                      std::int64_t at_ns) {
    return Make(fb::Event::TrustDepositRecorded, "trust-c1-m1", at_ns, [&](auto& b) {
      const fb::Money amount = Money(Asset::CNY, minor).ToFb();
      return fb::CreateTrustDepositRecordedDirect(b, id.c_str(), "c1", "m1", &amount,
                                                  fb::Method::BankTransfer, "ref", "payer", "",
                                                  cleared)
          .Union();
    });
  }
  EventRecord Clear(const std::string& id, std::uint64_t minor, std::int64_t at_ns) {
    return Make(fb::Event::TrustDepositCleared, "trust-c1-m1", at_ns, [&](auto& b) {
      const fb::Money amount = Money(Asset::CNY, minor).ToFb();
      return fb::CreateTrustDepositClearedDirect(b, id.c_str(), "c1", "m1", &amount).Union();
    });
  }
  EventRecord Disburse(const std::string& id, std::uint64_t minor, std::int64_t at_ns) {
    return Make(fb::Event::TrustDisbursementRecorded, "trust-c1-m1", at_ns, [&](auto& b) {
      const fb::Money amount = Money(Asset::CNY, minor).ToFb();
      return fb::CreateTrustDisbursementRecordedDirect(b, id.c_str(), "c1", "m1", &amount, "payee",
                                                       "costs", "ref")
          .Union();
    });
  }
  EventRecord FeeTransfer(const std::string& id, std::uint64_t minor, std::int64_t at_ns) {
    return Make(fb::Event::TrustFeeTransferred, "trust-c1-m1", at_ns, [&](auto& b) {
      const fb::Money amount = Money(Asset::CNY, minor).ToFb();
      return fb::CreateTrustFeeTransferredDirect(b, id.c_str(), "c1", "m1", &amount, "inv-1")
          .Union();
    });
  }
  EventRecord RefundClient(const std::string& id, std::uint64_t minor, std::int64_t at_ns) {
    return Make(fb::Event::TrustRefundedToClient, "trust-c1-m1", at_ns, [&](auto& b) {
      const fb::Money amount = Money(Asset::CNY, minor).ToFb();
      return fb::CreateTrustRefundedToClientDirect(b, id.c_str(), "c1", "m1", &amount, "ref")
          .Union();
    });
  }

 private:
  EventRecord Make(fb::Event type, const std::string& stream, std::int64_t at_ns,
                   const PayloadBuilder& build) {
    EnvelopeMeta meta;
    meta.stream_id = stream;
    meta.occurred_at_ns = at_ns;
    std::string bytes = EncodeEnvelope(meta, type, build);
    ++seq_;
    StampEnvelope(bytes, seq_, 1, at_ns, kGenesisHash);
    auto r = EventRecord::Decode(std::move(bytes));
    REQUIRE(r.ok());
    return std::move(*r);
  }

  std::uint64_t seq_ = 0;
};

}  // namespace folio::testing
