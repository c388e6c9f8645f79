// Statement and bill parsers: files from banks and gateways. One source file,
// one target per format: FOLIO_FUZZ_SOURCE is the statements::Source (set by
// tests/fuzz/CMakeLists.txt).
// Properties: the header counts exactly the lines delivered; every amount is
// non-negative by construction and its whole part has at most
// kAmountTextDigitsMax digits (a parser never accepts an amount outside the limits); a fee never
// uses another currency than its line.
#include <sstream>

#include "adapters/statements/statement.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

// 10^30: one more than the largest value of kAmountTextDigitsMax digits.
folio::u128 DigitsLimit() {
  folio::u128 v = 1;
  for (std::size_t i = 0; i < folio::statements::kAmountTextDigitsMax; ++i) v *= 10;
  return v;
}

// The whole part of `a` (units are scaled to at least the currency's minor
// units, so they may have more digits than the text had).
folio::u128 WholeUnits(const folio::statements::Amount& a) {
  folio::u128 p = 1;
  for (std::uint8_t i = 0; i < a.scale(); ++i) p *= 10;
  return a.units() / p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace folio;
  static const u128 kLimit = DigitsLimit();
  std::istringstream in(std::string(fuzz::Bytes(data, size)));
  statements::ParseOptions opts;
  opts.line_bytes_max = 4096;  // reach the too-large paths with small inputs
  // UnionPay's times name no year: a settle date (2026-12-03 00:00 +08:00).
  opts.settle_date_ns = 1'796'227'200'000'000'000;
  std::uint32_t delivered = 0;
  auto header = statements::ParseStatement(
      static_cast<statements::Source>(FOLIO_FUZZ_SOURCE), in,
      [&](const statements::Line& l) {
        ++delivered;
        FOLIO_FUZZ_CHECK(WholeUnits(l.amount) < kLimit);
        FOLIO_FUZZ_CHECK(WholeUnits(l.fee) < kLimit);
        FOLIO_FUZZ_CHECK(l.fee.is_zero() || l.fee.currency() == l.amount.currency());
        return OkStatus();
      },
      opts);
  if (header.ok()) FOLIO_FUZZ_CHECK(header->lines == delivered);
  return 0;
}
