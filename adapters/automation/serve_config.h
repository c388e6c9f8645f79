// The automation part of `folio serve --config FILE` (docs/automation.md):
//
//   {"clock": {"tick_ms": 1000, "enabled": true},
//    "reconciliation": {...},   // recon_scheduler.h
//    "alerts": {...}}           // adapters/alerts
//
// Every part is optional; an absent part takes its defaults (the clock on,
// every second; no reconciliation jobs; the default alert rules).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "adapters/automation/recon_scheduler.h"
#include "events/status.h"

namespace folio::automation {

struct ServeConfig {
  bool clock = true;
  std::chrono::milliseconds clock_tick{1000};
  ReconScheduleConfig reconciliation;
  boost::json::value alerts;  // null: defaults

  // Errors: invalid_argument naming the field (and the file), io_error,
  // not_found.
  static Result<ServeConfig> FromJson(const boost::json::value& v);
  static Result<ServeConfig> Load(const std::string& path);
};

}  // namespace folio::automation
