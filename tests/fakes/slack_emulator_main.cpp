// slack_emulator: the Slack workspace emulator as a standalone process, for programs in other
// languages (the official Node SDK test, the Bolt side of bench_slack_events). It listens on
// 127.0.0.1 with the control API (/_emulator/*) on, prints one JSON line
//   {"api_url":"http://127.0.0.1:P/api/","base_url":"http://127.0.0.1:P","bot_token":"..","app_token":".."}
// on stdout once it accepts connections, then serves until SIGTERM or SIGINT, when it closes
// every socket and exits 0. Uses the real clock. Exit 2 for bad arguments, 1 when it cannot listen.
//
// Usage: slack_emulator [--port N] [--ping-interval-ms N] [--log-level LEVEL]
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <string_view>

#include "net/clock.hpp"
#include "net/logging.hpp"
#include "tests/fakes/slack_workspace.hpp"

namespace {

using namespace alertbot;

int usage(const char* why) {
  std::fprintf(stderr, "slack_emulator: %s\nusage: slack_emulator [--port N] [--ping-interval-ms N] [--log-level LEVEL]\n", why);
  return 2;
}

bool parse_int(std::string_view s, long max, long& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out >= 0 && out <= max;
}

}  // namespace

int main(int argc, char** argv) {
  fakes::SlackWorkspaceSettings settings;
  settings.control_api = true;
  long port = 0;
  std::string level = "warn";
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") return usage("a Slack workspace emulator with the /_emulator control API");
    if (i + 1 >= argc) return usage("missing value after an option");
    std::string_view v = argv[++i];
    long n = 0;
    if (a == "--port") {
      if (!parse_int(v, 65535, port)) return usage("--port takes 0..65535");
    } else if (a == "--ping-interval-ms") {
      if (!parse_int(v, 3600000, n) || n == 0) return usage("--ping-interval-ms takes 1..3600000");
      settings.ping_interval = std::chrono::milliseconds(n);
    } else if (a == "--log-level") {
      level = std::string(v);
    } else {
      return usage("unknown option");
    }
  }
  if (!init_logging(LogLineFormat::Text, level)) return usage("--log-level: trace, debug, info, warn or error");
  settings.listen = "127.0.0.1:" + std::to_string(port);

  asio::io_context io;
  auto clock = make_system_clock();
  auto ws = fakes::SlackWorkspace::start(io.get_executor(), *clock, settings);
  if (!ws) {
    std::fprintf(stderr, "slack_emulator: cannot listen on %s: %s\n", settings.listen.c_str(), ws.error().describe().c_str());
    return 1;
  }
  auto& workspace = **ws;
  std::string base = workspace.api_url().substr(0, workspace.api_url().size() - 5);  // drop "/api/"
  boost::json::object line{{"api_url", workspace.api_url()},
                           {"base_url", base},
                           {"bot_token", workspace.settings().bot_token},
                           {"app_token", workspace.settings().app_token}};
  std::printf("%s\n", boost::json::serialize(line).c_str());
  std::fflush(stdout);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    asio::co_spawn(io, workspace.stop(), [&](std::exception_ptr e) {
      log_exception(e, "slack_emulator: stop");
      io.stop();  // the workspace is closed; nothing left is worth waiting for
    });
  });
  io.run();
  return 0;
}
