// The bill archives gateways hand out: a ZIP holding the detail CSV and a
// summary CSV (Alipay: "..._业务明细.csv" and "..._业务明细(汇总).csv").
//
// Reads the central directory (no ZIP64, no encryption; names in GBK unless
// the UTF-8 flag is set) and extracts one entry, stored or deflated, to a
// file, streaming through zlib with a fixed buffer and checking size and
// CRC-32. Entries larger than `bytes_max` are refused (zip bombs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/status.h"

namespace folio::statements {

struct ZipEntry {
  std::string name;          // UTF-8
  std::uint16_t method = 0;  // 0 stored, 8 deflated
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0, size = 0;
  std::uint64_t local_header_offset = 0;
};

Result<std::vector<ZipEntry>> ListZip(const std::string& path);

// Extracts `entry` of the archive at `path` to `out_path`.
Status ExtractZipEntry(const std::string& path, const ZipEntry& entry, const std::string& out_path,
                       std::uint64_t bytes_max = 8ULL << 30);

// The same on an archive in memory (one handed over in an API answer:
// UnionPay's file transfer, adapters/gateways/unionpay_api.h). Errors are
// statement_malformed, as for a file.
Result<std::vector<ZipEntry>> ListZipBytes(std::string_view zip);
Result<std::string> ExtractZipEntryBytes(std::string_view zip, const ZipEntry& entry,
                                         std::uint64_t bytes_max);

// A ZIP of `files` (name, bytes), in that order, each deflated, names
// flagged UTF-8: the sandbox's archives and tests'.
std::string MakeZip(const std::vector<std::pair<std::string, std::string>>& files);

// A zlib stream (RFC 1950: header, deflate, Adler-32), as Java's
// Deflater/Inflater make and read them (ACP's fileContent). ZlibInflate:
// statement_malformed for a stream that is corrupt, cut, followed by more
// bytes, or that inflates to more than `bytes_max`.
Result<std::string> ZlibInflate(std::string_view data, std::uint64_t bytes_max);
std::string ZlibDeflate(std::string_view data);

// The entry of an Alipay archive to import: the trade detail (业务明细, not its
// 汇总 summary) when there is one, else the one .csv that is not a summary;
// the account flow (账务明细) beside a trade detail is left aside.
// statement_malformed when there is none or more than one.
Result<ZipEntry> AlipayDetailEntry(const std::vector<ZipEntry>& entries);

}  // namespace folio::statements
