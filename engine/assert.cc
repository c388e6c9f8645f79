#include "engine/assert.h"

#include <cstdio>
#include <cstdlib>

namespace folio {

void AssertFailed(const char* condition, const char* why, const char* file, int line) {
  std::fprintf(stderr, "folio: invariant violated at %s:%d: %s (%s)\n", file, line, why, condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace folio
