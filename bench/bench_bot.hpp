// What the benchmarks that run the whole bot share: a fresh working directory, and a Config that
// points the bot at the workspace emulator with a SQLite store in that directory (two Socket
// Mode connections, as production runs). The caller adds channels and services.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "bot/config.hpp"
#include "tests/fakes/slack_workspace.hpp"

namespace alertbot::bench {

// TMPDIR/<prefix>-<pid>, created.
inline std::string bench_dir(const std::string& prefix) {
  const auto dir = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline bot::Config bench_config(const fakes::SlackWorkspace& ws, const std::string& dir) {
  bot::Config config;
  config.has_slack = true;
  config.slack.app_token = ws.settings().app_token;
  config.slack.bot_token = ws.settings().bot_token;
  config.slack.api_url = ws.api_url();
  config.slack.connections = 2;
  config.store.url = "sqlite://" + dir + "/bench.db";
  return config;
}

}  // namespace alertbot::bench
