#include "projections/registry.h"

#include "projections/balances.h"
#include "projections/reconciliation.h"
#include "projections/stats.h"
#include "projections/trust_ledger.h"

namespace folio::projections {

std::vector<std::unique_ptr<Projection>> AllProjections() {
  std::vector<std::unique_ptr<Projection>> out;
  out.push_back(std::make_unique<BalancesProjection>());
  out.push_back(std::make_unique<TrustLedgerProjection>());
  out.push_back(std::make_unique<StatsProjection>());
  out.push_back(std::make_unique<ReconciliationProjection>());
  return out;
}

}  // namespace folio::projections
