#include "bot/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

namespace alertbot::bot {
namespace {

namespace fs = std::filesystem;

const std::string kExamplePath = ALERTBOT_TEST_DATA_DIR "/../../deploy/alertbot.example.yaml";

// Every environment variable the example refers to.
const char* const kExampleVars[] = {"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET",
                                    "ALERTBOT_STORE_URL", "OPENAI_API_KEY", "GITHUB_TOKEN", "ARGOCD_TOKEN"};

// Sets (or unsets) one environment variable for a scope, restoring the old value after.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value) {
      ::setenv(name_.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

// The error load_config_text throws for `text` (a test failure when it loads).
ConfigError load_error(const std::string& text, const std::string& name = "alertbot.yaml") {
  try {
    load_config_text(text, name);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "loaded without error:\n" << text;
  return ConfigError(name, 0, "", "no error");
}

// 1-based line of the first line of `text` containing `needle`.
int line_containing(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find(needle) != std::string::npos) return n;
  }
  return 0;
}

// A folder of its own under the system temp folder, removed after the test.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("alertbot_config_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// ---- loading and rejecting ----

TEST(ConfigLoader, LoadsDeployExampleWithoutEnvironment) {
  std::vector<std::unique_ptr<ScopedEnv>> unset;
  for (const char* var : kExampleVars) unset.push_back(std::make_unique<ScopedEnv>(var, std::nullopt));
  const Config c = load_config(kExamplePath);
  EXPECT_EQ(c.path, kExamplePath);
  EXPECT_TRUE(c.has_slack);
  EXPECT_TRUE(c.has_server);
  EXPECT_EQ(c.slack.mode, slack::SlackMode::Socket);
  EXPECT_EQ(c.slack.bot_token, "");
  EXPECT_EQ(c.slack.api_url, "https://slack.com/api/");
  EXPECT_EQ(c.store.url, "sqlite://alertbot.db");
  EXPECT_EQ(c.llm.timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.llm.input_usd_per_mtok, 2.0);
  ASSERT_EQ(c.channels.size(), 2u);
  ASSERT_NE(c.channel("C0ONCALL"), nullptr);
  EXPECT_EQ(c.channel("C0ONCALL")->investigate, InvestigateMode::OnRequest);
  EXPECT_EQ(c.channel("C0NOPE"), nullptr);
  ASSERT_EQ(c.services.size(), 3u);
  const auto* checkout = c.service("checkout");
  ASSERT_NE(checkout, nullptr);
  ASSERT_TRUE(checkout->prometheus && checkout->traces && checkout->logs && checkout->repo && checkout->profiles);
  EXPECT_EQ(checkout->match.at("service"), "checkout");
  EXPECT_EQ(checkout->traces->jaeger, "http://127.0.0.1:16686");
  EXPECT_EQ(checkout->logs->selector, "{app=\"checkout\"}");
  EXPECT_EQ(checkout->deploys.source, investigators::DeploySource::Webhook);
  EXPECT_EQ(checkout->downstream, (std::vector<std::string>{"payments", "inventory"}));
  const auto* orders = c.service("orders");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->traces->service, "orders");  // defaulted to the service's name
  EXPECT_EQ(orders->repo->github, "acme/orders");
  EXPECT_EQ(orders->deploys.environment, "production");
  EXPECT_EQ(c.service("payments")->deploys.argocd.app, "payments");
  EXPECT_EQ(c.service("nope"), nullptr);
  EXPECT_TRUE(c.secrets().empty());
}

TEST(ConfigLoader, EmptyFileGivesDefaultsAndNoSlack) {
  const Config c = load_config_text("# nothing yet\n", "empty.yaml");
  EXPECT_FALSE(c.has_slack);
  EXPECT_FALSE(c.has_server);
  EXPECT_EQ(c.slack.connections, 2);
  EXPECT_EQ(c.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.store.url, "sqlite://alertbot.db");
  EXPECT_EQ(c.llm.provider, llm::LlmProvider::None);
  EXPECT_EQ(c.log.level, "info");
  EXPECT_TRUE(c.services.empty());
}

TEST(ConfigLoader, InvestigateNeedsNoSlackOrServerSection) {
  const Config c = load_config_text("services:\n  - name: api\n    prometheus: { url: http://p:9090 }\n", "i.yaml");
  EXPECT_FALSE(c.has_slack);
  ASSERT_NE(c.service("api"), nullptr);
  EXPECT_FALSE(c.service("api")->traces.has_value());
  EXPECT_EQ(c.service("api")->deploys.source, investigators::DeploySource::None);
}

TEST(ConfigLoader, RejectsUnknownKeyWithFileLineAndPath) {
  const ConfigError e = load_error("slack:\n  mode: socket\n  bot_tokn: x\n", "conf/alertbot.yaml");
  EXPECT_EQ(e.file(), "conf/alertbot.yaml");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.key(), "slack.bot_tokn");
  EXPECT_EQ(std::string(e.what()).rfind("conf/alertbot.yaml:3: slack.bot_tokn: unknown key", 0), 0u) << e.what();
  EXPECT_NE(e.reason().find("did you mean 'bot_token'?"), std::string::npos) << e.what();
  EXPECT_NE(e.reason().find("expected one of: mode, app_token, app_token_file, bot_token"), std::string::npos);
}

