// The sandbox gateway: WeChat Pay's API v3 (sandbox_impl.h).
#include "adapters/http/sandbox_impl.h"

namespace folio::http {

using sandbox_detail::Fen;
using sandbox_detail::FenAmount;
using sandbox_detail::Field;
using sandbox_detail::FromInbound;
using sandbox_detail::NowS;

Response SandboxServer::Impl::WechatAnswer(Fault fault, unsigned status, const std::string& body) {
  const std::string& key =
      fault == Fault::kBadSign ? wechat_wrong_key_pem : id.gateway.wechat_platform_private_key_pem;
  auto r = gw::SignWechatApiResponse(key, id.gateway.wechat_platform_serial, status, body, NowS());
  if (!r.ok()) return Response{500, "text/plain", std::string(r.status().message()), {}};
  return FromInbound(*r);
}

Response SandboxServer::Impl::WechatError(Fault fault, unsigned status, std::string_view code) {
  return WechatAnswer(fault, status, bj::serialize(bj::object{{"code", code}, {"message", code}}));
}

bj::object SandboxServer::Impl::WechatTradeJson(const gw::SandboxTrade& t) {
  bj::object o{{"appid", id.wechat_appid},
               {"mchid", id.gateway.wechat_mchid},
               {"out_trade_no", t.out_trade_no}};
  std::string state = "NOTPAY";
  switch (t.state) {
    case gw::TradeState::kPaid:
      state = "SUCCESS";
      break;
    case gw::TradeState::kRefunded:
      state = "REFUND";
      break;
    case gw::TradeState::kClosed:
      state = "CLOSED";
      break;
    case gw::TradeState::kFailed:
      state = "PAYERROR";
      break;
    default:
      break;
  }
  o["trade_state"] = state;
  o["trade_state_desc"] = state;
  if (state == "SUCCESS" || state == "REFUND") {
    o["transaction_id"] = t.gateway_txn_id;
    o["amount"] = bj::object{{"total", std::stoll(Fen(t.amount))},
                             {"payer_total", std::stoll(Fen(t.amount))},
                             {"currency", "CNY"},
                             {"payer_currency", "CNY"}};
  } else {
    o["amount"] = bj::object{{"total", std::stoll(Fen(t.amount))}, {"currency", "CNY"}};
  }
  return o;
}

bj::object SandboxServer::Impl::WechatRefundJson(const gw::SandboxTrade& t,
                                                 const gw::SandboxRefund& r) {
  return bj::object{{"refund_id", r.gateway_refund_id},
                    {"out_refund_no", r.refund_no},
                    {"transaction_id", t.gateway_txn_id},
                    {"out_trade_no", t.out_trade_no},
                    {"channel", "ORIGINAL"},
                    {"status", "SUCCESS"},
                    {"create_time", gw::WechatTime(NowS())},
                    {"amount", bj::object{{"refund", std::stoll(Fen(r.amount))},
                                          {"total", std::stoll(Fen(t.amount))},
                                          {"payer_refund", std::stoll(Fen(r.amount))},
                                          {"currency", "CNY"}}}};
}

void SandboxServer::Impl::HandleWechat(const Request& req, Responder done) {
  const Fault fault = RollFault();
  if (fault == Fault::k5xx) return done(WechatError(Fault::kNone, 500, "SYSTEM_ERROR"));
  auto call =
      gw::ParseWechatApiRequest(req.method, req.target, req.headers, req.body,
                                id.merchant_wechat.public_pem, id.merchant_wechat_serial, NowS());
  if (!call.ok()) {
    Refused();
    const bool sign = call.status().code().starts_with("signature");
    return Answer(fault, std::move(done),
                  WechatError(fault, sign ? 401 : 400, sign ? "SIGN_ERROR" : "PARAM_ERROR"));
  }
  const auto now = Clock::now();
  const auto& f = call->fields;
  Response answer;
  switch (call->kind) {
    case gw::WechatApiCallKind::kNativeOrder: {
      auto amount = FenAmount(Field(f, "amount.total"));
      if (!amount) {
        answer = WechatError(fault, 400, "PARAM_ERROR");
        break;
      }
      auto t = book.Create(gw::Gateway::kWechatPay, Field(f, "out_trade_no"), *amount,
                           Field(f, "notify_url"), now);
      answer =
          t.ok() ? WechatAnswer(fault, 200, bj::serialize(bj::object{{"code_url", t->qr_payload}}))
                 : WechatError(fault, 400, "INVALID_REQUEST");
      break;
    }
    case gw::WechatApiCallKind::kQueryOrder: {
      auto t = book.Get(gw::Gateway::kWechatPay, call->id, now);
      answer = t.ok() ? WechatAnswer(fault, 200, bj::serialize(WechatTradeJson(*t)))
                      : WechatError(fault, 404, "ORDER_NOT_EXIST");
      break;
    }
    case gw::WechatApiCallKind::kCloseOrder: {
      auto t = book.Close(gw::Gateway::kWechatPay, call->id, now);
      if (t.ok()) {
        answer = WechatAnswer(fault, 204, "");
      } else {
        const std::string sub = SubCode(t.status());
        answer = sub == "TRADE_NOT_EXIST" ? WechatError(fault, 404, "ORDER_NOT_EXIST")
                                          : WechatError(fault, 400, "ORDERPAID");
      }
      break;
    }
    case gw::WechatApiCallKind::kRefund: {
      auto amount = FenAmount(Field(f, "amount.refund"));
      const std::string no(Field(f, "out_trade_no"));
      if (!amount) {
        answer = WechatError(fault, 400, "PARAM_ERROR");
        break;
      }
      auto r = book.Refund(gw::Gateway::kWechatPay, no, Field(f, "out_refund_no"), *amount, now);
      if (!r.ok()) {
        const std::string sub = SubCode(r.status());
        answer = sub == "TRADE_NOT_EXIST" ? WechatError(fault, 404, "RESOURCE_NOT_EXISTS")
                                          : WechatError(fault, 400, "INVALID_REQUEST");
        break;
      }
      auto t = book.Get(gw::Gateway::kWechatPay, no, now);
      if (r->calls == 1) NotifyRefund(*t, *r);
      answer = WechatAnswer(fault, 200, bj::serialize(WechatRefundJson(*t, *r)));
      break;
    }
    case gw::WechatApiCallKind::kQueryRefund: {
      auto found = book.FindRefund(gw::Gateway::kWechatPay, call->id);
      if (!found.ok()) {
        answer = WechatError(fault, 404, "RESOURCE_NOT_EXISTS");
        break;
      }
      auto t = book.Get(gw::Gateway::kWechatPay, found->first, now);
      answer = WechatAnswer(fault, 200, bj::serialize(WechatRefundJson(*t, found->second)));
      break;
    }
    case gw::WechatApiCallKind::kTradeBill: {
      const std::string date(Field(f, "bill_date"));
      const std::string bill = Bill(gw::Gateway::kWechatPay, date).value_or("");
      answer = WechatAnswer(fault, 200,
                            bj::serialize(bj::object{
                                {"hash_type", "SHA1"},
                                {"hash_value", crypto::HexLower(crypto::Sha1(bill))},
                                {"download_url", BaseUrl() + "/sandbox/bills/wechatpay/" + date}}));
      break;
    }
    case gw::WechatApiCallKind::kCertificates: {
      gw::WechatCertificateEntry e;
      e.serial_no = id.gateway.wechat_platform_serial;
      e.certificate_pem = id.wechat_platform_cert_pem;
      e.effective_s = NowS() - 86400;
      e.expire_s = NowS() + 5LL * 365 * 86400;
      answer = WechatAnswer(fault, 200,
                            gw::BuildWechatCertificatesBody(id.gateway.wechat_apiv3_key, {e}));
      break;
    }
  }
  Answer(fault, std::move(done), std::move(answer));
}

}  // namespace folio::http
