#include "engine/domain/internal.h"

#include "engine/domain/codec.h"
#include "engine/domain/methods.h"

namespace folio::domain {

void Out::Emit(std::string stream_id, fb::Event type, const PayloadBuilder& build) {
  EnvelopeMeta meta;
  meta.stream_id = std::move(stream_id);
  meta.occurred_at_ns = ctx_.now_ns;
  meta.actor = ctx_.actor;
  meta.correlation_id = ctx_.correlation_id;
  meta.idempotency_key = ctx_.idempotency_key;
  meta.idempotency_scope = ctx_.idempotency_scope;
  meta.request_fingerprint = ctx_.request_fingerprint;
  events_.push_back(EncodeEnvelope(meta, type, build));
}

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char ch : id) {
    if (ch == '/' || ch == ':' || static_cast<unsigned char>(ch) < 0x20) return false;
  }
  return true;
}

bool ValidAmount(const Money& m) { return !AssetCode(m.asset()).empty() && !m.is_zero(); }

std::string PaymentStream(std::string_view id) { return "payment:" + std::string(id); }
std::string CreditStream(std::string_view id) { return "credit:" + std::string(id); }
std::string MethodStream(fb::Method method) { return "method:" + std::string(MethodName(method)); }
std::string CustomerStream(std::string_view id) { return "customer:" + std::string(id); }
std::string TrustStream(std::string_view client, std::string_view matter) {
  return "trust:" + std::string(client) + ":" + std::string(matter);
}

Money MustAdd(const Money& a, const Money& b) {
  // A zero Money of Unknown asset is the "nothing yet" value of state fields.
  if (a.asset() == Asset::Unknown && a.is_zero()) return b;
  Result<Money> r = a.Add(b);
  DomainCheck(r.ok(), "apply: money addition failed");
  return *r;
}

Money MustSub(const Money& a, const Money& b) {
  if (b.is_zero()) return a;
  Result<Money> r = a.Sub(b);
  DomainCheck(r.ok(), "apply: money subtraction failed");
  return *r;
}

}  // namespace folio::domain
