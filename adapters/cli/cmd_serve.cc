// folio serve: the engine, the projections and the HTTP API in one process.
// folio keys: API keys in a key file.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <boost/json.hpp>

#include "adapters/alerts/alert_sinks.h"
#include "adapters/alerts/alerts_config.h"
#include "adapters/automation/alert_runner.h"
#include "adapters/automation/clock_ticker.h"
#include "adapters/automation/recon_scheduler.h"
#include "adapters/automation/serve_config.h"
#include "adapters/cli/args.h"
#include "adapters/cli/commands.h"
#include "adapters/cli/soak_process.h"
#include "adapters/http/api.h"
#include "adapters/http/client.h"
#include "adapters/http/engine_stack.h"
#include "adapters/http/gateway_clients.h"
#include "adapters/http/gateway_routes.h"
#include "adapters/http/sandbox_gateway.h"
#include "adapters/http/server.h"
#include "adapters/json/demo_history.h"
#include "adapters/kafka/relay.h"
#include "events/codes.h"

namespace folio::cli {
namespace {

constexpr const char* kServeHelp =
    R"(Usage: folio serve [--listen 127.0.0.1:8080] [--data DIR] [--keys FILE]
                   [--kafka-brokers B] [--topic-prefix P] [--gateways FILE]
                   [--config FILE] [--no-clock] [--sandbox] [--threads N] [--demo]

Runs Folio: the log in DIR (default ./data/serve; ./data/serve-demo with
--demo), the projections, and the HTTP API on --listen (docs/api.md). Every
mutating call needs an API key (Authorization: Bearer KEY) and an
Idempotency-Key header; its answer is sent once the outcome is on disk.

  --keys FILE   API keys, stored hashed (create them with `folio keys add`)
  --kafka-brokers B  mirror every event to Kafka at B (host:port,...); without
                it an in-process librdkafka mock cluster (3 brokers) is started
                and its bootstrap address printed (docs/kafka.md)
  --topic-prefix P   prefix of the folio.events topic
  --threads N   HTTP threads (default 2)
  --gateways FILE  the gateway file (JSON, docs/gateways.md): keys for the
                notification endpoints /v1/gateways/{alipay,wechatpay,unionpay,
                chain,generic}/notify and, under "api", the outbound calls:
                Folio then creates the trade at the gateway for every Alipay,
                WeChat Pay and UnionPay payment, sends refunds there, and
                polls what the notifications do not say
  --config FILE  what the server does by itself (JSON, docs/automation.md):
                its clock ("clock": tick_ms, default 1000), the daily
                reconciliation jobs ("reconciliation": a gateway's bill or a
                bank statement folder, at a local time) and the alert rules
  --no-clock    do not run the clock: time moves only by POST
                /v1/clock/advance (tests that drive time). Without it, every
                tick records clock.advance to now, so scheduled payments fall
                due and payments and credits expire by themselves
  --sandbox     run the old in-process sandbox gateway instead: fresh keys,
                QR codes for new Alipay / WeChat Pay / UnionPay / crypto
                payments, then signed notifications sent to this server
  --demo        start `folio sandbox` (the sandbox gateway process: Alipay,
                WeChat Pay and UnionPay over their own APIs) and call it as the
                gateways, play crypto confirmations in-process, accept the
                demo-only keys demo-operator, demo-auditor and demo-admin, load
                the demo history through the API, and print commands to try.
                Refuses to listen on anything but loopback.

Stops on SIGTERM or Ctrl-C: stops accepting, finishes the requests in flight,
then closes the log. Exit status: 0 after a clean stop, 2 usage, 3 cannot open
DIR or listen.
)";

constexpr const char* kKeysHelp =
    R"(Usage: folio keys add --keys FILE --name NAME --role operator|auditor|admin

Creates an API key, appends NAME, ROLE and the key's SHA-256 to FILE, and
prints the key once (it is not stored). NAME is recorded as the actor of every
event the key's requests produce.
)";

constexpr const char* kDemoKeys[][2] = {
    {"demo-operator", "operator"}, {"demo-auditor", "auditor"}, {"demo-admin", "admin"}};

int Usage(const Status& s, const char* help) {
  ReportError(s);
  std::fputs(help, stderr);
  return 2;
}

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.starts_with("127.");
}

