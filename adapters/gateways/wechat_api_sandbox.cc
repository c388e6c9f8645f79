#include "adapters/gateways/wechat_api_sandbox.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/form.h"
#include "adapters/gateways/parse_support.h"
#include "adapters/gateways/wechat.h"
#include "adapters/gateways/wechat_api.h"
#include "adapters/gateways/wechat_cert.h"
#include "adapters/json/json_fields.h"

namespace folio::gateways {
namespace {

namespace bj = boost::json;
using internal::Malformed;

constexpr std::int64_t kRequestWindowS = 300;

bool SameNameIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    };
    return lower(x) == lower(y);
  });
}

std::string_view HeaderOf(const std::vector<std::pair<std::string, std::string>>& headers,
                          std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (SameNameIgnoringCase(k, name)) return v;
  }
  return {};
}

struct Authorization {
  std::string mchid, nonce_str, signature, timestamp, serial_no;
};

// WECHATPAY2-SHA256-RSA2048 k="v",k="v",... (any order, each key once).
Result<Authorization> ParseAuthorization(std::string_view value) {
  const std::string prefix = std::string(kWechatAuthScheme) + " ";
  if (value.rfind(prefix, 0) != 0) {
    return Malformed("Authorization is not " + std::string(kWechatAuthScheme));
  }
  Authorization a;
  const std::array<std::pair<std::string_view, std::string*>, 5> slots{{
      {"mchid", &a.mchid},
      {"nonce_str", &a.nonce_str},
      {"signature", &a.signature},
      {"timestamp", &a.timestamp},
      {"serial_no", &a.serial_no},
  }};
  std::string_view rest = value.substr(prefix.size());
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || item.size() < eq + 3 || item[eq + 1] != '"' ||
        item.back() != '"') {
      return Malformed("Authorization item is not name=\"value\"");
    }
    const std::string_view name = item.substr(0, eq);
    const std::string_view v = item.substr(eq + 2, item.size() - eq - 3);
    const auto slot =
        std::find_if(slots.begin(), slots.end(), [&](const auto& s) { return s.first == name; });
    if (slot == slots.end()) return Malformed("Authorization has unknown " + std::string(name));
    if (!slot->second->empty()) return Malformed("Authorization repeats " + std::string(name));
    if (v.empty()) return Malformed("Authorization has an empty " + std::string(name));
    *slot->second = std::string(v);
  }
  for (const auto& [name, field] : slots) {
    if (field->empty()) return Malformed("Authorization lacks " + std::string(name));
  }
  return a;
}

Status CheckSignature(const Authorization& a, std::string_view method, std::string_view target,
                      std::string_view body, EVP_PKEY* key, std::string_view merchant_serial,
                      std::int64_t now_s) {
  ASSIGN_OR_RETURN(std::int64_t ts, internal::ParseUnixSeconds("timestamp", a.timestamp));
  RETURN_IF_ERROR(internal::CheckWindow(ts, now_s, kRequestWindowS));
  if (!SameCertSerial(a.serial_no, merchant_serial)) {
    return Status::Error(codes::kSignatureKeyUnknown,
                         "serial_no " + a.serial_no + " is not the merchant certificate");
  }
  const std::optional<std::string> sig = crypto::Base64Decode(a.signature);
  if (!sig) return Status::Error(codes::kSignatureInvalid, "signature is not base64");
  // The signed timestamp is the header's text: a leading zero would change it.
  std::string message;
  message.append(method).append("\n").append(target).append("\n").append(a.timestamp);
  message.append("\n").append(a.nonce_str).append("\n").append(body).append("\n");
  if (!crypto::VerifySha256Rsa(key, message, *sig)) {
    return Status::Error(codes::kSignatureInvalid, "signature does not verify");
  }
  return OkStatus();
}

struct Route {
  WechatApiCallKind kind;
  std::string_view method;
  std::string_view prefix;  // the path, or the part before the id
  std::string_view suffix;  // after the id; empty
  bool has_id;
};
constexpr std::array<Route, 7> kRoutes{{
    {WechatApiCallKind::kNativeOrder, "POST", "/v3/pay/transactions/native", "", false},
    {WechatApiCallKind::kCloseOrder, "POST", "/v3/pay/transactions/out-trade-no/", "/close", true},
    {WechatApiCallKind::kQueryOrder, "GET", "/v3/pay/transactions/out-trade-no/", "", true},
    {WechatApiCallKind::kRefund, "POST", "/v3/refund/domestic/refunds", "", false},
    {WechatApiCallKind::kQueryRefund, "GET", "/v3/refund/domestic/refunds/", "", true},
    {WechatApiCallKind::kTradeBill, "GET", "/v3/bill/tradebill", "", false},
    {WechatApiCallKind::kCertificates, "GET", "/v3/certificates", "", false},
}};

// Fills kind and id; false when no route matches.
bool MatchRoute(std::string_view method, std::string_view path, WechatApiCall* call) {
  for (const Route& r : kRoutes) {
    if (method != r.method || path.rfind(r.prefix, 0) != 0) continue;
    if (!r.has_id) {
      if (path.size() != r.prefix.size()) continue;
      call->kind = r.kind;
      return true;
    }
    std::string_view id = path.substr(r.prefix.size());
    if (id.size() <= r.suffix.size() || id.substr(id.size() - r.suffix.size()) != r.suffix) {
      continue;
    }
    id.remove_suffix(r.suffix.size());
    if (id.find('/') != std::string_view::npos) continue;
    const std::optional<std::string> decoded = PercentDecode(id, false);
    if (!decoded || decoded->empty()) continue;
    call->kind = r.kind;
    call->id = *decoded;
    return true;
  }
  return false;
}

