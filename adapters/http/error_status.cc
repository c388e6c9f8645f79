#include "adapters/http/error_status.h"

#include <algorithm>
#include <array>

namespace folio::http {
namespace {

// One row per code. A code's status says who should act: 4xx the caller
// (400 malformed, 409 already done or used, 422 a business rule said no),
// 500 the operator (storage, configuration, a broken chain), 502/504 the
// payment gateway, 503 nobody yet: retry later. Grouped by status, sorted by
// code within a group (the test checks the order, which keeps the lookup a
// binary search after the sort below).
// clang-format off
constexpr CodeStatus kRows[] = {
    // 400
    {"amount_invalid", 400},
    {"amount_overflow", 400},
    {"amount_precision", 400},
    {"amount_underflow", 400},
    {"bad_request", 400},
    {"currency_unknown", 400},
    {"envelope_invalid", 400},
    {"gateway_unknown_status", 400},
    {"idempotency_key_missing", 400},
    {"invalid_argument", 400},
    {"invalid_command", 400},
    {"invalid_field", 400},
    {"invalid_json", 400},
    {"missing_field", 400},
    {"notification_malformed", 400},
    {"notification_undecryptable", 400},
    {"query_invalid", 400},
    {"request_truncated", 400},
    {"statement_amount_invalid", 400},
    {"statement_encoding", 400},
    {"statement_malformed", 400},
    {"statement_missing_column", 400},
    {"statement_summary_file", 400},
    {"statement_truncated", 400},
    {"unknown_command_type", 400},
    {"unknown_field", 400},
    // 401
    {"signature_expired", 401},
    {"signature_invalid", 401},
    {"signature_key_unknown", 401},
    {"unauthorized", 401},
    // 403
    {"forbidden", 403},
    {"gateway_merchant_mismatch", 403},
    // 404
    {"credit_not_found", 404},
    {"not_found", 404},
    {"payment_not_found", 404},
    {"recon_discrepancy_not_found", 404},
    {"recon_run_not_found", 404},
    {"refund_not_found", 404},
    {"route_not_found", 404},
    {"trust_deposit_not_found", 404},
    // 405
    {"method_not_allowed", 405},
    // 408
    {"request_timeout", 408},
    // 409
    {"credit_already_exists", 409},
    {"idempotency_key_conflict", 409},
    {"notification_replayed", 409},
    {"payment_already_exists", 409},
    {"recon_discrepancy_resolved", 409},
    {"recon_run_exists", 409},
    {"refund_already_exists", 409},
    {"stream_version_conflict", 409},
    {"trust_deposit_already_exists", 409},
    // 413
    {"body_too_large", 413},
    {"statement_too_large", 413},
    // 415
    {"unsupported_media_type", 415},
    // 422
    {"amount_above_max", 422},
    {"amount_below_min", 422},
    {"credit_expired", 422},
    {"credit_insufficient", 422},
    {"credit_reversed", 422},
    {"currency_mismatch", 422},
    {"currency_not_accepted", 422},
    {"gateway_refused", 422},
    {"limit_daily_exceeded", 422},
    {"limit_monthly_exceeded", 422},
    {"method_disabled", 422},
    {"payment_already_settled", 422},
    {"payment_closed", 422},
    {"payment_expired", 422},
    {"payment_not_crypto", 422},
    {"payment_not_due", 422},
    {"payment_not_settled", 422},
    {"precision_loss", 422},
    {"recon_discrepancy_exists", 422},
    {"recon_run_completed", 422},
    {"recon_run_open", 422},
    {"refund_exceeds_settled", 422},
    {"refund_not_pending", 422},
    {"refund_trust_payment", 422},
    {"settle_amount_mismatch", 422},
    {"trust_balance_insufficient", 422},
    {"trust_deposit_already_cleared", 422},
    {"trust_uncleared_funds", 422},
    // 431
    {"headers_too_large", 431},
    // 500
    {"corruption", 500},
    {"gateway_config_invalid", 500},
    {"io_error", 500},
    {"kafka_config", 500},
    {"mirror_gap", 500},
    {"projection_chain_broken", 500},
    // 502
    {"gateway_certificate_invalid", 502},
    {"gateway_response_invalid", 502},
    {"gateway_unavailable", 502},
    // 503
    {"gateway_circuit_open", 503},
    {"kafka_error", 503},
    {"kafka_fatal", 503},
    {"kafka_timeout", 503},
    {"no_space", 503},
    {"not_ready", 503},
    {"projection_failed", 503},
    {"projection_lag_timeout", 503},
    {"store_closed", 503},
    {"store_failed", 503},
    {"store_overloaded", 503},
    {"too_many_connections", 503},
    // 504
    {"gateway_timeout", 504},
};
// clang-format on

constexpr std::size_t kCount = sizeof(kRows) / sizeof(kRows[0]);

constexpr std::array<CodeStatus, kCount> SortedByCode() {
  std::array<CodeStatus, kCount> rows{};
  std::copy(std::begin(kRows), std::end(kRows), rows.begin());
  std::sort(rows.begin(), rows.end(),
            [](const CodeStatus& a, const CodeStatus& b) { return a.code < b.code; });
  return rows;
}

constexpr std::array<CodeStatus, kCount> kByCode = SortedByCode();

}  // namespace

std::span<const CodeStatus> ErrorStatusTable() { return kRows; }

unsigned HttpStatusFor(std::string_view code) {
  auto it =
      std::lower_bound(kByCode.begin(), kByCode.end(), code,
                       [](const CodeStatus& row, std::string_view c) { return row.code < c; });
  if (it != kByCode.end() && it->code == code) return it->status;
  return 422;
}

}  // namespace folio::http
