// Child processes for tests: free loopback ports, spawning a program with its output in a log
// file (killed if the test process dies), stopping it, and reading a log's tail. Everything here
// blocks the calling thread: use it before or after io_context work, never from a coroutine.
// Failures throw std::runtime_error with a readable message.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace alertbot::testing {

// The first executable called one of `names` on $PATH (then /usr/bin), or "".
std::string find_binary(const std::vector<std::string>& names);

// A port nobody listens on right now: bind 127.0.0.1:0, read it back, close. Another process can
// take it before the caller binds it: callers retry on "address already in use".
int free_port();

struct SpawnOptions {
  // Run as this user (setgid/setuid before exec) when the test runs as root; "" keeps the test's
  // user. PostgreSQL refuses to run as root.
  std::string run_as_root_as;
  // Extra environment variables ("NAME=value") on top of the test's own.
  std::vector<std::string> env;
  // The child's signal when the test process dies (SIGKILL; 0 for none).
  int death_signal = 9;
};

// fork + exec `argv` (argv[0] an absolute path) with stdout/stderr appended to `log_path`, stdin
// from /dev/null and every other fd closed, so the child holds none of the test's sockets.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path, const SpawnOptions& options = {});

// SIGTERM, then SIGKILL after `grace_ms`; reaps the child. Returns its wait status (-1 if it
// could not be reaped).
int stop_process(pid_t pid, int grace_ms = 5000);

// Waits up to `limit_ms` for the child to exit by itself; its wait status, or nullopt-like -1
// when it is still running (then it is left alone).
int wait_exit(pid_t pid, int limit_ms);

// Runs `argv` to completion (as spawn) and returns its exit status; throws with the log tail when
// it fails.
void run_to_end(const std::vector<std::string>& argv, const std::string& log_path, const SpawnOptions& options = {});

// The last `lines` lines of `text`, each indented "  | ", for failure messages.
std::string tail(const std::string& text, int lines);

// A whole file ("" when it cannot be read) and a file written whole.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

}  // namespace alertbot::testing
