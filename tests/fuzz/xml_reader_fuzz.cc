// The XML reader under camt.053: DOCTYPE, entities, CDATA, comments, depth.
// Property: a document read to its end without error closed every element it
// opened, in order.
#include <sstream>
#include <vector>

#include "adapters/statements/xml_reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace folio;
  std::istringstream in(std::string(fuzz::Bytes(data, size)));
  statements::XmlReader reader(in, 4096, 32);
  statements::XmlEvent ev;
  Status error;
  std::vector<std::string> open;
  static const bool trace = std::getenv("FOLIO_FUZZ_TRACE") != nullptr;
  while (reader.Next(&ev, &error)) {
    if (trace) std::fprintf(stderr, "%d %s depth %zu\n", ev.kind, ev.name.c_str(), open.size());
    if (ev.kind == statements::XmlEvent::kStart) open.push_back(ev.name);
    if (ev.kind == statements::XmlEvent::kEnd) {
      FOLIO_FUZZ_CHECK(!open.empty() && open.back() == ev.name);
      open.pop_back();
    }
    FOLIO_FUZZ_CHECK(open.size() <= 32);
  }
  if (error.ok()) FOLIO_FUZZ_CHECK(open.empty());
  return 0;
}
