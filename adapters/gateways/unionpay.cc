#include "adapters/gateways/unionpay.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "adapters/gateways/cert_chain.h"
#include "adapters/gateways/crypto.h"
#include "adapters/gateways/form.h"
#include "adapters/gateways/parse_support.h"
#include "events/codes.h"

namespace folio::gateways {
namespace {

using internal::CheckId;
using internal::Malformed;

using internal::Required;
using internal::RequiredId;

Status VerifySignature(const FormPairs& form, const UnionPayConfig& config, EVP_PKEY* key) {
  if (!config.cert_id.empty() && FormValue(form, "certId").value_or("") != config.cert_id) {
    return Status::Error(codes::kSignatureKeyUnknown, "certId is not the configured certificate");
  }
  if (FormValue(form, "signMethod").value_or("") != "01") {
    return Status::Error(codes::kSignatureInvalid, "signMethod must be 01 (RSA-SHA256)");
  }
  const std::optional<std::string_view> signature = FormValue(form, "signature");
  if (!signature || signature->empty()) {
    return Status::Error(codes::kSignatureInvalid, "signature is missing");
  }
  const std::optional<std::string> raw = crypto::Base64Decode(*signature);
  if (!raw) return Status::Error(codes::kSignatureInvalid, "signature is not base64");
  if (!crypto::VerifySha256Rsa(key, UnionPaySignedDigestHex(form), *raw)) {
    return Status::Error(codes::kSignatureInvalid, "signature does not verify with UnionPay's key");
  }
  return OkStatus();
}

Result<Money> Amount(const FormPairs& form) {
  ASSIGN_OR_RETURN(std::string_view currency, Required(form, "currencyCode"));
  Asset asset = Asset::Unknown;
  if (currency == "156") asset = Asset::CNY;
  if (currency == "344") asset = Asset::HKD;
  if (currency == "840") asset = Asset::USD;
  if (currency == "978") asset = Asset::EUR;
  if (asset == Asset::Unknown) {
    return Status::Error(folio::codes::kCurrencyUnknown, "currencyCode " + std::string(currency));
  }
  ASSIGN_OR_RETURN(std::string_view txn_amt, Required(form, "txnAmt"));
  ASSIGN_OR_RETURN(u128 minor, internal::MinorFromDigits("txnAmt", txn_amt));
  return Money(asset, minor);
}

}  // namespace

std::string UnionPaySignedDigestHex(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<const std::pair<std::string, std::string>*> signed_pairs;
  for (const auto& p : pairs) {
    if (p.first != "signature" && !p.second.empty()) signed_pairs.push_back(&p);
  }
  std::sort(signed_pairs.begin(), signed_pairs.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string message;
  for (const auto* p : signed_pairs) {
    if (!message.empty()) message += '&';
    message.append(p->first).append("=").append(p->second);
  }
  return crypto::HexLower(crypto::Sha256(message));
}

Result<Notification> ParseUnionPayNotify(std::string_view body, const UnionPayConfig& config,
                                         std::int64_t now_s) {
  std::optional<CertChainVerifier> chain;
  crypto::Pkey key;
  if (!config.root_cert_pem.empty()) {
    ASSIGN_OR_RETURN(chain, CertChainVerifier::Create(config.root_cert_pem, config.middle_cert_pem,
                                                      config.expected_cert_org));
  } else {
    ASSIGN_OR_RETURN(key, crypto::LoadRsaPublicKey(config.unionpay_public_key_pem));
  }
  ASSIGN_OR_RETURN(FormPairs form, ParseForm(body));
  if (chain) {
    if (!config.cert_id.empty() && FormValue(form, "certId").value_or("") != config.cert_id) {
      return Status::Error(codes::kSignatureKeyUnknown, "certId is not the configured certificate");
    }
    const std::string_view cert = FormValue(form, "signPubKeyCert").value_or("");
    if (cert.empty()) return Status::Error(codes::kSignatureInvalid, "signPubKeyCert is missing");
    if (now_s == 0) {
      now_s = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    }
    ASSIGN_OR_RETURN(key, chain->VerifyLeaf(cert, now_s));
  }
  RETURN_IF_ERROR(VerifySignature(form, config, key.get()));
  // After this point the parameters are UnionPay's own.
  if (FormValue(form, "merId").value_or("") != config.mer_id) {
    return Status::Error(codes::kGatewayMerchantMismatch, "merId is not this merchant's");
  }
  ASSIGN_OR_RETURN(std::string_view order_id, RequiredId(form, "orderId"));
  ASSIGN_OR_RETURN(std::string_view query_id, RequiredId(form, "queryId"));
  ASSIGN_OR_RETURN(std::string_view txn_type, Required(form, "txnType"));
  ASSIGN_OR_RETURN(std::string_view resp_code, Required(form, "respCode"));
  const std::string resp_msg(FormValue(form, "respMsg").value_or(""));
  if (txn_type != "01" && txn_type != "04" && txn_type != "31") {
    return internal::UnknownStatus("txnType " + std::string(txn_type));
  }
  ASSIGN_OR_RETURN(Money amount, Amount(form));
  const bool ok = resp_code == "00";
  const std::string order(order_id), query(query_id), code(resp_code);
  const std::string reason = resp_msg.empty() ? "respCode " + code : resp_msg;

  Notification n;
  n.gateway = Gateway::kUnionPay;
  n.gateway_status = code;
  n.dedupe_key = "unionpay:" + std::string(txn_type) + ":" + query + ":" + (ok ? "ok" : "fail");
  if (txn_type == "01") {
    if (ok) {
      n.command = domain::PaymentSettle{order, query, amount, std::nullopt};
    } else {
      n.command = domain::PaymentFail{order, reason, code};
    }
  } else if (ok) {  // 04 refund, 31 consume cancellation: orderId is our refund id
    n.command = domain::RefundSucceed{order, query};
  } else {
    n.command = domain::RefundFail{order, reason};
  }
  return n;
}

std::string UnionPayReply(bool ok) { return ok ? "ok" : "fail"; }

}  // namespace folio::gateways
