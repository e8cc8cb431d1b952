#include "net/subprocess.hpp"

#include <fcntl.h>
#include <csignal>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <tuple>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <memory>

extern char** environ;

namespace alertbot {
namespace {

using Strand = asio::strand<asio::any_io_executor>;
using Descriptor = asio::posix::stream_descriptor;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 64 * 1024;
// waitpid polling (only without pidfd): first and longest pause between tries.
constexpr std::chrono::milliseconds kReapFirst{1};
constexpr std::chrono::milliseconds kReapMax{50};

// A file descriptor closed when it goes out of scope unless released.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// One running child. Every member is touched only on `strand` (the supervisor, both readers and
// the reaper run there); the readers and the reaper share ownership.
struct Child {
  Child(const Strand& s, pid_t p, int out_fd, int err_fd, std::size_t cap)
      : strand(s), pid(p), out(s, out_fd), err(s, err_fd), done(s), max_output(cap) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    // Destroyed mid-run (the io_context went away): never leave a running child or a zombie.
    if (!reaped) {
      ::kill(-pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
  }

  // Kills the child's process group and stops reading; idempotent, harmless after reaping.
  void kill() {
    if (killed) return;
    killed = true;
    if (!reaped) ::kill(-pid, SIGKILL);
    boost::system::error_code ignored;
    out.close(ignored);
    err.close(ignored);
  }

  // Keeps at most max_output bytes of stdout + stderr; past it the child is killed.
  void append(std::string& sink, const char* data, std::size_t n) {
    std::size_t used = result.out.size() + result.err.size();
    std::size_t room = max_output > used ? max_output - used : 0;
    sink.append(data, std::min(n, room));
    if (n > room) {
      result.truncated = true;
      kill();
    }
  }

  // True once the child is reaped (or was reaped by someone else).
  bool try_reap() {
    if (reaped) return true;
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == 0) return false;
    reaped = true;
    if (r < 0) result.exit_code = -1;  // ECHILD: reaped elsewhere (SIGCHLD ignored)
    else if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) result.exit_code = -WTERMSIG(status);
    return true;
  }

  // A reader or the reaper is done; the last one wakes the supervisor.
  void finish_one() {
    if (--pending == 0) done.cancel();
  }

  Strand strand;
  pid_t pid;
  Descriptor out, err;
  asio::steady_timer done;  // expires at the deadline; cancelled when all work has finished
  std::size_t max_output;
  int pending = 3;  // two readers and the reaper
  bool killed = false;
  bool reaped = false;
  ProcessResult result;
};

awaitable<void> read_stream(std::shared_ptr<Child> c, bool is_err) {
  Descriptor& d = is_err ? c->err : c->out;
  std::vector<char> buf(kReadChunk);
  while (d.is_open()) {
    auto [ec, n] = co_await d.async_read_some(asio::buffer(buf), kTuple);
    if (n > 0) c->append(is_err ? c->result.err : c->result.out, buf.data(), n);
    if (ec) break;  // eof, or closed by kill()
  }
}

awaitable<void> reap(std::shared_ptr<Child> c) {
  if (c->try_reap()) co_return;
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, c->pid, 0));
  if (pidfd >= 0) {
    Descriptor pd(c->strand, pidfd);  // readable once the child has exited
    auto [ec] = co_await pd.async_wait(Descriptor::wait_read, kTuple);
    if (!ec && c->try_reap()) co_return;
  }
  asio::steady_timer t(c->strand);
  auto pause = kReapFirst;
  while (!c->try_reap()) {
    t.expires_after(pause);
    co_await t.async_wait(kTuple);
    pause = std::min(pause * 2, kReapMax);
  }
}

// The parent's environment with `extra` added or replacing same-named variables.
std::vector<std::string> make_env(const ProcessOptions& o) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    std::string_view name = kv.substr(0, kv.find('='));
    bool replaced = std::any_of(o.env.begin(), o.env.end(), [&](const auto& p) { return p.first == name; });
    if (!replaced) out.emplace_back(kv);
  }
  for (const auto& [k, v] : o.env) out.push_back(k + "=" + v);
  return out;
}

struct Spawned {
  pid_t pid;
  int out_fd;
  int err_fd;
};

