// SocketModeClient: holds Slack Socket Mode websockets open and turns their frames into calls of
// one EnvelopeHandler. The contract with the handler is "persist, then ack": the ack is written
// only after the handler returns success, and it is written before any slower work the handler
// started finishes. Redeliveries (same event_id or envelope_id) are acked at once without calling
// the handler again. A socket that fails or is recycled by Slack (disconnect frames) is replaced
// with exponential backoff and jitter; fatal auth errors end run() with the error.
// Runs on the executor of the coroutine that awaits run(); not thread-safe (one executor).
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/asio_fwd.hpp"
#include "net/result.hpp"
#include "slack/envelope.hpp"
#include "slack/slack_settings.hpp"

namespace alertbot {
class Clock;
class WebSocket;
}

namespace alertbot::slack {

class WebApi;

// Persists `env` (and may start work). Returns the ack's response payload (JSON object text) or
// nullopt for a bare ack. An error means "not persisted": no ack is sent and Slack redelivers.
// Envelopes Slack sent malformed arrive with type "invalid" and the raw frame as payload_json.
using EnvelopeHandler = std::function<awaitable<Result<std::optional<std::string>>>(const Envelope&)>;

struct SocketModeTimings {
  std::chrono::milliseconds hello_timeout{10000};   // connect, TLS and upgrade
  std::chrono::milliseconds idle_timeout{10000};    // no frame at all this long: stale (we ping at half of it)
  std::chrono::milliseconds drain_limit{10000};     // a refreshed socket is read at most this long
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{60000};
  std::chrono::milliseconds link_disabled_backoff{300000};  // Socket Mode switched off in the app
};

class SocketModeClient {
 public:
  SocketModeClient(WebApi& api, Clock& clock, SlackSettings settings, EnvelopeHandler handler,
                   SocketModeTimings timings = {});
  ~SocketModeClient();

  // Opens settings.connections sockets and keeps them open until stop() or a fatal auth error
  // (returned). Suspends for the life of the bot.
  awaitable<Result<void>> run();
  // Ends run(): every socket is closed and its loop returns. Safe to call more than once.
  void stop();

  // Observability (tests, /metrics).
  int open_sockets() const { return open_sockets_; }
  long connects() const { return connects_; }
  long acks() const { return acks_; }
  long duplicates() const { return duplicates_; }

 private:
  struct Slot;
  awaitable<Result<void>> connection_loop(std::shared_ptr<Slot> slot);
  // apps.connections.open, connect, and wait for hello.
  awaitable<Result<std::shared_ptr<WebSocket>>> open_socket(Slot& slot);
  // Reads frames and handles envelopes until the socket ends (returns "") or, unless `draining`,
  // until a disconnect frame (returns its reason; the socket stays open).
  awaitable<std::string> read_frames(Slot& slot, std::shared_ptr<WebSocket> ws, bool draining);
  // Reads a replaced socket to its end (bounded by drain_limit), then closes it.
  awaitable<void> drain(std::shared_ptr<Slot> slot, std::shared_ptr<WebSocket> ws);
  void spawn_task(awaitable<void> task);
  awaitable<void> handle_envelope(WebSocket& ws, Envelope env);
  void remember_saved(const std::string& key);
  std::chrono::milliseconds backoff(int failures);

  WebApi& api_;
  Clock& clock_;
  const SlackSettings settings_;
  const EnvelopeHandler handler_;
  const SocketModeTimings timings_;
  asio::any_io_executor executor_;  // of run()'s caller, set when run() starts
  std::vector<std::shared_ptr<Slot>> slots_;
  int tasks_ = 0;                                   // connection loops and drains running
  std::unique_ptr<asio::steady_timer> tasks_idle_;  // cancelled when tasks_ reaches zero
  std::optional<Error> fatal_;
  bool stopping_ = false;
  // Keys (event id, envelope id) of recent envelopes the handler saved: a redelivery is acked at
  // once. Bounded; the store dedupes durably across restarts and replicas.
  std::unordered_set<std::string> saved_;
  std::deque<std::string> saved_order_;
  // Keys whose handler is still running: a redelivery (on another socket) waits for the first
  // outcome instead of being acked before anything was saved.
  std::unordered_map<std::string, std::shared_ptr<asio::steady_timer>> pending_;
  int open_sockets_ = 0;
  long connects_ = 0;
  long acks_ = 0;
  long duplicates_ = 0;
};

}  // namespace alertbot::slack
