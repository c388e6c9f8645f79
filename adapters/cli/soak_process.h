// Child processes of `folio soak`: this same binary run as `folio kafka-dev`
// and `folio serve`, which the soak kills with SIGKILL and starts again.
//
// A child's stdout and stderr go to one pipe; a reader thread appends what
// comes to a log file and hands each complete line to a callback. The child
// gets SIGKILL if the soak itself dies (PR_SET_PDEATHSIG), so an interrupted
// soak leaves no broker or server behind.
//
// Thread-safety: Start, Kill and Wait from the thread that outlives the
// child (PR_SET_PDEATHSIG follows the thread that forked); the callback runs
// on the reader thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "events/status.h"

namespace folio::cli {

class SoakChild {
 public:
  using LineFn = std::function<void(std::string_view line)>;

  // Runs this program (/proc/self/exe) with `args`; output appended to
  // `log_path`, lines to `on_line` (may be empty). Errors: io_error.
  static Result<std::unique_ptr<SoakChild>> Start(const std::vector<std::string>& args,
                                                  const std::string& log_path, LineFn on_line);
  ~SoakChild();  // SIGKILLs and reaps a child still running, joins the reader
  SoakChild(const SoakChild&) = delete;
  SoakChild& operator=(const SoakChild&) = delete;

  pid_t pid() const { return pid_; }
  void Kill(int sig);
  // The wait status once the child exited, nullopt at the deadline.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // True while the child has not been reaped and waitpid says it runs.
  bool Running();

 private:
  SoakChild() = default;
  void ReadOutput(int fd, int log_fd, LineFn on_line);

  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::thread reader_;
};

// "exited 3", "killed by signal 9".
std::string DescribeWaitStatus(int status);

// A line a child prints, awaited by another thread: Offer() from the line
// callback, Wait() from the thread that started the child.
class LineWatch {
 public:
  // Remembers the text after `marker` on the first line containing it.
  void Offer(std::string_view line, std::string_view marker);
  // That text; "" when `child` exited or the deadline passed first.
  std::string Wait(std::chrono::milliseconds timeout, SoakChild& child);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::string value_;
};

// Runs this program with `args` to its end, its output appended to
// `log_path` after a "$ folio ARGS" line. "" when it exits 0, else the
// command, how it ended and the start of its output.
std::string RunChecked(const std::vector<std::string>& args, const std::string& log_path,
                       std::chrono::milliseconds timeout);

}  // namespace folio::cli
