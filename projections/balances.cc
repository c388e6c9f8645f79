#include "projections/balances.h"

#include <algorithm>
#include <stdexcept>

#include "engine/domain/postings.h"
#include "engine/keys.h"
#include "events/codes.h"
#include "projections/checkpoint.h"

namespace folio::projections {
namespace {

constexpr std::string_view kTotalsPrefix = "a/";
constexpr std::string_view kHistoryPrefix = "h/";
constexpr std::string_view kTimePrefix = "t/";
constexpr std::string_view kTimeMaxKey = "x/time_max";

void PutU128Be(std::string* out, u128 v) {
  keys::PutU64Be(out, static_cast<std::uint64_t>(v >> 64));
  keys::PutU64Be(out, static_cast<std::uint64_t>(v));
}
u128 GetU128Be(std::string_view in) {
  return (static_cast<u128>(keys::GetU64Be(in)) << 64) | keys::GetU64Be(in.substr(8));
}

// account 0x00 asset
std::string AccountAsset(std::string_view account, Asset asset) {
  std::string out(account);
  out.push_back('\0');
  out.push_back(static_cast<char>(static_cast<std::uint8_t>(asset)));
  return out;
}

std::string EncodeTotals(u128 debits, u128 credits) {
  std::string out;
  PutU128Be(&out, debits);
  PutU128Be(&out, credits);
  return out;
}
std::pair<u128, u128> DecodeTotals(std::string_view v) {
  if (v.size() != 32) throw std::runtime_error("balances: malformed totals record");
  return {GetU128Be(v), GetU128Be(v.substr(16))};
}

std::uint64_t TimeKeyValue(std::int64_t ns) {
  return static_cast<std::uint64_t>(ns) ^ (std::uint64_t{1} << 63);
}

std::string HistoryKey(std::string_view account_asset, std::uint64_t seq) {
  std::string key(kHistoryPrefix);
  key.append(account_asset);
  key.push_back('\0');
  keys::PutU64Be(&key, seq);
  return key;
}

u128 CheckedAdd(u128 a, u128 b) {
  u128 out = 0;
  if (__builtin_add_overflow(a, b, &out)) throw std::overflow_error("balances: total exceeds u128");
  return out;
}

void ApplyTime(const EventRecord& event, ProjectionStore& store) {
  std::uint64_t time = TimeKeyValue(event.env().occurred_at_ns());
  if (auto max = store.Get(kTimeMaxKey)) {
    if (max->size() != 8) throw std::runtime_error("balances: malformed time max");
    time = std::max(time, keys::GetU64Be(*max));
  }
  std::string v;
  keys::PutU64Be(&v, time);
  store.Put(kTimeMaxKey, v);
  std::string key(kTimePrefix);
  keys::PutU64Be(&key, time);
  std::string seq;
  keys::PutU64Be(&seq, event.seq());
  store.Put(key, seq);
}

}  // namespace

void BalancesProjection::Apply(const EventRecord& event, ProjectionStore& store) {
  ApplyTime(event, store);
  // An account may appear in several postings of one event (a settlement
  // debits clearing with the amount and credits it with the fee): one history
  // entry per account and event.
  std::map<std::string, std::pair<u128, u128>> deltas;
  for (const domain::Posting& p : domain::PostingsFor(event.env())) {
    auto& d = deltas[AccountAsset(p.account, p.asset)];
    d.first = CheckedAdd(d.first, p.debit.minor());
    d.second = CheckedAdd(d.second, p.credit.minor());
  }
  for (const auto& [account_asset, delta] : deltas) {
    const std::string totals_key = std::string(kTotalsPrefix) + account_asset;
    std::pair<u128, u128> totals{0, 0};
    if (auto v = store.Get(totals_key)) totals = DecodeTotals(*v);
    totals.first = CheckedAdd(totals.first, delta.first);
    totals.second = CheckedAdd(totals.second, delta.second);
    const std::string value = EncodeTotals(totals.first, totals.second);
    store.Put(totals_key, value);
    store.Put(HistoryKey(account_asset, event.seq()), value);
  }
}

bool IsCreditNormal(std::string_view account) {
  return account.starts_with("liability:") || account.starts_with("income:") ||
         account.starts_with("equity:");
}

std::string BalanceAnswer::BalanceString() const {
  std::string s = Money(asset, magnitude).ToString();
  return negative && magnitude != 0 ? "-" + s : s;
}

BalanceAnswer MakeBalance(std::string account, Asset asset, u128 debits, u128 credits,
                          std::uint64_t as_of_seq) {
  BalanceAnswer b;
  const bool credit_normal = IsCreditNormal(account);
  b.account = std::move(account);
  b.asset = asset;
  b.debits = debits;
  b.credits = credits;
  b.as_of_seq = as_of_seq;
  const u128 plus = credit_normal ? credits : debits;
  const u128 minus = credit_normal ? debits : credits;
  b.negative = minus > plus;
  b.magnitude = b.negative ? minus - plus : plus - minus;
  return b;
}

BalancesReader::BalancesReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                               std::uint64_t applied_seq)
    : BalancesReader(db, cf, db->GetSnapshot(), applied_seq) {}

BalancesReader::BalancesReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                               const rocksdb::Snapshot* snapshot, std::uint64_t applied_seq)
    : db_(db), cf_(cf), snapshot_(snapshot), applied_seq_(applied_seq) {}

