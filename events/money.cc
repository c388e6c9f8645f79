#include "events/money.h"

#include <array>
#include <cstdlib>
#include <limits>

#include "events/codes.h"

// Amount grammar accepted by Money::Parse (no locale, no whitespace, no sign):
//   amount   := digits [ "." digits ]
//   digits   := one or more of '0'..'9'
// with at most kAmountDigitsMax digits in total and at most `scale` after the dot.

namespace folio {
namespace {

constexpr u128 kU128Max = std::numeric_limits<u128>::max();
constexpr std::uint32_t kBasisPointsPerUnit = 10000;

// The registry. Order is irrelevant; lookups scan it (7 entries).
constexpr std::array<AssetInfo, 7> kAssets = {{
    {Asset::CNY, "CNY", 2},
    {Asset::USD, "USD", 2},
    {Asset::EUR, "EUR", 2},
    {Asset::HKD, "HKD", 2},
    {Asset::USDT, "USDT", 6},
    {Asset::BTC, "BTC", 8},
    {Asset::ETH, "ETH", 18},
}};

const AssetInfo* FindAsset(Asset asset) {
  for (const AssetInfo& info : kAssets) {
    if (info.asset == asset) return &info;
  }
  return nullptr;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// *v = *v * 10 + digit; false (and *v unspecified) when that passes u128.
bool MulAddChecked(u128* v, unsigned digit) {
  if (*v > (kU128Max - digit) / 10) return false;
  *v = *v * 10 + digit;
  return true;
}

// REQUIRES: AllDigits(digits).
bool AccumulateDigits(u128* v, std::string_view digits) {
  for (char c : digits) {
    if (!MulAddChecked(v, static_cast<unsigned>(c - '0'))) return false;
  }
  return true;
}

// Messages are built by appends: GCC 12 at -O3 reports a false -Wrestrict
// for "'" + std::string(...) (a libstdc++ inlining issue).
std::string Quoted(std::string_view text) {
  std::string out(1, '\'');
  out.append(text).push_back('\'');
  return out;
}

Status Invalid(std::string_view decimal, const char* why) {
  return Status::Error(codes::kAmountInvalid, Quoted(decimal).append(": ").append(why));
}

// Splits "int[.frac]" and checks the grammar above. Scale-independent.
Status SplitAmount(std::string_view decimal, std::string_view* int_part,
                   std::string_view* frac_part) {
  if (decimal.empty()) return Invalid(decimal, "empty amount");
  const std::size_t dot = decimal.find('.');
  *int_part = decimal.substr(0, dot);
  *frac_part = dot == std::string_view::npos ? std::string_view() : decimal.substr(dot + 1);
  if (int_part->empty()) return Invalid(decimal, "no digit before the decimal point");
  if (dot != std::string_view::npos && frac_part->empty()) {
    return Invalid(decimal, "no digit after the decimal point");
  }
  if (!AllDigits(*int_part) || !AllDigits(*frac_part)) {
    return Invalid(decimal, "only digits and one decimal point are allowed");
  }
  if (int_part->size() + frac_part->size() > kAmountDigitsMax) {
    return Invalid(decimal, "too many digits");
  }
  return OkStatus();
}

}  // namespace

std::uint8_t AssetScale(Asset asset) {
  const AssetInfo* info = FindAsset(asset);
  if (info == nullptr) std::abort();  // REQUIRES violated: not a registered asset
  return info->scale;
}

std::string_view AssetCode(Asset asset) {
  const AssetInfo* info = FindAsset(asset);
  return info == nullptr ? std::string_view() : info->code;
}

std::optional<Asset> AssetFromCode(std::string_view code) {
  for (const AssetInfo& info : kAssets) {
    if (info.code == code) return info.asset;
  }
  return std::nullopt;
}

std::string U128ToString(u128 value) {
  char buf[kAmountDigitsMax];
  std::size_t begin = sizeof buf;
  do {
    buf[--begin] = static_cast<char>('0' + static_cast<unsigned>(value % 10));
    value /= 10;
  } while (value != 0);
  return std::string(buf + begin, sizeof buf - begin);
}

std::optional<u128> U128FromString(std::string_view digits) {
  if (digits.empty() || !AllDigits(digits)) return std::nullopt;
  u128 value = 0;
  if (!AccumulateDigits(&value, digits)) return std::nullopt;
  return value;
}

Result<Money> Money::Parse(std::string_view decimal, Asset asset) {
  const AssetInfo* info = FindAsset(asset);
  if (info == nullptr) {
    return Status::Error(
        codes::kCurrencyUnknown,
        "asset " + std::to_string(static_cast<unsigned>(asset)) + " is not registered");
  }
  std::string_view int_part, frac_part;
  RETURN_IF_ERROR(SplitAmount(decimal, &int_part, &frac_part));
  // Strict: "1.000" CNY is rejected too, so a stored amount string always says
  // exactly what precision the sender meant and nothing is silently dropped.
  if (frac_part.size() > info->scale) {
    return Status::Error(codes::kAmountPrecision, Quoted(decimal)
                                                      .append(" has more than ")
                                                      .append(std::to_string(info->scale))
                                                      .append(" decimals for ")
                                                      .append(info->code));
  }
  u128 minor = 0;
  bool fits = AccumulateDigits(&minor, int_part) && AccumulateDigits(&minor, frac_part);
  // Pad the missing decimals with zeros: "100.5" CNY -> 10050.
  for (std::size_t i = frac_part.size(); fits && i < info->scale; ++i) {
    fits = MulAddChecked(&minor, 0);
  }
  if (!fits) {
    return Status::Error(codes::kAmountOverflow,
                         Quoted(decimal)
                             .append(" ")
                             .append(info->code)
                             .append(" does not fit 128 bits of minor units"));
  }
  return Money(asset, minor);
}

Result<Money> Money::Parse(std::string_view decimal, std::string_view currency) {
  const std::optional<Asset> asset = AssetFromCode(currency);
  if (!asset) {
    return Status::Error(codes::kCurrencyUnknown,
                         "unknown currency '" + std::string(currency) + "'");
  }
  return Parse(decimal, *asset);
}

std::string Money::ToString() const {
  const std::size_t scale = AssetScale(asset_);
  std::string digits = U128ToString(minor_);
  if (scale == 0) return digits;
  // Pad so there is at least one digit before the point: 1 USDT minor -> "0.000001".
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  digits.insert(digits.size() - scale, 1, '.');
  return digits;
}

std::string Money::ToDisplay() const { return ToString() + " " + std::string(AssetCode(asset_)); }

Result<Money> Money::Add(const Money& other) const {
  if (asset_ != other.asset_) {
    return Status::Error(codes::kCurrencyMismatch, std::string("cannot add ") +
                                                       std::string(AssetCode(other.asset_)) +
                                                       " to " + std::string(AssetCode(asset_)));
  }
  if (minor_ > kU128Max - other.minor_) {
    return Status::Error(codes::kAmountOverflow, "sum does not fit 128 bits of minor units");
  }
  return Money(asset_, minor_ + other.minor_);
}

Result<Money> Money::Sub(const Money& other) const {
  if (asset_ != other.asset_) {
    return Status::Error(codes::kCurrencyMismatch, std::string("cannot subtract ") +
                                                       std::string(AssetCode(other.asset_)) +
                                                       " from " + std::string(AssetCode(asset_)));
  }
  if (other.minor_ > minor_) {
    return Status::Error(codes::kAmountUnderflow, "difference would be negative");
  }
  return Money(asset_, minor_ - other.minor_);
}

fb::Money Money::ToFb() const {
  return fb::Money(static_cast<std::uint64_t>(minor_), static_cast<std::uint64_t>(minor_ >> 64),
                   asset_);
}

Money Money::FromFb(const fb::Money& m) {
  return Money(m.asset(), (static_cast<u128>(m.hi()) << 64) | m.lo());
}

Result<u128> ApplyBasisPointsHalfUp(u128 amount_minor, std::uint32_t rate_bp) {
  // amount * rate can pass u128 even when the result fits, so split the amount:
  // amount = q * 10000 + r, hence amount * rate / 10000 = q * rate + r * rate / 10000
  // exactly, and only the remainder term needs rounding (r * rate < 2^46).
  const u128 q = amount_minor / kBasisPointsPerUnit;
  const u128 r = amount_minor % kBasisPointsPerUnit;
  if (rate_bp != 0 && q > kU128Max / rate_bp) {
    return Status::Error(codes::kAmountOverflow, "fee does not fit 128 bits of minor units");
  }
  const u128 whole = q * rate_bp;
  const u128 rounded = (r * rate_bp + kBasisPointsPerUnit / 2) / kBasisPointsPerUnit;
  if (whole > kU128Max - rounded) {
    return Status::Error(codes::kAmountOverflow, "fee does not fit 128 bits of minor units");
  }
  return whole + rounded;
}

}  // namespace folio
