// Shared by the translation units of the reports (reports.cc: the run,
// three-way and trust statement reports and the entry points; report_sums.cc:
// the statistics and fee reports). Not a public header.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/reconciliation/scan_events.h"
#include "adapters/reports/report_model.h"
#include "adapters/reports/reports.h"
#include "engine/domain/civil_time.h"
#include "engine/keys.h"
#include "events/fields.h"
#include "events/money.h"

namespace folio::reports::internal {

using domain::ShanghaiDateTimeNs;

inline std::string Amount(const Money& m) {
  return m.asset() == Asset::Unknown ? "0" : m.ToString();
}
inline std::string Signed(bool negative, const Money& m) {
  return (negative && !m.is_zero() ? "-" : "") + Amount(m);
}

inline std::string Period(std::int64_t start, std::int64_t end) {
  if (start == 0 && end == 0) return "all history";
  return ShanghaiDateTimeNs(start) + " to " + ShanghaiDateTimeNs(end) +
         " (Asia/Shanghai, end exclusive)";
}

inline bool InPeriod(const ReportRequest& q, std::int64_t ns) {
  if (q.period_start_ns == 0 && q.period_end_ns == 0) return true;
  return ns >= q.period_start_ns && ns < q.period_end_ns;
}

using reconciliation::ScanEvents;

inline const std::vector<std::string> kSignoff = {"Prepared by", "Reviewed by", "Approved by"};

// report_sums.cc: from the stats projection when it answers exactly, else
// folded from the log (docs/projections.md, "Reading one moment").
Result<Report> StatsReport(const ReportRequest& q, const LogStore& store, std::uint64_t as_of);
Result<Report> FeeReport(const ReportRequest& q, const LogStore& store, std::uint64_t as_of);

}  // namespace folio::reports::internal
