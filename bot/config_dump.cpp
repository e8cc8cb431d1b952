// dump_config_masked: the resolved config as YAML, with the same keys load_config() reads, so the
// output loads back (secrets then read "***").
#include <yaml-cpp/yaml.h>

#include <cstdio>

#include "bot/config.hpp"
#include "bot/config_reader.hpp"
#include "bot/config_sections.hpp"
#include "net/duration.hpp"

namespace alertbot::bot {
namespace {

namespace cd = config_detail;
namespace inv = investigators;

std::string masked(const std::string& secret) { return secret.empty() ? "" : "***"; }

// Emits `key: value` pairs into the open map.
class MapOut {
 public:
  explicit MapOut(YAML::Emitter& out) : out_(out) {}
  MapOut& str(const char* key, std::string_view value) {
    out_ << YAML::Key << key << YAML::Value << std::string(value);
    return *this;
  }
  MapOut& url(const char* key, std::string_view value) { return str(key, cd::mask_url_password(value)); }
  MapOut& secret(const char* key, const std::string& value) { return str(key, masked(value)); }
  MapOut& num(const char* key, double value) { return str(key, cd::format_number(value)); }
  MapOut& integer(const char* key, int value) {
    out_ << YAML::Key << key << YAML::Value << value;
    return *this;
  }
  MapOut& boolean(const char* key, bool value) {
    out_ << YAML::Key << key << YAML::Value << value;
    return *this;
  }
  // Starts a nested map under `key` (close with end()).
  MapOut& begin(const char* key) {
    out_ << YAML::Key << key << YAML::Value << YAML::BeginMap;
    return *this;
  }
  MapOut& end() {
    out_ << YAML::EndMap;
    return *this;
  }
  MapOut& list(const char* key, const std::vector<std::string>& items) {
    out_ << YAML::Key << key << YAML::Value;
    if (items.empty()) out_ << YAML::Flow;
    out_ << YAML::BeginSeq;
    for (const auto& item : items) out_ << item;
    out_ << YAML::EndSeq;
    return *this;
  }
  // A string map; values of keys for which `secret(key)` holds are masked.
  template <class IsSecret>
  MapOut& string_map(const char* key, const std::map<std::string, std::string>& items, IsSecret secret) {
    out_ << YAML::Key << key << YAML::Value;
    if (items.empty()) out_ << YAML::Flow;
    out_ << YAML::BeginMap;
    for (const auto& [k, v] : items) str(k.c_str(), secret(k) ? masked(v) : v);
    return end();
  }

