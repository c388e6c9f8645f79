// json::ValidUtf8: what keeps an error answer that quotes client bytes valid
// JSON (found by the http_api fuzz target: a route with a 0xB1 byte was
// echoed into a 404 body that no JSON parser accepts).
#include <doctest/doctest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "adapters/json/query_json.h"

namespace folio {
namespace {

TEST_CASE("ValidUtf8 keeps valid UTF-8 and replaces every invalid byte with U+FFFD") {
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(json::ValidUtf8("plain ascii") == "plain ascii");
  CHECK(json::ValidUtf8("支付宝 €") == "支付宝 €");
  CHECK(json::ValidUtf8("\xF0\x9F\x92\xB0") == "\xF0\x9F\x92\xB0");  // U+1F4B0, four bytes
  CHECK(json::ValidUtf8("/v\xB1/payments") == "/v" + fffd + "/payments");
  CHECK(json::ValidUtf8("\xC0\xAF") == fffd + fffd);                        // overlong '/'
  CHECK(json::ValidUtf8("\xED\xA0\x80") == fffd + fffd + fffd);             // a UTF-16 surrogate
  CHECK(json::ValidUtf8("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // above U+10FFFF
  CHECK(json::ValidUtf8("\xE6\x94") == fffd + fffd);                        // truncated at the end
  CHECK(json::ValidUtf8("") == "");
}

TEST_CASE("a string made valid serializes to JSON that parses") {
  std::string hostile;
  for (int b = 0; b < 256; ++b) hostile += static_cast<char>(b);
  boost::json::object o;
  o["message"] = json::ValidUtf8(hostile);
  boost::system::error_code ec;
  (void)boost::json::parse(boost::json::serialize(o), ec);
  CHECK_FALSE(ec);
  // Without it the serializer passes the bytes through and the result is not JSON.
  boost::json::object raw;
  raw["message"] = hostile;
  (void)boost::json::parse(boost::json::serialize(raw), ec);
  CHECK(ec);
}

}  // namespace
}  // namespace folio
