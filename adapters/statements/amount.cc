#include "adapters/statements/amount.h"

#include "adapters/statements/statement.h"

namespace folio::statements {
namespace {

constexpr u128 kTen = 10;

std::optional<u128> Pow10(std::uint8_t n) {
  if (n > 38) return std::nullopt;
  u128 p = 1;
  for (std::uint8_t i = 0; i < n; ++i) p *= kTen;
  return p;
}

std::optional<u128> MulChecked(u128 a, u128 b) {
  if (a != 0 && b > ~static_cast<u128>(0) / a) return std::nullopt;
  return a * b;
}

Status Bad(std::string_view text, std::string_view why) {
  return Status::Error(kStatementAmountInvalid,
                       "amount '" + std::string(text.substr(0, 40)) + "': " + std::string(why));
}

}  // namespace

Amount::Amount(const Money& m) : asset_(m.asset()), units_(m.minor()) {
  code_ = AssetCode(m.asset());
  if (!code_.empty()) minor_units_ = scale_ = AssetScale(m.asset());
}

Result<Amount> Amount::Parse(std::string_view text, const CurrencyInfo& currency,
                             std::size_t fraction_digits_max) {
  const std::size_t dot = text.find('.');
  const std::string_view int_part = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  auto digits = [](std::string_view s) {
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (int_part.empty() || !digits(int_part) || !digits(frac) ||
      (dot != std::string_view::npos && frac.empty())) {
    return Bad(text, "not a decimal");
  }
  if (int_part.size() + frac.size() > kAmountTextDigitsMax) return Bad(text, "too many digits");
  if (frac.size() > fraction_digits_max) {
    return Bad(text, "more than " + std::to_string(fraction_digits_max) +
                         " fraction digits, the format's limit");
  }
  // Trailing zeros beyond the minor unit carry no value.
  while (frac.size() > currency.minor_units && frac.back() == '0') frac.remove_suffix(1);
  Amount a;
  a.code_ = currency.code;
  a.asset_ = currency.ledger_asset;
  a.minor_units_ = currency.minor_units;
  a.scale_ = static_cast<std::uint8_t>(std::max<std::size_t>(frac.size(), currency.minor_units));
  u128 v = 0;
  for (char c : int_part) v = v * kTen + static_cast<u128>(c - '0');
  for (char c : frac) v = v * kTen + static_cast<u128>(c - '0');
  for (std::size_t i = frac.size(); i < a.scale_; ++i) v *= kTen;  // at most 30 digits in all
  a.units_ = v;
  return a;
}

u128 Amount::minor() const {
  if (sub_minor()) std::abort();  // REQUIRES violated
  return units_;
}

std::optional<Money> Amount::ToMoney() const {
  if (asset_ == Asset::Unknown || sub_minor()) return std::nullopt;
  return Money(asset_, units_);
}

std::optional<u128> Amount::UnitsAt(std::uint8_t scale) const {
  if (scale < scale_) return std::nullopt;
  auto p = Pow10(static_cast<std::uint8_t>(scale - scale_));
  if (!p) return std::nullopt;
  return MulChecked(units_, *p);
}

std::string Amount::ToString() const {
  std::string digits = U128ToString(units_);
  if (scale_ == 0) return digits;
  if (digits.size() <= scale_) digits.insert(0, scale_ + 1 - digits.size(), '0');
  digits.insert(digits.size() - scale_, ".");
  return digits;
}

std::string Amount::ToDisplay() const { return ToString() + " " + std::string(code_); }

bool operator==(const Amount& a, const Amount& b) {
  if (a.code_ != b.code_) return false;
  const std::uint8_t s = std::max(a.scale_, b.scale_);
  return a.UnitsAt(s) == b.UnitsAt(s);
}

bool ExactSum::Add(const Amount& a, bool negative) {
  if (!ok_) return false;
  if (code_.empty()) code_ = a.currency();
  if (a.currency() != code_) return ok_ = false;
  const std::uint8_t s = std::max(scale_, a.scale());
  auto p = Pow10(static_cast<std::uint8_t>(s - scale_));
  auto mine = p ? MulChecked(magnitude_, *p) : std::nullopt;
  auto theirs = a.UnitsAt(s);
  if (!mine || !theirs) return ok_ = false;
  scale_ = s;
  magnitude_ = *mine;
  if (negative == negative_ || magnitude_ == 0) {
    if (magnitude_ == 0) negative_ = negative;
    if (*theirs > ~static_cast<u128>(0) - magnitude_) return ok_ = false;
    magnitude_ += *theirs;
  } else if (magnitude_ >= *theirs) {
    magnitude_ -= *theirs;
  } else {
    magnitude_ = *theirs - magnitude_;
    negative_ = negative;
  }
  if (magnitude_ == 0) negative_ = false;
  return true;
}

bool ExactSum::Equals(const Amount& a, bool negative) const {
  if (!ok_) return false;
  if (code_.empty()) return a.is_zero();
  if (a.currency() != code_) return false;
  const std::uint8_t s = std::max(scale_, a.scale());
  auto p = Pow10(static_cast<std::uint8_t>(s - scale_));
  auto mine = p ? MulChecked(magnitude_, *p) : std::nullopt;
  auto theirs = a.UnitsAt(s);
  if (!mine || !theirs) return false;
  if (*mine == 0 && *theirs == 0) return true;
  return *mine == *theirs && negative == negative_;
}

std::string ExactSum::ToString() const {
  if (!ok_) return "(overflow or mixed currencies)";
  if (code_.empty()) return "0";
  return Decimal() + " " + std::string(code_);
}

std::string ExactSum::Decimal() const {
  if (!ok_ || code_.empty()) return "0";
  std::string digits = U128ToString(magnitude_);
  if (scale_ > 0) {
    if (digits.size() <= scale_) digits.insert(0, scale_ + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale_, ".");
  }
  return (negative_ ? "-" : "") + digits;
}

}  // namespace folio::statements
