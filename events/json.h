// JSON rendering of any event, driven by the embedded binary schema
// (FlatBuffers reflection), so a schema change flows through without edits.
//
// Renderings of the shared structs: Money -> {"amount":"100.00","currency":"CNY"},
// Uuid -> "xxxxxxxx-xxxx-...", Hash32 -> lowercase hex; enums by name; the
// union as "type" plus "event". 64-bit integers are JSON numbers. Thread-safe.
#pragma once

#include <string>

#include "events/envelope.h"

namespace folio {

std::string EventToJson(const EventRecord& record);

}  // namespace folio
