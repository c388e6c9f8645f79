// The information field :86: of an MT940 entry, read for matching: its
// structured sub-fields when the bank uses them, else its text.
//
//   GVC form (German and Polish banks): "166?00GUTSCHRIFT?20EREF+...?21...?30BIC
//     ?31IBAN?32name" (">" instead of "?" at some banks); ?20..?29 and ?60..?63
//     are the purpose, in which SEPA keywords (EREF+ KREF+ MREF+ SVWZ+ ...)
//     carry the end-to-end, customer and mandate references;
//   SWIFT form (Dutch banks): "/EREF/ref/REMI/text/PREF/ref/...";
//   otherwise free text, its lines joined with spaces.
// The field's lines break anywhere (even inside a sub-field), so structured
// forms are joined without separators before they are split.
#pragma once

#include <string>
#include <vector>

#include "adapters/statements/statement.h"

namespace folio::statements {

struct EntryInfo {
  std::string description;        // purpose (SVWZ / REMI) or the whole text
  std::string end_to_end;         // EREF
  std::vector<std::string> refs;  // KREF, MREF, PREF, ...: more to match on
};

EntryInfo ParseInfo(const std::vector<std::string>& lines);

// Puts what :86: says into the entry: its end-to-end reference becomes the
// order reference when :61: had none, the others join `other_refs`, and the
// purpose becomes the description (after :61:'s supplementary details).
void ApplyInfo(const EntryInfo& info, Line* l);

}  // namespace folio::statements
