// The deep check of `folio verify --deep`: the derived state in the store's
// checkpoint equals a rebuild from the log.
//
// The events 1..applied_seq (the checkpoint's marker) are derived again, into
// a scratch store, by the same Deriver and Apply the writer and tail replay
// use, and written by the same checkpoint code; then the streams, idempotency
// and state families of both are compared key by key, byte for byte. The
// events after the checkpoint were derived into memory when the store was
// opened, by that same code.
//
// A log written before the checkpoint existed (events 1..legacy_through_seq)
// holds idempotency records its envelopes cannot rebuild (they carry no
// fingerprint): those records are counted, not compared.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/log_store.h"

namespace folio {

struct DerivedReport {
  bool ok = true;
  std::uint64_t applied_seq = 0;       // the checkpoint compared
  std::uint64_t memory_events = 0;     // derived at open, after the checkpoint
  std::uint64_t records_compared = 0;  // keys compared in the three families
  std::uint64_t legacy_records = 0;    // idempotency records not rebuildable
  std::uint64_t legacy_unapplied = 0;  // legacy events the domain does not apply
  std::string family;                  // set when !ok: where the first difference is
  std::string key_hex;                 // ...its key
  std::string reason;                  // ...and what differs
};

// `scratch_dir` must not exist or be empty; it is removed afterwards.
// `progress` is called with the count of events derived so far.
// Fails (non-OK) only when a store cannot be read or written; a difference
// is ok == false in the report.
Result<DerivedReport> VerifyDerived(const LogStore& store, const std::string& scratch_dir,
                                    const std::function<void(std::uint64_t)>& progress = nullptr);

}  // namespace folio
