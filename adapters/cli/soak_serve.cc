#include "adapters/cli/soak_serve.h"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

#include "adapters/http/client.h"
#include "events/codes.h"

namespace folio::cli {
namespace {

constexpr const char* kListeningMarker = "listening on http://127.0.0.1:";
constexpr auto kProbeTimeout = std::chrono::seconds(10);

Result<http::ClientResponse> Get(std::uint16_t port, const std::string& target) {
  ASSIGN_OR_RETURN(auto client, http::HttpClient::Connect("127.0.0.1", port, kProbeTimeout));
  return client.Send("GET", target);
}

// The value of an unlabelled metric in a /metrics answer.
std::optional<double> Metric(const std::string& text, const std::string& name) {
  const std::string needle = "\n" + name + " ";
  auto at = ("\n" + text).find(needle);
  if (at == std::string::npos) return std::nullopt;
  return std::strtod(text.c_str() + at + needle.size() - 1, nullptr);
}

}  // namespace

Result<std::unique_ptr<ServeProcess>> ServeProcess::Start(const std::string& work_dir,
                                                          const std::string& brokers) {
  const std::filesystem::path dir(work_dir);
  std::unique_ptr<ServeProcess> s(new ServeProcess());
  ASSIGN_OR_RETURN(
      s->child_,
      SoakChild::Start({"serve", "--listen", "127.0.0.1:0", "--data", (dir / "log").string(),
                        "--keys", (dir / "keys.txt").string(), "--kafka-brokers", brokers},
                       (dir / "serve.log").string(), [w = s->listening_](std::string_view line) {
                         w->Offer(line, kListeningMarker);
                       }));
  return s;
}

Result<std::uint16_t> ServeProcess::WaitListening(std::chrono::milliseconds timeout) {
  const std::string after = listening_->Wait(timeout, *child_);
  std::uint16_t port = 0;
  auto [end, ec] = std::from_chars(after.data(), after.data() + after.size(), port);
  if (after.empty() || ec != std::errc() || port == 0) {
    return Status::Error(codes::kIoError, "serve did not start listening (see serve.log)");
  }
  return port;
}

Status WaitReady(std::uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto r = Get(port, "/readyz");
    if (r.ok() && r->status == 200) return Status();
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Error(codes::kIoError, "serve not ready in time: " +
                                                (r.ok() ? r->body : r.status().ToString()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling, bounded
  }
}

Result<std::uint64_t> WaitRelayCaughtUp(std::uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    ASSIGN_OR_RETURN(auto r, Get(port, "/metrics"));
    auto head = Metric(r.body, "folio_log_head_seq");
    auto cursor = Metric(r.body, "folio_relay_cursor_seq");
    if (head && cursor && *head == *cursor) return static_cast<std::uint64_t>(*head);
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Error(codes::kIoError, "the relay did not catch up with the log in time");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling, bounded
  }
}

}  // namespace folio::cli
