#include "adapters/gateways/alipay.h"

#include <algorithm>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/form.h"
#include "adapters/gateways/parse_support.h"

namespace folio::gateways {
namespace {

using internal::CheckId;
using internal::Malformed;

using internal::Required;
using internal::RequiredId;

Status VerifySignature(const FormPairs& form, EVP_PKEY* key) {
  const std::optional<std::string_view> sign_type = FormValue(form, "sign_type");
  if (!sign_type || *sign_type != "RSA2") {
    return Status::Error(codes::kSignatureInvalid, "sign_type must be RSA2");
  }
  const std::optional<std::string_view> sign = FormValue(form, "sign");
  if (!sign || sign->empty()) return Status::Error(codes::kSignatureInvalid, "sign is missing");
  const std::optional<std::string> raw = crypto::Base64Decode(*sign);
  if (!raw) return Status::Error(codes::kSignatureInvalid, "sign is not base64");
  if (!crypto::VerifySha256Rsa(key, AlipaySignedMessage(form), *raw)) {
    return Status::Error(codes::kSignatureInvalid, "sign does not verify with Alipay's key");
  }
  return OkStatus();
}

Result<Notification> MapRefund(const FormPairs& form, std::string_view trade_no,
                               std::string_view status) {
  ASSIGN_OR_RETURN(std::string_view refund_id, RequiredId(form, "out_biz_no"));
  ASSIGN_OR_RETURN(std::string_view refund_fee, Required(form, "refund_fee"));
  RETURN_IF_ERROR(internal::PositiveAmount("refund_fee", refund_fee, Asset::CNY).status());
  Notification n;
  n.gateway = Gateway::kAlipay;
  n.gateway_status = std::string(status);
  n.dedupe_key = "alipay:refund:" + std::string(refund_id);
  n.command = domain::RefundSucceed{std::string(refund_id), std::string(trade_no)};
  return n;
}

}  // namespace

std::string AlipaySignedMessage(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<const std::pair<std::string, std::string>*> signed_pairs;
  for (const auto& p : pairs) {
    if (p.first != "sign" && p.first != "sign_type" && !p.second.empty()) {
      signed_pairs.push_back(&p);
    }
  }
  std::sort(signed_pairs.begin(), signed_pairs.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string message;
  for (const auto* p : signed_pairs) {
    if (!message.empty()) message += '&';
    message += p->first;
    message += '=';
    message += p->second;
  }
  return message;
}

Result<Notification> ParseAlipayNotify(std::string_view body, const AlipayConfig& config) {
  ASSIGN_OR_RETURN(crypto::Pkey key, crypto::LoadRsaPublicKey(config.alipay_public_key_pem));
  ASSIGN_OR_RETURN(FormPairs form, ParseForm(body));
  RETURN_IF_ERROR(VerifySignature(form, key.get()));
  // After this point the parameters are Alipay's own.
  const std::optional<std::string_view> app_id = FormValue(form, "app_id");
  if (!app_id || *app_id != config.app_id) {
    return Status::Error(codes::kGatewayMerchantMismatch, "app_id is not this application's");
  }
  ASSIGN_OR_RETURN(std::string_view notify_type, Required(form, "notify_type"));
  if (notify_type != "trade_status_sync") {
    return Malformed("notify_type must be trade_status_sync");
  }
  RETURN_IF_ERROR(RequiredId(form, "notify_id").status());  // required; keys use trade_no
  ASSIGN_OR_RETURN(std::string_view trade_no, RequiredId(form, "trade_no"));
  ASSIGN_OR_RETURN(std::string_view payment_id, RequiredId(form, "out_trade_no"));
  ASSIGN_OR_RETURN(std::string_view status, Required(form, "trade_status"));
  const bool known = status == "WAIT_BUYER_PAY" || status == "TRADE_SUCCESS" ||
                     status == "TRADE_FINISHED" || status == "TRADE_CLOSED";
  if (!known) return internal::UnknownStatus("trade_status " + std::string(status));
  const bool refund = status == "TRADE_SUCCESS" || status == "TRADE_CLOSED";
  if (refund && !FormValue(form, "out_biz_no").value_or("").empty()) {
    return MapRefund(form, trade_no, status);
  }

  Notification n;
  n.gateway = Gateway::kAlipay;
  n.gateway_status = std::string(status);
  const std::string trade(trade_no);
  if (status == "WAIT_BUYER_PAY") {
    n.dedupe_key = "alipay:wait:" + trade;
  } else if (status == "TRADE_CLOSED") {
    n.dedupe_key = "alipay:close:" + trade;
    n.command =
        domain::PaymentFail{std::string(payment_id), "trade closed at Alipay", "TRADE_CLOSED"};
  } else {
    ASSIGN_OR_RETURN(std::string_view total, Required(form, "total_amount"));
    ASSIGN_OR_RETURN(Money amount, internal::PositiveAmount("total_amount", total, Asset::CNY));
    n.dedupe_key = "alipay:settle:" + trade;
    n.command = domain::PaymentSettle{std::string(payment_id), trade, amount, std::nullopt};
  }
  return n;
}

std::string AlipayReply(bool ok) { return ok ? "success" : "failure"; }

}  // namespace folio::gateways
