// Shared by the libFuzzer targets (tests/fuzz/*.cc, docs/reliability.md).
//
// A target checks more than "no crash" where the format has a property:
// FOLIO_FUZZ_CHECK aborts (a finding, with the input saved by libFuzzer) when
// one does not hold.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/gateways/notification.h"
#include "adapters/gateways/sandbox.h"

#define FOLIO_FUZZ_CHECK(cond)                                                                \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "%s:%d: property does not hold: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)

namespace folio::fuzz {

inline std::string_view Bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The next '\n'-terminated field of `rest` (headers given ahead of a body),
// consumed.
inline std::string Field(std::string_view* rest) {
  auto nl = rest->find('\n');
  std::string f(rest->substr(0, nl));
  rest->remove_prefix(nl == std::string_view::npos ? rest->size() : nl + 1);
  return f;
}

// Keys generated once per process (RSA-2048 generation takes a while); a
// signing target signs the fuzzed bytes with them so that the parser's checks
// after the signature are reached too.
inline const gateways::SandboxKeys& Keys() {
  static const gateways::SandboxKeys keys = gateways::SandboxKeys::Generate();
  return keys;
}

// 2026-11-22T01:00:00Z: the "now" the signing targets sign and verify at.
inline constexpr std::int64_t kNow = 1795309200;

// Seeds a target builds itself (signed notifications need the run's keys):
// when FOLIO_FUZZ_SEEDS names a folder, LLVMFuzzerInitialize writes them
// there as seed-<n> (scripts/fuzz.sh does this before a campaign).
inline void WriteSeedsIfAsked(const std::vector<std::string>& seeds) {
  const char* dir = std::getenv("FOLIO_FUZZ_SEEDS");
  if (dir == nullptr || *dir == 0) return;
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const std::string path = std::string(dir) + "/seed-" + std::to_string(i);
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
      std::fwrite(seeds[i].data(), 1, seeds[i].size(), f);
      std::fclose(f);
    }
  }
}

// A sandbox payment of `amount` CNY on `gateway`, for seeds.
inline gateways::SandboxPayment SeedPayment(gateways::Gateway gateway, std::string_view amount) {
  gateways::SandboxPayment p;
  p.gateway = gateway;
  p.payment_id = "p-seed-1";
  p.amount = *Money::Parse(amount, Asset::CNY);
  return p;
}

// A form body's pairs, as they go into the seed of a signing target (the
// target signs again): the form without sign and sign_type / signature.
inline std::string Unsigned(const std::string& form, std::initializer_list<std::string_view> drop) {
  std::string out;
  std::string_view rest = form;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest.remove_prefix(amp == std::string_view::npos ? rest.size() : amp + 1);
    bool keep = true;
    for (std::string_view d : drop) keep = keep && pair.substr(0, pair.find('=')) != d;
    if (!keep) continue;
    if (!out.empty()) out += '&';
    out += pair;
  }
  return out;
}

// What every accepted notification promises (adapters/gateways/notification.h):
// its dedupe key is a valid idempotency key, at most 200 bytes without
// control characters.
inline void CheckNotification(const gateways::Notification& n) {
  FOLIO_FUZZ_CHECK(!n.dedupe_key.empty() && n.dedupe_key.size() <= 200);
  for (unsigned char c : n.dedupe_key) FOLIO_FUZZ_CHECK(c >= 0x20 && c != 0x7f);
}

}  // namespace folio::fuzz