 private:
  YAML::Emitter& out_;
};

void dump_llm(MapOut& m, const llm::LlmSettings& s) {
  m.begin(llm::LlmSettings::kName)
      .str("provider", cd::name_of<llm::LlmProvider>(cd::kLlmProviders, s.provider))
      .url("base_url", s.base_url)
      .str("model", s.model)
      .secret("api_key", s.api_key)
      .str("timeout", format_duration(s.timeout))
      .integer("max_context_tokens", s.max_context_tokens)
      .integer("max_output_tokens", s.max_output_tokens)
      .num("temperature", s.temperature);
  m.begin("price").num("input_per_mtok", s.input_usd_per_mtok).num("output_per_mtok", s.output_usd_per_mtok).end();
  m.begin("redact").boolean("emails", s.redact_emails).boolean("ips", s.redact_ips).list("patterns", s.redact_patterns).end();
  m.string_map("headers", s.headers, [](const std::string& name) { return cd::is_sensitive_header(name); });
  m.end();
}

void dump_service(YAML::Emitter& out, const inv::ServiceSettings& s) {
  out << YAML::BeginMap;
  MapOut m(out);
  m.str("name", s.name).string_map("match", s.match, [](const std::string&) { return false; });
  if (const auto& p = s.prometheus) {
    m.begin("prometheus").url("url", p->url).str("latency", p->latency).str("errors", p->errors);
    m.str("saturation", p->saturation).str("traffic", p->traffic).end();
  }
  if (const auto& t = s.traces) {
    m.begin("traces");
    if (!t->jaeger.empty()) m.url("jaeger", t->jaeger);
    if (!t->tempo.empty()) m.url("tempo", t->tempo);
    m.str("service", t->service).end();
  }
  if (const auto& l = s.logs) m.begin("logs").url("loki", l->loki).str("selector", l->selector).end();
  if (const auto& r = s.repo) {
    m.begin("repo").str("path", r->path).str("github", r->github).url("github_api_url", r->github_api_url);
    m.secret("github_token", r->github_token).end();
  }
  if (s.deploys.source != inv::DeploySource::None) {
    m.begin("deploys").str("source", cd::name_of<inv::DeploySource>(cd::kDeploySources, s.deploys.source));
    m.str("environment", s.deploys.environment);
    const inv::ArgoCdSettings& a = s.deploys.argocd;
    if (!a.url.empty()) m.begin("argocd").url("url", a.url).str("app", a.app).secret("token", a.token).end();
    m.end();
  }
  if (const auto& p = s.profiles) m.begin("profiles").url("pyroscope", p->pyroscope).str("app", p->app).end();
  m.list("downstream", s.downstream);
  out << YAML::EndMap;
}

}  // namespace

std::string dump_config_masked(const Config& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  MapOut m(out);
  const slack::SlackSettings& slack = config.slack;
  m.begin(slack::SlackSettings::kName)
      .str("mode", cd::name_of<slack::SlackMode>(cd::kSlackModes, slack.mode))
      .secret("app_token", slack.app_token)
      .secret("bot_token", slack.bot_token)
      .secret("signing_secret", slack.signing_secret)
      .url("api_url", slack.api_url)
      .integer("connections", slack.connections)
      .boolean("debug_reconnects", slack.debug_reconnects)
      .end();
  m.begin(ServerSettings::kName)
      .str("listen", config.server.listen)
      .url("public_url", config.server.public_url)
      .secret("link_secret", config.server.link_secret)
      .end();
  if (config.has_hooks) {
    m.begin(HooksSettings::kName).secret("token", config.hooks.token).str("channel", config.hooks.channel).end();
  }
  if (config.has_digest) {
    static constexpr const char* kDays[] = {"", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    char time[8];
    std::snprintf(time, sizeof time, "%02d:%02d", config.digest.hour, config.digest.minute);
    m.begin(DigestSettings::kName)
        .str("channel", config.digest.channel)
        .str("weekday", kDays[config.digest.weekday % 8])
        .str("time", time)
        .str("timezone", config.digest.timezone)
        .end();
  }
  m.begin(store::StoreSettings::kName).url("url", config.store.url).end();
  dump_llm(m, config.llm);
  m.begin(LogSettings::kName)
      .str("level", config.log.level)
      .str("format", cd::name_of<LogFormat>(cd::kLogFormats, config.log.format))
      .end();

  out << YAML::Key << "channels" << YAML::Value;
  if (config.channels.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const auto& c : config.channels) {
    out << YAML::BeginMap;
    MapOut(out).str("id", c.id).str("investigate", cd::name_of<InvestigateMode>(cd::kInvestigateModes, c.investigate));
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;

  out << YAML::Key << "services" << YAML::Value;
  if (config.services.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const auto& s : config.services) dump_service(out, s);
  out << YAML::EndSeq;

  m.begin(CommandSettings::kName);
  for (const auto& [name, rule] : config.commands.rules) {
    m.begin(name.c_str()).list("users", rule.users).list("channels", rule.channels).end();
  }
  const CommandRateLimit& limit = config.commands.rate_limit;
  m.begin("rate_limit")
      .integer("per_user", limit.per_user)
      .integer("per_channel", limit.per_channel)
      .str("window", format_duration(limit.window))
      .end();
  m.end();
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace alertbot::bot
