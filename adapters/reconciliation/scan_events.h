// Every verified event of a log up to a sequence, in order: the read loop of
// the reports and of the three-way reconciliation (both fold the log).
#pragma once

#include <cstdint>

#include "engine/log_cursor.h"
#include "engine/log_store.h"
#include "events/envelope.h"

namespace folio::reconciliation {

// Calls fn(const fb::Envelope&) for each event with seq <= as_of, read
// through the verified LogCursor; stops with corruption at the first event
// that does not verify or breaks the chain.
template <typename Fn>
Status ScanEvents(const LogStore& store, std::uint64_t as_of, Fn fn) {
  LogCursor cursor(store, 1, kGenesisHash);
  return cursor.Scan(
      [&](EventRecord& e) {
        fn(e.env());
        return true;
      },
      as_of);
}

}  // namespace folio::reconciliation
