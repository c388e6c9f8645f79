// Money: exact parsing and formatting, checked arithmetic, basis-point fees.
//
// Expected values are written out independently of the code under test (large
// u128 constants as 64-bit halves computed with arbitrary-precision integers),
// so a wrong implementation cannot agree with itself.
#include "events/money.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "events/codes.h"

namespace doctest {
template <>
struct StringMaker<folio::u128> {
  static String convert(const folio::u128& v) { return folio::U128ToString(v).c_str(); }
};
template <>
struct StringMaker<folio::Money> {
  static String convert(const folio::Money& m) {
    return (folio::U128ToString(m.minor()) + " minor of asset " +
            std::to_string(static_cast<unsigned>(m.asset())))
        .c_str();
  }
};
}  // namespace doctest

namespace folio {
namespace {

constexpr u128 kMax = std::numeric_limits<u128>::max();

constexpr u128 U128(std::uint64_t hi, std::uint64_t lo) {
  return (static_cast<u128>(hi) << 64) | lo;
}

u128 Pow10(unsigned n) {
  u128 v = 1;
  for (unsigned i = 0; i < n; ++i) v *= 10;
  return v;
}

struct ExpectedAsset {
  Asset asset;
  std::string_view code;
  std::uint8_t scale;
};

constexpr ExpectedAsset kExpectedAssets[] = {
    {Asset::CNY, "CNY", 2},  {Asset::USD, "USD", 2},   {Asset::EUR, "EUR", 2},
    {Asset::HKD, "HKD", 2},  {Asset::USDT, "USDT", 6}, {Asset::BTC, "BTC", 8},
    {Asset::ETH, "ETH", 18},
};

std::string Code(const Status& s) { return std::string(s.code()); }

// Values every asset must round-trip: the edges of the u128 range, of the
// 64-bit halves, and of the decimal point.
std::vector<u128> EdgeValues(std::uint8_t scale) {
  const u128 one = Pow10(scale);
  return {
      0,          1,          9,        10,       one - 1, one, one + 1, one * 100, U128(0, ~0ULL),
      U128(1, 0), U128(1, 1), kMax / 2, kMax - 1, kMax};
}

TEST_CASE("Money: registry lists every schema asset with its code and scale") {
  for (const ExpectedAsset& e : kExpectedAssets) {
    CAPTURE(e.code);
    CHECK(AssetScale(e.asset) == e.scale);
    CHECK(AssetCode(e.asset) == e.code);
    const std::optional<Asset> back = AssetFromCode(e.code);
    REQUIRE(back.has_value());
    CHECK(*back == e.asset);
  }
  // A new enum value in schemas/common.fbs must be registered too.
  for (Asset a : fb::EnumValuesAsset()) {
    if (a == Asset::Unknown) continue;
    CAPTURE(static_cast<unsigned>(a));
    CHECK_FALSE(AssetCode(a).empty());
  }
  CHECK(std::size(kExpectedAssets) + 1 == std::size(fb::EnumValuesAsset()));
}

TEST_CASE("Money: asset codes are exact and case-sensitive") {
  CHECK(AssetCode(Asset::Unknown).empty());
  CHECK(AssetCode(static_cast<Asset>(200)).empty());
  for (std::string_view code :
       {"cny", "Cny", "usdt", "", "Unknown", "UNKNOWN", "CNY ", " CNY", "CN", "CNYX", "XYZ"}) {
    CAPTURE(code);
    CHECK_FALSE(AssetFromCode(code).has_value());
  }
}

TEST_CASE("Money: U128ToString and U128FromString") {
  struct Row {
    u128 value;
    std::string_view text;
  };
  const Row rows[] = {
      {0, "0"},
      {1, "1"},
      {10, "10"},
      {U128(0, ~0ULL), "18446744073709551615"},
      {U128(1, 0), "18446744073709551616"},
      {kMax - 1, "340282366920938463463374607431768211454"},
      {kMax, "340282366920938463463374607431768211455"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.text);
    CHECK(U128ToString(r.value) == r.text);
    const std::optional<u128> back = U128FromString(r.text);
    REQUIRE(back.has_value());
    CHECK(*back == r.value);
  }
  CHECK(U128FromString("007") == std::optional<u128>(7));
  CHECK(U128FromString("0000000000000000000000000000000000000000001") == std::optional<u128>(1));
}

TEST_CASE("Money: U128FromString rejects non-digits and overflow") {
  for (std::string_view bad :
       {"", "-1", "+1", " 1", "1 ", "1a", "a1", "1.0", "1e3", "0x10", "1,000",
        "340282366920938463463374607431768211456",     // max + 1
        "340282366920938463463374607431768211460",     // max + 5: overflow on the last add
        "3402823669209384634633746074317682114550",    // max * 10
        "999999999999999999999999999999999999999"}) {  // 39 nines
    CAPTURE(bad);
    CHECK_FALSE(U128FromString(bad).has_value());
  }
  CHECK_FALSE(U128FromString(std::string_view("1\0", 2)).has_value());
}

TEST_CASE("Money: Parse accepts exact decimals") {
  struct Row {
    std::string_view text;
    Asset asset;
    u128 minor;
  };
  const Row rows[] = {
      {"100", Asset::CNY, 10000},
      {"100.5", Asset::CNY, 10050},
      {"100.50", Asset::CNY, 10050},
      {"007.00", Asset::CNY, 700},
      {"0", Asset::CNY, 0},
      {"0.0", Asset::CNY, 0},
      {"0.01", Asset::CNY, 1},
      {"00.10", Asset::USD, 10},
      {"12.34", Asset::EUR, 1234},
      {"99999.99", Asset::HKD, 9999999},
      {"0.000001", Asset::USDT, 1},
      {"1", Asset::USDT, 1000000},
      {"1.5", Asset::USDT, 1500000},
      {"0.00000001", Asset::BTC, 1},
      {"21000000", Asset::BTC, Pow10(8) * 21000000},
      {"1", Asset::ETH, Pow10(18)},
      {"0.000000000000000001", Asset::ETH, 1},
      {"3402823669209384634633746074317682114.55", Asset::CNY, kMax},
      {"340282366920938463463.374607431768211455", Asset::ETH, kMax},
      {"340282366920938463463.374607431768211454", Asset::ETH, kMax - 1},
  };
  for (const Row& r : rows) {
    CAPTURE(r.text);
    CAPTURE(AssetCode(r.asset));
    const Result<Money> m = Money::Parse(r.text, r.asset);
    REQUIRE_MESSAGE(m.ok(), m.status().ToString());
    CHECK(*m == Money(r.asset, r.minor));
  }
}

TEST_CASE("Money: Parse by currency code") {
  const Result<Money> m = Money::Parse("100.50", "CNY");
  REQUIRE(m.ok());
  CHECK(*m == Money(Asset::CNY, 10050));
  const Result<Money> usdt = Money::Parse("2.5", "USDT");
  REQUIRE(usdt.ok());
  CHECK(*usdt == Money(Asset::USDT, 2500000));
}

// The rejection table, in the order Parse documents its checks.
TEST_CASE("Money: Parse rejections and their codes") {
  using namespace codes;
  struct Row {
    std::string_view text;
    std::string_view currency;
    std::string_view code;
  };
  const Row rows[] = {
      // 1. currency_unknown, even when the amount is bad too.
      {"1", "XYZ", kCurrencyUnknown},
      {"1", "cny", kCurrencyUnknown},
      {"1", "", kCurrencyUnknown},
      {"1", "Unknown", kCurrencyUnknown},
      {"abc", "XYZ", kCurrencyUnknown},
      // 2. amount_invalid: the grammar.
      {"", "CNY", kAmountInvalid},
      {"-1", "CNY", kAmountInvalid},
      {"+1", "CNY", kAmountInvalid},
      {"-0", "CNY", kAmountInvalid},
      {"1e3", "CNY", kAmountInvalid},
      {"1E3", "CNY", kAmountInvalid},
      {"1.0e1", "CNY", kAmountInvalid},
      {" 1", "CNY", kAmountInvalid},
      {"1 ", "CNY", kAmountInvalid},
      {"1 000", "CNY", kAmountInvalid},
      {"\t1", "CNY", kAmountInvalid},
      {"1\n", "CNY", kAmountInvalid},
      {"1,000", "CNY", kAmountInvalid},
      {"1,5", "CNY", kAmountInvalid},
      {".5", "CNY", kAmountInvalid},
      {"5.", "CNY", kAmountInvalid},
      {".", "CNY", kAmountInvalid},
      {"1.2.3", "CNY", kAmountInvalid},
      {"1..2", "CNY", kAmountInvalid},
      {"abc", "CNY", kAmountInvalid},
      {"1a", "CNY", kAmountInvalid},
      {"0x10", "CNY", kAmountInvalid},
      {"1.-5", "CNY", kAmountInvalid},
      {"\xef\xbc\x91", "CNY", kAmountInvalid},  // fullwidth digit one
      {"1.001.0", "CNY", kAmountInvalid},       // grammar before precision
      // 40 digits: the digit limit, before precision and overflow.
      {"0000000000000000000000000000000000000001", "CNY", kAmountInvalid},
      {"1.000000000000000000000000000000000000000", "CNY", kAmountInvalid},
      {"1000000000000000000000.0000000000000000001", "ETH", kAmountInvalid},
      // 3. amount_precision: strict, trailing zeros count.
      {"1.001", "CNY", kAmountPrecision},
      {"1.000", "CNY", kAmountPrecision},
      {"0.005", "USD", kAmountPrecision},
      {"0.0000001", "USDT", kAmountPrecision},
      {"1.000000000", "BTC", kAmountPrecision},
      {"0.0000000000000000001", "ETH", kAmountPrecision},
      {"999999999999999999999999999999999999.001", "CNY", kAmountPrecision},  // before overflow
      // 4. amount_overflow.
      {"3402823669209384634633746074317682114.56", "CNY", kAmountOverflow},  // max + 1 minor
      {"3402823669209384634633746074317682115", "CNY", kAmountOverflow},
      {"340282366920938463463374607431768211455", "CNY", kAmountOverflow},  // scaling overflows
      {"999999999999999999999999999999999999999", "CNY", kAmountOverflow},
      {"340282366920938463463.374607431768211456", "ETH", kAmountOverflow},
      {"340282366920938463464", "ETH", kAmountOverflow},
      {"340282366920938463463374607431768.211456", "USDT", kAmountOverflow},
  };
  for (const Row& r : rows) {
    CAPTURE(r.text);
    CAPTURE(r.currency);
    const Result<Money> m = Money::Parse(r.text, r.currency);
    REQUIRE_FALSE(m.ok());
    CHECK(Code(m.status()) == r.code);
    CHECK_FALSE(m.status().message().empty());
  }
}

TEST_CASE("Money: Parse with an unregistered Asset value") {
  for (Asset a : {Asset::Unknown, static_cast<Asset>(8), static_cast<Asset>(255)}) {
    CAPTURE(static_cast<unsigned>(a));
    const Result<Money> m = Money::Parse("1", a);
    REQUIRE_FALSE(m.ok());
    CHECK(Code(m.status()) == codes::kCurrencyUnknown);
  }
  const Result<Money> ok = Money::Parse("1", Asset::CNY);
  CHECK(ok.ok());
}

TEST_CASE("Money: ToString prints exactly scale decimals") {
  struct Row {
    Asset asset;
    u128 minor;
    std::string_view text;
  };
  const Row rows[] = {
      {Asset::CNY, 10050, "100.50"},
      {Asset::CNY, 10000, "100.00"},
      {Asset::CNY, 0, "0.00"},
      {Asset::CNY, 1, "0.01"},
      {Asset::CNY, 10, "0.10"},
      {Asset::CNY, 100, "1.00"},
      {Asset::USD, 123456789, "1234567.89"},
      {Asset::EUR, 5, "0.05"},
      {Asset::HKD, 99, "0.99"},
      {Asset::USDT, 1, "0.000001"},
      {Asset::USDT, 0, "0.000000"},
      {Asset::USDT, 1000000, "1.000000"},
      {Asset::BTC, 1, "0.00000001"},
      {Asset::BTC, 2100000000000000, "21000000.00000000"},
      {Asset::ETH, 1, "0.000000000000000001"},
      {Asset::ETH, Pow10(18), "1.000000000000000000"},
      {Asset::ETH, kMax, "340282366920938463463.374607431768211455"},
      {Asset::CNY, kMax, "3402823669209384634633746074317682114.55"},
      {Asset::USDT, kMax, "340282366920938463463374607431768.211455"},
  };
  for (const Row& r : rows) {
    CAPTURE(r.text);
    CHECK(Money(r.asset, r.minor).ToString() == r.text);
  }
}

TEST_CASE("Money: ToDisplay appends the code") {
  CHECK(Money(Asset::CNY, 10050).ToDisplay() == "100.50 CNY");
  CHECK(Money(Asset::USDT, 1).ToDisplay() == "0.000001 USDT");
  CHECK(Money(Asset::ETH, 0).ToDisplay() == "0.000000000000000000 ETH");
  CHECK(Money(Asset::BTC, 123456789).ToDisplay() == "1.23456789 BTC");
}

TEST_CASE("Money: format then parse round-trips the edge values of every asset") {
  for (const ExpectedAsset& e : kExpectedAssets) {
    for (u128 v : EdgeValues(e.scale)) {
      const Money m(e.asset, v);
      const std::string text = m.ToString();
      CAPTURE(text);
      CAPTURE(e.code);
      const Result<Money> back = Money::Parse(text, e.code);
      REQUIRE_MESSAGE(back.ok(), back.status().ToString());
      CHECK(*back == m);
    }
  }
}

// Draws values of every magnitude: a full 128-bit pattern shifted right by a
// random amount, so short and long decimal strings are both common.
u128 RandomU128(std::mt19937_64& rng) {
  const u128 full = U128(rng(), rng());
  return full >> (rng() % 128);
}

TEST_CASE("Money: randomized format then parse round-trip") {
  std::mt19937_64 rng(0x5EED'F011'0000'0001ULL);
  constexpr int kRoundsPerAsset = 5000;
  for (const ExpectedAsset& e : kExpectedAssets) {
    CAPTURE(e.code);
    for (int i = 0; i < kRoundsPerAsset; ++i) {
      const Money m(e.asset, RandomU128(rng));
      const std::string text = m.ToString();
      CAPTURE(text);
      const std::size_t dot = text.find('.');
      REQUIRE(dot != std::string::npos);
      REQUIRE(text.size() - dot - 1 == e.scale);
      const Result<Money> back = Money::Parse(text, e.asset);
      REQUIRE_MESSAGE(back.ok(), back.status().ToString());
      REQUIRE(*back == m);
      REQUIRE(U128FromString(U128ToString(m.minor())) == std::optional<u128>(m.minor()));
    }
  }
}

TEST_CASE("Money: Add") {
  const Money a(Asset::CNY, 10050);
  const Result<Money> sum = a.Add(Money(Asset::CNY, 1));
  REQUIRE(sum.ok());
  CHECK(*sum == Money(Asset::CNY, 10051));

  const Result<Money> at_max = Money(Asset::ETH, kMax - 5).Add(Money(Asset::ETH, 5));
  REQUIRE(at_max.ok());
  CHECK(at_max->minor() == kMax);

  const Result<Money> zero = Money(Asset::BTC, kMax).Add(Money(Asset::BTC, 0));
  REQUIRE(zero.ok());
  CHECK(zero->minor() == kMax);

  const Result<Money> over = Money(Asset::ETH, kMax).Add(Money(Asset::ETH, 1));
  REQUIRE_FALSE(over.ok());
  CHECK(Code(over.status()) == codes::kAmountOverflow);

  const Result<Money> over_half =
      Money(Asset::USDT, U128(1ULL << 63, 0)).Add(Money(Asset::USDT, U128(1ULL << 63, 0)));
  REQUIRE_FALSE(over_half.ok());
  CHECK(Code(over_half.status()) == codes::kAmountOverflow);

  const Result<Money> mismatch = a.Add(Money(Asset::USD, 1));
  REQUIRE_FALSE(mismatch.ok());
  CHECK(Code(mismatch.status()) == codes::kCurrencyMismatch);

  // Mismatch is checked before overflow.
  const Result<Money> both = Money(Asset::CNY, kMax).Add(Money(Asset::HKD, kMax));
  REQUIRE_FALSE(both.ok());
  CHECK(Code(both.status()) == codes::kCurrencyMismatch);
}

TEST_CASE("Money: Sub") {
  const Result<Money> diff = Money(Asset::CNY, 10050).Sub(Money(Asset::CNY, 50));
  REQUIRE(diff.ok());
  CHECK(*diff == Money(Asset::CNY, 10000));

  const Result<Money> to_zero = Money(Asset::BTC, kMax).Sub(Money(Asset::BTC, kMax));
  REQUIRE(to_zero.ok());
  CHECK(to_zero->is_zero());
  CHECK(to_zero->asset() == Asset::BTC);

  const Result<Money> under = Money(Asset::CNY, 5).Sub(Money(Asset::CNY, 6));
  REQUIRE_FALSE(under.ok());
  CHECK(Code(under.status()) == codes::kAmountUnderflow);

  const Result<Money> under_zero = Money(Asset::USDT, 0).Sub(Money(Asset::USDT, kMax));
  REQUIRE_FALSE(under_zero.ok());
  CHECK(Code(under_zero.status()) == codes::kAmountUnderflow);

  const Result<Money> mismatch = Money(Asset::CNY, 100).Sub(Money(Asset::USD, 1));
  REQUIRE_FALSE(mismatch.ok());
  CHECK(Code(mismatch.status()) == codes::kCurrencyMismatch);

  const Result<Money> both = Money(Asset::EUR, 0).Sub(Money(Asset::USD, 1));
  REQUIRE_FALSE(both.ok());
  CHECK(Code(both.status()) == codes::kCurrencyMismatch);
}

TEST_CASE("Money: ApplyBasisPointsHalfUp fee table") {
  struct Row {
    u128 amount;
    std::uint32_t rate_bp;
    u128 fee;
  };
  const Row rows[] = {
      {10000, 60, 60},
      {12345, 60, 74},  // 74.07
      {125, 400, 5},
      {1250, 100, 13},  // 12.5 rounds up
      {1249, 100, 12},  // 12.49
      {1251, 100, 13},
      {50, 100, 1},  // 0.5 rounds up
      {49, 100, 0},  // 0.49
      {1, 5000, 1},  // 0.5
      {1, 4999, 0},  // 0.4999
      {3, 5000, 2},  // 1.5
      {0, 60, 0},
      {12345, 0, 0},
      {kMax, 0, 0},
      {12345, 10000, 12345},
      {1, 10000, 1},
      {kMax, 10000, kMax},
      {kMax - 1, 10000, kMax - 1},
      {12345, 20000, 24690},
      {9999, 1, 1},  // 0.9999
      {4999, 1, 0},  // 0.4999
      {5000, 1, 1},  // 0.5
      // Near u128 max: a naive amount * rate would overflow, the fee does not.
      {kMax, 60, U128(0x0189374bc6a7ef9dULL, 0xb22d0e5604189375ULL)},
      {kMax, 9999, U128(0xfff972474538ef34ULL, 0xd6a161e4f765fd8aULL)},
      {kMax, 1, U128(0x00068db8bac710cbULL, 0x295e9e1b089a0275ULL)},
      {kMax, 5000, U128(0x8000000000000000ULL, 0)},  // (2^128 - 1) / 2 rounds up to 2^127
      {kMax - 1, 5000, U128(0x7fffffffffffffffULL, ~0ULL)},
      {U128(0x7fffffffffffffffULL, ~0ULL), 20000, kMax - 1},
      {U128(1, 0), 4294967295U, U128(0x0000000000068db8ULL, 0xbac083126e978d50ULL)},
      {U128(0x0000000100000001ULL, 0x0000000100000001ULL), 4294967295U,
       U128(0x00068db8bac710cbULL, 0x295e9e1b089a0275ULL)},
      // amount * 65535 / 10000 lands exactly on u128 max.
      {U128(0x2710271027102710ULL, 0x2710271027102710ULL), 65535, kMax},
  };
  for (const Row& r : rows) {
    CAPTURE(U128ToString(r.amount));
    CAPTURE(r.rate_bp);
    const Result<u128> fee = ApplyBasisPointsHalfUp(r.amount, r.rate_bp);
    REQUIRE_MESSAGE(fee.ok(), fee.status().ToString());
    CHECK(*fee == r.fee);
  }
}

TEST_CASE("Money: ApplyBasisPointsHalfUp overflows only when the fee does not fit") {
  struct Row {
    u128 amount;
    std::uint32_t rate_bp;
  };
  const Row rows[] = {
      {kMax, 10001},
      {kMax, 4294967295U},
      {U128(0x8000000000000000ULL, 0), 20000},
      // The whole part is exactly u128 max; the rounded remainder pushes it over.
      {U128(0x2710271027102710ULL, 0x2710271027102711ULL), 65535},
  };
  for (const Row& r : rows) {
    CAPTURE(U128ToString(r.amount));
    CAPTURE(r.rate_bp);
    const Result<u128> fee = ApplyBasisPointsHalfUp(r.amount, r.rate_bp);
    REQUIRE_FALSE(fee.ok());
    CHECK(Code(fee.status()) == codes::kAmountOverflow);
  }
}

// Below 2^90 the naive product fits in u128 (2^90 * 2^32 < 2^128), so it can
// serve as an oracle for the split computation.
TEST_CASE("Money: ApplyBasisPointsHalfUp matches the naive formula where it fits") {
  std::mt19937_64 rng(20240601);
  for (int i = 0; i < 20000; ++i) {
    const u128 amount = U128(rng() >> 38, rng()) >> (rng() % 90);  // < 2^90
    const auto rate_bp = static_cast<std::uint32_t>(i % 4 == 0 ? rng() : rng() % 10001);
    const u128 expected = (amount * rate_bp + 5000) / 10000;
    const Result<u128> fee = ApplyBasisPointsHalfUp(amount, rate_bp);
    CAPTURE(U128ToString(amount));
    CAPTURE(rate_bp);
    REQUIRE(fee.ok());
    REQUIRE(*fee == expected);
  }
}

TEST_CASE("Money: ToFb and FromFb keep both halves and the asset") {
  const Money m(Asset::ETH, U128(0x0123456789abcdefULL, 0xfedcba9876543210ULL));
  const fb::Money f = m.ToFb();
  CHECK(f.hi() == 0x0123456789abcdefULL);
  CHECK(f.lo() == 0xfedcba9876543210ULL);
  CHECK(f.asset() == Asset::ETH);
  CHECK(Money::FromFb(f) == m);

  const fb::Money raw(7, 0, Asset::CNY);
  CHECK(Money::FromFb(raw) == Money(Asset::CNY, 7));

  for (const ExpectedAsset& e : kExpectedAssets) {
    for (u128 v : EdgeValues(e.scale)) {
      const Money x(e.asset, v);
      CHECK(Money::FromFb(x.ToFb()) == x);
    }
  }
}

TEST_CASE("Money: default value and accessors") {
  const Money none;
  CHECK(none.asset() == Asset::Unknown);
  CHECK(none.minor() == 0);
  CHECK(none.is_zero());
  const Money one(Asset::USD, 1);
  CHECK_FALSE(one.is_zero());
  CHECK(one != Money(Asset::EUR, 1));
  CHECK(one != Money(Asset::USD, 2));
  CHECK(one == Money(Asset::USD, 1));
}

}  // namespace
}  // namespace folio
