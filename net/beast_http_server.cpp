// The Beast HTTP/1.1 server behind HttpServer: one coroutine per connection on the server's
// strand, optional TLS, websocket upgrades handed to net/beast_websocket.cpp.
#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>
#include <list>
#include <spdlog/spdlog.h>

#include "net/detail/beast_fwd.hpp"
#include "net/http_server.hpp"
#include "net/logging.hpp"

namespace alertbot {
namespace {

using namespace detail;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// A live connection, as the stop logic sees it.
struct Connection {
  bool busy = false;                // a request is being read, handled or answered
  bool websocket = false;
  std::function<void()> force_close;
};
using ConnectionList = std::list<Connection>;

Result<tcp::endpoint> parse_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return fail(Errc::InvalidArgument, "listen '" + listen + "': expected host:port");
  std::string host = listen.substr(0, colon);
  std::string port_s = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "*") host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(port_s, &used);
    if (used != port_s.size() || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return fail(Errc::InvalidArgument, "listen '" + listen + "': bad port");
  }
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return fail(Errc::InvalidArgument, "listen '" + listen + "': host must be an IP address or localhost");
  return tcp::endpoint(addr, static_cast<unsigned short>(port));
}

http::response<http::string_body> to_beast(ServerResponse r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "alertbot");
  res.set(http::field::content_type, r.content_type);
  for (auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(keep_alive);
  res.body() = std::move(r.body);
  res.prepare_payload();
  return res;
}

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(asio::any_io_executor ex, HttpServerSettings s, Router r)
      : strand_(asio::make_strand(ex)), acceptor_(strand_), settings_(std::move(s)), router_(std::move(r)),
        drained_(strand_) {}

  Result<void> open(const tcp::endpoint& ep) {
    if (!settings_.tls_cert_file.empty() || !settings_.tls_key_file.empty()) {
      tls_ = std::make_unique<ssl::context>(ssl::context::tls_server);
      boost::system::error_code ec;
      tls_->use_certificate_chain_file(settings_.tls_cert_file, ec);
      if (!ec) tls_->use_private_key_file(settings_.tls_key_file, ssl::context::pem, ec);
      if (ec) return fail(Errc::InvalidArgument, "http server: TLS certificate or key: " + ec.message());
    }
    boost::system::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail(Errc::ConnectFailed, "http server: cannot listen on " + settings_.listen + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    return {};
  }

  std::uint16_t port() const { return port_; }
  asio::any_io_executor executor() const { return strand_; }

  void start() {
    asio::co_spawn(strand_, accept_loop(shared_from_this()), [](std::exception_ptr e) {
      if (e) spdlog::error("http server: accept loop ended by an exception");
    });
  }

  awaitable<void> stop();
  void stop_now();  // destructor path: no waiting

 private:
  static awaitable<void> accept_loop(std::shared_ptr<ServerCore> self);
  static awaitable<void> session(std::shared_ptr<ServerCore> self, tcp::socket socket);
  template <class Stream>
  awaitable<void> serve(Stream& stream, ConnectionList::iterator conn, std::string remote);
  template <class Stream>
  awaitable<void> upgrade(Stream stream, Request req, const Router::Route& route, ConnectionList::iterator conn,
                          ServerRequest sreq);
  awaitable<ServerResponse> dispatch(Request& req, const std::string& remote);
  // Writes `head`'s status and headers, then every piece `next_piece` gives as one chunk, then
  // the last chunk. False when the peer went away, a write timed out or the producer threw.
  template <class Stream>
  awaitable<bool> write_streamed(Stream& stream, ServerResponse head,
                                 std::function<awaitable<std::optional<std::string>>()> next_piece, unsigned version,
                                 bool keep_alive);
  void connection_ended(ConnectionList::iterator conn);

  asio::strand<asio::any_io_executor> strand_;
  tcp::acceptor acceptor_;
  const HttpServerSettings settings_;
  const Router router_;
  std::unique_ptr<ssl::context> tls_;
  std::uint16_t port_ = 0;
  // On the strand:
  ConnectionList connections_;
  bool stopping_ = false;
  asio::steady_timer drained_;  // cancelled when the last connection ends during stop()
};

awaitable<void> ServerCore::accept_loop(std::shared_ptr<ServerCore> self) {
  for (;;) {
    auto [ec, socket] = co_await self->acceptor_.async_accept(kTuple);
    if (ec == asio::error::operation_aborted || self->stopping_) co_return;
    if (ec) {
      // Out of descriptors (EMFILE) and the like: pause instead of spinning on the error.
      spdlog::warn("http server: accept: {}", ec.message());
      asio::steady_timer pause(self->strand_, std::chrono::milliseconds(100));
      co_await pause.async_wait(kTuple);
      continue;
    }
    asio::co_spawn(self->strand_, session(self, std::move(socket)), [](std::exception_ptr e) {
      log_exception(e, "http server: connection ended by an exception");
    });
  }
}

