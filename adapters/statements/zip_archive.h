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

// The entry of an Alipay archive to import: the trade detail (业务明细, not its
// 汇总 summary) when there is one, else the one .csv that is not a summary;
// the account flow (账务明细) beside a trade detail is left aside.
// statement_malformed when there is none or more than one.
Result<ZipEntry> AlipayDetailEntry(const std::vector<ZipEntry>& entries);

}  // namespace folio::statements
