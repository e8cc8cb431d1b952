// Config: the whole YAML configuration as plain settings structs, and its loader.
// load_config() reads one YAML file, substitutes ${VAR} and ${VAR:-default} from the environment
// in every scalar, resolves `<key>_file` variants of secrets (the file's contents, trailing
// newline removed), and checks every key and type. Any problem throws ConfigError naming the file,
// the line, the key path and the reason; nothing is half-loaded.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bot/command_limits.hpp"
#include "bot/digest_settings.hpp"
#include "investigators/service_settings.hpp"
#include "llm/llm_settings.hpp"
#include "net/server_settings.hpp"
#include "slack/slack_settings.hpp"
#include "store/store_settings.hpp"

namespace alertbot::bot {

enum class InvestigateMode { Auto, OnRequest, Off };

// A daily span of minutes after midnight UTC; `from` > `to` wraps midnight (22:00-07:00).
struct QuietHours {
  int from_minute = 0;
  int to_minute = 0;
  bool contains(int minute_of_day) const {
    return from_minute <= to_minute ? minute_of_day >= from_minute && minute_of_day < to_minute
                                    : minute_of_day >= from_minute || minute_of_day < to_minute;
  }
};

// One entry of `channels:`: a Slack channel the bot watches for alerts.
struct ChannelSettings {
  std::string id;                                // C... channel id
  InvestigateMode investigate = InvestigateMode::Auto;  // auto | on-request | off
  // Only alerts of these severities (lower case) are investigated automatically; empty: all.
  std::vector<std::string> severities;
  // During these hours only alerts of `quiet_severities` are investigated automatically; the
  // others are recorded (and counted in the digest).
  std::optional<QuietHours> quiet_hours;
  std::vector<std::string> quiet_severities{"critical", "page"};
};

// Who may run one command where (`commands:`). "*" in either list means anyone / anywhere.
struct CommandRule {
  std::vector<std::string> users{"*"};
  std::vector<std::string> channels{"*"};
  bool allows(std::string_view user, std::string_view channel) const;
};

// The `commands:` section: a rule per command (investigate, status, deploys, digest, silence);
// help is always allowed. Default: everyone everywhere. `rate_limit` bounds how often commands
// that start work (everything but help and status; mentions, follow-up questions and the re-run
// button too) are accepted per user and per channel (see command_limits.hpp).
struct CommandSettings {
  static constexpr const char* kName = "commands";
  std::map<std::string, CommandRule> rules;
  CommandRateLimit rate_limit;
  const CommandRule& rule(std::string_view command) const;
};

enum class LogFormat { Auto, Text, Json };

// The `log:` section (optional).
struct LogSettings {
  static constexpr const char* kName = "log";
  std::string level = "info";         // trace | debug | info | warn | error
  LogFormat format = LogFormat::Auto;  // auto: text on a terminal, JSON lines otherwise
};

// The `hooks:` section (optional): alerts and deploys POSTed to the bot's server (/hooks/*).
// Without it the hook routes are not served.
struct HooksSettings {
  static constexpr const char* kName = "hooks";
  // Every hook request must carry it: `Authorization: Bearer <token>` (or Basic auth with it as
  // the password). Secret; required when the section is present.
  std::string token;
  // The channel where alerts received on hooks are posted; each one's investigation runs in that
  // message's thread. Empty: deploy hooks only (alert hooks answer 404).
  std::string channel;
};

// A secret written in the config file itself instead of coming from the environment (${VAR}) or
// a file (`<key>_file`): `alertbot run` refuses it, `alertbot check-config` warns.
struct LiteralSecret {
  std::string key;  // "slack.bot_token"
  int line = 0;     // 1-based line in the file
  std::string fix;  // how to write it instead
};

struct Config {
  std::string path;  // the file it was loaded from
  slack::SlackSettings slack;
  ServerSettings server;
  HooksSettings hooks;
  DigestSettings digest;  // meaningful when has_digest
  store::StoreSettings store;
  llm::LlmSettings llm;
  LogSettings log;
  std::vector<ChannelSettings> channels;
  std::vector<investigators::ServiceSettings> services;
  CommandSettings commands;
  // Sections present in the file (an `investigate` run needs no slack or server section).
  bool has_slack = false;
  bool has_server = false;
  bool has_hooks = false;
  bool has_digest = false;
  // Secrets the file spells out (load_config records them; a Config built in code has none).
  std::vector<LiteralSecret> literal_secrets;

  // Every secret value in the config (tokens, keys, passwords in URLs), for log masking.
  std::vector<std::string> secrets() const;
  const ChannelSettings* channel(std::string_view id) const;
  const investigators::ServiceSettings* service(std::string_view name) const;
};

// A config problem: "alertbot.yaml:12: slack.bot_tokn: unknown key".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, std::string key, std::string reason);
  const std::string& file() const { return file_; }
  int line() const { return line_; }  // 1-based; 0 when the problem has no line (missing file)
  const std::string& key() const { return key_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  int line_;
  std::string key_;
  std::string reason_;
};

// Throws ConfigError. Environment lookups go through getenv.
Config load_config(const std::string& path);
// Same, from YAML text (`name` stands for the file in messages, and relative `*_file` paths
// resolve against its folder); used by tests.
Config load_config_text(const std::string& text, const std::string& name);

// What `alertbot run` needs but the config lacks or refuses, one line each ("slack.bot_token is
// empty"; a secret written in the file, with its file, line, key and how to fix it); empty when
// the bot can start. load_config() accepts empty and literal secrets so that a config can be
// checked without them (e.g. the example in CI, `check-config` notes these lines); `run` calls
// this before connecting and refuses to start.
std::vector<std::string> missing_for_run(const Config& config);

// The resolved config as YAML, every secret replaced by "***" (a password inside a store URL
// too), for `alertbot check-config`.
std::string dump_config_masked(const Config& config);

}  // namespace alertbot::bot
