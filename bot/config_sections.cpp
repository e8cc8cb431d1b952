// The slack, server, store, llm, log and channels sections (services: config_services.cpp).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>

#include "bot/config_sections.hpp"
#include "net/duration.hpp"
#include "store/store_url.hpp"

namespace alertbot::bot::config_detail {
namespace {

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](std::string_view p) { return s.starts_with(p); });
}

// "host:port" with a non-empty host (an IPv6 address in brackets) and a port 0..65535.
bool is_host_port(std::string_view s) {
  std::size_t colon = 0;
  if (s.starts_with('[')) {
    const std::size_t close = s.find(']');
    if (close == std::string_view::npos || close < 2 || close + 1 >= s.size() || s[close + 1] != ':') return false;
    colon = close + 1;
  } else {
    colon = s.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || s.substr(0, colon).find(':') != std::string_view::npos) {
      return false;
    }
  }
  const std::string_view port = s.substr(colon + 1);
  int value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return !port.empty() && ec == std::errc() && end == port.data() + port.size() && value >= 0 && value <= 65535;
}

// RFC 9110 token characters.
bool is_header_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

}  // namespace

std::string_view default_llm_base_url(llm::LlmProvider provider) {
  switch (provider) {
    case llm::LlmProvider::OpenAi:
      return "https://api.openai.com/v1";
    case llm::LlmProvider::Anthropic:
      return "https://api.anthropic.com/v1";
    case llm::LlmProvider::None:
      break;
  }
  return {};
}

void check_http_url(const MapReader& r, std::string_view key, std::string& url) {
  const std::size_t scheme_end = url.find("://");
  const bool ok = starts_with_any(url, {"http://", "https://"}) && url.size() > scheme_end + 3 &&
                  std::string_view("/?#@").find(url[scheme_end + 3]) == std::string_view::npos &&
                  url.find_first_of(" \t\r\n") == std::string::npos;
  if (!ok) r.fail(key, "expected an http:// or https:// URL, got '" + mask_url_password(url) + "'");
  while (url.size() > scheme_end + 4 && url.back() == '/') url.pop_back();
}

void read_slack(MapReader& r, slack::SlackSettings& out) {
  r.choice<slack::SlackMode>("mode", out.mode, kSlackModes);
  r.secret("app_token", out.app_token);
  r.secret("bot_token", out.bot_token);
  r.secret("signing_secret", out.signing_secret);
  r.string("api_url", out.api_url);
  r.integer("connections", out.connections, 1, 10);
  r.boolean("debug_reconnects", out.debug_reconnects);
  r.finish();
  check_http_url(r, "api_url", out.api_url);
  out.api_url += '/';  // the Web API base ends with '/': method names are appended
}

void read_server(MapReader& r, ServerSettings& out) {
  r.string("listen", out.listen);
  r.string("public_url", out.public_url);
  r.secret("link_secret", out.link_secret);
  r.finish();
  if (!is_host_port(out.listen)) r.fail("listen", "expected host:port like 127.0.0.1:8080, got '" + out.listen + "'");
  check_http_url(r, "public_url", out.public_url);
}

void read_hooks(MapReader& r, HooksSettings& out) {
  r.secret("token", out.token);
  r.string("channel", out.channel);
  r.finish();
  if (!out.channel.empty() && (out.channel[0] != 'C' && out.channel[0] != 'G')) {
    r.fail("channel", "expected a channel id like C0ALERTS, got '" + out.channel + "'");
  }
}

void read_store(MapReader& r, store::StoreSettings& out) {
  r.secret("url", out.url, SecretPart::UrlPassword);
  r.finish();
  // The store's own parser, so that what loads here opens there; its messages omit the URL.
  if (auto parsed = store::parse_store_url(out.url); !parsed) r.fail("url", parsed.error().message);
}

