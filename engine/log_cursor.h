// LogCursor: the one way to read the log's events in order.
//
// Every reader (projector, replay, relay, reconciliation, reports, verify,
// inspect, the HTTP event feed, the derived state's tail) reads through it,
// and no other code iterates the events column family (a test holds that:
// tests/engine/log_cursor_sources_test.cpp). For each event it checks:
//
//   - the key is the next seq (no gap, no reordering) and the envelope's seq
//     equals it;
//   - the envelope decodes (EventRecord::Decode: verifier and envelope rules);
//   - prev_hash equals the hash of the event before it, carried across calls
//     (the chain is not restarted by a new page);
//   - the event's own hash is its bytes' hash (CursorOptions::check_hashes).
//
// The first event that fails stops the cursor: it returns `corruption`, and
// fault() names the seq and the reason, as `folio verify` prints them. A
// stopped cursor stays stopped.
//
// Each call reads a consistent prefix of the log as of that call; the next
// call sees events appended since. Not thread-safe: one cursor per reader.
//
//   LogCursor c(store, ckpt.seq + 1, ckpt.hash);   // resume after a checkpoint
//   RETURN_IF_ERROR(c.Scan([&](EventRecord& e) { Apply(e); return true; }));
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "events/envelope.h"
#include "events/hash.h"
#include "events/status.h"

namespace folio {

class LogStore;

struct CursorOptions {
  // Recompute each event's hash from its bytes. Off only for a caller whose
  // range was verified already in this process (a rebuild right after
  // `folio verify`); the chain links (prev_hash against the previous hash
  // field) are checked either way. Never off for an audit command.
  // Default: true.
  bool check_hashes = true;
  // Keep the blocks read in RocksDB's block cache. A scan of the whole log
  // would push out what the writer and the point reads need. Default: false.
  bool fill_cache = false;
  // Bytes read ahead by the iterator. Default: 2 MiB.
  std::size_t readahead_bytes = 2u << 20;
};

// Where a cursor found the log broken.
struct CursorFault {
  std::uint64_t seq = 0;
  std::string reason;
};

class LogCursor {
 public:
  static constexpr std::uint64_t kNoEnd = std::numeric_limits<std::uint64_t>::max();

  // Reads from `from_seq` (>= 1) on; `prev_hash` is the hash of event
  // from_seq - 1 (kGenesisHash when from_seq is 1), as a checkpoint or an
  // earlier cursor knows it.
  LogCursor(const LogStore& store, std::uint64_t from_seq, const Hash32& prev_hash,
            CursorOptions opts = {});

  // Reads from `from_seq` on, learning the hash of event from_seq - 1 from
  // the log: that event is read (a point read) and its own hash checked
  // (when opts.check_hashes).
  // `not_found` when from_seq - 1 is past the end of the log.
  static Result<LogCursor> At(const LogStore& store, std::uint64_t from_seq,
                              CursorOptions opts = {});

  // Calls fn for each event in order, from next_seq(), until fn returns false
  // (that event counts as read), the log ends, or `to_seq` was read. fn may
  // move the record out. Returns `corruption` at a broken event (fault()), or
  // the store's error.
  Status Scan(const std::function<bool(EventRecord&)>& fn, std::uint64_t to_seq = kNoEnd);

  // Up to `limit` events from next_seq() (fewer at the end of the log).
  Result<std::vector<EventRecord>> Next(std::size_t limit);

  // The seq the next call starts at.
  std::uint64_t next_seq() const { return next_seq_; }
  // The hash of event next_seq() - 1.
  const Hash32& prev_hash() const { return prev_hash_; }
  // Set once the cursor met a broken event.
  const std::optional<CursorFault>& fault() const { return fault_; }

 private:
  // Checks one stored event; sets fault_ and returns false when it is bad.
  bool Accept(std::string_view key, std::string_view value, std::optional<EventRecord>* out);
  Status Faulted() const;

  const LogStore* store_;
  CursorOptions opts_;
  std::uint64_t next_seq_;
  Hash32 prev_hash_;
  std::optional<CursorFault> fault_;
};

// The seq of the last event stored (0 for an empty log), whatever the head
// record says: the writer checks the two agree before it appends.
Result<std::uint64_t> LastEventSeq(const LogStore& store);

// Visits the raw bytes of every event from `from_seq` on, neither decoded
// nor checked, until fn returns false. Only for the raw-RocksDB baselines of
// the benchmarks (bench/), which measure what reading costs without Folio's
// checks; every reader of the log uses LogCursor.
Status ScanUnverifiedForBaseline(
    const LogStore& store, std::uint64_t from_seq,
    const std::function<bool(std::string_view key, std::string_view value)>& fn);

}  // namespace folio
