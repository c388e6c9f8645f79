// The gateway reconciliation tests' common parts: a fake clock at 00:01 on
// the Shanghai day after today (so today's bill is due), and scheduler deps
// whose bills come from a GatewayLedger's clients, as `folio serve` wires
// them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "adapters/automation/recon_scheduler.h"
#include "tests/adapters/http/gateway_calls_harness.h"

namespace folio::testing {

inline constexpr std::int64_t kMinuteNs = 60'000'000'000;

// UTC ns of 00:00 of a Shanghai day (days since 1970-01-01).
inline std::int64_t ShanghaiDayStart(std::int64_t day) { return (day * 1440 - 8 * 60) * kMinuteNs; }

struct NextDayClock {
  std::int64_t today = 0;   // the Shanghai day of the wall clock now
  std::int64_t now_ns = 0;  // 00:01 the day after
  NextDayClock() {
    const std::int64_t wall = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
    today = automation::BillDayDue(wall, 0, 8 * 60) + 1;
    now_ns = ShanghaiDayStart(today + 1) + kMinuteNs;
  }
};

inline automation::ReconSchedulerDeps GatewayBillDeps(GatewayLedger& l, const std::string& dir,
                                                      std::int64_t now_ns) {
  automation::ReconSchedulerDeps deps;
  deps.store = l.engine.store.get();
  deps.writer = l.engine.writer.get();
  deps.dir = dir;
  deps.now_ns = [now_ns] { return now_ns; };
  deps.gateway_for = [&l](statements::Source s) -> http::PaymentGateway* {
    const auto g = automation::GatewayOfSource(s);
    return g ? l.wiring.ClientFor(*g) : nullptr;
  };
  return deps;
}

}  // namespace folio::testing
