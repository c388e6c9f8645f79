#include "bench/recon_bench.h"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "adapters/reconciliation/import.h"
#include "adapters/statements/bill_writer.h"
#include "adapters/statements/text.h"
#include "bench/scratch_dir.h"
#include "engine/writer.h"

namespace folio::reconciliation {
namespace {

std::uint64_t ProcStatusKb(const char* key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0) return std::stoull(line.substr(std::string_view(key).size()));
  }
  return 0;
}

bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  return static_cast<bool>(out.flush());
}

std::string TxnId(std::uint64_t i) { return "42000" + std::to_string(10'000'000'000ULL + i); }
std::string PaymentId(std::uint64_t i) { return "p" + std::to_string(i); }
std::int64_t At(std::int64_t day0, std::uint64_t i) {
  return day0 + static_cast<std::int64_t>(i % 86'000) * 1'000'000'000 + 60'000'000'000;
}
u128 AmountOf(std::uint64_t i) { return 100 + (i * 7919) % 500'000; }
u128 FeeOf(u128 amount) { return (amount * 60 + 5000) / 10000; }

// Appends created + settled events for `n` payments, pipelined.
Status BuildLedger(Writer& w, std::uint64_t n, std::int64_t day0, const ReconBenchOptions& opts) {
  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t in_flight = 0;
  Status error;
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::string id = PaymentId(i), order = "ORD-" + id, txn = TxnId(i);
    const Money amount(Asset::CNY, AmountOf(i)), fee(Asset::CNY, FeeOf(AmountOf(i)));
    const fb::Money fa = amount.ToFb(), ff = fee.ToFb();
    EnvelopeMeta meta;
    meta.stream_id = "payment:" + id;
    meta.actor = "bench";
    meta.occurred_at_ns = At(day0, i) - 30'000'000'000;
    AppendRequest r;
    r.stream_id = meta.stream_id;
    r.expected_version = kNoStream;
    r.envelopes.push_back(EncodeEnvelope(meta, fb::Event::PaymentCreated, [&](auto& b) {
      return fb::CreatePaymentCreatedDirect(b, id.c_str(), "cust", order.c_str(), "",
                                            fb::Method::WechatPay, "", &fa)
          .Union();
    }));
    meta.occurred_at_ns = At(day0, i);
    r.envelopes.push_back(EncodeEnvelope(meta, fb::Event::PaymentSettled, [&](auto& b) {
      return fb::CreatePaymentSettledDirect(b, id.c_str(), txn.c_str(), &fa, &ff, &ff,
                                            fb::Method::WechatPay, fb::Destination::Operating,
                                            "cust", order.c_str())
          .Union();
    }));
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < 8192 || !error.ok(); });
      if (!error.ok()) return error;
      ++in_flight;
    }
    w.Submit(std::move(r), [&](const AppendOutcome& o) {
      std::lock_guard g(mu);
      --in_flight;
      if (!o.status.ok() && error.ok()) error = o.status;
      cv.notify_all();
    });
    if (opts.progress && i % 50'000 == 0) opts.progress("ledger", i, n);
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  return error;
}

// The bill: every payment, except that in each block of 1,000 one amount is
// off by 0.01, one fee differs, one payment is missing and one unknown line
// is added.
Result<std::uint64_t> WriteBill(const std::string& path, std::uint64_t n, std::int64_t day0,
                                const ReconBenchOptions& opts) {
  std::ofstream out(path, std::ios::binary);
  statements::BillMeta meta;
  statements::BillWriter w(statements::Source::kWechatPay, out, meta);
  w.Begin();
  statements::Line l;
  std::uint64_t rows = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t k = i % 1000;
    if (k == 3) continue;  // missing in the statement
    l.reference = TxnId(i);
    l.order_ref = "ORD-" + PaymentId(i);
    const u128 amount = AmountOf(i) + (k == 1 ? 1 : 0);
    l.amount = Money(Asset::CNY, amount);
    l.fee = Money(Asset::CNY, FeeOf(AmountOf(i)) + (k == 2 ? 1 : 0));
    l.booked_at_ns = At(day0, i) + 2'000'000'000;
    w.Row(l);
    ++rows;
    if (k == 4) {  // missing in the ledger
      l.reference = "49" + std::to_string(i);
      l.order_ref = "X" + std::to_string(i);
      l.amount = Money(Asset::CNY, 999'999'999);
      w.Row(l);
      ++rows;
    }
    if (opts.progress && i % 50'000 == 0) opts.progress("bill", i, n);
  }
  w.End();
  out.flush();
  if (!out) return Status::Error("io_error", "cannot write " + path);
  (void)rows;
  return static_cast<std::uint64_t>(std::filesystem::file_size(path));
}

}  // namespace

Result<ReconBenchResult> RunReconBench(const ReconBenchOptions& opts) {
  bench::ScratchDir dir(opts.data_dir);
  ReconBenchResult r;
  const std::int64_t day0 = *statements::ShanghaiMidnight(2026, 11, 1, 0);
  ASSIGN_OR_RETURN(auto store, LogStore::Open(dir.path() + "/log"));
  ASSIGN_OR_RETURN(auto writer, Writer::Start(store.get()));
  RETURN_IF_ERROR(BuildLedger(*writer, opts.lines, day0, opts));
  const std::string bill = dir.path() + "/wechatpay_20261101.csv";
  ASSIGN_OR_RETURN(r.bill_bytes, WriteBill(bill, opts.lines, day0, opts));
  if (opts.progress) opts.progress("import", 0, 1);
  r.rss_before_kb = ProcStatusKb("VmRSS:");
  r.rss_peak_reset = ResetPeakRss();
  ImportOptions io;
  io.source = statements::Source::kWechatPay;
  io.path = bill;
  io.actor = "bench";
  const auto t0 = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(ImportResult ir, ImportStatement(*store, *writer, io));
  r.total_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.rss_peak_kb = ProcStatusKb("VmHWM:");
  writer->Stop();
  r.lines = ir.lines;
  r.matched = ir.matched;
  for (const auto& [k, v] : ir.discrepancies) r.discrepancies += v;
  r.events_appended = ir.events;
  r.parse_match_seconds = ir.parse_match_s;
  r.ledger_read_seconds = ir.ledger_read_s;
  r.append_seconds = ir.append_s;
  r.lines_per_s = r.total_seconds > 0 ? static_cast<double>(r.lines) / r.total_seconds : 0;
  r.match_lines_per_s =
      r.parse_match_seconds > 0 ? static_cast<double>(r.lines) / r.parse_match_seconds : 0;
  return r;
}

}  // namespace folio::reconciliation
