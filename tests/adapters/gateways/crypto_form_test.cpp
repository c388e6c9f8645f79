// The building blocks of the gateway schemes: strict base64 and hex, the
// form-urlencoded codec, HMAC-SHA256, SHA256withRSA and AES-256-GCM, checked
// against published vectors (RFC 4648, RFC 4231) and by tampering.
#include <doctest/doctest.h>

#include <string>

#include "adapters/gateways/crypto.h"
#include "adapters/gateways/form.h"
#include "tests/adapters/gateways/gateway_test_support.h"

namespace folio::gateways {
namespace {

using testing::CodeOf;

TEST_CASE("base64: RFC 4648 vectors both ways") {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(crypto::Base64Encode(plain) == encoded);
    REQUIRE(crypto::Base64Decode(encoded).has_value());
    CHECK(*crypto::Base64Decode(encoded) == plain);
  }
  CHECK(crypto::Base64Encode(std::string("\xfb\xff", 2)) == "+/8=");
}

TEST_CASE("base64: malformed input is rejected") {
  for (const char* bad :
       {"Zg", "Zg=", "Zm9v!", "Zm 9v", "Zg==Zm9v", "=Zm9", "Zm9v\n",
        "-_8=", "Zh==" /* non-zero trailing bits */, "Zm9=" /* likewise */, "Z===", "===="}) {
    CAPTURE(bad);
    CHECK_FALSE(crypto::Base64Decode(bad).has_value());
  }
}

TEST_CASE("hex: decode accepts both cases, rejects odd length and non-hex") {
  CHECK(crypto::HexLower("\x01\xab") == "01ab");
  CHECK(crypto::HexDecode("01AB") == std::string("\x01\xab"));
  CHECK_FALSE(crypto::HexDecode("abc").has_value());
  CHECK_FALSE(crypto::HexDecode("zz").has_value());
}

TEST_CASE("HMAC-SHA256: RFC 4231 test case 2") {
  CHECK(crypto::HexLower(crypto::HmacSha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(crypto::ConstantTimeEqual("abc", "abc"));
  CHECK_FALSE(crypto::ConstantTimeEqual("abc", "abd"));
  CHECK_FALSE(crypto::ConstantTimeEqual("abc", "ab"));
}

TEST_CASE("SHA256withRSA: verifies with the right key only, and only the signed bytes") {
  const SandboxKeys& k = testing::Keys();
  auto priv = crypto::LoadRsaPrivateKey(k.alipay_private_key_pem);
  auto pub = crypto::LoadRsaPublicKey(k.alipay_public_key_pem);
  auto other = crypto::LoadRsaPublicKey(k.wechat_platform_public_key_pem);
  REQUIRE(priv.ok());
  REQUIRE(pub.ok());
  REQUIRE(other.ok());
  const std::string sig = crypto::SignSha256Rsa(priv->get(), "message");
  CHECK(sig.size() == 256);
  CHECK(crypto::VerifySha256Rsa(pub->get(), "message", sig));
  CHECK_FALSE(crypto::VerifySha256Rsa(pub->get(), "messagf", sig));
  CHECK_FALSE(crypto::VerifySha256Rsa(other->get(), "message", sig));
  CHECK_FALSE(crypto::VerifySha256Rsa(pub->get(), "message", sig.substr(1)));
}

TEST_CASE("public keys: PEM, bare base64 DER, garbage is a configuration error") {
  const std::string& pem = testing::Keys().alipay_public_key_pem;
  std::string bare;
  for (std::size_t pos = 0; pos < pem.size();) {
    const std::size_t eol = pem.find('\n', pos);
    const std::string line = pem.substr(pos, eol - pos);
    if (line.rfind("-----", 0) != 0) bare += line;
    pos = eol == std::string::npos ? pem.size() : eol + 1;
  }
  CHECK(crypto::LoadRsaPublicKey(bare).ok());
  CHECK(CodeOf(crypto::LoadRsaPublicKey("not a key")) == "gateway_config_invalid");
  CHECK(CodeOf(crypto::LoadRsaPublicKey(
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")) ==
        "gateway_config_invalid");
  CHECK(CodeOf(crypto::LoadRsaPrivateKey(pem)) == "gateway_config_invalid");
}

TEST_CASE("AES-256-GCM: round trip, any change to ciphertext, tag, aad, nonce or key fails") {
  const std::string key(32, 'k'), nonce = "0123456789ab", aad = "transaction";
  const std::string sealed = crypto::AesGcmEncrypt(key, nonce, aad, "{\"a\":1}");
  CHECK(sealed.size() == 7 + crypto::kGcmTagBytes);
  CHECK(crypto::AesGcmDecrypt(key, nonce, aad, sealed) == std::string("{\"a\":1}"));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    CHECK_FALSE(crypto::AesGcmDecrypt(key, nonce, aad, bad).has_value());
  }
  CHECK_FALSE(crypto::AesGcmDecrypt(key, nonce, "refund", sealed).has_value());
  CHECK_FALSE(crypto::AesGcmDecrypt(key, "0123456789ac", aad, sealed).has_value());
  CHECK_FALSE(crypto::AesGcmDecrypt(std::string(32, 'j'), nonce, aad, sealed).has_value());
  CHECK_FALSE(crypto::AesGcmDecrypt(key, nonce, aad, sealed.substr(0, 15)).has_value());
  CHECK_FALSE(crypto::AesGcmDecrypt(std::string(31, 'k'), nonce, aad, sealed).has_value());
}

TEST_CASE("form: decoding of %XX and '+', order kept") {
  auto f = ParseForm("b=a%2Bb+c&a=%E6%88%90%e5%8a%9f&c=");
  REQUIRE(f.ok());
  REQUIRE(f->size() == 3);
  CHECK((*f)[0] == std::pair<std::string, std::string>("b", "a+b c"));
  CHECK((*f)[1].second == "成功");
  CHECK((*f)[2].second.empty());
  CHECK(FormValue(*f, "c") == std::string_view(""));
  CHECK_FALSE(FormValue(*f, "d").has_value());
}

TEST_CASE("form: malformed bodies are rejected with notification_malformed") {
  for (const char* bad : {"", "a=1&", "&a=1", "a=1&&b=2", "a", "a=1&b", "=1", "a=%", "a=%4",
                          "a=%4G", "a=%G4", "a%=1", "a=1&a=2", "a=1&%61=2"}) {
    CAPTURE(bad);
    CHECK(CodeOf(ParseForm(bad)) == "notification_malformed");
  }
  CHECK(CodeOf(ParseForm(std::string(kFormBytesMax + 1, 'a'))) == "notification_malformed");
}

TEST_CASE("form: encode then parse gives the pairs back") {
  const FormPairs pairs{{"fund_bill_list", "[{\"amount\":\"1.00\",\"x\":\"a&b=c\"}]"},
                        {"subject", "支付 测试 100%"},
                        {"k", "~!*'()"}};
  const std::string body = EncodeForm(pairs);
  CHECK(body.find(' ') == std::string::npos);
  auto back = ParseForm(body);
  REQUIRE(back.ok());
  CHECK(*back == pairs);
}

}  // namespace
}  // namespace folio::gateways
