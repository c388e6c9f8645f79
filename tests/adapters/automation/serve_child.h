// `folio serve` as a child process for the automation tests: its output goes
// to a file (read while it runs, never a pipe it could block on), its port
// is read from the "listening on" line; SIGTERMed and reaped at the end.
#pragma once

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/http/client.h"
#include "tests/test_support.h"

namespace folio::testing {

class ServeChild {
 public:
  // `env`: extra "NAME=value" entries for the child.
  ServeChild(const std::string& log_file, std::vector<std::string> args,
             std::vector<std::string> env = {})
      : log_(log_file) {
    args.insert(args.begin(), {FOLIO_BIN, "serve", "--listen", "127.0.0.1:0"});
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      const int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) _exit(126);
      dup2(fd, 1);
      dup2(fd, 2);
      for (auto& e : env) putenv(e.data());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(FOLIO_BIN, argv.data());
      _exit(127);
    }
    REQUIRE_MESSAGE(PollUntil([&] { return Port() != 0 || Exited(); }, std::chrono::seconds(60)),
                    Log());
    REQUIRE_MESSAGE(port_ != 0, "folio serve did not start: " << Log());
  }
  ~ServeChild() { Stop(); }

  std::uint16_t port() const { return port_; }
  std::string Log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  http::HttpClient Client() const {
    auto c = http::HttpClient::Connect("127.0.0.1", port_);
    REQUIRE(c.ok());
    return std::move(*c);
  }
  // True once the child has exited (reaped); its status in exit_status().
  bool Exited() {
    if (pid_ < 0) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      status_ = status;
      return true;
    }
    return false;
  }
  int exit_status() const { return status_; }
  void Stop() {
    if (pid_ < 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, &status_, 0);
    pid_ = -1;
  }

 private:
  std::uint16_t Port() {
    const std::string text = Log();
    const auto at = text.find("listening on http://127.0.0.1:");
    if (at == std::string::npos) return 0;
    port_ = static_cast<std::uint16_t>(std::stoi(text.substr(at + 30)));
    return port_;
  }

  std::string log_;
  pid_t pid_ = -1;
  int status_ = 0;
  std::uint16_t port_ = 0;
};

// An operator key in a fresh key file (`folio keys add`); returns the key.
inline std::string AddOperatorKey(const std::string& keys_file) {
  std::string out;
  REQUIRE(RunCommand(std::string(FOLIO_BIN) + " keys add --keys " + keys_file +
                         " --name op-auto --role operator",
                     &out) == 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace folio::testing