Result<Spawned> spawn_child(const std::vector<std::string>& argv, const ProcessOptions& o) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return fail(Errc::Internal, std::string("pipe: ") + std::strerror(errno));
  Fd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return fail(Errc::Internal, std::string("pipe: ") + std::strerror(errno));
  Fd err_r(err_pipe[0]), err_w(err_pipe[1]);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, err_w.get(), 2);
  if (!o.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, o.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group, so a kill reaches its children too
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_store = make_env(o);
  std::vector<char*> envp;
  envp.reserve(env_store.size() + 1);
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, argv[0].c_str(), &fa, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc == ENOENT) return fail(Errc::NotFound, "program '" + argv[0] + "' not found");
  if (rc == EACCES || rc == ENOEXEC) return fail(Errc::NotFound, "program '" + argv[0] + "' is not executable");
  if (rc != 0) return fail(Errc::Internal, "spawning '" + argv[0] + "': " + std::strerror(rc));
  return Spawned{pid, out_r.release(), err_r.release()};
}

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3gs", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

// Runs on `strand`: spawns, then waits for both pipes to close and the child to be reaped, killing
// it on deadline or cancellation. Its own coroutine thread, so not throwing on cancellation here
// does not change the caller's behaviour.
awaitable<Result<ProcessResult>> supervise(Strand strand, std::vector<std::string> argv, ProcessOptions o) {
  co_await asio::this_coro::throw_if_cancelled(false);
  auto spawned = spawn_child(argv, o);
  if (!spawned) co_return spawned.error();
  auto c = std::make_shared<Child>(strand, spawned->pid, spawned->out_fd, spawned->err_fd, o.max_output);
  auto on_done = [c](std::exception_ptr) { c->finish_one(); };
  asio::co_spawn(strand, read_stream(c, false), on_done);
  asio::co_spawn(strand, read_stream(c, true), on_done);
  asio::co_spawn(strand, reap(c), on_done);

  bool timed_out = false, cancelled = false;
  if (o.timeout.count() > 0) c->done.expires_after(o.timeout);
  else c->done.expires_at(asio::steady_timer::time_point::max());
  while (c->pending > 0) {
    if (!timed_out && !cancelled) {
      // A cancellation that came while the child was being set up has no wait to cancel yet.
      auto cs = co_await asio::this_coro::cancellation_state;
      const bool already = cs.cancelled() != asio::cancellation_type::none;
      boost::system::error_code ec;
      if (!already) std::tie(ec) = co_await c->done.async_wait(kTuple);  // the caller's cancellation lands here
      if (c->pending == 0) break;
      if (ec || already) cancelled = true;
      else timed_out = true;
      c->kill();
      c->done.expires_at(asio::steady_timer::time_point::max());
    } else {
      // Killed: wait for the pipes and the reaper, deaf to further cancellation.
      co_await c->done.async_wait(asio::bind_cancellation_slot(asio::cancellation_slot(), kTuple));
    }
  }
  if (timed_out) co_return fail(Errc::Timeout, "'" + argv[0] + "' took longer than " + seconds_text(o.timeout) + " (killed)");
  if (cancelled) co_return fail(Errc::Cancelled, "'" + argv[0] + "' was cancelled (killed)");
  co_return std::move(c->result);
}

}  // namespace

awaitable<Result<ProcessResult>> run_process(std::vector<std::string> argv, ProcessOptions options) {
  if (argv.empty() || argv[0].empty()) co_return fail(Errc::InvalidArgument, "run_process: empty argv");
  if (!options.cwd.empty()) {
    struct stat st {};
    if (::stat(options.cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      co_return fail(Errc::InvalidArgument, "run_process: cwd '" + options.cwd + "' is not a directory");
    }
  }
  auto cs = co_await asio::this_coro::cancellation_state;
  if (cs.cancelled() != asio::cancellation_type::none) co_return fail(Errc::Cancelled, "'" + argv[0] + "' was cancelled before it started");
  auto ex = co_await asio::this_coro::executor;
  Strand strand = asio::make_strand(ex);
  auto op = supervise(strand, std::move(argv), std::move(options));
  co_return co_await asio::co_spawn(strand, std::move(op), asio::use_awaitable);
}

}  // namespace alertbot
