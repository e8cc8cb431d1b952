// `alertbot check-config`, `alertbot migrate` and `alertbot demo`.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <iostream>

#include "bot/cli.hpp"
#include "bot/config.hpp"
#include "bot/demo.hpp"
#include "net/clock.hpp"
#include "store/store.hpp"

namespace alertbot::bot {

int cmd_check_config(const CliArgs& args) {
  int code = 0;
  auto config = load_config_for(args, code);
  if (!config) return code;
  std::fputs(dump_config_masked(*config).c_str(), stdout);
  std::fputc('\n', stdout);
  for (const auto& m : missing_for_run(*config)) std::fprintf(stderr, "note: `alertbot run` would refuse: %s\n", m.c_str());
  return 0;
}

int cmd_migrate(const CliArgs& args) {
  int code = 0;
  auto config = load_config_for(args, code);
  if (!config) return code;
  asio::io_context io;
  auto clock = make_system_clock();
  auto store = store::open_store(config->store, *clock);
  if (!store) {
    std::fprintf(stderr, "alertbot migrate: %s\n", store.error().describe().c_str());
    return 1;
  }
  std::optional<Result<int>> version;
  asio::co_spawn(io, (*store)->migrate(), [&](std::exception_ptr, const Result<int>& r) { version = r; });
  io.run();
  store->reset();  // before the io_context goes
  if (!version || !*version) {
    std::fprintf(stderr, "alertbot migrate: %s\n", version ? (*version).error().describe().c_str() : "interrupted");
    return 1;
  }
  std::printf("schema version %d\n", **version);
  return 0;
}

int cmd_demo(const CliArgs& args) {
  DemoOptions opt;
  if (auto* s = args.get("scenario")) opt.scenario_file = *s;
  opt.keep = args.has("keep");
  return run_demo(opt, std::cout);
}

}  // namespace alertbot::bot
