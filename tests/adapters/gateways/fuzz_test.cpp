// Mutation fuzzing of every parser, with a fixed seed. Two kinds of input:
// mutated wire bytes (must be refused: the signature no longer matches), and
// mutated content signed correctly afterwards (reaches the field parsers; may
// be accepted or refused, but always with a documented code and never a crash).
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>

#include "adapters/gateways/form.h"
#include "adapters/gateways/gateways.h"
#include "tests/adapters/gateways/gateway_test_support.h"

namespace folio::gateways {
namespace {

using testing::Keys;
using testing::kNow;

const std::set<std::string, std::less<>>& DocumentedCodes() {
  static const std::set<std::string, std::less<>> codes{
      "signature_invalid",      "signature_expired",         "signature_key_unknown",
      "notification_replayed",  "notification_malformed",    "notification_undecryptable",
      "gateway_unknown_status", "gateway_merchant_mismatch", "amount_invalid",
      "amount_precision",       "amount_overflow",           "currency_unknown"};
  return codes;
}

std::string Mutate(std::string s, std::mt19937& rng) {
  using namespace std::literals;
  static constexpr std::string_view kAlphabet = "%&=+.-_:/\"{}[],0123456789aAzZ \n\\\x00\xff\xe6"sv;
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    const std::size_t pos = s.empty() ? 0 : rng() % s.size();
    const char c = kAlphabet[rng() % kAlphabet.size()];
    switch (rng() % 4) {
      case 0:
        if (!s.empty()) s[pos] = c;
        break;
      case 1:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), c);
        break;
      case 2:
        if (!s.empty()) s.erase(pos, 1 + rng() % 8);
        break;
      default:
        s.resize(pos);
        break;
    }
  }
  return s;
}

template <typename T>
void CheckOutcome(const Result<T>& r, const std::string& input) {
  if (r.ok()) return;
  INFO(input);
  INFO(r.status().ToString());
  CHECK(DocumentedCodes().count(r.status().code()) == 1);
}

std::string Header(const OutgoingNotification& out, std::string_view name) {
  for (const auto& [k, v] : out.headers) {
    if (k == name) return v;
  }
  return std::string();
}

// The decoded non-empty pairs, sorted: what both form schemes sign.
FormPairs SignedContent(const std::string& body) {
  auto form = ParseForm(body);
  REQUIRE(form.ok());
  FormPairs pairs;
  for (auto& p : *form) {
    if (!p.second.empty()) pairs.push_back(p);
  }
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

TEST_CASE("fuzz: mutated Alipay and UnionPay bodies are refused unless they mean the same") {
  std::mt19937 rng(20261122);
  const SandboxPayment a{Gateway::kAlipay, "pay-a", Money(Asset::CNY, 8888), ""};
  const SandboxPayment u{Gateway::kUnionPay, "payu", Money(Asset::CNY, 8888), ""};
  const std::string alipay = BuildAlipayNotify(Keys(), a, "TRADE_SUCCESS", kNow).body;
  const std::string unionpay = BuildUnionPayNotify(Keys(), u, "00", kNow).body;
  for (int i = 0; i < 400; ++i) {
    const std::string ma = Mutate(alipay, rng), mu = Mutate(unionpay, rng);
    auto ra = ParseAlipayNotify(ma, Keys().alipay_config());
    auto ru = ParseUnionPayNotify(mu, Keys().unionpay_config());
    CheckOutcome(ra, ma);
    CheckOutcome(ru, mu);
    // Accepted only if it still says exactly what was signed (e.g. "%2b" for "%2B").
    if (ra.ok()) CHECK(SignedContent(ma) == SignedContent(alipay));
    if (ru.ok()) CHECK(SignedContent(mu) == SignedContent(unionpay));
  }
}

TEST_CASE("fuzz: correctly signed but mutated Alipay values reach the field checks safely") {
  std::mt19937 rng(7);
  const FormPairs base{{"notify_id", "n1"},
                       {"notify_type", "trade_status_sync"},
                       {"app_id", Keys().alipay_app_id},
                       {"trade_no", "2026"},
                       {"out_trade_no", "pay-1"},
                       {"total_amount", "88.88"},
                       {"trade_status", "TRADE_SUCCESS"},
                       {"out_biz_no", ""},
                       {"refund_fee", "1.00"}};
  for (int i = 0; i < 300; ++i) {
    FormPairs p = base;
    auto& victim = p[rng() % p.size()].second;
    victim = Mutate(victim, rng);
    const std::string body = SignAlipayForm(Keys(), p);
    CheckOutcome(ParseAlipayNotify(body, Keys().alipay_config()), body);
  }
}

TEST_CASE("fuzz: WeChat Pay, mutated wire bytes and mutated signed resources") {
  std::mt19937 rng(99);
  const SandboxPayment w{Gateway::kWechatPay, "pay-w", Money(Asset::CNY, 8888), ""};
  const OutgoingNotification out = BuildWechatNotify(Keys(), w, "SUCCESS", kNow);
  const WechatHeaders h{Header(out, "Wechatpay-Timestamp"), Header(out, "Wechatpay-Nonce"),
                        Header(out, "Wechatpay-Signature"), Header(out, "Wechatpay-Serial")};
  for (int i = 0; i < 200; ++i) {
    const std::string body = Mutate(out.body, rng);
    auto r = ParseWechatNotify(h, body, Keys().wechat_config(), kNow);
    CheckOutcome(r, body);
    if (body != out.body) CHECK_FALSE(r.ok());
  }
  const std::string resource =
      R"({"mchid":")" + Keys().wechat_mchid +
      R"(","out_trade_no":"pay-w","transaction_id":"4200","trade_state":"SUCCESS","amount":{"total":8888,"currency":"CNY"}})";
  for (int i = 0; i < 200; ++i) {
    const std::string plain = Mutate(resource, rng);
    const OutgoingNotification o =
        WechatNotifyFromResource(Keys(), "TRANSACTION.SUCCESS", plain, kNow);
    CheckOutcome(
        ParseWechatNotify({Header(o, "Wechatpay-Timestamp"), Header(o, "Wechatpay-Nonce"),
                           Header(o, "Wechatpay-Signature"), Header(o, "Wechatpay-Serial")},
                          o.body, Keys().wechat_config(), kNow),
        plain);
  }
}

TEST_CASE("fuzz: HMAC bodies, signed after mutation") {
  std::mt19937 rng(3);
  const std::string generic =
      R"({"id":"e1","type":"payment.succeeded","payment_id":"p1","gateway_txn_id":"g1","currency":"CNY","amount":"10.00","fee":"0.06"})";
  const std::string chain =
      R"({"id":"c1","type":"confirmations","payment_id":"p1","tx_hash":"0xab","confirmations":3,"block_height":9})";
  NonceCache nonces(100000, 300);
  for (int i = 0; i < 400; ++i) {
    const bool is_chain = i % 2 == 0;
    const std::string body = Mutate(is_chain ? chain : generic, rng);
    const OutgoingNotification o =
        SignHmacNotify(Keys(), is_chain ? kChainNotifyPath : kGenericNotifyPath, body, kNow);
    const HmacHeaders h{Header(o, "X-Folio-Timestamp"), Header(o, "X-Folio-Nonce"),
                        Header(o, "X-Folio-Signature")};
    if (is_chain) {
      CheckOutcome(ParseChainNotify(h, body, Keys().hmac_config(), nonces, kNow), body);
    } else {
      CheckOutcome(ParseGenericNotify(h, body, Keys().hmac_config(), nonces, kNow), body);
    }
  }
}

}  // namespace
}  // namespace folio::gateways
