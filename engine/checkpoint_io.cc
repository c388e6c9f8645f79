#include "engine/checkpoint_io.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <vector>

#include <rocksdb/sst_file_writer.h>

#include "engine/assert.h"
#include "engine/log_store.h"
#include "events/codes.h"

namespace folio {
namespace {

constexpr std::uint8_t kMarkerVersion = 1;
constexpr std::string_view kScratchDir = "checkpoint.tmp";

// One family's part of a checkpoint: sorted (key, value), nullopt = delete.
struct Run {
  rocksdb::ColumnFamilyHandle* cf = nullptr;
  std::vector<std::pair<std::string_view, std::optional<std::string_view>>> entries;
};

void Sort(Run* run) {
  std::sort(run->entries.begin(), run->entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
}

Status WriteSst(LogStore& store, const Run& run, const std::string& path,
                CheckpointWriteStats* stats) {
  rocksdb::DB* db = store.db();
  rocksdb::Options opts(db->GetDBOptions(), db->GetOptions(run.cf));
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(opts), opts, run.cf);
  RETURN_IF_ERROR(FromRocks(writer.Open(path), "opening checkpoint file"));
  for (const auto& [k, v] : run.entries) {
    rocksdb::Slice key(k.data(), k.size());
    rocksdb::Status s =
        v ? writer.Put(key, rocksdb::Slice(v->data(), v->size())) : writer.Delete(key);
    RETURN_IF_ERROR(FromRocks(s, "writing checkpoint file"));
  }
  rocksdb::ExternalSstFileInfo info;
  RETURN_IF_ERROR(FromRocks(writer.Finish(&info), "finishing checkpoint file"));
  if (stats != nullptr) {
    stats->records += run.entries.size();
    stats->file_bytes += info.file_size;
  }
  return OkStatus();
}

std::string ScratchPath(const LogStore& store) {
  return (std::filesystem::path(store.dir()) / kScratchDir).string();
}

}  // namespace

std::string EncodeCheckpointMarker(const CheckpointMarker& m) {
  std::string v;
  v.push_back(static_cast<char>(kMarkerVersion));
  keys::PutU64Be(&v, m.applied_seq);
  v.append(reinterpret_cast<const char*>(m.applied_hash.data()), m.applied_hash.size());
  keys::PutU64Be(&v, m.legacy_through_seq);
  return v;
}

std::optional<CheckpointMarker> DecodeCheckpointMarker(std::string_view v) {
  if (v.size() != 1 + 8 + 32 + 8 || static_cast<std::uint8_t>(v[0]) != kMarkerVersion) {
    return std::nullopt;
  }
  CheckpointMarker m;
  m.applied_seq = keys::GetU64Be(v.substr(1));
  std::memcpy(m.applied_hash.data(), v.data() + 9, m.applied_hash.size());
  m.legacy_through_seq = keys::GetU64Be(v.substr(41));
  if (m.legacy_through_seq > m.applied_seq) return std::nullopt;
  return m;
}

Result<std::optional<CheckpointMarker>> ReadCheckpointMarker(const LogStore& store) {
  std::string v;
  rocksdb::Status s = store.db()->Get(rocksdb::ReadOptions(), store.meta_cf(),
                                      rocksdb::Slice(kMetaDerived.data(), kMetaDerived.size()), &v);
  if (s.IsNotFound()) return std::optional<CheckpointMarker>();
  RETURN_IF_ERROR(FromRocks(s, "reading the checkpoint marker"));
  auto m = DecodeCheckpointMarker(v);
  if (!m) return Status::Error(codes::kCorruption, "checkpoint marker malformed");
  return std::optional<CheckpointMarker>(*m);
}

void RemoveCheckpointScratch(const LogStore& store) {
  std::error_code ec;
  std::filesystem::remove_all(ScratchPath(store), ec);
}

Status WriteCheckpoint(LogStore& store, const DerivedDelta& delta, const CheckpointMarker& marker,
                       CheckpointWriteStats* stats) {
  // The families' runs reference the delta's strings; head records and the
  // marker need bytes of their own, kept alive here.
  std::vector<std::string> owned;
  const std::size_t owned_max = 2 * delta.stream_versions.size() + delta.index.size() + 1;
  owned.reserve(owned_max);
  Run streams{store.streams_cf(), {}}, idempotency{store.idempotency_cf(), {}};
  Run state{store.state_cf(), {}}, meta{store.meta_cf(), {}};
  streams.entries.reserve(delta.index.size() + delta.stream_versions.size());
  for (const auto& [key, seq] : delta.index) {
    owned.push_back(keys::EventKey(seq));
    streams.entries.emplace_back(key, owned.back());
  }
  for (const auto& [stream, version] : delta.stream_versions) {
    if (version == 0) continue;  // looked up, never appended to
    owned.push_back(keys::StreamHeadKey(stream));
    std::string_view k = owned.back();
    owned.push_back(keys::EventKey(version));
    streams.entries.emplace_back(k, owned.back());
  }
  idempotency.entries.reserve(delta.idempotency.size());
  for (const auto& [k, v] : delta.idempotency) idempotency.entries.emplace_back(k, v);
  state.entries.reserve(delta.state.size());
  for (const auto& [k, v] : delta.state) {
    state.entries.emplace_back(k, v ? std::optional<std::string_view>(*v) : std::nullopt);
  }
  owned.push_back(EncodeCheckpointMarker(marker));
  meta.entries.emplace_back(kMetaDerived, owned.back());
  FOLIO_ASSERT(owned.size() <= owned_max, "`owned` never reallocated under its views");
  Sort(&streams);
  Sort(&idempotency);
  Sort(&state);

  const std::string dir = ScratchPath(store);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Error(codes::kIoError, "creating " + dir + ": " + ec.message());
  static std::atomic<std::uint64_t> file_counter{0};
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (Run* run : {&streams, &idempotency, &state, &meta}) {
    if (run->entries.empty()) continue;
    std::string path = dir + "/" + std::to_string(marker.applied_seq) + "-" +
                       std::to_string(file_counter.fetch_add(1)) + ".sst";
    RETURN_IF_ERROR(WriteSst(store, *run, path, stats));
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = run->cf;
    arg.external_files.push_back(std::move(path));
    arg.options.move_files = true;
    arg.options.write_global_seqno = false;   // kept in the MANIFEST instead
    arg.options.allow_blocking_flush = true;  // a legacy memtable may overlap
    args.push_back(std::move(arg));
  }
  Status s = FromRocks(store.db()->IngestExternalFiles(args), "ingesting the checkpoint");
  if (!s.ok()) RemoveCheckpointScratch(store);
  return s;
}

}  // namespace folio
