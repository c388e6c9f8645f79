// Per-customer, per-method, per-asset usage for daily and monthly limits, in
// Asia/Shanghai calendar days and months. A payment counts on the day (and in
// the month) it was created, from creation on; it is released again when it
// fails, is cancelled or expires, and stays counted once settled (refunds do
// not release it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/domain/state_store.h"
#include "events/money.h"
#include "schemas/envelope_generated.h"

namespace folio::domain {

struct LimitKeys {
  std::string day;    // limits/{customer}/{method}/{asset}/d{yyyymmdd}
  std::string month;  // limits/{customer}/{method}/{asset}/m{yyyymm}
};

LimitKeys LimitKeysFor(std::string_view customer, fb::Method method, Asset asset,
                       std::int64_t at_ns);
// Zero when nothing counted yet.
u128 LimitUsed(StateStore& state, std::string_view key);
void LimitAdd(StateStore& state, const LimitKeys& keys, u128 amount);
// Erases a counter that drops to zero, so released usage leaves no trace.
void LimitRelease(StateStore& state, const LimitKeys& keys, u128 amount);

}  // namespace folio::domain
