// SlackWorkspace: a Slack workspace emulator speaking Slack's real wire protocols on 127.0.0.1:
// the Web API over HTTP (POST /api/<method>, form or JSON bodies, Bearer or form tokens),
// Socket Mode over a websocket (/link/?ticket=..: hello, envelopes, acks, pings, disconnect,
// redelivery of unacked events after 3 s), and incoming webhooks (POST /hooks/incoming/<channel>,
// the way Alertmanager posts into a channel). It records every call, delivery and ack so tests
// can assert on them, and echoes the bot's own posts back as message events (bot_id set, no
// subtype) so the bot's self-filter is exercised. Used by the tests and by `alertbot demo`.
// Thread-safe: accessors and post_* may be called from any thread while the server runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"

namespace alertbot {
class Clock;
}

namespace alertbot::fakes {

struct SlackWorkspaceSettings {
  std::string listen = "127.0.0.1:0";
  std::string bot_token = "xoxb-emulator-bot-token";
  std::string app_token = "xapp-emulator-app-token";
  std::string team_id = "T0EMULATE";
  std::string team = "Emulated Workspace";
  std::string bot_user_id = "U0ALERTBOT";
  std::string bot_id = "B0ALERTBOT";
  std::string bot_name = "alertbot";
  std::string app_id = "A0ALERTBOT";
  std::chrono::milliseconds ping_interval{10000};    // server pings on every socket
  std::chrono::milliseconds redeliver_after{3000};   // unacked events_api envelopes come back
  int max_redeliveries = 3;
  // Serve /_emulator/* (post messages, inject faults, read what happened) so that programs in
  // other processes (the official Node SDK tests, the Bolt benchmark) can drive the workspace.
  bool control_api = false;
  // HTTP mode: when set, events, slash commands and interactions are POSTed to this URL, signed
  // with `signing_secret` (v0), instead of going over Socket Mode; non-2xx answers and timeouts
  // are retried like Slack does (X-Slack-Retry-Num / X-Slack-Retry-Reason).
  std::string request_url;
  std::string signing_secret = "emulator-signing-secret";
};

// A message in a channel, as the workspace stores it.
struct SlackMessage {
  std::string channel;
  std::string ts;
  std::string thread_ts;  // empty for top-level messages
  std::string user;
  std::string bot_id;
  std::string username;
  std::string subtype;
  std::string text;
  std::string blocks_json;       // "" or a JSON array
  std::string attachments_json;  // "" or a JSON array
  int edits = 0;                 // chat.update calls applied
  std::map<std::string, std::vector<std::string>> reactions;  // emoji name -> users who reacted
  std::string streaming_state;   // "" | in_progress | completed (chat.startStream ... stopStream)
  std::vector<std::string> file_ids;  // files shared with this message
};

// A file uploaded through files.getUploadURLExternal and files.completeUploadExternal.
struct SlackFile {
  std::string id;
  std::string filename;
  std::string title;
  std::string alt_text;
  std::size_t declared_length = 0;
  std::string bytes;       // what was POSTed to the upload URL
  bool completed = false;  // files.completeUploadExternal was called
  std::string channel;     // where it was shared
  std::string thread_ts;
};

// One Web API call as received.
struct RecordedCall {
  std::string method;
  std::map<std::string, std::string> args;  // top-level arguments as strings (JSON values serialised)
  std::string token;
  bool ok = false;
  std::string error;  // Slack error code when !ok
  std::uint64_t seq = 0;  // order among every call and ack the workspace received
  std::chrono::system_clock::time_point at;  // when it arrived, on the workspace clock
  int http_status = 200;  // what the workspace answered
};

// One envelope sent over Socket Mode.
struct Delivery {
  std::string envelope_id;
  std::string type;          // events_api | slash_commands | interactive
  std::string event_id;      // events_api only
  std::string payload_json;  // the payload object
  int attempts = 0;          // 1 + redeliveries
  bool acked = false;
  std::string ack_frame;     // the ack as received
  std::uint64_t ack_seq = 0;  // order of the ack among every call and ack received (0: none)
  // Real time from the first send to the ack (measured with the steady clock even when the
  // workspace runs on a fake one: this is a measurement, not behaviour).
  std::chrono::microseconds ack_latency{0};
  // From the latest (re)send to the ack: how long the client that got it took.
  std::chrono::microseconds ack_after_last_send{0};
  std::chrono::steady_clock::time_point first_sent{};
  std::chrono::steady_clock::time_point last_sent{};
};

class SlackWorkspace {
 public:
  // Starts listening. `clock` times pings and redeliveries and stamps ts values; it must outlive
  // the workspace. Errors: as start_http_server.
  static Result<std::unique_ptr<SlackWorkspace>> start(asio::any_io_executor executor, Clock& clock,
                                                       SlackWorkspaceSettings settings = {});
  virtual ~SlackWorkspace() = default;

