// The zip reader under Alipay's bill archive: central directory, local
// headers, stored and deflated entries, sizes and CRCs as the archive states them.
// Property: an extracted entry has exactly the size the directory states, and
// never more than the extraction limit.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "adapters/statements/zip_archive.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace folio;
  // Files in memory when /dev/shm exists: the reader takes a path.
  static const std::string dir = [] {
    std::string d = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    return d + "/folio-zip-fuzz-" + std::to_string(::getpid());
  }();
  static const bool made = std::filesystem::create_directories(dir) || true;
  (void)made;
  const std::string archive = dir + "/in.zip", out = dir + "/out";
  {
    std::ofstream f(archive, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  constexpr std::uint64_t kMax = 1 << 20;
  auto entries = statements::ListZip(archive);
  if (!entries.ok()) return 0;
  for (const auto& e : *entries) {
    if (statements::ExtractZipEntry(archive, e, out, kMax).ok()) {
      const auto got = std::filesystem::file_size(out);
      FOLIO_FUZZ_CHECK(got == e.size && got <= kMax);
    }
  }
  (void)statements::AlipayDetailEntry(*entries);
  return 0;
}
