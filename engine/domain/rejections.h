// Business rejection codes of the domain (Rejection::code). Stable: append
// only, never rename. The order in which each command checks them is in
// docs/rejections.md and tested as a table in tests/engine/domain_*_test.cpp.
#pragma once

#include <string_view>

namespace folio::domain::rejections {

// Any command.
inline constexpr std::string_view kInvalidCommand = "invalid_command";
inline constexpr std::string_view kAmountOverflow = "amount_overflow";
inline constexpr std::string_view kCurrencyMismatch = "currency_mismatch";

// Payments.
inline constexpr std::string_view kPaymentNotFound = "payment_not_found";
inline constexpr std::string_view kPaymentAlreadyExists = "payment_already_exists";
inline constexpr std::string_view kPaymentAlreadySettled = "payment_already_settled";
inline constexpr std::string_view kPaymentClosed = "payment_closed";
inline constexpr std::string_view kPaymentNotDue = "payment_not_due";
inline constexpr std::string_view kPaymentExpired = "payment_expired";
inline constexpr std::string_view kPaymentNotCrypto = "payment_not_crypto";
inline constexpr std::string_view kSettleAmountMismatch = "settle_amount_mismatch";
inline constexpr std::string_view kMethodDisabled = "method_disabled";
inline constexpr std::string_view kCurrencyNotAccepted = "currency_not_accepted";
inline constexpr std::string_view kAmountBelowMin = "amount_below_min";
inline constexpr std::string_view kAmountAboveMax = "amount_above_max";
inline constexpr std::string_view kLimitDailyExceeded = "limit_daily_exceeded";
inline constexpr std::string_view kLimitMonthlyExceeded = "limit_monthly_exceeded";
inline constexpr std::string_view kPrecisionLoss = "precision_loss";

// Refunds.
inline constexpr std::string_view kRefundAlreadyExists = "refund_already_exists";
inline constexpr std::string_view kRefundNotFound = "refund_not_found";
inline constexpr std::string_view kRefundNotPending = "refund_not_pending";
inline constexpr std::string_view kPaymentNotSettled = "payment_not_settled";
inline constexpr std::string_view kRefundTrustPayment = "refund_trust_payment";
inline constexpr std::string_view kRefundExceedsSettled = "refund_exceeds_settled";

// Credits.
inline constexpr std::string_view kCreditAlreadyExists = "credit_already_exists";
inline constexpr std::string_view kCreditNotFound = "credit_not_found";
inline constexpr std::string_view kCreditReversed = "credit_reversed";
inline constexpr std::string_view kCreditExpired = "credit_expired";
inline constexpr std::string_view kCreditInsufficient = "credit_insufficient";

// Trust.
inline constexpr std::string_view kTrustDepositAlreadyExists = "trust_deposit_already_exists";
inline constexpr std::string_view kTrustDepositNotFound = "trust_deposit_not_found";
inline constexpr std::string_view kTrustDepositAlreadyCleared = "trust_deposit_already_cleared";
inline constexpr std::string_view kTrustTransactionAlreadyExists =
    "trust_transaction_already_exists";
inline constexpr std::string_view kTrustBalanceInsufficient = "trust_balance_insufficient";
inline constexpr std::string_view kTrustUnclearedFunds = "trust_uncleared_funds";

}  // namespace folio::domain::rejections
