// `alertbot run`: the bot itself.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <spdlog/spdlog.h>

#include "bot/app.hpp"
#include "bot/cli.hpp"
#include "bot/config.hpp"
#include "net/clock.hpp"
#include "net/logging.hpp"

namespace alertbot::bot {

int cmd_run(const CliArgs& args) {
  int code = 0;
  auto config = load_config_for(args, code);
  if (!config) return code;
  asio::io_context io;
  auto clock = make_system_clock();
  auto app = App::create(io.get_executor(), *config, *clock);
  if (!app) {
    spdlog::error("{}", app.error().describe());
    return app.error().code == Errc::InvalidArgument ? 2 : 1;
  }
  // The first SIGINT/SIGTERM stops gracefully (events in flight and the current investigation
  // finish); a second one exits at once: everything acked is stored, and the next start replays
  // what was not finished.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int sig) {
    if (ec) return;
    static bool stopping = false;
    if (stopping) {
      spdlog::warn("signal {} again: exiting now", sig);
      spdlog::default_logger()->flush();
      std::_Exit(128 + sig);
    }
    stopping = true;
    spdlog::info("signal {}: shutting down (send it again to exit at once)", sig);
    (*app)->stop();
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  std::optional<Result<void>> result;
  asio::co_spawn(io, (*app)->run(), [&](std::exception_ptr e, const Result<void>& r) {
    result = e ? Result<void>(fail(Errc::Internal, "the bot stopped with an exception")) : r;
    signals.cancel();
  });
  io.run();
  if (result && !*result) {
    spdlog::error("alertbot stopped: {}", result->error().describe());
    return 1;
  }
  spdlog::info("alertbot stopped");
  return 0;
}

}  // namespace alertbot::bot
