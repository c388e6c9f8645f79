// FaultFs: a rocksdb::FileSystem over another (the OS's by default) that
// injects storage faults, for the tests of what Folio does when its disk
// misbehaves (docs/reliability.md, "Storage faults"). Give it to a store with
// LogStoreOptions::file_system.
//
// Faults, each armed and disarmed at run time:
//   kWriteError  Append/PositionedAppend of a writable file fails with EIO
//   kSyncError   Sync/Fsync of a file or a directory fails with EIO
//   kReadError   Read/MultiRead/PositionedRead fails with EIO
//   kNoSpace     Append/PositionedAppend fails with ENOSPC (IOStatus::NoSpace)
// An armed fault hits a matching call with probability 1/one_in, drawn from
// a generator seeded at construction: one seed, one sequence of hits.
//
// Crash: PowerOff() makes every later change to the disk fail (as if the
// machine stopped); once the database is closed, LoseUnsyncedData() leaves
// on disk what a real crash may leave: every file written through this
// FileSystem is cut back to the size it had at its last Sync/Fsync, a file
// never synced is removed, and so is a file whose directory was not fsynced
// after it was created (or renamed, or linked there). Files that existed
// before this FileSystem saw them are taken as durable. This is harsher than
// a real file system in one way: an unsynced rename loses the new name, where
// a real one would keep the old file under it.
//
// Thread-safe. The FileSystem must outlive every database opened on it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include <rocksdb/file_system.h>

#include "events/status.h"

namespace folio {

enum class Fault : int { kWriteError = 0, kSyncError, kReadError, kNoSpace };
inline constexpr int kFaultKinds = 4;
const char* FaultName(Fault f);

struct FaultRule {
  // A matching call fails with probability 1/one_in (1: every call). Default: 1.
  std::uint32_t one_in = 1;
  // Only files whose path contains this (".log" for the WAL, ".sst",
  // "MANIFEST"); empty: every file. Default: empty.
  std::string path_contains;
};

class FaultFs final : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultFs(std::uint64_t seed,
                   std::shared_ptr<rocksdb::FileSystem> base = rocksdb::FileSystem::Default());
  const char* Name() const override { return "FolioFaultFs"; }

  void Arm(Fault f, FaultRule rule = {});
  void Disarm(Fault f);
  void DisarmAll();
  // Calls failed by `f` so far.
  std::uint64_t injected(Fault f) const;

  // From now on every call that would change the disk fails.
  void PowerOff();
  // Cuts every file back to what was synced (see above), forgets what it
  // tracked and powers on again, faults disarmed.
  // REQUIRES: no database is open on this FileSystem.
  Status LoseUnsyncedData();

  // --- rocksdb::FileSystem ---
  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomAccessFile(const std::string& f, const rocksdb::FileOptions& o,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
                                        rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewSequentialFile(const std::string& f, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* r,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& f, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& dst,
                               const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& src, const std::string& dst,
                             const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& f, std::size_t size, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override;

  // --- for the file wrappers (fault_fs.cc) ---
  // Non-OK when `f` fails this call on `path` (or the power is off, for
  // changes: every fault but kReadError).
  rocksdb::IOStatus Check(Fault f, const std::string& path);
  rocksdb::IOStatus CheckPower(const std::string& path);
  void Written(const std::string& path, std::uint64_t end_offset);
  void Truncated(const std::string& path, std::uint64_t size);
  void Synced(const std::string& path);
  void DirSynced(const std::string& dir);

 private:
  struct Tracked {
    std::uint64_t size = 0;         // bytes written
    std::uint64_t synced_size = 0;  // bytes at the last sync
    bool ever_synced = false;
    bool dir_entry_synced = false;  // its directory fsynced since it got this name
  };
  struct Armed {
    bool on = false;
    FaultRule rule;
  };
  void Track(const std::string& path, Tracked t);

  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  Armed armed_[kFaultKinds];
  std::uint64_t injected_[kFaultKinds] = {};
  bool power_off_ = false;
  std::map<std::string, Tracked> files_;
};

}  // namespace folio
