// The sandbox gateway: UnionPay's back-end, query and file APIs (sandbox_impl.h).
#include "adapters/http/sandbox_impl.h"

namespace folio::http {

using sandbox_detail::Fen;
using sandbox_detail::FenAmount;
using sandbox_detail::NowS;

Response SandboxServer::Impl::UnionPayAnswer(Fault fault, gw::FormPairs fields) {
  EVP_PKEY* key = fault == Fault::kBadSign ? unionpay_wrong_key.get() : unionpay_key.get();
  return Response{
      200,
      "application/x-www-form-urlencoded;charset=UTF-8",
      gw::BuildUnionPayApiResponse(key, id.unionpay_chain.signing_cert_pem, std::move(fields)),
      {}};
}

void SandboxServer::Impl::HandleUnionPay(const Request& req, Responder done, bool query) {
  const Fault fault = RollFault();
  if (fault == Fault::k5xx) return done(Response{503, "text/html", "Service Unavailable", {}});
  auto form = gw::ParseUnionPayApiRequest(req.body, merchant_unionpay_pub.get());
  if (!form.ok()) {
    Refused();
    return Answer(fault, std::move(done), Response{400, "text/plain", "bad request", {}});
  }
  const auto now = Clock::now();
  auto v = [&](std::string_view name) {
    return std::string(gw::FormValue(*form, name).value_or(""));
  };
  const std::string txn_type = v("txnType");
  const std::string order_id = v("orderId");
  gw::FormPairs out = {
      {"version", "5.1.0"},  {"encoding", "UTF-8"},           {"bizType", v("bizType")},
      {"txnType", txn_type}, {"txnSubType", v("txnSubType")}, {"accessType", "0"},
      {"merId", v("merId")}, {"orderId", order_id},           {"txnTime", v("txnTime")}};
  auto resp = [&](std::string code, std::string msg) {
    out.emplace_back("respCode", std::move(code));
    out.emplace_back("respMsg", std::move(msg));
  };
  if (v("merId") != id.gateway.unionpay_mer_id) {
    resp("11", "merId");
  } else if (query) {
    auto t = book.Get(gw::Gateway::kUnionPay, order_id, now);
    if (t.ok()) {
      resp("00", "success");
      out.emplace_back("queryId", t->gateway_txn_id);
      out.emplace_back("txnAmt", Fen(t->amount));
      out.emplace_back("currencyCode", "156");
      const bool paid = t->state == gw::TradeState::kPaid || t->state == gw::TradeState::kRefunded;
      const bool pending = t->state == gw::TradeState::kPending;
      out.emplace_back("origRespCode", paid ? "00" : pending ? "05" : "61");
      out.emplace_back("origRespMsg", paid ? "success" : pending ? "in process" : "failed");
    } else if (auto r = book.FindRefund(gw::Gateway::kUnionPay, order_id); r.ok()) {
      resp("00", "success");
      out.emplace_back("queryId", r->second.gateway_refund_id);
      out.emplace_back("txnAmt", Fen(r->second.amount));
      out.emplace_back("currencyCode", "156");
      out.emplace_back("origRespCode", "00");
      out.emplace_back("origRespMsg", "success");
    } else {
      resp("34", "order not found");
    }
  } else if (txn_type == "01") {
    auto amount = FenAmount(v("txnAmt"));
    auto t = amount ? book.Create(gw::Gateway::kUnionPay, order_id, *amount, v("backUrl"), now)
                    : Result<gw::SandboxTrade>(Status::Error("x", "x"));
    if (t.ok()) {
      resp("00", "success");
      out.emplace_back("qrCode", t->qr_payload);
    } else {
      resp("12", "duplicate order");
    }
  } else if (txn_type == "04") {
    auto amount = FenAmount(v("txnAmt"));
    auto trade = book.FindByTxnId(gw::Gateway::kUnionPay, v("origQryId"), now);
    if (!amount || !trade.ok()) {
      resp("35", "original transaction not found");
    } else {
      auto r = book.Refund(gw::Gateway::kUnionPay, trade->out_trade_no, order_id, *amount, now);
      if (!r.ok()) {
        resp("36", "refund refused");
      } else {
        if (r->calls == 1) {
          resp("00", "success");
          NotifyRefund(*trade, *r);
        } else {
          resp("12", "duplicate transaction");
        }
        out.emplace_back("queryId", r->gateway_refund_id);
        out.emplace_back("txnAmt", Fen(r->amount));
        out.emplace_back("currencyCode", "156");
      }
    }
  } else {
    resp("10", "txnType");
  }
  Answer(fault, std::move(done), UnionPayAnswer(fault, std::move(out)));
}

// POST /gateway/api/fileTransRequest.do (txnType 76, fileType 00): the
// merchant reconciliation file of settleDate MMDD, the latest such day not
// after today (Asia/Shanghai, by the book's wall clock), as UnionPay hands
// it over: fileContent = base64(zlib(ZIP of INN<yymmdd>01ACOMN)).
void SandboxServer::Impl::HandleUnionPayFile(const Request& req, Responder done) {
  const Fault fault = RollFault();
  if (fault == Fault::k5xx) return done(Response{503, "text/html", "Service Unavailable", {}});
  auto form = gw::ParseUnionPayApiRequest(req.body, merchant_unionpay_pub.get());
  if (!form.ok()) {
    Refused();
    return Answer(fault, std::move(done), Response{400, "text/plain", "bad request", {}});
  }
  auto v = [&](std::string_view name) {
    return std::string(gw::FormValue(*form, name).value_or(""));
  };
  const std::string settle = v("settleDate");
  gw::FormPairs out = {
      {"version", "5.1.0"},       {"encoding", "UTF-8"},           {"bizType", v("bizType")},
      {"txnType", v("txnType")},  {"txnSubType", v("txnSubType")}, {"accessType", "0"},
      {"merId", v("merId")},      {"settleDate", settle},          {"txnTime", v("txnTime")},
      {"fileType", v("fileType")}};
  auto resp = [&](std::string code, std::string msg) {
    out.emplace_back("respCode", std::move(code));
    out.emplace_back("respMsg", std::move(msg));
  };
  const std::optional<domain::CivilDate> day = SettleDay(settle);
  if (v("merId") != id.gateway.unionpay_mer_id) {
    resp("11", "merId");
  } else if (v("txnType") != "76" || v("fileType") != "00") {
    resp("10", "txnType or fileType");
  } else if (!day) {
    resp("10", "settleDate");
  } else {
    char date[16], yymmdd[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", day->year, day->month, day->day);
    std::snprintf(yymmdd, sizeof yymmdd, "%02d%02u%02u", day->year % 100, day->month, day->day);
    const std::string inn = Bill(gw::Gateway::kUnionPay, date).value_or("");
    const std::string zip = statements::MakeZip({{"INN" + std::string(yymmdd) + "01ACOMN", inn}});
    resp("00", "success");
    out.emplace_back("fileName",
                     v("merId") + "_" + std::string(date).erase(7, 1).erase(4, 1) + ".zip");
    out.emplace_back("fileContent", crypto::Base64Encode(statements::ZlibDeflate(zip)));
  }
  Answer(fault, std::move(done), UnionPayAnswer(fault, std::move(out)));
}

// "MMDD" -> the latest such day not after today in Asia/Shanghai.
std::optional<domain::CivilDate> SandboxServer::Impl::SettleDay(std::string_view mmdd) const {
  if (mmdd.size() != 4 ||
      !std::all_of(mmdd.begin(), mmdd.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const std::int64_t now_ns =
      opts.wall_clock ? opts.wall_clock() : NowS() * std::int64_t{1'000'000'000};
  const domain::CivilDate today = domain::ShanghaiDate(now_ns);
  domain::CivilDate d;
  d.month = static_cast<std::uint32_t>((mmdd[0] - '0') * 10 + (mmdd[1] - '0'));
  d.day = static_cast<std::uint32_t>((mmdd[2] - '0') * 10 + (mmdd[3] - '0'));
  for (std::int32_t y = today.year; y >= today.year - 4; --y) {  // 0229: back to a leap year
    d.year = y;
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", d.year, d.month, d.day);
    const auto parsed = gw::ParseBillDate(text);
    if (!parsed) continue;
    if (domain::DaysFromCivil(*parsed) <= domain::DaysFromCivil(today)) return parsed;
  }
  return std::nullopt;
}

}  // namespace folio::http
