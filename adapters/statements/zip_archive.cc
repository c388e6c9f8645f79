#include "adapters/statements/zip_archive.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include <zlib.h>

#include <fstream>

#include "adapters/statements/gbk.h"
#include "adapters/statements/statement.h"
#include "engine/assert.h"
#include "events/codes.h"

namespace folio::statements {
namespace {

constexpr std::uint32_t kEndOfCentralDir = 0x06054b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kLocalHeader = 0x04034b50;

std::uint32_t Le(const unsigned char* p, int n) {
  std::uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

Status Bad(std::string what) { return Status::Error(kStatementMalformed, "zip: " + what); }

bool ReadAt(std::ifstream& in, std::uint64_t offset, unsigned char* buf, std::size_t n) {
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(buf), static_cast<std::streamsize>(n));
  return static_cast<std::size_t>(in.gcount()) == n;
}

}  // namespace

namespace {

using ReadAtFn = std::function<bool(std::uint64_t offset, unsigned char* buf, std::size_t n)>;

// The central directory of an archive of `size` bytes read through `read_at`.
Result<std::vector<ZipEntry>> ParseDirectory(std::uint64_t size, const ReadAtFn& read_at) {
  // The end record is in the last 22 + 65535 bytes (its comment is at most 64 KiB).
  const std::uint64_t tail = std::min<std::uint64_t>(size, 22 + 65535);
  std::vector<unsigned char> buf(tail);
  if (tail < 22 || !read_at(size - tail, buf.data(), tail)) return Bad("too short");
  std::size_t eocd = std::string::npos;
  for (std::size_t i = tail - 22 + 1; i-- > 0;) {
    if (Le(&buf[i], 4) == kEndOfCentralDir) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string::npos) return Bad("no end of central directory (truncated?)");
  const std::uint32_t count = Le(&buf[eocd + 10], 2);
  const std::uint64_t cd_size = Le(&buf[eocd + 12], 4), cd_offset = Le(&buf[eocd + 16], 4);
  if (cd_offset + cd_size > size || cd_size > (64u << 20)) return Bad("bad central directory");
  std::vector<unsigned char> cd(cd_size);
  if (!read_at(cd_offset, cd.data(), cd.size())) return Bad("cannot read central directory");
  std::vector<ZipEntry> out;
  GbkDecoder gbk;
  std::size_t p = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (p + 46 > cd.size() || Le(&cd[p], 4) != kCentralHeader) return Bad("bad central header");
    ZipEntry e;
    const std::uint32_t flags = Le(&cd[p + 8], 2);
    e.method = static_cast<std::uint16_t>(Le(&cd[p + 10], 2));
    e.crc32 = Le(&cd[p + 16], 4);
    e.compressed_size = Le(&cd[p + 20], 4);
    e.size = Le(&cd[p + 24], 4);
    const std::size_t name_len = Le(&cd[p + 28], 2), extra = Le(&cd[p + 30], 2),
                      comment = Le(&cd[p + 32], 2);
    e.local_header_offset = Le(&cd[p + 42], 4);
    if (p + 46 + name_len + extra + comment > cd.size()) return Bad("bad central header");
    const std::string raw(reinterpret_cast<const char*>(&cd[p + 46]), name_len);
    if ((flags & 0x800) != 0 || !gbk.Decode(raw, &e.name)) e.name = raw;
    if ((flags & 0x1) != 0) return Bad("encrypted entry " + e.name);
    if (e.size == 0xFFFFFFFF || e.compressed_size == 0xFFFFFFFF) return Bad("ZIP64 not supported");
    out.push_back(std::move(e));
    p += 46 + name_len + extra + comment;
  }
  return out;
}

// Inflates all of `in` (window_bits as inflateInit2: -15 raw deflate, 15
// zlib) into at most `bytes_max` bytes; the stream must end exactly at the
// end of `in`.
Result<std::string> Inflate(std::string_view in, int window_bits, std::uint64_t bytes_max) {
  z_stream z{};
  if (inflateInit2(&z, window_bits) != Z_OK) return Bad("zlib init");
  std::string out;
  std::vector<unsigned char> dst(1 << 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  Status st;
  int r = Z_OK;
  while (st.ok() && r != Z_STREAM_END) {
    z.next_out = dst.data();
    z.avail_out = static_cast<uInt>(dst.size());
    r = inflate(&z, Z_NO_FLUSH);
    const std::size_t got = dst.size() - z.avail_out;
    if (r != Z_OK && r != Z_STREAM_END) {
      st = Bad(r == Z_BUF_ERROR ? "compressed data cut short" : "corrupt compressed data");
    } else if (out.size() + got > bytes_max) {
      st = Bad("inflates to more than " + std::to_string(bytes_max) + " bytes");
    } else {
      out.append(reinterpret_cast<const char*>(dst.data()), got);
    }
  }
  const bool trailing = st.ok() && z.avail_in != 0;
  inflateEnd(&z);
  RETURN_IF_ERROR(st);
  if (trailing) return Bad("bytes after the end of the compressed data");
  return out;
}

std::string Deflate(std::string_view in, int window_bits) {
  z_stream z{};
  const int init =
      deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  FOLIO_ASSERT(init == Z_OK, "zlib deflateInit2 with valid arguments");
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int r = deflate(&z, Z_FINISH);
  FOLIO_ASSERT(r == Z_STREAM_END, "deflateBound is enough by its contract");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

void PutLe(std::string& out, std::uint32_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

Result<std::vector<ZipEntry>> ListZip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(codes::kIoError, "cannot open " + path);
  in.seekg(0, std::ios::end);
  const std::uint64_t size = static_cast<std::uint64_t>(in.tellg());
  return ParseDirectory(size, [&in](std::uint64_t offset, unsigned char* buf, std::size_t n) {
    return ReadAt(in, offset, buf, n);
  });
}

Result<std::vector<ZipEntry>> ListZipBytes(std::string_view zip) {
  return ParseDirectory(zip.size(), [zip](std::uint64_t offset, unsigned char* buf, std::size_t n) {
    if (offset > zip.size() || n > zip.size() - offset) return false;
    std::memcpy(buf, zip.data() + offset, n);
    return true;
  });
}

Result<std::string> ExtractZipEntryBytes(std::string_view zip, const ZipEntry& e,
                                         std::uint64_t bytes_max) {
  if (e.size > bytes_max) return Bad("entry larger than " + std::to_string(bytes_max) + " bytes");
  if (e.method != 0 && e.method != 8) return Bad("compression method " + std::to_string(e.method));
  const auto* z = reinterpret_cast<const unsigned char*>(zip.data());
  if (e.local_header_offset > zip.size() || zip.size() - e.local_header_offset < 30 ||
      Le(z + e.local_header_offset, 4) != kLocalHeader) {
    return Bad("bad local header");
  }
  const std::uint64_t data = e.local_header_offset + 30 + Le(z + e.local_header_offset + 26, 2) +
                             Le(z + e.local_header_offset + 28, 2);
  if (data > zip.size() || e.compressed_size > zip.size() - data) return Bad("entry truncated");
  const std::string_view packed = zip.substr(data, e.compressed_size);
  std::string out;
  if (e.method == 0) {
    out = std::string(packed);
  } else {
    ASSIGN_OR_RETURN(out, Inflate(packed, -MAX_WBITS, e.size));
  }
  if (out.size() != e.size) return Bad("entry not of its declared size");
  const uLong crc = crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(out.data()),
                          static_cast<uInt>(out.size()));
  if (crc != e.crc32) return Bad("CRC-32 mismatch");
  return out;
}

std::string MakeZip(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string zip, cd;
  for (const auto& file : files) {
    // Named references, not a structured binding: Clang 14 cannot capture one.
    const std::string& name = file.first;
    const std::string& bytes = file.second;
    const std::string packed = Deflate(bytes, -MAX_WBITS);
    const auto crc = static_cast<std::uint32_t>(crc32(crc32(0, nullptr, 0),
                                                      reinterpret_cast<const Bytef*>(bytes.data()),
                                                      static_cast<uInt>(bytes.size())));
    const auto offset = static_cast<std::uint32_t>(zip.size());
    auto common = [&](std::string& out) {
      PutLe(out, 20, 2);     // version needed: 2.0 (deflate)
      PutLe(out, 0x800, 2);  // the name is UTF-8
      PutLe(out, 8, 2);      // deflated
      PutLe(out, 0, 2);      // time 00:00
      PutLe(out, 0x21, 2);   // date 1980-01-01
      PutLe(out, crc, 4);
      PutLe(out, static_cast<std::uint32_t>(packed.size()), 4);
      PutLe(out, static_cast<std::uint32_t>(bytes.size()), 4);
      PutLe(out, static_cast<std::uint32_t>(name.size()), 2);
      PutLe(out, 0, 2);  // extra
    };
    PutLe(zip, kLocalHeader, 4);
    common(zip);
    zip += name;
    zip += packed;
    PutLe(cd, kCentralHeader, 4);
    PutLe(cd, 20, 2);  // made by
    common(cd);
    PutLe(cd, 0, 2);  // comment
    PutLe(cd, 0, 2);  // disk
    PutLe(cd, 0, 2);  // internal attributes
    PutLe(cd, 0, 4);  // external attributes
    PutLe(cd, offset, 4);
    cd += name;
  }
  const auto cd_offset = static_cast<std::uint32_t>(zip.size());
  zip += cd;
  PutLe(zip, kEndOfCentralDir, 4);
  PutLe(zip, 0, 4);  // disk numbers
  PutLe(zip, static_cast<std::uint32_t>(files.size()), 2);
  PutLe(zip, static_cast<std::uint32_t>(files.size()), 2);
  PutLe(zip, static_cast<std::uint32_t>(cd.size()), 4);
  PutLe(zip, cd_offset, 4);
  PutLe(zip, 0, 2);  // comment
  return zip;
}

Result<std::string> ZlibInflate(std::string_view data, std::uint64_t bytes_max) {
  return Inflate(data, MAX_WBITS, bytes_max);
}

std::string ZlibDeflate(std::string_view data) { return Deflate(data, MAX_WBITS); }

Status ExtractZipEntry(const std::string& path, const ZipEntry& e, const std::string& out_path,
                       std::uint64_t bytes_max) {
  if (e.size > bytes_max) return Bad("entry larger than " + std::to_string(bytes_max) + " bytes");
  if (e.method != 0 && e.method != 8) return Bad("compression method " + std::to_string(e.method));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(codes::kIoError, "cannot open " + path);
  unsigned char lh[30];
  if (!ReadAt(in, e.local_header_offset, lh, 30) || Le(lh, 4) != kLocalHeader) {
    return Bad("bad local header");
  }
  const std::uint64_t data = e.local_header_offset + 30 + Le(lh + 26, 2) + Le(lh + 28, 2);
  in.clear();
  in.seekg(static_cast<std::streamoff>(data));
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::Error(codes::kIoError, "cannot write " + out_path);
  z_stream z{};
  if (e.method == 8 && inflateInit2(&z, -MAX_WBITS) != Z_OK) return Bad("zlib init");
  std::vector<unsigned char> src(1 << 16), dst(1 << 16);
  std::uint64_t left = e.compressed_size, written = 0;
  uLong crc = crc32(0, nullptr, 0);
  Status st;
  bool done = false;
  while (!done && st.ok()) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, src.size()));
    in.read(reinterpret_cast<char*>(src.data()), static_cast<std::streamsize>(n));
    if (static_cast<std::size_t>(in.gcount()) != n) {
      st = Bad("entry truncated");
      break;
    }
    left -= n;
    auto emit = [&](const unsigned char* b, std::size_t k) {
      written += k;
      if (written > e.size) return false;
      crc = crc32(crc, b, static_cast<uInt>(k));
      out.write(reinterpret_cast<const char*>(b), static_cast<std::streamsize>(k));
      return true;
    };
    if (e.method == 0) {
      if (!emit(src.data(), n)) st = Bad("entry longer than declared");
      done = left == 0;
      continue;
    }
    z.next_in = src.data();
    z.avail_in = static_cast<uInt>(n);
    do {
      z.next_out = dst.data();
      z.avail_out = static_cast<uInt>(dst.size());
      const int r = inflate(&z, Z_NO_FLUSH);
      if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) {
        st = Bad("corrupt deflate data");
        break;
      }
      if (!emit(dst.data(), dst.size() - z.avail_out)) {
        st = Bad("entry longer than declared");
        break;
      }
      if (r == Z_STREAM_END) done = true;
      if (r == Z_BUF_ERROR && left == 0) {
        st = Bad("entry truncated");
        break;
      }
    } while (st.ok() && !done && z.avail_out == 0);
    if (!done && left == 0 && st.ok() && z.avail_in == 0 && z.avail_out != 0) {
      // All input consumed, no end of stream: keep going only if more input exists.
      st = Bad("entry truncated");
    }
  }
  if (e.method == 8) inflateEnd(&z);
  RETURN_IF_ERROR(st);
  if (written != e.size) return Bad("entry shorter than declared");
  if (crc != e.crc32) return Bad("CRC-32 mismatch");
  out.flush();
  if (!out) return Status::Error(codes::kIoError, "cannot write " + out_path);
  return OkStatus();
}

Result<ZipEntry> AlipayDetailEntry(const std::vector<ZipEntry>& entries) {
  const ZipEntry* found = nullptr;
  // The trade detail (业务明细) is what reconciles; an archive may also hold
  // the account flow (账务明细), which restates the same money, and summaries.
  const bool has_trade = std::any_of(entries.begin(), entries.end(), [](const ZipEntry& e) {
    return e.name.find("业务明细") != std::string::npos && e.name.find("汇总") == std::string::npos;
  });
  for (const ZipEntry& e : entries) {
    const bool csv = e.name.size() > 4 && e.name.compare(e.name.size() - 4, 4, ".csv") == 0;
    if (!csv || e.name.find("汇总") != std::string::npos) continue;
    if (has_trade && e.name.find("业务明细") == std::string::npos) continue;
    if (found != nullptr) return Bad("more than one detail CSV in the archive");
    found = &e;
  }
  if (found == nullptr) return Bad("no detail CSV (only a 汇总 summary?) in the archive");
  return *found;
}

}  // namespace folio::statements
