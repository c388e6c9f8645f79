// Test harness for the pure domain: runs Decide then Apply like the writer
// does, checks that every event decodes, that its postings balance per asset,
// that a rejection leaves the state byte-identical, and the ledger invariants
// after every command.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/civil_time.h"
#include "engine/domain/domain.h"
#include "engine/domain/postings.h"
#include "engine/domain/rejections.h"
#include "events/envelope.h"

namespace folio::domain::testing {

inline std::int64_t Utc(std::int32_t y, std::uint32_t mo, std::uint32_t d, std::int64_t h = 0,
                        std::int64_t mi = 0, std::int64_t s = 0) {
  const std::int64_t days = DaysFromCivil(CivilDate{y, mo, d});
  return ((days * 86400) + h * 3600 + mi * 60 + s) * 1'000'000'000;
}
inline constexpr std::int64_t kSecond = 1'000'000'000;

inline Money M(std::string_view decimal, std::string_view currency) {
  Result<Money> m = Money::Parse(decimal, currency);
  REQUIRE(m.ok());
  return *m;
}
inline Money Cny(std::string_view d) { return M(d, "CNY"); }

// Debits minus credits of one account (positive: debit balance).
inline __int128 Balance(const Ledger& l, const std::string& account, Asset asset) {
  auto it = l.find({account, asset});
  if (it == l.end()) return 0;
  return static_cast<__int128>(it->second.debit) - static_cast<__int128>(it->second.credit);
}

class Harness {
 public:
  Harness() {
    ctx.actor = "test";
    ctx.now_ns = Utc(2026, 11, 21, 2, 0, 0);
  }

  // Decide, then Apply each produced event in order.
  Decision Run(const Command& c) {
    ctx.idempotency_key = "k" + std::to_string(++commands_);
    const auto before = state.map();
    Decision d = Decide(state, c, ctx);
    REQUIRE_MESSAGE(state.map() == before, "Decide changed the state");
    if (const auto* events = std::get_if<Events>(&d)) {
      for (const std::string& bytes : *events) ApplyOne(bytes);
      CheckInvariants();
    }
    return d;
  }

  // REQUIRES success; returns the event types produced.
  std::vector<fb::Event> Ok(const Command& c) {
    Decision d = Run(c);
    if (const auto* r = std::get_if<Rejection>(&d)) {
      FAIL("unexpected rejection " << r->code << ": " << r->message);
    }
    std::vector<fb::Event> types;
    for (const std::string& bytes : std::get<Events>(d)) {
      types.push_back(fb::GetEnvelope(bytes.data())->event_type());
    }
    return types;
  }

  // REQUIRES rejection; checks the state is byte-identical; returns the code.
  std::string Rejected(const Command& c) {
    const auto before = state.map();
    Decision d = Run(c);
    const auto* r = std::get_if<Rejection>(&d);
    if (r == nullptr) {
      FAIL("expected a rejection");
      return "";
    }
    CHECK(state.map() == before);
    return std::string(r->code);
  }

  void CheckInvariants() const {
    std::map<Asset, __int128> trial, trust_bank, trust_liab;
    for (const auto& entry : ledger) {
      const auto& key = entry.first;  // not a structured binding: Clang 14 cannot capture one
      const auto& b = entry.second;
      const __int128 bal = static_cast<__int128>(b.debit) - static_cast<__int128>(b.credit);
      trial[key.second] += bal;
      if (key.first == "bank:trust") trust_bank[key.second] += bal;
      if (key.first.rfind("liability:trust:", 0) == 0) {
        CHECK_MESSAGE(bal <= 0, "trust liability negative: " << key.first);
        trust_liab[key.second] -= bal;
      }
    }
    for (const auto& [asset, sum] : trial) CHECK_MESSAGE(sum == 0, "trial balance not zero");
    CHECK(trust_bank == trust_liab);
  }

  MemoryStateStore state;
  CommandContext ctx;
  Ledger ledger;
  std::vector<std::string> log;  // every applied envelope, in order
  std::map<fb::Event, int> posted_types;

 private:
  void ApplyOne(const std::string& bytes) {
    Result<EventRecord> rec = EventRecord::Decode(bytes);
    REQUIRE_MESSAGE(rec.ok(), rec.status().ToString());
    CHECK(rec->env().occurred_at_ns() == ctx.now_ns);
    CHECK(rec->env().idempotency_key()->string_view() == ctx.idempotency_key);
    Apply(state, rec->env());
    const std::vector<Posting> postings = PostingsFor(rec->env());
    std::map<Asset, __int128> net;
    for (const Posting& p : postings) {
      CHECK(p.debit.is_zero() != p.credit.is_zero());
      CHECK(p.debit.asset() == p.asset);
      CHECK(p.credit.asset() == p.asset);
      net[p.asset] +=
          static_cast<__int128>(p.debit.minor()) - static_cast<__int128>(p.credit.minor());
    }
    for (const auto& [asset, sum] : net) CHECK_MESSAGE(sum == 0, "unbalanced postings");
    if (!postings.empty()) posted_types[rec->type()]++;
    Post(ledger, postings);
    log.push_back(bytes);
  }
  int commands_ = 0;
};

}  // namespace folio::domain::testing
