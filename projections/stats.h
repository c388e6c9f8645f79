// Payment and refund statistics (projection "stats"): per Shanghai day (of
// each event's occurred_at), method and asset, the counts and amounts of
// payments created / settled / failed / cancelled / expired, refunds
// requested / succeeded / failed, and fees. Rates are derived at query time
// in integer basis points, rounded half-up; never floats. Format and
// semantics: docs/trust-and-stats.md.
//
// Each event counts on its own day: a payment created at 23:59 and settled at
// 00:01 Shanghai time counts as created on the first day and settled on the
// second. Fees: `fee_computed` sums PaymentSettled.fee (the schedule's fee at
// creation), `fee_gateway` sums PaymentSettled.gateway_fee, both on the
// settlement day, so the two compare like for like; `created_fee` sums
// PaymentCreated.fee on the creation day.
//
// PaymentFailed / Cancelled / Expired, RefundRequested and RefundFailed do not
// carry the method, so the projection keeps a payment index. Events of a
// payment it never saw created count under method "unknown" (and, without an
// amount of their own, asset "unknown" and amount 0).
//
// Fee differences (version 2): each settlement whose gateway_fee differs
// from its fee (the schedule's), in log order, for the fee report.
//
// State keys (key parts: projections/row_codec.h):
//   "s/" day(u32 yyyymmdd) method(u8) asset(u8) -> counters
//   "p/" payment_id                              -> method(u8) asset(u8) amount(u128)
//   "f/" seq(u64)                                -> FeeDifference (a settlement
//                                                   charged off the schedule)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/projection.h"
#include "projections/reader.h"
#include "projections/row_codec.h"

namespace folio::projections {

struct StatsCount {
  std::uint64_t count = 0;
  u128 amount_minor = 0;
  friend bool operator==(const StatsCount&, const StatsCount&) = default;
};

struct StatsCounters {
  StatsCount created, settled, failed, cancelled, expired;
  StatsCount refund_requested, refund_succeeded, refund_failed;
  u128 created_fee_minor = 0;
  u128 fee_computed_minor = 0;
  u128 fee_gateway_minor = 0;
  friend bool operator==(const StatsCounters&, const StatsCounters&) = default;
};

struct StatsRow {
  std::uint32_t day_key = 0;  // yyyymmdd, Asia/Shanghai
  fb::Method method = fb::Method::Unknown;
  Asset asset = Asset::Unknown;
  StatsCounters counters;
  // refund_succeeded amount / settled amount; nullopt when nothing settled.
  std::optional<u128> refund_rate_bp;
  // settled count / created count; nullopt when nothing was created.
  std::optional<u128> success_rate_bp;
};

class StatsProjection final : public Projection {
 public:
  std::string_view name() const override { return "stats"; }
  std::uint32_t version() const override { return 2; }
  void Apply(const EventRecord& event, ProjectionStore& store) override;
};

// Rows with from_day_key <= day <= to_day_key (yyyymmdd, inclusive), ordered
// by day, method id, asset id.
std::vector<StatsRow> Stats(ProjectionReader& reader, std::uint32_t from_day_key,
                            std::uint32_t to_day_key);

// numerator * 10000 / denominator rounded half-up, exact for all u128
// inputs; nullopt when denominator is 0. Saturates at the u128 maximum.
std::optional<u128> BasisPointsHalfUp(u128 numerator, u128 denominator);

// {"rows":[{"day":"2026-11-21","method":"alipay","asset":"CNY",
//   "created":{"count":N,"amount":"1.00"}, ... "refund_rate_bp":N|null,...}]}
std::string StatsJson(const std::vector<StatsRow>& rows);

// A settlement charged differently from the schedule ("f/" rows).
struct FeeDifference {
  std::uint64_t seq = 0;
  std::uint32_t day_key = 0;  // of occurred_at, Asia/Shanghai
  std::int64_t occurred_at_ns = 0;
  fb::Method method = fb::Method::Unknown;  // as the event says
  std::string payment_id, gateway_txn_id;
  Money amount, charged, schedule;  // amount; gateway_fee; fee
};

// Fee differences with from_day_key <= day <= to_day_key, in seq order
// (cost: every difference recorded, which the schedule keeps few).
std::vector<FeeDifference> FeeDifferences(ProjectionReader& reader, std::uint32_t from_day_key,
                                          std::uint32_t to_day_key);

std::string EncodeStatsCounters(const StatsCounters& c);
std::optional<StatsCounters> DecodeStatsCounters(std::string_view row);

}  // namespace folio::projections
