#include "adapters/http/sandbox_process.h"

#include <algorithm>
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
#include "adapters/http/server.h"
#include "adapters/statements/zip_archive.h"
#include "engine/domain/civil_time.h"
#include "events/codes.h"

namespace folio::http {

namespace crypto = gateways::crypto;
namespace {

namespace gw = gateways;
namespace bj = boost::json;
using Clock = std::chrono::steady_clock;

std::int64_t NowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Response Json(unsigned status, const bj::value& v) {
  return Response{status, "application/json", bj::serialize(v), {}};
}

Response FromInbound(const gw::InboundResponse& r) {
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

std::string Fen(const Money& m) { return U128ToString(m.minor()); }

std::optional<Money> FenAmount(std::string_view digits) {
  auto v = U128FromString(digits);
  if (!v || *v == 0) return std::nullopt;
  return Money(Asset::CNY, *v);
}

std::string_view Field(const std::vector<std::pair<std::string, std::string>>& f,
                       std::string_view name) {
  for (const auto& [k, v] : f) {
    if (k == name) return v;
  }
  return {};
}

// One notification to deliver: rebuilt (freshly signed) for each attempt.
struct Delivery {
  Clock::time_point due;
  gw::Gateway gateway = gw::Gateway::kAlipay;
  gw::SandboxPayment payment;
  std::string notify_url;
  std::string status;     // the gateway's word for the outcome
  std::string refund_id;  // set for refund notifications
  Money refund;
  unsigned attempt = 0;
  bool duplicate = false;
};

}  // namespace

SandboxIdentity SandboxIdentity::Generate(std::int64_t now_s) {
  SandboxIdentity id;
  id.gateway = gw::SandboxKeys::Generate();
  gw::TestCertChainOptions chain;
  chain.signing_key_pem = id.gateway.unionpay_private_key_pem;
  chain.not_before_s = now_s - 86400;
  chain.not_after_s = now_s + 5LL * 365 * 86400;
  id.unionpay_chain = gw::GenerateTestCertChain(chain);
  // UnionPay's notifications are checked against certId: the leaf's serial.
  id.gateway.unionpay_cert_id = id.unionpay_chain.signing_cert_id;
  id.gateway.unionpay_signing_cert_pem = id.unionpay_chain.signing_cert_pem;
  auto cert = gw::SandboxWechatCertificate(id.gateway, now_s);
  if (cert.ok()) id.wechat_platform_cert_pem = cert->certificate_pem;
  id.merchant_alipay = crypto::GenerateRsa2048();
  id.merchant_wechat = crypto::GenerateRsa2048();
  id.merchant_unionpay = crypto::GenerateRsa2048();
  id.merchant_wechat_serial = crypto::HexLower(crypto::Sha256(id.merchant_wechat.public_pem));
  id.merchant_wechat_serial.resize(40);
  std::transform(id.merchant_wechat_serial.begin(), id.merchant_wechat_serial.end(),
                 id.merchant_wechat_serial.begin(),
                 [](char c) { return static_cast<char>(std::toupper(c)); });
  id.merchant_unionpay_cert_id = "69629715588";
  id.wechat_appid = id.gateway.wechat_appid;
  return id;
}

std::string ServerGatewayFile(const SandboxIdentity& id, const std::string& base_url) {
  const gw::SandboxKeys& k = id.gateway;
  bj::object o;
  o["alipay"] =
      bj::object{{"public_key", k.alipay_public_key_pem},
                 {"app_id", k.alipay_app_id},
                 {"api", bj::object{{"base_url", base_url},
                                    {"merchant_private_key", id.merchant_alipay.private_pem}}}};
  o["wechatpay"] =
      bj::object{{"platform_public_key", k.wechat_platform_public_key_pem},
                 {"platform_serial", k.wechat_platform_serial},
                 {"apiv3_key", k.wechat_apiv3_key},
                 {"mchid", k.wechat_mchid},
                 {"api", bj::object{{"base_url", base_url},
                                    {"appid", id.wechat_appid},
                                    {"merchant_serial", id.merchant_wechat_serial},
                                    {"merchant_private_key", id.merchant_wechat.private_pem}}}};
  o["unionpay"] =
      bj::object{{"public_key", k.unionpay_public_key_pem},
                 {"mer_id", k.unionpay_mer_id},
                 {"cert_id", k.unionpay_cert_id},
                 {"api", bj::object{{"base_url", base_url},
                                    {"merchant_private_key", id.merchant_unionpay.private_pem},
                                    {"merchant_cert_id", id.merchant_unionpay_cert_id},
                                    {"root_cert", id.unionpay_chain.root_pem},
                                    {"middle_cert", id.unionpay_chain.middle_pem}}}};
  o["chain"] = bj::object{{"secret", k.hmac_secret}};
  o["generic"] = bj::object{{"secret", k.hmac_secret}};
  return bj::serialize(o);
}

struct SandboxServer::Impl {
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
  std::deque<Delivery> deliveries;  // sorted by due
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
  Fault RollFault() {
    const gw::SandboxFaults f = book.faults();
    const unsigned r = book.Roll();
    std::lock_guard<std::mutex> lock(mu);
    ++stats.api_calls;
    if (r < f.error_5xx_permille) {
      ++stats.injected_5xx;
      return Fault::k5xx;
    }
    if (book.Roll() < f.timeout_permille) {
      ++stats.injected_timeouts;
      return Fault::kTimeout;
    }
    if (book.Roll() < f.bad_sign_permille) {
      ++stats.injected_bad_signs;
      return Fault::kBadSign;
    }
    return Fault::kNone;
  }

