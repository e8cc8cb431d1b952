// WebApi: typed calls to Slack's Web API (https://slack.com/api/<method>). Every call is queued
// in the RateLimiter (slack/rate_limiter.hpp) so it stays within its method's tier and its
// channel's pace, waits out any pending Retry-After, and is retried after a 429 (keeping its place)
// and, for calls safe to repeat, after a 5xx. Answers {"ok":false} become Errors carrying
// "<method>: <slack error code>" with a code by kind: NotFound (channel_not_found,
// message_not_found, ...), InvalidArgument (invalid_blocks, msg_too_long, no_text, ...),
// Unavailable (Slack's internal errors), RateLimited (a 429 that outlived its retries),
// ProtocolError (everything else, auth errors included: see is_fatal_auth_error). `ts` values stay
// strings. Tokens go in the Authorization header and are never logged.
// Suspends; calls may be made concurrently from coroutines on the client's executor.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"
#include "slack/slack_settings.hpp"

namespace alertbot {
class Clock;
class HttpClient;
}  // namespace alertbot

namespace alertbot::slack {

class RateLimiter;

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

// A message as history and replies return it; `json` keeps the whole object for parsers.
struct MessageInfo {
  std::string ts;
  std::string thread_ts;
  std::string user;
  std::string bot_id;
  std::string subtype;
  std::string text;
  int reply_count = 0;
  std::string json;
};

struct MessagePage {
  std::vector<MessageInfo> messages;  // history: newest first; replies: parent first, then oldest first
  std::string next_cursor;            // empty at the end
};

struct PageQuery {
  int limit = 100;
  std::string cursor;
  std::string oldest;  // ts bounds, optional
  std::string latest;
};

struct ChannelInfo {
  std::string id;
  std::string name;
  bool is_private = false;
  bool is_member = false;
  bool is_archived = false;
};

struct UserInfo {
  std::string id;
  std::string name;
  std::string real_name;
  std::string tz;
  bool is_bot = false;
  bool deleted = false;
};

// A file to share in a channel (or a thread) with Slack's external upload flow.
struct FileUpload {
  std::string channel;
  std::string thread_ts;  // optional
  std::string filename;   // e.g. "latency.png"
  std::string title;
  std::string alt_text;
  std::string initial_comment;
  std::string content_type = "application/octet-stream";
  std::string bytes;
};

// chat.startStream: a reply that grows as text is appended (AI streaming).
struct StreamStart {
  std::string channel;
  std::string thread_ts;
  std::string recipient_user_id;  // required outside DMs
  std::string recipient_team_id;
  std::string markdown_text;      // optional first chunk
};

class WebApi {
 public:
  virtual ~WebApi() = default;

  virtual awaitable<Result<Identity>> auth_test() = 0;
  // apps.connections.open with the app-level token: a single-use wss:// URL for Socket Mode.
  virtual awaitable<Result<std::string>> open_socket_url() = 0;

  // chat.postMessage; `thread_ts` empty posts at top level. Links and media do not unfurl.
  virtual awaitable<Result<PostedMessage>> post_message(std::string channel, MessageContent content,
                                                        std::string thread_ts = {}) = 0;
  // chat.update of a message the bot posted (an empty blocks array replaces earlier blocks).
  virtual awaitable<Result<PostedMessage>> update_message(std::string channel, std::string ts,
                                                          MessageContent content) = 0;
  // chat.postEphemeral: only `user` sees it. Returns the message_ts.
  virtual awaitable<Result<std::string>> post_ephemeral(std::string channel, std::string user, MessageContent content,
                                                        std::string thread_ts = {}) = 0;
  virtual awaitable<Result<std::string>> permalink(std::string channel, std::string ts) = 0;
  // reactions.add / reactions.remove; `name` without colons. already_reacted and no_reaction are
  // not errors.
  virtual awaitable<Result<void>> add_reaction(std::string channel, std::string ts, std::string name) = 0;
  virtual awaitable<Result<void>> remove_reaction(std::string channel, std::string ts, std::string name) = 0;

  virtual awaitable<Result<MessagePage>> history(std::string channel, PageQuery query = {}) = 0;
  virtual awaitable<Result<MessagePage>> replies(std::string channel, std::string ts, PageQuery query = {}) = 0;
  virtual awaitable<Result<ChannelInfo>> channel_info(std::string channel) = 0;
  virtual awaitable<Result<UserInfo>> user_info(std::string user) = 0;

  // files.getUploadURLExternal, the upload itself, files.completeUploadExternal. Returns the file id.
  virtual awaitable<Result<std::string>> upload_file(FileUpload file) = 0;
  // views.open (a modal for `trigger_id`, which expires in about 3 s); returns the view id.
  virtual awaitable<Result<std::string>> open_view(std::string trigger_id, std::string view_json) = 0;
  // views.publish: the App Home of `user`.
  virtual awaitable<Result<void>> publish_view(std::string user, std::string view_json) = 0;
  // assistant.threads.setStatus ("is checking traces..."); an empty status clears it.
  virtual awaitable<Result<void>> set_thread_status(std::string channel, std::string thread_ts, std::string status) = 0;

  virtual awaitable<Result<PostedMessage>> start_stream(StreamStart start) = 0;
  virtual awaitable<Result<void>> append_stream(std::string channel, std::string ts, std::string markdown_text) = 0;
  virtual awaitable<Result<void>> stop_stream(std::string channel, std::string ts, std::string markdown_text,
                                             std::string blocks_json = {}) = 0;
};

// A WebApi over `http` with the tokens and base URL of `settings`; `limiter` paces the calls (it
// may be shared by several WebApi objects of one app). All three must outlive the WebApi.
std::unique_ptr<WebApi> make_web_api(HttpClient& http, RateLimiter& limiter, const SlackSettings& settings);

// Slack error codes after which retrying with the same token is pointless.
bool is_fatal_auth_error(std::string_view slack_error);

// The Slack error code in an Error produced by WebApi ("chat.update: message_not_found" ->
// "message_not_found"); empty if the error did not come from an {"ok":false} answer.
std::string slack_error_code(const Error& e);

}  // namespace alertbot::slack
