// What a gateway's answer to a query means for the ledger: the same fact,
// under the same idempotency key and as the same command, that the gateway's
// notification of that outcome would have produced (alipay.h, wechat.h,
// unionpay.h). So a notification that arrives after the poller recorded the
// outcome (or the other way round) is a replay of the same command, never a
// second fact.
#pragma once

#include <string_view>

#include "adapters/gateways/gateway_api.h"
#include "adapters/gateways/notification.h"

namespace folio::gateways {

// A trade's state at the gateway -> the fact to record (command nullopt for a
// trade still pending or not found: nothing to record yet). Paid needs
// gateway_txn_id and amount (gateway_response_invalid otherwise).
Result<Notification> FactFromTradeQuery(Gateway g, std::string_view payment_id,
                                        const TradeQuery& q);

// A refund's state at the gateway -> refund.succeed / refund.fail under the
// key of the refund notification; nullopt command while it is processing.
// `trade_no` is the payment's gateway transaction id (Alipay's refund
// notification records it as the gateway refund id).
Result<Notification> FactFromRefund(Gateway g, std::string_view refund_id,
                                    std::string_view trade_no, const RefundAnswer& a);

}  // namespace folio::gateways
