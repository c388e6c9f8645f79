#include "events/status.h"

#include <mutex>
#include <set>

namespace folio {

std::string_view InternCode(std::string_view code) {
  static std::mutex mu;
  static std::set<std::string, std::less<>> interned;
  std::lock_guard<std::mutex> lock(mu);
  auto it = interned.find(code);
  if (it == interned.end()) it = interned.emplace(code).first;
  return *it;
}

}  // namespace folio
