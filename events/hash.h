// SHA-256 (OpenSSL) and the hash chain of the log:
//   hash(n) = SHA-256(prev_hash || envelope(n) with its hash field zeroed)
// with prev_hash of the first event = 32 zero bytes. See docs/log-format.md.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace folio {

using Hash32 = std::array<std::uint8_t, 32>;

inline constexpr Hash32 kGenesisHash{};

Hash32 Sha256(std::span<const std::uint8_t> data);
// The same over the bytes of a string (fingerprints, key hashes).
Hash32 Sha256(std::string_view bytes);
// SHA-256(prefix || data). Thread-safe.
Hash32 Sha256Chain(const Hash32& prefix, std::span<const std::uint8_t> data);
// SHA-256(prefix || data) with the 32 bytes of data at `zeroed_at` read as
// zeros, without copying data (an event's hash covers its bytes with its own
// hash field zeroed). REQUIRES: zeroed_at + 32 <= data.size(). Thread-safe.
Hash32 Sha256ChainZeroed(const Hash32& prefix, std::span<const std::uint8_t> data,
                         std::size_t zeroed_at);

std::string ToHex(std::span<const std::uint8_t> bytes);
// Appends the lower-case hex of `bytes` to `out` (reuses its capacity).
void AppendHex(std::string* out, std::span<const std::uint8_t> bytes);

}  // namespace folio
