// The sandbox gateway's server (SandboxServer::Impl), shared by the files
// that implement it: sandbox_process.cc (faults, notifications, control
// routes, start and stop), sandbox_alipay.cc, sandbox_wechat.cc and
// sandbox_unionpay.cc (each gateway's API). Not a public header.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <list>
#include <mutex>
#include <thread>

#include <boost/json.hpp>

#include "adapters/gateways/alipay_api.h"
#include "adapters/gateways/alipay_sandbox_api.h"
#include "adapters/gateways/form.h"
#include "adapters/gateways/gateway_codes.h"
#include "adapters/gateways/sandbox_bill.h"
#include "adapters/gateways/unionpay_api.h"
#include "adapters/gateways/unionpay_sandbox_api.h"
#include "adapters/gateways/wechat_api.h"
#include "adapters/gateways/wechat_api_sandbox.h"
#include "adapters/http/client.h"
#include "adapters/http/outbound.h"
#include "adapters/http/sandbox_process.h"
#include "adapters/http/server.h"
#include "adapters/statements/zip_archive.h"
#include "engine/domain/civil_time.h"
#include "events/codes.h"

namespace folio::http {

namespace crypto = gateways::crypto;
namespace gw = gateways;
namespace bj = boost::json;

namespace sandbox_detail {

inline std::int64_t NowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline Response Json(unsigned status, const bj::value& v) {
  return Response{status, "application/json", bj::serialize(v), {}};
}

inline Response FromInbound(const gw::InboundResponse& r) {
  Response out;
  out.status = r.status;
  out.body = r.body;
  out.content_type = "";
  for (const auto& [k, v] : r.headers) {
    if (k == "content-type") {
      out.content_type = v;
    } else {
      out.headers.emplace_back(k, v);
    }
  }
  if (out.content_type.empty()) out.content_type = "application/json";
  return out;
}

inline std::string Fen(const Money& m) { return U128ToString(m.minor()); }

inline std::optional<Money> FenAmount(std::string_view digits) {
  auto v = U128FromString(digits);
  if (!v || *v == 0) return std::nullopt;
  return Money(Asset::CNY, *v);
}

inline std::string_view Field(const std::vector<std::pair<std::string, std::string>>& f,
                              std::string_view name) {
  for (const auto& [k, v] : f) {
    if (k == name) return v;
  }
  return {};
}

// One notification to deliver: rebuilt (freshly signed) for each attempt.
struct Delivery {
  std::chrono::steady_clock::time_point due;
  gw::Gateway gateway = gw::Gateway::kAlipay;
  gw::SandboxPayment payment;
  std::string notify_url;
  std::string status;     // the gateway's word for the outcome
  std::string refund_id;  // set for refund notifications
  Money refund;
  unsigned attempt = 0;
  bool duplicate = false;
};

}  // namespace sandbox_detail

struct SandboxServer::Impl {
  using Clock = std::chrono::steady_clock;

  SandboxServerOptions opts;
  SandboxIdentity id;
  gw::SandboxBook book;
  crypto::Pkey alipay_key, alipay_wrong_key, merchant_alipay_pub;
  crypto::Pkey unionpay_key, unionpay_wrong_key, merchant_unionpay_pub;
  std::string wechat_wrong_key_pem;
  std::unique_ptr<HttpServer> server;

  mutable std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  bool delivering = false;
  std::deque<sandbox_detail::Delivery> deliveries;  // sorted by due
  struct Held {
    Clock::time_point until;
    Responder answer;
  };
  std::list<Held> held;
  SandboxServerStats stats;
  std::thread worker;

  Impl(SandboxServerOptions o, SandboxIdentity i)
      : opts(std::move(o)), id(std::move(i)), book(opts.seed, opts.faults, opts.wall_clock) {}

  // --- faults ---------------------------------------------------------------

  enum class Fault { kNone, k5xx, kTimeout, kBadSign };
  Fault RollFault();

  // Answers now, or (time-out fault) holds the answer until hold_for passed.
  void Answer(Fault fault, Responder done, Response r);

  void Refused();

  // --- notifications --------------------------------------------------------

  void Schedule(sandbox_detail::Delivery d);
  void ScheduleLocked(sandbox_detail::Delivery d);

  // The notification's status word; empty: this gateway sends none.
  static std::string TradeWord(gw::Gateway g, gw::TradeState s);

  void NotifyOutcome(const gw::SandboxTrade& t);

  void NotifyRefund(const gw::SandboxTrade& t, const gw::SandboxRefund& r);

  gw::OutgoingNotification Build(const sandbox_detail::Delivery& d);

  bool Deliver(const sandbox_detail::Delivery& d);

  void RunDelivery(sandbox_detail::Delivery d);

  void WorkerLoop();

  // --- Alipay ---------------------------------------------------------------

  Response AlipayAnswer(Fault fault, const std::string& method, const bj::object& body);

  static bj::object AlipayBusinessFailure(std::string_view sub_code);

  // "TRADE_NOT_EXIST: pay-1" -> "TRADE_NOT_EXIST"
  static std::string SubCode(const Status& s);

  void HandleAlipay(const Request& req, Responder done);

  // --- WeChat Pay -----------------------------------------------------------

  Response WechatAnswer(Fault fault, unsigned status, const std::string& body);

  Response WechatError(Fault fault, unsigned status, std::string_view code);

  bj::object WechatTradeJson(const gw::SandboxTrade& t);

  bj::object WechatRefundJson(const gw::SandboxTrade& t, const gw::SandboxRefund& r);

  void HandleWechat(const Request& req, Responder done);

  // --- UnionPay -------------------------------------------------------------

  Response UnionPayAnswer(Fault fault, gw::FormPairs fields);

  void HandleUnionPay(const Request& req, Responder done, bool query);

  // POST /gateway/api/fileTransRequest.do (txnType 76, fileType 00): the
  // merchant reconciliation file of settleDate MMDD, the latest such day not
  // after today (Asia/Shanghai, by the book's wall clock), as UnionPay hands
  // it over: fileContent = base64(zlib(ZIP of INN<yymmdd>01ACOMN)).
  void HandleUnionPayFile(const Request& req, Responder done);

  // "MMDD" -> the latest such day not after today in Asia/Shanghai.
  std::optional<domain::CivilDate> SettleDay(std::string_view mmdd) const;

  // --- control --------------------------------------------------------------

  std::string BaseUrl() const;

  // The trade bill of `date` at g (sandbox_bill.h); nullopt for a malformed date.
  std::optional<std::string> Bill(gw::Gateway g, std::string_view date);

  // GET /sandbox/bills/{gateway}/{date}: `rest` is what follows "/sandbox/bills/".
  Response BillDownload(std::string_view rest);

  // UnionPay has no bill call here: every trade, as a plain CSV.
  std::string BillCsv(gw::Gateway g);

  Response StatsJson();

  Response TradesJson();

  Response SetFaults(const std::string& body);

  void Handle(Request req, Responder done);
};

}  // namespace folio::http
