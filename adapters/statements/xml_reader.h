// A small strict pull reader for the XML subset bank statements use:
// elements, attributes, text, CDATA, comments, the XML declaration and the
// five predefined entities plus numeric character references. A DOCTYPE (and
// with it every custom entity, so no entity expansion attacks) is refused.
// Namespace prefixes are dropped from names ("ns:Ntry" -> "Ntry").
//
// Memory is bounded: one name, one attribute set and one text run (at most
// `text_bytes_max`) at a time, and at most `depth_max` open elements.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <utility>
#include <vector>

#include "events/status.h"

namespace folio::statements {

struct XmlEvent {
  enum Kind { kStart, kEnd, kText, kSkip } kind = kText;   // kSkip: internal
  std::string name;                                        // kStart, kEnd
  std::vector<std::pair<std::string, std::string>> attrs;  // kStart
  std::string text;                                        // kText (entities decoded)
  std::uint32_t line_no = 0;                               // where it began
};

class XmlReader {
 public:
  XmlReader(std::istream& in, std::size_t text_bytes_max, std::size_t depth_max = 64)
      : in_(in), text_max_(text_bytes_max), depth_max_(depth_max) {}
  // false at the end of the document or on error (then *error is set).
  // Text that is only whitespace is skipped.
  bool Next(XmlEvent* ev, Status* error);
  std::uint32_t line_no() const { return line_; }

 private:
  int Get();
  int Peek();
  Status Fail(std::string_view code, std::string_view what) const;
  bool ReadName(std::string* name);
  bool ReadMarkup(XmlEvent* ev, Status* error);
  bool DecodeEntity(std::string* out, Status* error);
  bool SkipUntil(std::string_view terminator, std::string* keep, Status* error);

  std::istream& in_;
  std::size_t text_max_, depth_max_;
  std::uint32_t line_ = 1;
  std::vector<std::string> open_;
  bool root_closed_ = false;
  bool pending_end_ = false;  // a self-closing element's end
  std::string pending_name_;
};

}  // namespace folio::statements