TEST(ConfigLoader, RejectsMisspelledKeyInDeployExample) {
  std::string text = read_file(kExamplePath);
  const std::size_t at = text.find("  bot_token:");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 12, "  bot_tokn:");
  const int line = line_containing(text, "bot_tokn:");
  const ConfigError e = load_error(text, "deploy/alertbot.example.yaml");
  EXPECT_EQ(e.line(), line);
  const std::string prefix = "deploy/alertbot.example.yaml:" + std::to_string(line) + ": slack.bot_tokn: unknown key";
  EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what();
}

TEST(ConfigLoader, RejectsUnknownKeyInsideListItem) {
  const ConfigError e = load_error(
      "services:\n"
      "  - name: a\n"
      "  - name: b\n"
      "    prometheus:\n"
      "      urll: http://p:9090\n");
  EXPECT_EQ(e.line(), 5);
  EXPECT_EQ(e.key(), "services[1].prometheus.urll");
}

TEST(ConfigLoader, RejectsUnknownTopLevelKey) {
  const ConfigError e = load_error("store: { url: sqlite://x.db }\nservces: []\n");
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.key(), "servces");
  EXPECT_NE(e.reason().find("did you mean 'services'?"), std::string::npos) << e.what();
}

TEST(ConfigLoader, RejectsWrongScalarType) {
  const ConfigError e = load_error("slack:\n  connections: many\n");
  EXPECT_EQ(std::string(e.what()), "alertbot.yaml:2: slack.connections: expected an integer, got 'many'");
}

TEST(ConfigLoader, RejectsMapWhereStringExpected) {
  const ConfigError e = load_error("slack:\n  api_url: { a: b }\n");
  EXPECT_EQ(e.key(), "slack.api_url");
  EXPECT_EQ(e.reason(), "expected a string, got a map");
  EXPECT_EQ(load_error("channels: { id: C1 }\n").reason(), "expected a list, got a map");
  EXPECT_EQ(load_error("slack: [1, 2]\n").reason(), "expected a map, got a list");
}

