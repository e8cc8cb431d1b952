// Beast types shared by the two Beast translation units of net/ (the HTTP server and the
// websocket). Nothing outside net/ includes this: business code sees only the interfaces.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>

#include "net/result.hpp"
#include "net/websocket.hpp"

namespace alertbot::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Request = http::request<http::string_body>;

// The server side of a websocket (abort() is how a graceful stop ends it past its grace).
using ServerWebSocket = WebSocket;

struct ServerWebSocketSettings {
  std::chrono::milliseconds idle_timeout{30000};
  std::size_t max_message_bytes = 4 * 1024 * 1024;
};

// Completes the upgrade of `req` (already read from `stream`) and returns the open websocket.
// Errors: ProtocolError (handshake refused or malformed), ConnectFailed, Timeout.
awaitable<Result<std::unique_ptr<ServerWebSocket>>> accept_websocket(PlainStream stream, Request req,
                                                                     ServerWebSocketSettings settings);
awaitable<Result<std::unique_ptr<ServerWebSocket>>> accept_websocket(TlsStream stream, Request req,
                                                                     ServerWebSocketSettings settings);

}  // namespace alertbot::detail
