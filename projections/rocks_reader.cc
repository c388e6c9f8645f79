#include "projections/rocks_reader.h"

#include "events/codes.h"
#include "projections/checkpoint.h"
#include "projections/projection.h"

namespace folio::projections {

Result<std::unique_ptr<RocksProjectionReader>> RocksProjectionReader::Open(
    const LogStore& store, std::string_view projection) {
  rocksdb::ColumnFamilyHandle* cf = store.column_family(ColumnFamilyName(projection));
  if (cf == nullptr) {
    return Status::Error(codes::kNotFound, "projection '" + std::string(projection) +
                                               "' has not been built in this log");
  }
  const rocksdb::Snapshot* snap = store.db()->GetSnapshot();
  auto cp = ReadCheckpoint(store.db(), store.meta_cf(), projection, snap);
  if (!cp.ok()) {
    store.db()->ReleaseSnapshot(snap);
    return cp.status();
  }
  return std::unique_ptr<RocksProjectionReader>(
      new RocksProjectionReader(store.db(), cf, snap, cp->value_or(Checkpoint{})));
}

RocksProjectionReader::~RocksProjectionReader() { db_->ReleaseSnapshot(snapshot_); }

std::optional<std::string> RocksProjectionReader::Get(std::string_view key) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  std::string value;
  rocksdb::Status s = db_->Get(ro, cf_, rocksdb::Slice(key.data(), key.size()), &value);
  if (!s.ok()) return std::nullopt;  // not found (or unreadable: the query shows it as absent)
  return value;
}

std::vector<std::pair<std::string, std::string>> RocksProjectionReader::Scan(std::string_view from,
                                                                             std::string_view to,
                                                                             std::size_t limit) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  std::string upper(to);
  rocksdb::Slice upper_slice(upper);
  if (!to.empty()) ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_));
  std::vector<std::pair<std::string, std::string>> out;
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid() && out.size() < limit;
       it->Next()) {
    out.emplace_back(it->key().ToString(), it->value().ToString());
  }
  return out;
}

}  // namespace folio::projections
