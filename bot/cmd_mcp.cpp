// `alertbot mcp`: the investigator tools as an MCP server on stdio (docs/mcp.md). Messages are
// JSON-RPC lines: one per line on stdin, one reply per line on stdout. stdout belongs to the
// protocol: the original stdout is kept on a private descriptor and fd 1 is pointed at stderr, so
// nothing else (a library's stray print) can corrupt the stream; logs go to stderr. Each message
// runs in its own coroutine (a slow tools/call does not hold up a ping); replies are written
// whole, one at a time. At EOF on stdin (or on SIGINT/SIGTERM) the calls in flight finish, then
// the command exits 0.
#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <spdlog/spdlog.h>

#include "bot/cli.hpp"
#include "bot/config.hpp"
#include "bot/mcp_server.hpp"
#include "bot/store_deploy_history.hpp"
#include "bot/store_past_search.hpp"
#include "bot/task_group.hpp"
#include "investigators/source_registry.hpp"
#include "investigators/sources/past_search.hpp"
#include "investigators/tools/investigator_tools.hpp"
#include "investigators/tools/tool_registry.hpp"
#include "net/async_mutex.hpp"
#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/logging.hpp"
#include "store/store.hpp"
#include "store/store_url.hpp"

namespace alertbot::bot {
namespace {

using Descriptor = asio::posix::stream_descriptor;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// One line read from stdin: its text, or `too_long` when it passed kMaxMcpMessageBytes (its
// bytes were dropped as they came).
struct Line {
  std::string text;
  bool too_long = false;
};

// Splits stdin into lines without ever holding more than about kMaxMcpMessageBytes of one.
class LineReader {
 public:
  explicit LineReader(Descriptor& in) : in_(in) {}

  // True when the input ended by a read error rather than EOF.
  bool failed() const { return failed_; }

  // Ends the input now, as if EOF came: what was read and not yet returned is dropped.
  void stop() {
    stopped_ = true;
    in_.cancel();
  }

  // The next line (without "\n" or "\r\n"); nullopt at the end of input or on a read error.
  awaitable<std::optional<Line>> next() {
    for (;;) {
      std::size_t nl = buffer_.find('\n', scanned_);
      if (nl != std::string::npos) co_return take(nl, nl + 1);
      scanned_ = buffer_.size();
      if (buffer_.size() > kMaxMcpMessageBytes) {  // keep counting the line as too long, drop its bytes
        dropping_ = true;
        buffer_.clear();
        scanned_ = 0;
      }
      if (stopped_) co_return std::nullopt;
      if (eof_) {
        if (buffer_.empty() && !dropping_) co_return std::nullopt;
        co_return take(buffer_.size(), buffer_.size());  // a last line without its newline
      }
      char chunk[64 * 1024];
      auto [ec, n] = co_await in_.async_read_some(asio::buffer(chunk), kTuple);
      buffer_.append(chunk, n);
      if (ec) {
        if (ec != asio::error::eof && !stopped_) {
          spdlog::error("mcp: reading stdin failed: {}", ec.message());
          failed_ = true;
        }
        eof_ = true;
      }
    }
  }

 private:
  Line take(std::size_t end, std::size_t consumed) {
    Line line;
    line.too_long = dropping_ || end > kMaxMcpMessageBytes;
    if (!line.too_long) line.text = buffer_.substr(0, end);
    if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
    buffer_.erase(0, consumed);
    scanned_ = 0;
    dropping_ = false;
    return line;
  }

  Descriptor& in_;
  std::string buffer_;
  std::size_t scanned_ = 0;  // buffer_[0, scanned_) holds no newline
  bool dropping_ = false;    // the current line is already too long
  bool eof_ = false;
  bool failed_ = false;  // input ended by a read error, not EOF
  bool stopped_ = false;  // stop() was called
};

// Writes reply lines to the protocol descriptor, whole and one at a time. After a write error
// (the client went away) further replies are dropped.
class LineWriter {
 public:
  explicit LineWriter(Descriptor& out) : out_(out) {}

  awaitable<void> write(std::string line) {
    line += '\n';
    bool locked = co_await mutex_.lock();
    if (!locked) co_return;
    AsyncMutex::Guard guard(mutex_);
    if (broken_) co_return;
    auto [ec, n] = co_await asio::async_write(out_, asio::buffer(line), kTuple);
    if (ec) {
      spdlog::warn("mcp: writing stdout failed ({}); dropping further replies", ec.message());
      broken_ = true;
    }
  }

