// The schedule index: what time makes happen, kept in the state under
//   sched/ {at_ns: u64 big-endian} {kind: u8} {id}
// so that a Scan from "sched/" returns entries in time order (then kind, then
// id). Apply adds an entry when an aggregate gets a deadline and erases it when
// the deadline fires or becomes moot (payment settled, credit used up, ...).
// ClockAdvance (scheduler.cc) turns due entries into events.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/state_store.h"

namespace folio::domain {

// At equal times, a payment falls due before it can expire.
enum class ScheduleKind : std::uint8_t {
  kPaymentDue = 1,
  kPaymentExpiry = 2,
  kCreditExpiry = 3,
};

// Most entries one ClockAdvance fires; a further ClockAdvance continues.
inline constexpr std::size_t kScheduleFireMax = 4096;

struct ScheduleEntry {
  std::int64_t at_ns = 0;
  ScheduleKind kind = ScheduleKind::kPaymentDue;
  std::string id;
};

// REQUIRES: at_ns >= 0.
std::string ScheduleKey(std::int64_t at_ns, ScheduleKind kind, std::string_view id);
void Schedule(StateStore& state, std::int64_t at_ns, ScheduleKind kind, std::string_view id);
void Unschedule(StateStore& state, std::int64_t at_ns, ScheduleKind kind, std::string_view id);
// Entries with at_ns <= up_to_ns, in firing order, at most `limit`.
std::vector<ScheduleEntry> DueAt(StateStore& state, std::int64_t up_to_ns, std::size_t limit);

}  // namespace folio::domain
