// Alipay's bill archive: the detail CSV is found (GBK names) and extracted
// through zlib with size and CRC checks; the summary file is never chosen;
// broken archives are errors, never crashes.
#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "adapters/statements/statement.h"
#include "adapters/statements/zip_archive.h"
#include "tests/adapters/statements/zip_writer.h"
#include "tests/test_support.h"

namespace folio::statements {
namespace {

// "20881234_20261101_业务明细.csv" and "..._业务明细(汇总).csv" in GBK.
const std::string kDetailGbk = "20881234_20261101_\xD2\xB5\xCE\xF1\xC3\xF7\xCF\xB8.csv";
const std::string kSummaryGbk =
    "20881234_20261101_\xD2\xB5\xCE\xF1\xC3\xF7\xCF\xB8(\xBB\xE3\xD7\xDC).csv";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("zip: the detail CSV of an Alipay archive is found and extracted exactly") {
  testing::TempDir dir;
  std::string detail;
  for (int i = 0; i < 20000; ++i) detail += "line " + std::to_string(i) + ",\t\n";
  const std::string zip = dir.str() + "/bill.zip";
  std::ofstream(zip, std::ios::binary)
      << testing::ZipOf({{kSummaryGbk, "summary"}, {kDetailGbk, detail}});
  auto entries = ListZip(zip);
  REQUIRE_MESSAGE(entries.ok(), entries.status().ToString());
  REQUIRE(entries->size() == 2);
  CHECK((*entries)[0].name == "20881234_20261101_业务明细(汇总).csv");
  auto pick = AlipayDetailEntry(*entries);
  REQUIRE(pick.ok());
  CHECK(pick->name == "20881234_20261101_业务明细.csv");
  REQUIRE(ExtractZipEntry(zip, *pick, dir.str() + "/out.csv").ok());
  CHECK(Slurp(dir.str() + "/out.csv") == detail);

  SUBCASE("only the summary") {
    std::ofstream(zip, std::ios::binary) << testing::ZipOf({{kSummaryGbk, "summary"}});
    CHECK(AlipayDetailEntry(*ListZip(zip)).status().code() == kStatementMalformed);
  }
  SUBCASE("a declared size below the real one (zip bomb guard)") {
    ZipEntry e = *pick;
    e.size = 100;
    CHECK(ExtractZipEntry(zip, e, dir.str() + "/x").code() == kStatementMalformed);
    CHECK(ExtractZipEntry(zip, *pick, dir.str() + "/x", 1000).code() == kStatementMalformed);
  }
  SUBCASE("truncations and byte flips are errors, never crashes") {
    const std::string bytes = Slurp(zip);
    for (std::size_t n = 0; n < bytes.size(); n += 97) {
      std::ofstream(zip, std::ios::binary | std::ios::trunc) << bytes.substr(0, n);
      auto l = ListZip(zip);
      if (l.ok()) {
        for (const ZipEntry& e : *l) (void)ExtractZipEntry(zip, e, dir.str() + "/x");
      }
    }
    std::mt19937 rng(3);
    int failures = 0;
    for (int i = 0; i < 300; ++i) {
      std::string b = bytes;
      const std::size_t at = rng() % b.size();
      b[at] = static_cast<char>(b[at] ^ static_cast<char>(1 + rng() % 255));
      std::ofstream(zip, std::ios::binary | std::ios::trunc) << b;
      auto l = ListZip(zip);
      if (!l.ok()) {
        ++failures;
        continue;
      }
      for (const ZipEntry& e : *l) {
        if (!ExtractZipEntry(zip, e, dir.str() + "/x").ok()) ++failures;
      }
    }
    CHECK(failures > 250);  // nearly every flip is caught (CRC-32, sizes, headers)
  }
}

}  // namespace folio::statements

namespace folio::statements {

TEST_CASE("zip in memory: MakeZip, ListZipBytes and ExtractZipEntryBytes agree with the files") {
  std::string inn;
  for (int i = 0; i < 5000; ++i) inn += "S22 record " + std::to_string(i) + "\r\n";
  const std::string zip = MakeZip({{"INN26120301ACOMN", inn}, {"INN26120301ZM_x", "other"}});
  auto entries = ListZipBytes(zip);
  REQUIRE_MESSAGE(entries.ok(), entries.status().ToString());
  REQUIRE(entries->size() == 2);
  CHECK((*entries)[0].name == "INN26120301ACOMN");
  CHECK((*entries)[0].method == 8);
  CHECK((*entries)[0].compressed_size < inn.size());
  auto bytes = ExtractZipEntryBytes(zip, (*entries)[0], 1 << 20);
  REQUIRE_MESSAGE(bytes.ok(), bytes.status().ToString());
  CHECK(*bytes == inn);
  CHECK(*ExtractZipEntryBytes(zip, (*entries)[1], 1 << 20) == "other");
  // The file reader reads MakeZip's archive, the memory reader the test writer's.
  testing::TempDir dir;
  std::ofstream(dir.str() + "/a.zip", std::ios::binary) << zip;
  auto from_file = ListZip(dir.str() + "/a.zip");
  REQUIRE(from_file.ok());
  REQUIRE(from_file->size() == 2);
  REQUIRE(ExtractZipEntry(dir.str() + "/a.zip", (*from_file)[0], dir.str() + "/inn").ok());
  CHECK(Slurp(dir.str() + "/inn") == inn);
  const std::string other = testing::ZipOf({{kDetailGbk, "detail"}});
  auto theirs = ListZipBytes(other);
  REQUIRE(theirs.ok());
  REQUIRE(theirs->size() == 1);
  CHECK(*ExtractZipEntryBytes(other, (*theirs)[0], 1 << 20) == "detail");
  // Bounds: a larger entry than allowed, every truncation, byte flips.
  CHECK(ExtractZipEntryBytes(zip, (*entries)[0], inn.size() - 1).status().code() ==
        kStatementMalformed);
  for (std::size_t n = 0; n < zip.size(); n += 3) {
    const std::string cut = zip.substr(0, n);
    auto e = ListZipBytes(cut);
    if (!e.ok()) {
      CHECK(e.status().code() == kStatementMalformed);
      continue;
    }
    for (const ZipEntry& entry : *e) {
      auto x = ExtractZipEntryBytes(cut, entry, 1 << 20);
      if (!x.ok()) CHECK(x.status().code() == kStatementMalformed);
    }
  }
  std::mt19937 rng(76);
  int corrupt = 0;
  for (int i = 0; i < 500; ++i) {
    std::string b = zip;
    const std::size_t at = rng() % b.size();
    b[at] = static_cast<char>(b[at] ^ static_cast<char>(1 + rng() % 255));
    auto e = ListZipBytes(b);
    if (!e.ok() || e->empty()) continue;
    auto x = ExtractZipEntryBytes(b, (*e)[0], 1 << 20);
    if (!x.ok()) {
      ++corrupt;
      CHECK(x.status().code() == kStatementMalformed);
    } else {
      CHECK(*x == inn);  // a flip outside the entry's data and its size and CRC fields
    }
  }
  CHECK(corrupt > 0);
}

TEST_CASE(
    "zip in memory: zlib streams round trip and cut or padded or oversized ones are refused") {
  const std::string text(100'000, 'a');
  const std::string z = ZlibDeflate(text);
  CHECK(z.size() < 1000);
  CHECK(static_cast<unsigned char>(z[0]) == 0x78);  // RFC 1950 header, as Java's Deflater
  auto back = ZlibInflate(z, text.size());
  REQUIRE(back.ok());
  CHECK(*back == text);
  CHECK(ZlibInflate(z, text.size() - 1).status().code() == kStatementMalformed);  // a bomb
  CHECK(ZlibInflate(z + "x", text.size()).status().code() == kStatementMalformed);
  for (std::size_t n = 0; n < z.size(); ++n) {
    CHECK(ZlibInflate(z.substr(0, n), text.size()).status().code() == kStatementMalformed);
  }
  CHECK(ZlibInflate("PK\x03\x04", 100).status().code() == kStatementMalformed);
  CHECK(ZlibInflate("", 100).status().code() == kStatementMalformed);
}

}  // namespace folio::statements
