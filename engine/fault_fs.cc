#include "engine/fault_fs.h"

#include <filesystem>
#include <system_error>
#include <vector>

#include "events/codes.h"

namespace folio {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

// One spelling per file, so that a directory's fsync finds its entries.
std::string Normal(const std::string& path) {
  std::string p = std::filesystem::path(path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string ParentOf(const std::string& path) {
  return Normal(std::filesystem::path(Normal(path)).parent_path().string());
}

class FaultWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(std::unique_ptr<rocksdb::FSWritableFile> f, FaultFs* fs, std::string path,
                    std::uint64_t offset)
      : FSWritableFileOwnerWrapper(std::move(f)),
        fs_(fs),
        path_(std::move(path)),
        offset_(offset) {}

  IOStatus Append(const Slice& data, const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = CheckWrite();
    if (s.ok()) s = target()->Append(data, o, dbg);
    if (s.ok()) Wrote(offset_ + data.size());
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& o, const rocksdb::DataVerificationInfo& info,
                  IODebugContext* dbg) override {
    IOStatus s = CheckWrite();
    if (s.ok()) s = target()->Append(data, o, info, dbg);
    if (s.ok()) Wrote(offset_ + data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, std::uint64_t offset, const IOOptions& o,
                            IODebugContext* dbg) override {
    IOStatus s = CheckWrite();
    if (s.ok()) s = target()->PositionedAppend(data, offset, o, dbg);
    if (s.ok()) Wrote(offset + data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, std::uint64_t offset, const IOOptions& o,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    IOStatus s = CheckWrite();
    if (s.ok()) s = target()->PositionedAppend(data, offset, o, info, dbg);
    if (s.ok()) Wrote(offset + data.size());
    return s;
  }
  IOStatus Truncate(std::uint64_t size, const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = fs_->CheckPower(path_);
    if (s.ok()) s = target()->Truncate(size, o, dbg);
    if (s.ok()) {
      offset_ = size;
      fs_->Truncated(path_, size);
    }
    return s;
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(Fault::kSyncError, path_);
    if (s.ok()) s = target()->Sync(o, dbg);
    if (s.ok()) fs_->Synced(path_);
    return s;
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(Fault::kSyncError, path_);
    if (s.ok()) s = target()->Fsync(o, dbg);
    if (s.ok()) fs_->Synced(path_);
    return s;
  }
  IOStatus Flush(const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = fs_->CheckPower(path_);
    return s.ok() ? target()->Flush(o, dbg) : s;
  }
  // Not a durability point (sync_file_range), but it does write.
  IOStatus RangeSync(std::uint64_t offset, std::uint64_t nbytes, const IOOptions& o,
                     IODebugContext* dbg) override {
    IOStatus s = fs_->CheckPower(path_);
    return s.ok() ? target()->RangeSync(offset, nbytes, o, dbg) : s;
  }

 private:
  IOStatus CheckWrite() {
    IOStatus s = fs_->Check(Fault::kNoSpace, path_);
    return s.ok() ? fs_->Check(Fault::kWriteError, path_) : s;
  }
  void Wrote(std::uint64_t end) {
    if (end > offset_) offset_ = end;
    fs_->Written(path_, end);
  }

  FaultFs* fs_;
  std::string path_;
  std::uint64_t offset_;
};

class FaultRandomAccessFile final : public rocksdb::FSRandomAccessFileOwnerWrapper {
 public:
  FaultRandomAccessFile(std::unique_ptr<rocksdb::FSRandomAccessFile> f, FaultFs* fs,
                        std::string path)
      : FSRandomAccessFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)) {}

  IOStatus Read(std::uint64_t offset, std::size_t n, const IOOptions& o, Slice* result,
                char* scratch, IODebugContext* dbg) const override {
    IOStatus s = fs_->Check(Fault::kReadError, path_);
    return s.ok() ? target()->Read(offset, n, o, result, scratch, dbg) : s;
  }
  IOStatus MultiRead(rocksdb::FSReadRequest* reqs, std::size_t n, const IOOptions& o,
                     IODebugContext* dbg) override {
    IOStatus s = fs_->Check(Fault::kReadError, path_);
    if (s.ok()) return target()->MultiRead(reqs, n, o, dbg);
    for (std::size_t i = 0; i < n; ++i) reqs[i].status = s;
    return s;
  }

 private:
  FaultFs* fs_;
  std::string path_;
};

class FaultSequentialFile final : public rocksdb::FSSequentialFileOwnerWrapper {
 public:
  FaultSequentialFile(std::unique_ptr<rocksdb::FSSequentialFile> f, FaultFs* fs, std::string path)
      : FSSequentialFileOwnerWrapper(std::move(f)), fs_(fs), path_(std::move(path)) {}

  IOStatus Read(std::size_t n, const IOOptions& o, Slice* result, char* scratch,
                IODebugContext* dbg) override {
    IOStatus s = fs_->Check(Fault::kReadError, path_);
    return s.ok() ? target()->Read(n, o, result, scratch, dbg) : s;
  }
  IOStatus PositionedRead(std::uint64_t offset, std::size_t n, const IOOptions& o, Slice* result,
                          char* scratch, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(Fault::kReadError, path_);
    return s.ok() ? target()->PositionedRead(offset, n, o, result, scratch, dbg) : s;
  }

 private:
  FaultFs* fs_;
  std::string path_;
};

class FaultDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  FaultDirectory(std::unique_ptr<rocksdb::FSDirectory> d, FaultFs* fs, std::string path)
      : FSDirectoryWrapper(std::move(d)), fs_(fs), path_(std::move(path)) {}

  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    IOStatus s = fs_->Check(Fault::kSyncError, path_);
    if (s.ok()) s = FSDirectoryWrapper::Fsync(o, dbg);
    if (s.ok()) fs_->DirSynced(path_);
    return s;
  }
  IOStatus FsyncWithDirOptions(const IOOptions& o, IODebugContext* dbg,
                               const rocksdb::DirFsyncOptions& d) override {
    IOStatus s = fs_->Check(Fault::kSyncError, path_);
    if (s.ok()) s = FSDirectoryWrapper::FsyncWithDirOptions(o, dbg, d);
    if (s.ok()) fs_->DirSynced(path_);
    return s;
  }

