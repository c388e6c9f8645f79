// folio sandbox: the sandbox gateway process (adapters/http/sandbox_process.h).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <fstream>

#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "adapters/http/client.h"
#include "adapters/http/sandbox_process.h"
#include "events/codes.h"

namespace folio::cli {
namespace {

constexpr const char* kSandboxHelp =
    R"(Usage: folio sandbox [--listen 127.0.0.1:9300] [--write-config FILE] [--seed N]
                     [--fail-permille N] [--drop-permille N] [--duplicate-permille N]
                     [--error-permille N] [--timeout-permille N] [--bad-sign-permille N]
                     [--paid-after-close] [--bill-extra-row] [--pay-after-ms N]
                     [--notify-delay-ms N]

Plays Alipay (OpenAPI /gateway.do), WeChat Pay (API v3 /v3/...) and UnionPay
(ACP 5.1.0 /gateway/api/...) on --listen, with their real request formats and
signature schemes and keys generated at start. Trades it is asked to create
are paid after --pay-after-ms (default 300), or fail (--fail-permille of
them, default 100); it then sends the signed notification to the notify URL
the merchant gave, retrying until acknowledged. Refunds are made once per
request number. The bill calls (Alipay bill_date, WeChat Pay trade bill) point
to GET /sandbox/bills/{alipay|wechatpay}/YYYY-MM-DD: that day's payments and
refunds (Asia/Shanghai) in the gateway's bill layout, with the fees Folio's
ledger expects.

  --write-config FILE  write the gateway file `folio serve --gateways FILE`
                needs to call this sandbox and verify its notifications
                (both sides' keys: sandbox use only)
  --seed N      decides which trades fail (default 20261207)
  Fault switches, each out of 1000 (default 0), also settable while running
  with PUT /sandbox/faults:
  --error-permille N      answer API calls 503 without processing them
  --timeout-permille N    process API calls but never answer
  --bad-sign-permille N   sign answers with a wrong key
  --drop-permille N       lose a notification delivery (it is retried)
  --duplicate-permille N  deliver a notification twice
  --notify-delay-ms N     hold every notification this long before its first delivery
  --paid-after-close      a pending trade closed by the merchant is paid anyway
  --bill-extra-row        every bill also holds a 1.00 CNY payment nobody asked for
                          (SANDBOX-EXTRA-<date>): a reconciliation must find it

GET /sandbox/stats and /sandbox/trades show what it did. Prints
"folio sandbox: listening on URL" once ready; stops on SIGTERM or Ctrl-C.
Exit status: 0 after a clean stop, 2 usage, 3 cannot listen or write FILE.
)";

}  // namespace

int RunSandbox(const Argv& argv) {
  auto args =
      Args::Parse(argv, {{"listen", "write-config", "seed", "fail-permille", "drop-permille",
                          "duplicate-permille", "error-permille", "timeout-permille",
                          "bad-sign-permille", "pay-after-ms", "notify-delay-ms"},
                         {"paid-after-close", "bill-extra-row"}});
  auto usage = [](const Status& s) {
    ReportError(s);
    std::fputs(kSandboxHelp, stderr);
    return 2;
  };
  if (!args.ok()) return usage(args.status());
  if (args->help()) return std::fputs(kSandboxHelp, stdout), 0;
  auto hp = http::ParseHostPort(args->GetOr("listen", "127.0.0.1:9300"));
  if (!hp.ok()) return usage(hp.status());
  http::SandboxServerOptions opts;
  opts.address = hp->first == "localhost" ? "127.0.0.1" : hp->first;
  opts.port = hp->second;
  auto seed = args->GetU64("seed", opts.seed);
  if (!seed.ok()) return usage(seed.status());
  opts.seed = *seed;
  struct Rate {
    const char* flag;
    unsigned* slot;
  };
  opts.faults.fail_permille = 100;
  for (Rate r : {Rate{"fail-permille", &opts.faults.fail_permille},
                 Rate{"drop-permille", &opts.faults.drop_notify_permille},
                 Rate{"duplicate-permille", &opts.faults.duplicate_notify_permille},
                 Rate{"error-permille", &opts.faults.error_5xx_permille},
                 Rate{"timeout-permille", &opts.faults.timeout_permille},
                 Rate{"bad-sign-permille", &opts.faults.bad_sign_permille}}) {
    auto v = args->GetU64(r.flag, *r.slot);
    if (!v.ok() || *v > 1000) {
      return usage(
          Status::Error(codes::kInvalidArgument, std::string("--") + r.flag + " must be 0..1000"));
    }
    *r.slot = static_cast<unsigned>(*v);
  }
  auto pay_after = args->GetU64("pay-after-ms", 300);
  if (!pay_after.ok()) return usage(pay_after.status());
  opts.faults.pay_after = std::chrono::milliseconds(*pay_after);
  opts.faults.paid_after_close = args->Has("paid-after-close");
  opts.faults.bill_extra_row = args->Has("bill-extra-row");
  auto delay = args->GetU64("notify-delay-ms", 0);
  if (!delay.ok()) return usage(delay.status());
  opts.faults.notify_delay = std::chrono::milliseconds(*delay);

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  auto server = http::SandboxServer::Start(opts, http::SandboxIdentity::Generate(now_s));
  if (!server.ok()) return ReportError(server.status()), 3;
  const std::string url = (*server)->base_url();
  if (auto file = args->Get("write-config")) {
    const std::string tmp = *file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << http::ServerGatewayFile((*server)->identity(), url) << "\n";
      if (!out) {
        ReportError(Status::Error(codes::kIoError, "cannot write " + *file));
        return 3;
      }
    }
    std::rename(tmp.c_str(), file->c_str());  // whole or not at all
  }
  std::printf("folio sandbox: listening on %s\n", url.c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*server)->Stop();
  const auto st = (*server)->stats();
  std::fprintf(stderr,
               "folio sandbox: stopped: %llu trades (%llu paid, %llu failed), %llu refunds made, "
               "%llu notifications acknowledged\n",
               static_cast<unsigned long long>(st.book.trades),
               static_cast<unsigned long long>(st.book.paid),
               static_cast<unsigned long long>(st.book.failed),
               static_cast<unsigned long long>(st.book.refunds_made),
               static_cast<unsigned long long>(st.notifications));
  return 0;
}

}  // namespace folio::cli
