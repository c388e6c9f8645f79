// The compliance reports, as plain functions so that the CLI (`folio report`)
// and the HTTP server (auditor role) produce the same bytes.
//
// Reproducible: a report reads the log only up to a sequence (as_of_seq; 0
// means the head at the time of the call, and the header names the sequence
// it used), takes periods from the request, and prints no wall-clock time.
// The same request at the same as_of_seq gives the same bytes.
//
// Kinds (docs/reconciliation.md has the columns of each):
//   reconciliation-run  one run: channel, period, file hash, totals on both
//                       sides, matches per rule, exceptions with our and
//                       their reference and amounts, resolutions, sign-off
//   three-way           adapters/reconciliation/three_way.h for a statement file
//   trust-statement     a client's trust ledger per matter: opening balance,
//                       every movement with a running balance, closing
//   fees                fees charged per method and asset against the fee the
//                       configured schedule gave, and every payment that differs
//   stats               payments and refunds per Shanghai day, method and asset
//
// Thread-safety: reads only; may run while the writer appends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/reconciliation/three_way.h"
#include "adapters/reports/report_model.h"
#include "adapters/statements/statement.h"
#include "engine/log_store.h"

namespace folio::reports {

enum class ReportKind { kReconciliationRun, kThreeWay, kTrustStatement, kFees, kStats };
enum class ReportFormat { kCsv, kJson, kHtml };

std::optional<ReportKind> ReportKindFromName(std::string_view name);  // "reconciliation-run", ...
std::optional<ReportFormat> ReportFormatFromName(std::string_view name);  // "csv", "json", "html"
std::string_view ContentType(ReportFormat f);  // "text/csv; charset=utf-8", ...

struct ReportRequest {
  ReportKind kind = ReportKind::kStats;
  ReportFormat format = ReportFormat::kJson;
  std::uint64_t as_of_seq = 0;       // 0: the head
  std::int64_t period_start_ns = 0;  // [start, end); 0/0: all of history
  std::int64_t period_end_ns = 0;
  std::string run_id;                // reconciliation-run
  std::string client_id, matter_id;  // trust-statement (matter empty: every matter)
  statements::Source statement_source = statements::Source::kCamt053;  // three-way
  std::string statement_path;                                          // three-way
  reconciliation::ThreeWayOptions three_way;                           // three-way
};

// Builds and renders. Errors: invalid_argument (missing run id, client, ...),
// recon_run_not_found, statement parse errors, storage errors.
Result<std::string> RenderReport(const ReportRequest& request, const LogStore& store);

// The model alone (tests, other renderings).
Result<Report> BuildReport(const ReportRequest& request, const LogStore& store);

}  // namespace folio::reports
