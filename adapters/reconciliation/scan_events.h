// Every verified event of a log up to a sequence, in order: the read loop of
// the reports and of the three-way reconciliation (both fold the log).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/keys.h"
#include "engine/log_store.h"
#include "events/codes.h"
#include "events/envelope.h"

namespace folio::reconciliation {

// Calls fn(const fb::Envelope&) for each event with seq <= as_of; stops with
// corruption at the first envelope that does not verify.
template <typename Fn>
Status ScanEvents(const LogStore& store, std::uint64_t as_of, Fn fn) {
  std::string buf;
  Status bad;
  Status s = store.ScanRaw(1, [&](std::string_view key, std::string_view value) {
    auto seq = keys::ParseEventKey(key);
    if (!seq || *seq > as_of) return false;
    buf.assign(value);
    if (Status v = VerifyEnvelope(buf); !v.ok()) {
      bad =
          Status::Error(codes::kCorruption, "event " + std::to_string(*seq) + ": " + v.ToString());
      return false;
    }
    fn(*fb::GetEnvelope(buf.data()));
    return true;
  });
  RETURN_IF_ERROR(s);
  return bad;
}

}  // namespace folio::reconciliation
