// WebApi: typed calls to Slack's Web API (https://slack.com/api/<method>). Every call returns the
// parsed success value or an Error: Errc::ProtocolError with message "<method>: <slack error code>"
// for {"ok":false}, Errc::RateLimited for a 429 that outlived the HTTP client's retries, transport
// errors as the HTTP client gives them. `ts` values stay strings. Tokens are never logged.
// Suspends; safe to call concurrently from coroutines on the client's executor.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"
#include "slack/slack_settings.hpp"

namespace alertbot {
class HttpClient;
}

namespace alertbot::slack {

// Who the bot is (auth.test): used to ignore the bot's own messages.
struct Identity {
  std::string team_id;
  std::string team;
  std::string user_id;  // the bot's user id (U...)
  std::string bot_id;   // B...
  std::string url;
};

// The content of a message: fallback text plus optional Block Kit blocks (a JSON array, already
// serialised and within Slack's limits).
struct MessageContent {
  std::string text;
  std::string blocks_json;  // empty: no blocks
};

struct PostedMessage {
  std::string channel;
  std::string ts;
};

class WebApi {
 public:
  virtual ~WebApi() = default;

  virtual awaitable<Result<Identity>> auth_test() = 0;
  // chat.postMessage; `thread_ts` empty posts at top level.
  virtual awaitable<Result<PostedMessage>> post_message(std::string channel, MessageContent content,
                                                        std::string thread_ts = {}) = 0;
  // chat.update of a message the bot posted.
  virtual awaitable<Result<PostedMessage>> update_message(std::string channel, std::string ts,
                                                          MessageContent content) = 0;
  // apps.connections.open with the app-level token: a single-use wss:// URL for Socket Mode.
  virtual awaitable<Result<std::string>> open_socket_url() = 0;
};

// A WebApi over `http` (which must outlive it) with the tokens and base URL of `settings`.
std::unique_ptr<WebApi> make_web_api(HttpClient& http, const SlackSettings& settings);

// Slack error codes after which retrying with the same token is pointless.
bool is_fatal_auth_error(std::string_view slack_error);

// The Slack error code in an Error produced by WebApi ("chat.update: message_not_found" ->
// "message_not_found"); empty if the error did not come from an {"ok":false} answer.
std::string slack_error_code(const Error& e);

}  // namespace alertbot::slack