  virtual const SlackWorkspaceSettings& settings() const = 0;
  // "http://127.0.0.1:PORT/api/": what the bot uses as slack.api_url.
  virtual std::string api_url() const = 0;
  // Where an integration posts messages into `channel` (Alertmanager's slack_configs api_url).
  virtual std::string incoming_webhook_url(const std::string& channel) const = 0;

  // A person writes in a channel (or a thread); delivered as a message event, and also as an
  // app_mention event when the text mentions the bot user. Returns the ts.
  virtual std::string post_user_message(const std::string& channel, const std::string& user, const std::string& text,
                                        const std::string& thread_ts = {}) = 0;
  // A person opens the app's Home tab: an app_home_opened event.
  virtual void open_app_home(const std::string& user) = 0;
  // A person runs a slash command in `channel` (a slash_commands delivery with a fresh
  // trigger_id and a response_url). Returns the trigger_id.
  virtual std::string run_slash_command(const std::string& channel, const std::string& user, const std::string& command,
                                        const std::string& text) = 0;
  // A person clicks a button of the bot's message (channel, ts): a block_actions delivery.
  // Returns the trigger_id.
  virtual std::string click_button(const std::string& channel, const std::string& message_ts, const std::string& user,
                                   const std::string& action_id, const std::string& value) = 0;
  // An integration posts the JSON body of an incoming webhook (text, attachments, blocks,
  // username) into `channel`, as Slack does: a bot_message. Returns the ts, or an Error for a
  // body Slack would refuse.
  virtual Result<std::string> post_webhook_message(const std::string& channel, const std::string& body_json) = 0;
  // --- Faults ---
  // Sends {"type":"disconnect","reason":reason} on the open socket number `socket` (in the order
  // they said hello), or on every one when socket < 0. "warning" is followed 10 s later (on the
  // workspace clock) by "refresh_requested" and a close, as Slack does.
  virtual void send_disconnect(const std::string& reason, int socket = -1) = 0;
  // Kills the TCP connection of socket number `socket` (every one when < 0) with no close frame:
  // a reset the client only notices when it next reads or writes.
  virtual void drop_sockets(int socket = -1) = 0;
  // Makes socket number `socket` (every one when < 0) go silent without closing: no frame, no
  // pong, nothing read. Only the client's stale-socket detection can notice. Takes effect at the
  // socket's next read, i.e. after the frame it is waiting for (send one to be sure).
  virtual void freeze_sockets(int socket = -1) = 0;
  // The next `count` calls of `method` get HTTP 429 with Retry-After: retry_after_s.
  virtual void inject_rate_limit(const std::string& method, int count, int retry_after_s) = 0;
  // The next `count` calls of `method` get HTTP `status` (e.g. 500, 503) with a plain-text body.
  virtual void inject_http_errors(const std::string& method, int count, int status) = 0;
  // Every call of `method` ("" for all) is answered after `delay` (on the workspace clock).
  virtual void set_response_delay(const std::string& method, std::chrono::milliseconds delay) = 0;
  // When on, every envelope is sent twice (on two sockets when there are two), as Slack sometimes does.
  virtual void set_duplicate_deliveries(bool on) = 0;
  // Sockets from apps.connections.open beyond this many get too_many_websockets (default 10).
  virtual void set_max_sockets(int max) = 0;

  // --- What happened (snapshots) ---
  virtual std::optional<SlackMessage> message(const std::string& channel, const std::string& ts) const = 0;
  // The parent first, then replies oldest first; empty if there is no such message.
  virtual std::vector<SlackMessage> thread(const std::string& channel, const std::string& ts) const = 0;
  virtual std::vector<SlackMessage> channel_history(const std::string& channel) const = 0;
  virtual std::vector<RecordedCall> calls(const std::string& method = {}) const = 0;
  virtual std::vector<Delivery> deliveries() const = 0;
  // How many deliveries are not acked yet (cheap: no copy).
  virtual std::size_t unacked_deliveries() const = 0;
  virtual std::vector<SlackFile> files() const = 0;
  // Ephemeral messages (only their `user` saw them): not part of any channel's history.
  virtual std::vector<SlackMessage> ephemerals() const = 0;
  // The App Home view views.publish set for `user` ("" if none) and views.open calls so far.
  virtual std::string home_view(const std::string& user) const = 0;
  virtual std::vector<std::string> opened_views() const = 0;
  // The assistant status of a thread (assistant.threads.setStatus).
  virtual std::string thread_status(const std::string& channel, const std::string& thread_ts) const = 0;
  virtual int open_sockets() const = 0;
  // Frames the workspace refused as acks (for example 20 KiB or larger).
  virtual std::vector<std::string> rejected_frames() const = 0;

  // Closes every socket and stops the server.
  virtual awaitable<void> stop() = 0;
};

}  // namespace alertbot::fakes