  // Answers now, or (time-out fault) holds the answer until hold_for passed.
  void Answer(Fault fault, Responder done, Response r) {
    if (fault == Fault::kTimeout) {
      std::lock_guard<std::mutex> lock(mu);
      held.push_back(Held{Clock::now() + opts.hold_for, std::move(done)});
      cv.notify_all();
      return;
    }
    done(std::move(r));
  }

  void Refused() {
    std::lock_guard<std::mutex> lock(mu);
    ++stats.api_refused;
  }

  // --- notifications --------------------------------------------------------

  void Schedule(Delivery d) {
    std::lock_guard<std::mutex> lock(mu);
    ScheduleLocked(std::move(d));
  }
  void ScheduleLocked(Delivery d) {
    auto at =
        std::upper_bound(deliveries.begin(), deliveries.end(), d.due,
                         [](Clock::time_point due, const Delivery& x) { return due < x.due; });
    deliveries.insert(at, std::move(d));
    cv.notify_all();
  }

  // The notification's status word; empty: this gateway sends none.
  static std::string TradeWord(gw::Gateway g, gw::TradeState s) {
    const bool paid = s == gw::TradeState::kPaid || s == gw::TradeState::kRefunded;
    const bool closed = s == gw::TradeState::kClosed;
    switch (g) {
      case gw::Gateway::kAlipay:
        return paid ? "TRADE_SUCCESS" : "TRADE_CLOSED";
      case gw::Gateway::kWechatPay:
        return paid ? "SUCCESS" : closed ? "CLOSED" : "PAYERROR";
      default:
        return paid ? "00" : closed ? "" : "61";  // a lapsed QR order is not notified
    }
  }

  void NotifyOutcome(const gw::SandboxTrade& t) {
    if (t.notify_url.empty() || TradeWord(t.gateway, t.state).empty()) return;
    Delivery d;
    d.due = Clock::now() + book.faults().notify_delay;
    d.gateway = t.gateway;
    d.payment = gw::SandboxPayment{t.gateway, t.out_trade_no, t.amount, t.gateway_txn_id};
    d.notify_url = t.notify_url;
    d.status = TradeWord(t.gateway, t.state);
    Schedule(std::move(d));
  }

