#include "bot/cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "bot/config.hpp"
#include "net/logging.hpp"

namespace alertbot::bot {
namespace {

struct Command {
  const char* name;
  const char* summary;
  const char* usage;
  std::vector<std::string> value_options;
  std::vector<std::string> flag_options;
  int (*run)(const CliArgs&);  // null: not available yet
  const char* later;           // which piece of work brings it, when run is null
};

const std::vector<std::string> kLogOptions = {"log-format", "log-level"};

std::vector<std::string> with_log(std::vector<std::string> v) {
  v.insert(v.end(), kLogOptions.begin(), kLogOptions.end());
  return v;
}

const std::vector<Command>& commands() {
  static const std::vector<Command> kList = {
      {"run", "run the bot (Slack Socket Mode)", "alertbot run --config FILE [--log-format auto|text|json] [--log-level LEVEL]",
       with_log({"config"}), {}, cmd_run, nullptr},
      {"demo", "play the demo scenario end to end, offline", "alertbot demo [--scenario FILE] [--keep]",
       with_log({"scenario"}), {"keep"}, cmd_demo, nullptr},
      {"investigate", "run one investigation and print the report",
       "alertbot investigate --config FILE (--alert FILE | --service NAME [--since DUR]) [--at RFC3339] "
       "[--format text|markdown|json]",
       with_log({"config", "alert", "service", "since", "at", "format"}), {}, cmd_investigate, nullptr},
      {"digest", "post or print the weekly digest",
       "alertbot digest --config FILE [--week YYYY-Www] [--format text|json] [--post]\n\n"
       "The digest of one ISO week (--week 2026-W47: Monday 00:00 to Monday 00:00 in digest.timezone,\n"
       "UTC without a digest section), or of the 7 days up to now: alerts by service and severity,\n"
       "investigations, median time to first reply and to full report, the noisiest alerts with tuning\n"
       "suggestions, regressions traced to deploys, helpfulness and LLM cost. Printed on stdout; --post\n"
       "also posts it to digest.channel (an on-demand post; the weekly one is the bot's). See docs/digest.md.",
       with_log({"config", "week", "format"}), {"post"}, cmd_digest, nullptr},
      {"check-config", "validate a config file and print it with secrets masked", "alertbot check-config --config FILE",
       with_log({"config"}), {}, cmd_check_config, nullptr},
      {"migrate", "apply the store's schema migrations", "alertbot migrate --config FILE", with_log({"config"}), {},
       cmd_migrate, nullptr},
      {"mcp", "serve the investigators as MCP tools on stdio",
       "alertbot mcp --config FILE [--log-format auto|text|json] [--log-level LEVEL]\n\n"
       "An MCP (Model Context Protocol) server for coding agents: JSON-RPC messages, one per line, on\n"
       "stdin, replies on stdout; logs go to stderr. Tools: list_services, query_metrics, search_traces,\n"
       "get_trace, list_deploys, get_diff, search_logs, find_similar_investigations (when the store\n"
       "exists). Exits 0 at the end of input, once the calls in flight are answered. See docs/mcp.md.",
       with_log({"config"}), {}, cmd_mcp, nullptr},
      {"version", "print the version", "alertbot version", {}, {}, nullptr, nullptr},
  };
  return kList;
}

void print_usage(std::FILE* to) {
  std::fprintf(to, "alertbot: investigates production alerts in Slack\n\nusage: alertbot <command> [options]\n\ncommands:\n");
  for (const auto& c : commands()) std::fprintf(to, "  %-13s %s\n", c.name, c.summary);
  std::fprintf(to, "\n`alertbot <command> --help` describes one command.\n");
}

void setup_logging(const CliArgs& args, const char* default_level) {
  std::string format = args.get("log-format") ? *args.get("log-format") : "auto";
  std::string level = args.get("log-level") ? *args.get("log-level") : default_level;
  LogLineFormat f = format == "json" ? LogLineFormat::Json
                  : format == "text" ? LogLineFormat::Text
                                     : (isatty(STDERR_FILENO) ? LogLineFormat::Text : LogLineFormat::Json);
  if (!init_logging(f, level)) std::fprintf(stderr, "alertbot: unknown --log-level '%s', using info\n", level.c_str());
}

}  // namespace

bool CliArgs::has(const std::string& flag) const { return std::find(flags.begin(), flags.end(), flag) != flags.end(); }

const std::string* CliArgs::get(const std::string& name) const {
  auto it = options.find(name);
  return it == options.end() ? nullptr : &it->second;
}

CliArgs parse_cli_args(const std::vector<std::string>& args, const std::vector<std::string>& value_options,
                       const std::vector<std::string>& flag_options) {
  CliArgs out;
  auto known = [](const std::vector<std::string>& list, const std::string& n) {
    return std::find(list.begin(), list.end(), n) != list.end();
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      out.error = "unexpected argument '" + a + "'";
      return out;
    }
    std::string name = a.substr(2);
    std::string value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    if (name == "help") {
      out.flags.emplace_back("help");
    } else if (known(flag_options, name)) {
      if (inline_value) {
        out.error = "--" + name + " takes no value";
        return out;
      }
      out.flags.push_back(name);
    } else if (known(value_options, name)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) {
          out.error = "--" + name + " needs a value";
          return out;
        }
        value = args[++i];
      }
      out.options[name] = value;
    } else {
      out.error = "unknown option --" + name;
      return out;
    }
  }
  return out;
}

std::optional<Config> load_config_for(const CliArgs& args, int& exit_code) {
  const std::string* path = args.get("config");
  if (!path) {
    std::fprintf(stderr, "alertbot %s: --config FILE is required\n", args.command.c_str());
    exit_code = 2;
    return std::nullopt;
  }
  try {
    Config c = load_config(*path);
    for (const auto& s : c.secrets()) register_log_secret(s);
    return c;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    exit_code = 1;
    return std::nullopt;
  }
}

int run_cli(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(stdout);
    return 0;
  }
  if (name == "--version") name = "version";
  auto it = std::find_if(commands().begin(), commands().end(), [&](const Command& c) { return name == c.name; });
  if (it == commands().end()) {
    std::fprintf(stderr, "alertbot: unknown command '%s'\n\n", name.c_str());
    print_usage(stderr);
    return 2;
  }
  CliArgs args = parse_cli_args(std::vector<std::string>(argv + 2, argv + argc), it->value_options, it->flag_options);
  args.command = name;
  if (args.has("help")) {
    std::printf("%s\n\n%s\n", it->summary, it->usage);
    if (!it->run && it->later) std::printf("\nNot available yet: it arrives with %s.\n", it->later);
    return 0;
  }
  if (!args.error.empty()) {
    std::fprintf(stderr, "alertbot %s: %s\nusage: %s\n", name.c_str(), args.error.c_str(), it->usage);
    return 2;
  }
  if (name == "version") {
    std::printf("alertbot %s\n", ALERTBOT_VERSION);
    return 0;
  }
  if (!it->run) {
    std::fprintf(stderr, "alertbot %s: not available yet (it arrives with %s)\n", name.c_str(), it->later);
    return 2;
  }
  setup_logging(args, name == "demo" ? "warn" : "info");
  return it->run(args);
}

}  // namespace alertbot::bot