awaitable<void> ServerCore::session(std::shared_ptr<ServerCore> self, tcp::socket socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  std::string remote = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
  auto conn = self->connections_.insert(self->connections_.end(), Connection{});
  if (!self->tls_) {
    PlainStream stream(std::move(socket));
    conn->force_close = [&stream] { stream.socket().close(); };
    co_await self->serve(stream, conn, remote);
  } else {
    TlsStream stream(PlainStream(std::move(socket)), *self->tls_);
    conn->force_close = [&stream] { beast::get_lowest_layer(stream).socket().close(); };
    beast::get_lowest_layer(stream).expires_after(self->settings_.read_timeout);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, kTuple);
    if (!hec) co_await self->serve(stream, conn, remote);
  }
  self->connection_ended(conn);
}

void ServerCore::connection_ended(ConnectionList::iterator conn) {
  connections_.erase(conn);
  if (stopping_ && connections_.empty()) drained_.cancel();
}

template <class Stream>
awaitable<void> ServerCore::serve(Stream& stream, ConnectionList::iterator conn, std::string remote) {
  beast::flat_buffer buffer;
  auto& lowest = beast::get_lowest_layer(stream);
  bool refused_body = false;  // a 413 went out with the body still coming
  for (bool first = true; !stopping_; first = false) {
    conn->busy = false;
    http::request_parser<http::string_body> parser;
    parser.body_limit(settings_.body_limit);
    lowest.expires_after(first ? settings_.read_timeout : settings_.idle_timeout);
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    // Closed, idle timeout, reset, or forced close on stop; a too-large Content-Length is
    // refused below with 413.
    if (hec && hec != http::error::body_limit) co_return;
    conn->busy = true;
    lowest.expires_after(settings_.read_timeout);
    boost::system::error_code ec = hec;
    if (!ec && !boost::beast::websocket::is_upgrade(parser.get())) {
      auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kTuple);
      ec = bec;
    }
    bool keep_alive = parser.get().keep_alive() && !stopping_;
    ServerResponse resp;
    if (ec == http::error::body_limit) {
      resp = ServerResponse::text(413, "request body larger than " + std::to_string(settings_.body_limit) + " bytes\n");
      keep_alive = false;
      refused_body = true;
    } else if (ec) {
      co_return;
    } else {
      Request req = parser.release();
      if (boost::beast::websocket::is_upgrade(req)) {
        auto m = router_.find("GET", std::string(req.target().substr(0, req.target().find('?'))), true);
        if (m.route) {
          ServerRequest sreq;
          sreq.method = "GET";
          sreq.target = std::string(req.target());
          sreq.remote = remote;
          co_await upgrade(std::move(stream), std::move(req), *m.route, conn, std::move(sreq));
          co_return;
        }
      }
      resp = co_await dispatch(req, remote);
    }
    if (resp.next_piece) {
      auto next_piece = std::move(resp.next_piece);
      bool written = co_await write_streamed(stream, std::move(resp), std::move(next_piece), parser.get().version(), keep_alive);
      if (!written || !keep_alive) break;
      continue;
    }
    auto res = to_beast(std::move(resp), parser.get().version(), keep_alive);
    lowest.expires_after(settings_.read_timeout);
    auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
    if (wec || !keep_alive) break;
  }
  boost::system::error_code ec;
  lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (refused_body) {
    // Lingering close: what the client still sends is read and dropped, for a short while and up
    // to a bound, so that it reads the 413 instead of a reset caused by unread data at close.
    lowest.expires_after(std::chrono::seconds(2));
    std::array<char, 16384> sink;
    for (std::size_t dropped = 0; dropped < 8 * settings_.body_limit;) {
      auto [rec, rn] = co_await lowest.async_read_some(asio::buffer(sink), kTuple);
      if (rec) break;
      dropped += rn;
    }
  }
}

template <class Stream>
awaitable<bool> ServerCore::write_streamed(Stream& stream, ServerResponse head,
                                           std::function<awaitable<std::optional<std::string>>()> next_piece,
                                           unsigned version, bool keep_alive) {
  auto& lowest = beast::get_lowest_layer(stream);
  http::response<http::empty_body> res{static_cast<http::status>(head.status), version};
  res.set(http::field::server, "alertbot");
  res.set(http::field::content_type, head.content_type);
  for (auto& [k, v] : head.headers) res.set(k, v);
  res.keep_alive(keep_alive);
  res.chunked(true);
  http::response_serializer<http::empty_body> sr{res};
  lowest.expires_after(settings_.read_timeout);
  auto [hec, hn] = co_await http::async_write_header(stream, sr, kTuple);
  if (hec) co_return false;
  for (;;) {
    std::optional<std::string> piece;
    try {
      piece = co_await next_piece();
    } catch (const std::exception& e) {
      spdlog::warn("http server: streamed body producer failed: {}", e.what());
      co_return false;
    }
    if (!piece) break;
    if (piece->empty()) continue;
    lowest.expires_after(settings_.read_timeout);
    auto chunk = http::make_chunk(asio::buffer(*piece));
    auto [cec, cn] = co_await asio::async_write(stream, chunk, kTuple);
    if (cec) co_return false;
  }
  lowest.expires_after(settings_.read_timeout);
  auto last = http::make_chunk_last();
  auto [lec, ln] = co_await asio::async_write(stream, last, kTuple);
  co_return !lec;
}