  void NotifyRefund(const gw::SandboxTrade& t, const gw::SandboxRefund& r) {
    // Alipay's refund is synchronous (its answer is the outcome); WeChat Pay
    // and UnionPay notify.
    if (t.gateway == gw::Gateway::kAlipay || t.notify_url.empty()) return;
    Delivery d;
    d.due = Clock::now() + book.faults().pay_after;
    d.gateway = t.gateway;
    d.payment = gw::SandboxPayment{t.gateway, t.out_trade_no, t.amount, t.gateway_txn_id};
    d.notify_url = t.notify_url;
    d.status = t.gateway == gw::Gateway::kWechatPay ? "SUCCESS" : "00";
    d.refund_id = r.refund_no;
    d.refund = r.amount;
    Schedule(std::move(d));
  }

  gw::OutgoingNotification Build(const Delivery& d) {
    const std::int64_t now = NowS();
    const gw::SandboxKeys& k = id.gateway;
    if (!d.refund_id.empty()) {
      if (d.gateway == gw::Gateway::kWechatPay) {
        return gw::BuildWechatRefundNotify(k, d.payment, d.refund_id, d.refund, d.status, now);
      }
      return gw::BuildUnionPayRefundNotify(k, d.payment, "04", d.refund_id, d.refund, d.status,
                                           now);
    }
    switch (d.gateway) {
      case gw::Gateway::kAlipay:
        return gw::BuildAlipayNotify(k, d.payment, d.status, now);
      case gw::Gateway::kWechatPay:
        return gw::BuildWechatNotify(k, d.payment, d.status, now);
      default:
        return gw::BuildUnionPayNotify(k, d.payment, d.status, now);
    }
  }

  bool Deliver(const Delivery& d) {
    auto url = ParseBaseUrl(d.notify_url);
    if (!url.ok() || url->tls) return false;
    auto client = HttpClient::Connect(url->host, url->port, std::chrono::seconds(10));
    if (!client.ok()) return false;
    const gw::OutgoingNotification n = Build(d);
    auto r =
        client->Send("POST", url->path_prefix.empty() ? "/" : url->path_prefix, n.body, n.headers);
    if (!r.ok()) return false;
    switch (d.gateway) {
      case gw::Gateway::kAlipay:
        return r->body == "success";
      case gw::Gateway::kUnionPay:
        return r->status == 200;
      default:
        return r->status == 200 || r->status == 204;
    }
  }

  void RunDelivery(Delivery d) {
    const gw::SandboxFaults f = book.faults();
    const bool lost = !d.duplicate && book.Roll() < f.drop_notify_permille;
    const bool ok = !lost && Deliver(d);
    std::lock_guard<std::mutex> lock(mu);
    if (lost) ++stats.notify_dropped;
    if (!ok) {
      if (d.attempt + 1 >= f.notify_attempts_max) {
        ++stats.notify_gave_up;
        return;
      }
      ++stats.notify_retries;
      ++d.attempt;
      d.due = Clock::now() + f.notify_retry * (1 << std::min(d.attempt, 6u));
      ScheduleLocked(std::move(d));
      return;
    }
    if (d.duplicate) {
      ++stats.notify_duplicated;
      return;
    }
    ++stats.notifications;
    if (book.Roll() < f.duplicate_notify_permille) {
      Delivery again = d;
      again.duplicate = true;
      again.attempt = 0;
      again.due = Clock::now() + f.notify_retry;
      ScheduleLocked(std::move(again));
    }
  }

