// The byte grammar of aggregate state values (engine/domain/aggregates.h).
//
//   value  := version:u8 field*
//   u8     := 1 byte;  u32 := 4 bytes LE;  u64/i64 := 8 bytes LE
//   u128   := lo:u64 hi:u64
//   string := len:u32 bytes
//   money  := asset:u8 minor:u128
//
// Deterministic: equal state is equal bytes. State is only ever written by
// Apply, so a value that does not decode means corruption: Reader aborts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/money.h"

namespace folio::domain {

// Aborts the process with `what` when `ok` is false. Invariants stay checked in
// release builds: a wrong state byte must never become a wrong balance.
// Inside TryApply (domain.h) it throws DomainViolation instead, which TryApply
// catches before it returns: the exception never leaves the domain.
void DomainCheck(bool ok, const char* what);

struct DomainViolation {
  const char* what;
};

// While one lives on this thread, DomainCheck throws instead of aborting.
class SoftChecks {
 public:
  SoftChecks();
  ~SoftChecks();
  SoftChecks(const SoftChecks&) = delete;
  SoftChecks& operator=(const SoftChecks&) = delete;
};

class Writer {
 public:
  void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(std::uint32_t v);
  void U64(std::uint64_t v);
  void I64(std::int64_t v) { U64(static_cast<std::uint64_t>(v)); }
  void U128(u128 v);
  void Str(std::string_view s);
  void Amount(const Money& m);
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::uint8_t U8();
  std::uint32_t U32();
  std::uint64_t U64();
  std::int64_t I64() { return static_cast<std::int64_t>(U64()); }
  u128 U128();
  std::string Str();
  Money Amount();
  // REQUIRES: every byte consumed; aborts otherwise.
  void Finish() const;

 private:
  std::string_view Take(std::size_t n);
  std::string_view in_;
  std::size_t pos_ = 0;
};

// Big-endian bytes of `v`, so that keys sort by time.
std::string BigEndian64(std::uint64_t v);

}  // namespace folio::domain
