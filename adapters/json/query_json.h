// JSON answers of the balance queries, shared by the CLI and the HTTP API so
// that both print the same bytes (docs/projections.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "projections/balances.h"

namespace folio::json {

// {"account","asset","debits","credits","balance","as_of_seq"}
boost::json::object BalanceJson(const projections::BalanceAnswer& b);
// {"as_of_seq","balanced","assets":[{"asset","debits","credits","balanced","accounts":[...]}]}
boost::json::object TrialBalanceJson(const std::vector<projections::AssetTrialBalance>& assets,
                                     std::uint64_t as_of_seq);

// `text` with every byte that does not belong to a valid UTF-8 sequence
// replaced by U+FFFD, so that an answer echoing client bytes (a route, a
// field) stays valid JSON: Boost.JSON serializes strings without checking.
std::string ValidUtf8(std::string_view text);

}  // namespace folio::json