 private:
  FaultFs* fs_;
  std::string path_;
};

}  // namespace

const char* FaultName(Fault f) {
  switch (f) {
    case Fault::kWriteError:
      return "write EIO";
    case Fault::kSyncError:
      return "sync EIO";
    case Fault::kReadError:
      return "read EIO";
    case Fault::kNoSpace:
      return "ENOSPC";
  }
  return "?";
}

FaultFs::FaultFs(std::uint64_t seed, std::shared_ptr<rocksdb::FileSystem> base)
    : FileSystemWrapper(std::move(base)), rng_(seed) {}

void FaultFs::Arm(Fault f, FaultRule rule) {
  std::lock_guard lock(mu_);
  if (rule.one_in == 0) rule.one_in = 1;
  armed_[static_cast<int>(f)] = Armed{true, std::move(rule)};
}

void FaultFs::Disarm(Fault f) {
  std::lock_guard lock(mu_);
  armed_[static_cast<int>(f)].on = false;
}

void FaultFs::DisarmAll() {
  std::lock_guard lock(mu_);
  for (Armed& a : armed_) a.on = false;
}

std::uint64_t FaultFs::injected(Fault f) const {
  std::lock_guard lock(mu_);
  return injected_[static_cast<int>(f)];
}

void FaultFs::PowerOff() {
  std::lock_guard lock(mu_);
  power_off_ = true;
}

IOStatus FaultFs::CheckPower(const std::string& path) {
  std::lock_guard lock(mu_);
  return power_off_ ? IOStatus::IOError("injected: power off", path) : IOStatus::OK();
}

