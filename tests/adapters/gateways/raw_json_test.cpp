// The raw member scanner must agree with the strict JSON parser: Alipay's
// signature is checked over the bytes the scanner finds, the fields are read
// from what the parser builds, so a document on which the two disagree would
// let signed bytes vouch for unsigned content. Mutation with a fixed seed.
#include "adapters/gateways/raw_json.h"

#include <doctest/doctest.h>

#include <boost/json/value.hpp>

#include <random>
#include <string>

#include "adapters/json/json_fields.h"

namespace folio::gateways {
namespace {

std::string Mutate(std::string s, std::mt19937& rng) {
  using namespace std::literals;
  static constexpr std::string_view kAlphabet = "{}[]\":,\\ \tu0aAe-+.kxtrn\x01\xff"sv;
  const int edits = 1 + static_cast<int>(rng() % 3);
  for (int e = 0; e < edits; ++e) {
    const std::size_t pos = s.empty() ? 0 : rng() % s.size();
    const char c = kAlphabet[rng() % kAlphabet.size()];
    switch (rng() % 3) {
      case 0:
        if (!s.empty()) s[pos] = c;
        break;
      case 1:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), c);
        break;
      default:
        if (!s.empty()) s.erase(pos, 1 + rng() % 4);
        break;
    }
  }
  return s;
}

TEST_CASE("raw json: the scanner agrees with the strict parser on mutated documents") {
  const std::string base =
      R"({"k":{"code":"10000","s":"a\"}{\\","n":[1,-2.5e3,true,null,{"k":"inner"}],"u":"\u00e9"},)"
      R"( "sign" : "abc=" , "x" : [ ] })";
  std::mt19937 rng(20261122);
  int parsed_with_key = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string doc = Mutate(base, rng);
    const std::optional<std::string_view> raw = RawJsonMember(doc, "k");
    Result<boost::json::value> v = json::internal::ParseStrict(doc);
    if (!v.ok() || !v->is_object()) continue;
    const boost::json::value* member = v->as_object().if_contains("k");
    INFO(doc);
    if (member == nullptr) {
      // The scanner may only find what the parser sees.
      CHECK_FALSE(raw.has_value());
      continue;
    }
    if (!raw) continue;  // e.g. the key spelled with an escape: refused, never misread
    ++parsed_with_key;
    // The found bytes lie inside the document and parse to the parser's value.
    CHECK(raw->data() >= doc.data());
    CHECK(raw->data() + raw->size() <= doc.data() + doc.size());
    Result<boost::json::value> alone = json::internal::ParseStrict(*raw);
    REQUIRE(alone.ok());
    CHECK(*alone == *member);
  }
  // The mutations kept enough documents valid to mean something.
  CHECK(parsed_with_key > 1000);
}

}  // namespace
}  // namespace folio::gateways
