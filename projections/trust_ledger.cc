#include "projections/trust_ledger.h"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

#include "engine/domain/civil_time.h"
#include "events/fields.h"

namespace folio::projections {
namespace {

constexpr std::uint64_t kSeqMax = std::numeric_limits<std::uint64_t>::max();

void SetAmount(TrustLine& line, const fb::Money* m) {
  if (m == nullptr) return;
  const Money money = Money::FromFb(*m);
  line.asset = money.asset();
  line.amount_minor = money.minor();
}

// --- keys ---

std::string ClientLinePrefix(std::string_view client) {
  std::string k = "l/";
  PutKeyString(k, client);
  return k;
}
std::string LinePrefix(std::string_view client, std::string_view matter) {
  std::string k = ClientLinePrefix(client);
  PutKeyString(k, matter);
  return k;
}
std::string LineKey(std::string_view client, std::string_view matter, std::uint64_t seq) {
  std::string k = LinePrefix(client, matter);
  PutKeyU64(k, seq);
  return k;
}
std::string MatterKey(std::string_view client, std::string_view matter, Asset asset) {
  std::string k = "m/";
  PutKeyString(k, client);
  PutKeyString(k, matter);
  k.push_back(static_cast<char>(asset));
  return k;
}
std::string NegativeKey(std::string_view client, std::string_view matter, Asset asset) {
  std::string k = MatterKey(client, matter, asset);
  k[0] = 'n';
  return k;
}
std::string ClientKey(std::string_view client, std::optional<Asset> asset) {
  std::string k = "c/";
  PutKeyString(k, client);
  if (asset) k.push_back(static_cast<char>(*asset));
  return k;
}
std::string DepositKey(std::string_view deposit_id) { return "d/" + std::string(deposit_id); }
std::string GlKey(std::uint64_t seq) {
  std::string k = "g/";
  PutKeyU64(k, seq);
  return k;
}
std::string BankKey(Asset asset) { return std::string("t/") + static_cast<char>(asset); }

// Upper bound (exclusive) of the lines of `prefix` with seq <= as_of_seq.
std::string LineScanEnd(const std::string& prefix, std::optional<std::uint64_t> as_of_seq) {
  if (!as_of_seq || *as_of_seq == kSeqMax) return PrefixEnd(prefix);
  std::string k = prefix;
  PutKeyU64(k, *as_of_seq + 1);
  return k;
}

// --- totals ---

// Folds one line into totals; the same rule builds the running balances on
// Apply and recomputes totals from lines for as-of answers.
void FoldLine(TrustTotals& t, const TrustLine& line) {
  const u128 a = line.amount_minor;
  switch (line.kind) {
    case TrustLineKind::kDeposit:
      t.deposits_minor = SaturatingAdd(t.deposits_minor, a);
      t.balance = AddMinor(t.balance, a);
      if (line.cleared_seq == line.seq) {  // cleared on receipt
        t.cleared_minor = SaturatingAdd(t.cleared_minor, a);
        t.cleared_balance = AddMinor(t.cleared_balance, a);
      }
      break;
    case TrustLineKind::kClearance:
      t.cleared_minor = SaturatingAdd(t.cleared_minor, a);
      t.cleared_balance = AddMinor(t.cleared_balance, a);
      break;
    case TrustLineKind::kDisbursement:
      t.disbursements_minor = SaturatingAdd(t.disbursements_minor, a);
      break;
    case TrustLineKind::kFeeTransfer:
      t.fee_transfers_minor = SaturatingAdd(t.fee_transfers_minor, a);
      break;
    case TrustLineKind::kRefundToClient:
      t.refunds_to_client_minor = SaturatingAdd(t.refunds_to_client_minor, a);
      break;
  }
  if (line.is_outflow()) {
    t.balance = SubMinor(t.balance, a);
    t.cleared_balance = SubMinor(t.cleared_balance, a);
  }
  ++t.line_count;
  t.last_seq = std::max(t.last_seq, line.seq);  // client totals fold matter by matter
}

bool IsNegative(const TrustTotals& t) {
  return t.balance.is_negative() || t.cleared_balance.is_negative();
}

TrustTotals LoadTotals(ProjectionStore& s, const std::string& key, const TrustLine& line,
                       bool per_matter) {
  if (auto row = s.Get(key)) {
    if (auto t = DecodeTrustTotals(*row)) return *t;
  }
  TrustTotals t;
  t.client_id = line.client_id;
  if (per_matter) t.matter_id = line.matter_id;
  t.asset = line.asset;
  return t;
}

// --- apply ---

std::optional<TrustLine> LineFromEvent(const fb::Envelope& env, std::string* deposit_id) {
  TrustLine line;
  line.seq = env.seq();
  line.occurred_at_ns = env.occurred_at_ns();
  switch (env.event_type()) {
    case fb::Event::TrustDepositRecorded: {
      const auto* e = env.event_as_TrustDepositRecorded();
      line.kind = TrustLineKind::kDeposit;
      line.client_id = Sv(e->client_id()), line.matter_id = Sv(e->matter_id());
      line.txn_id = Sv(e->deposit_id()), line.reference = Sv(e->reference());
      line.counterparty = Sv(e->payer()), line.method = e->method();
      SetAmount(line, e->amount());
      if (e->cleared()) line.cleared_seq = line.seq;
      *deposit_id = line.txn_id;
      return line;
    }
    case fb::Event::TrustDepositCleared: {
      const auto* e = env.event_as_TrustDepositCleared();
      line.kind = TrustLineKind::kClearance;
      line.client_id = Sv(e->client_id()), line.matter_id = Sv(e->matter_id());
      line.txn_id = Sv(e->deposit_id());
      SetAmount(line, e->amount());
      *deposit_id = line.txn_id;
      return line;
    }
    case fb::Event::TrustDisbursementRecorded: {
      const auto* e = env.event_as_TrustDisbursementRecorded();
      line.kind = TrustLineKind::kDisbursement;
      line.client_id = Sv(e->client_id()), line.matter_id = Sv(e->matter_id());
      line.txn_id = Sv(e->disbursement_id()), line.reference = Sv(e->reference());
      line.counterparty = Sv(e->payee()), line.purpose = Sv(e->purpose());
      SetAmount(line, e->amount());
      return line;
    }
    case fb::Event::TrustFeeTransferred: {
      const auto* e = env.event_as_TrustFeeTransferred();
      line.kind = TrustLineKind::kFeeTransfer;
      line.client_id = Sv(e->client_id()), line.matter_id = Sv(e->matter_id());
      line.txn_id = Sv(e->transfer_id()), line.reference = Sv(e->invoice_id());
      SetAmount(line, e->amount());
      return line;
    }
    case fb::Event::TrustRefundedToClient: {
      const auto* e = env.event_as_TrustRefundedToClient();
      line.kind = TrustLineKind::kRefundToClient;
      line.client_id = Sv(e->client_id()), line.matter_id = Sv(e->matter_id());
      line.txn_id = Sv(e->refund_id()), line.reference = Sv(e->reference());
      line.counterparty = line.client_id;
      SetAmount(line, e->amount());
      return line;
    }
    default:
      return std::nullopt;
  }
}

// Marks the deposit line of a clearance as cleared (the first clearance wins).
void MarkDepositCleared(ProjectionStore& s, std::string_view deposit_id, std::uint64_t seq) {
  const auto line_key = s.Get(DepositKey(deposit_id));
  if (!line_key) return;
  const auto row = s.Get(*line_key);
  if (!row) return;
  std::optional<TrustLine> deposit = DecodeTrustLine(*row);
  if (!deposit || deposit->cleared_seq != 0) return;
  deposit->cleared_seq = seq;
  s.Put(*line_key, EncodeTrustLine(*deposit));
}

void PostGeneralLedger(ProjectionStore& s, const TrustLine& line) {
  SignedMinor bank;
  if (auto row = s.Get(BankKey(line.asset))) {
    RowReader r(*row);
    bank = r.Signed();
    if (!r.Done()) bank = {};
  }
  bank = line.is_inflow() ? AddMinor(bank, line.amount_minor) : SubMinor(bank, line.amount_minor);
  RowWriter b;
  b.Signed(bank);
  s.Put(BankKey(line.asset), b.str());

  RowWriter w;
  w.U64(line.seq), w.I64(line.occurred_at_ns), w.Bytes(line.client_id), w.Bytes(line.matter_id);
  w.U8(static_cast<std::uint8_t>(line.kind)), w.Bytes(line.txn_id);
  w.U8(static_cast<std::uint8_t>(line.asset)), w.U128(line.amount_minor), w.Signed(bank);
  s.Put(GlKey(line.seq), w.str());
}

}  // namespace

std::string_view TrustLineKindName(TrustLineKind kind) {
  switch (kind) {
    case TrustLineKind::kDeposit:
      return "deposit";
    case TrustLineKind::kClearance:
      return "clearance";
    case TrustLineKind::kDisbursement:
      return "disbursement";
    case TrustLineKind::kFeeTransfer:
      return "fee_transfer";
    case TrustLineKind::kRefundToClient:
      return "refund_to_client";
  }
  return "unknown";
}

std::string TrustLine::date() const { return DayKeyString(domain::ShanghaiDayKey(occurred_at_ns)); }

void TrustLedgerProjection::Apply(const EventRecord& event, ProjectionStore& s) {
  std::string deposit_id;
  std::optional<TrustLine> parsed = LineFromEvent(event.env(), &deposit_id);
  if (!parsed) return;
  TrustLine& line = *parsed;

  const std::string matter_key = MatterKey(line.client_id, line.matter_id, line.asset);
  TrustTotals matter = LoadTotals(s, matter_key, line, /*per_matter=*/true);
  FoldLine(matter, line);
  line.running_balance = matter.balance;
  line.running_cleared_balance = matter.cleared_balance;

  const std::string client_key = ClientKey(line.client_id, line.asset);
  TrustTotals client = LoadTotals(s, client_key, line, /*per_matter=*/false);
  FoldLine(client, line);

  const std::string line_key = LineKey(line.client_id, line.matter_id, line.seq);
  s.Put(line_key, EncodeTrustLine(line));
  s.Put(matter_key, EncodeTrustTotals(matter));
  s.Put(client_key, EncodeTrustTotals(client));
  const std::string negative_key = NegativeKey(line.client_id, line.matter_id, line.asset);
  if (IsNegative(matter)) {
    s.Put(negative_key, EncodeTrustTotals(matter));
  } else {
    s.Delete(negative_key);
  }
  if (line.kind == TrustLineKind::kDeposit) s.Put(DepositKey(deposit_id), line_key);
  if (line.kind == TrustLineKind::kClearance) MarkDepositCleared(s, deposit_id, line.seq);
  if (line.kind != TrustLineKind::kClearance) PostGeneralLedger(s, line);
}

// --- codecs ---

std::string EncodeTrustLine(const TrustLine& l) {
  RowWriter w;
  w.U64(l.seq), w.I64(l.occurred_at_ns), w.U8(static_cast<std::uint8_t>(l.kind));
  w.Bytes(l.txn_id), w.Bytes(l.reference), w.Bytes(l.counterparty), w.Bytes(l.purpose);
  w.U8(static_cast<std::uint8_t>(l.method)), w.U8(static_cast<std::uint8_t>(l.asset));
  w.U128(l.amount_minor), w.Signed(l.running_balance), w.Signed(l.running_cleared_balance);
  w.U64(l.cleared_seq);
  return std::move(w.str());
}

std::optional<TrustLine> DecodeTrustLine(std::string_view row) {
  RowReader r(row);
  TrustLine l;
  l.seq = r.U64(), l.occurred_at_ns = r.I64();
  const std::uint8_t kind = r.U8();
  l.txn_id = r.Bytes(), l.reference = r.Bytes(), l.counterparty = r.Bytes(), l.purpose = r.Bytes();
  l.method = static_cast<fb::Method>(r.U8()), l.asset = static_cast<Asset>(r.U8());
  l.amount_minor = r.U128(), l.running_balance = r.Signed(), l.running_cleared_balance = r.Signed();
  l.cleared_seq = r.U64();
  if (!r.Done() || kind < 1 || kind > 5) return std::nullopt;
  l.kind = static_cast<TrustLineKind>(kind);
  l.cleared = l.kind != TrustLineKind::kDeposit || l.cleared_seq != 0;
  return l;
}

std::string EncodeTrustTotals(const TrustTotals& t) {
  RowWriter w;
  w.Bytes(t.client_id), w.Bytes(t.matter_id), w.U8(static_cast<std::uint8_t>(t.asset));
  w.U128(t.deposits_minor), w.U128(t.cleared_minor), w.U128(t.disbursements_minor);
  w.U128(t.fee_transfers_minor), w.U128(t.refunds_to_client_minor);
  w.Signed(t.balance), w.Signed(t.cleared_balance), w.U64(t.line_count), w.U64(t.last_seq);
  return std::move(w.str());
}

std::optional<TrustTotals> DecodeTrustTotals(std::string_view row) {
  RowReader r(row);
  TrustTotals t;
  t.client_id = r.Bytes(), t.matter_id = r.Bytes(), t.asset = static_cast<Asset>(r.U8());
  t.deposits_minor = r.U128(), t.cleared_minor = r.U128(), t.disbursements_minor = r.U128();
  t.fee_transfers_minor = r.U128(), t.refunds_to_client_minor = r.U128();
  t.balance = r.Signed(), t.cleared_balance = r.Signed();
  t.line_count = r.U64(), t.last_seq = r.U64();
  if (!r.Done()) return std::nullopt;
  return t;
}

// --- readers ---

namespace {

// Calls row(client, matter, line) for the lines in [from, to) with seq <= as_of.
template <class Fn>
void ScanLines(ProjectionReader& reader, const std::string& from, const std::string& to,
               std::optional<std::uint64_t> as_of_seq, Fn&& fn) {
  const std::uint64_t limit = as_of_seq.value_or(kSeqMax);
  ScanAll(reader, from, to, [&](const std::string& key, const std::string& value) {
    RowReader k(std::string_view(key).substr(2));
    TrustLine line;
    k.KeyString(&line.client_id), k.KeyString(&line.matter_id);
    const std::uint64_t key_seq = k.U64();
    std::optional<TrustLine> decoded = DecodeTrustLine(value);
    if (!k.Done() || !decoded || decoded->seq != key_seq || key_seq > limit) return;
    decoded->client_id = std::move(line.client_id);
    decoded->matter_id = std::move(line.matter_id);
    if (decoded->kind == TrustLineKind::kDeposit) {
      decoded->cleared = decoded->cleared_seq != 0 && decoded->cleared_seq <= limit;
      if (!decoded->cleared) decoded->cleared_seq = 0;
    }
    fn(std::move(*decoded));
  });
}

std::vector<TrustTotals> ScanTotals(ProjectionReader& reader, const std::string& prefix) {
  std::vector<TrustTotals> out;
  ScanAll(reader, prefix, PrefixEnd(prefix), [&](const std::string&, const std::string& value) {
    if (auto t = DecodeTrustTotals(value)) out.push_back(std::move(*t));
  });
  return out;
}

using TotalsKey = std::tuple<std::string, std::string, Asset>;

std::vector<TrustTotals> FoldTotals(ProjectionReader& reader, const std::string& prefix,
                                    std::optional<std::uint64_t> as_of_seq, bool per_matter) {
  std::map<TotalsKey, TrustTotals> totals;
  ScanLines(reader, prefix, PrefixEnd(prefix), as_of_seq, [&](TrustLine line) {
    TotalsKey key{line.client_id, per_matter ? line.matter_id : std::string(), line.asset};
    auto [it, fresh] = totals.try_emplace(key);
    if (fresh) {
      it->second.client_id = std::get<0>(key);
      it->second.matter_id = std::get<1>(key);
      it->second.asset = line.asset;
    }
    FoldLine(it->second, line);
  });
  std::vector<TrustTotals> out;
  for (auto& [key, t] : totals) out.push_back(std::move(t));
  return out;
}

}  // namespace

std::vector<TrustLine> MatterLedger(ProjectionReader& reader, std::string_view client,
                                    std::string_view matter,
                                    std::optional<std::uint64_t> as_of_seq) {
  const std::string prefix = LinePrefix(client, matter);
  std::vector<TrustLine> out;
  ScanLines(reader, prefix, LineScanEnd(prefix, as_of_seq), as_of_seq,
            [&](TrustLine line) { out.push_back(std::move(line)); });
  return out;
}

std::vector<TrustLine> ClientLedger(ProjectionReader& reader, std::string_view client,
                                    std::optional<std::uint64_t> as_of_seq) {
  const std::string prefix = ClientLinePrefix(client);
  std::vector<TrustLine> out;
  ScanLines(reader, prefix, PrefixEnd(prefix), as_of_seq,
            [&](TrustLine line) { out.push_back(std::move(line)); });
  return out;
}

std::vector<TrustTotals> MatterTotals(ProjectionReader& reader, std::string_view client,
                                      std::string_view matter,
                                      std::optional<std::uint64_t> as_of_seq) {
  if (as_of_seq) return FoldTotals(reader, LinePrefix(client, matter), as_of_seq, true);
  std::string prefix = "m/";
  PutKeyString(prefix, client);
  PutKeyString(prefix, matter);
  return ScanTotals(reader, prefix);
}

std::vector<TrustTotals> ClientTotals(ProjectionReader& reader, std::string_view client,
                                      std::optional<std::uint64_t> as_of_seq) {
  if (as_of_seq) {
    return FoldTotals(reader, ClientLinePrefix(client), as_of_seq, false);
  }
  return ScanTotals(reader, ClientKey(client, std::nullopt));
}

std::vector<TrustTotals> NegativeMatters(ProjectionReader& reader,
                                         std::optional<std::uint64_t> as_of_seq) {
  if (!as_of_seq) return ScanTotals(reader, "n/");
  std::vector<TrustTotals> out;
  for (TrustTotals& t : FoldTotals(reader, "l/", as_of_seq, true)) {
    if (IsNegative(t)) out.push_back(std::move(t));
  }
  return out;
}

std::vector<TrustGlLine> TrustGeneralLedger(ProjectionReader& reader, std::uint64_t from_seq,
                                            std::optional<std::uint64_t> as_of_seq,
                                            std::size_t limit_lines) {
  std::vector<TrustGlLine> out;
  if (limit_lines == 0) return out;
  const std::string to =
      as_of_seq && *as_of_seq < kSeqMax ? GlKey(*as_of_seq + 1) : PrefixEnd("g/");
  std::string from = GlKey(from_seq);
  while (out.size() < limit_lines) {
    auto page = reader.Scan(from, to, std::min(kScanPageRows, limit_lines - out.size()));
    for (const auto& [key, value] : page) {
      RowReader r(value);
      TrustGlLine g;
      g.seq = r.U64(), g.occurred_at_ns = r.I64(), g.client_id = r.Bytes();
      g.matter_id = r.Bytes();
      const std::uint8_t kind = r.U8();
      g.txn_id = r.Bytes(), g.asset = static_cast<Asset>(r.U8()), g.amount_minor = r.U128();
      g.bank_trust_balance = r.Signed();
      if (!r.Done() || kind < 1 || kind > 5) continue;
      g.kind = static_cast<TrustLineKind>(kind);
      out.push_back(std::move(g));
    }
    if (page.size() < kScanPageRows) break;
    from = page.back().first;
    from.push_back('\0');
  }
  return out;
}

std::optional<TrustLine> TrustLineAt(ProjectionReader& reader, std::string_view client,
                                     std::string_view matter, std::uint64_t seq) {
  const auto row = reader.Get(LineKey(client, matter, seq));
  if (!row) return std::nullopt;
  std::optional<TrustLine> line = DecodeTrustLine(*row);
  if (line) line->client_id = std::string(client), line->matter_id = std::string(matter);
  return line;
}

// --- JSON ---

namespace {

void AppendTotalsJson(std::string& out, const TrustTotals& t) {
  const Asset a = t.asset;
  out += "{\"client\":";
  AppendJsonString(out, t.client_id);
  out += ",\"matter\":";
  AppendJsonString(out, t.matter_id);
  out += ",\"asset\":";
  AppendJsonString(out, AssetString(a));
  const std::pair<const char*, std::string> fields[] = {
      {"deposits", AmountString(a, t.deposits_minor)},
      {"cleared", AmountString(a, t.cleared_minor)},
      {"disbursements", AmountString(a, t.disbursements_minor)},
      {"fee_transfers", AmountString(a, t.fee_transfers_minor)},
      {"refunds_to_client", AmountString(a, t.refunds_to_client_minor)},
      {"balance", SignedString(a, t.balance)},
      {"cleared_balance", SignedString(a, t.cleared_balance)},
  };
  for (const auto& [name, value] : fields) {
    out += ",\"";
    out += name;
    out += "\":";
    AppendJsonString(out, value);
  }
  out += ",\"lines\":" + std::to_string(t.line_count);
  out += ",\"last_seq\":" + std::to_string(t.last_seq) + "}";
}

void AppendLineJson(std::string& out, const TrustLine& l) {
  out += "{\"seq\":" + std::to_string(l.seq) + ",\"date\":\"" + l.date() + "\",\"matter\":";
  AppendJsonString(out, l.matter_id);
  out += ",\"reference\":";
  AppendJsonString(out, l.reference);
  out += ",\"counterparty\":";
  AppendJsonString(out, l.counterparty);
  out += ",\"purpose\":";
  AppendJsonString(out, l.purpose);
  out += ",\"kind\":\"" + std::string(TrustLineKindName(l.kind)) + "\",\"txn_id\":";
  AppendJsonString(out, l.txn_id);
  out += ",\"asset\":";
  AppendJsonString(out, AssetString(l.asset));
  out += ",\"amount\":\"" + AmountString(l.asset, l.amount_minor) + "\"";
  out += ",\"running_balance\":\"" + SignedString(l.asset, l.running_balance) + "\"";
  out += std::string(",\"cleared\":") + (l.cleared ? "true" : "false");
  out += ",\"running_cleared_balance\":\"" + SignedString(l.asset, l.running_cleared_balance);
  out += "\"}";
}

template <class T, class Fn>
void AppendArray(std::string& out, const std::vector<T>& items, Fn&& one) {
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    one(out, items[i]);
  }
  out.push_back(']');
}

}  // namespace

