#include "adapters/statements/currency.h"

#include <unicode/ucurr.h>
#include <unicode/uenum.h>

#include <map>
#include <string>

namespace folio::statements {
namespace {

// ISO 4217 minor units where CLDR's display digits differ (ISO 4217 list one,
// and list three for the withdrawn MRO and STD). Each entry is checked by a
// test against ICU, so a future ICU that agrees with ISO shows up.
struct Override {
  const char* code;
  std::uint8_t minor_units;
};
constexpr Override kIsoMinorUnits[] = {
    {"AFN", 2}, {"ALL", 2}, {"IQD", 3}, {"IRR", 2}, {"KPW", 2}, {"LAK", 2}, {"LBP", 2}, {"MGA", 2},
    {"MMK", 2}, {"RSD", 2}, {"SLL", 2}, {"SOS", 2}, {"SYP", 2}, {"YER", 2}, {"MRO", 2}, {"STD", 2},
};

struct Table {
  std::map<std::string, CurrencyInfo, std::less<>> by_code;
};

void AddIcu(Table& t, UCurrCurrencyType type, bool withdrawn) {
  UErrorCode status = U_ZERO_ERROR;
  UEnumeration* codes = ucurr_openISOCurrencies(static_cast<uint32_t>(type), &status);
  if (U_FAILURE(status)) return;
  const char* c = nullptr;
  while ((c = uenum_next(codes, nullptr, &status)) != nullptr && U_SUCCESS(status)) {
    const std::string code(c);
    if (code.size() != 3) continue;
    const UChar u[4] = {static_cast<UChar>(code[0]), static_cast<UChar>(code[1]),
                        static_cast<UChar>(code[2]), 0};
    UErrorCode digits_status = U_ZERO_ERROR;
    const int32_t digits = ucurr_getDefaultFractionDigits(u, &digits_status);
    if (U_FAILURE(digits_status) || digits < 0 || digits > 9) continue;
    auto [it, fresh] = t.by_code.try_emplace(code);
    if (fresh) it->second.minor_units = static_cast<std::uint8_t>(digits);
    it->second.withdrawn = withdrawn || (!fresh && it->second.withdrawn);
  }
  uenum_close(codes);
}

Table Build() {
  Table t;
  AddIcu(t, UCURR_ALL, false);
  AddIcu(t, UCURR_DEPRECATED, true);
  for (const Override& o : kIsoMinorUnits) {
    if (auto it = t.by_code.find(std::string_view(o.code)); it != t.by_code.end()) {
      it->second.minor_units = o.minor_units;
    }
  }
  // The ledger's assets: their registry scale, and crypto tickers ICU lacks.
  for (int a = 1; a <= 255; ++a) {
    const Asset asset = static_cast<Asset>(a);
    const std::string_view code = AssetCode(asset);
    if (code.empty()) continue;
    CurrencyInfo& info = t.by_code[std::string(code)];
    info.minor_units = AssetScale(asset);
    info.ledger_asset = asset;
  }
  for (auto& [code, info] : t.by_code) info.code = code;
  return t;
}

const Table& Get() {
  static const Table table = Build();
  return table;
}

}  // namespace

std::optional<CurrencyInfo> FindCurrency(std::string_view code) {
  const Table& t = Get();
  auto it = t.by_code.find(code);
  if (it == t.by_code.end()) return std::nullopt;
  return it->second;
}

std::size_t CurrencyCount() { return Get().by_code.size(); }

}  // namespace folio::statements
