// The Beast websocket: client connect (ws:// and wss://) and server-side accept, both behind the
// WebSocket interface. All websocket template code of the project is instantiated here.
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/url/parse.hpp>
#include <algorithm>
#include <deque>

#include "net/async_mutex.hpp"
#include "net/detail/beast_fwd.hpp"

namespace alertbot {
namespace detail {
namespace {

namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

Error map_ws_error(boost::system::error_code ec, std::string_view what, const websocket::close_reason& reason) {
  std::string w(what);
  if (ec == websocket::error::closed) {
    return fail(Errc::ProtocolError, w + ": closed by peer (code " + std::to_string(reason.code) +
                                         (reason.reason.empty() ? "" : ", " + std::string(reason.reason.data(), reason.reason.size())) + ")");
  }
  if (ec == beast::error::timeout) return fail(Errc::Timeout, w + ": peer silent past the idle timeout");
  if (ec == asio::error::operation_aborted) return fail(Errc::Cancelled, w + ": cancelled");
  if (ec == websocket::error::message_too_big || ec == websocket::error::buffer_overflow) {
    return fail(Errc::TooLarge, w + ": message too large");
  }
  return fail(Errc::ConnectFailed, w + ": " + ec.message());
}

template <class Next>
class BeastWebSocket final : public ServerWebSocket {
 public:
  BeastWebSocket(websocket::stream<Next> ws, std::shared_ptr<ssl::context> ctx)
      : ws_(std::move(ws)), ctx_(std::move(ctx)) {
    ws_.auto_fragment(false);  // one message, one frame (Slack does not reassemble fragments)
    ws_.control_callback([this](websocket::frame_type kind, std::string_view payload) {
      if (on_control_ && kind != websocket::frame_type::close) {
        on_control_(kind == websocket::frame_type::ping, payload);
      }
    });
  }

  awaitable<Result<std::string>> read() override {
    buffer_.clear();
    auto [ec, n] = co_await ws_.async_read(buffer_, kTuple);
    if (ec) co_return map_ws_error(ec, "websocket read", ws_.reason());
    co_return beast::buffers_to_string(buffer_.data());
  }

  awaitable<Result<void>> write(std::string_view text) override {
    if (!co_await lock_.lock()) co_return fail(Errc::Cancelled, "websocket write: cancelled while queued");
    AsyncMutex::Guard held{lock_};
    ws_.text(true);
    auto [ec, n] = co_await ws_.async_write(asio::buffer(text.data(), text.size()), kTuple);
    if (ec) co_return map_ws_error(ec, "websocket write", ws_.reason());
    co_return Result<void>();
  }

  awaitable<Result<void>> ping(std::string_view payload) override {
    if (payload.size() > 125) co_return fail(Errc::InvalidArgument, "websocket ping: payload above 125 bytes");
    if (!co_await lock_.lock()) co_return fail(Errc::Cancelled, "websocket ping: cancelled while queued");
    AsyncMutex::Guard held{lock_};
    auto [ec] = co_await ws_.async_ping(websocket::ping_data(payload.data(), payload.size()), kTuple);
    if (ec) co_return map_ws_error(ec, "websocket ping", ws_.reason());
    co_return Result<void>();
  }

  awaitable<void> close(int code, std::string_view reason) override {
    if (!ws_.is_open()) co_return;
    if (!co_await lock_.lock()) {
      abort();
      co_return;
    }
    AsyncMutex::Guard held{lock_};
    // Bound the close handshake: a peer that never answers must not hold us (1 s).
    websocket::stream_base::timeout t;
    ws_.get_option(t);
    t.handshake_timeout = std::chrono::seconds(1);
    ws_.set_option(t);
    websocket::close_reason cr(static_cast<websocket::close_code>(code), reason.substr(0, 120));
    co_await ws_.async_close(cr, kTuple);  // errors only mean the peer is gone
    abort();
  }

  void on_control(std::function<void(bool, std::string_view)> cb) override { on_control_ = std::move(cb); }

  void abort() override {
    boost::system::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close();
  }

