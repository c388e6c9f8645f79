#include "adapters/json/query_json.h"

#include <boost/json/array.hpp>

#include "engine/utf8.h"

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

std::string ValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t n = utf8::SequenceLength(text);
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
