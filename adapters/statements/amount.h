// Exact statement amounts: a decimal of any currency a statement may name,
// kept with every digit the file gave (never a float, never rounded).
//
// A statement may state more fraction digits than its currency's minor unit:
// camt.053 allows five ("8.850" EUR), WeChat Pay prints fees with five
// ("0.60000", "0.00600" CNY), MT940 puts no bound. Trailing zeros beyond the
// minor unit carry no value and are dropped ("8.850" == "8.85"); non-zero
// digits beyond it are kept ("0.00600" CNY is 6 units at scale 3) and make
// the amount `sub_minor()`. How a source compares such amounts with the
// ledger's whole minor units is written in docs/reconciliation.md.
//
// Bounds: at most 30 digits in all, so a value is below 10^30 at its scale and
// the sum of 10^8 of them still fits u128; sums are checked anyway (ExactSum).
// Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/statements/currency.h"
#include "events/money.h"
#include "events/status.h"

namespace folio::statements {

inline constexpr std::size_t kAmountTextDigitsMax = 30;

class Amount {
 public:
  Amount() = default;
  // A ledger amount is exact at its asset's scale. Implicit on purpose: a
  // Money is an Amount (tests and the bill writer build lines from Money).
  Amount(const Money& m);  // NOLINT(google-explicit-constructor)

  // "digits[.digits]" (no sign, no grouping). Errors (statement_amount_invalid,
  // message without a line number): not a decimal, more than
  // kAmountTextDigitsMax digits, more fraction digits than `fraction_digits_max`.
  static Result<Amount> Parse(std::string_view text, const CurrencyInfo& currency,
                              std::size_t fraction_digits_max);

  std::string_view currency() const { return code_; }  // "" when default-constructed
  Asset asset() const { return asset_; }               // the ledger's asset, or Unknown
  std::uint8_t minor_units() const { return minor_units_; }
  std::uint8_t scale() const { return scale_; }  // >= minor_units()
  u128 units() const { return units_; }          // value x 10^scale
  bool is_zero() const { return units_ == 0; }
  bool sub_minor() const { return scale_ > minor_units_; }
  // The value in minor units. REQUIRES: !sub_minor().
  u128 minor() const;
  // The ledger's Money: only when the ledger holds the currency and the value
  // is whole minor units.
  std::optional<Money> ToMoney() const;
  // The value at `scale` digits (scale >= scale()); nullopt on overflow.
  std::optional<u128> UnitsAt(std::uint8_t scale) const;
  // Exact decimal with at least minor_units() digits: "8.85", "0.006", "500".
  std::string ToString() const;
  std::string ToDisplay() const;  // "8.85 EUR"

  // Same currency and the same value (scales normalised).
  friend bool operator==(const Amount& a, const Amount& b);

 private:
  std::string_view code_;  // static storage: the currency table or the asset registry
  Asset asset_ = Asset::Unknown;
  std::uint8_t minor_units_ = 0, scale_ = 0;
  u128 units_ = 0;
};

// An exact signed total in one currency: balances, column sums.
class ExactSum {
 public:
  // Adds +a or -a. False, and the sum becomes unusable, when the currency
  // differs from the first one added or the total overflows.
  bool Add(const Amount& a, bool negative);
  bool ok() const { return ok_; }
  // The total equals the signed amount `a` (false when !ok()).
  bool Equals(const Amount& a, bool negative) const;
  std::string ToString() const;  // "-12.345 EUR"; "0" when empty
  std::string Decimal() const;   // "-12.345"; "0" when empty
  bool negative() const { return negative_; }
  u128 magnitude() const { return magnitude_; }
  std::uint8_t scale() const { return scale_; }

 private:
  std::string_view code_;
  std::uint8_t scale_ = 0;
  bool negative_ = false, ok_ = true;
  u128 magnitude_ = 0;
};

}  // namespace folio::statements
