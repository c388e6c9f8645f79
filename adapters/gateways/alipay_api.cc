#include "adapters/gateways/alipay_api.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

#include "adapters/gateways/outbound_support.h"
#include "adapters/gateways/parse_support.h"
#include "adapters/gateways/raw_json.h"
#include "adapters/json/json_fields.h"
#include "engine/domain/civil_time.h"
#include "engine/utf8.h"
#include "events/codes.h"

namespace folio::gateways {
namespace {

namespace bj = boost::json;
using internal::ResponseInvalid;

constexpr std::string_view kSuccess = "10000";
constexpr std::string_view kTradeNotExist = "ACQ.TRADE_NOT_EXIST";
// Alipay's own limit on out_trade_no and out_request_no.
constexpr std::size_t kAlipayIdBytesMax = 64;

// ---- Arguments of the builders. ----

Status BadArgument(std::string message) {
  return Status::Error(folio::codes::kInvalidArgument, std::move(message));
}

Status CheckOurId(std::string_view field, std::string_view value) {
  if (!internal::CheckId(field, value).ok() || value.size() > kAlipayIdBytesMax) {
    return BadArgument(std::string(field) + " must be 1 to 64 bytes without '/', ':' or controls");
  }
  return OkStatus();
}

Result<std::string> Yuan(std::string_view field, const Money& amount) {
  if (amount.asset() != Asset::CNY || amount.is_zero() || amount.minor() > kAlipayAmountMaxFen) {
    return BadArgument(std::string(field) + " must be 0.01 to 100000000.00 CNY");
  }
  return amount.ToString();
}

// Valid UTF-8 without control characters: what a subject or reason may hold.
bool IsText(std::string_view s) {
  while (!s.empty()) {
    const std::size_t n = utf8::SequenceLength(s);
    if (n == 0 || (n == 1 && (static_cast<unsigned char>(s[0]) < 0x20 || s[0] == 0x7f))) {
      return false;
    }
    s.remove_prefix(n);
  }
  return true;
}

bool IsBillDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9')) return false;
  }
  const int month = (d[5] - '0') * 10 + (d[6] - '0');
  const int day = (d[8] - '0') * 10 + (d[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// ---- Answers. ----

// A verified (or knowingly unsigned) response object.
struct Answer {
  bj::object fields;
  std::string code, msg, sub_code, sub_msg;
  bool is_signed = false;

  bool NotExist() const { return is_signed && code == "40004" && sub_code == kTradeNotExist; }
};

Status CallError(const Answer& a) {
  std::string detail = "alipay " + a.code;
  if (!a.sub_code.empty()) detail += " " + a.sub_code;
  detail += ": " + (a.sub_msg.empty() ? a.msg : a.sub_msg);
  if (!a.is_signed) detail += " (unsigned answer)";
  if (a.code == "20000") return internal::Unavailable(std::move(detail));
  if (a.code == "40004") {
    if (a.sub_code.ends_with("SYSTEM_ERROR") || a.sub_code.ends_with("SYSTEM_BUSY")) {
      return internal::Unavailable(std::move(detail));
    }
    return internal::Refused(std::move(detail));
  }
  return internal::Refused(detail + " (our configuration, parameters or permissions)");
}

Status VerifySign(const bj::object& root, std::string_view signed_bytes, EVP_PKEY* key,
                  bool* is_signed) {
  const bj::value* sign = root.if_contains("sign");
  *is_signed = false;
  if (sign == nullptr) return OkStatus();
  if (!sign->is_string()) return ResponseInvalid("sign is not a string");
  if (sign->as_string().empty()) return OkStatus();
  const std::optional<std::string> raw = crypto::Base64Decode(sign->as_string());
  if (!raw) return Status::Error(codes::kSignatureInvalid, "sign is not base64");
  if (!crypto::VerifySha256Rsa(key, signed_bytes, *raw)) {
    return Status::Error(codes::kSignatureInvalid, "sign does not verify with Alipay's key");
  }
  *is_signed = true;
  return OkStatus();
}

Result<Answer> ReadAnswer(const InboundResponse& r, std::string_view method, EVP_PKEY* key) {
  RETURN_IF_ERROR(internal::CheckHttpResponse(r, {"application/json", "text/html"}));
  Result<bj::value> doc = json::internal::ParseStrict(r.body);
  if (!doc.ok()) return ResponseInvalid("body: " + doc.status().message());
  if (!doc->is_object()) return ResponseInvalid("body is not a JSON object");
  const bj::object& root = doc->as_object();
  const std::string own = AlipayResponseKey(method);
  const bool has_own = root.contains(own), has_error = root.contains("error_response");
  if (has_own == has_error) {
    return ResponseInvalid("expected exactly one of " + own + ", error_response");
  }
  const std::string name = has_own ? own : "error_response";
  const bj::value& value = root.at(name);
  if (!value.is_object()) return ResponseInvalid(name + " is not an object");
  const std::optional<std::string_view> raw = RawJsonMember(r.body, name);
  if (!raw) return ResponseInvalid(name + " is not written plainly once in the body");

  Answer a;
  RETURN_IF_ERROR(VerifySign(root, *raw, key, &a.is_signed));
  a.fields = value.as_object();
  Result<std::string> code = internal::JsonString(a.fields, "code");
  if (!code.ok()) return internal::AsResponseError(code.status());
  a.code = std::move(*code);
  if (a.code == kSuccess && !a.is_signed) {
    return Status::Error(codes::kSignatureInvalid, "an unsigned answer is never a success");
  }
  if (a.code == kSuccess && !has_own) return ResponseInvalid("error_response with code 10000");
  a.msg = internal::JsonOptionalString(a.fields, "msg").value_or("");
  a.sub_code = internal::JsonOptionalString(a.fields, "sub_code").value_or("");
  a.sub_msg = internal::JsonOptionalString(a.fields, "sub_msg").value_or("");
  return a;
}

Result<std::string> Field(const Answer& a, std::string_view key) {
  Result<std::string> v = internal::JsonString(a.fields, key);
  if (!v.ok()) return internal::AsResponseError(v.status());
  if (v->empty()) return ResponseInvalid(std::string(key) + " is empty");
  return v;
}

// An id the answer may echo; when it does, it must be the one we asked about.
Status CheckEcho(const Answer& a, std::string_view key, std::string_view expected) {
  const bj::value* v = a.fields.if_contains(key);
  if (v == nullptr) return OkStatus();
  if (!v->is_string() || v->as_string() != expected) {
    return ResponseInvalid(std::string(key) + " is not the one asked about");
  }
  return OkStatus();
}

Result<TradeState> QueryState(std::string_view status, const Answer& a) {
  if (status == "WAIT_BUYER_PAY") return TradeState::kPending;
  if (status == "TRADE_SUCCESS" || status == "TRADE_FINISHED") return TradeState::kPaid;
  if (status == "TRADE_CLOSED") {
    // Closed after a payment means refunded in full; send_pay_date is when
    // the money reached us, present only when it did.
    const bool paid = !internal::JsonOptionalString(a.fields, "send_pay_date").value_or("").empty();
    return paid ? TradeState::kRefunded : TradeState::kClosed;
  }
  return ResponseInvalid("unknown trade_status " + std::string(status));
}

}  // namespace

std::string AlipayRequestSignedMessage(const FormPairs& params) {
  std::vector<const std::pair<std::string, std::string>*> kept;
  for (const auto& p : params) {
    if (p.first != "sign" && !p.second.empty()) kept.push_back(&p);
  }
  std::sort(kept.begin(), kept.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string message;
  for (const auto* p : kept) {
    if (!message.empty()) message += '&';
    message.append(p->first).append("=").append(p->second);
  }
  return message;
}

std::string AlipayResponseKey(std::string_view method) {
  std::string key(method);
  std::replace(key.begin(), key.end(), '.', '_');
  return key + "_response";
}

// ---- AlipayApi: building. ----

AlipayApi::AlipayApi(AlipayApiConfig config, crypto::Pkey merchant_key, crypto::Pkey alipay_key)
    : config_(std::move(config)),
      merchant_key_(std::move(merchant_key)),
      alipay_key_(std::move(alipay_key)) {}

Result<AlipayApi> AlipayApi::Create(AlipayApiConfig config) {
  if (config.app_id.empty()) {
    return Status::Error(codes::kGatewayConfigInvalid, "alipay app_id is empty");
  }
  ASSIGN_OR_RETURN(crypto::Pkey merchant,
                   crypto::LoadRsaPrivateKey(config.merchant_private_key_pem));
  ASSIGN_OR_RETURN(crypto::Pkey alipay, crypto::LoadRsaPublicKey(config.alipay_public_key_pem));
  return AlipayApi(std::move(config), std::move(merchant), std::move(alipay));
}

Result<OutboundRequest> AlipayApi::Build(std::string_view method, std::string biz_content,
                                         bool with_notify_url, std::int64_t now_s) const {
  if (now_s < 0 || now_s > domain::kShanghaiTimeMaxS) return BadArgument("now_s out of range");
  FormPairs params{{"app_id", config_.app_id}, {"method", std::string(method)},
                   {"format", "JSON"},         {"charset", "utf-8"},
                   {"sign_type", "RSA2"},      {"timestamp", domain::ShanghaiDateTime(now_s)},
                   {"version", "1.0"}};
  if (with_notify_url && !config_.notify_url.empty()) {
    params.emplace_back("notify_url", config_.notify_url);
  }
  params.emplace_back("biz_content", std::move(biz_content));
  std::string sign = crypto::Base64Encode(
      crypto::SignSha256Rsa(merchant_key_.get(), AlipayRequestSignedMessage(params)));
  params.emplace_back("sign", std::move(sign));
  OutboundRequest req;
  req.method = "POST";
  req.target = std::string(kAlipayGatewayPath);
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded;charset=utf-8"}};
  req.body = EncodeForm(params);
  return req;
}

Result<OutboundRequest> AlipayApi::Precreate(std::string_view out_trade_no, const Money& amount,
                                             std::string_view subject,
                                             std::uint32_t timeout_minutes,
                                             std::int64_t now_s) const {
  RETURN_IF_ERROR(CheckOurId("out_trade_no", out_trade_no));
  ASSIGN_OR_RETURN(std::string total, Yuan("amount", amount));
  if (subject.empty() || subject.size() > kAlipaySubjectBytesMax || !IsText(subject)) {
    return BadArgument("subject must be 1 to 256 bytes of UTF-8 text");
  }
  if (timeout_minutes == 0 || timeout_minutes > kAlipayTimeoutMinutesMax) {
    return BadArgument("timeout_minutes must be 1 to 21600");
  }
  bj::object biz;
  biz["out_trade_no"] = out_trade_no;
  biz["total_amount"] = total;
  biz["subject"] = subject;
  biz["timeout_express"] = std::to_string(timeout_minutes) + "m";
  return Build("alipay.trade.precreate", bj::serialize(biz), true, now_s);
}

Result<OutboundRequest> AlipayApi::Query(std::string_view out_trade_no, std::int64_t now_s) const {
  RETURN_IF_ERROR(CheckOurId("out_trade_no", out_trade_no));
  bj::object biz;
  biz["out_trade_no"] = out_trade_no;
  return Build("alipay.trade.query", bj::serialize(biz), false, now_s);
}

Result<OutboundRequest> AlipayApi::Close(std::string_view out_trade_no, std::int64_t now_s) const {
  RETURN_IF_ERROR(CheckOurId("out_trade_no", out_trade_no));
  bj::object biz;
  biz["out_trade_no"] = out_trade_no;
  return Build("alipay.trade.close", bj::serialize(biz), false, now_s);
}

Result<OutboundRequest> AlipayApi::Refund(std::string_view out_trade_no,
                                          std::string_view out_request_no,
                                          const Money& refund_amount,
                                          std::string_view refund_reason,
                                          std::int64_t now_s) const {
  RETURN_IF_ERROR(CheckOurId("out_trade_no", out_trade_no));
  RETURN_IF_ERROR(CheckOurId("out_request_no", out_request_no));
  ASSIGN_OR_RETURN(std::string amount, Yuan("refund_amount", refund_amount));
  if (refund_reason.size() > kAlipaySubjectBytesMax || !IsText(refund_reason)) {
    return BadArgument("refund_reason must be at most 256 bytes of UTF-8 text");
  }
  bj::object biz;
  biz["out_trade_no"] = out_trade_no;
  biz["refund_amount"] = amount;
  biz["out_request_no"] = out_request_no;
  if (!refund_reason.empty()) biz["refund_reason"] = refund_reason;
  return Build("alipay.trade.refund", bj::serialize(biz), true, now_s);
}

Result<OutboundRequest> AlipayApi::RefundQuery(std::string_view out_trade_no,
                                               std::string_view out_request_no,
                                               std::int64_t now_s) const {
  RETURN_IF_ERROR(CheckOurId("out_trade_no", out_trade_no));
  RETURN_IF_ERROR(CheckOurId("out_request_no", out_request_no));
  bj::object biz;
  biz["out_trade_no"] = out_trade_no;
  biz["out_request_no"] = out_request_no;
  return Build("alipay.trade.fastpay.refund.query", bj::serialize(biz), false, now_s);
}

Result<OutboundRequest> AlipayApi::BillDownloadUrl(std::string_view bill_date,
                                                   std::int64_t now_s) const {
  if (!IsBillDate(bill_date)) return BadArgument("bill_date must be yyyy-MM-dd");
  bj::object biz;
  biz["bill_type"] = "trade";
  biz["bill_date"] = bill_date;
  return Build("alipay.data.dataservice.bill.downloadurl.query", bj::serialize(biz), false, now_s);
}

// ---- AlipayApi: reading answers. ----

Result<CreatedTrade> AlipayApi::ParsePrecreate(const InboundResponse& r,
                                               std::string_view out_trade_no) const {
  ASSIGN_OR_RETURN(Answer a, ReadAnswer(r, "alipay.trade.precreate", alipay_key_.get()));
  if (a.code != kSuccess) return CallError(a);
  RETURN_IF_ERROR(CheckEcho(a, "out_trade_no", out_trade_no));
  ASSIGN_OR_RETURN(std::string qr, Field(a, "qr_code"));
  return CreatedTrade{std::move(qr), ""};
}

Result<TradeQuery> AlipayApi::ParseQuery(const InboundResponse& r,
                                         std::string_view out_trade_no) const {
  ASSIGN_OR_RETURN(Answer a, ReadAnswer(r, "alipay.trade.query", alipay_key_.get()));
  if (a.NotExist()) return TradeQuery{TradeState::kNotFound, a.sub_code, "", std::nullopt};
  if (a.code != kSuccess) return CallError(a);
  ASSIGN_OR_RETURN(std::string echoed, Field(a, "out_trade_no"));
  if (echoed != out_trade_no) return ResponseInvalid("out_trade_no is not the one asked about");
  ASSIGN_OR_RETURN(std::string status, Field(a, "trade_status"));
  ASSIGN_OR_RETURN(TradeState state, QueryState(status, a));
  ASSIGN_OR_RETURN(std::string total, Field(a, "total_amount"));
  ASSIGN_OR_RETURN(Money amount, internal::ResponseYuan("total_amount", total));
  TradeQuery q{state, std::move(status), "", amount};
  if (state == TradeState::kPaid || state == TradeState::kRefunded) {
    ASSIGN_OR_RETURN(q.gateway_txn_id, Field(a, "trade_no"));
    RETURN_IF_ERROR(internal::AsResponseError(internal::CheckId("trade_no", q.gateway_txn_id)));
  }
  return q;
}

Status AlipayApi::ParseClose(const InboundResponse& r, std::string_view out_trade_no) const {
  ASSIGN_OR_RETURN(Answer a, ReadAnswer(r, "alipay.trade.close", alipay_key_.get()));
  if (a.NotExist()) return OkStatus();  // never created (never scanned): nothing to pay
  if (a.code != kSuccess) return CallError(a);
  return CheckEcho(a, "out_trade_no", out_trade_no);
}

Result<RefundAnswer> AlipayApi::ParseRefund(const InboundResponse& r,
                                            std::string_view out_trade_no) const {
  ASSIGN_OR_RETURN(Answer a, ReadAnswer(r, "alipay.trade.refund", alipay_key_.get()));
  if (a.code != kSuccess) return CallError(a);
  RETURN_IF_ERROR(CheckEcho(a, "out_trade_no", out_trade_no));
  ASSIGN_OR_RETURN(std::string fund_change, Field(a, "fund_change"));
  if (fund_change != "Y" && fund_change != "N")
    return ResponseInvalid("fund_change must be Y or N");
  if (const auto fee = internal::JsonOptionalString(a.fields, "refund_fee")) {
    RETURN_IF_ERROR(internal::ResponseYuan("refund_fee", *fee).status());
  }
  RefundAnswer out;
  out.state = fund_change == "Y" ? RefundState::kSucceeded : RefundState::kProcessing;
  out.gateway_status = "fund_change=" + fund_change;
  return out;
}

Result<RefundAnswer> AlipayApi::ParseRefundQuery(const InboundResponse& r,
                                                 std::string_view out_trade_no,
                                                 std::string_view out_request_no) const {
  ASSIGN_OR_RETURN(Answer a, ReadAnswer(r, "alipay.trade.fastpay.refund.query", alipay_key_.get()));
  RefundAnswer out;
  if (a.NotExist()) {
    out.state = RefundState::kNotFound;
    out.gateway_status = a.sub_code;
    return out;
  }
  if (a.code != kSuccess) return CallError(a);
  RETURN_IF_ERROR(CheckEcho(a, "out_trade_no", out_trade_no));
  RETURN_IF_ERROR(CheckEcho(a, "out_request_no", out_request_no));
  const std::string status = internal::JsonOptionalString(a.fields, "refund_status").value_or("");
  if (status.empty()) {
    out.state = RefundState::kNotFound;
    out.gateway_status = "no refund_status";
    return out;
  }
  if (status != "REFUND_SUCCESS") return ResponseInvalid("unknown refund_status " + status);
  ASSIGN_OR_RETURN(std::string amount, Field(a, "refund_amount"));
  ASSIGN_OR_RETURN(Money refunded, internal::ResponseYuan("refund_amount", amount));
  out.state = RefundState::kSucceeded;
  out.gateway_status = status;
  out.refunded = refunded;
  return out;
}

Result<BillLocation> AlipayApi::ParseBillDownloadUrl(const InboundResponse& r) const {
  ASSIGN_OR_RETURN(
      Answer a, ReadAnswer(r, "alipay.data.dataservice.bill.downloadurl.query", alipay_key_.get()));
  if (a.code != kSuccess) return CallError(a);
  BillLocation out;
  ASSIGN_OR_RETURN(out.download_url, Field(a, "bill_download_url"));
  const std::string_view url = out.download_url;
  if (!url.starts_with("https://") && !url.starts_with("http://")) {
    return ResponseInvalid("bill_download_url is not an http(s) URL");
  }
  return out;
}

}  // namespace folio::gateways