void read_llm(MapReader& r, llm::LlmSettings& out) {
  r.choice<llm::LlmProvider>("provider", out.provider, kLlmProviders);
  r.string("base_url", out.base_url);
  r.string("model", out.model);
  r.secret("api_key", out.api_key);
  r.duration("timeout", out.timeout);
  r.integer("max_context_tokens", out.max_context_tokens, 1, 10'000'000);
  r.integer("max_output_tokens", out.max_output_tokens, 1, 1'000'000);
  r.number("temperature", out.temperature, 0, 2);
  if (auto price = r.map("price")) {
    price->number("input_per_mtok", out.input_usd_per_mtok, 0, 1e6);
    price->number("output_per_mtok", out.output_usd_per_mtok, 0, 1e6);
    price->finish();
  }
  if (auto redact = r.map("redact")) {
    redact->boolean("emails", out.redact_emails);
    redact->boolean("ips", out.redact_ips);
    redact->string_list("patterns", out.redact_patterns);
    redact->finish();
    for (std::size_t i = 0; i < out.redact_patterns.size(); ++i) {
      try {
        std::regex check(out.redact_patterns[i], std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        redact->fail("patterns", "item " + std::to_string(i) + " is not a valid regular expression: " + e.what());
      }
    }
  }
  r.string_map("headers", out.headers);
  r.finish();
  if (out.timeout.count() <= 0) r.fail("timeout", "must be greater than 0s");
  if (out.base_url.empty()) out.base_url = std::string(default_llm_base_url(out.provider));
  if (!out.base_url.empty()) check_http_url(r, "base_url", out.base_url);
  for (const auto& [name, value] : out.headers) {
    if (!is_header_name(name)) r.fail("headers", "'" + name + "' is not a valid HTTP header name");
    if (value.find_first_of("\r\n") != std::string::npos) r.fail("headers", "the value of " + name + " has a line break");
  }
}

void read_log(MapReader& r, LogSettings& out) {
  std::string_view level = out.level;
  r.choice<std::string_view>("level", level, kLogLevels);
  out.level = std::string(level);
  r.choice<LogFormat>("format", out.format, kLogFormats);
  r.finish();
}

std::optional<QuietHours> parse_quiet_hours(std::string_view text) {
  auto minute = [](std::string_view hhmm) -> int {
    if (hhmm.size() != 5 || hhmm[2] != ':') return -1;
    for (std::size_t i : {0u, 1u, 3u, 4u}) {
      if (!std::isdigit(static_cast<unsigned char>(hhmm[i]))) return -1;
    }
    int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0'), m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
  };
  auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  int from = minute(text.substr(0, dash)), to = minute(text.substr(dash + 1));
  if (from < 0 || to < 0 || from == to) return std::nullopt;
  return QuietHours{from, to};
}

void read_commands(MapReader& r, CommandSettings& out) {
  static constexpr std::string_view kCommands[] = {"investigate", "status", "deploys", "digest", "silence"};
  for (std::string_view name : kCommands) {
    auto rule = r.map(name);
    if (!rule) continue;
    CommandRule cr;
    if (rule->has("users")) rule->string_list("users", cr.users);
    if (rule->has("channels")) rule->string_list("channels", cr.channels);
    rule->finish();
    out.rules[std::string(name)] = std::move(cr);
  }
  if (auto limit = r.map("rate_limit")) {
    limit->integer("per_user", out.rate_limit.per_user, 0, 1'000'000);
    limit->integer("per_channel", out.rate_limit.per_channel, 0, 1'000'000);
    limit->duration("window", out.rate_limit.window);
    limit->finish();
    if (out.rate_limit.window < std::chrono::seconds(1) || out.rate_limit.window > std::chrono::hours(24)) {
      limit->fail("window", "must be between 1s and 24h, got " + format_duration(out.rate_limit.window));
    }
  }
  r.finish();
}

void read_channels(std::vector<MapReader>& items, std::vector<ChannelSettings>& out) {
  out.clear();
  for (MapReader& r : items) {
    ChannelSettings channel;
    r.string("id", channel.id);
    r.choice<InvestigateMode>("investigate", channel.investigate, kInvestigateModes);
    r.string_list("severities", channel.severities);
    for (auto& s : channel.severities) {
      std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    }
    if (r.has("quiet_hours")) {
      std::string text;
      r.string("quiet_hours", text);
      auto quiet = parse_quiet_hours(text);
      if (!quiet) r.fail("quiet_hours", "expected HH:MM-HH:MM in UTC (e.g. 22:00-07:00), got '" + text + "'");
      channel.quiet_hours = *quiet;
    }
    if (r.has("quiet_severities")) {
      r.string_list("quiet_severities", channel.quiet_severities);
      for (auto& s : channel.quiet_severities) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
      }
    }
    r.finish();
    if (!r.has("id")) r.fail_missing("id");
    const bool id_ok = !channel.id.empty() && std::all_of(channel.id.begin(), channel.id.end(), [](char c) {
      return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
    });
    if (!id_ok) r.fail("id", "expected a Slack channel id like C0123ABCD (not a #name), got '" + channel.id + "'");
    for (std::size_t j = 0; j < out.size(); ++j) {
      if (out[j].id == channel.id) r.fail("id", "duplicate channel id (also channels[" + std::to_string(j) + "])");
    }
    out.push_back(std::move(channel));
  }
}

}  // namespace alertbot::bot::config_detail
