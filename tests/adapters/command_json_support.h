// Helpers shared by the command JSON tests.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <variant>

#include "adapters/json/command_json.h"

namespace folio::json::testing {

// "ok" or the error's code.
inline std::string CodeOf(const Result<ParsedCommand>& r) {
  return r.ok() ? std::string("ok") : std::string(r.status().code());
}

inline ParsedCommand MustParse(std::string_view line) {
  Result<ParsedCommand> r = ParseCommand(line);
  INFO(line);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

template <typename T>
T MustParseAs(std::string_view line) {
  ParsedCommand p = MustParse(line);
  REQUIRE(std::holds_alternative<T>(p.command));
  return std::get<T>(p.command);
}

// A payment.create line with every required field but the amount, currency
// and what follows: Create(R"("amount":"1.00","currency":"CNY")").
inline const std::string kCreateHead =
    R"({"type":"payment.create","idempotency_key":"k1","payment_id":"p1","customer_id":"c1","order_id":"o1","method":"alipay",)";

inline std::string Create(std::string_view amount_and_rest) {
  return kCreateHead + std::string(amount_and_rest) + "}";
}

}  // namespace folio::json::testing
