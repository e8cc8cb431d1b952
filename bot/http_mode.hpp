// HTTP mode (slack.mode: http): the Slack routes of the bot's own HTTP server, /slack/events,
// /slack/commands and /slack/interactive. Each POST is checked first (v0 signature with the
// signing secret, 5-minute replay window; a refusal is 401 and is logged without the signature or
// the secret), then parsed into the Envelope Socket Mode would have produced and handed to the
// same EnvelopeHandler: "persist, then answer". 200 once the handler has stored it (with the
// handler's response payload as the body for slash commands and interactions), 500 when it could
// not store it, so that Slack retries. The handler only persists (EventRouter schedules the
// processing after it returns), which keeps the answer well inside Slack's 3 s. Redeliveries
// (X-Slack-Retry-Num) reach the handler like first deliveries; the store's dedupe key makes
// them no-ops. Handlers run on the server's executor; the routes own what they need.
#pragma once

#include <chrono>
#include <string>

#include "net/asio_fwd.hpp"
#include "net/http_server.hpp"
#include "slack/http_delivery.hpp"
#include "slack/request_signature.hpp"
#include "slack/socket_mode_client.hpp"

namespace alertbot {
class Clock;
}

namespace alertbot::bot {

struct HttpModeSettings {
  std::string signing_secret;  // slack.signing_secret; empty refuses every request
  std::chrono::seconds replay_window = slack::kSignatureWindow;
  // An answer slower than this is logged as a warning: Slack counts 3 s as a timeout and retries.
  std::chrono::milliseconds slow_answer{2000};
};

// Adds POST kEventsPath, kCommandsPath and kInteractivePath to `router`. `clock` (signature
// timestamps, answer times) must outlive the server; `handler` is called on the server's executor
// and must stay valid until the server has stopped.
void add_slack_http_routes(Router& router, HttpModeSettings settings, Clock& clock, slack::EnvelopeHandler handler);

}  // namespace alertbot::bot
