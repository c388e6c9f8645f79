#include "adapters/statements/mt940_info.h"

#include "adapters/statements/text.h"

namespace folio::statements {
namespace {

constexpr std::size_t kInfoBytesMax = 4096;

// The value of SEPA keyword `key` ("EREF+") in `text`, up to the next keyword.
std::string SepaValue(const std::string& text, std::string_view key) {
  static constexpr std::string_view kKeys[] = {"EREF+", "KREF+", "MREF+", "CRED+", "DEBT+",
                                               "SVWZ+", "ABWA+", "ABWE+", "COAM+", "OAMT+",
                                               "BREF+", "RREF+", "PURP+", "IBAN+", "BIC+"};
  const std::size_t at = text.find(key);
  if (at == std::string::npos) return {};
  const std::size_t from = at + key.size();
  std::size_t to = text.size();
  for (std::string_view k : kKeys) {
    const std::size_t n = text.find(k, from);
    if (n != std::string::npos) to = std::min(to, n);
  }
  return std::string(Trim(std::string_view(text).substr(from, to - from)));
}

EntryInfo Gvc(const std::string& joined, char sep) {
  EntryInfo info;
  std::string purpose, booking;
  std::size_t p = joined.find(sep);
  while (p != std::string::npos && p + 2 < joined.size()) {
    const std::size_t next = joined.find(sep, p + 3);
    const std::string code = joined.substr(p + 1, 2);
    const std::string value =
        joined.substr(p + 3, next == std::string::npos ? std::string::npos : next - p - 3);
    if ((code >= "20" && code <= "29") || (code >= "60" && code <= "63")) purpose += value;
    if (code == "00") booking = value;
    p = next;
  }
  info.end_to_end = SepaValue(purpose, "EREF+");
  if (info.end_to_end == "NOTPROVIDED" || info.end_to_end == "NONREF") info.end_to_end.clear();
  for (std::string_view k : {"KREF+", "MREF+"}) {
    if (std::string v = SepaValue(purpose, k); !v.empty() && v != "NONREF") info.refs.push_back(v);
  }
  std::string svwz = SepaValue(purpose, "SVWZ+");
  info.description = !svwz.empty() ? svwz : purpose;
  if (!booking.empty()) info.description = booking + ": " + info.description;
  return info;
}

// "/KEY/value" pairs of the SWIFT form.
std::string SwiftValue(const std::string& text, std::string_view key) {
  static constexpr std::string_view kKeys[] = {
      "/EREF/", "/REMI/", "/ORDP/", "/BENM/", "/NAME/", "/IBAN/", "/BIC/",  "/CSID/",
      "/MARF/", "/TRCD/", "/PREF/", "/RTRN/", "/ADDR/", "/ISDT/", "/ULTC/", "/ULTD/",
      "/PURP/", "/CNTP/", "/IREF/", "/EXCH/", "/OCMT/", "/CHGS/", "/SVCL/", "/BUSP/"};
  const std::size_t at = text.find(key);
  if (at == std::string::npos) return {};
  const std::size_t from = at + key.size();
  std::size_t to = text.size();
  for (std::string_view k : kKeys) {
    const std::size_t n = text.find(k, from);
    if (n != std::string::npos) to = std::min(to, n);
  }
  std::string v(Trim(std::string_view(text).substr(from, to - from)));
  while (!v.empty() && v.back() == '/') v.pop_back();
  return v;
}

}  // namespace

EntryInfo ParseInfo(const std::vector<std::string>& lines) {
  std::string joined, spaced;
  for (const std::string& l : lines) {
    if (joined.size() > kInfoBytesMax) break;
    joined += l;
    spaced += (spaced.empty() ? "" : " ") + std::string(Trim(l));
  }
  const bool gvc = joined.size() > 4 && std::isdigit(static_cast<unsigned char>(joined[0])) &&
                   std::isdigit(static_cast<unsigned char>(joined[1])) &&
                   std::isdigit(static_cast<unsigned char>(joined[2])) &&
                   (joined[3] == '?' || joined[3] == '>');
  if (gvc) return Gvc(joined, joined[3]);
  if (joined.find("/EREF/") != std::string::npos || joined.find("/REMI/") != std::string::npos ||
      joined.find("/TRCD/") != std::string::npos) {
    EntryInfo info;
    info.end_to_end = SwiftValue(joined, "/EREF/");
    if (info.end_to_end == "NOTPROVIDED") info.end_to_end.clear();
    if (std::string v = SwiftValue(joined, "/PREF/"); !v.empty()) info.refs.push_back(v);
    info.description = SwiftValue(joined, "/REMI/");
    if (info.description.empty()) info.description = spaced;
    return info;
  }
  EntryInfo info;
  info.description = spaced;
  return info;
}

void ApplyInfo(const EntryInfo& info, Line* l) {
  if (!info.end_to_end.empty()) {
    if (l->order_ref.empty()) {
      l->order_ref = info.end_to_end;
    } else if (l->order_ref != info.end_to_end) {
      l->other_refs.push_back(info.end_to_end);
    }
    if (l->reference.empty()) l->reference = info.end_to_end;
  }
  for (const std::string& r : info.refs) l->other_refs.push_back(r);
  if (!info.description.empty()) {
    const std::string d = info.description.substr(0, kInfoBytesMax);
    l->description = l->description.empty() ? d : l->description + " | " + d;
  }
}

}  // namespace folio::statements
