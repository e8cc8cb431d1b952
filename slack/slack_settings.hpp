// SlackSettings: the `slack:` section of the config. Tokens are secrets: never log them.
#pragma once

#include <string>

namespace alertbot::slack {

enum class SlackMode { Socket, Http };

struct SlackSettings {
  static constexpr const char* kName = "slack";

  SlackMode mode = SlackMode::Socket;  // socket: Socket Mode websocket; http: signed HTTP events
  std::string app_token;               // xapp-...: apps.connections.open (socket mode)
  std::string bot_token;               // xoxb-...: every Web API call
  std::string signing_secret;          // HTTP mode request signing (v0 HMAC-SHA256)
  std::string api_url = "https://slack.com/api/";  // Web API base; ends with '/'
  int connections = 2;                 // Socket Mode sockets held at once (1..10)
  bool debug_reconnects = false;       // append debug_reconnects=true: sockets live ~360 s
};

}  // namespace alertbot::slack
