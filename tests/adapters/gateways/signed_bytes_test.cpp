// The exact bytes each scheme signs, written out by hand and signed here with
// the raw primitives, so that the parsers are checked against the documented
// messages and not only against the sandbox (which shares their helpers).
#include <doctest/doctest.h>

#include <string>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/gateways.h"
#include "tests/adapters/gateways/gateway_test_support.h"

namespace folio::gateways {
namespace {

using testing::Keys;
using testing::kNow;

std::string RsaSignB64(const std::string& private_pem, const std::string& message) {
  auto key = crypto::LoadRsaPrivateKey(private_pem);
  REQUIRE(key.ok());
  return crypto::Base64Encode(crypto::SignSha256Rsa(key->get(), message));
}

std::string UrlEncodeB64(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '+')
      out += "%2B";
    else if (c == '/')
      out += "%2F";
    else if (c == '=')
      out += "%3D";
    else
      out += c;
  }
  return out;
}

TEST_CASE(
    "signed bytes: Alipay signs the sorted decoded non-empty pairs without sign and sign_type") {
  CHECK(AlipaySignedMessage(
            {{"sign", "x"}, {"sign_type", "RSA2"}, {"b", "2"}, {"a", "1 x"}, {"c", ""}}) ==
        "a=1 x&b=2");
  const std::string app = Keys().alipay_app_id;
  const std::string message =
      "app_id=" + app +
      "&notify_id=n1&notify_type=trade_status_sync&out_trade_no=p1"
      "&subject=a b&total_amount=1.00&trade_no=t1&trade_status=TRADE_SUCCESS";
  const std::string body =
      "trade_status=TRADE_SUCCESS&subject=a+b&out_trade_no=p1&notify_id=n1"
      "&notify_type=trade_status_sync&app_id=" +
      app + "&body=&total_amount=1.00&trade_no=t1&sign_type=RSA2&sign=" +
      UrlEncodeB64(RsaSignB64(Keys().alipay_private_key_pem, message));
  auto n = ParseAlipayNotify(body, Keys().alipay_config());
  INFO(n.status().ToString());
  CHECK(n.ok());
}

TEST_CASE("signed bytes: WeChat Pay signs timestamp\\nnonce\\nbody\\n") {
  // The signature verifies before the body is parsed: a valid signature over
  // a body that is not a notification gets past step 5 to notification_malformed.
  const std::string body = "{\"hello\":1}";
  const std::string ts = std::to_string(kNow), nonce = "abc";
  const WechatHeaders h{
      ts, nonce,
      RsaSignB64(Keys().wechat_platform_private_key_pem, ts + "\n" + nonce + "\n" + body + "\n"),
      Keys().wechat_platform_serial};
  CHECK(ParseWechatNotify(h, body, Keys().wechat_config(), kNow).status().code() ==
        "notification_malformed");
  const WechatHeaders wrong{ts, nonce,
                            RsaSignB64(Keys().wechat_platform_private_key_pem,
                                       ts + "\n" + nonce + "\n" + body),  // no final newline
                            Keys().wechat_platform_serial};
  CHECK(ParseWechatNotify(wrong, body, Keys().wechat_config(), kNow).status().code() ==
        "signature_invalid");
}

TEST_CASE("signed bytes: UnionPay signs the lower-case hex SHA-256 of the sorted pairs") {
  const std::string mer = Keys().unionpay_mer_id, cert = Keys().unionpay_cert_id;
  const std::string sorted =
      "certId=" + cert + "&currencyCode=156&merId=" + mer +
      "&orderId=o1&queryId=q1&respCode=00&signMethod=01&txnAmt=100&txnType=01";
  const std::string hex = crypto::HexLower(crypto::Sha256(sorted));
  const std::string body =
      "txnType=01&respCode=00&orderId=o1&queryId=q1&txnAmt=100&currencyCode=156"
      "&merId=" +
      mer + "&certId=" + cert +
      "&signMethod=01&signature=" + UrlEncodeB64(RsaSignB64(Keys().unionpay_private_key_pem, hex));
  auto n = ParseUnionPayNotify(body, Keys().unionpay_config());
  INFO(n.status().ToString());
  CHECK(n.ok());
  // Signing the sorted string itself (no digest step) is not the ACP scheme.
  const std::string direct =
      "txnType=01&respCode=00&orderId=o1&queryId=q1&txnAmt=100&currencyCode=156"
      "&merId=" +
      mer + "&certId=" + cert + "&signMethod=01&signature=" +
      UrlEncodeB64(RsaSignB64(Keys().unionpay_private_key_pem, sorted));
  CHECK(ParseUnionPayNotify(direct, Keys().unionpay_config()).status().code() ==
        "signature_invalid");
}

TEST_CASE("signed bytes: HMAC over timestamp.nonce.body with the shared secret") {
  const std::string body = R"({"id":"e1","type":"refund.failed","refund_id":"r1","reason":"x"})";
  const std::string ts = std::to_string(kNow);
  NonceCache nonces(10, 300);
  const HmacHeaders h{
      ts, "nonce-1",
      crypto::HexLower(crypto::HmacSha256(Keys().hmac_secret, ts + ".nonce-1." + body))};
  CHECK(ParseGenericNotify(h, body, Keys().hmac_config(), nonces, kNow).ok());
  const HmacHeaders without_nonce{
      ts, "nonce-2", crypto::HexLower(crypto::HmacSha256(Keys().hmac_secret, ts + "." + body))};
  CHECK(
      ParseGenericNotify(without_nonce, body, Keys().hmac_config(), nonces, kNow).status().code() ==
      "signature_invalid");
}

}  // namespace
}  // namespace folio::gateways
