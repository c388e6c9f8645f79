// Money: an unsigned 128-bit count of an asset's minor unit plus the asset.
//
// Never a float. Parsing is exact: "100.00" CNY is 10000 minor units; a string
// with more decimals than the asset's scale is rejected (amount_precision),
// never rounded. Every arithmetic step checks overflow. Thread-compatible value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/status.h"
#include "schemas/common_generated.h"

namespace folio {

using u128 = unsigned __int128;
using Asset = fb::Asset;

// Largest number of digits accepted in a decimal amount string (u128 has 39).
inline constexpr std::size_t kAmountDigitsMax = 39;

// The asset registry. Scale = number of decimal places of the minor unit.
struct AssetInfo {
  Asset asset;
  std::string_view code;  // ISO 4217 or ticker: "CNY", "USDT", ...
  std::uint8_t scale;
};

// REQUIRES: `asset` is registered (not Asset::Unknown); aborts otherwise.
std::uint8_t AssetScale(Asset asset);
// Empty when `asset` is not registered.
std::string_view AssetCode(Asset asset);
// Case-sensitive upper-case code ("CNY"); nullopt when unknown.
std::optional<Asset> AssetFromCode(std::string_view code);

// Decimal rendering of a u128 ("0", "340282366920938463463374607431768211455").
std::string U128ToString(u128 value);
// Parses plain decimal digits; rejects empty, signs, spaces and overflow.
// Leading zeros are accepted ("007" -> 7).
std::optional<u128> U128FromString(std::string_view digits);

class Money {
 public:
  Money() = default;
  Money(Asset asset, u128 minor) : asset_(asset), minor_(minor) {}

  // Parses "100", "100.5", "100.50" (CNY) -> 10050. Leading zeros are fine
  // ("007.00"). Checks, in this order, the first failing one decides:
  //   1. currency_unknown  asset not registered (Unknown) or code not known
  //                        (case-sensitive: "cny" is unknown).
  //   2. amount_invalid    not `digits [ "." digits ]`: empty, a sign, an
  //                        exponent, spaces, "1,000", ".5", "5.", "1.2.3", or
  //                        more than kAmountDigitsMax digits in total.
  //   3. amount_precision  more decimals than the scale. Strict: trailing zeros
  //                        count, so "1.000" CNY is rejected like "1.001".
  //   4. amount_overflow   the value in minor units does not fit u128.
  static Result<Money> Parse(std::string_view decimal, Asset asset);
  static Result<Money> Parse(std::string_view decimal, std::string_view currency);

  // Always prints exactly `scale` decimals: 10050 CNY -> "100.50", 1 USDT
  // minor -> "0.000001". Parse(ToString(), asset()) gives back *this.
  // REQUIRES (both): asset() is registered.
  std::string ToString() const;
  // "100.50 CNY"
  std::string ToDisplay() const;

  Asset asset() const { return asset_; }
  u128 minor() const { return minor_; }
  bool is_zero() const { return minor_ == 0; }

  // Same asset required (currency_mismatch); overflow -> amount_overflow;
  // a negative result -> amount_underflow.
  Result<Money> Add(const Money& other) const;
  Result<Money> Sub(const Money& other) const;

  friend bool operator==(const Money&, const Money&) = default;

  // To and from the FlatBuffers struct.
  fb::Money ToFb() const;
  static Money FromFb(const fb::Money& m);

 private:
  Asset asset_ = Asset::Unknown;
  u128 minor_ = 0;
};

// amount * rate_bp / 10000, rounded half-up to the minor unit. Exact for every
// amount (no intermediate product can overflow); amount_overflow only when the
// result itself does not fit, which needs rate_bp > 10000 (more than 100%).
Result<u128> ApplyBasisPointsHalfUp(u128 amount_minor, std::uint32_t rate_bp);

}  // namespace folio
