#include "adapters/reconciliation/import.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>

#include <boost/json.hpp>

#include "adapters/reconciliation/matcher.h"
#include "adapters/reconciliation/statement_set.h"
#include "adapters/statements/zip_archive.h"
#include "engine/domain/civil_time.h"
#include "engine/domain/methods.h"
#include "events/codes.h"

namespace folio::reconciliation {
namespace {

using Clk = std::chrono::steady_clock;
double Seconds(Clk::time_point a) { return std::chrono::duration<double>(Clk::now() - a).count(); }

constexpr std::int64_t kDayNs = 86'400'000'000'000;
// 00:00 Asia/Shanghai of the day holding `ns`.
std::int64_t ShanghaiDayStart(std::int64_t ns) {
  return domain::ShanghaiDayStartNs(domain::ShanghaiDate(ns));
}

LedgerScope ScopeOf(statements::Source s) {
  if (s == statements::Source::kAlipay) return LedgerScope::kAlipay;
  if (s == statements::Source::kWechatPay) return LedgerScope::kWechatPay;
  if (s == statements::Source::kUnionPay) return LedgerScope::kUnionPay;
  return LedgerScope::kTrustBank;
}

fb::StatementSource FbSource(statements::Source s) {
  switch (s) {
    case statements::Source::kAlipay:
      return fb::StatementSource::Alipay;
    case statements::Source::kWechatPay:
      return fb::StatementSource::WechatPay;
    case statements::Source::kCamt053:
      return fb::StatementSource::Camt053;
    case statements::Source::kMt940:
      return fb::StatementSource::Mt940;
    case statements::Source::kCsv:
      return fb::StatementSource::Csv;
    case statements::Source::kUnionPay:
      return fb::StatementSource::UnionPay;
  }
  return fb::StatementSource::Unknown;
}

std::string DefaultAccount(statements::Source s) {
  // The account the domain's postings use for the method (postings.cc).
  if (s == statements::Source::kAlipay) {
    return "clearing:" + std::string(domain::MethodName(fb::Method::Alipay));
  }
  if (s == statements::Source::kWechatPay) {
    return "clearing:" + std::string(domain::MethodName(fb::Method::WechatPay));
  }
  if (s == statements::Source::kUnionPay) {
    return "clearing:" + std::string(domain::MethodName(fb::Method::UnionPay));
  }
  return "bank:trust";
}

void Summarize(const recon::RunState& st, ImportResult* r) {
  r->lines = st.line_count;
  r->statements = st.statements;
  r->matched = st.matched;
  for (const auto& [id, d] : st.discrepancies)
    ++r->discrepancies[std::string(recon::DiscrepancyKindName(d.kind))];
  r->as_of_seq = st.as_of_seq;
}

// Appends a run's commands in order, a few in flight at once.
class RunAppender {
 public:
  RunAppender(Writer& writer, recon::RunState& state, std::string run_id, std::string actor,
              std::int64_t now_ns)
      : writer_(writer),
        state_(state),
        run_id_(std::move(run_id)),
        actor_(std::move(actor)),
        now_ns_(now_ns),
        skip_events_(state.version) {}

  // Decides and submits; skips a command whose events are already in the
  // stream (resume after a crash).
  Status Run(const recon::ReconCommand& cmd, std::uint64_t event_count) {
    const std::uint64_t index = next_index_++;
    if (skip_events_ >= event_count) {
      skip_events_ -= event_count;
      return OkStatus();
    }
    domain::CommandContext ctx;
    ctx.actor = actor_;
    ctx.now_ns = now_ns_;
    ctx.idempotency_key = run_id_ + ":" + std::to_string(index);
    ctx.idempotency_scope = "recon";
    ctx.request_fingerprint = recon::ReconFingerprint(cmd);
    ctx.correlation_id = run_id_;
    domain::Decision d = recon::DecideRecon(state_, cmd, ctx);
    if (auto* rej = std::get_if<domain::Rejection>(&d)) {
      return Status::Error(rej->code, rej->message);
    }
    AppendRequest req;
    req.stream_id = recon::RunStream(run_id_);
    req.expected_version = state_.version == 0 ? kNoStream : state_.version;
    req.idempotency_scope = ctx.idempotency_scope;
    req.idempotency_key = ctx.idempotency_key;
    req.fingerprint = ctx.request_fingerprint;
    req.envelopes = std::move(std::get<domain::Events>(d));
    for (const std::string& e : req.envelopes)
      recon::ApplyRecon(state_, *fb::GetEnvelope(e.data()));
    events_ += req.envelopes.size();
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return in_flight_ < kInFlightMax || !error_.ok(); });
    if (!error_.ok()) return error_;
    ++in_flight_;
    lock.unlock();
    writer_.Submit(std::move(req), [this](const AppendOutcome& out) {
      std::lock_guard g(mu_);
      --in_flight_;
      if (!out.status.ok() && error_.ok()) error_ = out.status;
      cv_.notify_all();
    });
    return OkStatus();
  }

