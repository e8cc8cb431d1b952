// The websocket client against the project's own websocket server routes, over ws and wss.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/http_server.hpp"
#include "net/websocket.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/test_certs.hpp"

namespace alertbot {
namespace {

using testing::run_coro;
using namespace std::chrono_literals;

// Echoes every text message back until the peer closes.
awaitable<void> echo(ServerRequest, std::unique_ptr<WebSocket> ws) {
  for (;;) {
    auto msg = co_await ws->read();
    if (!msg) co_return;
    if (!co_await ws->write(*msg)) co_return;
  }
}

class WebSocketTest : public ::testing::Test {
 protected:
  void start(HttpServerSettings s = {}) {
    Router r;
    r.add_websocket("/echo", echo);
    r.add_websocket("/closer", [](ServerRequest req, std::unique_ptr<WebSocket> ws) -> awaitable<void> {
      co_await ws->write(req.query_param("say").value_or(""));
      co_await ws->close(4001, "bye now");
    });
    s.listen = "127.0.0.1:0";
    auto server = start_http_server(io_.get_executor(), s, std::move(r));
    ASSERT_TRUE(server) << server.error().describe();
    server_ = std::move(*server);
  }
  std::string url(const char* scheme, const std::string& path) {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  asio::io_context io_;
  std::unique_ptr<HttpServer> server_;
};

awaitable<Result<std::string>> round_trip(std::string url, WebSocketClientSettings s, std::string text) {
  auto ws = co_await connect_websocket(url, s);
  if (!ws) co_return ws.error();
  if (auto w = co_await (*ws)->write(text); !w) co_return w.error();
  auto back = co_await (*ws)->read();
  co_await (*ws)->close();
  co_return back;
}

TEST_F(WebSocketTest, EchoOverWs) {
  start();
  auto back = run_coro(io_, round_trip(url("ws", "/echo"), {}, "{\"type\":\"hello\"}"));
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(*back, "{\"type\":\"hello\"}");
}

TEST_F(WebSocketTest, EchoOverWssWithTheTestCa) {
  auto certs = testing::make_test_certs();
  start(HttpServerSettings{.tls_cert_file = certs.server_cert, .tls_key_file = certs.server_key});
  std::string big(100000, 'z');  // one large message, one frame
  auto back = run_coro(io_, round_trip(url("wss", "/echo"), WebSocketClientSettings{.ca_file = certs.ca_cert}, big));
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(*back, big);
}

TEST_F(WebSocketTest, WssFailsWithoutTheCa) {
  auto certs = testing::make_test_certs();
  start(HttpServerSettings{.tls_cert_file = certs.server_cert, .tls_key_file = certs.server_key});
  auto back = run_coro(io_, round_trip(url("wss", "/echo"), {}, "x"));
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, Errc::TlsError) << back.error().describe();
}

TEST_F(WebSocketTest, PeerCloseGivesCodeAndReason) {
  start();
  auto result = run_coro(io_, [](std::string u) -> awaitable<std::pair<std::string, Error>> {
    WebSocketClientSettings settings;  // named: GCC 12 mishandles braced temporaries in co_await
    auto ws = co_await connect_websocket(u, settings);
    EXPECT_TRUE(ws);
    auto first = co_await (*ws)->read();
    auto second = co_await (*ws)->read();
    co_return std::make_pair(first ? *first : "", second ? Error{} : second.error());
  }(url("ws", "/closer?say=hi")));
  EXPECT_EQ(result.first, "hi");
  EXPECT_EQ(result.second.code, Errc::ProtocolError);
  EXPECT_NE(result.second.message.find("4001"), std::string::npos) << result.second.message;
  EXPECT_NE(result.second.message.find("bye now"), std::string::npos) << result.second.message;
}

TEST_F(WebSocketTest, PingIsAnsweredWithTheSamePayload) {
  start();
  auto pong = run_coro(io_, [](std::string u) -> awaitable<std::string> {
    WebSocketClientSettings settings;  // named: GCC 12 mishandles braced temporaries in co_await
    auto ws = co_await connect_websocket(u, settings);
    EXPECT_TRUE(ws);
    std::string got;
    (*ws)->on_control([&](bool is_ping, std::string_view payload) {
      if (!is_ping) got = std::string(payload);
    });
    co_await (*ws)->ping("ping-123");
    // Control frames are seen while a read is pending: the echo of a message ends the read.
    co_await (*ws)->write("after-ping");
    co_await (*ws)->read();
    co_await (*ws)->close();
    co_return got;
  }(url("ws", "/echo")));
  EXPECT_EQ(pong, "ping-123");
}

TEST_F(WebSocketTest, AWriterCancelledWhileQueuedDoesNotWedgeTheSocket) {
  bool read_now = false;
  std::string got;
  Router r;
  r.add_websocket("/slow", [&](ServerRequest, std::unique_ptr<WebSocket> ws) -> awaitable<void> {
    while (!read_now) {
      asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(2));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    for (int i = 0; i < 2; ++i) {
      auto m = co_await ws->read();
      if (!m) co_return;
      got = m->substr(0, 5);
    }
  });
  HttpServerSettings s;
  s.listen = "127.0.0.1:0";
  s.ws_max_message_bytes = 64 * 1024 * 1024;
  auto server = start_http_server(io_.get_executor(), s, std::move(r));
  ASSERT_TRUE(server);
  server_ = std::move(*server);
  WebSocketClientSettings cs;
  auto ws = run_coro(io_, connect_websocket(url("ws", "/slow"), cs));
  ASSERT_TRUE(ws);
  // A: a message far larger than the socket buffers, so it stays in flight while nobody reads.
  std::string big(32 * 1024 * 1024, 'a');
  std::optional<Result<void>> a, b, c;
  asio::co_spawn(io_, (*ws)->write(big), [&](std::exception_ptr, const Result<void>& r) { a = r; });
  io_.poll();
  // B queues behind A and is cancelled while waiting.
  asio::cancellation_signal cancel_b;
  asio::co_spawn(io_, (*ws)->write("bbbbb"), asio::bind_cancellation_slot(cancel_b.slot(), [&](std::exception_ptr e, const Result<void>& r) {
    b = e ? Result<void>(fail(Errc::Cancelled, "threw")) : r;
  }));
  io_.poll();
  cancel_b.emit(asio::cancellation_type::terminal);
  ASSERT_TRUE(testing::run_until(io_, [&] { return b.has_value(); }));
  EXPECT_FALSE(*b);
  read_now = true;
  ASSERT_TRUE(testing::run_until(io_, [&] { return a.has_value(); }));
  EXPECT_TRUE(*a);
  // C still gets the lock: the cancelled waiter did not keep it.
  asio::co_spawn(io_, (*ws)->write("ccccc"), [&](std::exception_ptr, const Result<void>& r) { c = r; });
  ASSERT_TRUE(testing::run_until(io_, [&] { return c.has_value() && got == "ccccc"; }, std::chrono::seconds(10)));
  EXPECT_TRUE(*c);
  run_coro(io_, (*ws)->close());
}

TEST_F(WebSocketTest, UnknownPathRefusesTheUpgrade) {
  start();
  auto back = run_coro(io_, round_trip(url("ws", "/nowhere"), {}, "x"));
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, Errc::ProtocolError) << back.error().describe();
}

TEST_F(WebSocketTest, BadUrlIsInvalidArgument) {
  auto r = run_coro(io_, connect_websocket("http://127.0.0.1:1/x", {}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::InvalidArgument);
}

TEST_F(WebSocketTest, ServerStopClosesOpenWebsockets) {
  start();
  auto err = run_coro(io_, [](std::string u, HttpServer& server) -> awaitable<Error> {
    WebSocketClientSettings settings;  // named: GCC 12 mishandles braced temporaries in co_await
    auto ws = co_await connect_websocket(u, settings);
    EXPECT_TRUE(ws);
    co_await (*ws)->write("x");
    co_await (*ws)->read();
    co_await server.stop();
    auto r = co_await (*ws)->read();
    co_return r ? Error{} : r.error();
  }(url("ws", "/echo"), *server_));
  EXPECT_NE(err.code, Errc::Internal) << "read after stop should fail";
  EXPECT_NE(err.code, Errc::Ok);
}

}  // namespace
}  // namespace alertbot
