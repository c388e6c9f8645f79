// JSON answers of the balance queries, shared by the CLI and the HTTP API so
// that both print the same bytes (docs/projections.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "projections/balances.h"

namespace folio::json {

// {"account","asset","debits","credits","balance","as_of_seq"}
boost::json::object BalanceJson(const projections::BalanceAnswer& b);
// {"as_of_seq","balanced","assets":[{"asset","debits","credits","balanced","accounts":[...]}]}
boost::json::object TrialBalanceJson(const std::vector<projections::AssetTrialBalance>& assets,
                                     std::uint64_t as_of_seq);

}  // namespace folio::json
