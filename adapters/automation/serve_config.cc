#include "adapters/automation/serve_config.h"

#include <boost/json.hpp>

#include "adapters/files/durable_file.h"
#include "events/codes.h"

namespace folio::automation {
namespace {

namespace bj = boost::json;
using files::ReadWholeFile;
using files::WriteFileDurably;

Status Invalid(const std::string& what) { return Status::Error(codes::kInvalidArgument, what); }

}  // namespace

Result<ServeConfig> ServeConfig::FromJson(const bj::value& v) {
  if (!v.is_object()) return Invalid("the config must be a JSON object");
  ServeConfig c;
  for (const auto& kv : v.as_object()) {
    const std::string key(kv.key());
    if (key == "clock") {
      if (!kv.value().is_object()) return Invalid("clock: must be an object");
      for (const auto& f : kv.value().as_object()) {
        if (f.key() == "enabled") {
          if (!f.value().is_bool()) return Invalid("clock.enabled: must be true or false");
          c.clock = f.value().as_bool();
        } else if (f.key() == "tick_ms") {
          const bj::value& t = f.value();
          if (!t.is_int64() && !t.is_uint64()) return Invalid("clock.tick_ms: a whole number");
          const std::int64_t ms =
              t.is_int64() ? t.as_int64() : static_cast<std::int64_t>(t.as_uint64());
          if (ms < 10 || ms > 3'600'000) return Invalid("clock.tick_ms: must be 10..3600000");
          c.clock_tick = std::chrono::milliseconds(ms);
        } else {
          return Invalid("clock." + std::string(f.key()) + ": not a known field");
        }
      }
    } else if (key == "reconciliation") {
      ASSIGN_OR_RETURN(c.reconciliation, ReconScheduleConfig::FromJson(kv.value()));
    } else if (key == "alerts") {
      if (!kv.value().is_object()) return Invalid("alerts: must be an object");
      c.alerts = kv.value();
    } else {
      return Invalid(key + ": not a known part (clock, reconciliation, alerts)");
    }
  }
  return c;
}

Result<ServeConfig> ServeConfig::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  bj::error_code ec;
  bj::value v = bj::parse(text, ec);
  if (ec) return Invalid(path + ": not JSON: " + ec.message());
  auto c = FromJson(v);
  if (!c.ok()) return Invalid(path + ": " + std::string(c.status().message()));
  return c;
}

}  // namespace folio::automation