IOStatus FaultFs::Check(Fault f, const std::string& path) {
  std::lock_guard lock(mu_);
  if (power_off_ && f != Fault::kReadError) return IOStatus::IOError("injected: power off", path);
  Armed& a = armed_[static_cast<int>(f)];
  if (!a.on) return IOStatus::OK();
  if (!a.rule.path_contains.empty() && path.find(a.rule.path_contains) == std::string::npos) {
    return IOStatus::OK();
  }
  if (a.rule.one_in > 1 && rng_() % a.rule.one_in != 0) return IOStatus::OK();
  ++injected_[static_cast<int>(f)];
  if (f == Fault::kNoSpace) return IOStatus::NoSpace("injected: no space left on device", path);
  return IOStatus::IOError(std::string("injected: ") + FaultName(f), path);
}

void FaultFs::Track(const std::string& path, Tracked t) {
  std::lock_guard lock(mu_);
  files_[Normal(path)] = t;
}

void FaultFs::Written(const std::string& path, std::uint64_t end_offset) {
  std::lock_guard lock(mu_);
  auto it = files_.find(Normal(path));
  if (it != files_.end() && end_offset > it->second.size) it->second.size = end_offset;
}

void FaultFs::Truncated(const std::string& path, std::uint64_t size) {
  std::lock_guard lock(mu_);
  auto it = files_.find(Normal(path));
  if (it == files_.end()) return;
  it->second.size = size;
  if (it->second.synced_size > size) it->second.synced_size = size;
}

void FaultFs::Synced(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(Normal(path));
  if (it == files_.end()) return;
  it->second.synced_size = it->second.size;
  it->second.ever_synced = true;
}

void FaultFs::DirSynced(const std::string& dir) {
  const std::string d = Normal(dir);
  std::lock_guard lock(mu_);
  for (auto& [path, t] : files_) {
    if (ParentOf(path) == d) t.dir_entry_synced = true;
  }
}

IOStatus FaultFs::NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                  std::unique_ptr<rocksdb::FSWritableFile>* r,
                                  IODebugContext* dbg) {
  IOStatus s = CheckPower(f);
  if (s.ok()) s = target()->NewWritableFile(f, o, r, dbg);
  if (!s.ok()) return s;
  Track(f, Tracked{});
  *r = std::make_unique<FaultWritableFile>(std::move(*r), this, f, 0);
  return s;
}

IOStatus FaultFs::ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                     std::unique_ptr<rocksdb::FSWritableFile>* r,
                                     IODebugContext* dbg) {
  IOStatus s = CheckPower(f);
  if (s.ok()) s = target()->ReopenWritableFile(f, o, r, dbg);
  if (!s.ok()) return s;
  std::uint64_t size = (*r)->GetFileSize(IOOptions(), dbg);
  {
    std::lock_guard lock(mu_);
    // A file we did not see being written is on disk already: durable.
    files_.try_emplace(Normal(f), Tracked{size, size, true, true});
  }
  *r = std::make_unique<FaultWritableFile>(std::move(*r), this, f, size);
  return s;
}

IOStatus FaultFs::ReuseWritableFile(const std::string& f, const std::string& old,
                                    const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    IODebugContext* dbg) {
  IOStatus s = CheckPower(f);
  if (s.ok()) s = target()->ReuseWritableFile(f, old, o, r, dbg);
  if (!s.ok()) return s;
  {
    std::lock_guard lock(mu_);
    files_.erase(Normal(old));
    files_[Normal(f)] = Tracked{};
  }
  *r = std::make_unique<FaultWritableFile>(std::move(*r), this, f, 0);
  return s;
}

IOStatus FaultFs::NewRandomAccessFile(const std::string& f, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
                                      IODebugContext* dbg) {
  IOStatus s = Check(Fault::kReadError, f);
  if (s.ok()) s = target()->NewRandomAccessFile(f, o, r, dbg);
  if (s.ok()) *r = std::make_unique<FaultRandomAccessFile>(std::move(*r), this, f);
  return s;
}

