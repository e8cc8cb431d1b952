// Internal to bot/config*.cpp: one reader per config section, and the spellings of every enum
// (shared with the dump so that what is printed loads back). Each read_* reads every key of its
// section, calls finish(), then checks values and fills defaults that depend on other keys.
// Errors throw ConfigError (see config_reader.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bot/config.hpp"
#include "bot/config_reader.hpp"

namespace alertbot::bot::config_detail {

inline constexpr Choice<slack::SlackMode> kSlackModes[] = {{"socket", slack::SlackMode::Socket},
                                                           {"http", slack::SlackMode::Http}};
inline constexpr Choice<llm::LlmProvider> kLlmProviders[] = {{"none", llm::LlmProvider::None},
                                                             {"openai", llm::LlmProvider::OpenAi},
                                                             {"anthropic", llm::LlmProvider::Anthropic}};
inline constexpr Choice<InvestigateMode> kInvestigateModes[] = {{"auto", InvestigateMode::Auto},
                                                                {"on-request", InvestigateMode::OnRequest},
                                                                {"off", InvestigateMode::Off}};
// DeploySource::None is "no deploys section" and has no spelling.
inline constexpr Choice<investigators::DeploySource> kDeploySources[] = {
    {"webhook", investigators::DeploySource::Webhook},
    {"github", investigators::DeploySource::GitHub},
    {"argocd", investigators::DeploySource::ArgoCd}};
inline constexpr Choice<LogFormat> kLogFormats[] = {
    {"auto", LogFormat::Auto}, {"text", LogFormat::Text}, {"json", LogFormat::Json}};
inline constexpr Choice<std::string_view> kLogLevels[] = {
    {"trace", "trace"}, {"debug", "debug"}, {"info", "info"}, {"warn", "warn"}, {"error", "error"}};

// Default llm.base_url for a provider ("" for none).
std::string_view default_llm_base_url(llm::LlmProvider provider);

// Requires an http:// or https:// URL with a host at `key`; removes trailing '/'.
void check_http_url(const MapReader& r, std::string_view key, std::string& url);

void read_slack(MapReader& r, slack::SlackSettings& out);
void read_server(MapReader& r, ServerSettings& out);
void read_store(MapReader& r, store::StoreSettings& out);
void read_hooks(MapReader& r, HooksSettings& out);
void read_digest(MapReader& r, DigestSettings& out);  // config_digest.cpp
void read_llm(MapReader& r, llm::LlmSettings& out);
void read_log(MapReader& r, LogSettings& out);
void read_channels(std::vector<MapReader>& items, std::vector<ChannelSettings>& out);
void read_commands(MapReader& r, CommandSettings& out);
// "22:00-07:00" -> minutes after midnight; nullopt when malformed or empty.
std::optional<QuietHours> parse_quiet_hours(std::string_view text);
void read_services(std::vector<MapReader>& items, std::vector<investigators::ServiceSettings>& out);

}  // namespace alertbot::bot::config_detail
