#include "adapters/gateways/gateway_api.h"

#include "events/codes.h"

namespace folio::gateways {

bool IsRetryable(const Status& s) {
  if (s.ok()) return false;
  const std::string_view c = s.code();
  return c == codes::kGatewayUnavailable || c == codes::kGatewayTimeout ||
         c == codes::kGatewayCircuitOpen || c == folio::codes::kIoError;
}

std::string_view TradeStateName(TradeState s) {
  switch (s) {
    case TradeState::kPending:
      return "pending";
    case TradeState::kPaid:
      return "paid";
    case TradeState::kClosed:
      return "closed";
    case TradeState::kFailed:
      return "failed";
    case TradeState::kRefunded:
      return "refunded";
    case TradeState::kNotFound:
      return "not_found";
  }
  return "unknown";
}

std::string_view RefundStateName(RefundState s) {
  switch (s) {
    case RefundState::kSucceeded:
      return "succeeded";
    case RefundState::kProcessing:
      return "processing";
    case RefundState::kFailed:
      return "failed";
    case RefundState::kNotFound:
      return "not_found";
  }
  return "unknown";
}

}  // namespace folio::gateways
