// keys::IsValidId: what a stream id or idempotency key may be. Ids appear in
// JSON (answers, the event feed, Kafka's integration topics), so they must be
// UTF-8 (the http_api fuzz target found a key of raw 0xFF bytes recorded and
// then quoted into an answer no JSON parser accepts).
#include <doctest/doctest.h>

#include "engine/keys.h"

namespace folio {
namespace {

TEST_CASE("IsValidId accepts UTF-8 ids without control bytes and refuses the rest") {
  CHECK(keys::IsValidId("payment:p-1", 200));
  CHECK(keys::IsValidId("支付宝-订单-1", 200));
  CHECK(keys::IsValidId("\xF0\x9F\x92\xB0", 200));  // four bytes, U+1F4B0
  CHECK_FALSE(keys::IsValidId("", 200));
  CHECK_FALSE(keys::IsValidId(std::string(201, 'k'), 200));
  CHECK_FALSE(keys::IsValidId("tab\there", 200));
  CHECK_FALSE(keys::IsValidId("see\xFF\xFF-2", 200));     // not UTF-8 at all
  CHECK_FALSE(keys::IsValidId("\xC0\xAF", 200));          // overlong '/'
  CHECK_FALSE(keys::IsValidId("\xED\xA0\x80", 200));      // a UTF-16 surrogate
  CHECK_FALSE(keys::IsValidId("\xF4\x90\x80\x80", 200));  // past U+10FFFF
  CHECK_FALSE(keys::IsValidId("end\xE6\x94", 200));       // cut inside a character
}

}  // namespace
}  // namespace folio
