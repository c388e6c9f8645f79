// The balances projection ("balances"): per account and asset, the totals of
// debits and credits from domain::PostingsFor (the one source of postings),
// and a history that answers "as of seq N" and "as of time T" by one seek.
//
// Keys in family "proj.balances" (u128 amounts big-endian, 16 bytes each):
//   "a/" account 0x00 asset:u8                -> debits:u128 credits:u128
//        totals after the last applied event; also the index of accounts
//   "h/" account 0x00 asset:u8 0x00 seq:u64be -> debits:u128 credits:u128
//        the totals right after event `seq`, written only for events that
//        post to the account; "as of N" = the last key <= N (SeekForPrev)
//   "t/" time:u64be                           -> seq:u64be
//        time = the running maximum of occurred_at_ns (sign bit flipped so
//        that big-endian order is numeric order); value = the last seq whose
//        running maximum is `time`. "as of T" = the last key <= T.
//   "x/time_max"                              -> time:u64be  (the running maximum)
//
// Why occurred_at (business time) and not recorded_at: auditors and finance
// ask about business dates ("the balance at the close of the 31st"), and an
// event recorded after midnight may belong to the day before. occurred_at is
// not monotonic in seq (clocks differ, events arrive late), so the index uses
// its running maximum, which is: "as of T" is then the longest prefix of the
// log in which no event claims to have occurred after T. (A late event that
// occurred before T but was appended after a later one is not included: the
// as-of answers are prefixes of the log, which is what makes them auditable.)
//
// Account names never contain 0x00 (docs/postings.md: ids are >= 0x20).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "engine/log_store.h"
#include "events/money.h"
#include "projections/projection.h"

namespace folio::projections {

class BalancesProjection final : public Projection {
 public:
  static constexpr std::string_view kName = "balances";
  std::string_view name() const override { return kName; }
  std::uint32_t version() const override { return 1; }
  // Throws std::overflow_error when a total would exceed u128 (the projector
  // then stops this projection as failed).
  void Apply(const EventRecord& event, ProjectionStore& store) override;
};

// True when the account's balance is credits minus debits (liability:,
// income:, equity:); otherwise debits minus credits (bank:, clearing:,
// expense:, suspense:, ...).
bool IsCreditNormal(std::string_view account);

struct BalanceAnswer {
  std::string account;
  Asset asset = Asset::Unknown;
  u128 debits = 0;
  u128 credits = 0;
  bool negative = false;  // the balance is below zero
  u128 magnitude = 0;     // |balance|
  std::uint64_t as_of_seq = 0;
  // "-12.50": sign and magnitude at the asset's scale.
  std::string BalanceString() const;
};
BalanceAnswer MakeBalance(std::string account, Asset asset, u128 debits, u128 credits,
                          std::uint64_t as_of_seq);

struct AssetTrialBalance {
  Asset asset = Asset::Unknown;
  u128 debits = 0;                      // sum over accounts
  u128 credits = 0;                     // sum over accounts
  std::vector<BalanceAnswer> accounts;  // by account name; zero-activity accounts omitted
  bool balanced() const { return debits == credits; }
};

// Reads the balances projection through one RocksDB snapshot, so every
// answer of one reader is consistent with one checkpoint. Not thread-safe;
// cheap to create. REQUIRES: the DB outlives the reader.
class BalancesReader {
 public:
  // The live projection of `store` as of its checkpoint (failed_precondition
  // style not_found when the projection was never built).
  static Result<std::unique_ptr<BalancesReader>> Open(const LogStore& store);
  // Any database/family holding the balances layout, applied up to `applied_seq`
  // (replay's scratch database).
  BalancesReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::uint64_t applied_seq);
  ~BalancesReader();
  BalancesReader(const BalancesReader&) = delete;
  BalancesReader& operator=(const BalancesReader&) = delete;

  std::uint64_t applied_seq() const { return applied_seq_; }

  // As of `as_of_seq` (default and upper bound: applied_seq()).
  Result<BalanceAnswer> Balance(const std::string& account, Asset asset,
                                std::optional<std::uint64_t> as_of_seq = std::nullopt) const;
  // The last seq whose running-maximum occurred_at is <= time_ns (0: none).
  Result<std::uint64_t> SeqAtTime(std::int64_t time_ns) const;
  // Per asset, ordered by asset code.
  Result<std::vector<AssetTrialBalance>> TrialBalance(
      std::optional<std::uint64_t> as_of_seq = std::nullopt) const;

 private:
  BalancesReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                 const rocksdb::Snapshot* snapshot, std::uint64_t applied_seq);
  rocksdb::ReadOptions Read() const;
  std::uint64_t Clamp(std::optional<std::uint64_t> as_of) const;
  // Totals of one account/asset as of `seq`; zeros when none.
  Result<std::pair<u128, u128>> TotalsAsOf(std::string_view account_asset, std::uint64_t seq) const;

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  const rocksdb::Snapshot* snapshot_;
  std::uint64_t applied_seq_;
};

}  // namespace folio::projections
