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

// REQUIRES: asset != Asset::Unknown for Scale().
std::uint8_t AssetScale(Asset asset);
std::string_view AssetCode(Asset asset);
// Case-sensitive upper-case code ("CNY"); nullopt when unknown.
std::optional<Asset> AssetFromCode(std::string_view code);

// Decimal rendering of a u128 ("0", "340282366920938463463374607431768211455").
std::string U128ToString(u128 value);
// Parses plain decimal digits; rejects empty, signs, spaces and overflow.
std::optional<u128> U128FromString(std::string_view digits);

class Money {
 public:
  Money() = default;
  Money(Asset asset, u128 minor) : asset_(asset), minor_(minor) {}

  // Parses "100", "100.5", "100.50" (CNY) -> 10050. Rejects: empty, signs,
  // exponents, spaces, leading/trailing dots, more decimals than the scale
  // (amount_precision), values past u128 (amount_overflow), unknown currency.
  static Result<Money> Parse(std::string_view decimal, Asset asset);
  static Result<Money> Parse(std::string_view decimal, std::string_view currency);

  // Always prints exactly `scale` decimals: 10050 CNY -> "100.50".
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

// amount * rate_bp / 10000, rounded half-up to the minor unit. Overflow-checked.
Result<u128> ApplyBasisPointsHalfUp(u128 amount_minor, std::uint32_t rate_bp);

}  // namespace folio