void Flatten(const bj::value& v, const std::string& name,
             std::vector<std::pair<std::string, std::string>>* out) {
  if (v.is_object()) {
    for (const auto& kv : v.as_object()) {
      Flatten(kv.value(), name.empty() ? std::string(kv.key()) : name + "." + std::string(kv.key()),
              out);
    }
  } else if (v.is_array()) {
    std::size_t index = 0;
    for (const bj::value& item : v.as_array())
      Flatten(item, name + "." + std::to_string(index++), out);
  } else if (v.is_string()) {
    out->emplace_back(name, std::string(v.as_string()));
  } else {
    out->emplace_back(name, bj::serialize(v));
  }
}

Result<WechatApiCall> ReadCall(std::string_view method, std::string_view target,
                               std::string_view body) {
  WechatApiCall call;
  const std::size_t q = target.find('?');
  if (!MatchRoute(method, target.substr(0, q), &call)) {
    return Malformed("no WeChat Pay API call " + std::string(method) + " " + std::string(target));
  }
  if (q != std::string_view::npos) {
    ASSIGN_OR_RETURN(FormPairs query, ParseForm(target.substr(q + 1)));
    call.fields = std::move(query);
  }
  if (method == "GET") {
    if (!body.empty()) return Malformed("a GET with a body");
    return call;
  }
  Result<bj::value> v = json::internal::ParseStrict(body);
  if (!v.ok() || !v->is_object()) return Malformed("the body is not a JSON object");
  Flatten(*v, "", &call.fields);
  return call;
}

}  // namespace

Result<WechatApiCall> ParseWechatApiRequest(
    std::string_view method, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body,
    std::string_view merchant_public_key_pem, std::string_view merchant_serial,
    std::int64_t now_s) {
  ASSIGN_OR_RETURN(crypto::Pkey key, crypto::LoadRsaPublicKey(merchant_public_key_pem));
  const std::string_view auth_header = HeaderOf(headers, "Authorization");
  if (auth_header.empty()) return Malformed("no Authorization header");
  ASSIGN_OR_RETURN(Authorization auth, ParseAuthorization(auth_header));
  RETURN_IF_ERROR(CheckSignature(auth, method, target, body, key.get(), merchant_serial, now_s));
  // After this point the request is the merchant's own.
  ASSIGN_OR_RETURN(WechatApiCall call, ReadCall(method, target, body));
  for (const auto& [name, value] : call.fields) {
    if (name == "mchid" && value != auth.mchid) {
      return Status::Error(codes::kGatewayMerchantMismatch, "mchid is not the signer's");
    }
  }
  call.mchid = std::move(auth.mchid);
  return call;
}

Result<InboundResponse> SignWechatApiResponse(std::string_view platform_private_key_pem,
                                              std::string_view platform_serial, unsigned status,
                                              std::string body, std::int64_t now_s) {
  ASSIGN_OR_RETURN(crypto::Pkey key, crypto::LoadRsaPrivateKey(platform_private_key_pem));
  const std::string timestamp = std::to_string(now_s);
  const std::string nonce = crypto::RandomAlnum(32);
  InboundResponse r;
  r.status = status;
  r.headers = {
      {"wechatpay-timestamp", timestamp},
      {"wechatpay-nonce", nonce},
      {"wechatpay-signature", crypto::Base64Encode(crypto::SignSha256Rsa(
                                  key.get(), WechatSignedMessage(timestamp, nonce, body)))},
      {"wechatpay-serial", std::string(platform_serial)},
      {"wechatpay-signature-type", std::string(kWechatAuthScheme)},
  };
  if (!body.empty()) r.headers.emplace_back("content-type", "application/json; charset=utf-8");
  r.body = std::move(body);
  return r;
}

std::string BuildWechatCertificatesBody(std::string_view apiv3_key,
                                        const std::vector<WechatCertificateEntry>& entries) {
  bj::array data;
  for (const WechatCertificateEntry& e : entries) {
    const std::string nonce = crypto::RandomAlnum(12);
    bj::object item;
    item["serial_no"] = e.serial_no;
    item["effective_time"] = WechatTime(e.effective_s);
    item["expire_time"] = WechatTime(e.expire_s);
    item["encrypt_certificate"] = bj::object{
        {"algorithm", "AEAD_AES_256_GCM"},
        {"nonce", nonce},
        {"associated_data", "certificate"},
        {"ciphertext", crypto::Base64Encode(crypto::AesGcmEncrypt(apiv3_key, nonce, "certificate",
                                                                  e.certificate_pem))},
    };
    data.push_back(std::move(item));
  }
  bj::object body;
  body["data"] = std::move(data);
  return bj::serialize(body);
}

Result<WechatCertificateEntry> SandboxWechatCertificate(const SandboxKeys& keys, std::int64_t now_s,
                                                        std::int64_t valid_s) {
  SelfSignedSpec spec;
  spec.private_key_pem = keys.wechat_platform_private_key_pem;
  spec.serial_hex = keys.wechat_platform_serial;
  spec.not_before_s = now_s - 86400;
  spec.not_after_s = spec.not_before_s + valid_s;
  ASSIGN_OR_RETURN(std::string pem, MakeSelfSignedCert(spec));
  return WechatCertificateEntry{keys.wechat_platform_serial, std::move(pem), spec.not_before_s,
                                spec.not_after_s};
}

}  // namespace folio::gateways
