#include "projections/reconciliation.h"

#include <algorithm>
#include <limits>
#include <map>

#include "engine/domain/civil_time.h"
#include "engine/recon/recon.h"
#include "events/fields.h"
#include "projections/row_codec.h"

namespace folio::projections {
namespace {

constexpr std::uint64_t kSeqMax = std::numeric_limits<std::uint64_t>::max();
constexpr std::string_view kStreamPrefix = "recon:";

// --- keys ---

std::string RunKey(std::string_view run) {
  std::string k = "r/";
  PutKeyString(k, run);
  return k;
}
// "m/", "d/", "v/" run seq: the run's part is a prefix of its rows.
std::string RowsPrefix(std::string_view tag, std::string_view run) {
  std::string k(tag);
  PutKeyString(k, run);
  return k;
}
std::string SeqKey(std::string_view tag, std::string_view run, std::uint64_t seq) {
  std::string k = RowsPrefix(tag, run);
  PutKeyU64(k, seq);
  return k;
}
std::string IdKey(std::string_view run, std::string_view discrepancy_id) {
  std::string k = RowsPrefix("x/", run);
  PutKeyString(k, discrepancy_id);
  return k;
}

// --- row fields ---

void PutMoney(RowWriter& w, const Money& m) {
  w.U8(static_cast<std::uint8_t>(m.asset()));
  w.U128(m.minor());
}
Money GetMoney(RowReader& r) {
  const auto asset = static_cast<Asset>(r.U8());
  return Money(asset, r.U128());
}

std::string EncodeMatch(const ReconMatchRow& m) {
  RowWriter w;
  w.U64(m.seq), w.U32(m.line_no), w.Bytes(m.ledger_ref), w.Bytes(m.statement_ref);
  w.Bytes(m.rule), PutMoney(w, m.amount);
  return std::move(w.str());
}
std::optional<ReconMatchRow> DecodeMatch(std::string_view row) {
  RowReader r(row);
  ReconMatchRow m;
  m.seq = r.U64(), m.line_no = r.U32(), m.ledger_ref = r.Bytes(), m.statement_ref = r.Bytes();
  m.rule = r.Bytes(), m.amount = GetMoney(r);
  if (!r.Done()) return std::nullopt;
  return m;
}

std::string EncodeDiscrepancy(const ReconDiscrepancyRow& d) {
  RowWriter w;
  w.U64(d.seq), w.I64(d.at_ns), w.Bytes(d.discrepancy_id);
  w.U8(static_cast<std::uint8_t>(d.kind));
  w.U32(d.line_no), w.Bytes(d.ledger_ref), w.Bytes(d.statement_ref), w.Bytes(d.note);
  PutMoney(w, d.ledger_amount), PutMoney(w, d.statement_amount);
  w.Bool(d.exact_statement_amount), w.Bytes(d.statement_amount_text);
  w.Bytes(d.account), PutMoney(w, d.difference), w.Bool(d.difference_is_debit);
  w.U64(d.resolved_seq);
  return std::move(w.str());
}
std::optional<ReconDiscrepancyRow> DecodeDiscrepancy(std::string_view row) {
  RowReader r(row);
  ReconDiscrepancyRow d;
  d.seq = r.U64(), d.at_ns = r.I64(), d.discrepancy_id = r.Bytes();
  d.kind = static_cast<fb::DiscrepancyKind>(r.U8());
  d.line_no = r.U32(), d.ledger_ref = r.Bytes(), d.statement_ref = r.Bytes(), d.note = r.Bytes();
  d.ledger_amount = GetMoney(r), d.statement_amount = GetMoney(r);
  d.exact_statement_amount = r.Bool(), d.statement_amount_text = r.Bytes();
  d.account = r.Bytes(), d.difference = GetMoney(r), d.difference_is_debit = r.Bool();
  d.resolved_seq = r.U64();
  if (!r.Done()) return std::nullopt;
  return d;
}

std::string EncodeResolution(const ReconResolutionRow& v) {
  RowWriter w;
  w.U64(v.seq), w.I64(v.at_ns), w.Bytes(v.discrepancy_id), w.Bytes(v.resolved_by);
  w.Bytes(v.resolution), PutMoney(w, v.amount), w.Bytes(v.account), w.Bool(v.is_debit);
  return std::move(w.str());
}
std::optional<ReconResolutionRow> DecodeResolution(std::string_view row) {
  RowReader r(row);
  ReconResolutionRow v;
  v.seq = r.U64(), v.at_ns = r.I64(), v.discrepancy_id = r.Bytes(), v.resolved_by = r.Bytes();
  v.resolution = r.Bytes(), v.amount = GetMoney(r), v.account = r.Bytes(), v.is_debit = r.Bool();
  if (!r.Done()) return std::nullopt;
  return v;
}

ReconRunRow LoadRun(ProjectionStore& s, std::string_view run) {
  if (auto row = s.Get(RunKey(run))) {
    if (auto r = DecodeReconRunRow(*row)) return *r;
  }
  ReconRunRow r;
  r.run_id = std::string(run);
  return r;
}

// --- apply ---

void ApplyImported(ProjectionStore& s, std::string_view run, const fb::Envelope& env) {
  const auto* e = env.event_as_StatementImported();
  ReconRunRow r = LoadRun(s, run);
  ReconImported& i = r.imported;
  i.seq = env.seq();
  i.at_ns = env.occurred_at_ns();
  i.by = std::string(Sv(env.actor()));
  i.source = e->source();
  i.statement_account = std::string(Sv(e->account()));
  i.period_start_ns = e->period_start_ns();
  i.period_end_ns = e->period_end_ns();
  i.file_sha256_hex = e->file_sha256() ? ToHex({e->file_sha256()->bytes()->data(), 32}) : "";
  i.line_count = e->line_count();
  i.statements = e->statements();
  i.opening = MoneyOf(e->opening_balance());
  i.closing = MoneyOf(e->closing_balance());
  i.exact_balances = e->opening_balance_text() != nullptr;
  i.opening_text = std::string(Sv(e->opening_balance_text()));
  i.closing_text = std::string(Sv(e->closing_balance_text()));
  s.Put(RunKey(run), EncodeReconRunRow(r));
}

void ApplyStarted(ProjectionStore& s, std::string_view run, const fb::Envelope& env) {
  const auto* e = env.event_as_ReconciliationRunStarted();
  ReconRunRow r = LoadRun(s, run);
  r.started.seq = env.seq();
  r.started.ledger_account = std::string(Sv(e->account()));
  r.started.ledger_as_of_seq = e->as_of_seq();
  s.Put(RunKey(run), EncodeReconRunRow(r));
}

void ApplyCompleted(ProjectionStore& s, std::string_view run, const fb::Envelope& env) {
  const auto* e = env.event_as_ReconciliationRunCompleted();
  ReconRunRow r = LoadRun(s, run);
  ReconCompleted& c = r.completed;
  c.seq = env.seq();
  c.at_ns = env.occurred_at_ns();
  c.matched = e->matched();
  c.discrepancies = e->discrepancies();
  c.statement_credits = MoneyOf(e->statement_credits());
  c.statement_debits = MoneyOf(e->statement_debits());
  c.ledger_credits = MoneyOf(e->ledger_credits());
  c.ledger_debits = MoneyOf(e->ledger_debits());
  c.matched_amount = MoneyOf(e->matched_amount());
  s.Put(RunKey(run), EncodeReconRunRow(r));
}

void ApplyMatched(ProjectionStore& s, std::string_view run, const fb::Envelope& env) {
  const auto* e = env.event_as_ReconciliationItemMatched();
  ReconMatchRow m;
  m.seq = env.seq();
  m.line_no = e->line_no();
  m.ledger_ref = std::string(Sv(e->ledger_ref()));
  m.statement_ref = std::string(Sv(e->statement_ref()));
  m.rule = std::string(Sv(e->rule()));
  m.amount = MoneyOf(e->amount());
  s.Put(SeqKey("m/", run, m.seq), EncodeMatch(m));
}

void ApplyDetected(ProjectionStore& s, std::string_view run, const fb::Envelope& env) {
  const auto* e = env.event_as_DiscrepancyDetected();
  ReconDiscrepancyRow d;
  d.seq = env.seq();
  d.at_ns = env.occurred_at_ns();
  d.discrepancy_id = std::string(Sv(e->discrepancy_id()));
  d.kind = e->kind();
  d.line_no = e->line_no();
  d.ledger_ref = std::string(Sv(e->ledger_ref()));
  d.statement_ref = std::string(Sv(e->statement_ref()));
  d.note = std::string(Sv(e->note()));
  d.ledger_amount = MoneyOf(e->ledger_amount());
  d.statement_amount = MoneyOf(e->statement_amount());
  d.exact_statement_amount = e->statement_amount_text() != nullptr;
  d.statement_amount_text = std::string(Sv(e->statement_amount_text()));
  d.account = std::string(Sv(e->account()));
  d.difference = MoneyOf(e->difference());
  d.difference_is_debit = e->difference_is_debit();
  const std::string key = SeqKey("d/", run, d.seq);
  s.Put(key, EncodeDiscrepancy(d));
  RowWriter w;
  w.U64(d.seq);
  s.Put(IdKey(run, d.discrepancy_id), w.str());
}

void ApplyResolved(ProjectionStore& s, std::string_view run, const fb::Envelope& env) {
  const auto* e = env.event_as_DiscrepancyResolved();
  ReconResolutionRow v;
  v.seq = env.seq();
  v.at_ns = env.occurred_at_ns();
  v.discrepancy_id = std::string(Sv(e->discrepancy_id()));
  v.resolved_by = std::string(Sv(e->resolved_by()));
  v.resolution = std::string(Sv(e->resolution()));
  v.amount = MoneyOf(e->amount());
  v.account = std::string(Sv(e->account()));
  v.is_debit = e->is_debit();
  s.Put(SeqKey("v/", run, v.seq), EncodeResolution(v));
  // The latest detection of that id is resolved here, unless it already was.
  const auto at = s.Get(IdKey(run, v.discrepancy_id));
  if (!at) return;
  RowReader r(*at);
  const std::uint64_t detected = r.U64();
  if (!r.Done()) return;
  const std::string key = SeqKey("d/", run, detected);
  const auto row = s.Get(key);
  if (!row) return;
  std::optional<ReconDiscrepancyRow> d = DecodeDiscrepancy(*row);
  if (!d || d->resolved_seq != 0) return;
  d->resolved_seq = v.seq;
  s.Put(key, EncodeDiscrepancy(*d));
}

// Rows of `tag` for `run` with seq <= as_of, decoded, in seq order.
template <typename Row, typename Decode>
std::vector<Row> RunRows(ProjectionReader& reader, std::string_view tag, std::string_view run,
                         std::uint64_t as_of, Decode decode) {
  std::vector<Row> out;
  const std::string from = RowsPrefix(tag, run);
  ScanAll(reader, from, PrefixEnd(from), [&](const std::string&, const std::string& value) {
    std::optional<Row> row = decode(value);
    if (row && row->seq <= as_of) out.push_back(std::move(*row));
  });
  return out;
}

std::string AmountText(const Money& m) { return AmountString(m.asset(), m.minor()); }

}  // namespace

// --- the run row ---

std::string EncodeReconRunRow(const ReconRunRow& r) {
  RowWriter w;
  w.Bytes(r.run_id);
  const ReconImported& i = r.imported;
  w.U64(i.seq), w.I64(i.at_ns), w.Bytes(i.by);
  w.U8(static_cast<std::uint8_t>(i.source)), w.Bytes(i.statement_account);
  w.I64(i.period_start_ns), w.I64(i.period_end_ns), w.Bytes(i.file_sha256_hex);
  w.U32(i.line_count), w.U32(i.statements);
  PutMoney(w, i.opening), PutMoney(w, i.closing);
  w.Bool(i.exact_balances), w.Bytes(i.opening_text), w.Bytes(i.closing_text);
  w.U64(r.started.seq), w.Bytes(r.started.ledger_account), w.U64(r.started.ledger_as_of_seq);
  const ReconCompleted& c = r.completed;
  w.U64(c.seq), w.I64(c.at_ns), w.U32(c.matched), w.U32(c.discrepancies);
  PutMoney(w, c.statement_credits), PutMoney(w, c.statement_debits);
  PutMoney(w, c.ledger_credits), PutMoney(w, c.ledger_debits), PutMoney(w, c.matched_amount);
  return std::move(w.str());
}

std::optional<ReconRunRow> DecodeReconRunRow(std::string_view row) {
  RowReader in(row);
  ReconRunRow r;
  r.run_id = in.Bytes();
  ReconImported& i = r.imported;
  i.seq = in.U64(), i.at_ns = in.I64(), i.by = in.Bytes();
  i.source = static_cast<fb::StatementSource>(in.U8()), i.statement_account = in.Bytes();
  i.period_start_ns = in.I64(), i.period_end_ns = in.I64(), i.file_sha256_hex = in.Bytes();
  i.line_count = in.U32(), i.statements = in.U32();
  i.opening = GetMoney(in), i.closing = GetMoney(in);
  i.exact_balances = in.Bool(), i.opening_text = in.Bytes(), i.closing_text = in.Bytes();
  r.started.seq = in.U64(), r.started.ledger_account = in.Bytes();
  r.started.ledger_as_of_seq = in.U64();
  ReconCompleted& c = r.completed;
  c.seq = in.U64(), c.at_ns = in.I64(), c.matched = in.U32(), c.discrepancies = in.U32();
  c.statement_credits = GetMoney(in), c.statement_debits = GetMoney(in);
  c.ledger_credits = GetMoney(in), c.ledger_debits = GetMoney(in);
  c.matched_amount = GetMoney(in);
  if (!in.Done()) return std::nullopt;
  return r;
}

void ReconciliationProjection::Apply(const EventRecord& event, ProjectionStore& s) {
  const fb::Envelope& env = event.env();
  const std::string_view stream = Sv(env.stream_id());
  if (stream.substr(0, kStreamPrefix.size()) != kStreamPrefix) return;
  const std::string_view run = stream.substr(kStreamPrefix.size());
  switch (env.event_type()) {
    case fb::Event::StatementImported:
      return ApplyImported(s, run, env);
    case fb::Event::ReconciliationRunStarted:
      return ApplyStarted(s, run, env);
    case fb::Event::ReconciliationItemMatched:
      return ApplyMatched(s, run, env);
    case fb::Event::DiscrepancyDetected:
      return ApplyDetected(s, run, env);
    case fb::Event::DiscrepancyResolved:
      return ApplyResolved(s, run, env);
    case fb::Event::ReconciliationRunCompleted:
      return ApplyCompleted(s, run, env);
    default:
      return;
  }
}

// --- readers ---

std::vector<const ReconDiscrepancyRow*> ReconRunView::Unresolved() const {
  // The latest detection of each id decides (a hostile log may repeat one).
  std::map<std::string_view, const ReconDiscrepancyRow*> latest;
  for (const auto& d : discrepancies) latest[d.discrepancy_id] = &d;
  std::vector<const ReconDiscrepancyRow*> out;
  for (const auto& [id, d] : latest) {
    if (!d->resolved) out.push_back(d);
  }
  return out;
}

std::optional<ReconRunView> ReconRun(ProjectionReader& reader, std::string_view run_id,
                                     std::optional<std::uint64_t> as_of_seq) {
  const std::uint64_t as_of = as_of_seq.value_or(kSeqMax);
  ReconRunView v;
  v.matches = RunRows<ReconMatchRow>(reader, "m/", run_id, as_of, DecodeMatch);
  v.discrepancies = RunRows<ReconDiscrepancyRow>(reader, "d/", run_id, as_of, DecodeDiscrepancy);
  v.resolutions = RunRows<ReconResolutionRow>(reader, "v/", run_id, as_of, DecodeResolution);
  for (auto& d : v.discrepancies) d.resolved = d.resolved_seq != 0 && d.resolved_seq <= as_of;
  std::optional<ReconRunRow> run;
  if (auto row = reader.Get(RunKey(run_id))) run = DecodeReconRunRow(*row);
  if (!run) run.emplace();
  run->run_id = std::string(run_id);
  // What events after as_of wrote is not the run as of then.
  if (run->imported.seq > as_of) run->imported = {};
  if (run->started.seq > as_of) run->started = {};
  if (run->completed.seq > as_of) run->completed = {};
  if (run->imported.seq == 0 && run->started.seq == 0 && run->completed.seq == 0 &&
      v.matches.empty() && v.discrepancies.empty() && v.resolutions.empty()) {
    return std::nullopt;
  }
  v.run = std::move(*run);
  return v;
}

std::vector<ReconAccountMove> ReconAccountMoves(ProjectionReader& reader,
                                                std::optional<std::uint64_t> as_of_seq) {
  const std::uint64_t as_of = as_of_seq.value_or(kSeqMax);
  std::vector<ReconAccountMove> out;
  ScanAll(reader, "d/", PrefixEnd("d/"), [&](const std::string&, const std::string& value) {
    std::optional<ReconDiscrepancyRow> d = DecodeDiscrepancy(value);
    if (!d || d->seq > as_of || d->difference.is_zero()) return;
    out.push_back({d->seq, d->at_ns, d->account, d->difference, d->difference_is_debit});
  });
  ScanAll(reader, "v/", PrefixEnd("v/"), [&](const std::string&, const std::string& value) {
    std::optional<ReconResolutionRow> v = DecodeResolution(value);
    if (!v || v->seq > as_of || v->amount.is_zero()) return;
    out.push_back({v->seq, v->at_ns, v->account, v->amount, !v->is_debit});
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
  return out;
}

std::string ReconRunJson(const ReconRunView& v, std::uint64_t as_of_seq, bool matches) {
  const ReconRunRow& r = v.run;
  std::string o = "{\"run_id\":";
  AppendJsonString(o, r.run_id);
  o += ",\"status\":";
  o += r.completed.seq != 0 ? "\"completed\"" : "\"open\"";
  o += ",\"statement\":";
  if (const ReconImported& i = r.imported; i.seq == 0) {
    o += "null";
  } else {
    o += "{\"source\":";
    AppendJsonString(o, fb::EnumNameStatementSource(i.source));
    o += ",\"account\":";
    AppendJsonString(o, i.statement_account);
    o += ",\"period_start\":";
    AppendJsonString(o, i.period_start_ns == 0 ? "" : domain::ShanghaiRfc3339(i.period_start_ns));
    o += ",\"period_end\":";
    AppendJsonString(o, i.period_end_ns == 0 ? "" : domain::ShanghaiRfc3339(i.period_end_ns));
    o += ",\"file_sha256\":";
    AppendJsonString(o, i.file_sha256_hex);
    o += ",\"lines\":" + std::to_string(i.line_count);
    o += ",\"statements\":" + std::to_string(i.statements);
    o += ",\"opening_balance\":";
    AppendJsonString(o, i.exact_balances ? i.opening_text : AmountText(i.opening));
    o += ",\"closing_balance\":";
    AppendJsonString(o, i.exact_balances ? i.closing_text : AmountText(i.closing));
    o += ",\"imported_at\":";
    AppendJsonString(o, domain::ShanghaiRfc3339(i.at_ns));
    o += ",\"imported_by\":";
    AppendJsonString(o, i.by);
    o += ",\"seq\":" + std::to_string(i.seq) + "}";
  }
  o += ",\"ledger\":";
  if (r.started.seq == 0) {
    o += "null";
  } else {
    o += "{\"account\":";
    AppendJsonString(o, r.started.ledger_account);
    o += ",\"read_up_to_seq\":" + std::to_string(r.started.ledger_as_of_seq) + "}";
  }
  o += ",\"totals\":";
  if (const ReconCompleted& c = r.completed; c.seq == 0) {
    o += "null";
  } else {
    o += "{\"completed_at\":";
    AppendJsonString(o, domain::ShanghaiRfc3339(c.at_ns));
    o += ",\"matched\":" + std::to_string(c.matched);
    o += ",\"discrepancies\":" + std::to_string(c.discrepancies);
    for (const auto& [name, m] : {std::pair{"statement_credits", &c.statement_credits},
                                  std::pair{"statement_debits", &c.statement_debits},
                                  std::pair{"ledger_credits", &c.ledger_credits},
                                  std::pair{"ledger_debits", &c.ledger_debits},
                                  std::pair{"matched_amount", &c.matched_amount}}) {
      o += ",\"" + std::string(name) + "\":";
      AppendJsonString(o, AmountText(*m));
    }
    o += "}";
  }
  // Matched items by rule, rules in byte order.
  std::map<std::string, std::pair<std::uint64_t, Money>> by_rule;
  for (const auto& m : v.matches) {
    auto& [n, sum] = by_rule.try_emplace(m.rule, 0, Money(m.amount.asset(), 0)).first->second;
    ++n;
    sum = Money(sum.asset(), SaturatingAdd(sum.minor(), m.amount.minor()));
  }
  o += ",\"matched_by_rule\":[";
  bool first = true;
  for (const auto& [rule, nsum] : by_rule) {
    o += first ? "{\"rule\":" : ",{\"rule\":";
    first = false;
    AppendJsonString(o, rule);
    o += ",\"items\":" + std::to_string(nsum.first) + ",\"amount\":";
    AppendJsonString(o, AmountText(nsum.second));
    o += "}";
  }
  o += "],\"discrepancies\":[";
  first = true;
  for (const auto& d : v.discrepancies) {
    o += first ? "{\"id\":" : ",{\"id\":";
    first = false;
    AppendJsonString(o, d.discrepancy_id);
    o += ",\"kind\":";
    AppendJsonString(o, recon::DiscrepancyKindName(d.kind));
    o += ",\"line_no\":" + std::to_string(d.line_no) + ",\"ledger_ref\":";
    AppendJsonString(o, d.ledger_ref);
    o += ",\"statement_ref\":";
    AppendJsonString(o, d.statement_ref);
    o += ",\"ledger_amount\":";
    AppendJsonString(o, AmountText(d.ledger_amount));
    o += ",\"statement_amount\":";
    AppendJsonString(
        o, d.exact_statement_amount ? d.statement_amount_text : AmountText(d.statement_amount));
    o += ",\"difference\":";
    const bool negative = !d.difference_is_debit && !d.difference.is_zero();
    AppendJsonString(o, (negative ? "-" : "") + AmountText(d.difference));
    o += ",\"note\":";
    AppendJsonString(o, d.note);
    o += ",\"resolved\":";
    o += d.resolved ? "true" : "false";
    o += ",\"seq\":" + std::to_string(d.seq) + "}";
  }
  o += "],\"resolutions\":[";
  first = true;
  for (const auto& res : v.resolutions) {
    o += first ? "{\"id\":" : ",{\"id\":";
    first = false;
    AppendJsonString(o, res.discrepancy_id);
    o += ",\"resolved_by\":";
    AppendJsonString(o, res.resolved_by);
    o += ",\"resolution\":";
    AppendJsonString(o, res.resolution);
    o += ",\"released_from_suspense\":";
    AppendJsonString(o, AmountText(res.amount));
    o += ",\"at\":";
    AppendJsonString(o, domain::ShanghaiRfc3339(res.at_ns));
    o += ",\"seq\":" + std::to_string(res.seq) + "}";
  }
  o += "]";
  if (matches) {
    o += ",\"matches\":[";
    first = true;
    for (const auto& m : v.matches) {
      o += first ? "{\"line_no\":" : ",{\"line_no\":";
      first = false;
      o += std::to_string(m.line_no) + ",\"rule\":";
      AppendJsonString(o, m.rule);
      o += ",\"ledger_ref\":";
      AppendJsonString(o, m.ledger_ref);
      o += ",\"statement_ref\":";
      AppendJsonString(o, m.statement_ref);
      o += ",\"amount\":";
      AppendJsonString(o, AmountText(m.amount));
      o += ",\"seq\":" + std::to_string(m.seq) + "}";
    }
    o += "]";
  }
  o += ",\"unresolved\":" + std::to_string(v.Unresolved().size());
  o += ",\"as_of_seq\":" + std::to_string(as_of_seq) + "}";
  return o;
}

}  // namespace folio::projections
