#include "engine/recon/recon.h"

#include "engine/domain/internal.h"
#include "engine/domain/rejections.h"

namespace folio::recon {
namespace {

using domain::Reject;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Emits envelopes of one run stream.
class Emitter {
 public:
  Emitter(std::string_view run_id, const domain::CommandContext& ctx)
      : stream_(RunStream(run_id)), ctx_(ctx) {}
  void Emit(fb::Event type, const PayloadBuilder& build) {
    EnvelopeMeta meta;
    meta.stream_id = stream_;
    meta.occurred_at_ns = ctx_.now_ns;
    meta.actor = ctx_.actor;
    meta.correlation_id = ctx_.correlation_id;
    meta.idempotency_key = ctx_.idempotency_key;
    meta.idempotency_scope = ctx_.idempotency_scope;
    meta.request_fingerprint = ctx_.request_fingerprint;
    events_.push_back(EncodeEnvelope(meta, type, build));
  }
  domain::Decision Done() { return std::move(events_); }

 private:
  std::string stream_;
  const domain::CommandContext& ctx_;
  domain::Events events_;
};

bool ValidRef(std::string_view s) { return s.size() <= 256; }

fb::Money Fb(const Money& m) { return m.ToFb(); }

domain::Decision Start(const RunState& s, const ReconStart& c, const domain::CommandContext& ctx) {
  if (!domain::ValidId(c.run_id) || c.statement_id.empty() || c.statement_id.size() > 128 ||
      c.account.empty() || c.period_end_ns < c.period_start_ns) {
    return Reject(domain::rejections::kInvalidCommand, "run id, statement id, account and period");
  }
  if (s.exists) return Reject(rejections::kRunExists, c.run_id);
  Emitter out(c.run_id, ctx);
  out.Emit(fb::Event::StatementImported, [&](auto& b) {
    fb::Hash32 sha(flatbuffers::span<const std::uint8_t, 32>(c.file_sha256.data(), 32));
    const fb::Money open = Fb(c.opening), close = Fb(c.closing);
    return fb::CreateStatementImportedDirect(
               b, c.statement_id.c_str(), c.source, c.statement_account.c_str(), c.period_start_ns,
               c.period_end_ns, &sha, &open, &close, nullptr, c.line_count,
               c.currency.empty() ? nullptr : c.currency.c_str(),
               c.opening_text.empty() ? nullptr : c.opening_text.c_str(),
               c.closing_text.empty() ? nullptr : c.closing_text.c_str(), c.statements)
        .Union();
  });
  out.Emit(fb::Event::ReconciliationRunStarted, [&](auto& b) {
    return fb::CreateReconciliationRunStartedDirect(b, c.run_id.c_str(), c.statement_id.c_str(),
                                                    c.period_start_ns, c.period_end_ns, c.as_of_seq,
                                                    c.source, c.account.c_str())
        .Union();
  });
  return out.Done();
}

domain::Decision Record(const RunState& s, const ReconRecord& c,
                        const domain::CommandContext& ctx) {
  if (!domain::ValidId(c.run_id) || c.matches.size() + c.discrepancies.size() > kRecordItemsMax) {
    return Reject(domain::rejections::kInvalidCommand, "at most 4096 items per record");
  }
  for (const ReconDiscrepancy& d : c.discrepancies) {
    if (!domain::ValidId(d.discrepancy_id) || !ValidRef(d.ledger_ref) ||
        !ValidRef(d.statement_ref)) {
      return Reject(domain::rejections::kInvalidCommand, "discrepancy ids and references");
    }
  }
  if (!s.exists) return Reject(rejections::kRunNotFound, c.run_id);
  if (s.completed) return Reject(rejections::kRunCompleted, c.run_id);
  std::map<std::string_view, bool> seen;
  for (const ReconDiscrepancy& d : c.discrepancies) {
    if (s.discrepancies.count(d.discrepancy_id) || !seen.emplace(d.discrepancy_id, true).second) {
      return Reject(rejections::kDiscrepancyExists, d.discrepancy_id);
    }
  }
  Emitter out(c.run_id, ctx);
  for (const ReconMatch& m : c.matches) {
    out.Emit(fb::Event::ReconciliationItemMatched, [&](auto& b) {
      const fb::Money amount = Fb(m.amount);
      return fb::CreateReconciliationItemMatchedDirect(
                 b, c.run_id.c_str(), m.line_no, m.ledger_ref.c_str(), m.statement_ref.c_str(),
                 &amount, m.rule.c_str())
          .Union();
    });
  }
  for (const ReconDiscrepancy& d : c.discrepancies) {
    out.Emit(fb::Event::DiscrepancyDetected, [&](auto& b) {
      const fb::Money la = Fb(d.ledger_amount), sa = Fb(d.statement_amount),
                      diff = Fb(d.difference);
      return fb::CreateDiscrepancyDetectedDirect(
                 b, c.run_id.c_str(), d.discrepancy_id.c_str(), d.kind, d.line_no,
                 d.ledger_ref.c_str(), d.statement_ref.c_str(), &la, &sa, d.note.c_str(),
                 s.account.c_str(), &diff, d.difference_is_debit,
                 d.statement_amount_text.empty() ? nullptr : d.statement_amount_text.c_str())
          .Union();
    });
  }
  return out.Done();
}

domain::Decision Complete(const RunState& s, const ReconComplete& c,
                          const domain::CommandContext& ctx) {
  if (!s.exists) return Reject(rejections::kRunNotFound, c.run_id);
  if (s.completed) return Reject(rejections::kRunCompleted, c.run_id);
  Emitter out(c.run_id, ctx);
  out.Emit(fb::Event::ReconciliationRunCompleted, [&](auto& b) {
    const fb::Money sc = Fb(c.statement_credits), sd = Fb(c.statement_debits),
                    lc = Fb(c.ledger_credits), ld = Fb(c.ledger_debits), ma = Fb(c.matched_amount);
    return fb::CreateReconciliationRunCompleted(b, b.CreateString(c.run_id), s.matched,
                                                static_cast<std::uint32_t>(s.discrepancies.size()),
                                                &sc, &sd, &lc, &ld, &ma)
        .Union();
  });
  return out.Done();
}

domain::Decision Resolve(const RunState& s, const ReconResolve& c,
                         const domain::CommandContext& ctx) {
  if (!domain::ValidId(c.run_id) || c.resolved_by.empty() || c.resolved_by.size() > 128 ||
      c.resolution.empty() || c.resolution.size() > 4096) {
    return Reject(domain::rejections::kInvalidCommand,
                  "a resolution needs the person (resolved_by) and what was done");
  }
  if (!s.exists) return Reject(rejections::kRunNotFound, c.run_id);
  if (!s.completed) return Reject(rejections::kRunOpen, c.run_id);
  auto it = s.discrepancies.find(c.discrepancy_id);
  if (it == s.discrepancies.end())
    return Reject(rejections::kDiscrepancyNotFound, c.discrepancy_id);
  if (it->second.resolved) return Reject(rejections::kDiscrepancyResolved, c.discrepancy_id);
  const DiscrepancyState& d = it->second;
  Emitter out(c.run_id, ctx);
  out.Emit(fb::Event::DiscrepancyResolved, [&](auto& b) {
    const fb::Money amount = Fb(d.difference);
    return fb::CreateDiscrepancyResolvedDirect(b, c.run_id.c_str(), c.discrepancy_id.c_str(),
                                               c.resolved_by.c_str(), c.resolution.c_str(), &amount,
                                               s.account.c_str(), d.is_debit)
        .Union();
  });
  return out.Done();
}

}  // namespace

std::string RunStream(std::string_view run_id) { return "recon:" + std::string(run_id); }

std::string_view DiscrepancyKindName(fb::DiscrepancyKind k) {
  switch (k) {
    case fb::DiscrepancyKind::MissingInLedger:
      return "missing_in_ledger";
    case fb::DiscrepancyKind::MissingInStatement:
      return "missing_in_statement";
    case fb::DiscrepancyKind::AmountMismatch:
      return "amount_mismatch";
    case fb::DiscrepancyKind::StatusMismatch:
      return "status_mismatch";
    case fb::DiscrepancyKind::FeeMismatch:
      return "fee_mismatch";
    case fb::DiscrepancyKind::Duplicate:
      return "duplicate";
    case fb::DiscrepancyKind::Timing:
      return "timing";
    case fb::DiscrepancyKind::StatementInconsistent:
      return "statement_inconsistent";
    case fb::DiscrepancyKind::CurrencyNotHeld:
      return "currency_not_held";
    case fb::DiscrepancyKind::NotBooked:
      return "not_booked";
  }
  return "unknown";
}

void ApplyRecon(RunState& s, const fb::Envelope& env) {
  ++s.version;
  switch (env.event_type()) {
    case fb::Event::StatementImported:
      s.line_count = env.event_as_StatementImported()->line_count();
      s.statements = env.event_as_StatementImported()->statements();
      break;
    case fb::Event::ReconciliationRunStarted:
      s.exists = true;
      s.account = std::string(Sv(env.event_as_ReconciliationRunStarted()->account()));
      s.as_of_seq = env.event_as_ReconciliationRunStarted()->as_of_seq();
      break;
    case fb::Event::ReconciliationItemMatched:
      ++s.matched;
      break;
    case fb::Event::DiscrepancyDetected: {
      const auto* e = env.event_as_DiscrepancyDetected();
      DiscrepancyState d;
      d.kind = e->kind();
      d.difference = MoneyOf(e->difference());
      d.is_debit = e->difference_is_debit();
      s.discrepancies[std::string(Sv(e->discrepancy_id()))] = d;
      break;
    }
    case fb::Event::DiscrepancyResolved: {
      auto it = s.discrepancies.find(Sv(env.event_as_DiscrepancyResolved()->discrepancy_id()));
      if (it != s.discrepancies.end()) it->second.resolved = true;
      break;
    }
    case fb::Event::ReconciliationRunCompleted:
      s.completed = true;
      break;
    default:
      break;
  }
}

domain::Decision DecideRecon(const RunState& s, const ReconCommand& command,
                             const domain::CommandContext& ctx) {
  return std::visit(Overloaded{
                        [&](const ReconStart& c) { return Start(s, c, ctx); },
                        [&](const ReconRecord& c) { return Record(s, c, ctx); },
                        [&](const ReconComplete& c) { return Complete(s, c, ctx); },
                        [&](const ReconResolve& c) { return Resolve(s, c, ctx); },
                    },
                    command);
}

Hash32 ReconFingerprint(const ReconCommand& command) {
  std::string text;
  auto add = [&text](std::string_view s) {
    text += std::to_string(s.size());
    text += ':';
    text += s;
  };
  auto money = [&add](const Money& m) {
    add(std::to_string(static_cast<int>(m.asset())) + "/" + U128ToString(m.minor()));
  };
  std::visit(Overloaded{
                 [&](const ReconStart& c) {
                   add("start");
                   add(c.run_id);
                   add(c.statement_id);
                   add(c.account);
                   add(std::to_string(c.line_count));
                 },
                 [&](const ReconRecord& c) {
                   add("record");
                   add(c.run_id);
                   for (const ReconMatch& m : c.matches) {
                     add(std::to_string(m.line_no));
                     add(m.ledger_ref);
                     add(m.rule);
                     money(m.amount);
                   }
                   for (const ReconDiscrepancy& d : c.discrepancies) {
                     add(d.discrepancy_id);
                     add(std::to_string(static_cast<int>(d.kind)));
                     money(d.difference);
                   }
                 },
                 [&](const ReconComplete& c) {
                   add("complete");
                   add(c.run_id);
                 },
                 [&](const ReconResolve& c) {
                   add("resolve");
                   add(c.run_id);
                   add(c.discrepancy_id);
                   add(c.resolved_by);
                   add(c.resolution);
                 },
             },
             command);
  return Sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                              text.size()));
}

}  // namespace folio::recon
