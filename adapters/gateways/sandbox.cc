#include "adapters/gateways/sandbox.h"

#include <cstdio>
#include <cstdlib>
#include <limits>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/form.h"
#include "engine/domain/civil_time.h"

namespace folio::gateways {
namespace {

// `count` decimal digits derived from `seed` (stable across runs).
std::string DigitsFrom(std::string_view seed, std::size_t count) {
  std::string out;
  std::string block = crypto::Sha256(seed);
  while (out.size() < count) {
    for (char c : block) {
      out += static_cast<char>('0' + static_cast<unsigned char>(c) % 10);
      if (out.size() == count) break;
    }
    block = crypto::Sha256(block);
  }
  return out;
}

std::string HexFrom(std::string_view seed, std::size_t count) {
  std::string hex = crypto::HexLower(crypto::Sha256(seed));
  while (hex.size() < count) hex += crypto::HexLower(crypto::Sha256(hex));
  return hex.substr(0, count);
}

// UnionPay's "MMdd" (settleDate) and "MMddHHmmss" (traceTime): Shanghai wall
// time without the year.
std::string MonthDay(std::int64_t now_s) {
  const domain::ShanghaiWallTime t = domain::ShanghaiWallTimeOf(now_s);
  char buf[16];
  const int n = std::snprintf(buf, sizeof buf, "%02u%02u", t.date.month, t.date.day);
  return std::string(buf, static_cast<std::size_t>(n));
}
std::string MonthDayTime(std::int64_t now_s) {
  const domain::ShanghaiWallTime t = domain::ShanghaiWallTimeOf(now_s);
  char buf[16];
  const int n = std::snprintf(buf, sizeof buf, "%02u%02u%02d%02d%02d", t.date.month, t.date.day,
                              t.hour, t.minute, t.second);
  return std::string(buf, static_cast<std::size_t>(n));
}

crypto::Pkey PrivateKey(const std::string& pem) {
  Result<crypto::Pkey> key = crypto::LoadRsaPrivateKey(pem);
  if (!key.ok()) {  // REQUIRES of every builder: keys from SandboxKeys::Generate
    std::fprintf(stderr, "folio sandbox: %s\n", key.status().ToString().c_str());
    std::abort();
  }
  return std::move(key).value();
}

}  // namespace

SandboxKeys SandboxKeys::Generate() {
  SandboxKeys k;
  crypto::RsaKeyPair alipay = crypto::GenerateRsa2048();
  crypto::RsaKeyPair wechat = crypto::GenerateRsa2048();
  crypto::RsaKeyPair unionpay = crypto::GenerateRsa2048();
  k.alipay_private_key_pem = std::move(alipay.private_pem);
  k.alipay_public_key_pem = std::move(alipay.public_pem);
  k.wechat_platform_private_key_pem = std::move(wechat.private_pem);
  k.wechat_platform_public_key_pem = std::move(wechat.public_pem);
  std::string serial = crypto::HexLower(crypto::Sha256(k.wechat_platform_public_key_pem));
  for (char& c : serial) c = (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
  k.wechat_platform_serial = serial.substr(0, 40);
  k.wechat_apiv3_key = crypto::RandomAlnum(32);
  k.unionpay_private_key_pem = std::move(unionpay.private_pem);
  k.unionpay_public_key_pem = std::move(unionpay.public_pem);
  k.unionpay_cert_id = DigitsFrom(k.unionpay_public_key_pem, 11);
  k.hmac_secret = crypto::RandomAlnum(32);
  return k;
}

AlipayConfig SandboxKeys::alipay_config() const {
  return AlipayConfig{alipay_public_key_pem, alipay_app_id};
}

WechatConfig SandboxKeys::wechat_config() const {
  return WechatConfig{wechat_platform_public_key_pem, wechat_platform_serial, wechat_apiv3_key,
                      wechat_mchid};
}

UnionPayConfig SandboxKeys::unionpay_config() const {
  UnionPayConfig c;
  c.unionpay_public_key_pem = unionpay_public_key_pem;
  c.mer_id = unionpay_mer_id;
  c.cert_id = unionpay_cert_id;
  return c;
}

HmacConfig SandboxKeys::hmac_config() const { return HmacConfig{hmac_secret, 300}; }

std::string SandboxRefundId(Gateway g, std::string_view refund_id) {
  switch (g) {
    case Gateway::kWechatPay:
      return "50000" + DigitsFrom("refund/" + std::string(refund_id), 24);
    case Gateway::kUnionPay:
      return DigitsFrom("unionpay-refund/" + std::string(refund_id), 21);
    default:
      return std::string(refund_id);
  }
}

std::string SandboxTxnId(const SandboxPayment& p) {
  if (!p.gateway_txn_id.empty()) return p.gateway_txn_id;
  const std::string seed = std::string(GatewayName(p.gateway)) + "/" + p.payment_id;
  switch (p.gateway) {
    case Gateway::kAlipay:
      return "2026" + DigitsFrom(seed, 24);
    case Gateway::kWechatPay:
      return "42000" + DigitsFrom(seed, 23);
    case Gateway::kUnionPay:
      return DigitsFrom(seed, 21);
    case Gateway::kChain:
      return "0x" + HexFrom(seed, 64);
    case Gateway::kGeneric:
      return "gen_" + HexFrom(seed, 24);
  }
  return HexFrom(seed, 32);
}

namespace {

// Wallet URIs: BIP 21 for bitcoin (decimal BTC), EIP 681 for ether (wei, the
// asset's minor unit) and for USDT as an ERC-20 transfer (6 decimals on
// Ethereum, the asset's scale).
std::string ChainUri(const SandboxPayment& p, const std::string& seed) {
  const std::string minor = U128ToString(p.amount.minor());
  switch (p.amount.asset()) {
    case Asset::BTC:
      return "bitcoin:bc1q" + HexFrom(seed, 38) + "?amount=" + p.amount.ToString();
    case Asset::USDT:
      return "ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7/transfer?address=0x" +
             HexFrom(seed, 40) + "&uint256=" + minor;
    default:
      return "ethereum:0x" + HexFrom(seed, 40) + "?value=" + minor;
  }
}

}  // namespace

std::string SandboxQrPayload(const SandboxPayment& p) {
  const std::string seed = "qr/" + std::string(GatewayName(p.gateway)) + "/" + p.payment_id;
  switch (p.gateway) {
    case Gateway::kAlipay:
      return "https://qr.alipay.com/bax0" + HexFrom(seed, 20);
    case Gateway::kWechatPay:
      return "weixin://wxpay/bizpayurl?pr=" + HexFrom(seed, 7);
    case Gateway::kUnionPay:
      return "https://qr.95516.com/00010000/" + DigitsFrom(seed, 20);
    case Gateway::kChain:
      return ChainUri(p, seed);
    case Gateway::kGeneric:
      return "https://sandbox.folio.invalid/pay/" + HexFrom(seed, 16);
  }
  return std::string();
}

std::string SignAlipayForm(const SandboxKeys& keys,
                           std::vector<std::pair<std::string, std::string>> params) {
  params.emplace_back("sign_type", "RSA2");
  const crypto::Pkey key = PrivateKey(keys.alipay_private_key_pem);
  params.emplace_back(
      "sign", crypto::Base64Encode(crypto::SignSha256Rsa(key.get(), AlipaySignedMessage(params))));
  return EncodeForm(params);
}

namespace {

FormPairs AlipayBase(const SandboxKeys& keys, const SandboxPayment& p, std::string_view status,
                     std::int64_t now_s) {
  const std::string trade_no = SandboxTxnId(p);
  const std::string amount = p.amount.ToString();
  const std::string created = domain::ShanghaiDateTime(now_s - 60);
  const std::string now = domain::ShanghaiDateTime(now_s);
  FormPairs f{
      {"gmt_create", created},
      {"charset", "utf-8"},
      {"seller_email", "sandbox-merchant@folio.invalid"},
      {"subject", "Folio sandbox payment " + p.payment_id},
      {"buyer_id", "2088102177846875"},
      {"invoice_amount", amount},
      {"notify_id", "2026" + DigitsFrom("notify/" + trade_no + "/" + std::string(status), 30)},
      {"fund_bill_list", "[{\"amount\":\"" + amount + "\",\"fundChannel\":\"ALIPAYACCOUNT\"}]"},
      {"notify_type", "trade_status_sync"},
      {"trade_status", std::string(status)},
      {"receipt_amount", amount},
      {"buyer_pay_amount", amount},
      {"app_id", keys.alipay_app_id},
      {"seller_id", "2088101568358171"},
      {"notify_time", now},
      {"point_amount", "0.00"},
      {"total_amount", amount},
      {"trade_no", trade_no},
      {"auth_app_id", keys.alipay_app_id},
      {"buyer_logon_id", "csq***@sandbox.com"},
      {"out_trade_no", p.payment_id},
      {"version", "1.0"},
  };
  if (status == "TRADE_SUCCESS" || status == "TRADE_FINISHED") {
    f.emplace_back("gmt_payment", now);
  }
  if (status == "TRADE_FINISHED" || status == "TRADE_CLOSED") f.emplace_back("gmt_close", now);
  return f;
}

}  // namespace

OutgoingNotification BuildAlipayNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                       std::string_view trade_status, std::int64_t now_s) {
  return OutgoingNotification{
      std::string(kAlipayNotifyPath),
      {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
      SignAlipayForm(keys, AlipayBase(keys, p, trade_status, now_s))};
}

OutgoingNotification BuildAlipayRefundNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                             std::string_view refund_id, const Money& refund,
                                             bool full, std::int64_t now_s) {
  const std::string_view status = full ? "TRADE_CLOSED" : "TRADE_SUCCESS";
  FormPairs f = AlipayBase(keys, p, status, now_s);
  f.emplace_back("out_biz_no", std::string(refund_id));
  f.emplace_back("refund_fee", refund.ToString());
  f.emplace_back("gmt_refund", domain::ShanghaiDateTime(now_s) + ".000");
  return OutgoingNotification{
      std::string(kAlipayNotifyPath),
      {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
      SignAlipayForm(keys, std::move(f))};
}

namespace bj = boost::json;

std::uint64_t Fen(const Money& m) {
  if (m.minor() > std::numeric_limits<std::uint64_t>::max()) {
    std::fprintf(stderr, "folio sandbox: amount does not fit 64 bits\n");
    std::abort();
  }
  return static_cast<std::uint64_t>(m.minor());
}

OutgoingNotification WechatNotifyFromResource(const SandboxKeys& keys, std::string_view event_type,
                                              std::string_view resource_json, std::int64_t now_s) {
  const bool refund = event_type.rfind("REFUND.", 0) == 0;
  const std::string aad = refund ? "refund" : "transaction";
  const std::string gcm_nonce = crypto::RandomAlnum(12);
  bj::object resource;
  resource["original_type"] = aad;
  resource["algorithm"] = "AEAD_AES_256_GCM";
  resource["ciphertext"] = crypto::Base64Encode(
      crypto::AesGcmEncrypt(keys.wechat_apiv3_key, gcm_nonce, aad, resource_json));
  resource["associated_data"] = aad;
  resource["nonce"] = gcm_nonce;
  bj::object body;
  body["id"] = "EV-" + DigitsFrom(std::string(resource_json), 18);
  body["create_time"] = domain::ShanghaiRfc3339(now_s);
  body["resource_type"] = "encrypt-resource";
  body["event_type"] = event_type;
  body["summary"] = refund ? "退款成功" : "支付成功";
  body["resource"] = std::move(resource);
  return SignWechatBody(keys, bj::serialize(body), now_s);
}

OutgoingNotification SignWechatBody(const SandboxKeys& keys, std::string body, std::int64_t now_s) {
  const std::string timestamp = std::to_string(now_s);
  const std::string nonce = crypto::RandomAlnum(32);
  const crypto::Pkey key = PrivateKey(keys.wechat_platform_private_key_pem);
  const std::string signature = crypto::Base64Encode(
      crypto::SignSha256Rsa(key.get(), WechatSignedMessage(timestamp, nonce, body)));
  return OutgoingNotification{std::string(kWechatNotifyPath),
                              {{"Content-Type", "application/json"},
                               {"Wechatpay-Timestamp", timestamp},
                               {"Wechatpay-Nonce", nonce},
                               {"Wechatpay-Signature", signature},
                               {"Wechatpay-Serial", keys.wechat_platform_serial},
                               {"Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048"}},
                              std::move(body)};
}

OutgoingNotification BuildWechatNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                       std::string_view trade_state, std::int64_t now_s) {
  bj::object amount;
  amount["total"] = Fen(p.amount);
  amount["payer_total"] = Fen(p.amount);
  amount["currency"] = AssetCode(p.amount.asset());
  amount["payer_currency"] = AssetCode(p.amount.asset());
  bj::object r;
  r["mchid"] = keys.wechat_mchid;
  r["appid"] = keys.wechat_appid;
  r["out_trade_no"] = p.payment_id;
  r["transaction_id"] = SandboxTxnId(p);
  r["trade_type"] = "NATIVE";
  r["trade_state"] = trade_state;
  r["trade_state_desc"] = trade_state == "SUCCESS" ? "支付成功" : std::string(trade_state);
  r["bank_type"] = "OTHERS";
  r["attach"] = "";
  r["success_time"] = domain::ShanghaiRfc3339(now_s);
  r["payer"] = bj::object{{"openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}};
  r["amount"] = std::move(amount);
  const std::string event_type =
      trade_state == "SUCCESS" ? "TRANSACTION.SUCCESS" : "TRANSACTION." + std::string(trade_state);
  return WechatNotifyFromResource(keys, event_type, bj::serialize(r), now_s);
}

OutgoingNotification BuildWechatRefundNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                             std::string_view refund_id, const Money& refund,
                                             std::string_view refund_status, std::int64_t now_s) {
  bj::object amount;
  amount["total"] = Fen(p.amount);
  amount["refund"] = Fen(refund);
  amount["payer_total"] = Fen(p.amount);
  amount["payer_refund"] = Fen(refund);
  bj::object r;
  r["mchid"] = keys.wechat_mchid;
  r["out_trade_no"] = p.payment_id;
  r["transaction_id"] = SandboxTxnId(p);
  r["out_refund_no"] = refund_id;
  r["refund_id"] = SandboxRefundId(Gateway::kWechatPay, refund_id);
  r["refund_status"] = refund_status;
  r["success_time"] = domain::ShanghaiRfc3339(now_s);
  r["user_received_account"] = "招商银行信用卡0403";
  r["amount"] = std::move(amount);
  return WechatNotifyFromResource(keys, "REFUND." + std::string(refund_status), bj::serialize(r),
                                  now_s);
}

std::string SignUnionPayForm(const SandboxKeys& keys,
                             std::vector<std::pair<std::string, std::string>> params) {
  params.emplace_back("signMethod", "01");
  if (!keys.unionpay_signing_cert_pem.empty()) {
    params.emplace_back("signPubKeyCert", keys.unionpay_signing_cert_pem);  // signed too
  }
  const crypto::Pkey key = PrivateKey(keys.unionpay_private_key_pem);
  params.emplace_back("signature", crypto::Base64Encode(crypto::SignSha256Rsa(
                                       key.get(), UnionPaySignedDigestHex(params))));
  return EncodeForm(params);
}

namespace {

FormPairs UnionPayBase(const SandboxKeys& keys, std::string_view txn_type,
                       std::string_view order_id, std::string_view query_id, const Money& amount,
                       std::string_view resp_code, std::int64_t now_s) {
  return FormPairs{
      {"accessType", "0"},
      {"bizType", "000201"},
      {"certId", keys.unionpay_cert_id},
      {"currencyCode", "156"},
      {"encoding", "UTF-8"},
      {"merId", keys.unionpay_mer_id},
      {"orderId", std::string(order_id)},
      {"queryId", std::string(query_id)},
      {"respCode", std::string(resp_code)},
      {"respMsg", resp_code == "00" ? "成功[0000000]" : "交易失败[" + std::string(resp_code) + "]"},
      {"settleAmt", U128ToString(amount.minor())},
      {"settleCurrencyCode", "156"},
      {"settleDate", MonthDay(now_s)},
      {"traceNo", DigitsFrom(query_id, 6)},
      {"traceTime", MonthDayTime(now_s)},
      {"txnAmt", U128ToString(amount.minor())},
      {"txnSubType", txn_type == "01" ? "01" : "00"},
      {"txnTime", domain::ShanghaiCompactDateTime(now_s - 30)},
      {"txnType", std::string(txn_type)},
      {"version", "5.1.0"},
  };
}

OutgoingNotification UnionPayRequest(const SandboxKeys& keys, FormPairs params) {
  return OutgoingNotification{
      std::string(kUnionPayNotifyPath),
      {{"Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"}},
      SignUnionPayForm(keys, std::move(params))};
}

}  // namespace

OutgoingNotification BuildUnionPayNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                         std::string_view resp_code, std::int64_t now_s) {
  FormPairs f = UnionPayBase(keys, "01", p.payment_id, SandboxTxnId(p), p.amount, resp_code, now_s);
  f.emplace_back("accNo", "6216261000000000018");
  f.emplace_back("payCardType", "01");
  return UnionPayRequest(keys, std::move(f));
}

OutgoingNotification BuildUnionPayRefundNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                               std::string_view txn_type,
                                               std::string_view refund_id, const Money& refund,
                                               std::string_view resp_code, std::int64_t now_s) {
  const std::string query_id = SandboxRefundId(Gateway::kUnionPay, refund_id);
  FormPairs f = UnionPayBase(keys, txn_type, refund_id, query_id, refund, resp_code, now_s);
  f.emplace_back("origQryId", SandboxTxnId(p));
  return UnionPayRequest(keys, std::move(f));
}

