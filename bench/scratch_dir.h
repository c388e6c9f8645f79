// A benchmark's working directory: the caller's (kept) or a fresh temporary
// one (removed when this object goes away).
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace folio::bench {

class ScratchDir {
 public:
  // `keep`: a directory to use and keep; empty for a temporary one.
  explicit ScratchDir(std::string keep) : keep_(!keep.empty()) {
    if (keep_) {
      path_ = std::move(keep);
    } else {
      std::string tmpl = (std::filesystem::temp_directory_path() / "folio-bench-XXXXXX").string();
      if (mkdtemp(tmpl.data()) == nullptr) std::abort();  // no temp dir: nothing to measure
      path_ = tmpl;
    }
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!keep_) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  bool keep_;
  std::string path_;
};

}  // namespace folio::bench
