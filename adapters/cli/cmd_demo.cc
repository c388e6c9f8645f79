// folio demo and folio torture: small writers over the raw log.
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "engine/verify.h"
#include "engine/writer.h"
#include "events/codes.h"
#include "events/money.h"

namespace folio::cli {
namespace {

constexpr const char* kDemoHelp = R"(Usage: folio demo [--data DIR]

Appends a small history (payments in several methods, a refund, a credit, a
trust deposit and a disbursement) to the log in DIR (default ./data/demo),
verifies the whole log and prints its head. Safe to run again: every append
carries an idempotency key, so a second run appends nothing.
)";

constexpr const char* kTortureHelp = R"(Usage: folio torture --data DIR [--submitters K]

Appends forever from K threads (default 4). After each append is durable it
prints "<seq> <stream> <version>" on stdout. The crash tests kill it with
SIGKILL at random moments and check that every printed event survived.
)";

using Build = std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)>;

struct DemoEvent {
  const char* stream;
  fb::Event type;
  Build build;
};

fb::Money Cny(const char* amount) { return Money::Parse(amount, Asset::CNY)->ToFb(); }

std::vector<DemoEvent> DemoHistory() {
  using B = flatbuffers::FlatBufferBuilder;
  static const fb::Money k100 = Cny("100.00"), k060 = Cny("0.60"), k40 = Cny("40.00"),
                         k5000 = Cny("5000.00"), k1200 = Cny("1200.00"), k50 = Cny("50.00");
  static const fb::Money kUsdt = Money::Parse("250.000000", Asset::USDT)->ToFb();
  static const fb::Money kUsdtFee = Money::Parse("1.000000", Asset::USDT)->ToFb();
  return {
      {"payment:p1", fb::Event::PaymentCreated,
       [](B& b) {
         return fb::CreatePaymentCreatedDirect(b, "p1", "c1", "o1", nullptr, fb::Method::Alipay,
                                               nullptr, &k100, &k060)
             .Union();
       }},
      {"payment:p1", fb::Event::PaymentSettled,
       [](B& b) {
         return fb::CreatePaymentSettledDirect(b, "p1", "2026112122001", &k100, &k060, &k060)
             .Union();
       }},
      {"payment:p1", fb::Event::RefundRequested,
       [](B& b) { return fb::CreateRefundRequestedDirect(b, "r1", "p1", &k40).Union(); }},
      {"payment:p1", fb::Event::RefundSucceeded,
       [](B& b) { return fb::CreateRefundSucceededDirect(b, "r1", "p1", &k40, "RF-1").Union(); }},
      {"payment:p2", fb::Event::PaymentCreated,
       [](B& b) {
         return fb::CreatePaymentCreatedDirect(b, "p2", "c2", "o2", nullptr, fb::Method::UsdtTrc20,
                                               "TRC20", &kUsdt, &kUsdtFee)
             .Union();
       }},
      {"credit:cr1", fb::Event::CreditIssued,
       [](B& b) {
         return fb::CreateCreditIssuedDirect(b, "cr1", "c1", &k50, 0, nullptr, "goodwill").Union();
       }},
      {"trust:cl1:m1", fb::Event::TrustDepositRecorded,
       [](B& b) {
         return fb::CreateTrustDepositRecordedDirect(b, "t1", "cl1", "m1", &k5000,
                                                     fb::Method::BankTransfer, "BANK-1",
                                                     "张三 (client)")
             .Union();
       }},
      {"trust:cl1:m1", fb::Event::TrustDisbursementRecorded,
       [](B& b) {
         return fb::CreateTrustDisbursementRecordedDirect(b, "d1", "cl1", "m1", &k1200, "Court",
                                                          "filing fee")
             .Union();
       }},
  };
}

}  // namespace

