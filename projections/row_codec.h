// Byte helpers shared by the trust and statistics projections: order-preserving
// key parts, a bounds-checked binary row codec, a signed amount, and JSON text.
//
// Key parts (ordered bytewise like the strings they encode, prefix-free):
//   string part := for each byte b: (b == 0x00 ? 0x00 0xFF : b), then 0x00 0x01
//   u64 part    := 8 bytes big-endian      (so sequences iterate in order)
//   u32 part    := 4 bytes big-endian
// Row fields (values):
//   u8 := 1 byte; u32 := 4 bytes BE; u64 := 8 bytes BE; u128 := 16 bytes BE
//   bytes  := u32 length, then the bytes
//   signed := u8 sign (0 = zero or positive, 1 = negative), u128 magnitude
// Decoding never reads past the end; a truncated or over-long row fails.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "events/money.h"

namespace folio::projections {

// A signed amount in minor units; saturates at the u128 magnitude limit (a
// sum of real amounts cannot get there; a hostile log must not crash us).
struct SignedMinor {
  bool negative = false;  // never true with magnitude 0
  u128 magnitude = 0;

  bool is_negative() const { return negative; }
  friend bool operator==(const SignedMinor&, const SignedMinor&) = default;
};
inline constexpr u128 kU128Max = std::numeric_limits<u128>::max();

inline u128 SaturatingAdd(u128 a, u128 b) { return a > kU128Max - b ? kU128Max : a + b; }

inline SignedMinor AddMinor(SignedMinor s, u128 amount) {
  if (!s.negative) return {false, SaturatingAdd(s.magnitude, amount)};
  if (s.magnitude > amount) return {true, s.magnitude - amount};
  return {false, amount - s.magnitude};
}
inline SignedMinor SubMinor(SignedMinor s, u128 amount) {
  if (s.negative) return {true, SaturatingAdd(s.magnitude, amount)};
  if (s.magnitude >= amount) return {false, s.magnitude - amount};
  return {true, amount - s.magnitude};
}

// Decimal of an amount in `asset`: Money::ToString for registered assets, the
// bare minor units otherwise (hostile events may carry Asset::Unknown).
inline std::string AmountString(Asset asset, u128 minor) {
  if (AssetCode(asset).empty()) return U128ToString(minor);
  return Money(asset, minor).ToString();
}
inline std::string SignedString(Asset asset, const SignedMinor& s) {
  return (s.negative ? "-" : "") + AmountString(asset, s.magnitude);
}
inline std::string AssetString(Asset asset) {
  const std::string_view code = AssetCode(asset);
  return code.empty() ? "unknown" : std::string(code);
}

// --- keys ---

inline void PutKeyString(std::string& out, std::string_view part) {
  for (char c : part) {
    out.push_back(c);
    if (c == '\0') out.push_back('\xff');
  }
  out.push_back('\0');
  out.push_back('\x01');
}
// The low `bytes` bytes of v, most significant first (one append, not a
// push_back per byte: rows are written for every event of a replay).
inline void PutBigEndian(std::string& out, std::uint64_t v, int bytes) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  out.append(b + (8 - bytes), static_cast<std::size_t>(bytes));
}
inline void PutKeyU64(std::string& out, std::uint64_t v) { PutBigEndian(out, v, 8); }
inline void PutKeyU32(std::string& out, std::uint32_t v) { PutBigEndian(out, v, 4); }

// The smallest key greater than every key starting with `prefix`.
// REQUIRES: prefix has a byte other than 0xFF.
inline std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<std::uint8_t>(prefix.back()) == 0xFF) prefix.pop_back();
  if (!prefix.empty())
    prefix.back() = static_cast<char>(static_cast<std::uint8_t>(prefix.back()) + 1);
  return prefix;
}

// --- rows ---

