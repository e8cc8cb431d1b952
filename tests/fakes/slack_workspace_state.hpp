// Internal to the workspace emulator: the shared state behind SlackWorkspace, used by the Web API
// handlers (slack_workspace.cpp) and the Socket Mode sessions (slack_workspace_socket.cpp).
// Every field below `mutex` is guarded by it.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <boost/json/value.hpp>
#include <deque>
#include <mutex>
#include <set>
#include <unordered_map>

#include "net/clock.hpp"
#include "net/http_server.hpp"
#include "net/websocket.hpp"
#include "tests/fakes/slack_workspace.hpp"

namespace alertbot::fakes::detail {

struct Socket {
  int id = 0;
  std::shared_ptr<WebSocket> ws;
  bool open = true;
  std::shared_ptr<asio::steady_timer> closed;  // cancelled when the session ends
  bool frozen = false;  // a half-dead peer: reads nothing, answers no ping, sends nothing
};

struct WorkspaceState : std::enable_shared_from_this<WorkspaceState> {
  WorkspaceState(asio::any_io_executor ex, Clock& c, SlackWorkspaceSettings s)
      : executor(std::move(ex)), clock(c), settings(std::move(s)) {}

  const asio::any_io_executor executor;
  // Cancelled by stop(): every sleep of the emulator ends, so io_context::run() can return.
  asio::steady_timer stopped{executor, asio::steady_timer::time_point::max()};
  Clock& clock;
  const SlackWorkspaceSettings settings;
  std::uint16_t port = 0;  // set once after the server starts

  mutable std::mutex mutex;
  std::map<std::string, std::vector<SlackMessage>> channels;  // messages in ts order
  std::map<std::string, std::string> last_ts;                 // per channel, to keep ts increasing
  std::vector<RecordedCall> calls;
  std::vector<Delivery> deliveries;
  std::unordered_map<std::string, std::size_t> delivery_index;  // envelope id -> position in deliveries
  Delivery* find_delivery(const std::string& envelope_id);      // locked
  // Redelivery waits by envelope id, cancelled by the ack so they end at once.
  std::unordered_map<std::string, std::shared_ptr<asio::steady_timer>> ack_waits;
  std::set<std::string> tickets;  // issued by apps.connections.open, single use
  std::vector<std::shared_ptr<Socket>> sockets;
  std::deque<std::string> undelivered;  // envelope ids waiting for a socket
  std::map<std::string, std::pair<int, int>> rate_limits;  // method -> (remaining, retry_after_s)
  std::map<std::string, std::pair<int, int>> http_errors;  // method -> (remaining, HTTP status)
  std::map<std::string, std::chrono::milliseconds> delays;  // method ("" for all) -> answer delay
  bool duplicate_deliveries = false;
  int max_sockets = 10;
  std::vector<std::string> rejected_frames;
  std::map<std::string, SlackFile> files;            // by id
  std::vector<SlackMessage> ephemerals;
  std::map<std::string, std::string> home_views;     // user -> view JSON
  std::vector<std::string> opened_views;             // view JSON of each views.open
  std::map<std::string, std::string> thread_statuses;  // "channel:thread_ts" -> status
  std::uint64_t counter = 0;
  std::uint64_t seq = 0;  // orders calls and acks as they arrive
  std::size_t next_socket = 0;

  // --- helpers; "locked" ones require `mutex` held ---
  std::string new_id(const char* prefix);           // locked
  std::string next_ts(const std::string& channel);  // locked
  SlackMessage* find_message(const std::string& channel, const std::string& ts);  // locked
  // Queues an envelope for delivery and starts sending it (not locked: takes the lock itself).
  void deliver(const std::string& type, boost::json::object payload, const std::string& event_id);
  // An events_api payload around `event`.
  boost::json::object event_callback(boost::json::object event, std::string& event_id_out);  // locked
  boost::json::object message_event(const SlackMessage& m) const;

  // Sleeps `d` on the workspace clock; false when the workspace stops (or `also` is cancelled).
  awaitable<bool> sleep(std::chrono::milliseconds d, asio::steady_timer* also = nullptr);
  awaitable<void> send_envelope(std::string envelope_id);
  // HTTP mode (settings.request_url): signed POSTs with Slack's retries (slack_workspace_http.cpp).
  awaitable<void> send_http(std::string envelope_id);
  awaitable<void> socket_session(ServerRequest req, std::unique_ptr<WebSocket> owned);
  void flush_undelivered();
  // The open sockets selected by `index` (all when < 0), in hello order.
  std::vector<std::shared_ptr<Socket>> pick_sockets(int index);  // not locked
  std::string disconnect_frame(const std::string& reason);       // not locked
  // Sends a disconnect frame; for warning and refresh_requested the socket is closed later, as
  // Slack does (10 s after a warning, 5 s after a refresh unless the client closes it first).
  void disconnect(std::shared_ptr<Socket> socket, const std::string& reason);
  std::chrono::milliseconds delay_for(const std::string& method);  // not locked
};

// A stored message as the Web API returns it (conversations.history, chat.postMessage).
boost::json::object message_object(const SlackMessage& m);

// The /_emulator/* control routes (slack_workspace_control.cpp). They drive the workspace through
// its public interface: `*slot` is set once the SlackWorkspace exists and cleared when it
// goes (requests in between get 503).
void add_control_routes(Router& router, std::shared_ptr<WorkspaceState> st, std::shared_ptr<SlackWorkspace*> slot);

// The Web API method handlers: (state, args, token) -> JSON answer. Defined in slack_workspace.cpp.
ServerResponse handle_api(WorkspaceState& st, const std::string& method, const ServerRequest& req);

}  // namespace alertbot::fakes::detail