int RunDemo(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data"}, {}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kDemoHelp, stderr), 2;
  if (args->help()) return std::fputs(kDemoHelp, stdout), 0;
  std::string dir = args->GetOr("data", "data/demo");
  std::filesystem::create_directories(dir);
  auto store = LogStore::Open(dir);
  if (!store.ok()) return ReportError(store.status()), 3;
  auto writer = Writer::Start(store->get());
  if (!writer.ok()) return ReportError(writer.status());
  int appended = 0, replayed = 0;
  int n = 0;
  for (const DemoEvent& e : DemoHistory()) {
    AppendRequest r;
    r.stream_id = e.stream;
    r.idempotency_scope = "demo";
    r.idempotency_key = "demo-" + std::to_string(++n);
    r.fingerprint = Sha256({reinterpret_cast<const std::uint8_t*>(r.idempotency_key.data()),
                            r.idempotency_key.size()});
    EnvelopeMeta meta;
    meta.stream_id = e.stream;
    meta.actor = "demo";
    meta.idempotency_key = r.idempotency_key;
    r.envelopes.push_back(EncodeEnvelope(meta, e.type, e.build));
    AppendOutcome o = (*writer)->Append(std::move(r));
    if (!o.status.ok()) return ReportError(o.status);
    (o.replayed ? replayed : appended)++;
  }
  (*writer)->Stop();
  auto report = VerifyLog(**store);
  if (!report.ok()) return ReportError(report.status());
  std::printf("demo log in %s: %d events appended, %d already there (idempotent)\n", dir.c_str(),
              appended, replayed);
  std::printf("verify: %s, %llu events, head seq %llu, head hash %s\n",
              report->ok ? "ok" : report->reason.c_str(),
              static_cast<unsigned long long>(report->events),
              static_cast<unsigned long long>(report->head_seq), ToHex(report->head_hash).c_str());
  std::printf("try:  folio inspect --data %s --limit 3\n      folio verify --data %s --json\n",
              dir.c_str(), dir.c_str());
  return report->ok ? 0 : 1;
}

int RunTorture(const Argv& argv) {
  auto args = Args::Parse(argv, {{"data", "submitters"}, {}});
  if (!args.ok()) return ReportError(args.status()), std::fputs(kTortureHelp, stderr), 2;
  if (args->help()) return std::fputs(kTortureHelp, stdout), 0;
  auto dir = args->Get("data");
  auto submitters = args->GetU64("submitters", 4);
  if (!dir || !submitters.ok() || *submitters == 0) {
    ReportError(Status::Error(codes::kInvalidArgument, "--data DIR is required, --submitters > 0"));
    return 2;
  }
  auto store = LogStore::Open(*dir);
  if (!store.ok()) return ReportError(store.status()), 3;
  auto writer = Writer::Start(store->get());
  if (!writer.ok()) return ReportError(writer.status());
  std::mutex out_mu;
  std::vector<std::thread> threads;
  for (std::uint64_t t = 0; t < *submitters; ++t) {
    threads.emplace_back([&, t] {
      for (std::uint64_t i = 0;; ++i) {
        AppendRequest r;
        r.stream_id = "torture-" + std::to_string(t) + "-" + std::to_string(i % 97);
        EnvelopeMeta meta;
        meta.stream_id = r.stream_id;
        meta.actor = "torture";
        // Every third append carries two events: both or neither must survive.
        for (std::uint64_t k = 0; k < (i % 3 == 0 ? 2u : 1u); ++k) {
          r.envelopes.push_back(EncodeEnvelope(meta, fb::Event::PaymentBecameDue, [&](auto& b) {
            return fb::CreatePaymentBecameDueDirect(b, r.stream_id.c_str()).Union();
          }));
        }
        AppendOutcome o = (*writer)->Append(std::move(r));
        if (!o.status.ok()) {
          ReportError(o.status);
          std::_Exit(1);
        }
        std::lock_guard<std::mutex> lock(out_mu);
        std::printf("%llu torture-%llu-%llu %llu\n", static_cast<unsigned long long>(o.last_seq),
                    static_cast<unsigned long long>(t), static_cast<unsigned long long>(i % 97),
                    static_cast<unsigned long long>(o.stream_version));
        std::fflush(stdout);
      }
    });
  }
  for (auto& th : threads) th.join();  // never: torture runs until killed
  return 0;
}

}  // namespace folio::cli