class RowWriter {
 public:
  void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(std::uint32_t v) { PutBigEndian(out_, v, 4); }
  void U64(std::uint64_t v) { PutBigEndian(out_, v, 8); }
  void I64(std::int64_t v) { U64(static_cast<std::uint64_t>(v)); }
  void U128(u128 v) {
    U64(static_cast<std::uint64_t>(v >> 64));
    U64(static_cast<std::uint64_t>(v));
  }
  void Bool(bool v) { U8(v ? 1 : 0); }
  void Bytes(std::string_view s) {
    U32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void Signed(const SignedMinor& s) {
    Bool(s.negative);
    U128(s.magnitude);
  }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

// Reads fields in order; after the first failure every read fails and ok()
// is false. Done() also requires that every byte was consumed.
class RowReader {
 public:
  explicit RowReader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool Done() const { return ok_ && in_.empty(); }

  // A key part written by PutKeyString / PutKeyU64 / PutKeyU32, or a row field.
  bool KeyString(std::string* out) {
    out->clear();
    for (std::size_t i = 0; ok_ && i + 1 < in_.size(); ++i) {
      if (in_[i] != '\0') {
        out->push_back(in_[i]);
        continue;
      }
      if (in_[i + 1] == '\x01') {
        in_.remove_prefix(i + 2);
        return true;
      }
      if (in_[i + 1] != '\xff') break;
      out->push_back('\0');
      ++i;
    }
    return ok_ = false;
  }
  std::uint8_t U8() { return static_cast<std::uint8_t>(Fixed(1)); }
  std::uint32_t U32() { return static_cast<std::uint32_t>(Fixed(4)); }
  std::uint64_t U64() { return Fixed(8); }
  std::int64_t I64() { return static_cast<std::int64_t>(Fixed(8)); }
  u128 U128() {
    const u128 hi = Fixed(8);
    return (hi << 64) | Fixed(8);
  }
  bool Bool() {
    const std::uint8_t v = U8();
    if (v > 1) ok_ = false;
    return v == 1;
  }
  std::string Bytes() {
    const std::uint32_t n = U32();
    if (!ok_ || n > in_.size()) {
      ok_ = false;
      return {};
    }
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  SignedMinor Signed() {
    SignedMinor s;
    s.negative = Bool();
    s.magnitude = U128();
    if (s.negative && s.magnitude == 0) ok_ = false;
    return s;
  }

 private:
  std::uint64_t Fixed(std::size_t bytes) {
    if (!ok_ || in_.size() < bytes) {
      ok_ = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<std::uint8_t>(in_[i]);
    in_.remove_prefix(bytes);
    return v;
  }
  std::string_view in_;
  bool ok_ = true;
};

// --- JSON text (fixed key order is the caller's job) ---

// Appends `s` as a JSON string literal; UTF-8 passes through, control
// characters, quote and backslash are escaped.
inline void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    const auto b = static_cast<std::uint8_t>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (b < 0x20) {
      out += "\\u00";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// "YYYY-MM-DD" of a yyyymmdd day key.
inline std::string DayKeyString(std::uint32_t day_key) {
  char buf[16];
  const unsigned y = day_key / 10000, m = day_key / 100 % 100, d = day_key % 100;
  std::string out;
  out += std::to_string(y);
  while (out.size() < 4) out.insert(out.begin(), '0');
  buf[0] = '-';
  buf[1] = static_cast<char>('0' + m / 10);
  buf[2] = static_cast<char>('0' + m % 10);
  buf[3] = '-';
  buf[4] = static_cast<char>('0' + d / 10);
  buf[5] = static_cast<char>('0' + d % 10);
  out.append(buf, 6);
  return out;
}

// Parses "YYYY-MM-DD" into a yyyymmdd day key; nullopt unless exactly that shape
// with month 1..12 and day 1..31.
inline std::optional<std::uint32_t> ParseDayKey(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == 4 || i == 7) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint32_t>(text[i] - '0');
  }
  const std::uint32_t m = v / 100 % 100, d = v % 100;
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  return v;
}

}  // namespace folio::projections