OutgoingNotification SignHmacNotify(const SandboxKeys& keys, std::string_view path,
                                    std::string body, std::int64_t now_s) {
  const std::string timestamp = std::to_string(now_s);
  const std::string nonce = crypto::RandomAlnum(24);
  std::string signature = HmacSignature(keys.hmac_secret, timestamp, nonce, body);
  return OutgoingNotification{std::string(path),
                              {{"Content-Type", "application/json"},
                               {std::string(kHmacTimestampHeader), timestamp},
                               {std::string(kHmacNonceHeader), nonce},
                               {std::string(kHmacSignatureHeader), std::move(signature)}},
                              std::move(body)};
}

OutgoingNotification BuildChainNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                      std::uint32_t confirmations, std::uint64_t block_height,
                                      std::int64_t now_s) {
  const std::string tx_hash = SandboxTxnId(p);
  bj::object body;
  body["id"] = "chain-" + HexFrom(tx_hash + "/" + std::to_string(confirmations), 24);
  body["type"] = "confirmations";
  body["payment_id"] = p.payment_id;
  body["tx_hash"] = tx_hash;
  body["network"] = p.network;
  body["confirmations"] = confirmations;
  body["block_height"] = block_height;
  return SignHmacNotify(keys, kChainNotifyPath, bj::serialize(body), now_s);
}