IOStatus FaultFs::NewSequentialFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSSequentialFile>* r,
                                    IODebugContext* dbg) {
  IOStatus s = Check(Fault::kReadError, f);
  if (s.ok()) s = target()->NewSequentialFile(f, o, r, dbg);
  if (s.ok()) *r = std::make_unique<FaultSequentialFile>(std::move(*r), this, f);
  return s;
}

IOStatus FaultFs::NewDirectory(const std::string& name, const IOOptions& o,
                               std::unique_ptr<rocksdb::FSDirectory>* r, IODebugContext* dbg) {
  IOStatus s = target()->NewDirectory(name, o, r, dbg);
  if (s.ok()) *r = std::make_unique<FaultDirectory>(std::move(*r), this, name);
  return s;
}

IOStatus FaultFs::DeleteFile(const std::string& f, const IOOptions& o, IODebugContext* dbg) {
  IOStatus s = CheckPower(f);
  if (s.ok()) s = target()->DeleteFile(f, o, dbg);
  if (s.ok()) {
    std::lock_guard lock(mu_);
    files_.erase(Normal(f));
  }
  return s;
}

IOStatus FaultFs::RenameFile(const std::string& src, const std::string& dst, const IOOptions& o,
                             IODebugContext* dbg) {
  IOStatus s = CheckPower(src);
  if (s.ok()) s = target()->RenameFile(src, dst, o, dbg);
  if (!s.ok()) return s;
  std::lock_guard lock(mu_);
  Tracked t;
  if (auto it = files_.find(Normal(src)); it != files_.end()) {
    t = it->second;
    files_.erase(it);
  } else {
    std::error_code ec;
    auto size = std::filesystem::file_size(dst, ec);
    t.size = t.synced_size = ec ? 0 : size;
    t.ever_synced = true;
  }
  t.dir_entry_synced = false;  // the new name is durable once its directory is
  files_[Normal(dst)] = t;
  return s;
}

IOStatus FaultFs::LinkFile(const std::string& src, const std::string& dst, const IOOptions& o,
                           IODebugContext* dbg) {
  IOStatus s = CheckPower(src);
  if (s.ok()) s = target()->LinkFile(src, dst, o, dbg);
  if (!s.ok()) return s;
  std::lock_guard lock(mu_);
  Tracked t;
  if (auto it = files_.find(Normal(src)); it != files_.end()) {
    t = it->second;
  } else {
    std::error_code ec;
    auto size = std::filesystem::file_size(dst, ec);
    t.size = t.synced_size = ec ? 0 : size;
    t.ever_synced = true;
  }
  t.dir_entry_synced = false;
  files_[Normal(dst)] = t;
  return s;
}

IOStatus FaultFs::Truncate(const std::string& f, std::size_t size, const IOOptions& o,
                           IODebugContext* dbg) {
  IOStatus s = CheckPower(f);
  if (s.ok()) s = target()->Truncate(f, size, o, dbg);
  if (s.ok()) Truncated(f, size);
  return s;
}

Status FaultFs::LoseUnsyncedData() {
  std::lock_guard lock(mu_);
  Status result;
  for (const auto& [path, t] : files_) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;
    if (!t.ever_synced || !t.dir_entry_synced) {
      std::filesystem::remove(path, ec);
    } else if (std::filesystem::file_size(path, ec) > t.synced_size && !ec) {
      std::filesystem::resize_file(path, t.synced_size, ec);
    }
    if (ec && result.ok()) {
      result =
          Status::Error(codes::kIoError, "losing unsynced data of " + path + ": " + ec.message());
    }
  }
  files_.clear();
  for (Armed& a : armed_) a.on = false;
  power_off_ = false;
  return result;
}

}  // namespace folio