 private:
  Descriptor& out_;
  AsyncMutex mutex_;
  bool broken_ = false;
};

awaitable<void> answer(McpServer& server, LineWriter& out, std::string message) {
  std::optional<std::string> reply = co_await server.handle(std::move(message));
  if (reply) co_await out.write(std::move(*reply));
}

// Serves until the end of input and the calls in flight are done. False when stdin failed.
awaitable<bool> serve(McpServer& server, LineReader& reader, Descriptor& out) {
  auto executor = co_await asio::this_coro::executor;
  LineWriter writer(out);
  TaskGroup calls(executor);
  for (;;) {
    std::optional<Line> line = co_await reader.next();
    if (!line) break;
    if (line->too_long) {
      std::string error = mcp_parse_error("the message is longer than 4 MiB");
      co_await writer.write(std::move(error));
      continue;
    }
    if (line->text.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines are not messages
    calls.spawn(answer(server, writer, std::move(line->text)), "mcp message");
  }
  spdlog::debug("mcp: end of input; {} call(s) in flight", calls.running());
  co_await calls.join();
  co_return !reader.failed();
}

// The store, only when it already exists: serving tools must not create a database.
std::unique_ptr<store::Store> existing_store(const Config& config, Clock& clock) {
  auto url = store::parse_store_url(config.store.url);
  if (!url) return nullptr;
  if (url->backend == store::StoreUrl::Backend::Sqlite && !std::filesystem::exists(url->path)) return nullptr;
  auto st = store::open_store(config.store, clock);
  if (!st) {
    spdlog::warn("mcp: the store cannot be opened ({}); find_similar_investigations is off", st.error().describe());
    return nullptr;
  }
  return std::move(*st);
}

// Saves the status flags of a descriptor and puts them back on scope exit: asio makes the
// descriptors non-blocking, and the open file may be shared with the parent (a terminal).
class FlagsRestorer {
 public:
  explicit FlagsRestorer(int fd) : fd_(fd), flags_(::fcntl(fd, F_GETFL)) {}
  ~FlagsRestorer() {
    if (flags_ >= 0) ::fcntl(fd_, F_SETFL, flags_);
  }
  FlagsRestorer(const FlagsRestorer&) = delete;
  FlagsRestorer& operator=(const FlagsRestorer&) = delete;

 private:
  int fd_;
  int flags_;
};

}  // namespace

int cmd_mcp(const CliArgs& args) {
  int code = 0;
  auto config = load_config_for(args, code);
  if (!config) return code;
  std::fflush(stdout);
  int in_fd = ::dup(STDIN_FILENO);
  int out_fd = ::dup(STDOUT_FILENO);
  if (in_fd < 0 || out_fd < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    std::perror("alertbot mcp: dup");
    return 1;
  }
  std::signal(SIGPIPE, SIG_IGN);  // a client that went away is a write error, not a crash

  asio::io_context io;
  Descriptor in(io, in_fd);
  Descriptor out(io, out_fd);
  FlagsRestorer in_flags(in_fd);  // destroyed before the descriptors close
  FlagsRestorer out_flags(out_fd);
  auto clock = make_system_clock();
  auto http = make_curl_http_client(io.get_executor(), *clock);
  auto st = existing_store(*config, *clock);
  auto history = st ? make_store_deploy_history(*st) : nullptr;
  auto past = st ? make_store_past_search(*st) : nullptr;
  investigators::SourceRegistry sources;
  investigators::register_builtin_sources(
      sources, investigators::SourceDeps{*http, *clock, history.get(), past.get(), io.get_executor()});
  investigators::ToolRegistry tools;
  investigators::ToolDeps deps{*http, *clock, sources, config->services, past.get()};
  if (auto added = investigators::register_investigator_tools(tools, deps); !added) {
    std::fprintf(stderr, "alertbot mcp: %s\n", added.error().describe().c_str());
    return 1;
  }
  McpServer server(tools, ALERTBOT_VERSION);
  spdlog::info("mcp: serving {} tool(s) on stdio", tools.list().size());
  LineReader reader(in);
  // SIGINT or SIGTERM ends the input early: the calls in flight still answer, then exit 0.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("mcp: signal {}: finishing the calls in flight", signal);
    reader.stop();
  });
  bool failed = false;
  asio::co_spawn(io, serve(server, reader, out), [&](std::exception_ptr e, bool read_all) {
    if (e) log_exception(e, "mcp: the session stopped");
    failed = e || !read_all;
    signals.cancel();
  });
  io.run();
  return failed ? 1 : 0;
}

}  // namespace alertbot::bot
