// WebSocket: one open text-message websocket, client or server side. One JSON message per frame:
// writes are single unfragmented text frames. Pings from the peer are answered automatically;
// the connection fails with Timeout when the peer is silent past the idle timeout (a ping is sent
// at half of it). Not thread-safe: use from one coroutine for reads and one for writes, on the
// executor the socket was created on.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "net/asio_fwd.hpp"
#include "net/http_types.hpp"
#include "net/result.hpp"

namespace alertbot {

class WebSocket {
 public:
  virtual ~WebSocket() = default;

  // Next text message. Errors: ProtocolError (peer closed: message holds the close code and
  // reason), Timeout (idle), ConnectFailed (reset), Cancelled, TooLarge.
  virtual awaitable<Result<std::string>> read() = 0;
  // Sends `text` as one text frame. Errors: ConnectFailed, Cancelled, TooLarge.
  virtual awaitable<Result<void>> write(std::string_view text) = 0;
  // Sends a ping control frame with `payload` (<= 125 bytes).
  virtual awaitable<Result<void>> ping(std::string_view payload) = 0;
  // Close handshake with `code` and `reason`, bounded by a short timeout; then the socket is
  // unusable. Never fails: errors only mean the peer was already gone.
  virtual awaitable<void> close(int code = 1000, std::string_view reason = {}) = 0;

  // Drops the TCP connection at once, with no close frame (a dead or stale peer is not owed a
  // handshake). Pending and later reads and writes fail. Never blocks.
  virtual void abort() = 0;

  // Called on the socket's executor for every ping (is_ping=true) or pong received.
  virtual void on_control(std::function<void(bool is_ping, std::string_view payload)> cb) = 0;
};

struct WebSocketClientSettings {
  bool verify_peer = true;
  std::string ca_file;  // empty: system default store
  std::chrono::milliseconds connect_timeout{10000};  // resolve + connect + TLS + upgrade
  std::chrono::milliseconds idle_timeout{30000};     // no frame at all from the peer this long
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  HttpHeaders headers;  // extra upgrade request headers (e.g. Origin)
};

// Connects to a ws:// or wss:// URL (SNI and host name verification for wss). Errors:
// InvalidArgument (bad URL), ConnectFailed, TlsError, Timeout, ProtocolError (upgrade refused:
// message holds the HTTP status), Cancelled.
awaitable<Result<std::unique_ptr<WebSocket>>> connect_websocket(std::string url, WebSocketClientSettings settings);

}  // namespace alertbot
