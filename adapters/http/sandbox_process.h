// SandboxServer: `folio sandbox`, a separate process that plays Alipay,
// WeChat Pay and UnionPay for Folio — their real request formats, signature
// schemes and answers, with keys generated at start.
//
//   POST /gateway.do                           Alipay OpenAPI (precreate, query,
//                                              close, refund, refund query, bill URL)
//   /v3/pay/transactions/..., /v3/refund/...,  WeChat Pay API v3 (Native order,
//   /v3/certificates, /v3/bill/tradebill       query, close, refund, refund query)
//   POST /gateway/api/backTransReq.do,         UnionPay ACP 5.1.0 (QR order,
//        /gateway/api/queryTrans.do,           refund, status query, the file
//        /gateway/api/fileTransRequest.do      transfer of a settleDate MMDD: the
//                                              latest such day not after today,
//                                              its INN file zipped in fileContent)
//   GET  /sandbox/stats                        what it did (JSON): trades, refunds
//                                              made, notifications, faults played
//   GET  /sandbox/trades                       every trade with its outcome
//   PUT  /sandbox/faults                       the fault switches (JSON, below)
//   GET  /sandbox/bills/{gateway}/{date}       the trade bill of a day (YYYY-MM-DD
//                                              in Asia/Shanghai) in the gateway's
//                                              layout (alipay, wechatpay;
//                                              gateways/sandbox_bill.h); 404 for
//                                              a malformed date. unionpay: every
//                                              trade as a plain CSV
//
// Trades are paid (or fail) after `pay_after` as the books decide
// (adapters/gateways/sandbox_book.h); the sandbox then sends the signed
// notification to the notify URL the merchant gave when creating the trade,
// retrying with back-off until it is acknowledged. Fault switches, each out
// of 1000: answer 5xx (not processed), time out (processed, never
// answered), sign an answer with a wrong key, drop or duplicate a
// notification; and report "paid" after a close, and put a trade nobody
// asked for in the bills.
//
// Thread-safety: Start/Stop from one thread; the rest from any.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/gateways/cert_chain.h"
#include "adapters/gateways/crypto.h"
#include "adapters/gateways/sandbox.h"
#include "adapters/gateways/sandbox_book.h"
#include "events/status.h"

namespace folio::http {

// Both sides' keys: the gateways' (the sandbox signs with them) and the
// merchant's (Folio signs its requests; the sandbox verifies them).
struct SandboxIdentity {
  gateways::SandboxKeys gateway;
  gateways::TestCertChain unionpay_chain;  // its leaf's key is gateway.unionpay's
  std::string wechat_platform_cert_pem;
  gateways::crypto::RsaKeyPair merchant_alipay, merchant_wechat, merchant_unionpay;
  std::string merchant_wechat_serial;     // 40 hex digits
  std::string merchant_unionpay_cert_id;  // decimal
  std::string wechat_appid = "wxd678efh567hg6787";

  // Fresh keys and certificates (a second or two: RSA key generation).
  static SandboxIdentity Generate(std::int64_t now_s);
};

// The gateway file `folio serve --gateways` reads (docs/gateways.md): the
// notification keys and, under "api", the outbound calls to `base_url`.
// Notify URLs are left out: the server fills in its own.
std::string ServerGatewayFile(const SandboxIdentity& id, const std::string& base_url);

struct SandboxServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  std::uint64_t seed = 20261207;
  gateways::SandboxFaults faults;
  // When trades are paid and refunds made, as the bills show them (Unix ns).
  // Called from any thread, with the book's lock held. Default (empty): the
  // system clock.
  gateways::SandboxBook::WallClock wall_clock;
  // A held answer (the time-out fault) is released after this, as a 504.
  std::chrono::milliseconds hold_for{30'000};
};

struct SandboxServerStats {
  gateways::SandboxBookStats book;
  std::uint64_t api_calls = 0;
  std::uint64_t api_refused = 0;  // bad signature, bad request
  std::uint64_t injected_5xx = 0, injected_timeouts = 0, injected_bad_signs = 0;
  std::uint64_t notifications = 0;  // acknowledged deliveries
  std::uint64_t notify_dropped = 0, notify_duplicated = 0, notify_retries = 0, notify_gave_up = 0;
};

class SandboxServer {
 public:
  // Listens before returning. Errors: io_error (bind), invalid_argument.
  static Result<std::unique_ptr<SandboxServer>> Start(SandboxServerOptions opts,
                                                      SandboxIdentity identity);
  ~SandboxServer();  // Stop()s.
  SandboxServer(const SandboxServer&) = delete;
  SandboxServer& operator=(const SandboxServer&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;
  const SandboxIdentity& identity() const;
  gateways::SandboxBook& book();
  SandboxServerStats stats() const;
  // True when no notification is queued or being delivered.
  bool notifications_idle() const;
  void Stop();

  struct Impl;

 private:
  explicit SandboxServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace folio::http