  void WorkerLoop() {
    std::unique_lock<std::mutex> lock(mu);
    while (!stop) {
      const auto now = Clock::now();
      // Held answers whose time came: the caller has long given up.
      for (auto it = held.begin(); it != held.end();) {
        if (it->until <= now) {
          Responder r = std::move(it->answer);
          it = held.erase(it);
          lock.unlock();
          r(Response{504, "text/plain", "held by the sandbox's time-out fault", {}});
          lock.lock();
        } else {
          ++it;
        }
      }
      lock.unlock();
      for (const gw::SandboxTrade& t : book.Due(now)) NotifyOutcome(t);
      lock.lock();
      if (!deliveries.empty() && deliveries.front().due <= now) {
        Delivery d = std::move(deliveries.front());
        deliveries.pop_front();
        delivering = true;
        lock.unlock();
        RunDelivery(std::move(d));
        lock.lock();
        delivering = false;
        continue;
      }
      auto wake = now + std::chrono::milliseconds(200);
      if (!deliveries.empty()) wake = std::min(wake, deliveries.front().due);
      if (auto due = book.NextDue()) wake = std::min(wake, *due);
      for (const Held& h : held) wake = std::min(wake, h.until);
      cv.wait_until(lock, wake);
    }
  }

  // --- Alipay ---------------------------------------------------------------

  Response AlipayAnswer(Fault fault, const std::string& method, const bj::object& body) {
    EVP_PKEY* key = fault == Fault::kBadSign ? alipay_wrong_key.get() : alipay_key.get();
    return Response{200,
                    "application/json;charset=utf-8",
                    gw::BuildAlipayApiResponse(key, method, bj::serialize(body)),
                    {}};
  }

  static bj::object AlipayBusinessFailure(std::string_view sub_code) {
    return bj::object{{"code", "40004"},
                      {"msg", "Business Failed"},
                      {"sub_code", "ACQ." + std::string(sub_code)},
                      {"sub_msg", std::string(sub_code)}};
  }

  // "TRADE_NOT_EXIST: pay-1" -> "TRADE_NOT_EXIST"
  static std::string SubCode(const Status& s) {
    const std::string m(s.message());
    return m.substr(0, m.find(':'));
  }