TEST(ConfigLoader, RejectsBadDuration) {
  const ConfigError e = load_error("llm:\n  provider: none\n  timeout: fast\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.key(), "llm.timeout");
  EXPECT_EQ(e.reason().rfind("expected a duration like 30s or 5m", 0), 0u) << e.what();
  EXPECT_EQ(load_error("llm: { timeout: 0s }\n").reason(), "must be greater than 0s");
}

TEST(ConfigLoader, RejectsOutOfRangeInteger) {
  EXPECT_EQ(load_error("slack: { connections: 11 }\n").reason(), "must be between 1 and 10, got 11");
  EXPECT_EQ(load_error("slack: { connections: 0 }\n").reason(), "must be between 1 and 10, got 0");
  EXPECT_EQ(load_error("slack: { connections: 99999999999999999999 }\n").reason(),
            "must be between 1 and 10, got 99999999999999999999");
  EXPECT_EQ(load_error("llm: { temperature: 3 }\n").reason(), "must be between 0 and 2, got 3");
}

TEST(ConfigLoader, RejectsUnknownEnumValueAndBadBoolean) {
  EXPECT_EQ(load_error("slack: { mode: websocket }\n").reason(), "expected one of: socket, http; got 'websocket'");
  const ConfigError e = load_error("channels:\n  - { id: C1, investigate: sometimes }\n");
  EXPECT_EQ(e.key(), "channels[0].investigate");
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(load_error("slack: { debug_reconnects: yes }\n").reason(), "expected true or false, got 'yes'");
  EXPECT_EQ(load_error("log: { format: xml }\n").key(), "log.format");
  EXPECT_EQ(load_error("log: { level: loud }\n").key(), "log.level");
}

TEST(ConfigLoader, RejectsDuplicateKey) {
  const ConfigError e = load_error("slack:\n  mode: socket\n  mode: http\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.key(), "slack.mode");
  EXPECT_EQ(e.reason(), "duplicate key (first set at line 2)");
}

TEST(ConfigLoader, RejectsMissingRequiredKeyAtEnclosingMapLine) {
  const ConfigError e = load_error(
      "services:\n"
      "  - name: a\n"
      "  - match: { service: b }\n"
      "    downstream: [a]\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.key(), "services[1].name");
  EXPECT_EQ(e.reason(), "missing required key");
  const ConfigError channel = load_error("channels:\n  - { investigate: off }\n");
  EXPECT_EQ(channel.line(), 2);
  EXPECT_EQ(channel.key(), "channels[0].id");
}

TEST(ConfigLoader, PrefersUnknownKeyOverMissingKey) {
  EXPECT_EQ(load_error("services:\n  - nme: a\n").key(), "services[0].nme");
}

TEST(ConfigLoader, RejectsDuplicateServiceNamesAndChannelIds) {
  const ConfigError e = load_error("services:\n  - name: api\n  - name: web\n  - name: api\n");
  EXPECT_EQ(e.line(), 4);
  EXPECT_EQ(e.key(), "services[2].name");
  EXPECT_EQ(e.reason(), "duplicate service name (also services[0])");
  const ConfigError c = load_error("channels:\n  - id: C1\n  - id: C1\n");
  EXPECT_EQ(c.key(), "channels[1].id");
  EXPECT_EQ(c.reason(), "duplicate channel id (also channels[0])");
}

TEST(ConfigLoader, ReportsYamlSyntaxErrorLine) {
  const ConfigError e = load_error("slack:\n  mode: socket\n  bot_token: [unclosed\nserver: {}\n", "bad.yaml");
  EXPECT_EQ(e.file(), "bad.yaml");
  EXPECT_GE(e.line(), 3);
  EXPECT_EQ(e.reason().rfind("invalid YAML: ", 0), 0u) << e.what();
  EXPECT_EQ(load_error("a: b\n  c: d\n").line(), 2);
}

TEST(ConfigLoader, ReportsMissingFileWithoutLine) {
  try {
    load_config("/nonexistent-alertbot-dir/alertbot.yaml");
    FAIL() << "loaded a missing file";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.line(), 0);
    EXPECT_EQ(std::string(e.what()), "/nonexistent-alertbot-dir/alertbot.yaml: cannot read: No such file or directory");
  }
}

TEST(ConfigLoader, RejectsSeveralDocuments) {
  EXPECT_EQ(load_error("log: {}\n---\nlog: {}\n").reason(), "expected one YAML document (a second one, or a ',' outside [] or {}, starts here)");
}

// ---- validation beyond types ----

TEST(ConfigValidation, NormalisesUrls) {
  const Config c = load_config_text(
      "slack: { api_url: 'http://127.0.0.1:9999/api' }\n"
      "server: { public_url: 'https://bot.example.com/' }\n"
      "services:\n  - { name: a, prometheus: { url: 'http://p:9090/' } }\n",
      "u.yaml");
  EXPECT_EQ(c.slack.api_url, "http://127.0.0.1:9999/api/");
  EXPECT_EQ(c.server.public_url, "https://bot.example.com");
  EXPECT_EQ(c.services[0].prometheus->url, "http://p:9090");
}

TEST(ConfigValidation, RejectsBadUrlsAndAddresses) {
  EXPECT_EQ(load_error("slack: { api_url: slack.com/api }\n").reason(),
            "expected an http:// or https:// URL, got 'slack.com/api'");
  EXPECT_EQ(load_error("server: { listen: 8080 }\n").key(), "server.listen");
  EXPECT_EQ(load_error("server: { listen: 'localhost:99999' }\n").key(), "server.listen");
  EXPECT_NO_THROW(load_config_text("server: { listen: '[::1]:0' }\n", "v6.yaml"));
  EXPECT_NO_THROW(load_config_text("store: { url: 'sqlite::memory:' }\n", "mem.yaml"));
  const ConfigError store = load_error("store: { url: 'mysql://u:hunter2@h/db' }\n");
  EXPECT_EQ(store.key(), "store.url");
  EXPECT_EQ(std::string(store.what()).find("hunter2"), std::string::npos) << store.what();
}

TEST(ConfigValidation, PrometheusNeedsUrl) {
  const ConfigError e = load_error("services:\n  - name: a\n    prometheus:\n      errors: up\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.key(), "services[0].prometheus.url");
  EXPECT_EQ(e.reason(), "missing required key");
}

TEST(ConfigValidation, ChecksSourceSections) {
  EXPECT_EQ(load_error("services:\n  - { name: a, traces: { jaeger: 'http://j', tempo: 'http://t' } }\n").key(),
            "services[0].traces.tempo");
  EXPECT_EQ(load_error("services:\n  - { name: a, traces: { service: a } }\n").reason(),
            "needs jaeger or tempo (a base URL)");
  EXPECT_EQ(load_error("services:\n  - { name: a, logs: { loki: 'http://l', selector: 'app=a' } }\n").key(),
            "services[0].logs.selector");
  EXPECT_EQ(load_error("services:\n  - { name: a, repo: { github: acme } }\n").key(), "services[0].repo.github");
  EXPECT_EQ(load_error("services:\n  - { name: a, deploys: { source: github } }\n").key(),
            "services[0].deploys.source");
  EXPECT_EQ(load_error("services:\n  - { name: a, deploys: { source: argocd } }\n").key(),
            "services[0].deploys.argocd");
  EXPECT_EQ(load_error("services:\n  - { name: 'a b' }\n").key(), "services[0].name");
  EXPECT_EQ(load_error("channels:\n  - { id: '#alerts' }\n").key(), "channels[0].id");
  EXPECT_EQ(load_error("llm: { redact: { patterns: ['(unclosed'] } }\n").key(), "llm.redact.patterns");
  EXPECT_EQ(load_error("llm: { headers: { 'bad header': x } }\n").key(), "llm.headers");
}

TEST(ConfigValidation, FillsProviderBaseUrlAndServiceNames) {
  const Config c = load_config_text(
      "llm: { provider: anthropic, model: m }\n"
      "services:\n  - { name: a, profiles: { pyroscope: 'http://py:4040' } }\n",
      "d.yaml");
  EXPECT_EQ(c.llm.base_url, "https://api.anthropic.com/v1");
  EXPECT_EQ(c.services[0].profiles->app, "a");
}

// ---- ${VAR} substitution ----

TEST(ConfigSubstitution, ReplacesSetVariable) {
  ScopedEnv env("ALERTBOT_CFGTEST_BOT_TOKEN", "xoxb-from-env");
  const Config c = load_config_text("slack:\n  bot_token: ${ALERTBOT_CFGTEST_BOT_TOKEN}\n", "s.yaml");
  EXPECT_EQ(c.slack.bot_token, "xoxb-from-env");
  ScopedEnv host("ALERTBOT_CFGTEST_HOST", "prom.internal");
  const Config d = load_config_text("services:\n  - { name: a, prometheus: { url: 'http://${ALERTBOT_CFGTEST_HOST}:9090' } }\n", "s.yaml");
  EXPECT_EQ(d.services[0].prometheus->url, "http://prom.internal:9090");
}

TEST(ConfigSubstitution, RejectsUnsetVariableWithFileLineAndKey) {
  ScopedEnv env("ALERTBOT_CFGTEST_UNSET", std::nullopt);
  const ConfigError e = load_error("slack:\n  mode: socket\n  app_token: ${ALERTBOT_CFGTEST_UNSET}\n", "env.yaml");
  EXPECT_EQ(std::string(e.what()),
            "env.yaml:3: slack.app_token: environment variable ALERTBOT_CFGTEST_UNSET is not set");
}

TEST(ConfigSubstitution, UsesDefaultWhenUnsetOrEmpty) {
  ScopedEnv unset("ALERTBOT_CFGTEST_DEF_UNSET", std::nullopt);
  ScopedEnv empty("ALERTBOT_CFGTEST_DEF_EMPTY", "");
  ScopedEnv set("ALERTBOT_CFGTEST_DEF_SET", "debug");
  const Config c = load_config_text(
      "slack: { bot_token: '${ALERTBOT_CFGTEST_DEF_UNSET:-}', app_token: '${ALERTBOT_CFGTEST_DEF_EMPTY:-xapp-d}' }\n"
      "log: { level: '${ALERTBOT_CFGTEST_DEF_SET:-info}' }\n",
      "d.yaml");
  EXPECT_EQ(c.slack.bot_token, "");
  EXPECT_EQ(c.slack.app_token, "xapp-d");
  EXPECT_EQ(c.log.level, "debug");
  // Set but empty, without a default: the empty value.
  EXPECT_EQ(load_config_text("slack: { bot_token: '${ALERTBOT_CFGTEST_DEF_EMPTY}' }\n", "d.yaml").slack.bot_token, "");
}

TEST(ConfigSubstitution, DoubleDollarIsLiteralDollar) {
  ScopedEnv env("ALERTBOT_CFGTEST_DOLLAR", "no");
  const Config c = load_config_text(
      "services:\n  - name: a\n    match: { a: 'x$$', b: 'pa$${ALERTBOT_CFGTEST_DOLLAR}', c: 'end$', d: '$5' }\n", "d.yaml");
  const auto& match = c.services.at(0).match;
  EXPECT_EQ(match.at("a"), "x$");
  EXPECT_EQ(match.at("b"), "pa${ALERTBOT_CFGTEST_DOLLAR}");
  EXPECT_EQ(match.at("c"), "end$");  // a '$' not followed by '{' or '$' is kept
  EXPECT_EQ(match.at("d"), "$5");
}

TEST(ConfigSubstitution, SubstitutesBeforeTypeConversion) {
  ScopedEnv n("ALERTBOT_CFGTEST_CONNECTIONS", "4");
  ScopedEnv bad("ALERTBOT_CFGTEST_BAD_CONNECTIONS", "lots");
  EXPECT_EQ(load_config_text("slack: { connections: '${ALERTBOT_CFGTEST_CONNECTIONS:-2}' }\n", "t.yaml").slack.connections, 4);
  EXPECT_EQ(load_config_text("slack: { connections: '${ALERTBOT_CFGTEST_NOPE_X:-3}' }\n", "t.yaml").slack.connections, 3);
  EXPECT_EQ(load_error("slack: { connections: '${ALERTBOT_CFGTEST_BAD_CONNECTIONS}' }\n").reason(),
            "expected an integer, got 'lots'");
}

TEST(ConfigSubstitution, AppliesToListItemsAndMapValues) {
  ScopedEnv env("ALERTBOT_CFGTEST_LABEL", "shop");
  ScopedEnv unset("ALERTBOT_CFGTEST_LIST_UNSET", std::nullopt);
  const Config c = load_config_text(
      "services:\n  - { name: a, match: { ns: '${ALERTBOT_CFGTEST_LABEL}' }, downstream: ['${ALERTBOT_CFGTEST_LABEL}'] }\n",
      "t.yaml");
  EXPECT_EQ(c.services[0].match.at("ns"), "shop");
  EXPECT_EQ(c.services[0].downstream.at(0), "shop");
  const ConfigError e = load_error("services:\n  - name: a\n    downstream:\n      - ok\n      - ${ALERTBOT_CFGTEST_LIST_UNSET}\n");
  EXPECT_EQ(e.key(), "services[0].downstream[1]");
  EXPECT_EQ(e.line(), 5);
}

TEST(ConfigSubstitution, RejectsMalformedReference) {
  EXPECT_EQ(load_error("log: { level: '${UNCLOSED' }\n").reason(), "unterminated '${' (write $$ for a literal $)");
  EXPECT_EQ(load_error("log: { level: '${A-b}' }\n").reason(), "bad substitution '${A-b}' (use ${VAR} or ${VAR:-default})");
}

// ---- *_file secrets ----

TEST(ConfigSecretFiles, ReadsSecretFromFileWithoutTrailingNewline) {
  TempDir dir;
  write_file(dir.path() / "bot_token", "xoxb-from-file\n\n");
  write_file(dir.path() / "store_url", "postgresql://bot:s3cret@db/alertbot\n");
  const Config c = load_config_text("slack:\n  bot_token_file: " + (dir.path() / "bot_token").string() +
                                        "\nstore:\n  url_file: " + (dir.path() / "store_url").string() + "\n",
                                    "f.yaml");
  EXPECT_EQ(c.slack.bot_token, "xoxb-from-file");
  EXPECT_EQ(c.store.url, "postgresql://bot:s3cret@db/alertbot");
}

TEST(ConfigSecretFiles, RelativePathResolvesAgainstConfigFolder) {
  TempDir dir;
  fs::create_directories(dir.path() / "secrets");
  write_file(dir.path() / "secrets" / "github", "ghp_relative\n");
  write_file(dir.path() / "alertbot.yaml",
             "services:\n  - name: a\n    repo: { github: acme/a, github_token_file: secrets/github }\n");
  const Config c = load_config((dir.path() / "alertbot.yaml").string());
  EXPECT_EQ(c.services[0].repo->github_token, "ghp_relative");
}

TEST(ConfigSecretFiles, RejectsKeyAndFileTogether) {
  const ConfigError e = load_error("slack:\n  bot_token: a\n  bot_token_file: /tmp/x\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.key(), "slack.bot_token_file");
  EXPECT_EQ(e.reason(), "both bot_token and bot_token_file are set; use one");
}

TEST(ConfigSecretFiles, RejectsUnreadableFile) {
  TempDir dir;
  const std::string missing = (dir.path() / "missing").string();
  const ConfigError e = load_error("services:\n  - name: a\n    deploys:\n      source: argocd\n      argocd:\n"
                                   "        url: https://argo\n        app: a\n        token_file: " + missing + "\n");
  EXPECT_EQ(e.line(), 8);
  EXPECT_EQ(e.key(), "services[0].deploys.argocd.token_file");
  EXPECT_EQ(e.reason(), "cannot read " + missing + ": No such file or directory");
  EXPECT_EQ(load_error("llm: { api_key_file: '" + dir.path().string() + "' }\n").key(), "llm.api_key_file");
}

// ---- secrets and masking ----

// A config with a distinct value in every secret place.
const char* const kSecretConfig =
    "slack: { app_token: xapp-SECRET1, bot_token: xoxb-SECRET2, signing_secret: SECRET3 }\n"
    "store: { url: 'postgresql://bot:SECRET4@db.internal:5432/alertbot' }\n"
    "llm: { provider: openai, model: m, api_key: sk-SECRET5, headers: { X-Api-Key: SECRET6, X-Team: blue } }\n"
    "services:\n"
    "  - name: a\n"
    "    prometheus: { url: 'http://reader:SECRET7@prom:9090' }\n"
    "    repo: { github: acme/a, github_token: ghp_SECRET8 }\n"
    "    deploys: { source: argocd, argocd: { url: 'https://argo', app: a, token: SECRET9 } }\n";

TEST(ConfigSecrets, ListsEverySecretIncludingUrlPasswords) {
  const Config c = load_config_text(kSecretConfig, "s.yaml");
  const std::vector<std::string> secrets = c.secrets();
  for (const char* s : {"xapp-SECRET1", "xoxb-SECRET2", "SECRET3", "SECRET4", "sk-SECRET5", "SECRET6", "SECRET7",
                        "ghp_SECRET8", "SECRET9"}) {
    EXPECT_NE(std::find(secrets.begin(), secrets.end(), s), secrets.end()) << s;
  }
  EXPECT_EQ(std::find(secrets.begin(), secrets.end(), "blue"), secrets.end());
  EXPECT_EQ(secrets.size(), 9u);
}

TEST(ConfigDump, MasksEverySecret) {
  const std::string dump = dump_config_masked(load_config_text(kSecretConfig, "s.yaml"));
  EXPECT_EQ(dump.find("SECRET"), std::string::npos) << dump;
  EXPECT_NE(dump.find("bot_token: \"***\""), std::string::npos) << dump;
  EXPECT_NE(dump.find("postgresql://bot:***@db.internal:5432/alertbot"), std::string::npos) << dump;
  EXPECT_NE(dump.find("http://reader:***@prom:9090"), std::string::npos) << dump;
  EXPECT_NE(dump.find("X-Team: blue"), std::string::npos) << dump;
}

TEST(ConfigDump, ShowsEverySectionWithDefaults) {
  const std::string dump = dump_config_masked(load_config_text("", "e.yaml"));
  for (const char* s : {"slack:", "mode: socket", "bot_token: \"\"", "api_url: https://slack.com/api/", "connections: 2",
                        "server:", "listen: 127.0.0.1:8080", "store:", "url: sqlite://alertbot.db", "llm:",
                        "provider: none", "timeout: 30s", "max_context_tokens: 24000", "log:", "format: auto",
                        "channels: []", "services: []"}) {
    EXPECT_NE(dump.find(s), std::string::npos) << s << " not in:\n" << dump;
  }
}

TEST(ConfigDump, LoadsBackToTheSameConfig) {
  std::vector<std::unique_ptr<ScopedEnv>> unset;
  for (const char* var : kExampleVars) unset.push_back(std::make_unique<ScopedEnv>(var, std::nullopt));
  const std::string first = dump_config_masked(load_config(kExamplePath));
  const std::string second = dump_config_masked(load_config_text(first, "dump.yaml"));
  EXPECT_EQ(first, second);
  const std::string masked = dump_config_masked(load_config_text(kSecretConfig, "s.yaml"));
  EXPECT_EQ(dump_config_masked(load_config_text(masked, "dump.yaml")), masked);
}

// ---- what `run` needs ----

TEST(ConfigMissingForRun, ListsEmptySecretsRunNeeds) {
  const Config c = load_config_text("slack: { mode: http }\nllm: { provider: openai }\n", "r.yaml");
  EXPECT_EQ(missing_for_run(c), (std::vector<std::string>{"slack.bot_token is empty",
                                                          "slack.signing_secret is empty (slack.mode is http)",
                                                          "llm.model is empty (llm.provider is openai)",
                                                          "llm.api_key is empty (llm.provider is openai)"}));
  const Config none = load_config_text("", "r.yaml");
  EXPECT_EQ(missing_for_run(none).front(), "the slack section is missing");
}

TEST(ConfigMissingForRun, EmptyWhenEverythingIsSet) {
  ScopedEnv app("ALERTBOT_CFGTEST_APP", "xapp-1");
  ScopedEnv bot("ALERTBOT_CFGTEST_BOT", "xoxb-1");
  const Config c = load_config_text("slack: { app_token: '${ALERTBOT_CFGTEST_APP}', bot_token: '${ALERTBOT_CFGTEST_BOT}' }\n", "r.yaml");
  EXPECT_TRUE(c.literal_secrets.empty());
  EXPECT_TRUE(missing_for_run(c).empty());
}

// ---- secrets written in the file ----

TEST(ConfigLiteralSecrets, RunRefusesEachWithFileLineKeyAndFix) {
  const Config c = load_config_text(kSecretConfig, "s.yaml");
  std::vector<std::string> keys;
  for (const auto& s : c.literal_secrets) keys.push_back(s.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"slack.app_token", "slack.bot_token", "slack.signing_secret", "store.url",
                                            "llm.api_key", "services[0].repo.github_token",
                                            "services[0].deploys.argocd.token"}));
  const auto problems = missing_for_run(c);
  auto has = [&](const std::string& text) {
    return std::any_of(problems.begin(), problems.end(), [&](const std::string& m) { return m == text; });
  };
  EXPECT_TRUE(has("s.yaml:1: slack.bot_token: a secret is written in the file; secrets come only from the environment or "
                  "files: write bot_token: ${SLACK_BOT_TOKEN} or bot_token_file: <path>"))
      << ::testing::PrintToString(problems);
  EXPECT_TRUE(has("s.yaml:2: store.url: a secret is written in the file; secrets come only from the environment or files: "
                  "write the password as ${STORE_URL_PASSWORD} inside the URL, or the whole URL as ${STORE_URL} or "
                  "url_file: <path>"))
      << ::testing::PrintToString(problems);
  for (const auto& p : problems) {
    for (const char* secret : {"xapp-SECRET1", "xoxb-SECRET2", "SECRET3", "SECRET4", "sk-SECRET5", "ghp_SECRET8", "SECRET9"}) {
      EXPECT_EQ(p.find(secret), std::string::npos) << "a problem shows the secret: " << p;
    }
  }
}

TEST(ConfigLiteralSecrets, HooksLinkSecretAndNonEmptyDefaultsCount) {
  ScopedEnv unset("ALERTBOT_CFGTEST_LIT_UNSET", std::nullopt);
  const Config c = load_config_text(
      "server: { link_secret: k3y }\n"
      "hooks: { token: 'Bearer-${ALERTBOT_CFGTEST_LIT_UNSET:-}', channel: C0HOOKS }\n"
      "llm: { api_key: '${ALERTBOT_CFGTEST_LIT_UNSET:-sk-default}' }\n",
      "l.yaml");
  ASSERT_EQ(c.literal_secrets.size(), 3u);
  EXPECT_EQ(c.literal_secrets[0].key, "server.link_secret");
  EXPECT_EQ(c.literal_secrets[0].line, 1);
  EXPECT_EQ(c.literal_secrets[1].key, "hooks.token");
  EXPECT_EQ(c.literal_secrets[2].key, "llm.api_key");
  EXPECT_EQ(c.literal_secrets[2].line, 3);
  EXPECT_EQ(c.llm.api_key, "sk-default") << "it still loads: check-config and investigate keep working";
}

TEST(ConfigLiteralSecrets, EnvironmentFilesEmptyValuesAndUrlsWithoutPasswordsAreFine) {
  TempDir dir;
  write_file(dir.path() / "token", "xoxb-from-file\n");
  ScopedEnv pw("ALERTBOT_CFGTEST_PG_PASSWORD", "pw");
  ScopedEnv unset("ALERTBOT_CFGTEST_LIT_UNSET", std::nullopt);
  const Config c = load_config_text(
      "slack: { bot_token_file: " + (dir.path() / "token").string() +
          ", app_token: '${ALERTBOT_CFGTEST_LIT_UNSET:-}', signing_secret: '' }\n"
          "store: { url: 'postgresql://bot:${ALERTBOT_CFGTEST_PG_PASSWORD}@db/alertbot' }\n"
          "llm: { api_key: '$${ALERTBOT_CFGTEST_LIT_UNSET}' }\n",
      "ok.yaml");
  ASSERT_EQ(c.literal_secrets.size(), 1u) << "'$$' writes a literal '$': that value is in the file";
  EXPECT_EQ(c.literal_secrets[0].key, "llm.api_key");
  EXPECT_EQ(c.store.url, "postgresql://bot:pw@db/alertbot");
  EXPECT_TRUE(load_config_text("store: { url: 'postgresql://bot@db/alertbot' }\n", "u.yaml").literal_secrets.empty());
  EXPECT_TRUE(load_config_text("store: { url: 'sqlite://a.db' }\n", "u.yaml").literal_secrets.empty());
  EXPECT_EQ(load_config_text("store: { url: 'postgresql://bot:hunter2@db/a' }\n", "u.yaml").literal_secrets.size(), 1u);
}

TEST(ConfigLiteralSecrets, TheExampleHasNone) {
  const Config c = load_config(kExamplePath);
  EXPECT_TRUE(c.literal_secrets.empty()) << c.literal_secrets.front().key;
}

// ---- commands.rate_limit ----

TEST(ConfigCommands, RateLimitDefaultsLoadsAndRejectsBadValues) {
  const Config d = load_config_text("", "r.yaml");
  EXPECT_EQ(d.commands.rate_limit.per_user, 10);
  EXPECT_EQ(d.commands.rate_limit.per_channel, 30);
  EXPECT_EQ(d.commands.rate_limit.window, std::chrono::minutes(1));
  const Config c = load_config_text("commands:\n  rate_limit: { per_user: 0, per_channel: 5, window: 10m }\n", "r.yaml");
  EXPECT_EQ(c.commands.rate_limit.per_user, 0);
  EXPECT_EQ(c.commands.rate_limit.per_channel, 5);
  EXPECT_EQ(c.commands.rate_limit.window, std::chrono::minutes(10));
  const ConfigError neg = load_error("commands:\n  rate_limit: { per_user: -1 }\n");
  EXPECT_EQ(neg.key(), "commands.rate_limit.per_user");
  const ConfigError window = load_error("commands:\n  rate_limit:\n    window: 0s\n");
  EXPECT_EQ(window.key(), "commands.rate_limit.window");
  EXPECT_EQ(window.line(), 3);
  EXPECT_EQ(load_error("commands:\n  rate_limit: { per_usr: 3 }\n").key(), "commands.rate_limit.per_usr");
  // The dump shows it, and what it prints loads back the same.
  const std::string dump = dump_config_masked(c);
  EXPECT_NE(dump.find("per_channel: 5"), std::string::npos) << dump;
  EXPECT_EQ(load_config_text(dump, "dump.yaml").commands.rate_limit.window, std::chrono::minutes(10));
}

}  // namespace
}  // namespace alertbot::bot

