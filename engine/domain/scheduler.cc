#include "engine/domain/scheduler.h"

#include "engine/domain/codec.h"
#include "engine/domain/internal.h"
#include "engine/domain/rejections.h"

namespace folio::domain {
namespace {

constexpr std::string_view kPrefix = "sched/";
constexpr std::size_t kTimeBytes = 8;

void EmitDue(StateStore& s, Out& out, const ScheduleEntry& e) {
  const auto p = LoadAs<PaymentState>(s, PaymentKey(e.id));
  if (!p || p->status != PaymentStatus::kScheduled) return;
  out.Emit(PaymentStream(e.id), fb::Event::PaymentBecameDue,
           [&](auto& b) { return fb::CreatePaymentBecameDueDirect(b, e.id.c_str()).Union(); });
}

void EmitPaymentExpired(StateStore& s, Out& out, const ScheduleEntry& e) {
  const auto p = LoadAs<PaymentState>(s, PaymentKey(e.id));
  if (!p || p->status > PaymentStatus::kPending) return;  // paid, confirming or closed
  out.Emit(PaymentStream(e.id), fb::Event::PaymentExpired,
           [&](auto& b) { return fb::CreatePaymentExpiredDirect(b, e.id.c_str()).Union(); });
}

void EmitCreditExpired(StateStore& s, Out& out, const ScheduleEntry& e) {
  const auto c = LoadAs<CreditState>(s, CreditKey(e.id));
  if (!c || c->status != CreditStatus::kActive || c->remaining.is_zero()) return;
  out.Emit(CreditStream(e.id), fb::Event::CreditExpired, [&](auto& b) {
    const fb::Money amount = c->remaining.ToFb();
    return fb::CreateCreditExpiredDirect(b, e.id.c_str(), c->customer_id.c_str(), &amount).Union();
  });
}

}  // namespace

std::string ScheduleKey(std::int64_t at_ns, ScheduleKind kind, std::string_view id) {
  DomainCheck(at_ns >= 0, "schedule time before 1970");
  std::string key(kPrefix);
  key += BigEndian64(static_cast<std::uint64_t>(at_ns));
  key.push_back(static_cast<char>(kind));
  key.append(id);
  return key;
}

void Schedule(StateStore& state, std::int64_t at_ns, ScheduleKind kind, std::string_view id) {
  state.Store(ScheduleKey(at_ns, kind, id), std::string());
}

void Unschedule(StateStore& state, std::int64_t at_ns, ScheduleKind kind, std::string_view id) {
  state.Erase(ScheduleKey(at_ns, kind, id));
}

std::vector<ScheduleEntry> DueAt(StateStore& state, std::int64_t up_to_ns, std::size_t limit) {
  std::vector<ScheduleEntry> out;
  if (up_to_ns < 0) return out;
  const std::string from(kPrefix);
  // Every key of time <= up_to_ns sorts below the prefix of time up_to_ns + 1.
  std::string to(kPrefix);
  to += BigEndian64(static_cast<std::uint64_t>(up_to_ns) + 1);
  for (auto& [key, value] : state.Scan(from, to, limit)) {
    DomainCheck(key.size() > kPrefix.size() + kTimeBytes, "bad schedule key");
    std::uint64_t at = 0;
    for (std::size_t i = 0; i < kTimeBytes; ++i) {
      at = (at << 8) | static_cast<std::uint8_t>(key[kPrefix.size() + i]);
    }
    const std::size_t kind_at = kPrefix.size() + kTimeBytes;
    out.push_back(ScheduleEntry{static_cast<std::int64_t>(at),
                                static_cast<ScheduleKind>(static_cast<std::uint8_t>(key[kind_at])),
                                key.substr(kind_at + 1)});
  }
  return out;
}

Decision DecideClockAdvance(StateStore& s, const ClockAdvance& c, const CommandContext& ctx) {
  if (c.to_ns < 0) return Reject(rejections::kInvalidCommand, "to before 1970");
  Out out(ctx);
  for (const ScheduleEntry& e : DueAt(s, c.to_ns, kScheduleFireMax)) {
    switch (e.kind) {
      case ScheduleKind::kPaymentDue:
        EmitDue(s, out, e);
        break;
      case ScheduleKind::kPaymentExpiry:
        EmitPaymentExpired(s, out, e);
        break;
      case ScheduleKind::kCreditExpiry:
        EmitCreditExpired(s, out, e);
        break;
    }
  }
  return out.Done();
}

}  // namespace folio::domain
