// run_process against real programs (echo, sh, sleep, yes): output, exit codes, the deadline and
// the output cap killing the child, cancellation, many children at once on one thread.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "net/gather.hpp"
#include "net/subprocess.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot {
namespace {

using testing::run_coro;
using testing::run_until;
using namespace std::chrono_literals;

Result<ProcessResult> run(asio::io_context& io, std::vector<std::string> argv, ProcessOptions o = {}) {
  return run_coro(io, run_process(std::move(argv), std::move(o)));
}

// True when `pid` exits within `limit` (a SIGKILL is delivered asynchronously): waits on a pidfd,
// which becomes readable when the process ends, whoever its parent is.
bool exits_within(long pid, std::chrono::milliseconds limit) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
  if (fd < 0) return errno == ESRCH;  // already gone and reaped
  pollfd p{fd, POLLIN, 0};
  int n = ::poll(&p, 1, static_cast<int>(limit.count()));
  ::close(fd);
  return n == 1;
}

TEST(RunProcess, EchoGivesStdoutAndExitZero) {
  asio::io_context io;
  auto r = run(io, {"echo", "hello", "world"});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->out, "hello world\n");
  EXPECT_EQ(r->err, "");
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_FALSE(r->truncated);
}

TEST(RunProcess, ArgumentsAreNotInterpretedByAShell) {
  asio::io_context io;
  auto r = run(io, {"echo", "$HOME; rm -rf /tmp/x", "`id`"});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->out, "$HOME; rm -rf /tmp/x `id`\n");
}

TEST(RunProcess, NonZeroExitIsASuccessCarryingTheCode) {
  asio::io_context io;
  auto r = run(io, {"sh", "-c", "exit 3"});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->exit_code, 3);
}

TEST(RunProcess, StderrIsSeparateFromStdout) {
  asio::io_context io;
  auto r = run(io, {"sh", "-c", "echo oops >&2; echo out; echo more >&2"});
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "oops\nmore\n");
}

TEST(RunProcess, StdinIsDevNullAndCwdAndEnvApply) {
  asio::io_context io;
  ProcessOptions o;
  o.cwd = "/tmp";
  o.env = {{"ALERTBOT_TEST_VAR", "v1"}, {"LC_ALL", "C"}};
  auto r = run(io, {"sh", "-c", "cat; pwd; echo $ALERTBOT_TEST_VAR $LC_ALL"}, o);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->out, "/tmp\nv1 C\n");
}

TEST(RunProcess, TimeoutKillsTheChildAndItsChildren) {
  asio::io_context io;
  auto pid_file = std::filesystem::temp_directory_path() / ("alertbot_subprocess_" + std::to_string(::getpid()));
  ProcessOptions o;
  o.timeout = 300ms;
  auto t0 = std::chrono::steady_clock::now();
  auto r = run(io, {"sh", "-c", "sleep 30 & echo $! > " + pid_file.string() + "; wait"}, o);
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Timeout);
  EXPECT_NE(r.error().message.find("took longer than 0.3s"), std::string::npos) << r.error().message;
  EXPECT_LT(took, 10s);
  long grandchild = 0;
  std::ifstream(pid_file) >> grandchild;
  std::filesystem::remove(pid_file);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(exits_within(grandchild, 5s)) << "sleep " << grandchild << " survived";
}

TEST(RunProcess, OutputPastTheCapKillsTheChildAndTruncates) {
  asio::io_context io;
  ProcessOptions o;
  o.max_output = 100000;
  auto r = run(io, {"yes", "0123456789"}, o);  // never ends on its own
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->out.size(), 100000u);
  EXPECT_EQ(r->out.substr(0, 22), "0123456789\n0123456789\n");
  EXPECT_EQ(r->exit_code, -9);  // SIGKILL
}

TEST(RunProcess, OutputJustUnderTheCapIsComplete) {
  asio::io_context io;
  ProcessOptions o;
  o.max_output = 1 << 20;
  auto r = run(io, {"head", "-c", "300000", "/dev/zero"}, o);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_FALSE(r->truncated);
  EXPECT_EQ(r->out.size(), 300000u);
  EXPECT_EQ(r->exit_code, 0);
}

TEST(RunProcess, MissingProgramIsNotFound) {
  asio::io_context io;
  auto r = run(io, {"alertbot-no-such-program-xyz"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::NotFound);
  EXPECT_NE(r.error().message.find("alertbot-no-such-program-xyz"), std::string::npos);
  auto abs = run(io, {"/nonexistent/dir/prog"});
  ASSERT_FALSE(abs);
  EXPECT_EQ(abs.error().code, Errc::NotFound);
}

TEST(RunProcess, BadCwdAndEmptyArgvAreInvalidArguments) {
  asio::io_context io;
  ProcessOptions o;
  o.cwd = "/nonexistent/alertbot";
  auto r = run(io, {"echo"}, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::InvalidArgument);
  auto e = run(io, {});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, Errc::InvalidArgument);
}

TEST(RunProcess, CancellationKillsTheChildAndGivesCancelled) {
  asio::io_context io;
  asio::cancellation_signal cancel;
  std::optional<Result<ProcessResult>> out;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> argv{"sleep", "30"};
  asio::co_spawn(io, run_process(argv, ProcessOptions{}),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, Result<ProcessResult> r) {
                   if (e) std::rethrow_exception(e);
                   out.emplace(std::move(r));
                 }));
  io.poll();  // the child is spawned and the supervisor waits
  ASSERT_FALSE(out);
  cancel.emit(asio::cancellation_type::terminal);
  ASSERT_TRUE(run_until(io, [&] { return out.has_value(); }));
  ASSERT_FALSE(*out);
  EXPECT_EQ(out->error().code, Errc::Cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
}

awaitable<std::vector<Result<ProcessResult>>> many(int n) {
  std::vector<awaitable<Result<ProcessResult>>> ops;
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> argv{"sh", "-c", "echo out-$0; echo err-$0 >&2", std::to_string(i)};
    ops.push_back(run_process(std::move(argv), ProcessOptions{}));
  }
  co_return co_await gather(std::move(ops));
}

TEST(RunProcess, FiftyConcurrentRunsOnOneThread) {
  asio::io_context io(1);
  auto t0 = std::chrono::steady_clock::now();
  auto results = run_coro(io, many(50));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(results.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(results[i]) << i << ": " << results[i].error().describe();
    EXPECT_EQ(results[i]->out, "out-" + std::to_string(i) + "\n");
    EXPECT_EQ(results[i]->err, "err-" + std::to_string(i) + "\n");
    EXPECT_EQ(results[i]->exit_code, 0);
  }
  std::printf("[ measure  ] 50 concurrent sh runs on one thread: %lld ms\n", static_cast<long long>(ms));
}

}  // namespace
}  // namespace alertbot
