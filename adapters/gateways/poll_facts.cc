#include "adapters/gateways/poll_facts.h"

#include <string>

#include "engine/domain/commands.h"

namespace folio::gateways {
namespace {

Status Invalid(std::string msg) {
  return Status::Error(codes::kGatewayResponseInvalid, std::move(msg));
}

}  // namespace

Result<Notification> FactFromTradeQuery(Gateway g, std::string_view payment_id,
                                        const TradeQuery& q) {
  Notification n;
  n.gateway = g;
  n.gateway_status = q.gateway_status;
  const std::string pid(payment_id);
  const std::string& txn = q.gateway_txn_id;
  if (q.state == TradeState::kPending || q.state == TradeState::kNotFound ||
      q.state == TradeState::kRefunded) {
    // Refunded: paid first; the payment's own outcome came (or comes) as paid.
    n.dedupe_key = std::string(GatewayName(g)) + ":query:" + pid;
    return n;
  }
  if (q.state == TradeState::kPaid) {
    if (txn.empty() || !q.amount) return Invalid("a paid trade without its id or amount");
    switch (g) {
      case Gateway::kAlipay:
        n.dedupe_key = "alipay:settle:" + txn;
        break;
      case Gateway::kWechatPay:
        n.dedupe_key = "wechatpay:settle:" + txn;
        break;
      case Gateway::kUnionPay:
        n.dedupe_key = "unionpay:01:" + txn + ":ok";
        break;
      default:
        return Invalid("no queries at this gateway");
    }
    n.command = domain::PaymentSettle{pid, txn, *q.amount, std::nullopt};
    return n;
  }
  // Closed or failed before payment.
  switch (g) {
    case Gateway::kAlipay:
      if (txn.empty()) {
        n.dedupe_key = "alipay:close-out:" + pid;  // closed before anyone scanned it
      } else {
        n.dedupe_key = "alipay:close:" + txn;
      }
      n.command = domain::PaymentFail{pid, "trade closed at Alipay", "TRADE_CLOSED"};
      return n;
    case Gateway::kWechatPay: {
      const std::string state = q.gateway_status.empty()
                                    ? (q.state == TradeState::kFailed ? "PAYERROR" : "CLOSED")
                                    : q.gateway_status;
      n.dedupe_key = "wechatpay:" + pid + ":" + state;
      if (state == "REVOKED") {
        n.command = domain::PaymentCancel{pid, "revoked at WeChat Pay"};
      } else {
        n.command = domain::PaymentFail{pid, "closed at WeChat Pay", state};
      }
      return n;
    }
    case Gateway::kUnionPay: {
      const std::string code = q.gateway_status.empty() ? "fail" : q.gateway_status;
      n.dedupe_key =
          txn.empty() ? "unionpay:01-out:" + pid + ":fail" : "unionpay:01:" + txn + ":fail";
      n.command = domain::PaymentFail{pid, "respCode " + code, code};
      return n;
    }
    default:
      return Invalid("no queries at this gateway");
  }
}

Result<Notification> FactFromRefund(Gateway g, std::string_view refund_id,
                                    std::string_view trade_no, const RefundAnswer& a) {
  Notification n;
  n.gateway = g;
  n.gateway_status = a.gateway_status;
  const std::string rid(refund_id);
  if (a.state == RefundState::kProcessing || a.state == RefundState::kNotFound) {
    n.dedupe_key = std::string(GatewayName(g)) + ":refund-query:" + rid;
    return n;
  }
  const bool ok = a.state == RefundState::kSucceeded;
  switch (g) {
    case Gateway::kAlipay:
      // Alipay's refund notification names the refund by out_biz_no (ours)
      // and records the trade number as the gateway's refund id.
      n.dedupe_key = "alipay:refund:" + rid;
      if (ok) {
        n.command = domain::RefundSucceed{rid, std::string(trade_no)};
      } else {
        n.command = domain::RefundFail{rid, "refund refused at Alipay"};
      }
      return n;
    case Gateway::kWechatPay: {
      if (a.gateway_refund_id.empty()) return Invalid("a refund answer without refund_id");
      const std::string status =
          ok ? "SUCCESS" : (a.gateway_status.empty() ? "ABNORMAL" : a.gateway_status);
      n.dedupe_key = "wechatpay:refund:" + a.gateway_refund_id + ":" + status;
      if (ok) {
        n.command = domain::RefundSucceed{rid, a.gateway_refund_id};
      } else {
        n.command = domain::RefundFail{rid, "refund " + status + " at WeChat Pay"};
      }
      return n;
    }
    case Gateway::kUnionPay: {
      if (a.gateway_refund_id.empty()) return Invalid("a refund answer without queryId");
      n.dedupe_key = "unionpay:04:" + a.gateway_refund_id + (ok ? ":ok" : ":fail");
      if (ok) {
        n.command = domain::RefundSucceed{rid, a.gateway_refund_id};
      } else {
        n.command = domain::RefundFail{rid, "respCode " + a.gateway_status};
      }
      return n;
    }
    default:
      return Invalid("no refunds at this gateway");
  }
}

}  // namespace folio::gateways
