// The server's config file (`folio serve --config`, docs/automation.md): the
// clock, the reconciliation jobs and the alert rules, from outside bytes.
// Input: the file's bytes. Properties: a config that is accepted keeps every
// documented range (tick, job names and times, distinct names, alert
// thresholds); one that is refused says invalid_argument with a message.
#include <boost/json.hpp>
#include <set>

#include "adapters/alerts/alerts_config.h"
#include "adapters/automation/serve_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace folio;
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(fuzz::Bytes(data, size), ec);
  if (ec) return 0;
  auto c = automation::ServeConfig::FromJson(v);
  if (!c.ok()) {
    FOLIO_FUZZ_CHECK(c.status().code() == "invalid_argument");
    FOLIO_FUZZ_CHECK(!c.status().message().empty());
    return 0;
  }
  FOLIO_FUZZ_CHECK(c->clock_tick.count() >= 10 && c->clock_tick.count() <= 3'600'000);
  const auto& r = c->reconciliation;
  FOLIO_FUZZ_CHECK(r.utc_offset_minutes >= -14 * 60 && r.utc_offset_minutes <= 14 * 60);
  std::set<std::string> names;
  for (const auto& job : r.jobs) {
    FOLIO_FUZZ_CHECK(!job.name.empty() && job.name.size() <= 64);
    FOLIO_FUZZ_CHECK(job.name.find('/') == std::string::npos &&
                     job.name.find('.') == std::string::npos);
    FOLIO_FUZZ_CHECK(job.at_minutes >= 0 && job.at_minutes < 1440);
    FOLIO_FUZZ_CHECK(names.insert(job.name).second);
    FOLIO_FUZZ_CHECK(job.from != automation::ReconJob::From::kFolder || !job.folder.empty());
  }
  if (c->alerts.is_null()) return 0;
  auto a = alerts::AlertsConfig::FromJson(c->alerts);
  if (!a.ok()) {
    FOLIO_FUZZ_CHECK(a.status().code() == "invalid_argument");
    return 0;
  }
  FOLIO_FUZZ_CHECK(a->rules.pending_max_s >= 1);
  FOLIO_FUZZ_CHECK(a->rules.failure_rate_permille <= 999);
  FOLIO_FUZZ_CHECK(a->rules.failure_min_samples >= 1);
  FOLIO_FUZZ_CHECK(!a->kafka_topic.empty());
  return 0;
}
