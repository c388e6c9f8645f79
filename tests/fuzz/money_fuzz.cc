// Money and statement amounts: every decimal that enters the ledger.
// Input: byte 0 picks the asset / currency, the rest is the decimal text.
// Properties: Money::Parse(ToString()) gives back the same Money; a statement
// Amount is never larger than its text's digit limit allows, never has more
// fraction digits than asked, and prints back to an equal value.
#include "adapters/statements/amount.h"
#include "adapters/statements/currency.h"
#include "events/money.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace folio;
  if (size == 0) return 0;
  static const char* const kCodes[] = {"CNY", "USD", "JPY", "BHD", "USDT", "BTC",
                                       "ETH", "CLF", "KWD", "EUR", "XXX",  "cny"};
  const char* code = kCodes[data[0] % (sizeof(kCodes) / sizeof(kCodes[0]))];
  std::string_view text = fuzz::Bytes(data + 1, size - 1);

  auto money = Money::Parse(text, code);
  if (money.ok()) {
    auto back = Money::Parse(money->ToString(), money->asset());
    FOLIO_FUZZ_CHECK(back.ok() && *back == *money);
  }
  auto currency = statements::FindCurrency(code);
  if (currency) {
    const std::size_t fraction_max = data[0] >> 4;
    auto amount = statements::Amount::Parse(text, *currency, fraction_max);
    if (amount.ok()) {
      // The whole part never has more digits than the text may hold.
      auto pow10 = [](std::size_t n) {
        u128 v = 1;
        for (std::size_t i = 0; i < n; ++i) v *= 10;
        return v;
      };
      static const u128 kLimit = pow10(statements::kAmountTextDigitsMax);
      FOLIO_FUZZ_CHECK(amount->units() / pow10(amount->scale()) < kLimit);
      FOLIO_FUZZ_CHECK(amount->scale() <=
                       std::max<std::size_t>(fraction_max, amount->minor_units()));
      // Printing pads to the currency's minor units, which may take the text
      // past the digit limit ("4010...567" BTC prints 8 more digits): compare
      // those by value only.
      const std::string printed = amount->ToString();
      if (printed.size() <= statements::kAmountTextDigitsMax) {
        auto back = statements::Amount::Parse(printed, *currency, amount->scale());
        FOLIO_FUZZ_CHECK(back.ok() && *back == *amount);
      }
    }
  }
  return 0;
}
