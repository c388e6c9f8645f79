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
      b[rng() % b.size()] ^= static_cast<char>(1 + rng() % 255);
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
