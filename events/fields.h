// Reading an event's optional FlatBuffers fields: an absent string is empty,
// an absent amount is zero Money of Asset::Unknown. The one copy of these for
// every reader of events (domain, projections, reconciliation, reports,
// alerts), so that "absent" means the same everywhere.
#pragma once

#include <string_view>

#include "events/money.h"
#include "schemas/envelope_generated.h"

namespace folio {

inline std::string_view Sv(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : s->string_view();
}

inline Money MoneyOf(const fb::Money* m) { return m == nullptr ? Money() : Money::FromFb(*m); }

}  // namespace folio
