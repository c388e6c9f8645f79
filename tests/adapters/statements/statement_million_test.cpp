// A million-line bill parsed in bounded memory: the bill is generated on
// the fly by a streambuf (never held whole), and resident memory is sampled
// while the parser streams through it.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <streambuf>

#include "adapters/statements/bill_writer.h"
#include "adapters/statements/statement.h"
#include "adapters/statements/text.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FOLIO_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FOLIO_TEST_ASAN 1
#endif

namespace folio::statements {
namespace {

// ASan keeps freed blocks in a quarantine (256 MB by default) and adds its
// shadow memory, so resident size says nothing about the parser there; the
// bound is checked in every other build.
#ifdef FOLIO_TEST_ASAN
constexpr bool kRssMeaningful = false;
#else
constexpr bool kRssMeaningful = true;
#endif

long RssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// Streams a bill of `rows` generated rows.
class GeneratedBill : public std::streambuf {
 public:
  GeneratedBill(Source s, std::uint64_t rows) : rows_(rows), writer_(s, chunk_, Meta()) {
    writer_.Begin();
    Refill();
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (!Refill()) return traits_type::eof();
    return traits_type::to_int_type(*gptr());
  }

 private:
  static BillMeta Meta() {
    BillMeta m;
    m.period_start_ns = *ShanghaiMidnight(2026, 11, 1, 0);
    m.period_end_ns = m.period_start_ns + kNsPerDay;
    return m;
  }
  bool Refill() {
    if (done_) return false;
    for (int i = 0; i < 256 && next_ < rows_; ++i, ++next_) {
      Line l;
      l.reference = "420000" + std::to_string(1'000'000'000 + next_);
      l.order_ref = "ORD-" + std::to_string(next_);
      l.amount = Money(Asset::CNY, 1000 + next_ % 100'000);
      l.fee = Money(Asset::CNY, 6);
      l.booked_at_ns =
          Meta().period_start_ns + static_cast<std::int64_t>(next_ % 86'400) * 1'000'000'000;
      writer_.Row(l);
    }
    if (next_ == rows_) {
      writer_.End();
      done_ = true;
    }
    buf_ = chunk_.str();
    chunk_.str({});
    setg(buf_.data(), buf_.data(), buf_.data() + buf_.size());
    return !buf_.empty();
  }
  std::uint64_t rows_, next_ = 0;
  bool done_ = false;
  std::ostringstream chunk_;
  BillWriter writer_;
  std::string buf_;
};

}  // namespace

TEST_CASE("wechatpay: a 1,000,000-line bill streams through in bounded memory") {
  constexpr std::uint64_t kRows = 1'000'000;
  GeneratedBill gen(Source::kWechatPay, kRows);
  std::istream in(&gen);
  const long before = RssKb();
  long peak = before;
  std::uint64_t seen = 0;
  u128 total = 0;
  auto r = ParseStatement(Source::kWechatPay, in, [&](const Line& l) {
    ++seen;
    total += l.amount.minor();
    if (seen % 50'000 == 0) peak = std::max(peak, RssKb());
    return OkStatus();
  });
  REQUIRE(r.ok());
  CHECK(r->lines == kRows);
  CHECK(seen == kRows);
  CHECK(total > 0);
  MESSAGE("rss growth while parsing: " << (peak - before) << " KiB");
  if (kRssMeaningful) {
    CHECK(peak - before < 32 * 1024);
  } else {
    MESSAGE("an ASan build: resident size is not the parser's, the bound is not checked");
  }
}

}  // namespace folio::statements