// Runs the demo history through the API over a real socket.
Status LoadDemo(std::uint16_t port, std::size_t* accepted, std::size_t* rejected) {
  ASSIGN_OR_RETURN(auto client, http::HttpClient::Connect("127.0.0.1", port));
  std::istringstream in{std::string(json::DemoHistory())};
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ASSIGN_OR_RETURN(http::HttpCall call, http::CommandLineToHttp(line));
    const char* key = call.admin ? "demo-admin" : "demo-operator";
    ASSIGN_OR_RETURN(auto resp, client.Send(call.method, call.target, call.body,
                                            {{"Authorization", std::string("Bearer ") + key},
                                             {"Content-Type", "application/json"},
                                             {"Idempotency-Key", call.idempotency_key}}));
    if (resp.status >= 500) {
      return Status::Error(codes::kIoError, call.target + " answered " +
                                                std::to_string(resp.status) + ": " + resp.body);
    }
    (resp.status < 300 ? *accepted : *rejected)++;
  }
  return Status();
}

// Payments the sandbox gateway then pays (or fails) with signed notifications.
constexpr const char* kSandboxPayments = R"(
{"type":"payment.create","idempotency_key":"demo-gw-1","payment_id":"p-gw-1","customer_id":"c-zhang","order_id":"GW-2026-0001","method":"alipay","amount":"66.00","currency":"CNY"}
{"type":"payment.create","idempotency_key":"demo-gw-2","payment_id":"p-gw-2","customer_id":"c-li","order_id":"GW-2026-0002","method":"wechat_pay","amount":"128.00","currency":"CNY"}
{"type":"payment.create","idempotency_key":"demo-gw-3","payment_id":"PGW20260003","customer_id":"c-wang","order_id":"GW-2026-0003","method":"unionpay","amount":"256.00","currency":"CNY"}
{"type":"payment.create","idempotency_key":"demo-gw-4","payment_id":"p-gw-4","customer_id":"c-chen","order_id":"GW-2026-0004","method":"usdt_trc20","network":"TRC20","amount":"50.000000","currency":"USDT"}
)";

Status LoadSandboxPayments(std::uint16_t port) {
  ASSIGN_OR_RETURN(auto client, http::HttpClient::Connect("127.0.0.1", port));
  std::istringstream in{std::string(kSandboxPayments)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ASSIGN_OR_RETURN(http::HttpCall call, http::CommandLineToHttp(line));
    ASSIGN_OR_RETURN(auto resp, client.Send(call.method, call.target, call.body,
                                            {{"Authorization", "Bearer demo-operator"},
                                             {"Idempotency-Key", call.idempotency_key}}));
    if (resp.status >= 500) return Status::Error(codes::kIoError, resp.body);
  }
  return Status();
}

void PrintDemoBanner(const std::string& url, const std::string& brokers, std::size_t accepted,
                     std::size_t rejected, const std::string& sandbox_url) {
  std::printf(R"(
Folio is serving on %s with the demo data set
(%zu demo commands accepted, %zu refused by the rules on purpose).

Demo keys (demo only; `--demo` refuses to listen beyond loopback):
  demo-operator  commands and queries
  demo-auditor   read-only
  demo-admin     payment-method configuration and keys

Folio created the trades of p-gw-1 (Alipay), p-gw-2 (WeChat Pay) and
PGW20260003 (UnionPay) at the sandbox gateway process (`folio sandbox`) at
%s, which pays them and notifies Folio; p-gw-4 (USDT on TRC20)
gets its confirmations from the in-process chain sandbox. The sandbox's books:
  curl -s %s/sandbox/trades

Every event is mirrored to Kafka at %s:
  kcat -C -b %s -t folio.events -J -e

Try:
  curl -s %s/v1/payments/p-gw-1 -H 'Authorization: Bearer demo-auditor'
  curl -s '%s/v1/balances?account=clearing:alipay&asset=CNY' -H 'Authorization: Bearer demo-auditor'
  curl -s -X POST %s/v1/payments -H 'Authorization: Bearer demo-operator' \
       -H 'Idempotency-Key: try-1' -H 'Content-Type: application/json' \
       -d '{"payment_id":"p-try-1","customer_id":"c-you","order_id":"o-1","method":"alipay","amount":"88.00","currency":"CNY"}'

Stop with Ctrl-C.
)",
              url.c_str(), accepted, rejected, sandbox_url.c_str(), sandbox_url.c_str(),
              brokers.c_str(), brokers.c_str(), url.c_str(), url.c_str(), url.c_str());
  std::fflush(stdout);
}

}  // namespace

