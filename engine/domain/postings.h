// Double-entry postings of every event, defined here and nowhere else.
// The chart of accounts and each event's postings: docs/postings.md.
//
// PostingsFor is pure: it reads only the envelope (money events carry what
// their postings need), so projections and `folio verify` can run it over
// the log without domain state. Every event's postings balance per asset:
// the sum of debits equals the sum of credits. Events that move no money
// (PaymentCreated, RefundRequested, MethodConfigured, ...) have none.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "events/money.h"
#include "schemas/envelope_generated.h"

namespace folio::domain {

// One line: exactly one of debit and credit is non-zero; both are in `asset`.
struct Posting {
  std::string account;  // "clearing:alipay", "liability:trust:cl1:m1", ...
  Asset asset = Asset::Unknown;
  Money debit;
  Money credit;
};

std::vector<Posting> PostingsFor(const fb::Envelope& env);

// Running balances (debits minus credits, as a signed pair of u128) per
// account and asset, for the invariants tests and `folio verify` check.
struct AccountBalance {
  u128 debit = 0;
  u128 credit = 0;
};
using Ledger = std::map<std::pair<std::string, Asset>, AccountBalance>;
void Post(Ledger& ledger, const std::vector<Posting>& postings);

}  // namespace folio::domain
