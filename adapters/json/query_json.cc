#include "adapters/json/query_json.h"

#include <boost/json/array.hpp>

namespace folio::json {

boost::json::object BalanceJson(const projections::BalanceAnswer& b) {
  boost::json::object o;
  o["account"] = b.account;
  o["asset"] = std::string(AssetCode(b.asset));
  o["debits"] = Money(b.asset, b.debits).ToString();
  o["credits"] = Money(b.asset, b.credits).ToString();
  o["balance"] = b.BalanceString();
  o["as_of_seq"] = b.as_of_seq;
  return o;
}

boost::json::object TrialBalanceJson(const std::vector<projections::AssetTrialBalance>& assets,
                                     std::uint64_t as_of_seq) {
  bool balanced = true;
  boost::json::array out;
  for (const auto& a : assets) {
    balanced = balanced && a.balanced();
    boost::json::object o;
    o["asset"] = std::string(AssetCode(a.asset));
    o["debits"] = Money(a.asset, a.debits).ToString();
    o["credits"] = Money(a.asset, a.credits).ToString();
    o["balanced"] = a.balanced();
    boost::json::array accounts;
    for (const auto& b : a.accounts) accounts.push_back(BalanceJson(b));
    o["accounts"] = std::move(accounts);
    out.push_back(std::move(o));
  }
  boost::json::object o;
  o["as_of_seq"] = as_of_seq;
  o["balanced"] = balanced;
  o["assets"] = std::move(out);
  return o;
}

namespace {

// Length of the valid UTF-8 sequence at the start of `s`, 0 if none
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t Utf8SequenceLength(std::string_view s) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < n || b(1) < lo || b(1) > hi) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if (b(i) < 0x80 || b(i) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t n = Utf8SequenceLength(text);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      text.remove_prefix(1);
    } else {
      out.append(text.substr(0, n));
      text.remove_prefix(n);
    }
  }
  return out;
}

}  // namespace folio::json
