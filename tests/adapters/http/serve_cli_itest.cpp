// The real `folio serve` process: --demo loads the demo through its own API,
// answers on its port, refuses non-loopback addresses, and stops cleanly on
// SIGTERM with a log that verifies.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "adapters/http/client.h"
#include "tests/adapters/http/http_harness.h"

namespace folio {
namespace {

using namespace folio::testing;

TEST_CASE("folio serve --demo refuses to listen beyond loopback") {
  TempDir dir;
  std::string out;
  int rc = RunCommand(
      std::string(FOLIO_BIN) + " serve --demo --listen 0.0.0.0:0 --data " + dir.str() + "/d 2>&1",
      &out);
  CHECK(rc == 2);
  CHECK(out.find("loopback") != std::string::npos);
}

TEST_CASE("folio serve --demo: demo loaded through the API, answers, stops on SIGTERM") {
  TempDir dir;
  const std::string data = dir.str() + "/serve";
  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    close(pipefd[0]);
    execl(FOLIO_BIN, FOLIO_BIN, "serve", "--demo", "--listen", "127.0.0.1:0", "--data",
          data.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipefd[1]);
  FILE* in = fdopen(pipefd[0], "r");
  REQUIRE(in != nullptr);
  std::string output;
  std::uint16_t port = 0;
  char line[4096];
  while (std::fgets(line, sizeof line, in) != nullptr) {  // blocks until the server speaks
    output += line;
    std::string l(line);
    auto at = l.find("listening on http://127.0.0.1:");
    if (at != std::string::npos) {
      port = static_cast<std::uint16_t>(std::stoi(l.substr(at + 30)));
    }
    if (l.find("Stop with Ctrl-C") != std::string::npos) break;
  }
  REQUIRE_MESSAGE(port != 0, output);
  CHECK(output.find("35 demo commands accepted, 2 refused") != std::string::npos);
  CHECK(output.find("kcat -C -b 127.0.0.1:") != std::string::npos);
  // The gateways are the sandbox process, called over their own APIs.
  CHECK(output.find("calling 3 gateway(s) at the sandbox process http://127.0.0.1:") !=
        std::string::npos);
  CHECK(output.find("at the sandbox gateway process (`folio sandbox`)") != std::string::npos);

  auto c = http::HttpClient::Connect("127.0.0.1", port);
  REQUIRE(c.ok());
  auto r = c->Send("GET", "/v1/payments/p-1001", "", {{"Authorization", "Bearer demo-auditor"}});
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(JsonOf(r->body).at("status").as_string() == "settled");
  // The demo's gateway payments: created at the sandbox process, which pays
  // them and notifies (PGW20260003 is UnionPay's: its orderId rule).
  for (const char* id : {"p-gw-1", "p-gw-2", "PGW20260003"}) {
    CAPTURE(id);
    std::string status;
    CHECK(PollUntil(
        [&] {
          auto p = c->Send("GET", std::string("/v1/payments/") + id, "",
                           {{"Authorization", "Bearer demo-auditor"}});
          if (!p.ok() || p->status != 200) return false;
          status = std::string(JsonOf(p->body).at("status").as_string());
          return status == "settled" || status == "failed";
        },
        std::chrono::seconds(30)));
    CHECK((status == "settled" || status == "failed"));
  }
  r = c->Send("GET", "/readyz");
  CHECK(r->status == 200);

  REQUIRE(kill(pid, SIGTERM) == 0);
  while (std::fgets(line, sizeof line, in) != nullptr) output += line;  // until it exits
  fclose(in);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(output.find("stopped at seq") != std::string::npos);

  std::string verify;
  CHECK(RunCommand(std::string(FOLIO_BIN) + " verify --json --data " + data, &verify) == 0);
  CHECK(JsonOf(verify).at("ok").as_bool());
}

}  // namespace
}  // namespace folio
