#include "engine/domain/codec.h"

#include <cstdio>
#include <cstdlib>

namespace folio::domain {

namespace {
thread_local int soft_checks = 0;  // > 0 inside TryApply on this thread
}  // namespace

SoftChecks::SoftChecks() { ++soft_checks; }
SoftChecks::~SoftChecks() { --soft_checks; }

void DomainCheck(bool ok, const char* what) {
  if (ok) return;
  if (soft_checks > 0) throw DomainViolation{what};
  std::fprintf(stderr, "folio domain invariant violated: %s\n", what);
  std::abort();
}

void Writer::U32(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) U8(static_cast<std::uint8_t>(v >> (8 * i)));
}

void Writer::U64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) U8(static_cast<std::uint8_t>(v >> (8 * i)));
}

void Writer::U128(u128 v) {
  U64(static_cast<std::uint64_t>(v));
  U64(static_cast<std::uint64_t>(v >> 64));
}

void Writer::Str(std::string_view s) {
  DomainCheck(s.size() <= UINT32_MAX, "string too long for state");
  U32(static_cast<std::uint32_t>(s.size()));
  out_.append(s);
}

void Writer::Amount(const Money& m) {
  U8(static_cast<std::uint8_t>(m.asset()));
  U128(m.minor());
}

std::string_view Reader::Take(std::size_t n) {
  DomainCheck(n <= in_.size() - pos_, "state value truncated");
  std::string_view s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

std::uint8_t Reader::U8() { return static_cast<std::uint8_t>(Take(1)[0]); }

std::uint32_t Reader::U32() {
  std::string_view b = Take(4);
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) {
    v = (v << 8) | static_cast<std::uint8_t>(b[static_cast<std::size_t>(i)]);
  }
  return v;
}

std::uint64_t Reader::U64() {
  std::string_view b = Take(8);
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) {
    v = (v << 8) | static_cast<std::uint8_t>(b[static_cast<std::size_t>(i)]);
  }
  return v;
}

u128 Reader::U128() {
  const u128 lo = U64();
  const u128 hi = U64();
  return (hi << 64) | lo;
}

std::string Reader::Str() { return std::string(Take(U32())); }

Money Reader::Amount() {
  const auto asset = static_cast<Asset>(U8());
  return Money(asset, U128());
}

void Reader::Finish() const { DomainCheck(pos_ == in_.size(), "state value has trailing bytes"); }

std::string BigEndian64(std::uint64_t v) {
  std::string out(8, '\0');
  for (std::size_t i = 0; i < 8; ++i) out[7 - i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

}  // namespace folio::domain
