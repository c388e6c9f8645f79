#include "adapters/gateways/unionpay_api.h"

#include <algorithm>

#include "adapters/gateways/outbound_support.h"
#include "adapters/gateways/parse_support.h"
#include "adapters/gateways/unionpay.h"
#include "adapters/statements/zip_archive.h"
#include "engine/domain/civil_time.h"
#include "events/codes.h"

namespace folio::gateways {
namespace {

using internal::ResponseInvalid;

// ACP's txnAmt is at most 12 digits of fen.
constexpr u128 kTxnAmtMax = 999'999'999'999;
constexpr std::size_t kQueryIdBytesMax = 64;

Status BadArgument(std::string message) {
  return Status::Error(folio::codes::kInvalidArgument, std::move(message));
}

bool IsAlnum(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      return false;
    }
  }
  return true;
}

Status CheckOrderId(std::string_view field, std::string_view id) {
  if (id.size() < kUnionPayOrderIdBytesMin || id.size() > kUnionPayOrderIdBytesMax ||
      !IsAlnum(id)) {
    return BadArgument(std::string(field) + " must be 8 to 40 letters and digits");
  }
  return OkStatus();
}

Result<std::string> Fen(const Money& amount) {
  if (amount.asset() != Asset::CNY || amount.is_zero() || amount.minor() > kTxnAmtMax) {
    return BadArgument("amount must be a positive CNY amount of at most 12 digits of fen");
  }
  return U128ToString(amount.minor());
}

Status CheckTime(std::int64_t s) {
  if (s < 0 || s > domain::kShanghaiTimeMaxS) return BadArgument("time out of range");
  return OkStatus();
}

Status CallError(std::string_view resp_code, std::string_view resp_msg, bool is_signed) {
  std::string detail = "unionpay respCode " + std::string(resp_code) + ": " + std::string(resp_msg);
  if (!is_signed) detail += " (unsigned answer)";
  if (resp_code == "03" || resp_code == "04" || resp_code == "05") {
    return internal::Unavailable(std::move(detail));
  }
  return internal::Refused(std::move(detail));
}

bool InProcess(std::string_view code) { return code == "03" || code == "04" || code == "05"; }

Result<std::string> Field(const FormPairs& form, std::string_view name) {
  Result<std::string_view> v = internal::Required(form, name);
  if (!v.ok()) return internal::AsResponseError(v.status());
  return std::string(*v);
}

Result<Money> Amount(const FormPairs& form) {
  ASSIGN_OR_RETURN(std::string currency, Field(form, "currencyCode"));
  if (currency != "156") return ResponseInvalid("currencyCode " + currency + " is not CNY");
  ASSIGN_OR_RETURN(std::string txn_amt, Field(form, "txnAmt"));
  Result<u128> minor = internal::MinorFromDigits("txnAmt", txn_amt);
  if (!minor.ok()) return internal::AsResponseError(minor.status());
  // The same bound the requests keep: an answer's amount is ACP's too.
  if (*minor > kTxnAmtMax) return ResponseInvalid("txnAmt is over ACP's 12 digits");
  return Money(Asset::CNY, *minor);
}

// origRespCode has respCode's shape: two letters or digits.
Result<std::string> OrigRespCode(const FormPairs& form) {
  ASSIGN_OR_RETURN(std::string code, Field(form, "origRespCode"));
  if (code.size() != 2 || !IsAlnum(code)) {
    return ResponseInvalid("origRespCode must be 2 letters or digits");
  }
  return code;
}

Result<std::string> QueryId(const FormPairs& form) {
  ASSIGN_OR_RETURN(std::string id, Field(form, "queryId"));
  if (id.size() > kQueryIdBytesMax || !IsAlnum(id)) return ResponseInvalid("queryId is malformed");
  return id;
}

