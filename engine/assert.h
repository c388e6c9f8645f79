// FOLIO_ASSERT: an invariant the engine relies on. Unlike assert(), it stays
// on in release builds (TigerBeetle's rule: a ledger that goes on after its
// own invariant broke writes wrong history). It is for conditions no input can
// cause, only a bug or a damaged store: bad input is a Status, never this.
//
//   FOLIO_ASSERT(head.seq == last.seq, "head names the last event");
#pragma once

namespace folio {

[[noreturn]] void AssertFailed(const char* condition, const char* why, const char* file, int line);

}  // namespace folio

#define FOLIO_ASSERT(condition, why)                                \
  do {                                                              \
    if (!(condition)) [[unlikely]] {                                \
      ::folio::AssertFailed(#condition, (why), __FILE__, __LINE__); \
    }                                                               \
  } while (false)
