// ServerSettings: the `server:` section of the config: where the bot's own HTTP endpoint listens
// (/hooks/*, /healthz, /metrics, /reports/*) and the URL people reach it by.
#pragma once

#include <string>

namespace alertbot {

struct ServerSettings {
  static constexpr const char* kName = "server";

  std::string listen = "127.0.0.1:8080";            // host:port to bind
  std::string public_url = "http://127.0.0.1:8080";  // base for links in reports
  // Key of the HMAC that signs report links (/reports/<id>?sig=...). A secret. Empty: derived from
  // the Slack bot token or signing secret (bot/report_links.hpp link_secret_for).
  std::string link_secret;
};

}  // namespace alertbot
