// The currencies a statement may name: every ISO 4217 code, current and
// withdrawn, with its minor units, plus the ledger's own assets.
//
// Source: ICU's currency data (libicu, CLDR), read once at first use through
// ucurr_openISOCurrencies(UCURR_ALL) and ucurr_getDefaultFractionDigits. ICU
// is maintained by Debian and updated with it, so a new or withdrawn code
// arrives without a change here. CLDR's "digits" are display digits, which
// for a few currencies are fewer than ISO 4217's minor units (CLDR shows no
// fils for IQD, ISO 4217 has 3); for those, listed in currency.cc and tested,
// the ISO 4217 minor unit wins, because a bank states amounts in it. Codes
// ICU marks deprecated (DEM, FRF, ITL, ...) are accepted with the scale they
// had and flagged `withdrawn`. The ledger's assets (events/money.h) keep
// their registry scale, crypto tickers included.
//
// Thread-safe: the table is built once (a function-local static) and never
// changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "events/money.h"

namespace folio::statements {

struct CurrencyInfo {
  std::string_view code;                // "SEK"; points into the table (lives forever)
  std::uint8_t minor_units = 0;         // ISO 4217 minor units (JPY 0, BHD 3, CLF 4)
  bool withdrawn = false;               // no longer legal tender (DEM, FRF, ...)
  Asset ledger_asset = Asset::Unknown;  // the ledger's asset, when it holds this currency
};

// Upper-case three-letter code (or a ledger ticker such as "USDT"); nullopt
// when unknown.
std::optional<CurrencyInfo> FindCurrency(std::string_view code);

// How many codes the table holds (tests; > 250 with ICU 72).
std::size_t CurrencyCount();

}  // namespace folio::statements
