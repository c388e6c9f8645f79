#include "adapters/http/sandbox_impl.h"

namespace folio::http {

using sandbox_detail::Delivery;
using sandbox_detail::Fen;
using sandbox_detail::Json;
using sandbox_detail::NowS;

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

SandboxServer::Impl::Fault SandboxServer::Impl::RollFault() {
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
void SandboxServer::Impl::Answer(Fault fault, Responder done, Response r) {
  if (fault == Fault::kTimeout) {
    std::lock_guard<std::mutex> lock(mu);
    held.push_back(Held{Clock::now() + opts.hold_for, std::move(done)});
    cv.notify_all();
    return;
  }
  done(std::move(r));
}

void SandboxServer::Impl::Refused() {
  std::lock_guard<std::mutex> lock(mu);
  ++stats.api_refused;
}

void SandboxServer::Impl::Schedule(Delivery d) {
  std::lock_guard<std::mutex> lock(mu);
  ScheduleLocked(std::move(d));
}

void SandboxServer::Impl::ScheduleLocked(Delivery d) {
  auto at = std::upper_bound(deliveries.begin(), deliveries.end(), d.due,
                             [](Clock::time_point due, const Delivery& x) { return due < x.due; });
  deliveries.insert(at, std::move(d));
  cv.notify_all();
}

// The notification's status word; empty: this gateway sends none.
std::string SandboxServer::Impl::TradeWord(gw::Gateway g, gw::TradeState s) {
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

void SandboxServer::Impl::NotifyOutcome(const gw::SandboxTrade& t) {
  if (t.notify_url.empty() || TradeWord(t.gateway, t.state).empty()) return;
  Delivery d;
  d.due = Clock::now() + book.faults().notify_delay;
  d.gateway = t.gateway;
  d.payment = gw::SandboxPayment{t.gateway, t.out_trade_no, t.amount, t.gateway_txn_id};
  d.notify_url = t.notify_url;
  d.status = TradeWord(t.gateway, t.state);
  Schedule(std::move(d));
}

void SandboxServer::Impl::NotifyRefund(const gw::SandboxTrade& t, const gw::SandboxRefund& r) {
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

gw::OutgoingNotification SandboxServer::Impl::Build(const Delivery& d) {
  const std::int64_t now = NowS();
  const gw::SandboxKeys& k = id.gateway;
  if (!d.refund_id.empty()) {
    if (d.gateway == gw::Gateway::kWechatPay) {
      return gw::BuildWechatRefundNotify(k, d.payment, d.refund_id, d.refund, d.status, now);
    }
    return gw::BuildUnionPayRefundNotify(k, d.payment, "04", d.refund_id, d.refund, d.status, now);
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

bool SandboxServer::Impl::Deliver(const Delivery& d) {
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

void SandboxServer::Impl::RunDelivery(Delivery d) {
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

void SandboxServer::Impl::WorkerLoop() {
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

std::string SandboxServer::Impl::BaseUrl() const {
  return "http://" + opts.address + ":" + std::to_string(server ? server->port() : 0);
}

// The trade bill of `date` at g (sandbox_bill.h); nullopt for a malformed date.
std::optional<std::string> SandboxServer::Impl::Bill(gw::Gateway g, std::string_view date) {
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
Response SandboxServer::Impl::BillDownload(std::string_view rest) {
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
std::string SandboxServer::Impl::BillCsv(gw::Gateway g) {
  std::string csv = "out_trade_no,gateway_txn_id,amount_fen,state\n";
  for (const gw::SandboxTrade& t : book.Trades()) {
    if (t.gateway != g) continue;
    csv += t.out_trade_no + "," + t.gateway_txn_id + "," + Fen(t.amount) + "," +
           std::string(gw::TradeStateName(t.state)) + "\n";
  }
  return csv;
}

Response SandboxServer::Impl::StatsJson() {
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

Response SandboxServer::Impl::TradesJson() {
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

Response SandboxServer::Impl::SetFaults(const std::string& body) {
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

void SandboxServer::Impl::Handle(Request req, Responder done) {
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
