// `alertbot mcp` as an MCP client sees it: the real binary, spawned with pipes, against a fake
// Prometheus on 127.0.0.1 (run by this test). Checks the handshake, tools/list, a query_metrics
// call that reaches the fake, a bad line answered -32700 while the session goes on, a line over
// 4 MiB, that stdout carries nothing but JSON-RPC lines, and that EOF on stdin ends it with exit 0.
// Usage: mcp_cli_test ALERTBOT_BINARY [gtest options]
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/fakes/prometheus_fake.hpp"

extern char** environ;

namespace alertbot {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string g_binary;  // the alertbot binary under test (argv[1])

// A safety net so a broken server fails the test instead of hanging it; never a way to wait.
constexpr auto kLimit = 30s;

constexpr const char* kPromql = "sum(rate(http_requests_total{service=\"checkout\"}[1m]))";

// The fake Prometheus on its own thread, so the test thread can block on the child's pipes.
class PrometheusThread {
 public:
  PrometheusThread() {
    fakes::FakeSeries s;
    s.match = "http_requests_total";
    s.labels = {{"service", "checkout"}};
    s.before = 1;
    s.after = 42;  // the onset is long past: every point is 42
    s.onset = SystemTime(std::chrono::seconds(1000000000));
    auto started = fakes::FakePrometheus::start(io_.get_executor(), {s});
    if (!started) throw std::runtime_error("fake prometheus: " + started.error().describe());
    fake_ = std::move(*started);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~PrometheusThread() {
    asio::co_spawn(io_, fake_->stop(), asio::detached);
    work_.reset();
    thread_.join();
  }
  fakes::FakePrometheus& fake() { return *fake_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<fakes::FakePrometheus> fake_;
  std::thread thread_;
};

// `alertbot mcp --config CONFIG` with its stdin and stdout on pipes and stderr in a file.
class McpProcess {
 public:
  McpProcess(const std::string& config, const std::string& stderr_path) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> args = {g_binary, "mcp", "--config", config, "--log-level", "debug"};
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, g_binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    to_child_ = in[1];
    ::fcntl(to_child_, F_SETFL, O_NONBLOCK);
    from_child_ = out[0];
    if (rc != 0) throw std::runtime_error("posix_spawn failed");
  }
  ~McpProcess() {
    close_stdin();
    if (from_child_ >= 0) ::close(from_child_);
    if (pid_ > 0 && exit_code_ < 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // Writes `line` and its newline, reading stdout meanwhile so a server that answers while a long
  // line is still being written cannot deadlock the test.
  void send(const std::string& line) {
    std::string data = line + "\n";
    std::size_t done = 0;
    auto deadline = std::chrono::steady_clock::now() + kLimit;
    while (done < data.size()) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("write to alertbot mcp timed out");
      pollfd p[2] = {{to_child_, POLLOUT, 0}, {from_child_, POLLIN, 0}};
      if (::poll(p, 2, 100) <= 0) continue;
      if (p[1].revents & POLLIN) read_some();
      if (!(p[0].revents & (POLLOUT | POLLERR | POLLHUP))) continue;
      ssize_t n = ::write(to_child_, data.data() + done, data.size() - done);
      if (n < 0 && errno == EAGAIN) continue;
      if (n <= 0) throw std::runtime_error("write to alertbot mcp failed");
      done += static_cast<std::size_t>(n);
    }
  }
  void close_stdin() {
    if (to_child_ >= 0) ::close(to_child_);
    to_child_ = -1;
  }

  // The next line of stdout; nullopt at EOF (or past the safety limit).
  std::optional<std::string> read_line() {
    auto deadline = std::chrono::steady_clock::now() + kLimit;
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{from_child_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      if (!read_some()) return std::nullopt;
    }
  }

  // Replies are read until the one with `id`; the others are kept (replies may come in any order).
  json::object reply_for(const json::value& id) {
    const std::string key = json::serialize(id);
    while (!replies_.count(key)) {
      auto line = read_line();
      if (!line) throw std::runtime_error("no reply with id " + key);
      json::value v = json::parse(*line);  // stdout carries nothing but JSON-RPC messages
      replies_[json::serialize(v.at("id"))] = v.as_object();
    }
    return replies_[key];
  }

  // Waits for the exit (bounded by the safety limit); the exit code, or -1.
  int wait_exit() {
    auto deadline = std::chrono::steady_clock::now() + kLimit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_code_;
      }
      pollfd p{from_child_, POLLIN, 0};
      ::poll(&p, 1, 20);  // the pipe's EOF comes with the exit; this only paces the loop
    }
    return -1;
  }