std::string TrustLedgerJson(std::string_view client, std::string_view matter,
                            const std::vector<TrustLine>& lines,
                            const std::vector<TrustTotals>& totals,
                            std::optional<std::uint64_t> as_of_seq) {
  std::string out = "{\"client\":";
  AppendJsonString(out, client);
  out += ",\"matter\":";
  if (matter.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, matter);
  }
  out += ",\"as_of_seq\":" + (as_of_seq ? std::to_string(*as_of_seq) : std::string("null"));
  out += ",\"lines\":";
  AppendArray(out, lines, AppendLineJson);
  out += ",\"totals\":";
  AppendArray(out, totals, AppendTotalsJson);
  out += "}";
  return out;
}

std::string TrustTotalsJson(const std::vector<TrustTotals>& totals) {
  std::string out;
  AppendArray(out, totals, AppendTotalsJson);
  return out;
}

std::string TrustGeneralLedgerJson(const std::vector<TrustGlLine>& lines) {
  std::string out;
  AppendArray(out, lines, [](std::string& o, const TrustGlLine& g) {
    o += "{\"seq\":" + std::to_string(g.seq) + ",\"date\":\"" +
         DayKeyString(domain::ShanghaiDayKey(g.occurred_at_ns)) + "\",\"client\":";
    AppendJsonString(o, g.client_id);
    o += ",\"matter\":";
    AppendJsonString(o, g.matter_id);
    o += ",\"kind\":\"" + std::string(TrustLineKindName(g.kind)) + "\",\"txn_id\":";
    AppendJsonString(o, g.txn_id);
    o += ",\"asset\":";
    AppendJsonString(o, AssetString(g.asset));
    o += ",\"amount\":\"" + AmountString(g.asset, g.amount_minor) + "\"";
    o += ",\"bank_trust_balance\":\"" + SignedString(g.asset, g.bank_trust_balance) + "\"}";
  });
  return out;
}

}  // namespace folio::projections