OutgoingNotification BuildGenericNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                        std::string_view type, std::int64_t now_s) {
  bj::object body;
  body["id"] = "evt_" + HexFrom("generic/" + p.payment_id + "/" + std::string(type), 24);
  body["type"] = type;
  body["payment_id"] = p.payment_id;
  body["gateway_txn_id"] = SandboxTxnId(p);
  body["amount"] = p.amount.ToString();
  body["currency"] = AssetCode(p.amount.asset());
  if (type == "payment.pending") body["qr_payload"] = SandboxQrPayload(p);
  if (type == "payment.failed" || type == "payment.cancelled")
    body["reason"] = "declined by the sandbox";
  return SignHmacNotify(keys, kGenericNotifyPath, bj::serialize(body), now_s);
}

OutgoingNotification BuildChainFailedNotify(const SandboxKeys& keys, const SandboxPayment& p,
                                            std::string_view reason, std::int64_t now_s) {
  const std::string tx_hash = SandboxTxnId(p);
  bj::object body;
  body["id"] = "chain-" + HexFrom(tx_hash + "/failed", 24);
  body["type"] = "failed";
  body["payment_id"] = p.payment_id;
  body["tx_hash"] = tx_hash;
  body["network"] = p.network;
  body["reason"] = reason;
  return SignHmacNotify(keys, kChainNotifyPath, bj::serialize(body), now_s);
}

