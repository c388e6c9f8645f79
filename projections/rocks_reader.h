// A ProjectionReader over a projection's column family in the live database,
// through one RocksDB snapshot taken together with the projection's
// checkpoint, so an answer never mixes two moments. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/log_store.h"
#include "projections/checkpoint.h"
#include "projections/reader.h"

namespace folio::projections {

class RocksProjectionReader final : public ProjectionReader {
 public:
  // not_found when the projection has never been built in `store`.
  static Result<std::unique_ptr<RocksProjectionReader>> Open(const LogStore& store,
                                                             std::string_view projection);
  ~RocksProjectionReader() override;
  RocksProjectionReader(const RocksProjectionReader&) = delete;
  RocksProjectionReader& operator=(const RocksProjectionReader&) = delete;

  // The last event the snapshot reflects.
  std::uint64_t applied_seq() const { return checkpoint_.seq; }
  // The projection's checkpoint in the snapshot (version 0, seq 0 when the
  // family exists but nothing was applied yet).
  const Checkpoint& checkpoint() const { return checkpoint_; }

  std::optional<std::string> Get(std::string_view key) override;
  std::vector<std::pair<std::string, std::string>> Scan(std::string_view from, std::string_view to,
                                                        std::size_t limit) override;

 private:
  RocksProjectionReader(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                        const rocksdb::Snapshot* snapshot, const Checkpoint& checkpoint)
      : db_(db), cf_(cf), snapshot_(snapshot), checkpoint_(checkpoint) {}
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  const rocksdb::Snapshot* snapshot_;
  Checkpoint checkpoint_;
};

}  // namespace folio::projections