  Status Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return in_flight_ == 0; });
    return error_;
  }
  std::uint64_t events() const { return events_; }

 private:
  static constexpr int kInFlightMax = 4;
  Writer& writer_;
  recon::RunState& state_;
  std::string run_id_, actor_;
  std::int64_t now_ns_;
  std::uint64_t skip_events_;
  std::uint64_t next_index_ = 0, events_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  Status error_;
};

Status AppendRun(RunAppender& app, const recon::ReconStart& start, const Matcher& m,
                 const std::vector<LedgerItem>& items) {
  RETURN_IF_ERROR(app.Run(start, 2));
  recon::ReconRecord rec;
  rec.run_id = start.run_id;
  auto flush = [&]() -> Status {
    if (rec.matches.empty() && rec.discrepancies.empty()) return OkStatus();
    const std::uint64_t n = rec.matches.size() + rec.discrepancies.size();
    Status s = app.Run(rec, n);
    rec.matches.clear();
    rec.discrepancies.clear();
    return s;
  };
  for (const MatchRecord& mr : m.matches()) {
    const LedgerItem& it = items[mr.item];
    rec.matches.push_back(recon::ReconMatch{
        mr.line_no, it.id, mr.statement_ref.empty() ? it.gateway_ref : mr.statement_ref, it.amount,
        std::string(RuleName(mr.rule))});
    if (rec.matches.size() == recon::kRecordItemsMax) RETURN_IF_ERROR(flush());
  }
  RETURN_IF_ERROR(flush());
  for (const recon::ReconDiscrepancy& d : m.discrepancies()) {
    rec.discrepancies.push_back(d);
    if (rec.discrepancies.size() == recon::kRecordItemsMax) RETURN_IF_ERROR(flush());
  }
  RETURN_IF_ERROR(flush());
  const Asset a = m.asset() == Asset::Unknown ? Asset::CNY : m.asset();
  const MatchTotals& t = m.totals();
  recon::ReconComplete done{start.run_id,
                            Money(a, t.statement_credits),
                            Money(a, t.statement_debits),
                            Money(a, t.ledger_credits),
                            Money(a, t.ledger_debits),
                            Money(a, t.matched)};
  return app.Run(done, 1);
}

}  // namespace

Result<Hash32> FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(codes::kIoError, "cannot open " + path);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize n = in.gcount();
    if (n > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(n));
  }
  if (in.bad()) return Status::Error(codes::kIoError, "reading " + path);
  Hash32 h{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), h.data(), &len);
  return h;
}

Result<recon::RunState> LoadRun(const LogStore& store, std::string_view run_id) {
  recon::RunState st;
  const std::string stream = recon::RunStream(run_id);
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<EventRecord> page, store.ReadStream(stream, st.version + 1, 4096));
    if (page.empty()) break;
    for (const EventRecord& r : page) recon::ApplyRecon(st, r.env());
  }
  if (st.version == 0) return Status::Error(recon::rejections::kRunNotFound, std::string(run_id));
  return st;
}

