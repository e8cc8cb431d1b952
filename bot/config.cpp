#include "bot/config.hpp"

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

#include "bot/config_reader.hpp"
#include "bot/config_sections.hpp"
#include "net/encoding.hpp"

namespace alertbot::bot {
namespace {

// Counts the documents of a YAML stream (and where the second starts); ignores their content.
class DocumentCount final : public YAML::EventHandler {
 public:
  int documents = 0;
  YAML::Mark second;

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents == 2) second = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

using config_detail::MapReader;

// A config file is a few hundred lines; a bigger one is the wrong file.
constexpr std::size_t kMaxConfigBytes = 4 * 1024 * 1024;

std::string describe(const std::string& file, int line, const std::string& key, const std::string& reason) {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + reason;
}

Config parse(const YAML::Node& root, const config_detail::Source& file) {
  Config config;
  config.path = file.name;
  config_detail::Source source = file;
  source.literal_secrets = &config.literal_secrets;
  MapReader top(source, root, "", std::max(1, config_detail::line_of(root.Mark())));
  if (auto r = top.map(slack::SlackSettings::kName)) {
    config.has_slack = true;
    config_detail::read_slack(*r, config.slack);
  }
  if (auto r = top.map(ServerSettings::kName)) {
    config.has_server = true;
    config_detail::read_server(*r, config.server);
  }
  if (auto r = top.map(HooksSettings::kName)) {
    config.has_hooks = true;
    config_detail::read_hooks(*r, config.hooks);
  }
  if (auto r = top.map(store::StoreSettings::kName)) config_detail::read_store(*r, config.store);
  if (auto r = top.map(DigestSettings::kName)) {
    config.has_digest = true;
    config_detail::read_digest(*r, config.digest);
  }
  if (auto r = top.map(llm::LlmSettings::kName)) config_detail::read_llm(*r, config.llm);
  if (auto r = top.map(LogSettings::kName)) config_detail::read_log(*r, config.log);
  auto channels = top.map_list("channels");
  config_detail::read_channels(channels, config.channels);
  auto services = top.map_list("services");
  config_detail::read_services(services, config.services);
  if (auto r = top.map(CommandSettings::kName)) config_detail::read_commands(*r, config.commands);
  top.finish();
  return config;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Every URL-valued setting: a password in its userinfo is a secret wherever it appears.
std::vector<std::string_view> urls_of(const Config& c) {
  std::vector<std::string_view> urls = {c.slack.api_url, c.server.public_url, c.store.url, c.llm.base_url};
  for (const auto& s : c.services) {
    if (s.prometheus) urls.push_back(s.prometheus->url);
    if (s.traces) urls.insert(urls.end(), {s.traces->jaeger, s.traces->tempo});
    if (s.logs) urls.push_back(s.logs->loki);
    if (s.repo) urls.push_back(s.repo->github_api_url);
    urls.push_back(s.deploys.argocd.url);
    if (s.profiles) urls.push_back(s.profiles->pyroscope);
  }
  return urls;
}

}  // namespace

ConfigError::ConfigError(std::string file, int line, std::string key, std::string reason)
    : std::runtime_error(describe(file, line, key, reason)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)),
      reason_(std::move(reason)) {}

Config load_config(const std::string& path) {
  auto text = config_detail::read_text_file(path, kMaxConfigBytes);
  if (!text) throw ConfigError(path, 0, "", "cannot read: " + text.error().message);
  return load_config_text(*text, path);
}

Config load_config_text(const std::string& text, const std::string& name) {
  const config_detail::Source source{name, std::filesystem::path(name).parent_path().string()};
  // YAML is text: malformed UTF-8 is refused before the parser sees it (it can loop on some).
  if (const auto bad = invalid_utf8_at(text); bad != std::string::npos) {
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
    throw ConfigError(name, static_cast<int>(line), "", "not UTF-8 text (byte " + std::to_string(bad + 1) + ")");
  }
  try {
    // YAML::LoadAll loops forever on some malformed text (a ',' outside [] or {}: the parser keeps
    // reporting an empty document without moving on; found by fuzzing), so documents are counted
    // from the event stream, at most two, and the one document is read with YAML::Load.
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentCount count;
    while (count.documents < 2 && parser.HandleNextDocument(count)) {
    }
    if (count.documents > 1) {
      throw ConfigError(name, config_detail::line_of(count.second), "",
                        "expected one YAML document (a second one, or a ',' outside [] or {}, starts here)");
    }
    return parse(YAML::Load(text), source);
  } catch (const YAML::Exception& e) {
    std::string reason = "invalid YAML: " + e.msg;
    if (e.mark.column >= 0) reason += " (column " + std::to_string(e.mark.column + 1) + ")";
    throw ConfigError(name, config_detail::line_of(e.mark), "", reason);
  }
}

std::vector<std::string> Config::secrets() const {
  std::vector<std::string> out = {slack.app_token, slack.bot_token, slack.signing_secret, llm.api_key, hooks.token,
                                  server.link_secret};
  for (const auto& [name, value] : llm.headers) {
    if (config_detail::is_sensitive_header(name)) out.push_back(value);
  }
  for (const auto& s : services) {
    if (s.repo) out.push_back(s.repo->github_token);
    out.push_back(s.deploys.argocd.token);
  }
  for (std::string_view url : urls_of(*this)) {
    const std::string_view password = config_detail::url_password(url);
    out.emplace_back(password);
    out.push_back(percent_decode(password));  // what a client library sends, and might log
  }
  std::erase_if(out, [](const std::string& s) { return s.empty(); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool CommandRule::allows(std::string_view user, std::string_view channel) const {
  auto listed = [](const std::vector<std::string>& list, std::string_view v) {
    return std::any_of(list.begin(), list.end(), [&](const std::string& e) { return e == "*" || e == v; });
  };
  return listed(users, user) && listed(channels, channel);
}

const CommandRule& CommandSettings::rule(std::string_view command) const {
  static const CommandRule kEveryone;
  auto it = rules.find(std::string(command));
  return it == rules.end() ? kEveryone : it->second;
}

const ChannelSettings* Config::channel(std::string_view id) const {
  for (const auto& c : channels) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const investigators::ServiceSettings* Config::service(std::string_view name) const {
  for (const auto& s : services) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<std::string> missing_for_run(const Config& config) {
  std::vector<std::string> out;
  if (!config.has_slack) out.emplace_back("the slack section is missing");
  if (config.slack.bot_token.empty()) out.emplace_back("slack.bot_token is empty");
  if (config.slack.mode == slack::SlackMode::Socket && config.slack.app_token.empty()) {
    out.emplace_back("slack.app_token is empty (slack.mode is socket)");
  }
  if (config.slack.mode == slack::SlackMode::Http && config.slack.signing_secret.empty()) {
    out.emplace_back("slack.signing_secret is empty (slack.mode is http)");
  }
  if (config.has_hooks && config.hooks.token.empty()) out.emplace_back("hooks.token is empty (every hook request must carry it)");
  if (config.has_hooks && !config.has_server) out.emplace_back("hooks needs the server section (hooks are served on server.listen)");
  if (config.llm.provider != llm::LlmProvider::None) {
    const std::string provider(config_detail::name_of<llm::LlmProvider>(config_detail::kLlmProviders, config.llm.provider));
    if (config.llm.model.empty()) out.push_back("llm.model is empty (llm.provider is " + provider + ")");
    if (config.llm.api_key.empty()) out.push_back("llm.api_key is empty (llm.provider is " + provider + ")");
  }
  for (const auto& s : config.literal_secrets) {
    out.push_back(describe(config.path, s.line, s.key,
                           "a secret is written in the file; secrets come only from the environment or files: " + s.fix));
  }
  return out;
}

}  // namespace alertbot::bot