namespace alertbot::bot {
namespace {

TEST(ConfigHooks, LoadsTokenAndChannelAndMasksTheToken) {
  const Config c = load_config_text("server: {listen: 127.0.0.1:0}\nhooks: {token: s3cret-hook, channel: C0HOOKS}\n", "h.yaml");
  EXPECT_TRUE(c.has_hooks);
  EXPECT_EQ(c.hooks.token, "s3cret-hook");
  EXPECT_EQ(c.hooks.channel, "C0HOOKS");
  const auto secrets = c.secrets();
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "s3cret-hook"), secrets.end());
  const std::string dump = dump_config_masked(c);
  EXPECT_EQ(dump.find("s3cret-hook"), std::string::npos) << dump;
  EXPECT_NE(dump.find("C0HOOKS"), std::string::npos) << dump;
}

TEST(ConfigHooks, RejectsABadChannelAndRunNeedsTheTokenAndTheServer) {
  try {
    load_config_text("hooks: {token: t, channel: alerts}\n", "h.yaml");
    ADD_FAILURE() << "a channel name instead of an id loaded";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "hooks.channel");
  }
  const Config c = load_config_text("hooks: {channel: C0HOOKS}\n", "h.yaml");
  const auto missing = missing_for_run(c);
  auto has = [&](const std::string& text) {
    return std::any_of(missing.begin(), missing.end(), [&](const std::string& m) { return m.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("hooks.token is empty"));
  EXPECT_TRUE(has("hooks needs the server section"));
}

TEST(ConfigLoader, TextTheYamlParserWouldLoopOnIsRefused) {
  // yaml-cpp's LoadAll never returns on these (found by fuzzing).
  for (const char* text : {",", "  ,", "# c\n,", "\"x\" ,", "!t ,", "---\n,", "slack: {}\n---\n,"}) {
    const ConfigError e = load_error(text, "loop.yaml");
    EXPECT_NE(std::string(e.what()).find("expected one YAML document"), std::string::npos) << text << ": " << e.what();
  }
}

TEST(ConfigLoader, TextThatIsNotUtf8IsRefusedWithWhere) {
  // yaml-cpp loops on some malformed input (found by fuzzing): it never sees it.
  const ConfigError e = load_error("slack:\n  api_url: x\n,e\xff\n", "bad.yaml");
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(std::string(e.what()).find("not UTF-8 text (byte 23)"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace alertbot::bot
