#include "tests/test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <stdexcept>

#include "events/money.h"

namespace folio::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "folio-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string SampleSettledEnvelope(const std::string& stream, std::uint64_t n) {
  EnvelopeMeta meta;
  meta.stream_id = stream;
  meta.occurred_at_ns = 1'795'000'000'000'000'000 + static_cast<std::int64_t>(n);
  meta.actor = "test";
  meta.correlation_id = "corr-" + std::to_string(n);
  const std::string payment_id = stream;
  const std::string txn = "2026112122001" + std::to_string(n);
  return EncodeEnvelope(meta, fb::Event::PaymentSettled, [&](flatbuffers::FlatBufferBuilder& b) {
    auto amount = Money(Asset::CNY, 10000 + n).ToFb();
    auto fee = Money(Asset::CNY, 60).ToFb();
    return fb::CreatePaymentSettledDirect(b, payment_id.c_str(), txn.c_str(), &amount, &fee, &fee)
        .Union();
  });
}

std::string SampleRawEnvelope(const std::string& stream, std::uint64_t n,
                              const std::string& idempotency_key, const Hash32& fingerprint,
                              const std::string& idempotency_scope) {
  EnvelopeMeta meta;
  meta.stream_id = stream;
  meta.occurred_at_ns = 1'795'000'000'000'000'000 + static_cast<std::int64_t>(n);
  meta.actor = "test";
  meta.correlation_id = "corr-" + std::to_string(n);
  meta.idempotency_key = idempotency_key;
  meta.idempotency_scope = idempotency_scope;
  meta.request_fingerprint = fingerprint;
  const std::string ledger_ref = "payment:" + stream;
  const std::string statement_ref = "2026112122001" + std::to_string(n);
  return EncodeEnvelope(
      meta, fb::Event::ReconciliationItemMatched, [&](flatbuffers::FlatBufferBuilder& b) {
        auto amount = Money(Asset::CNY, 10000 + n).ToFb();
        return fb::CreateReconciliationItemMatchedDirect(
                   b, stream.c_str(), static_cast<std::uint32_t>(n % 100000), ledger_ref.c_str(),
                   statement_ref.c_str(), &amount, "gateway_txn_id")
            .Union();
      });
}

int RunCommand(const std::string& cmd, std::string* out) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) {
    if (out != nullptr) out->append(buf.data(), n);
  }
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace folio::testing
