// Writes a ZIP archive (deflated entries, names as given: GBK for Alipay's
// archives) for the archive tests.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace folio::testing {

inline void PutLe(std::string& out, std::uint32_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

inline std::string Deflate(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// entries: (name bytes, content)
inline std::string ZipOf(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out, cd;
  for (const auto& [name, data] : entries) {
    const std::string comp = Deflate(data);
    const auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const auto offset = static_cast<std::uint32_t>(out.size());
    PutLe(out, 0x04034b50, 4);
    PutLe(out, 20, 2);
    PutLe(out, 0, 2);
    PutLe(out, 8, 2);
    PutLe(out, 0, 4);
    PutLe(out, crc, 4);
    PutLe(out, static_cast<std::uint32_t>(comp.size()), 4);
    PutLe(out, static_cast<std::uint32_t>(data.size()), 4);
    PutLe(out, static_cast<std::uint32_t>(name.size()), 2);
    PutLe(out, 0, 2);
    out += name;
    out += comp;
    PutLe(cd, 0x02014b50, 4);
    PutLe(cd, 20, 2);
    PutLe(cd, 20, 2);
    PutLe(cd, 0, 2);
    PutLe(cd, 8, 2);
    PutLe(cd, 0, 4);
    PutLe(cd, crc, 4);
    PutLe(cd, static_cast<std::uint32_t>(comp.size()), 4);
    PutLe(cd, static_cast<std::uint32_t>(data.size()), 4);
    PutLe(cd, static_cast<std::uint32_t>(name.size()), 2);
    PutLe(cd, 0, 2);
    PutLe(cd, 0, 2);
    PutLe(cd, 0, 2);
    PutLe(cd, 0, 2);
    PutLe(cd, 0, 4);
    PutLe(cd, offset, 4);
    cd += name;
  }
  const auto cd_offset = static_cast<std::uint32_t>(out.size());
  out += cd;
  PutLe(out, 0x06054b50, 4);
  PutLe(out, 0, 2);
  PutLe(out, 0, 2);
  PutLe(out, static_cast<std::uint32_t>(entries.size()), 2);
  PutLe(out, static_cast<std::uint32_t>(entries.size()), 2);
  PutLe(out, static_cast<std::uint32_t>(cd.size()), 4);
  PutLe(out, cd_offset, 4);
  PutLe(out, 0, 2);
  return out;
}

}  // namespace folio::testing