// "MMDD" of a real month and day (0229 included: ACP names no year).
bool ValidSettleDate(std::string_view d) {
  if (d.size() != 4 ||
      !std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int month = (d[0] - '0') * 10 + (d[1] - '0'), day = (d[2] - '0') * 10 + (d[3] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= kDays[month - 1];
}

// The INN file of the archive: its name is INN<yymmdd>01ACOMN (in a folder or
// not), of settle date MMDD.
Result<UnionPayFile> InnFile(std::string_view archive, std::string_view settle_date) {
  auto invalid = [](const Status& s) { return ResponseInvalid("fileContent: " + s.message()); };
  auto entries = statements::ListZipBytes(archive);
  if (!entries.ok()) return invalid(entries.status());
  const statements::ZipEntry* found = nullptr;
  std::string name;
  for (const statements::ZipEntry& e : *entries) {
    const std::size_t slash = e.name.find_last_of('/');
    const std::string base = slash == std::string::npos ? e.name : e.name.substr(slash + 1);
    if (!base.starts_with("INN") || base.find("ACOMN") == std::string::npos) continue;
    if (found != nullptr) return ResponseInvalid("fileContent: more than one INN file");
    found = &e;
    name = base;
  }
  if (found == nullptr) return ResponseInvalid("fileContent: no INN...ACOMN file in the archive");
  if (name.size() < 9 || name.substr(5, 4) != settle_date) {
    return ResponseInvalid("fileContent: " + name + " is not of settle date " +
                           std::string(settle_date));
  }
  auto bytes = statements::ExtractZipEntryBytes(archive, *found, kUnionPayFileBytesMax);
  if (!bytes.ok()) return invalid(bytes.status());
  UnionPayFile f;
  f.name = std::move(name);
  f.bytes = std::move(*bytes);
  return f;
}

}  // namespace

struct UnionPayApi::Answer {
  FormPairs form;
  std::string resp_code, resp_msg;
  bool is_signed = false;
};

UnionPayApi::UnionPayApi(UnionPayApiConfig config, crypto::Pkey merchant_key,
                         CertChainVerifier verifier)
    : config_(std::move(config)),
      merchant_key_(std::move(merchant_key)),
      verifier_(std::move(verifier)) {}

Result<UnionPayApi> UnionPayApi::Create(UnionPayApiConfig config) {
  if (config.mer_id.empty() || config.merchant_cert_id.empty() || config.back_url.empty()) {
    return Status::Error(codes::kGatewayConfigInvalid,
                         "unionpay mer_id, merchant_cert_id and back_url are required");
  }
  ASSIGN_OR_RETURN(crypto::Pkey key, crypto::LoadRsaPrivateKey(config.merchant_private_key_pem));
  ASSIGN_OR_RETURN(CertChainVerifier verifier,
                   CertChainVerifier::Create(config.root_cert_pem, config.middle_cert_pem,
                                             config.expected_cert_org));
  return UnionPayApi(std::move(config), std::move(key), std::move(verifier));
}

// ---- Building. ----

OutboundRequest UnionPayApi::Build(std::string_view path, FormPairs fields) const {
  std::string signature = crypto::Base64Encode(
      crypto::SignSha256Rsa(merchant_key_.get(), UnionPaySignedDigestHex(fields)));
  fields.emplace_back("signature", std::move(signature));
  OutboundRequest req;
  req.method = "POST";
  req.target = std::string(path);
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded;charset=UTF-8"}};
  req.body = EncodeForm(fields);
  return req;
}

Result<OutboundRequest> UnionPayApi::ApplyQrCode(std::string_view order_id, const Money& amount,
                                                 std::int64_t now_s) const {
  RETURN_IF_ERROR(CheckOrderId("order_id", order_id));
  ASSIGN_OR_RETURN(std::string fen, Fen(amount));
  RETURN_IF_ERROR(CheckTime(now_s));
  return Build(kUnionPayBackTransPath, {{"version", "5.1.0"},
                                        {"encoding", "UTF-8"},
                                        {"signMethod", "01"},
                                        {"certId", config_.merchant_cert_id},
                                        {"txnType", "01"},
                                        {"txnSubType", "07"},
                                        {"bizType", "000000"},
                                        {"channelType", "08"},
                                        {"accessType", "0"},
                                        {"merId", config_.mer_id},
                                        {"orderId", std::string(order_id)},
                                        {"txnTime", domain::ShanghaiCompactDateTime(now_s)},
                                        {"txnAmt", fen},
                                        {"currencyCode", "156"},
                                        {"backUrl", config_.back_url}});
}

Result<OutboundRequest> UnionPayApi::Refund(std::string_view refund_order_id,
                                            std::string_view orig_query_id, const Money& amount,
                                            std::int64_t now_s) const {
  RETURN_IF_ERROR(CheckOrderId("refund_order_id", refund_order_id));
  if (orig_query_id.empty() || orig_query_id.size() > kQueryIdBytesMax || !IsAlnum(orig_query_id)) {
    return BadArgument("orig_query_id must be 1 to 64 letters and digits");
  }
  ASSIGN_OR_RETURN(std::string fen, Fen(amount));
  RETURN_IF_ERROR(CheckTime(now_s));
  return Build(kUnionPayBackTransPath, {{"version", "5.1.0"},
                                        {"encoding", "UTF-8"},
                                        {"signMethod", "01"},
                                        {"certId", config_.merchant_cert_id},
                                        {"txnType", "04"},
                                        {"txnSubType", "00"},
                                        {"bizType", "000000"},
                                        {"channelType", "08"},
                                        {"accessType", "0"},
                                        {"merId", config_.mer_id},
                                        {"orderId", std::string(refund_order_id)},
                                        {"origQryId", std::string(orig_query_id)},
                                        {"txnTime", domain::ShanghaiCompactDateTime(now_s)},
                                        {"txnAmt", fen},
                                        {"currencyCode", "156"},
                                        {"backUrl", config_.back_url}});
}

Result<OutboundRequest> UnionPayApi::Query(std::string_view order_id,
                                           std::int64_t orig_txn_s) const {
  RETURN_IF_ERROR(CheckOrderId("order_id", order_id));
  RETURN_IF_ERROR(CheckTime(orig_txn_s));
  return Build(kUnionPayQueryPath, {{"version", "5.1.0"},
                                    {"encoding", "UTF-8"},
                                    {"signMethod", "01"},
                                    {"certId", config_.merchant_cert_id},
                                    {"txnType", "00"},
                                    {"txnSubType", "00"},
                                    {"bizType", "000000"},
                                    {"accessType", "0"},
                                    {"merId", config_.mer_id},
                                    {"orderId", std::string(order_id)},
                                    {"txnTime", domain::ShanghaiCompactDateTime(orig_txn_s)}});
}

Result<OutboundRequest> UnionPayApi::FileTransfer(std::string_view settle_date,
                                                  std::int64_t now_s) const {
  if (!ValidSettleDate(settle_date)) return BadArgument("settle_date must be MMDD, a real day");
  RETURN_IF_ERROR(CheckTime(now_s));
  return Build(kUnionPayFileTransPath, {{"version", "5.1.0"},
                                        {"encoding", "UTF-8"},
                                        {"signMethod", "01"},
                                        {"certId", config_.merchant_cert_id},
                                        {"txnType", "76"},
                                        {"txnSubType", "01"},
                                        {"bizType", "000000"},
                                        {"accessType", "0"},
                                        {"merId", config_.mer_id},
                                        {"settleDate", std::string(settle_date)},
                                        {"txnTime", domain::ShanghaiCompactDateTime(now_s)},
                                        {"fileType", "00"}});
}

// ---- Reading answers. ----

Result<UnionPayApi::Answer> UnionPayApi::Read(const InboundResponse& r,
                                              std::optional<std::string_view> order_id,
                                              std::int64_t now_s) const {
  RETURN_IF_ERROR(internal::CheckHttpResponse(
      r, {"application/x-www-form-urlencoded", "text/plain", "text/html"}));
  Result<FormPairs> form = ParseForm(r.body);
  if (!form.ok()) return ResponseInvalid("body: " + form.status().message());
  Answer a;
  a.form = std::move(*form);
  const std::string_view signature = FormValue(a.form, "signature").value_or("");
  if (!signature.empty()) {
    if (FormValue(a.form, "signMethod").value_or("") != "01") {
      return Status::Error(codes::kSignatureInvalid, "signMethod must be 01 (RSA-SHA256)");
    }
    const std::optional<std::string> raw = crypto::Base64Decode(signature);
    if (!raw) return Status::Error(codes::kSignatureInvalid, "signature is not base64");
    const std::string_view cert = FormValue(a.form, "signPubKeyCert").value_or("");
    if (cert.empty()) return Status::Error(codes::kSignatureInvalid, "signPubKeyCert is missing");
    ASSIGN_OR_RETURN(crypto::Pkey key, verifier_.VerifyLeaf(cert, now_s));
    if (!crypto::VerifySha256Rsa(key.get(), UnionPaySignedDigestHex(a.form), *raw)) {
      return Status::Error(codes::kSignatureInvalid,
                           "signature does not verify with signPubKeyCert");
    }
    a.is_signed = true;
  }
  ASSIGN_OR_RETURN(a.resp_code, Field(a.form, "respCode"));
  if (a.resp_code.size() != 2 || !IsAlnum(a.resp_code)) {
    return ResponseInvalid("respCode must be 2 letters or digits");
  }
  a.resp_msg = FormValue(a.form, "respMsg").value_or("");
  if (a.resp_code == "00" && !a.is_signed) {
    return Status::Error(codes::kSignatureInvalid, "an unsigned answer is never a success");
  }
  // Echoed ids: when present they must be ours; a success must echo the order.
  if (FormValue(a.form, "merId").value_or(config_.mer_id) != config_.mer_id) {
    return ResponseInvalid("merId is not this merchant's");
  }
  const std::optional<std::string_view> echoed = FormValue(a.form, "orderId");
  if (!order_id) {
    if (echoed) return ResponseInvalid("orderId in the answer of a call that named none");
  } else if ((echoed || a.resp_code == "00") && echoed.value_or("") != *order_id) {
    return ResponseInvalid("orderId is not the one asked about");
  }
  return a;
}

Result<CreatedTrade> UnionPayApi::ParseApplyQrCode(const InboundResponse& r,
                                                   std::string_view order_id,
                                                   std::int64_t now_s) const {
  ASSIGN_OR_RETURN(Answer a, Read(r, order_id, now_s));
  if (a.resp_code != "00") return CallError(a.resp_code, a.resp_msg, a.is_signed);
  ASSIGN_OR_RETURN(std::string qr, Field(a.form, "qrCode"));
  return CreatedTrade{std::move(qr), ""};
}

Result<RefundAnswer> UnionPayApi::ParseRefund(const InboundResponse& r,
                                              std::string_view refund_order_id,
                                              std::int64_t now_s) const {
  ASSIGN_OR_RETURN(Answer a, Read(r, refund_order_id, now_s));
  // 12 (duplicate transaction) answers a resent refund whose first answer was
  // lost: the refund exists, its outcome is the query's to tell.
  const bool duplicate = a.resp_code == "12" && a.is_signed;
  if (a.resp_code != "00" && !duplicate) return CallError(a.resp_code, a.resp_msg, a.is_signed);
  RefundAnswer out;
  out.state = RefundState::kProcessing;  // accepted; the result comes later
  out.gateway_status = a.resp_code;
  if (FormValue(a.form, "queryId")) {
    ASSIGN_OR_RETURN(out.gateway_refund_id, QueryId(a.form));
  }
  return out;
}

Result<TradeQuery> UnionPayApi::ParseQuery(const InboundResponse& r, std::string_view order_id,
                                           std::int64_t now_s) const {
  ASSIGN_OR_RETURN(Answer a, Read(r, order_id, now_s));
  if (a.resp_code == "34" && a.is_signed) {
    return TradeQuery{TradeState::kNotFound, a.resp_code, "", std::nullopt};
  }
  if (a.resp_code != "00") return CallError(a.resp_code, a.resp_msg, a.is_signed);
  ASSIGN_OR_RETURN(std::string orig, OrigRespCode(a.form));
  TradeQuery q;
  q.state = orig == "00" ? TradeState::kPaid
                         : (InProcess(orig) ? TradeState::kPending : TradeState::kFailed);
  q.gateway_status = orig;
  if (q.state == TradeState::kPaid) {
    ASSIGN_OR_RETURN(q.gateway_txn_id, QueryId(a.form));
    ASSIGN_OR_RETURN(q.amount, Amount(a.form));
  } else if (FormValue(a.form, "txnAmt")) {
    ASSIGN_OR_RETURN(q.amount, Amount(a.form));
  }
  return q;
}

Result<RefundAnswer> UnionPayApi::ParseRefundQuery(const InboundResponse& r,
                                                   std::string_view refund_order_id,
                                                   std::int64_t now_s) const {
  ASSIGN_OR_RETURN(Answer a, Read(r, refund_order_id, now_s));
  RefundAnswer out;
  if (a.resp_code == "34" && a.is_signed) {
    out.state = RefundState::kNotFound;
    out.gateway_status = a.resp_code;
    return out;
  }
  if (a.resp_code != "00") return CallError(a.resp_code, a.resp_msg, a.is_signed);
  ASSIGN_OR_RETURN(out.gateway_status, OrigRespCode(a.form));
  const std::string& orig = out.gateway_status;
  out.state = orig == "00" ? RefundState::kSucceeded
                           : (InProcess(orig) ? RefundState::kProcessing : RefundState::kFailed);
  if (FormValue(a.form, "queryId")) {
    ASSIGN_OR_RETURN(out.gateway_refund_id, QueryId(a.form));
  }
  if (out.state == RefundState::kSucceeded) {
    ASSIGN_OR_RETURN(out.refunded, Amount(a.form));
  }
  return out;
}

Result<UnionPayFile> UnionPayApi::ParseFileTransfer(const InboundResponse& r,
                                                    std::string_view settle_date,
                                                    std::int64_t now_s) const {
  ASSIGN_OR_RETURN(Answer a, Read(r, std::nullopt, now_s));
  if (a.resp_code != "00") return CallError(a.resp_code, a.resp_msg, a.is_signed);
  ASSIGN_OR_RETURN(std::string echoed, Field(a.form, "settleDate"));
  if (echoed != settle_date) return ResponseInvalid("settleDate is not the one asked for");
  ASSIGN_OR_RETURN(std::string content, Field(a.form, "fileContent"));
  const std::optional<std::string> packed = crypto::Base64Decode(content);
  if (!packed) return ResponseInvalid("fileContent is not base64");
  std::string archive;
  if (packed->starts_with("PK\x03\x04")) {
    archive = *packed;
  } else {
    Result<std::string> inflated = statements::ZlibInflate(*packed, kUnionPayFileBytesMax);
    if (!inflated.ok()) return ResponseInvalid("fileContent: " + inflated.status().message());
    archive = std::move(*inflated);
  }
  ASSIGN_OR_RETURN(UnionPayFile file, InnFile(archive, settle_date));
  file.archive_name = std::string(FormValue(a.form, "fileName").value_or(""));
  return file;
}

}  // namespace folio::gateways
