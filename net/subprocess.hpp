// run_process: runs a program (no shell) as a child process and collects its output, without
// blocking the event loop. stdin is /dev/null; stdout and stderr are read through pipes on the
// caller's executor (on a private strand, so a multi-threaded io_context is fine). The child gets
// its own process group; on timeout, cancellation or output past the cap the whole group is
// killed with SIGKILL and reaped (pidfd, or waitpid polling with a short backoff). Never throws.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot {

struct ProcessOptions {
  // Working directory of the child; empty keeps the parent's.
  std::string cwd;
  // Deadline for the whole run (start to reaped); zero means none.
  std::chrono::milliseconds timeout{30000};
  // Cap on stdout + stderr together; past it the child is killed and `truncated` set.
  std::size_t max_output = 16 * 1024 * 1024;
  // Variables added to (or replacing those of) the parent's environment, e.g. {"LC_ALL", "C"}.
  std::vector<std::pair<std::string, std::string>> env;
};

struct ProcessResult {
  int exit_code = 0;  // the exit status, or -N when a signal N ended the child
  std::string out, err;
  bool truncated = false;  // output reached max_output: the child was killed, out/err are cut
};

// Runs argv[0] (looked up in PATH when it has no '/') with arguments argv[1..]. Suspends.
// A non-zero exit is a success carrying exit_code. Errors: InvalidArgument (empty argv, cwd not a
// directory), NotFound (program not found or not executable), Timeout (the child was killed
// after options.timeout), Cancelled (the awaiting coroutine's cancellation slot fired: the child
// is killed and reaped before this returns), Internal (pipe/spawn failures).
awaitable<Result<ProcessResult>> run_process(std::vector<std::string> argv, ProcessOptions options = {});

}  // namespace alertbot
