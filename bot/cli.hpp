// The `alertbot` command line: `alertbot <command> [options]`. Commands: run, demo, investigate,
// digest, check-config, migrate, mcp, version; each takes --help. Machine-readable output goes to
// stdout and nothing else does; logs go to stderr. Exit codes (contract.md): 0 done, 1 could not
// (bad input, unreachable store), 2 usage errors and commands not available yet.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace alertbot::bot {

int run_cli(int argc, char** argv);

// Parsed options of one command: --name value, --name=value, and flags (--keep).
struct CliArgs {
  std::string command;
  std::map<std::string, std::string> options;
  std::vector<std::string> flags;
  std::string error;  // a usage error, if any

  bool has(const std::string& flag) const;
  const std::string* get(const std::string& name) const;
};

// `value_options` take a value; `flag_options` do not. Anything else is a usage error.
CliArgs parse_cli_args(const std::vector<std::string>& args, const std::vector<std::string>& value_options,
                       const std::vector<std::string>& flag_options);

struct Config;

// Loads the --config of `args` and registers its secrets with the log mask. On failure it prints
// why and sets `exit_code`: 2 when --config is missing, 1 when the file cannot be used.
std::optional<Config> load_config_for(const CliArgs& args, int& exit_code);

// Commands (bot/cmd_*.cpp); each gets its parsed args and returns the exit code.
int cmd_run(const CliArgs& args);
int cmd_demo(const CliArgs& args);
int cmd_investigate(const CliArgs& args);
int cmd_digest(const CliArgs& args);
int cmd_check_config(const CliArgs& args);
int cmd_migrate(const CliArgs& args);
int cmd_mcp(const CliArgs& args);

}  // namespace alertbot::bot
