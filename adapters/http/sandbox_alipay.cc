// The sandbox gateway: Alipay's OpenAPI (sandbox_impl.h).
#include "adapters/http/sandbox_impl.h"

namespace folio::http {

Response SandboxServer::Impl::AlipayAnswer(Fault fault, const std::string& method,
                                           const bj::object& body) {
  EVP_PKEY* key = fault == Fault::kBadSign ? alipay_wrong_key.get() : alipay_key.get();
  return Response{200,
                  "application/json;charset=utf-8",
                  gw::BuildAlipayApiResponse(key, method, bj::serialize(body)),
                  {}};
}

bj::object SandboxServer::Impl::AlipayBusinessFailure(std::string_view sub_code) {
  return bj::object{{"code", "40004"},
                    {"msg", "Business Failed"},
                    {"sub_code", "ACQ." + std::string(sub_code)},
                    {"sub_msg", std::string(sub_code)}};
}

// "TRADE_NOT_EXIST: pay-1" -> "TRADE_NOT_EXIST"
std::string SandboxServer::Impl::SubCode(const Status& s) {
  const std::string m(s.message());
  return m.substr(0, m.find(':'));
}

void SandboxServer::Impl::HandleAlipay(const Request& req, Responder done) {
  const Fault fault = RollFault();
  if (fault == Fault::k5xx) return done(Response{503, "text/html", "Service Unavailable", {}});
  auto call = gw::ParseAlipayApiRequest(req.body, merchant_alipay_pub.get());
  if (!call.ok()) {
    Refused();
    bj::object e{{"code", "40002"},
                 {"msg", "Invalid Arguments"},
                 {"sub_code", call.status().code() == gw::codes::kSignatureInvalid
                                  ? "isv.invalid-signature"
                                  : "isv.invalid-parameter"},
                 {"sub_msg", std::string(call.status().message())}};
    return Answer(fault, std::move(done), AlipayAnswer(fault, "error", e));
  }
  const auto now = Clock::now();
  const std::string& m = call->method;
  const std::string no(call->Biz("out_trade_no").value_or(""));
  bj::object ok{{"code", "10000"}, {"msg", "Success"}};
  bj::object answer;
  if (call->app_id != id.gateway.alipay_app_id) {
    answer = bj::object{{"code", "40002"},
                        {"msg", "Invalid Arguments"},
                        {"sub_code", "isv.invalid-app-id"},
                        {"sub_msg", "app_id"}};
  } else if (m == "alipay.trade.precreate") {
    auto amount = Money::Parse(call->Biz("total_amount").value_or(""), Asset::CNY);
    if (!amount.ok()) {
      answer = bj::object{{"code", "40004"},
                          {"msg", "Business Failed"},
                          {"sub_code", "ACQ.INVALID_PARAMETER"},
                          {"sub_msg", "total_amount"}};
    } else {
      auto t = book.Create(gw::Gateway::kAlipay, no, *amount, call->notify_url, now);
      if (!t.ok()) {
        answer = AlipayBusinessFailure(SubCode(t.status()));
      } else {
        answer = ok;
        answer["out_trade_no"] = no;
        answer["qr_code"] = t->qr_payload;
      }
    }
  } else if (m == "alipay.trade.query") {
    auto t = book.Get(gw::Gateway::kAlipay, no, now);
    if (!t.ok()) {
      answer = AlipayBusinessFailure("TRADE_NOT_EXIST");
    } else {
      answer = ok;
      answer["out_trade_no"] = no;
      answer["trade_no"] = t->gateway_txn_id;
      answer["total_amount"] = t->amount.ToString();
      switch (t->state) {
        case gw::TradeState::kPending:
          answer["trade_status"] = "WAIT_BUYER_PAY";
          break;
        case gw::TradeState::kPaid:
          answer["trade_status"] = "TRADE_SUCCESS";
          answer["send_pay_date"] = "2026-12-07 10:00:00";
          break;
        case gw::TradeState::kRefunded:
          answer["trade_status"] = "TRADE_CLOSED";
          answer["send_pay_date"] = "2026-12-07 10:00:00";
          break;
        default:
          answer["trade_status"] = "TRADE_CLOSED";
          break;
      }
    }
  } else if (m == "alipay.trade.close") {
    auto t = book.Close(gw::Gateway::kAlipay, no, now);
    if (!t.ok()) {
      answer = AlipayBusinessFailure(SubCode(t.status()));
    } else {
      answer = ok;
      answer["out_trade_no"] = no;
      answer["trade_no"] = t->gateway_txn_id;
    }
  } else if (m == "alipay.trade.refund") {
    auto amount = Money::Parse(call->Biz("refund_amount").value_or(""), Asset::CNY);
    const std::string rno(call->Biz("out_request_no").value_or(""));
    auto r = amount.ok() ? book.Refund(gw::Gateway::kAlipay, no, rno, *amount, now)
                         : Result<gw::SandboxRefund>(amount.status());
    if (!r.ok()) {
      answer = AlipayBusinessFailure(amount.ok() ? SubCode(r.status()) : "INVALID_PARAMETER");
    } else {
      auto t = book.Get(gw::Gateway::kAlipay, no, now);
      answer = ok;
      answer["out_trade_no"] = no;
      answer["trade_no"] = t->gateway_txn_id;
      answer["fund_change"] = r->calls == 1 ? "Y" : "N";
      answer["refund_fee"] = t->refunded.ToString();
    }
  } else if (m == "alipay.trade.fastpay.refund.query") {
    const std::string rno(call->Biz("out_request_no").value_or(""));
    auto t = book.Get(gw::Gateway::kAlipay, no, now);
    if (!t.ok()) {
      answer = AlipayBusinessFailure("TRADE_NOT_EXIST");
    } else {
      answer = ok;
      answer["out_trade_no"] = no;
      answer["trade_no"] = t->gateway_txn_id;
      answer["out_request_no"] = rno;
      auto r = book.GetRefund(gw::Gateway::kAlipay, no, rno);
      if (r.ok()) {
        answer["refund_amount"] = r->amount.ToString();
        answer["total_amount"] = t->amount.ToString();
        answer["refund_status"] = "REFUND_SUCCESS";
      }
    }
  } else if (m == "alipay.data.dataservice.bill.downloadurl.query") {
    answer = ok;
    answer["bill_download_url"] =
        BaseUrl() + "/sandbox/bills/alipay/" + std::string(call->Biz("bill_date").value_or(""));
  } else {
    answer = bj::object{{"code", "40004"},
                        {"msg", "Business Failed"},
                        {"sub_code", "isv.invalid-method"},
                        {"sub_msg", m}};
  }
  Answer(fault, std::move(done), AlipayAnswer(fault, m, answer));
}

}  // namespace folio::http
