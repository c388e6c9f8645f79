// Envelope decoding: the bytes of an event as read from the log or Kafka.
// Input: byte 0 chooses raw bytes (even) or a valid synthetic envelope
// patched by the rest of the input (odd: pairs of position, value), which
// reaches the checks after the FlatBuffers verifier.
// Property: an envelope that verifies renders as valid JSON.
#include <boost/json/parse.hpp>

#include "events/envelope.h"
#include "events/json.h"
#include "events/synthetic.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace folio;
  if (size == 0) return 0;
  std::string bytes;
  if ((data[0] & 1) == 0) {
    bytes.assign(fuzz::Bytes(data + 1, size - 1));
  } else {
    SyntheticEventOptions opts;
    opts.id_prefix = "f";
    opts.idempotency_key = "k";
    bytes = SyntheticPaymentEvent(data[0] >> 1, opts);
    Hash32 prev{};
    StampEnvelope(bytes, 1, 1, 1, prev);
    for (std::size_t i = 1; i + 2 < size; i += 3) {
      const std::size_t pos = (std::size_t{data[i]} << 8 | data[i + 1]) % bytes.size();
      bytes[pos] = static_cast<char>(data[i + 2]);
    }
  }
  if (VerifyEnvelope(bytes).ok()) {
    auto rec = EventRecord::Decode(bytes);
    FOLIO_FUZZ_CHECK(rec.ok());
    boost::system::error_code ec;
    (void)boost::json::parse(EventToJson(*rec), ec);
    FOLIO_FUZZ_CHECK(!ec);
  }
  return 0;
}