int RunServe(const Argv& argv) {
  auto args = Args::Parse(argv, {{"listen", "data", "keys", "threads", "gateways", "kafka-brokers",
                                  "topic-prefix", "config"},
                                 {"demo", "sandbox", "no-clock"}});
  if (!args.ok()) return Usage(args.status(), kServeHelp);
  if (args->help()) return std::fputs(kServeHelp, stdout), 0;
  const bool demo = args->Has("demo");
  auto hp = http::ParseHostPort(args->GetOr("listen", "127.0.0.1:8080"));
  if (!hp.ok()) return Usage(hp.status(), kServeHelp);
  if (demo && !IsLoopback(hp->first)) {
    return Usage(Status::Error(codes::kInvalidArgument,
                               "--demo accepts well-known keys and listens on loopback only"),
                 kServeHelp);
  }
  auto threads = args->GetU64("threads", 2);
  if (!threads.ok() || *threads == 0 || *threads > 64) {
    return Usage(Status::Error(codes::kInvalidArgument, "--threads must be 1..64"), kServeHelp);
  }
  const std::string dir = args->GetOr("data", demo ? "data/serve-demo" : "data/serve");
  automation::ServeConfig config;
  if (auto f = args->Get("config")) {
    auto loaded = automation::ServeConfig::Load(*f);
    if (!loaded.ok()) return Usage(loaded.status(), kServeHelp);
    config = std::move(*loaded);
  }
  if (args->Has("no-clock")) config.clock = false;
  auto alerts_config = alerts::AlertsConfig::FromJson(
      config.alerts.is_null() ? boost::json::value(boost::json::object{}) : config.alerts);
  if (!alerts_config.ok()) return Usage(alerts_config.status(), kServeHelp);

  std::unique_ptr<http::KeyStore> keys;
  if (auto f = args->Get("keys")) {
    auto loaded = http::KeyStore::Load(*f);
    if (!loaded.ok()) return ReportError(loaded.status()), 2;
    keys = std::move(*loaded);
  } else {
    keys = std::make_unique<http::KeyStore>();
  }
  if (demo) {
    for (auto& [k, role] : kDemoKeys) keys->Add(k, {k, *http::RoleFromName(role)});
  } else if (keys->size() == 0) {
    std::fprintf(stderr,
                 "folio serve: warning: no API keys (--keys FILE): every /v1 call will be "
                 "refused; create one with `folio keys add`\n");
  }

  // Signals are taken by sigwait below; every thread started from here on
  // inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::filesystem::create_directories(dir);
  auto engine = http::EngineStack::Open(dir);
  if (!engine.ok()) return ReportError(engine.status()), 3;

  // The Kafka relay: a real cluster, or an in-process mock one.
  std::unique_ptr<kafka::MockCluster> mock;
  kafka::RelayOptions ro;
  ro.brokers = args->GetOr("kafka-brokers", "");
  ro.topic_prefix = args->GetOr("topic-prefix", "");
  if (ro.brokers.empty()) {
    auto c = kafka::MockCluster::Start(3, 0);
    if (!c.ok()) return ReportError(c.status()), 3;
    mock = std::move(*c);
    ro.brokers = mock->bootstrap();
  }
  auto relay = kafka::Relay::Start(engine->store.get(), ro);
  if (!relay.ok()) return ReportError(relay.status()), 3;
  kafka::Relay* rel = relay->get();

  http::ApiDeps deps = engine->Deps(keys.get(), [rel] { rel->Notify(); });
  std::atomic<http::GatewayWiring*> wiring_hook{nullptr};
  std::atomic<automation::ClockTicker*> clock_hook{nullptr};
  std::atomic<automation::ReconScheduler*> recon_hook{nullptr};
  std::atomic<automation::AlertRunner*> alerts_hook{nullptr};
  deps.reconciliations = [&recon_hook] {
    auto* r = recon_hook.load();
    return r != nullptr ? r->RunsJson() : std::string(R"({"runs":[]})");
  };
  deps.extra_metrics = [rel, &wiring_hook, &clock_hook, &recon_hook, &alerts_hook] {
    auto st = rel->status();
    auto gauge = [](const char* name, const char* help, double v) {
      return http::Sample{name, help, "gauge", {}, v};
    };
    auto counter = [](const char* name, const char* help, std::uint64_t v) {
      return http::Sample{name, help, "counter", {}, static_cast<double>(v)};
    };
    std::vector<http::Sample> out = {
        gauge("folio_relay_lag_events", "Events not yet mirrored to Kafka.",
              static_cast<double>(st.lag_events)),
        gauge("folio_relay_lag_seconds", "Age of the oldest event not yet in Kafka.",
              st.lag_seconds),
        gauge("folio_relay_cursor_seq", "Last event known to be in Kafka.",
              static_cast<double>(st.cursor_seq)),
        counter("folio_relay_produced_total", "Events produced to Kafka by this process.",
                st.produced),
        counter("folio_relay_retries_total", "Transient Kafka errors retried.", st.retries),
        counter("folio_relay_producer_restarts_total",
                "Producers replaced after a non-fencing fatal error.", st.producer_restarts),
        gauge("folio_relay_failed", "1 when the relay stopped on a fatal producer error.",
              st.failed ? 1.0 : 0.0)};
    auto add = [&out](const auto* part) {
      if (part == nullptr) return;
      auto more = part->MetricSamples();
      out.insert(out.end(), more.begin(), more.end());
    };
    add(wiring_hook.load());
    add(clock_hook.load());
    add(recon_hook.load());
    add(alerts_hook.load());
    return out;
  };
  deps.ready = [rel]() -> Status {
    auto st = rel->status();
    if (st.failed) return Status::Error(InternCode("not_ready"), "Kafka relay failed: " + st.error);
    return Status();
  };
  std::atomic<http::SandboxGateway*> sandbox_hook{nullptr};
  deps.on_committed = [&sandbox_hook, &wiring_hook](const domain::Command& c,
                                                    const AppendOutcome& o) {
    if (auto* sb = sandbox_hook.load()) sb->OnCommitted(c, o);
    if (auto* w = wiring_hook.load()) w->dispatcher->OnCommitted(c, o);
  };
  http::ApiOptions api_opts;
  api_opts.allow_client_time = false;
  http::Api api(std::move(deps), api_opts);

  // --demo: the sandbox gateway process, whose gateway file this server uses.
  std::unique_ptr<SoakChild> sandbox_child;
  std::string sandbox_url;
  std::optional<std::string> gateway_file = args->Get("gateways");
  if (demo) {
    const std::string file = dir + "/sandbox-gateways.json";
    LineWatch ready;
    auto child = SoakChild::Start(
        {"sandbox", "--listen", "127.0.0.1:0", "--write-config", file}, dir + "/sandbox.log",
        [&ready](std::string_view line) { ready.Offer(line, "folio sandbox: listening on "); });
    if (!child.ok()) return ReportError(child.status()), 3;
    sandbox_child = std::move(*child);
    sandbox_url = ready.Wait(std::chrono::seconds(30), *sandbox_child);
    if (sandbox_url.empty()) {
      ReportError(Status::Error(codes::kIoError,
                                "folio sandbox did not start; see " + dir + "/sandbox.log"));
      return 3;
    }
    gateway_file = file;
  }
  std::unique_ptr<http::SandboxGateway> sandbox;
  if (demo || args->Has("sandbox")) {
    // In-process: every gateway for --sandbox; for --demo only the chain
    // watcher (the sandbox process plays the rest).
    auto sandbox_keys = gateways::SandboxKeys::Generate();
    http::GatewayConfigs configs = http::GatewayConfigs::FromSandbox(sandbox_keys);
    if (demo) {
      auto from_file = http::GatewayConfigs::Load(*gateway_file);
      if (!from_file.ok()) return ReportError(from_file.status()), 3;
      from_file->chain = configs.chain;
      from_file->generic = configs.generic;
      configs = std::move(*from_file);
    }
    http::AddGatewayRoutes(api, configs);
    http::SandboxOptions sandbox_opts;
    sandbox_opts.chain_only = demo;
    sandbox = std::make_unique<http::SandboxGateway>(std::move(sandbox_keys), sandbox_opts, &api);
  } else if (gateway_file) {
    auto configs = http::GatewayConfigs::Load(*gateway_file);
    if (!configs.ok()) return ReportError(configs.status()), 2;
    http::AddGatewayRoutes(api, *configs);
  }

  http::ServerOptions so;
  so.address = hp->first == "localhost" ? "127.0.0.1" : hp->first;
  so.port = hp->second;
  so.threads = static_cast<unsigned>(*threads);
  // Statement files are larger than commands: operators may import up to
  // ApiOptions::import_body_limit through POST /v1/imports.
  so.body_limit_for = [&api](std::string_view method, std::string_view target,
                             std::string_view authorization) {
    return api.BodyLimitFor(method, target, authorization);
  };
  auto server = http::HttpServer::Start(so, [&api](http::Request req, http::Responder respond) {
    api.Handle(std::move(req), std::move(respond));
  });
  if (!server.ok()) return ReportError(server.status()), 3;
  const std::string url = "http://" + so.address + ":" + std::to_string((*server)->port());
  std::fprintf(stderr, "folio serve: listening on %s, log in %s, Kafka at %s%s\n", url.c_str(),
               dir.c_str(), ro.brokers.c_str(), mock ? " (in-process mock cluster)" : "");

  // The outbound calls, once this server's own URL (the notify URLs) is known.
  http::GatewayWiring wiring;
  if (gateway_file && !args->Has("sandbox")) {
    auto calls = http::GatewayClientConfigs::Load(*gateway_file, url);
    if (!calls.ok()) return ReportError(calls.status()), 2;
    if (calls->any()) {
      auto w = http::GatewayWiring::Start(&api, engine->store.get(), *calls);
      if (!w.ok()) return ReportError(w.status()), 2;
      wiring = std::move(*w);
      std::fprintf(stderr, "folio serve: calling %zu gateway(s)%s\n", wiring.clients.size(),
                   sandbox_url.empty() ? "" : (" at the sandbox process " + sandbox_url).c_str());
    }
  }

  std::size_t accepted = 0, rejected = 0;
  // The demo history is history: its payments were settled by its own
  // commands, so the gateways hear only of what comes after it.
  Status loaded = demo ? LoadDemo((*server)->port(), &accepted, &rejected) : Status();
  if (wiring.dispatcher) {
    wiring_hook.store(&wiring);
    // What a previous run left pending at the gateways (not for the demo,
    // whose history is settled by its own commands).
    if (!demo) wiring.StartRecovery();
  }
  if (sandbox) {
    sandbox->Start((*server)->port());
    sandbox_hook.store(sandbox.get());
  }
  // What the server does by itself: its clock, the daily reconciliation.
  std::unique_ptr<automation::ClockTicker> clock;
  if (config.clock) {
    clock = std::make_unique<automation::ClockTicker>(
        &api, automation::ClockOptions{config.clock_tick, {}});
    clock->Start();
    clock_hook.store(clock.get());
  }
  automation::ReconSchedulerDeps rd;
  rd.store = engine->store.get();
  rd.writer = engine->writer.get();
  rd.dir = dir + "/recon-jobs";
  rd.gateway_for = [&wiring](statements::Source s) -> http::PaymentGateway* {
    const auto g = automation::GatewayOfSource(s);
    return g ? wiring.ClientFor(*g) : nullptr;
  };
  // Tests of a crash mid-run (docs/automation.md): the process dies after
  // the named step, as a kill would leave it.
  if (const char* crash = std::getenv("FOLIO_TEST_RECON_CRASH_AFTER")) {
    const std::string step(crash);
    rd.after_step = [step](std::string_view done, const automation::ReconRunRecord&) {
      if (done == step) {
        std::fprintf(stderr, "folio serve: FOLIO_TEST_RECON_CRASH_AFTER=%s: dying\n", step.c_str());
        std::_Exit(137);
      }
      return Status();
    };
  }
  automation::ReconScheduler recon(rd, config.reconciliation);
  recon_hook.store(&recon);
  recon.Start();
  if (!config.reconciliation.jobs.empty()) {
    std::fprintf(stderr, "folio serve: %zu reconciliation job(s), runs in %s\n",
                 config.reconciliation.jobs.size(), rd.dir.c_str());
  }
  // The alert rules: over the log's events and the probes below, published
  // to Kafka (folio.alerts), the webhook if configured, and /metrics.
  std::unique_ptr<automation::AlertRunner> alert_runner;
  {
    auto sinks = alerts::MakeAlertSinks(*alerts_config, ro.brokers);
    if (!sinks.ok()) return ReportError(sinks.status()), 2;
    automation::AlertRunnerOptions ao;
    ao.probes = [&wiring_hook, &engine, rel] {
      alerts::AlertEngine::Probes p;
      p.write_failed = engine->writer->failed();
      p.relay_lag_events = rel->status().lag_events;
      if (auto* w = wiring_hook.load()) {
        for (const http::Sample& s : w->MetricSamples()) {
          if (s.name != "folio_gateway_breaker_open") continue;
          for (const auto& [k, v] : s.labels) {
            if (k == "gateway") p.circuit_open[v] = s.value > 0;
          }
        }
      }
      return p;
    };
    std::filesystem::create_directories(dir + "/alerts");
    auto started = automation::AlertRunner::Start(engine->store.get(), alerts_config->rules,
                                                  dir + "/alerts", std::move(*sinks), ao);
    if (!started.ok()) return ReportError(started.status()), 3;
    alert_runner = std::move(*started);
    alerts_hook.store(alert_runner.get());
  }
  if (demo && loaded.ok()) loaded = LoadSandboxPayments((*server)->port());
  if (!loaded.ok()) ReportError(loaded);
  if (demo && loaded.ok()) PrintDemoBanner(url, ro.brokers, accepted, rejected, sandbox_url);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::fprintf(stderr, "folio serve: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  recon.Stop();
  if (clock) clock->Stop();
  alerts_hook.store(nullptr);
  alert_runner.reset();
  (*server)->Stop();
  recon_hook.store(nullptr);
  clock_hook.store(nullptr);
  sandbox_hook.store(nullptr);
  wiring_hook.store(nullptr);
  wiring.Stop();
  if (sandbox) sandbox->Stop();
  if (sandbox_child) {
    sandbox_child->Kill(SIGTERM);
    sandbox_child->Wait(std::chrono::seconds(10));
  }
  engine->writer->Stop();  // the head is final: the relay can catch up to it
  Status flushed = rel->Flush(std::chrono::seconds(10));
  if (!flushed.ok()) ReportError(flushed);
  rel->Stop();
  engine->Stop();
  std::fprintf(stderr, "folio serve: stopped at seq %llu, Kafka cursor %llu\n",
               static_cast<unsigned long long>(engine->writer->durable_head().seq),
               static_cast<unsigned long long>(rel->status().cursor_seq));
  return 0;
}

int RunKeys(const Argv& argv) {
  if (argv.empty() || argv[0] != "add") {
    if (!argv.empty() && (argv[0] == "--help" || argv[0] == "-h")) {
      return std::fputs(kKeysHelp, stdout), 0;
    }
    return Usage(Status::Error(codes::kInvalidArgument, "expected 'add'"), kKeysHelp);
  }
  Argv rest(argv.begin() + 1, argv.end());
  auto args = Args::Parse(rest, {{"keys", "name", "role"}, {}});
  if (!args.ok()) return Usage(args.status(), kKeysHelp);
  if (args->help()) return std::fputs(kKeysHelp, stdout), 0;
  auto file = args->Get("keys");
  auto name = args->Get("name");
  auto role = args->Get("role");
  if (!file || !name || !role) {
    return Usage(Status::Error(codes::kInvalidArgument, "--keys, --name and --role are required"),
                 kKeysHelp);
  }
  auto r = http::RoleFromName(*role);
  if (!r)
    return Usage(Status::Error(codes::kInvalidArgument, "--role: operator, auditor or admin"),
                 kKeysHelp);
  auto ks = http::KeyStore::Load(*file);
  if (!ks.ok()) return ReportError(ks.status());
  auto key = (*ks)->Create(*name, *r);
  if (!key.ok()) return ReportError(key.status());
  std::printf("%s\n", key->c_str());
  return 0;
}

}  // namespace folio::cli