 private:
  websocket::stream<Next> ws_;
  std::shared_ptr<ssl::context> ctx_;  // keeps the TLS context alive as long as the stream
  beast::flat_buffer buffer_;
  AsyncMutex lock_;  // one write (frame, ping, close) at a time: Beast allows no more
  std::function<void(bool, std::string_view)> on_control_;
};

template <class Next>
void apply_settings(websocket::stream<Next>& ws, beast::role_type role, std::chrono::milliseconds handshake,
                    std::chrono::milliseconds idle, std::size_t max_bytes) {
  websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(role);
  t.handshake_timeout = handshake;
  t.idle_timeout = idle;          // a ping goes out at half of it; silence past it fails reads
  t.keep_alive_pings = true;
  ws.set_option(t);
  ws.read_message_max(max_bytes);
}

template <class Next>
awaitable<Result<std::unique_ptr<ServerWebSocket>>> accept_impl(Next stream, Request req,
                                                                ServerWebSocketSettings s) {
  beast::get_lowest_layer(stream).expires_never();
  websocket::stream<Next> ws(std::move(stream));
  apply_settings(ws, beast::role_type::server, std::chrono::seconds(10), s.idle_timeout, s.max_message_bytes);
  auto [ec] = co_await ws.async_accept(req, kTuple);
  if (ec) co_return fail(Errc::ProtocolError, "websocket accept: " + ec.message());
  co_return std::make_unique<BeastWebSocket<Next>>(std::move(ws), nullptr);
}

struct ParsedWsUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

Result<ParsedWsUrl> parse_ws_url(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return fail(Errc::InvalidArgument, "websocket: not a URL");
  ParsedWsUrl p;
  std::string scheme(u->scheme());
  if (scheme == "wss") {
    p.tls = true;
  } else if (scheme != "ws") {
    return fail(Errc::InvalidArgument, "websocket: scheme must be ws or wss, not '" + scheme + "'");
  }
  p.host = std::string(u->encoded_host());
  if (p.host.empty()) return fail(Errc::InvalidArgument, "websocket: URL has no host");
  if (p.host.size() > 2 && p.host.front() == '[') p.host = p.host.substr(1, p.host.size() - 2);
  p.port = u->has_port() ? std::string(u->port()) : (p.tls ? "443" : "80");
  p.target = std::string(u->encoded_path());
  if (p.target.empty()) p.target = "/";
  if (u->has_query()) p.target += "?" + std::string(u->encoded_query());
  return p;
}

Result<std::shared_ptr<ssl::context>> client_tls_context(const WebSocketClientSettings& s) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  if (s.ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(s.ca_file, ec);
  }
  if (ec) return fail(Errc::TlsError, "websocket: cannot load CA certificates: " + ec.message());
  ctx->set_verify_mode(s.verify_peer ? ssl::verify_peer : ssl::verify_none);
  return ctx;
}

// Upgrades an open stream to a websocket as a client.
template <class Next>
awaitable<Result<std::unique_ptr<WebSocket>>> client_handshake(Next stream, const ParsedWsUrl& p,
                                                               const WebSocketClientSettings& s,
                                                               std::shared_ptr<ssl::context> ctx) {
  beast::get_lowest_layer(stream).expires_never();
  websocket::stream<Next> ws(std::move(stream));
  apply_settings(ws, beast::role_type::client, s.connect_timeout, s.idle_timeout, s.max_message_bytes);
  ws.set_option(websocket::stream_base::decorator([headers = s.headers](websocket::request_type& req) {
    req.set(http::field::user_agent, "alertbot");
    for (const auto& [k, v] : headers) req.set(k, v);
  }));
  websocket::response_type res;
  std::string host = p.host + ":" + p.port;
  auto [ec] = co_await ws.async_handshake(res, host, p.target, kTuple);
  if (ec == websocket::error::upgrade_declined) {
    co_return fail(Errc::ProtocolError, "websocket: upgrade refused with HTTP " + std::to_string(res.result_int()));
  }
  if (ec == beast::error::timeout) co_return fail(Errc::Timeout, "websocket: handshake timed out");
  if (ec) co_return fail(Errc::ProtocolError, "websocket handshake: " + ec.message());
  co_return std::make_unique<BeastWebSocket<Next>>(std::move(ws), std::move(ctx));
}

}  // namespace

awaitable<Result<std::unique_ptr<ServerWebSocket>>> accept_websocket(PlainStream stream, Request req,
                                                                     ServerWebSocketSettings settings) {
  return accept_impl(std::move(stream), std::move(req), settings);
}

awaitable<Result<std::unique_ptr<ServerWebSocket>>> accept_websocket(TlsStream stream, Request req,
                                                                     ServerWebSocketSettings settings) {
  return accept_impl(std::move(stream), std::move(req), settings);
}

}  // namespace detail

awaitable<Result<std::unique_ptr<WebSocket>>> connect_websocket(std::string url, WebSocketClientSettings settings) {
  using namespace detail;
  auto p = parse_ws_url(url);
  if (!p) co_return p.error();
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto [rec, endpoints] = co_await resolver.async_resolve(p->host, p->port, kTuple);
  if (rec) co_return fail(Errc::ConnectFailed, "websocket: cannot resolve " + p->host + ": " + rec.message());
  PlainStream tcp_stream(ex);
  tcp_stream.expires_after(settings.connect_timeout);
  auto [cec, ep] = co_await tcp_stream.async_connect(endpoints, kTuple);
  if (cec == beast::error::timeout) co_return fail(Errc::Timeout, "websocket: connect to " + p->host + " timed out");
  if (cec) co_return fail(Errc::ConnectFailed, "websocket: connect to " + p->host + ": " + cec.message());
  if (!p->tls) co_return co_await client_handshake(std::move(tcp_stream), *p, settings, nullptr);

  auto ctx = client_tls_context(settings);
  if (!ctx) co_return ctx.error();
  TlsStream tls(std::move(tcp_stream), **ctx);
  if (!SSL_set_tlsext_host_name(tls.native_handle(), p->host.c_str())) {
    co_return fail(Errc::TlsError, "websocket: cannot set SNI host name");
  }
  if (settings.verify_peer) tls.set_verify_callback(ssl::host_name_verification(p->host));
  auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, kTuple);
  if (hec == beast::error::timeout) co_return fail(Errc::Timeout, "websocket: TLS handshake timed out");
  if (hec) co_return fail(Errc::TlsError, "websocket: TLS handshake with " + p->host + ": " + hec.message());
  co_return co_await client_handshake(std::move(tls), *p, settings, std::move(*ctx));
}

}  // namespace alertbot