  void HandleAlipay(const Request& req, Responder done) {
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

  // --- WeChat Pay -----------------------------------------------------------

  Response WechatAnswer(Fault fault, unsigned status, const std::string& body) {
    const std::string& key = fault == Fault::kBadSign ? wechat_wrong_key_pem
                                                      : id.gateway.wechat_platform_private_key_pem;
    auto r =
        gw::SignWechatApiResponse(key, id.gateway.wechat_platform_serial, status, body, NowS());
    if (!r.ok()) return Response{500, "text/plain", std::string(r.status().message()), {}};
    return FromInbound(*r);
  }

  Response WechatError(Fault fault, unsigned status, std::string_view code) {
    return WechatAnswer(fault, status,
                        bj::serialize(bj::object{{"code", code}, {"message", code}}));
  }

  bj::object WechatTradeJson(const gw::SandboxTrade& t) {
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

  bj::object WechatRefundJson(const gw::SandboxTrade& t, const gw::SandboxRefund& r) {
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

  void HandleWechat(const Request& req, Responder done) {
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
        answer = t.ok() ? WechatAnswer(fault, 200,
                                       bj::serialize(bj::object{{"code_url", t->qr_payload}}))
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
        answer =
            WechatAnswer(fault, 200,
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

  // --- UnionPay -------------------------------------------------------------

  Response UnionPayAnswer(Fault fault, gw::FormPairs fields) {
    EVP_PKEY* key = fault == Fault::kBadSign ? unionpay_wrong_key.get() : unionpay_key.get();
    return Response{
        200,
        "application/x-www-form-urlencoded;charset=UTF-8",
        gw::BuildUnionPayApiResponse(key, id.unionpay_chain.signing_cert_pem, std::move(fields)),
        {}};
  }

  void HandleUnionPay(const Request& req, Responder done, bool query) {
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
        const bool paid =
            t->state == gw::TradeState::kPaid || t->state == gw::TradeState::kRefunded;
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
  void HandleUnionPayFile(const Request& req, Responder done) {
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
  std::optional<domain::CivilDate> SettleDay(std::string_view mmdd) const {
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

  // --- control --------------------------------------------------------------

  std::string BaseUrl() const {
    return "http://" + opts.address + ":" + std::to_string(server ? server->port() : 0);
  }

  // The trade bill of `date` at g (sandbox_bill.h); nullopt for a malformed date.
  std::optional<std::string> Bill(gw::Gateway g, std::string_view date) {
    const auto day = gw::ParseBillDate(date);
    if (!day) return std::nullopt;
    gw::SandboxBillRequest req;
    req.gateway = g;
    req.day = *day;
    req.account = g == gw::Gateway::kAlipay     ? id.gateway.alipay_app_id
                  : g == gw::Gateway::kUnionPay ? id.gateway.unionpay_mer_id
                                                : id.gateway.wechat_mchid;
    req.extra_row = book.faults().bill_extra_row;
    return gw::SandboxBill(req, book.SettledTrades(g, Clock::now()));
  }

  // GET /sandbox/bills/{gateway}/{date}: `rest` is what follows "/sandbox/bills/".
  Response BillDownload(std::string_view rest) {
    const std::size_t slash = rest.find('/');
    const std::string_view name = rest.substr(0, slash);
    const std::string_view date =
        slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    for (gw::Gateway g : {gw::Gateway::kAlipay, gw::Gateway::kWechatPay}) {
      if (gw::GatewayName(g) != name) continue;
      auto bill = Bill(g, date);
      if (!bill) return Response{404, "text/plain", "no bill: the date is YYYY-MM-DD", {}};
      const char* type =
          g == gw::Gateway::kAlipay ? "text/csv;charset=GB18030" : "text/csv;charset=utf-8";
      return Response{200, type, std::move(*bill), {}};
    }
    if (name == gw::GatewayName(gw::Gateway::kUnionPay)) {
      return Response{200, "text/csv", BillCsv(gw::Gateway::kUnionPay), {}};
    }
    return Json(404, bj::object{{"code", "route_not_found"},
                                {"message", "/sandbox/bills/" + std::string(rest)}});
  }

  // UnionPay has no bill call here: every trade, as a plain CSV.
  std::string BillCsv(gw::Gateway g) {
    std::string csv = "out_trade_no,gateway_txn_id,amount_fen,state\n";
    for (const gw::SandboxTrade& t : book.Trades()) {
      if (t.gateway != g) continue;
      csv += t.out_trade_no + "," + t.gateway_txn_id + "," + Fen(t.amount) + "," +
             std::string(gw::TradeStateName(t.state)) + "\n";
    }
    return csv;
  }

  Response StatsJson() {
    SandboxServerStats s;
    {
      std::lock_guard<std::mutex> lock(mu);
      s = stats;
    }
    s.book = book.stats();
    bj::object o{{"trades", s.book.trades},
                 {"paid", s.book.paid},
                 {"failed", s.book.failed},
                 {"closed", s.book.closed},
                 {"paid_after_close", s.book.paid_after_close},
                 {"refund_calls", s.book.refund_calls},
                 {"refunds_made", s.book.refunds_made},
                 {"api_calls", s.api_calls},
                 {"api_refused", s.api_refused},
                 {"injected_5xx", s.injected_5xx},
                 {"injected_timeouts", s.injected_timeouts},
                 {"injected_bad_signs", s.injected_bad_signs},
                 {"notifications", s.notifications},
                 {"notify_dropped", s.notify_dropped},
                 {"notify_duplicated", s.notify_duplicated},
                 {"notify_retries", s.notify_retries},
                 {"notify_gave_up", s.notify_gave_up}};
    return Json(200, o);
  }

  Response TradesJson() {
    bj::array a;
    for (const gw::SandboxTrade& t : book.Trades()) {
      bj::array refunds;
      for (const auto& [no, r] : t.refunds) {
        refunds.push_back(bj::object{{"refund_no", no},
                                     {"amount", r.amount.ToString()},
                                     {"calls", r.calls},
                                     {"gateway_refund_id", r.gateway_refund_id}});
      }
      a.push_back(bj::object{{"gateway", gw::GatewayName(t.gateway)},
                             {"out_trade_no", t.out_trade_no},
                             {"amount", t.amount.ToString()},
                             {"gateway_txn_id", t.gateway_txn_id},
                             {"state", gw::TradeStateName(t.state)},
                             {"decided", t.will_fail ? "fail" : "pay"},
                             {"refunded", t.refunded.ToString()},
                             {"refunds", std::move(refunds)}});
    }
    return Json(200, bj::object{{"trades", std::move(a)}});
  }

  Response SetFaults(const std::string& body) {
    boost::system::error_code ec;
    auto v = bj::parse(body, ec);
    if (ec || !v.is_object()) {
      return Json(400, bj::object{{"code", "invalid_json"}, {"message", "a JSON object"}});
    }
    gw::SandboxFaults f = book.faults();
    const auto& o = v.as_object();
    struct Rate {
      const char* name;
      unsigned* slot;
    };
    for (Rate r : {Rate{"fail_permille", &f.fail_permille},
                   Rate{"drop_notify_permille", &f.drop_notify_permille},
                   Rate{"duplicate_notify_permille", &f.duplicate_notify_permille},
                   Rate{"error_5xx_permille", &f.error_5xx_permille},
                   Rate{"timeout_permille", &f.timeout_permille},
                   Rate{"bad_sign_permille", &f.bad_sign_permille}}) {
      if (auto* x = o.if_contains(r.name)) {
        if (!x->is_int64() || x->as_int64() < 0 || x->as_int64() > 1000) {
          return Json(400, bj::object{{"code", "invalid_argument"},
                                      {"message", std::string(r.name) + " is 0..1000"}});
        }
        *r.slot = static_cast<unsigned>(x->as_int64());
      }
    }
    if (auto* x = o.if_contains("paid_after_close"); x != nullptr && x->is_bool()) {
      f.paid_after_close = x->as_bool();
    }
    if (auto* x = o.if_contains("bill_extra_row"); x != nullptr && x->is_bool()) {
      f.bill_extra_row = x->as_bool();
    }
    if (auto* x = o.if_contains("pay_after_ms"); x != nullptr && x->is_int64()) {
      f.pay_after = std::chrono::milliseconds(std::max<std::int64_t>(0, x->as_int64()));
    }
    if (auto* x = o.if_contains("notify_delay_ms"); x != nullptr && x->is_int64()) {
      f.notify_delay = std::chrono::milliseconds(std::max<std::int64_t>(0, x->as_int64()));
    }
    if (auto* x = o.if_contains("notify_retry_ms"); x != nullptr && x->is_int64()) {
      f.notify_retry = std::chrono::milliseconds(std::max<std::int64_t>(1, x->as_int64()));
    }
    book.SetFaults(f);
    return StatsJson();
  }

  void Handle(Request req, Responder done) {
    const std::string path = req.target.substr(0, req.target.find('?'));
    if (path == gw::kAlipayGatewayPath && req.method == "POST")
      return HandleAlipay(req, std::move(done));
    if (path.starts_with("/v3/")) return HandleWechat(req, std::move(done));
    if (path == gw::kUnionPayBackTransPath && req.method == "POST") {
      return HandleUnionPay(req, std::move(done), false);
    }
    if (path == gw::kUnionPayQueryPath && req.method == "POST") {
      return HandleUnionPay(req, std::move(done), true);
    }
    if (path == gw::kUnionPayFileTransPath && req.method == "POST") {
      return HandleUnionPayFile(req, std::move(done));
    }
    if (path == "/sandbox/stats" && req.method == "GET") return done(StatsJson());
    if (path == "/sandbox/trades" && req.method == "GET") return done(TradesJson());
    if (path == "/sandbox/faults" && req.method == "PUT") return done(SetFaults(req.body));
    constexpr std::string_view kBills = "/sandbox/bills/";
    if (path.starts_with(kBills) && req.method == "GET") {
      return done(BillDownload(std::string_view(path).substr(kBills.size())));
    }
    if (path == "/healthz") return done(Response{200, "text/plain", "ok", {}});
    done(Json(404, bj::object{{"code", "route_not_found"}, {"message", path}}));
  }
};

Result<std::unique_ptr<SandboxServer>> SandboxServer::Start(SandboxServerOptions opts,
                                                            SandboxIdentity identity) {
  auto impl = std::make_unique<Impl>(std::move(opts), std::move(identity));
  Impl* p = impl.get();
  ASSIGN_OR_RETURN(p->alipay_key, crypto::LoadRsaPrivateKey(p->id.gateway.alipay_private_key_pem));
  ASSIGN_OR_RETURN(p->unionpay_key,
                   crypto::LoadRsaPrivateKey(p->id.gateway.unionpay_private_key_pem));
  ASSIGN_OR_RETURN(p->merchant_alipay_pub,
                   crypto::LoadRsaPublicKey(p->id.merchant_alipay.public_pem));
  ASSIGN_OR_RETURN(p->merchant_unionpay_pub,
                   crypto::LoadRsaPublicKey(p->id.merchant_unionpay.public_pem));
  // The bad-signature fault signs with a key nobody trusts.
  const crypto::RsaKeyPair wrong = crypto::GenerateRsa2048();
  ASSIGN_OR_RETURN(p->alipay_wrong_key, crypto::LoadRsaPrivateKey(wrong.private_pem));
  ASSIGN_OR_RETURN(p->unionpay_wrong_key, crypto::LoadRsaPrivateKey(wrong.private_pem));
  p->wechat_wrong_key_pem = wrong.private_pem;
  ServerOptions so;
  so.address = p->opts.address;
  so.port = p->opts.port;
  so.threads = 4;  // held answers do not block a thread, but keep headroom
  so.drain_timeout = std::chrono::milliseconds(500);
  ASSIGN_OR_RETURN(p->server, HttpServer::Start(so, [p](Request r, Responder done) {
                     p->Handle(std::move(r), std::move(done));
                   }));
  {
    std::lock_guard<std::mutex> lock(p->mu);
    p->stop = false;
  }
  p->worker = std::thread([p] { p->WorkerLoop(); });
  return std::unique_ptr<SandboxServer>(new SandboxServer(std::move(impl)));
}

SandboxServer::SandboxServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SandboxServer::~SandboxServer() { Stop(); }

void SandboxServer::Stop() {
  if (!impl_) return;
  std::list<Impl::Held> held;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->stop && !impl_->worker.joinable()) return;
    impl_->stop = true;
    held.swap(impl_->held);
    impl_->cv.notify_all();
  }
  for (auto& h : held) h.answer(Response{504, "text/plain", "sandbox stopping", {}});
  if (impl_->worker.joinable()) impl_->worker.join();
  if (impl_->server) impl_->server->Stop();
}

std::uint16_t SandboxServer::port() const { return impl_->server->port(); }
std::string SandboxServer::base_url() const { return impl_->BaseUrl(); }
const SandboxIdentity& SandboxServer::identity() const { return impl_->id; }
gateways::SandboxBook& SandboxServer::book() { return impl_->book; }

SandboxServerStats SandboxServer::stats() const {
  SandboxServerStats s;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    s = impl_->stats;
  }
  s.book = impl_->book.stats();
  return s;
}

bool SandboxServer::notifications_idle() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->deliveries.empty() && !impl_->delivering;
}

}  // namespace folio::http