 private:
  // Appends what stdout has to buffer_; false at EOF or on an error.
  bool read_some() {
    char chunk[65536];
    ssize_t n = ::read(from_child_, chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  int exit_code_ = -1;
  std::string buffer_;
  std::map<std::string, json::object> replies_;
};

class McpCli : public ::testing::Test {
 public:
  ~McpCli() override { fs::remove_all(dir_); }

 protected:
  McpCli() {
    char pattern[] = "/tmp/alertbot-mcp-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    config_ = dir_ + "/alertbot.yaml";
    std::ofstream(config_) << "store: { url: \"sqlite://" << dir_ << "/none.db\" }\n"
                           << "services:\n"
                           << "  - name: checkout\n"
                           << "    prometheus: { url: " << prometheus_.fake().url() << " }\n";
  }

  std::string stderr_text() const {
    std::ifstream in(dir_ + "/stderr");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  PrometheusThread prometheus_;
  std::string dir_;
  std::string config_;
};

std::string tool_call(int id, const std::string& name, const json::object& arguments) {
  json::object params;
  params["name"] = name;
  params["arguments"] = arguments;
  json::object m;
  m["jsonrpc"] = "2.0";
  m["id"] = id;
  m["method"] = "tools/call";
  m["params"] = std::move(params);
  return json::serialize(m);
}

TEST_F(McpCli, ServesASessionAndExitsZeroAtEndOfInput) {
  McpProcess mcp(config_, dir_ + "/stderr");
  mcp.send(R"j({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"cli-test","version":"1"}}})j");
  json::object init = mcp.reply_for(1);
  EXPECT_EQ(init.at("result").at("protocolVersion"), "2025-06-18");
  EXPECT_EQ(init.at("result").at("serverInfo").at("name"), "alertbot");
  EXPECT_TRUE(init.at("result").at("capabilities").as_object().contains("tools"));
  mcp.send(R"j({"jsonrpc":"2.0","method":"notifications/initialized"})j");

  mcp.send(R"j({"jsonrpc":"2.0","id":2,"method":"tools/list"})j");
  json::object list = mcp.reply_for(2);
  std::vector<std::string> names;
  for (const auto& t : list.at("result").at("tools").as_array()) {
    names.emplace_back(t.at("name").as_string());
    EXPECT_TRUE(t.at("inputSchema").is_object());
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "query_metrics"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "list_services"), names.end());

  mcp.send("this line is not JSON");
  json::object bad = mcp.reply_for(nullptr);
  EXPECT_EQ(bad.at("error").at("code"), -32700);

  json::object args;
  args["service"] = "checkout";
  args["promql"] = kPromql;
  args["minutes"] = 30;
  mcp.send(tool_call(3, "query_metrics", args));
  json::object metrics = mcp.reply_for(3);
  ASSERT_TRUE(metrics.contains("result")) << json::serialize(metrics);
  EXPECT_EQ(metrics.at("result").at("isError"), false) << json::serialize(metrics);
  json::value answer = json::parse(metrics.at("result").at("content").at(0).at("text").as_string());
  const json::array& series = answer.at("series").as_array();
  ASSERT_EQ(series.size(), 1u) << json::serialize(answer);
  EXPECT_EQ(series[0].at("last").to_number<double>(), 42.0);
  auto queries = prometheus_.fake().queries();
  EXPECT_NE(std::find(queries.begin(), queries.end(), kPromql), queries.end());

  json::object unknown_service;
  unknown_service["service"] = "nope";
  mcp.send(tool_call(4, "query_metrics", unknown_service));
  json::object failed = mcp.reply_for(4);
  EXPECT_EQ(failed.at("result").at("isError"), true);
  EXPECT_NE(failed.at("result").at("content").at(0).at("text").as_string().find("checkout"), json::string::npos);

  mcp.send(R"j({"jsonrpc":"2.0","id":5,"method":"ping"})j");
  EXPECT_EQ(mcp.reply_for(5).at("result"), json::object());

  mcp.close_stdin();
  EXPECT_EQ(mcp.read_line(), std::nullopt);  // nothing more on stdout
  EXPECT_EQ(mcp.wait_exit(), 0) << stderr_text();
  EXPECT_NE(stderr_text().find("mcp"), std::string::npos);  // the logs went to stderr
}

TEST_F(McpCli, ALineOverFourMebibytesIsAParseErrorAndTheSessionGoesOn) {
  McpProcess mcp(config_, dir_ + "/stderr");
  mcp.send(R"j({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")j" + std::string(5 << 20, 'x') + "\"}}");
  EXPECT_EQ(mcp.reply_for(nullptr).at("error").at("code"), -32700);
  mcp.send(R"j({"jsonrpc":"2.0","id":2,"method":"ping"})j");
  EXPECT_EQ(mcp.reply_for(2).at("result"), json::object());
  mcp.close_stdin();
  EXPECT_EQ(mcp.wait_exit(), 0) << stderr_text();
}

TEST_F(McpCli, EndOfInputRightAwayExitsZeroWithNothingOnStdout) {
  McpProcess mcp(config_, dir_ + "/stderr");
  mcp.close_stdin();
  EXPECT_EQ(mcp.read_line(), std::nullopt);
  EXPECT_EQ(mcp.wait_exit(), 0) << stderr_text();
}

TEST_F(McpCli, AConfigFileThatCannotBeReadExitsOne) {
  McpProcess mcp(dir_ + "/missing.yaml", dir_ + "/stderr");
  EXPECT_EQ(mcp.wait_exit(), 1) << stderr_text();
}

}  // namespace
}  // namespace alertbot

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: mcp_cli_test ALERTBOT_BINARY [gtest options]\n");
    return 2;
  }
  alertbot::g_binary = argv[1];
  std::signal(SIGPIPE, SIG_IGN);  // a server that died shows as a failed write, not a dead test
  return RUN_ALL_TESTS();
}
