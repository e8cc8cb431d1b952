// Hook routes: alerts and deploys POSTed to the bot's own server (config `hooks`). Every request
// must carry the hooks token (Bearer, or Basic auth with the token as the password; compared in
// constant time); a refusal is 401 and stores nothing.
//
// Alert hooks (/hooks/alertmanager, /hooks/grafana, /hooks/datadog, /hooks/pagerduty,
// /hooks/generic): the raw body becomes an envelope of type "hook:<format>" (dedupe key: a hash of
// the route, the body and the minute it arrived, so a retried delivery is stored once while a
// repeat notification later counts again) and goes to the same handler as Slack
// envelopes: persist, then answer 200; 500 when it could not be stored, so the sender retries.
// Parsing happens after the answer (EventRouter). Served only when hooks.channel is set.
//
// /hooks/deploy: a deploy record (docs/configuration.md) validated and stored at once: 201, 400
// naming the bad field, 409 for an id already recorded. Handlers run on the server's executor.
#pragma once

#include "net/http_server.hpp"
#include "slack/socket_mode_client.hpp"

namespace alertbot {
class Clock;
}
namespace alertbot::store {
class Store;
}

namespace alertbot::bot {

struct HooksSettings;

// The envelope type prefix of alert hooks.
inline constexpr std::string_view kHookTypePrefix = "hook:";

// `settings`, `store` and `clock` must outlive the server; `handler` must stay valid until it stopped.
void add_hook_routes(Router& router, const HooksSettings& settings, store::Store& store, Clock& clock,
                     slack::EnvelopeHandler handler);

}  // namespace alertbot::bot
