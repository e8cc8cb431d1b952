#include "tests/support/child_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <csignal>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace alertbot::testing {
namespace {

using Steady = std::chrono::steady_clock;

}  // namespace

std::string find_binary(const std::vector<std::string>& names) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream s(path);
    for (std::string d; std::getline(s, d, ':');) {
      if (!d.empty()) dirs.push_back(d);
    }
  }
  dirs.emplace_back("/usr/bin");
  for (const auto& n : names) {
    for (const auto& d : dirs) {
      std::string p = d + "/" + n;
      if (::access(p.c_str(), X_OK) == 0) return p;
    }
  }
  return {};
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("free_port: socket() failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("free_port: cannot bind 127.0.0.1:0");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path, const SpawnOptions& options) {
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) throw std::runtime_error("spawn: cannot open " + log_path);
  // Everything the child needs is built before fork(): the child may only make
  // async-signal-safe calls.
  uid_t uid = 0;
  gid_t gid = 0;
  const bool switch_user = !options.run_as_root_as.empty() && ::geteuid() == 0;
  if (switch_user) {
    const passwd* pw = ::getpwnam(options.run_as_root_as.c_str());
    if (pw == nullptr) throw std::runtime_error("spawn: no user '" + options.run_as_root_as + "'");
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    ::fchown(log_fd, uid, gid);
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) env_text.emplace_back(*e);
  for (const auto& e : options.env) env_text.push_back(e);
  std::vector<char*> envp;
  envp.reserve(env_text.size() + 1);
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int death_signal = options.death_signal;
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    if (switch_user) {
      // Credentials first: changing them clears the parent-death signal.
      if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) ::_exit(125);
    }
    if (death_signal != 0) ::prctl(PR_SET_PDEATHSIG, death_signal);
    if (::getppid() != parent) ::_exit(126);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::close_range(3, ~0U, 0);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  if (pid < 0) throw std::runtime_error("spawn: fork() failed");
  return pid;
}

int wait_exit(pid_t pid, int limit_ms) {
  const auto deadline = Steady::now() + std::chrono::milliseconds(limit_ms);
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 || Steady::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int stop_process(pid_t pid, int grace_ms) {
  if (pid <= 0) return -1;
  ::kill(pid, SIGTERM);
  if (int status = wait_exit(pid, grace_ms); status != -1) return status;
  ::kill(pid, SIGKILL);
  int status = 0;
  return ::waitpid(pid, &status, 0) == pid ? status : -1;
}

void run_to_end(const std::vector<std::string>& argv, const std::string& log_path, const SpawnOptions& options) {
  pid_t pid = spawn(argv, log_path, options);
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(argv[0] + " failed; log:\n" + tail(read_file(log_path), 15));
  }
}

std::string tail(const std::string& text, int lines) {
  std::deque<std::string> last;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += "  | " + l + "\n";
  return out.empty() ? "  | (empty log)\n" : out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("write_file: cannot write " + path);
}

}  // namespace alertbot::testing
