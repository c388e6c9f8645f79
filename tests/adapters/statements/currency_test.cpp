// The currency table: every ISO 4217 code from ICU, ISO's minor units where
// CLDR's display digits differ, withdrawn codes, and the ledger's assets.
#include <doctest/doctest.h>

#include <unicode/ucurr.h>

#include "adapters/statements/currency.h"

namespace folio::statements {

TEST_CASE("currency: ISO 4217 minor units, withdrawn codes, ledger assets") {
  struct Want {
    const char* code;
    int minor_units;
    bool withdrawn;
    Asset asset;
  };
  const Want wants[] = {
      {"SEK", 2, false, Asset::Unknown}, {"CHF", 2, false, Asset::Unknown},
      {"HUF", 2, false, Asset::Unknown}, {"PLN", 2, false, Asset::Unknown},
      {"JPY", 0, false, Asset::Unknown}, {"KRW", 0, false, Asset::Unknown},
      {"BHD", 3, false, Asset::Unknown}, {"KWD", 3, false, Asset::Unknown},
      {"JOD", 3, false, Asset::Unknown}, {"IQD", 3, false, Asset::Unknown},
      {"CLF", 4, false, Asset::Unknown}, {"UYW", 4, false, Asset::Unknown},
      {"DEM", 2, true, Asset::Unknown},  {"FRF", 2, true, Asset::Unknown},
      {"ITL", 0, true, Asset::Unknown},  {"CNY", 2, false, Asset::CNY},
      {"EUR", 2, false, Asset::EUR},     {"USDT", 6, false, Asset::USDT},
      {"ETH", 18, false, Asset::ETH},
  };
  for (const Want& w : wants) {
    CAPTURE(w.code);
    const auto c = FindCurrency(w.code);
    REQUIRE(c.has_value());
    CHECK(c->code == w.code);
    CHECK(c->minor_units == w.minor_units);
    CHECK(c->withdrawn == w.withdrawn);
    CHECK(c->ledger_asset == w.asset);
  }
  CHECK_FALSE(FindCurrency("XYZ").has_value());
  CHECK_FALSE(FindCurrency("sek").has_value());
  CHECK_FALSE(FindCurrency("").has_value());
  CHECK(CurrencyCount() > 250);  // ICU 72: 306 codes, current and withdrawn
}

TEST_CASE("currency: each ISO override differs from ICU's digits, so it is still needed") {
  // If a later ICU agrees with ISO 4217 for one of these, its override in
  // currency.cc can go; this test says which.
  for (const char* code :
       {"AFN", "ALL", "IQD", "IRR", "LAK", "LBP", "MGA", "MMK", "RSD", "SOS", "SYP", "YER"}) {
    CAPTURE(code);
    const UChar u[4] = {static_cast<UChar>(code[0]), static_cast<UChar>(code[1]),
                        static_cast<UChar>(code[2]), 0};
    UErrorCode status = U_ZERO_ERROR;
    const int icu = ucurr_getDefaultFractionDigits(u, &status);
    REQUIRE(U_SUCCESS(status));
    CHECK(icu != FindCurrency(code)->minor_units);
  }
}

}  // namespace folio::statements
