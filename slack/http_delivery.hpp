// HTTP-mode deliveries (spec/slack.md 2.3, 2.4, 3, 4): what a POST from Slack on /slack/events,
// /slack/commands or /slack/interactive asks of the bot, parsed from the raw bytes into the same
// Envelope that Socket Mode produces, so one EnvelopeHandler serves both modes. Check the
// signature first (request_signature.hpp): this file trusts nothing and verifies nothing.
// Parsing never throws: a malformed request gives an Error naming the field. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "net/http_types.hpp"
#include "net/result.hpp"
#include "slack/envelope.hpp"

namespace alertbot::slack {

inline constexpr std::string_view kEventsPath = "/slack/events";
inline constexpr std::string_view kCommandsPath = "/slack/commands";
inline constexpr std::string_view kInteractivePath = "/slack/interactive";

// Which Request URL the POST came to. Events also takes form bodies (a slash command or an
// interaction, told apart by their fields), because many apps give Slack one URL for all three.
enum class HttpEndpoint { Events, Commands, Interactive };

// Slack checking the Request URL (url_verification): answer 200 with the challenge.
struct UrlVerification {
  std::string challenge;
};

// A slash-command ssl_check=1 probe: answer 200, nothing else.
struct SslCheck {};

// The Envelope has no envelope id of its own in HTTP mode: envelope_id is the dedupe key, which
// is the event_id for events, the trigger_id for commands and interactions (unique per
// invocation), else body_key(body). retry_attempt and retry_reason come from X-Slack-Retry-Num
// and X-Slack-Retry-Reason (0 and "" on a first delivery).
using HttpDelivery = std::variant<Envelope, UrlVerification, SslCheck>;

// Errors: ParseError: events body not a JSON object or without a string "type"; url_verification
// without a challenge; event_callback without an event_id; a form body with a bad percent escape;
// an interaction without a `payload` field or whose payload is not a JSON object.
Result<HttpDelivery> parse_http_delivery(HttpEndpoint endpoint, const HttpHeaders& headers, std::string_view body);

// Whether `body` is an ssl_check=1 probe (a form with that field), read without trusting it.
bool is_ssl_check(std::string_view body);

// "body:" + the first 32 hex digits of SHA-256(body): a dedupe key for a delivery that carries no
// id of its own (identical bytes are the same delivery).
std::string body_key(std::string_view body);

}  // namespace alertbot::slack