std::optional<OutgoingNotification> BuildOutcomeNotify(const SandboxKeys& keys,
                                                       const SandboxPayment& p,
                                                       SandboxOutcome outcome, std::int64_t now_s) {
  const int i = static_cast<int>(outcome);  // kPending, kPaid, kFailed
  static constexpr std::string_view kAlipay[] = {"WAIT_BUYER_PAY", "TRADE_SUCCESS", "TRADE_CLOSED"};
  static constexpr std::string_view kWechat[] = {"USERPAYING", "SUCCESS", "PAYERROR"};
  static constexpr std::string_view kGeneric[] = {"payment.pending", "payment.succeeded",
                                                  "payment.failed"};
  switch (p.gateway) {
    case Gateway::kAlipay:
      return BuildAlipayNotify(keys, p, kAlipay[i], now_s);
    case Gateway::kWechatPay:
      return BuildWechatNotify(keys, p, kWechat[i], now_s);
    case Gateway::kUnionPay:
      if (outcome == SandboxOutcome::kPending) return std::nullopt;
      return BuildUnionPayNotify(keys, p, outcome == SandboxOutcome::kPaid ? "00" : "61", now_s);
    case Gateway::kChain:
      if (outcome == SandboxOutcome::kFailed) {
        return BuildChainFailedNotify(keys, p, "transaction reverted", now_s);
      }
      return BuildChainNotify(keys, p,
                              outcome == SandboxOutcome::kPaid ? kSandboxChainConfirmations : 1,
                              19000000, now_s);
    case Gateway::kGeneric:
      return BuildGenericNotify(keys, p, kGeneric[i], now_s);
  }
  return std::nullopt;
}

}  // namespace folio::gateways