Result<ImportResult> ImportStatement(LogStore& store, Writer& writer, const ImportOptions& opts) {
  ImportResult r;
  for (auto k : {fb::DiscrepancyKind::MissingInLedger, fb::DiscrepancyKind::MissingInStatement,
                 fb::DiscrepancyKind::AmountMismatch, fb::DiscrepancyKind::StatusMismatch,
                 fb::DiscrepancyKind::FeeMismatch, fb::DiscrepancyKind::Duplicate,
                 fb::DiscrepancyKind::Timing, fb::DiscrepancyKind::StatementInconsistent,
                 fb::DiscrepancyKind::CurrencyNotHeld, fb::DiscrepancyKind::NotBooked}) {
    r.discrepancies[std::string(recon::DiscrepancyKindName(k))] = 0;
  }
  std::vector<std::string> paths{opts.path};
  paths.insert(paths.end(), opts.more_paths.begin(), opts.more_paths.end());
  ASSIGN_OR_RETURN(Hash32 sha, SetSha256(paths));
  r.statement_id = ToHex(sha);
  r.run_id = std::string(statements::SourceName(opts.source)) + "-" + r.statement_id.substr(0, 16);
  r.account = opts.account.empty() ? DefaultAccount(opts.source) : opts.account;
  recon::RunState st;
  if (auto loaded = LoadRun(store, r.run_id); loaded.ok()) {
    st = std::move(loaded).value();
  } else if (loaded.status().code() != recon::rejections::kRunNotFound) {
    return loaded.status();
  }
  if (st.completed) {
    Summarize(st, &r);
    r.replayed = true;
    return r;
  }
  StatementSet files;
  // The day asked for is the settle date of a file whose times name no year (UnionPay).
  RETURN_IF_ERROR(files.Open(opts.source, paths, opts.period_start_ns));
  // Pass 1: validate the whole file and learn its period before any write.
  std::int64_t first_ns = INT64_MAX, last_ns = INT64_MIN;
  const auto t0 = Clk::now();
  ASSIGN_OR_RETURN(statements::Header header, files.Parse([&](const statements::Line& l) {
    first_ns = std::min(first_ns, l.booked_at_ns);
    last_ns = std::max(last_ns, l.booked_at_ns);
    return OkStatus();
  }));
  if (header.period_start_ns == 0 && header.period_end_ns == 0 &&
      opts.period_end_ns > opts.period_start_ns) {
    header.period_start_ns = opts.period_start_ns;
    header.period_end_ns = opts.period_end_ns;
  }
  if (header.period_start_ns == 0 && header.period_end_ns == 0 && header.lines > 0) {
    header.period_start_ns = ShanghaiDayStart(first_ns);
    header.period_end_ns = ShanghaiDayStart(last_ns) + kDayNs;
  }
  const double validate_s = Seconds(t0);
  const auto t1 = Clk::now();
  ASSIGN_OR_RETURN(LedgerSnapshot ledger,
                   ReadLedgerItems(store, ScopeOf(opts.source), st.exists ? st.as_of_seq : 0));
  r.ledger_read_s = Seconds(t1);
  const auto t2 = Clk::now();
  MatchOptions mo;
  mo.period_start_ns = header.period_start_ns;
  mo.period_end_ns = header.period_end_ns;
  mo.amount_window_ns = opts.amount_window_ns;
  mo.compare_fees = ScopeOf(opts.source) != LedgerScope::kTrustBank;
  Matcher matcher(&ledger.items, mo);
  ASSIGN_OR_RETURN(statements::Header again, files.Parse([&](const statements::Line& l) {
    matcher.Add(l);
    return OkStatus();
  }));
  (void)again;
  for (const statements::StatementCheck& c : header.checks) matcher.AddCheck(c);
  matcher.Finish();
  r.parse_match_s = validate_s + Seconds(t2);

  const auto t3 = Clk::now();
  const Clock* clock = opts.clock != nullptr ? opts.clock : SystemClock::Default();
  recon::ReconStart start;
  start.run_id = r.run_id;
  start.statement_id = r.statement_id;
  start.source = FbSource(opts.source);
  start.account = r.account;
  start.statement_account = header.account;
  start.period_start_ns = header.period_start_ns;
  start.period_end_ns = header.period_end_ns;
  start.file_sha256 = sha;
  const Asset a = header.asset == Asset::Unknown ? Asset::CNY : header.asset;
  auto held = [&](const statements::Amount& m) {
    auto money = header.has_balances ? m.ToMoney() : std::nullopt;
    return money ? *money : Money(a, 0);
  };
  start.opening = held(header.opening);
  start.closing = held(header.closing);
  start.currency = header.currency;
  if (header.has_balances) {
    start.opening_text = (header.opening_is_debit ? "-" : "") + header.opening.ToDisplay();
    start.closing_text = (header.closing_is_debit ? "-" : "") + header.closing.ToDisplay();
  }
  start.statements = header.statements;
  start.line_count = header.lines;
  start.as_of_seq = ledger.as_of_seq;
  RunAppender app(writer, st, r.run_id, opts.actor, clock->NowNs());
  Status s = AppendRun(app, start, matcher, ledger.items);
  Status w = app.Wait();
  RETURN_IF_ERROR(s);
  RETURN_IF_ERROR(w);
  r.append_s = Seconds(t3);
  r.events = app.events();
  Summarize(st, &r);
  return r;
}

Result<AppendOutcome> ResolveDiscrepancy(LogStore& store, Writer& writer,
                                         const recon::ReconResolve& resolve,
                                         const std::string& actor, const Clock* clock) {
  ASSIGN_OR_RETURN(recon::RunState st, LoadRun(store, resolve.run_id));
  domain::CommandContext ctx;
  ctx.actor = actor;
  ctx.now_ns = (clock != nullptr ? clock : SystemClock::Default())->NowNs();
  ctx.idempotency_key = resolve.run_id + ":resolve:" + resolve.discrepancy_id;
  ctx.idempotency_scope = "recon";
  ctx.request_fingerprint = recon::ReconFingerprint(resolve);
  ctx.correlation_id = resolve.run_id;
  domain::Decision d = recon::DecideRecon(st, resolve, ctx);
  if (auto* rej = std::get_if<domain::Rejection>(&d)) return Status::Error(rej->code, rej->message);
  AppendRequest req;
  req.stream_id = recon::RunStream(resolve.run_id);
  req.expected_version = st.version;
  req.idempotency_scope = ctx.idempotency_scope;
  req.idempotency_key = ctx.idempotency_key;
  req.fingerprint = ctx.request_fingerprint;
  req.envelopes = std::move(std::get<domain::Events>(d));
  AppendOutcome out = writer.Append(std::move(req));
  if (!out.status.ok()) return out.status;
  return out;
}

std::string ImportResultJson(const ImportResult& r) {
  boost::json::object j;
  j["run_id"] = r.run_id;
  j["statement_id"] = r.statement_id;
  j["account"] = r.account;
  j["lines"] = r.lines;
  j["matched"] = r.matched;
  j["statements"] = r.statements;
  boost::json::object d;
  for (const auto& [k, v] : r.discrepancies) d[k] = v;
  j["discrepancies"] = std::move(d);
  j["replayed"] = r.replayed;
  j["as_of_seq"] = r.as_of_seq;
  return boost::json::serialize(j);
}

}  // namespace folio::reconciliation
