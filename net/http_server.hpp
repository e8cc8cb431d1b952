// HttpServer: an HTTP/1.1 server (Beast) with a small router, optional TLS and websocket upgrade
// routes. Every connection is a coroutine on the server's executor. Limits: request body size,
// header/read timeouts, keep-alive idle timeout. stop() stops accepting and lets in-flight requests
// finish within a grace period, then closes what is left (including websockets).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "net/asio_fwd.hpp"
#include "net/http_types.hpp"
#include "net/result.hpp"

namespace alertbot {

class WebSocket;

struct ServerRequest {
  std::string method;  // upper case
  std::string target;  // as received: path and query
  std::string path;    // percent-decoded path, no query
  std::string query;   // raw query string without '?'
  HttpHeaders headers;
  std::string body;
  std::string remote;  // peer address:port

  std::optional<std::string_view> header(std::string_view name) const { return find_header(headers, name); }
  // Value of query parameter `name`, percent-decoded.
  std::optional<std::string> query_param(std::string_view name) const;
};

struct ServerResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  HttpHeaders headers;
  // When set, the body is streamed with chunked transfer encoding instead of `body`: each piece
  // the producer returns is written as it comes (server-sent events, long answers), until it
  // returns nullopt. Each write is bounded by the server's read_timeout; a producer that throws or
  // a peer that goes away ends the connection.
  std::function<awaitable<std::optional<std::string>>()> next_piece;

  static ServerResponse text(int status, std::string body);
  static ServerResponse json(int status, std::string body);
};

using HttpHandler = std::function<awaitable<ServerResponse>(ServerRequest)>;
// Owns the upgraded socket for the connection's lifetime; the connection ends when it returns.
using WebSocketHandler = std::function<awaitable<void>(ServerRequest, std::unique_ptr<WebSocket>)>;

class Router {
 public:
  // Exact path match ("/healthz") or prefix match when `path` ends with "/*" ("/hooks/*").
  // Exact routes win over prefixes; the longest prefix wins. An unknown path gets 404, a known
  // path with another method 405.
  void add(std::string method, std::string path, HttpHandler handler);
  // GET upgrade requests on `path` (same matching rules) become websockets.
  void add_websocket(std::string path, WebSocketHandler handler);

  struct Route {
    std::string method;  // empty for websocket routes
    std::string path;
    HttpHandler http;
    WebSocketHandler ws;
  };
  const std::vector<Route>& routes() const { return routes_; }

  // The route for a request: `route` null when nothing matches; `path_known` tells 405 from 404.
  struct Match {
    const Route* route = nullptr;
    bool path_known = false;
  };
  Match find(std::string_view method, std::string_view path, bool websocket) const;

 private:
  std::vector<Route> routes_;
};

struct HttpServerSettings {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  std::size_t body_limit = 1024 * 1024;  // larger bodies get 413
  std::chrono::milliseconds read_timeout{10000};   // headers + body of one request
  std::chrono::milliseconds idle_timeout{60000};   // keep-alive between requests
  std::chrono::milliseconds shutdown_grace{5000};  // how long stop() waits for in-flight work
  // TLS when both are set (PEM files).
  std::string tls_cert_file;
  std::string tls_key_file;
  // Websocket settings for upgraded connections.
  std::chrono::milliseconds ws_idle_timeout{30000};
  std::size_t ws_max_message_bytes = 4 * 1024 * 1024;
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // The bound port (useful with port 0).
  virtual std::uint16_t port() const = 0;
  // Stops accepting, waits up to shutdown_grace for in-flight requests and websocket handlers,
  // then closes the rest. Completes when every connection coroutine has ended.
  virtual awaitable<void> stop() = 0;
};

// Binds and starts accepting on `executor`. Errors: InvalidArgument (bad listen address or TLS
// files), ConnectFailed (bind failed: address in use, permission).
Result<std::unique_ptr<HttpServer>> start_http_server(asio::any_io_executor executor, HttpServerSettings settings,
                                                      Router router);

}  // namespace alertbot
