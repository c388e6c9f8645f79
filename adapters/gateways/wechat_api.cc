#include "adapters/gateways/wechat_api.h"
#include "adapters/gateways/wechat_api_internal.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>

#include "adapters/gateways/gateway_codes.h"
#include "adapters/gateways/parse_support.h"
#include "adapters/gateways/wechat.h"
#include "adapters/gateways/wechat_cert.h"
#include "adapters/json/json_fields.h"
#include "engine/domain/civil_time.h"
#include "events/codes.h"

namespace folio::gateways {

namespace wechat_internal {

Status Invalid(std::string message) {
  return Status::Error(codes::kGatewayResponseInvalid, std::move(message));
}

Result<std::string> Str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr) return Invalid("missing field " + std::string(key));
  if (!v->is_string() || v->as_string().empty()) {
    return Invalid("field " + std::string(key) + " is not a non-empty string");
  }
  return std::string(v->as_string());
}

}  // namespace wechat_internal

namespace {

// WeChat Pay wants https:// URLs; plain http:// is accepted on loopback
// only, where the sandbox gateway (`folio sandbox`) and the tests run.
bool HttpsOrLoopback(std::string_view url) {
  if (url.rfind("https://", 0) == 0) return true;
  for (std::string_view local : {"http://127.", "http://localhost:", "http://localhost/"}) {
    if (url.rfind(local, 0) == 0) return true;
  }
  return false;
}

namespace bj = boost::json;

constexpr std::int64_t kSecondsPerDay = 86'400;

using wechat_internal::Invalid;
Status BadArgument(std::string message) {
  return Status::Error(folio::codes::kInvalidArgument, std::move(message));
}
Status ConfigInvalid(std::string message) {
  return Status::Error(codes::kGatewayConfigInvalid, std::move(message));
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// WeChat Pay's id alphabet: out_trade_no [0-9A-Za-z_-|*], out_refund_no also '@'.
Status CheckWechatId(std::string_view field, std::string_view id, std::size_t min_bytes,
                     std::size_t max_bytes, bool allow_at) {
  if (id.size() < min_bytes || id.size() > max_bytes) {
    return BadArgument(std::string(field) + " must be " + std::to_string(min_bytes) + " to " +
                       std::to_string(max_bytes) + " characters");
  }
  for (char c : id) {
    if (!IsAlnum(c) && c != '_' && c != '-' && c != '|' && c != '*' && !(allow_at && c == '@')) {
      return BadArgument(std::string(field) + " has a character WeChat Pay does not allow");
    }
  }
  return OkStatus();
}
Status CheckOutTradeNo(std::string_view id) {
  return CheckWechatId("out_trade_no", id, 6, 32, false);
}
Status CheckOutRefundNo(std::string_view id) {
  return CheckWechatId("out_refund_no", id, 1, 64, true);
}

// The id as a path segment: '|' is not a URI character, everything else of
// the alphabet is.
std::string PathSegment(std::string_view id) {
  std::string out;
  for (char c : id) {
    if (c == '|') {
      out += "%7C";
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::int64_t> FenOf(std::string_view field, const Money& m) {
  if (m.asset() != Asset::CNY) return BadArgument(std::string(field) + " must be CNY");
  if (m.is_zero()) return BadArgument(std::string(field) + " must be positive");
  if (m.minor() > static_cast<u128>(INT64_MAX)) {
    return BadArgument(std::string(field) + " does not fit WeChat Pay's integer fen");
  }
  return static_cast<std::int64_t>(m.minor());
}

bool IsJsonContentType(std::string_view ct) {
  constexpr std::string_view kJson = "application/json";
  if (ct.size() < kJson.size()) return false;
  for (std::size_t i = 0; i < kJson.size(); ++i) {
    const char c = ct[i];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    if (lower != kJson[i]) return false;
  }
  return ct.size() == kJson.size() || ct[kJson.size()] == ';' || ct[kJson.size()] == ' ';
}

Status UnknownSerial(std::string_view serial) {
  return Status::Error(codes::kSignatureKeyUnknown,
                       "no platform key with serial " + std::string(serial));
}

// ---- Answers ---------------------------------------------------------------

// 5xx (retry, nothing trusted from it) and the signature.
Status CheckAnswer(const InboundResponse& r, const WechatPlatformKeys& keys, std::int64_t now_s) {
  if (r.status >= 500 && r.status <= 599) {
    return Status::Error(codes::kGatewayUnavailable, "HTTP " + std::to_string(r.status));
  }
  return VerifyWechatResponse(r, keys, now_s);
}

Result<bj::object> JsonBody(const InboundResponse& r) {
  if (!IsJsonContentType(r.Header("content-type"))) {
    return Invalid("content type \"" + std::string(r.Header("content-type")) +
                   "\" is not application/json");
  }
  Result<bj::value> v = json::internal::ParseStrict(r.body);
  if (!v.ok()) return Invalid("body: " + v.status().message());
  if (!v->is_object()) return Invalid("body is not a JSON object");
  return std::move(v->as_object());
}

using wechat_internal::Str;

// An id the answer gives that Folio records: it becomes a command's
// gateway_txn_id / gateway_refund_id and part of the fact's idempotency key
// (poll_facts.h), so it follows the rule the notification parser applies to
// the same field (parse_support.h CheckId: 1 to 128 bytes, no control
// character, '/' or ':').
Result<std::string> Id(const bj::object& o, std::string_view key) {
  ASSIGN_OR_RETURN(std::string id, Str(o, key));
  if (!internal::CheckId(key, id).ok()) {
    return Invalid("field " + std::string(key) + " is not a valid id");
  }
  return id;
}

// A positive JSON integer of fen.
Result<std::uint64_t> Fen(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  if (v == nullptr) return Invalid("missing field amount." + std::string(key));
  std::uint64_t fen = 0;
  if (v->is_uint64()) {
    fen = v->as_uint64();
  } else if (v->is_int64() && v->as_int64() >= 0) {
    fen = static_cast<std::uint64_t>(v->as_int64());
  } else {
    // Negative, a fraction, beyond 2^64 (Boost.JSON makes it a double), a string.
    return Invalid("amount." + std::string(key) + " is not an integer of fen within 64 bits");
  }
  if (fen == 0) return Invalid("amount." + std::string(key) + " is zero");
  return fen;
}

Result<Money> AmountField(const bj::object& o, std::string_view key) {
  const bj::value* a = o.if_contains("amount");
  if (a == nullptr || !a->is_object()) return Invalid("amount is missing or not an object");
  const bj::object& amount = a->as_object();
  if (const bj::value* c = amount.if_contains("currency")) {
    if (!c->is_string() || c->as_string() != "CNY") return Invalid("amount.currency is not CNY");
  }
  ASSIGN_OR_RETURN(std::uint64_t fen, Fen(amount, key));
  return Money(Asset::CNY, fen);
}

Status CheckEcho(const bj::object& o, std::string_view key, std::string_view expected) {
  ASSIGN_OR_RETURN(std::string got, Str(o, key));
  if (got != expected) return Invalid(std::string(key) + " is not the one asked for");
  return OkStatus();
}

struct ErrorAnswer {
  std::string code, message;
};

// The {code, message} of a 4xx answer; nullopt for any other status.
Result<std::optional<ErrorAnswer>> ErrorOf(const InboundResponse& r) {
  if (r.status < 400 || r.status > 499) return std::optional<ErrorAnswer>();
  ASSIGN_OR_RETURN(bj::object o, JsonBody(r));
  ASSIGN_OR_RETURN(std::string code, Str(o, "code"));
  ErrorAnswer e{std::move(code), ""};
  if (const bj::value* m = o.if_contains("message"); m != nullptr && m->is_string()) {
    e.message = std::string(m->as_string());
  }
  return std::optional<ErrorAnswer>(std::move(e));
}

Status ErrorStatus(unsigned http_status, const ErrorAnswer& e) {
  const std::string text = e.code + " (HTTP " + std::to_string(http_status) + "): " + e.message;
  for (std::string_view busy : {"SYSTEM_ERROR", "SYSTEMERROR", "FREQUENCY_LIMITED", "BANKERROR"}) {
    if (e.code == busy) return Status::Error(codes::kGatewayUnavailable, text);
  }
  return Status::Error(codes::kGatewayRefused, text);
}

// The JSON object of a success answer with status `expected`; 4xx mapped.
Result<bj::object> SuccessBody(const InboundResponse& r, unsigned expected) {
  ASSIGN_OR_RETURN(std::optional<ErrorAnswer> e, ErrorOf(r));
  if (e) return ErrorStatus(r.status, *e);
  if (r.status != expected) return Invalid("unexpected HTTP status " + std::to_string(r.status));
  return JsonBody(r);
}

struct TradeStateRow {
  std::string_view word;
  TradeState state;
};
constexpr std::array<TradeStateRow, 7> kTradeStates{{
    {"SUCCESS", TradeState::kPaid},
    {"REFUND", TradeState::kRefunded},
    {"NOTPAY", TradeState::kPending},
    {"USERPAYING", TradeState::kPending},
    {"CLOSED", TradeState::kClosed},
    {"REVOKED", TradeState::kClosed},
    {"PAYERROR", TradeState::kFailed},
}};

struct RefundStateRow {
  std::string_view word;
  RefundState state;
};
constexpr std::array<RefundStateRow, 4> kRefundStates{{
    {"SUCCESS", RefundState::kSucceeded},
    {"PROCESSING", RefundState::kProcessing},
    {"CLOSED", RefundState::kFailed},
    {"ABNORMAL", RefundState::kFailed},
}};

// `n` decimal digits at text[*pos], advancing; -1 when not digits.
int Digits(std::string_view text, std::size_t* pos, std::size_t n) {
  if (*pos + n > text.size()) return -1;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  return v;
}

bool Expect(std::string_view text, std::size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

// "YYYY-MM-DD" -> a valid calendar date, or nullopt.
std::optional<domain::CivilDate> ParseDate(std::string_view text, std::size_t* pos) {
  const int y = Digits(text, pos, 4);
  if (y < 0 || !Expect(text, pos, '-')) return std::nullopt;
  const int m = Digits(text, pos, 2);
  if (m < 1 || m > 12 || !Expect(text, pos, '-')) return std::nullopt;
  const int d = Digits(text, pos, 2);
  if (d < 1 || d > 31) return std::nullopt;
  const domain::CivilDate date{y, static_cast<std::uint32_t>(m), static_cast<std::uint32_t>(d)};
  const domain::CivilDate back = domain::CivilFromDays(domain::DaysFromCivil(date));
  if (back.month != date.month || back.day != date.day) return std::nullopt;  // 02-30
  return date;
}

}  // namespace

// ---- Free functions ----------------------------------------------------------

WechatStamp NewWechatStamp(std::int64_t now_s) {
  return WechatStamp{now_s, crypto::RandomAlnum(32)};
}

std::string WechatRequestMessage(std::string_view method, std::string_view target,
                                 std::int64_t timestamp_s, std::string_view nonce,
                                 std::string_view body) {
  std::string m;
  m.append(method).append("\n").append(target).append("\n");
  m.append(std::to_string(timestamp_s)).append("\n").append(nonce).append("\n");
  m.append(body).append("\n");
  return m;
}

std::string WechatTime(std::int64_t unix_s) { return domain::ShanghaiRfc3339(unix_s); }

std::optional<std::int64_t> ParseWechatTime(std::string_view text) {
  std::size_t pos = 0;
  const std::optional<domain::CivilDate> date = ParseDate(text, &pos);
  if (!date || !Expect(text, &pos, 'T')) return std::nullopt;
  const int hh = Digits(text, &pos, 2);
  if (hh < 0 || hh > 23 || !Expect(text, &pos, ':')) return std::nullopt;
  const int mm = Digits(text, &pos, 2);
  if (mm < 0 || mm > 59 || !Expect(text, &pos, ':')) return std::nullopt;
  const int ss = Digits(text, &pos, 2);
  if (ss < 0 || ss > 60) return std::nullopt;
  if (Expect(text, &pos, '.')) {
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  std::int64_t offset_s = 0;
  if (!Expect(text, &pos, 'Z')) {
    if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
    const int sign = text[pos++] == '+' ? 1 : -1;
    const int oh = Digits(text, &pos, 2);
    if (oh < 0 || oh > 23 || !Expect(text, &pos, ':')) return std::nullopt;
    const int om = Digits(text, &pos, 2);
    if (om < 0 || om > 59) return std::nullopt;
    offset_s = sign * (oh * 3600 + om * 60);
  }
  if (pos != text.size()) return std::nullopt;
  return domain::DaysFromCivil(*date) * kSecondsPerDay + hh * 3600 + mm * 60 + ss - offset_s;
}

// ---- The codec ---------------------------------------------------------------

Result<WechatApiCodec> WechatApiCodec::Create(WechatApiConfig config) {
  if (config.mchid.empty() || config.appid.empty() || config.merchant_serial.empty()) {
    return ConfigInvalid("mchid, appid and merchant_serial are required");
  }
  for (const std::string* field : {&config.mchid, &config.merchant_serial}) {
    if (!std::all_of(field->begin(), field->end(), IsAlnum)) {
      return ConfigInvalid("mchid and merchant_serial must be letters and digits");
    }
  }
  if (!HttpsOrLoopback(config.notify_url)) {
    return ConfigInvalid("notify_url must be an https:// URL (http:// only on loopback)");
  }
  if (config.user_agent.empty() || !std::all_of(config.user_agent.begin(), config.user_agent.end(),
                                                [](char c) { return c >= 0x20 && c < 0x7f; })) {
    return ConfigInvalid("user_agent must be printable ASCII");  // it is a header value
  }
  if (config.apiv3_key.size() != 32) return ConfigInvalid("the APIv3 key must be 32 bytes");
  ASSIGN_OR_RETURN(crypto::Pkey merchant,
                   crypto::LoadRsaPrivateKey(config.merchant_private_key_pem));
  WechatApiCodec codec;
  codec.keys_ = std::make_shared<WechatPlatformKeys>();
  if (!config.public_key_id.empty()) {
    if (config.public_key_id.rfind("PUB_KEY_ID_", 0) != 0) {
      return ConfigInvalid("public_key_id must start with PUB_KEY_ID_");
    }
    ASSIGN_OR_RETURN(crypto::Pkey pub, crypto::LoadRsaPublicKey(config.public_key_pem));
    auto key = std::make_shared<WechatPlatformKey>();
    key->serial = config.public_key_id;
    key->key = std::move(pub);
    codec.keys_->Install({std::move(key)});
  }
  codec.merchant_key_ = std::shared_ptr<EVP_PKEY>(merchant.release(), crypto::PkeyDeleter{});
  codec.config_ = std::move(config);
  return codec;
}

Result<OutboundRequest> WechatApiCodec::BillDownload(std::string_view target,
                                                     const WechatStamp& st) const {
  if (target.empty() || target.front() != '/') return BadArgument("the download target is a path");
  ASSIGN_OR_RETURN(OutboundRequest req, Signed("GET", std::string(target), "", st));
  // The bill is a file, not JSON.
  for (auto& [k, v] : req.headers) {
    if (k == "Accept") v = "*/*";
  }
  return req;
}

Result<OutboundRequest> WechatApiCodec::Signed(std::string method, std::string target,
                                               std::string body, const WechatStamp& st) const {
  if (st.timestamp_s <= 0 || st.nonce.empty() || st.nonce.size() > 32 ||
      !std::all_of(st.nonce.begin(), st.nonce.end(), IsAlnum)) {
    return BadArgument("the stamp needs a positive timestamp and a 1 to 32 alphanumeric nonce");
  }
  const std::string signature = crypto::Base64Encode(crypto::SignSha256Rsa(
      merchant_key_.get(), WechatRequestMessage(method, target, st.timestamp_s, st.nonce, body)));
  std::string auth(kWechatAuthScheme);
  auth += " mchid=\"" + config_.mchid + "\",nonce_str=\"" + st.nonce + "\",signature=\"" +
          signature + "\",timestamp=\"" + std::to_string(st.timestamp_s) + "\",serial_no=\"" +
          config_.merchant_serial + "\"";
  OutboundRequest req;
  req.headers.emplace_back("Authorization", std::move(auth));
  req.headers.emplace_back("Accept", "application/json");
  if (method == "POST") req.headers.emplace_back("Content-Type", "application/json");
  req.headers.emplace_back("User-Agent", config_.user_agent);
  req.method = std::move(method);
  req.target = std::move(target);
  req.body = std::move(body);
  return req;
}

Result<OutboundRequest> WechatApiCodec::NativeOrder(const WechatNativeOrder& order,
                                                    const WechatStamp& st) const {
  RETURN_IF_ERROR(CheckOutTradeNo(order.out_trade_no));
  if (order.description.empty() || order.description.size() > 127) {
    return BadArgument("description must be 1 to 127 bytes");
  }
  ASSIGN_OR_RETURN(std::int64_t total, FenOf("amount", order.amount));
  bj::object body;
  body["appid"] = config_.appid;
  body["mchid"] = config_.mchid;
  body["description"] = order.description;
  body["out_trade_no"] = order.out_trade_no;
  if (order.time_expire_s) body["time_expire"] = WechatTime(*order.time_expire_s);
  body["notify_url"] = config_.notify_url;
  body["amount"] = bj::object{{"total", total}, {"currency", "CNY"}};
  return Signed("POST", "/v3/pay/transactions/native", bj::serialize(body), st);
}

Result<OutboundRequest> WechatApiCodec::QueryOrder(std::string_view out_trade_no,
                                                   const WechatStamp& st) const {
  RETURN_IF_ERROR(CheckOutTradeNo(out_trade_no));
  return Signed(
      "GET",
      "/v3/pay/transactions/out-trade-no/" + PathSegment(out_trade_no) + "?mchid=" + config_.mchid,
      "", st);
}

Result<OutboundRequest> WechatApiCodec::CloseOrder(std::string_view out_trade_no,
                                                   const WechatStamp& st) const {
  RETURN_IF_ERROR(CheckOutTradeNo(out_trade_no));
  bj::object body;
  body["mchid"] = config_.mchid;
  return Signed("POST", "/v3/pay/transactions/out-trade-no/" + PathSegment(out_trade_no) + "/close",
                bj::serialize(body), st);
}

Result<OutboundRequest> WechatApiCodec::Refund(const WechatRefundRequest& refund,
                                               const WechatStamp& st) const {
  RETURN_IF_ERROR(CheckOutTradeNo(refund.out_trade_no));
  RETURN_IF_ERROR(CheckOutRefundNo(refund.out_refund_no));
  if (refund.reason.size() > 80) return BadArgument("reason must be at most 80 bytes");
  ASSIGN_OR_RETURN(std::int64_t amount, FenOf("refund", refund.refund));
  ASSIGN_OR_RETURN(std::int64_t total, FenOf("total", refund.total));
  if (amount > total) return BadArgument("the refund exceeds the order's total");
  bj::object body;
  body["out_trade_no"] = refund.out_trade_no;
  body["out_refund_no"] = refund.out_refund_no;
  if (!refund.reason.empty()) body["reason"] = refund.reason;
  body["notify_url"] = config_.notify_url;
  body["amount"] = bj::object{{"refund", amount}, {"total", total}, {"currency", "CNY"}};
  return Signed("POST", "/v3/refund/domestic/refunds", bj::serialize(body), st);
}

Result<OutboundRequest> WechatApiCodec::QueryRefund(std::string_view out_refund_no,
                                                    const WechatStamp& st) const {
  RETURN_IF_ERROR(CheckOutRefundNo(out_refund_no));
  return Signed("GET", "/v3/refund/domestic/refunds/" + PathSegment(out_refund_no), "", st);
}

Result<OutboundRequest> WechatApiCodec::TradeBill(std::string_view bill_date,
                                                  const WechatStamp& st) const {
  std::size_t pos = 0;
  if (!ParseDate(bill_date, &pos) || pos != bill_date.size()) {
    return BadArgument("bill_date must be a date written YYYY-MM-DD");
  }
  return Signed("GET", "/v3/bill/tradebill?bill_date=" + std::string(bill_date) + "&bill_type=ALL",
                "", st);
}

Result<OutboundRequest> WechatApiCodec::Certificates(const WechatStamp& st) const {
  return Signed("GET", "/v3/certificates", "", st);
}

Result<CreatedTrade> WechatApiCodec::ParseNativeOrder(const InboundResponse& r,
                                                      std::int64_t now_s) const {
  RETURN_IF_ERROR(CheckAnswer(r, *keys_, now_s));
  ASSIGN_OR_RETURN(bj::object o, SuccessBody(r, 200));
  ASSIGN_OR_RETURN(std::string code_url, Str(o, "code_url"));
  if (code_url.rfind("weixin://", 0) != 0) return Invalid("code_url is not a weixin:// URL");
  return CreatedTrade{std::move(code_url), ""};
}

Result<TradeQuery> WechatApiCodec::ParseQueryOrder(const InboundResponse& r,
                                                   std::string_view out_trade_no,
                                                   std::int64_t now_s) const {
  RETURN_IF_ERROR(CheckAnswer(r, *keys_, now_s));
  ASSIGN_OR_RETURN(std::optional<ErrorAnswer> e, ErrorOf(r));
  if (e && e->code == "ORDER_NOT_EXIST") {
    return TradeQuery{TradeState::kNotFound, e->code, "", std::nullopt};
  }
  ASSIGN_OR_RETURN(bj::object o, SuccessBody(r, 200));
  RETURN_IF_ERROR(CheckEcho(o, "mchid", config_.mchid));
  RETURN_IF_ERROR(CheckEcho(o, "out_trade_no", out_trade_no));
  TradeQuery q;
  ASSIGN_OR_RETURN(q.gateway_status, Str(o, "trade_state"));
  const auto row = std::find_if(kTradeStates.begin(), kTradeStates.end(),
                                [&](const TradeStateRow& t) { return t.word == q.gateway_status; });
  if (row == kTradeStates.end()) return Invalid("unknown trade_state " + q.gateway_status);
  q.state = row->state;
  if (q.state == TradeState::kPaid || q.state == TradeState::kRefunded) {
    ASSIGN_OR_RETURN(q.gateway_txn_id, Id(o, "transaction_id"));
    ASSIGN_OR_RETURN(q.amount, AmountField(o, "total"));
  } else if (const bj::value* a = o.if_contains("amount");
             a != nullptr && a->is_object() && a->as_object().contains("total")) {
    // Before payment the amount is informative and may come without a total.
    ASSIGN_OR_RETURN(q.amount, AmountField(o, "total"));
  }
  return q;
}

Status WechatApiCodec::ParseCloseOrder(const InboundResponse& r, std::int64_t now_s) const {
  RETURN_IF_ERROR(CheckAnswer(r, *keys_, now_s));
  ASSIGN_OR_RETURN(std::optional<ErrorAnswer> e, ErrorOf(r));
  if (e) return ErrorStatus(r.status, *e);
  if (r.status != 204) return Invalid("unexpected HTTP status " + std::to_string(r.status));
  if (!r.body.empty()) return Invalid("a 204 answer with a body");
  return OkStatus();
}

Result<RefundAnswer> WechatApiCodec::ParseRefund(const InboundResponse& r,
                                                 std::string_view out_refund_no,
                                                 std::int64_t now_s) const {
  return RefundAnswerOf(r, out_refund_no, NotFound::kRefused, now_s);
}

Result<RefundAnswer> WechatApiCodec::ParseRefundQuery(const InboundResponse& r,
                                                      std::string_view out_refund_no,
                                                      std::int64_t now_s) const {
  return RefundAnswerOf(r, out_refund_no, NotFound::kAnswer, now_s);
}

Result<RefundAnswer> WechatApiCodec::RefundAnswerOf(const InboundResponse& r,
                                                    std::string_view out_refund_no,
                                                    NotFound not_found, std::int64_t now_s) const {
  RETURN_IF_ERROR(CheckAnswer(r, *keys_, now_s));
  ASSIGN_OR_RETURN(std::optional<ErrorAnswer> e, ErrorOf(r));
  if (e && not_found == NotFound::kAnswer && e->code == "RESOURCE_NOT_EXISTS") {
    return RefundAnswer{RefundState::kNotFound, e->code, "", std::nullopt};
  }
  ASSIGN_OR_RETURN(bj::object o, SuccessBody(r, 200));
  RETURN_IF_ERROR(CheckEcho(o, "out_refund_no", out_refund_no));
  RefundAnswer a;
  ASSIGN_OR_RETURN(a.gateway_refund_id, Id(o, "refund_id"));
  ASSIGN_OR_RETURN(a.gateway_status, Str(o, "status"));
  const auto row =
      std::find_if(kRefundStates.begin(), kRefundStates.end(),
                   [&](const RefundStateRow& t) { return t.word == a.gateway_status; });
  if (row == kRefundStates.end()) return Invalid("unknown refund status " + a.gateway_status);
  a.state = row->state;
  ASSIGN_OR_RETURN(a.refunded, AmountField(o, "refund"));
  return a;
}

Result<BillLocation> WechatApiCodec::ParseTradeBill(const InboundResponse& r,
                                                    std::int64_t now_s) const {
  RETURN_IF_ERROR(CheckAnswer(r, *keys_, now_s));
  ASSIGN_OR_RETURN(bj::object o, SuccessBody(r, 200));
  BillLocation b;
  ASSIGN_OR_RETURN(b.download_url, Str(o, "download_url"));
  ASSIGN_OR_RETURN(b.hash_type, Str(o, "hash_type"));
  ASSIGN_OR_RETURN(b.hash_value, Str(o, "hash_value"));
  if (!HttpsOrLoopback(b.download_url)) return Invalid("download_url is not https://");
  if (b.hash_type != "SHA1") return Invalid("hash_type " + b.hash_type + " is not SHA1");
  if (b.hash_value.size() != 40 || !crypto::HexDecode(b.hash_value)) {
    return Invalid("hash_value is not 40 hex digits");
  }
  return b;
}

Result<std::size_t> WechatApiCodec::LoadCertificates(const InboundResponse& r,
                                                     std::int64_t now_s) const {
  if (r.status >= 500 && r.status <= 599) {
    return Status::Error(codes::kGatewayUnavailable, "HTTP " + std::to_string(r.status));
  }
  ASSIGN_OR_RETURN(WechatSignedHeaders h, ReadWechatSignedHeaders(r, now_s));
  const std::shared_ptr<const WechatPlatformKey> known = keys_->Find(h.serial);
  if (known) RETURN_IF_ERROR(VerifyWechatSignature(*known, h, r.body, now_s));
  // Only a 200 can carry its own signer; an error answer must be verifiable.
  if (!known && r.status != 200) return UnknownSerial(h.serial);
  // Unknown signer: the body is read before its signature is checked, but
  // nothing in it is used unless it decrypts under the APIv3 key (bootstrap).
  ASSIGN_OR_RETURN(bj::object o, SuccessBody(r, 200));
  ASSIGN_OR_RETURN(auto downloaded, wechat_internal::DecodeCertificates(o, config_.apiv3_key));
  if (!known) {
    const auto signer = std::find_if(downloaded.begin(), downloaded.end(), [&](const auto& k) {
      return SameCertSerial(k->serial, h.serial);
    });
    if (signer == downloaded.end()) return UnknownSerial(h.serial);
    RETURN_IF_ERROR(VerifyWechatSignature(**signer, h, r.body, now_s));
  }
  std::erase_if(downloaded, [&](const auto& k) { return k->not_after_s < now_s; });
  const std::size_t count = downloaded.size();
  keys_->Install(std::move(downloaded));
  return count;
}

}  // namespace folio::gateways