template <class Stream>
awaitable<void> ServerCore::upgrade(Stream stream, Request req, const Router::Route& route,
                                    ConnectionList::iterator conn, ServerRequest sreq) {
  auto target = boost::urls::parse_origin_form(sreq.target);
  if (target) {
    sreq.path = std::string(target->path());
    sreq.query = std::string(target->encoded_query());
  }
  for (const auto& h : req) sreq.headers.emplace_back(std::string(h.name_string()), std::string(h.value()));
  conn->force_close = nullptr;  // `stream` moves into the websocket below
  ServerWebSocketSettings ws_settings{settings_.ws_idle_timeout, settings_.ws_max_message_bytes};
  auto ws = co_await accept_websocket(std::move(stream), std::move(req), ws_settings);  // NOLINT(bugprone-use-after-move)
  if (!ws) {
    spdlog::debug("http server: websocket upgrade from {} failed: {}", sreq.remote, ws.error().describe());
    co_return;
  }
  ServerWebSocket* raw = ws->get();
  conn->websocket = true;
  conn->force_close = [raw] { raw->abort(); };
  if (stopping_) raw->abort();
  try {
    co_await route.ws(std::move(sreq), std::move(*ws));  // the handler owns the socket until it returns
  } catch (const std::exception& e) {
    spdlog::error("http server: websocket handler for {} threw: {}", route.path, e.what());
  }
  conn->force_close = nullptr;
}

awaitable<ServerResponse> ServerCore::dispatch(Request& req, const std::string& remote) {
  ServerRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.remote = remote;
  auto target = boost::urls::parse_origin_form(r.target);
  if (!target) co_return ServerResponse::text(400, "bad request target\n");
  r.path = std::string(target->path());
  r.query = std::string(target->encoded_query());
  for (const auto& h : req) r.headers.emplace_back(std::string(h.name_string()), std::string(h.value()));
  r.body = std::move(req.body());
  auto m = router_.find(r.method, r.path, false);
  if (!m.route) co_return m.path_known ? ServerResponse::text(405, "method not allowed\n")
                                       : ServerResponse::text(404, "not found\n");
  try {
    co_return co_await m.route->http(std::move(r));
  } catch (const std::exception& e) {
    spdlog::error("http server: handler for {} threw: {}", m.route->path, e.what());
  } catch (...) {
    spdlog::error("http server: handler for {} threw", m.route->path);
  }
  co_return ServerResponse::text(500, "internal error\n");
}

awaitable<void> ServerCore::stop() {
  auto self = shared_from_this();
  stopping_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  // Idle keep-alive connections and websockets end now; requests in flight get the grace period.
  for (auto& c : connections_) {
    if ((!c.busy || c.websocket) && c.force_close) c.force_close();
  }
  for (int round = 0; round < 2 && !connections_.empty(); ++round) {
    drained_.expires_after(settings_.shutdown_grace);
    co_await drained_.async_wait(kTuple);
    for (auto& c : connections_) {
      if (c.force_close) c.force_close();
    }
  }
  if (!connections_.empty()) {
    spdlog::warn("http server: {} connection(s) still open after shutdown", connections_.size());
  }
}

void ServerCore::stop_now() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    self->stopping_ = true;
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    for (auto& c : self->connections_) {
      if (c.force_close) c.force_close();
    }
  });
}

class BeastHttpServer final : public HttpServer {
 public:
  explicit BeastHttpServer(std::shared_ptr<ServerCore> core) : core_(std::move(core)) {}
  ~BeastHttpServer() override {
    if (!stopped_) core_->stop_now();
  }
  std::uint16_t port() const override { return core_->port(); }
  awaitable<void> stop() override {
    stopped_ = true;
    co_await asio::co_spawn(core_->executor(), core_->stop(), asio::use_awaitable);
  }

 private:
  std::shared_ptr<ServerCore> core_;
  bool stopped_ = false;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> start_http_server(asio::any_io_executor executor, HttpServerSettings settings,
                                                      Router router) {
  auto ep = parse_listen(settings.listen);
  if (!ep) return ep.error();
  auto core = std::make_shared<ServerCore>(std::move(executor), std::move(settings), std::move(router));
  if (auto r = core->open(*ep); !r) return r.error();
  core->start();
  return std::unique_ptr<HttpServer>(std::make_unique<BeastHttpServer>(core));
}

}  // namespace alertbot
