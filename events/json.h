// JSON rendering of any event, driven by the embedded binary schema
// (FlatBuffers reflection), so a schema change flows through without edits.
//
// Renderings of the shared structs: Money -> {"amount":"100.00","currency":"CNY"},
// Uuid -> "xxxxxxxx-xxxx-...", Hash32 -> lowercase hex; enums by name; the
// union as "type" plus "event". 64-bit integers are JSON numbers. Absent
// strings, tables, vectors and structs are omitted; scalars always appear.
// Money of an asset outside the registry -> {"minor":"<u128>","asset":<n>};
// enum values without a name -> the number; invalid UTF-8 bytes -> U+FFFD.
// Thread-safe.
#pragma once

#include <string>

#include "events/envelope.h"

namespace folio {

std::string EventToJson(const EventRecord& record);

}  // namespace folio