BalancesReader::~BalancesReader() { db_->ReleaseSnapshot(snapshot_); }

Result<std::unique_ptr<BalancesReader>> BalancesReader::Open(const LogStore& store) {
  rocksdb::ColumnFamilyHandle* cf =
      store.column_family(ColumnFamilyName(BalancesProjection::kName));
  if (cf == nullptr) {
    return Status::Error(codes::kNotFound, "the balances projection was never built");
  }
  const rocksdb::Snapshot* snap = store.db()->GetSnapshot();
  auto ckpt = ReadCheckpoint(store.db(), store.meta_cf(), BalancesProjection::kName, snap);
  if (!ckpt.ok() || !ckpt->has_value()) {
    store.db()->ReleaseSnapshot(snap);
    if (!ckpt.ok()) return ckpt.status();
    return Status::Error(codes::kNotFound, "the balances projection has no checkpoint");
  }
  return std::unique_ptr<BalancesReader>(new BalancesReader(store.db(), cf, snap, (*ckpt)->seq));
}

rocksdb::ReadOptions BalancesReader::Read() const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  return ro;
}

std::uint64_t BalancesReader::Clamp(std::optional<std::uint64_t> as_of) const {
  return as_of ? std::min(*as_of, applied_seq_) : applied_seq_;
}

Result<std::pair<u128, u128>> BalancesReader::TotalsAsOf(std::string_view account_asset,
                                                         std::uint64_t seq) const {
  std::string value;
  if (seq >= applied_seq_) {  // the current totals: one point lookup
    rocksdb::Status s =
        db_->Get(Read(), cf_, std::string(kTotalsPrefix) + std::string(account_asset), &value);
    if (s.IsNotFound()) return std::pair<u128, u128>{0, 0};
    RETURN_IF_ERROR(FromRocks(s, "reading balance"));
  } else {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(Read(), cf_));
    const std::string prefix = HistoryKey(account_asset, 0).substr(0, 2 + account_asset.size() + 1);
    it->SeekForPrev(HistoryKey(account_asset, seq));
    RETURN_IF_ERROR(FromRocks(it->status(), "reading balance history"));
    if (!it->Valid() || !it->key().starts_with(prefix)) return std::pair<u128, u128>{0, 0};
    value = it->value().ToString();
  }
  if (value.size() != 32) return Status::Error(codes::kCorruption, "balances record malformed");
  return std::pair<u128, u128>{GetU128Be(value), GetU128Be(std::string_view(value).substr(16))};
}

Result<BalanceAnswer> BalancesReader::Balance(const std::string& account, Asset asset,
                                              std::optional<std::uint64_t> as_of_seq) const {
  const std::uint64_t seq = Clamp(as_of_seq);
  ASSIGN_OR_RETURN(auto totals, TotalsAsOf(AccountAsset(account, asset), seq));
  return MakeBalance(account, asset, totals.first, totals.second, seq);
}

Result<std::uint64_t> BalancesReader::SeqAtTime(std::int64_t time_ns) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(Read(), cf_));
  std::string key(kTimePrefix);
  keys::PutU64Be(&key, TimeKeyValue(time_ns));
  it->SeekForPrev(key);
  RETURN_IF_ERROR(FromRocks(it->status(), "reading time index"));
  if (!it->Valid() || !it->key().starts_with(kTimePrefix)) return std::uint64_t{0};
  if (it->value().size() != 8) return Status::Error(codes::kCorruption, "time index malformed");
  return std::min(keys::GetU64Be(it->value().ToStringView()), applied_seq_);
}

Result<std::vector<AssetTrialBalance>> BalancesReader::TrialBalance(
    std::optional<std::uint64_t> as_of_seq) const {
  const std::uint64_t seq = Clamp(as_of_seq);
  std::map<Asset, AssetTrialBalance> by_asset;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(Read(), cf_));
  for (it->Seek(kTotalsPrefix); it->Valid() && it->key().starts_with(kTotalsPrefix); it->Next()) {
    const std::string_view account_asset = it->key().ToStringView().substr(kTotalsPrefix.size());
    if (account_asset.size() < 2 || account_asset[account_asset.size() - 2] != '\0') {
      return Status::Error(codes::kCorruption, "balances account key malformed");
    }
    ASSIGN_OR_RETURN(auto totals, TotalsAsOf(account_asset, seq));
    if (totals.first == 0 && totals.second == 0) continue;  // no activity yet at `seq`
    const auto asset = static_cast<Asset>(static_cast<std::uint8_t>(account_asset.back()));
    AssetTrialBalance& tb = by_asset[asset];
    tb.asset = asset;
    if (__builtin_add_overflow(tb.debits, totals.first, &tb.debits) ||
        __builtin_add_overflow(tb.credits, totals.second, &tb.credits)) {
      return Status::Error(codes::kAmountOverflow, "trial balance sum exceeds u128");
    }
    tb.accounts.push_back(
        MakeBalance(std::string(account_asset.substr(0, account_asset.size() - 2)), asset,
                    totals.first, totals.second, seq));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading balances"));
  std::vector<AssetTrialBalance> out;
  for (auto& [asset, tb] : by_asset) out.push_back(std::move(tb));
  std::sort(out.begin(), out.end(), [](const AssetTrialBalance& a, const AssetTrialBalance& b) {
    return AssetCode(a.asset) < AssetCode(b.asset);
  });
  return out;
}

}  // namespace folio::projections
