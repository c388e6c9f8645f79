#include "adapters/gateways/wechat.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/parse_support.h"
#include "events/codes.h"

namespace folio::gateways {
namespace {

namespace bj = boost::json;
using internal::JsonId;
using internal::JsonObject;
using internal::JsonString;
using internal::Malformed;

bool SameSerial(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

Status CheckHeaders(const WechatHeaders& h, const WechatConfig& config, std::int64_t now_s,
                    std::string_view body, EVP_PKEY* key) {
  if (h.timestamp.empty() || h.nonce.empty() || h.signature.empty() || h.serial.empty()) {
    return Malformed("a Wechatpay-* header is missing");
  }
  ASSIGN_OR_RETURN(std::int64_t ts, internal::ParseUnixSeconds("Wechatpay-Timestamp", h.timestamp));
  RETURN_IF_ERROR(internal::CheckWindow(ts, now_s, kWechatWindowS));
  if (!SameSerial(h.serial, config.platform_serial)) {
    return Status::Error(
        codes::kSignatureKeyUnknown,
        "Wechatpay-Serial " + h.serial + " is not the configured platform certificate");
  }
  const std::optional<std::string> sig = crypto::Base64Decode(h.signature);
  if (!sig) return Status::Error(codes::kSignatureInvalid, "Wechatpay-Signature is not base64");
  if (!crypto::VerifySha256Rsa(key, WechatSignedMessage(h.timestamp, h.nonce, body), *sig)) {
    return Status::Error(codes::kSignatureInvalid, "Wechatpay-Signature does not verify");
  }
  return OkStatus();
}

Result<bj::object> DecryptResource(const bj::object& envelope, std::string_view apiv3_key) {
  ASSIGN_OR_RETURN(std::string resource_type, JsonString(envelope, "resource_type"));
  if (resource_type != "encrypt-resource")
    return Malformed("resource_type must be encrypt-resource");
  ASSIGN_OR_RETURN(const bj::object* resource, JsonObject(envelope, "resource"));
  ASSIGN_OR_RETURN(std::string algorithm, JsonString(*resource, "algorithm"));
  if (algorithm != "AEAD_AES_256_GCM")
    return Malformed("resource.algorithm must be AEAD_AES_256_GCM");
  ASSIGN_OR_RETURN(std::string ciphertext_b64, JsonString(*resource, "ciphertext"));
  ASSIGN_OR_RETURN(std::string nonce, JsonString(*resource, "nonce"));
  const std::string aad = internal::JsonOptionalString(*resource, "associated_data").value_or("");
  ASSIGN_OR_RETURN(std::string plain, WechatDecrypt(apiv3_key, nonce, aad, ciphertext_b64));
  return internal::ParseJsonObject(plain, "decrypted resource");
}

Result<Money> Amount(const bj::object& resource, std::string_view field) {
  ASSIGN_OR_RETURN(const bj::object* amount, JsonObject(resource, "amount"));
  ASSIGN_OR_RETURN(std::uint64_t minor, internal::JsonUnsigned(*amount, field, true));
  if (minor == 0)
    return Status::Error(folio::codes::kAmountInvalid, "amount." + std::string(field) + " is zero");
  Asset asset = Asset::CNY;
  if (const auto currency = internal::JsonOptionalString(*amount, "currency")) {
    const std::optional<Asset> a = AssetFromCode(*currency);
    if (!a) return Status::Error(folio::codes::kCurrencyUnknown, "amount.currency " + *currency);
    asset = *a;
  }
  return Money(asset, minor);
}

Result<Notification> MapTransaction(const bj::object& r) {
  ASSIGN_OR_RETURN(std::string payment_id, JsonId(r, "out_trade_no"));
  ASSIGN_OR_RETURN(std::string state, JsonString(r, "trade_state"));
  const std::string desc = internal::JsonOptionalString(r, "trade_state_desc").value_or("");
  Notification n;
  n.gateway = Gateway::kWechatPay;
  n.gateway_status = state;
  n.dedupe_key = "wechatpay:" + payment_id + ":" + state;
  if (state == "SUCCESS") {
    ASSIGN_OR_RETURN(std::string transaction_id, JsonId(r, "transaction_id"));
    ASSIGN_OR_RETURN(Money amount, Amount(r, "total"));
    n.dedupe_key = "wechatpay:settle:" + transaction_id;
    n.command = domain::PaymentSettle{payment_id, transaction_id, amount, std::nullopt};
  } else if (state == "NOTPAY" || state == "USERPAYING" || state == "REFUND") {
    // Nothing to record: still open, or a refund whose outcome comes as REFUND.*.
  } else if (state == "CLOSED" || state == "PAYERROR") {
    n.command =
        domain::PaymentFail{payment_id, desc.empty() ? "closed at WeChat Pay" : desc, state};
  } else if (state == "REVOKED") {
    n.command = domain::PaymentCancel{payment_id, desc.empty() ? "revoked at WeChat Pay" : desc};
  } else {
    return internal::UnknownStatus("trade_state " + state);
  }
  return n;
}

Result<Notification> MapRefund(const bj::object& r) {
  ASSIGN_OR_RETURN(std::string refund_id, JsonId(r, "out_refund_no"));
  ASSIGN_OR_RETURN(std::string gateway_refund_id, JsonId(r, "refund_id"));
  RETURN_IF_ERROR(JsonId(r, "out_trade_no").status());
  ASSIGN_OR_RETURN(std::string status, JsonString(r, "refund_status"));
  Notification n;
  n.gateway = Gateway::kWechatPay;
  n.gateway_status = status;
  n.dedupe_key = "wechatpay:refund:" + gateway_refund_id + ":" + status;
  if (status == "SUCCESS") {
    RETURN_IF_ERROR(Amount(r, "refund").status());
    n.command = domain::RefundSucceed{refund_id, gateway_refund_id};
  } else if (status == "CLOSED" || status == "ABNORMAL") {
    n.command = domain::RefundFail{refund_id, "refund " + status + " at WeChat Pay"};
  } else {
    return internal::UnknownStatus("refund_status " + status);
  }
  return n;
}

}  // namespace

Result<std::string> WechatDecrypt(std::string_view apiv3_key, std::string_view nonce,
                                  std::string_view associated_data,
                                  std::string_view ciphertext_b64) {
  if (nonce.empty() || nonce.size() > 64) return Malformed("resource.nonce must be 1 to 64 bytes");
  const std::optional<std::string> sealed = crypto::Base64Decode(ciphertext_b64);
  if (!sealed) return Malformed("resource.ciphertext is not base64");
  std::optional<std::string> plain =
      crypto::AesGcmDecrypt(apiv3_key, nonce, associated_data, *sealed);
  if (!plain) {
    return Status::Error(codes::kNotificationUndecryptable,
                         "resource does not decrypt with the APIv3 key (GCM tag mismatch)");
  }
  return std::move(*plain);
}

std::string WechatSignedMessage(std::string_view timestamp, std::string_view nonce,
                                std::string_view body) {
  std::string m;
  m.reserve(timestamp.size() + nonce.size() + body.size() + 3);
  m.append(timestamp).append("\n").append(nonce).append("\n").append(body).append("\n");
  return m;
}

Result<Notification> ParseWechatNotify(const WechatHeaders& headers, std::string_view body,
                                       const WechatConfig& config, std::int64_t now_s) {
  ASSIGN_OR_RETURN(crypto::Pkey key, crypto::LoadRsaPublicKey(config.platform_public_key_pem));
  if (config.apiv3_key.size() != 32) {
    return Status::Error(codes::kGatewayConfigInvalid, "the APIv3 key must be 32 bytes");
  }
  RETURN_IF_ERROR(CheckHeaders(headers, config, now_s, body, key.get()));
  // After this point the body is WeChat Pay's own.
  ASSIGN_OR_RETURN(bj::object envelope, internal::ParseJsonObject(body, "body"));
  RETURN_IF_ERROR(JsonId(envelope, "id").status());
  ASSIGN_OR_RETURN(std::string event_type, JsonString(envelope, "event_type"));
  ASSIGN_OR_RETURN(bj::object resource, DecryptResource(envelope, config.apiv3_key));
  ASSIGN_OR_RETURN(std::string mchid, JsonString(resource, "mchid"));
  if (mchid != config.mchid) {
    return Status::Error(codes::kGatewayMerchantMismatch, "mchid is not this merchant's");
  }
  if (event_type.rfind("TRANSACTION.", 0) == 0) return MapTransaction(resource);
  if (event_type.rfind("REFUND.", 0) == 0) return MapRefund(resource);
  return internal::UnknownStatus("event_type " + event_type);
}

std::string WechatReply(bool ok, std::string_view message) {
  bj::object reply;
  reply["code"] = ok ? "SUCCESS" : "FAIL";
  reply["message"] = message.empty() ? (ok ? "成功" : "失败") : message;
  return bj::serialize(reply);
}

}  // namespace folio::gateways
