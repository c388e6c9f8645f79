#include "adapters/cli/soak_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>

#include "events/codes.h"

namespace folio::cli {
namespace {

Status IoError(const std::string& what) {
  return Status::Error(codes::kIoError, what + ": " + std::strerror(errno));
}

}  // namespace

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

Result<std::unique_ptr<SoakChild>> SoakChild::Start(const std::vector<std::string>& args,
                                                    const std::string& log_path, LineFn on_line) {
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return IoError("readlink /proc/self/exe");
  self[n] = '\0';
  // Everything the child needs is prepared before fork(): after it, only
  // async-signal-safe calls until exec.
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  argv.push_back(self);
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return IoError("open " + log_path);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    close(log_fd);
    return IoError("pipe");
  }
  const pid_t parent = getpid();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    Status s = IoError("fork");
    close(fds[0]);
    close(fds[1]);
    close(log_fd);
    return s;
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);  // the soak died before prctl
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    // Not `self`: a rebuild during a soak replaces the file, and the path
    // then names the new binary (or nothing); the link keeps this one.
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(fds[1]);  // EOF on our end once the child (and its copies) are gone
  std::unique_ptr<SoakChild> child(new SoakChild());
  child->pid_ = pid;
  child->reader_ = std::thread([c = child.get(), fd = fds[0], log_fd, fn = std::move(on_line)] {
    c->ReadOutput(fd, log_fd, fn);
  });
  return child;
}

void SoakChild::ReadOutput(int fd, int log_fd, LineFn on_line) {
  std::string pending;
  char chunk[8192];
  for (;;) {
    const ssize_t got = read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    const auto size = static_cast<std::size_t>(got);
    for (std::size_t done = 0; done < size;) {
      const ssize_t w = write(log_fd, chunk + done, size - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;  // a full disk loses log lines, not the soak
      done += static_cast<std::size_t>(w);
    }
    if (!on_line) continue;
    pending.append(chunk, size);
    for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      on_line(std::string_view(pending).substr(0, nl));
      pending.erase(0, nl + 1);
    }
  }
  if (on_line && !pending.empty()) on_line(pending);
  close(fd);
  close(log_fd);
}

SoakChild::~SoakChild() {
  if (!reaped_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  if (reader_.joinable()) reader_.join();
}

void SoakChild::Kill(int sig) {
  if (!reaped_) kill(pid_, sig);
}

bool SoakChild::Running() {
  if (reaped_) return false;
  if (waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

std::optional<int> SoakChild::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling waitpid, bounded
  }
  if (reader_.joinable()) reader_.join();  // the pipe is at EOF once the child is gone
  return status_;
}

void LineWatch::Offer(std::string_view line, std::string_view marker) {
  auto at = line.find(marker);
  if (at == std::string_view::npos) return;
  std::lock_guard lock(mu_);
  if (value_.empty()) value_ = std::string(line.substr(at + marker.size()));
  cv_.notify_all();
}

std::string LineWatch::Wait(std::chrono::milliseconds timeout, SoakChild& child) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  while (value_.empty() && std::chrono::steady_clock::now() < deadline) {
    // Wakes on the line; the timeout only re-checks that the child runs.
    cv_.wait_for(lock, std::chrono::milliseconds(50));
    if (value_.empty()) {
      lock.unlock();
      const bool running = child.Running();
      lock.lock();
      if (!running) break;
    }
  }
  return value_;
}

std::string RunChecked(const std::vector<std::string>& args, const std::string& log_path,
                       std::chrono::milliseconds timeout) {
  std::string cmd = "folio";
  for (const auto& a : args) cmd += " " + a;
  if (std::FILE* f = std::fopen(log_path.c_str(), "a")) {
    std::fprintf(f, "$ %s\n", cmd.c_str());
    std::fclose(f);
  }
  constexpr std::size_t kKeptBytesMax = 2000;
  auto lines = std::make_shared<std::string>();
  auto mu = std::make_shared<std::mutex>();
  auto child = SoakChild::Start(args, log_path, [lines, mu](std::string_view l) {
    std::lock_guard lock(*mu);
    if (lines->size() < kKeptBytesMax) *lines += std::string(l) + "\n";
  });
  if (!child.ok()) return cmd + ": " + child.status().ToString();
  auto status = (*child)->Wait(timeout);
  if (status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return "";
  std::lock_guard lock(*mu);
  return cmd + ": " + (status ? DescribeWaitStatus(*status) : "did not end in time") + ": " +
         *lines;
}

}  // namespace folio::cli
