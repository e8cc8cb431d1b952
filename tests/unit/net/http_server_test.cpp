// The Beast HTTP server: routing, limits and graceful stop, driven by the curl client.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot {
namespace {

using testing::run_coro;
using testing::run_until;
using namespace std::chrono_literals;

awaitable<ServerResponse> ok(ServerRequest req) { co_return ServerResponse::text(200, "exact:" + req.path); }
awaitable<ServerResponse> prefix(ServerRequest req) { co_return ServerResponse::text(200, "prefix:" + req.path); }

class HttpServerTest : public ::testing::Test {
 protected:
  void start(Router r, HttpServerSettings s = {}) {
    s.listen = "127.0.0.1:0";
    auto server = start_http_server(io_.get_executor(), s, std::move(r));
    ASSERT_TRUE(server) << server.error().describe();
    server_ = std::move(*server);
  }
  // The response; a transport error fails the test and gives an empty response (status 0).
  HttpResponse get(const std::string& path, std::string method = "GET", std::string body = {}) {
    auto r = send(path, std::move(method), std::move(body));
    EXPECT_TRUE(r) << path << ": " << r.error().describe();
    return r ? *r : HttpResponse{};
  }
  Result<HttpResponse> send(const std::string& path, std::string method = "GET", std::string body = {}) {
    return run_coro(io_, client_->send(HttpRequest{.method = std::move(method),
                                                   .url = "http://127.0.0.1:" + std::to_string(server_->port()) + path,
                                                   .body = std::move(body),
                                                   .max_attempts = 1}));
  }

  asio::io_context io_;
  std::unique_ptr<Clock> clock_ = make_system_clock();
  std::unique_ptr<HttpClient> client_ = make_curl_http_client(io_.get_executor(), *clock_);
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ExactRoutesWinAndLongestPrefixMatches) {
  Router r;
  r.add("GET", "/hooks/*", prefix);
  r.add("GET", "/hooks/special", ok);
  r.add("GET", "/hooks/deep/*", [](ServerRequest) -> awaitable<ServerResponse> { co_return ServerResponse::text(200, "deep"); });
  start(std::move(r));
  EXPECT_EQ(get("/hooks/special").body, "exact:/hooks/special");
  EXPECT_EQ(get("/hooks/alertmanager").body, "prefix:/hooks/alertmanager");
  EXPECT_EQ(get("/hooks/deep/x").body, "deep");
  EXPECT_EQ(get("/hookz").status, 404);
}

TEST_F(HttpServerTest, UnknownPathIs404AndWrongMethodIs405) {
  Router r;
  r.add("POST", "/hooks/deploy", ok);
  start(std::move(r));
  EXPECT_EQ(get("/nope").status, 404);
  EXPECT_EQ(get("/hooks/deploy").status, 405);
  EXPECT_EQ(get("/hooks/deploy", "POST", "{}").status, 200);
}

TEST_F(HttpServerTest, PathIsDecodedAndQueryKeptRaw) {
  Router r;
  r.add("GET", "/reports/*", [](ServerRequest req) -> awaitable<ServerResponse> {
    co_return ServerResponse::text(200, req.path + "|" + req.query + "|" + req.query_param("a").value_or("-"));
  });
  start(std::move(r));
  EXPECT_EQ(get("/reports/a%20b?a=x%26y&b=2").body, "/reports/a b|a=x%26y&b=2|x&y");
}

TEST_F(HttpServerTest, BodyAboveTheLimitIs413) {
  Router r;
  r.add("POST", "/hooks/x", ok);
  start(std::move(r), HttpServerSettings{.body_limit = 1000});
  EXPECT_EQ(get("/hooks/x", "POST", std::string(999, 'a')).status, 200);
  EXPECT_EQ(get("/hooks/x", "POST", std::string(5000, 'a')).status, 413);
}

TEST_F(HttpServerTest, HandlerExceptionIs500) {
  Router r;
  r.add("GET", "/boom", [](ServerRequest) -> awaitable<ServerResponse> {
    throw std::runtime_error("boom");
    co_return ServerResponse::text(200, "never");
  });
  start(std::move(r));
  EXPECT_EQ(get("/boom").status, 500);
}

TEST_F(HttpServerTest, StopLetsTheRequestInFlightFinish) {
  bool in_handler = false;
  Router r;
  r.add("GET", "/slow", [&](ServerRequest) -> awaitable<ServerResponse> {
    in_handler = true;
    asio::steady_timer t(co_await asio::this_coro::executor, 200ms);
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return ServerResponse::text(200, "finished");
  });
  start(std::move(r), HttpServerSettings{.shutdown_grace = 5s});
  std::optional<Result<HttpResponse>> out;
  asio::co_spawn(io_, client_->send(HttpRequest{.url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/slow"}),
                 [&](std::exception_ptr, const Result<HttpResponse>& r) { out = r; });
  ASSERT_TRUE(run_until(io_, [&] { return in_handler; }));
  bool stopped = false;
  asio::co_spawn(io_, server_->stop(), [&](std::exception_ptr) { stopped = true; });
  ASSERT_TRUE(run_until(io_, [&] { return stopped && out.has_value(); }));
  ASSERT_TRUE(*out);
  EXPECT_EQ((*out)->body, "finished");
  // No new connections after stop.
  EXPECT_FALSE(send("/slow"));
}

TEST_F(HttpServerTest, BadListenAddressIsRejected) {
  auto s = start_http_server(io_.get_executor(), HttpServerSettings{.listen = "nowhere:80"}, Router{});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::InvalidArgument);
}

// A streamed answer goes out in chunks as its producer gives them; the client sees each piece
// through on_body before the whole body is in, and the connection stays usable afterwards.
TEST_F(HttpServerTest, StreamedBodyArrivesPieceByPiece) {
  auto gate = std::make_shared<asio::steady_timer>(io_, asio::steady_timer::time_point::max());
  Router r;
  r.add("GET", "/stream", [gate](ServerRequest) -> awaitable<ServerResponse> {
    ServerResponse resp;
    resp.content_type = "text/event-stream";
    auto n = std::make_shared<int>(0);
    resp.next_piece = [gate, n]() -> awaitable<std::optional<std::string>> {
      if (*n == 3) co_return std::nullopt;
      if (*n == 2) {  // the last piece waits until the test has seen the first two
        auto [ec] = co_await gate->async_wait(asio::as_tuple(asio::use_awaitable));
        (void)ec;
      }
      co_return "data: " + std::to_string((*n)++) + "\n\n";
    };
    co_return resp;
  });
  start(std::move(r));
  std::string seen;
  HttpRequest req{.url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/stream", .max_attempts = 1};
  req.on_body = [&](std::string_view piece) { seen.append(piece); };
  std::optional<Result<HttpResponse>> out;
  asio::co_spawn(io_, client_->send(req), [&](std::exception_ptr e, Result<HttpResponse> r) {
    if (e) std::rethrow_exception(e);
    out.emplace(std::move(r));
  });
  ASSERT_TRUE(run_until(io_, [&] { return seen == "data: 0\n\ndata: 1\n\n"; }));
  EXPECT_FALSE(out.has_value());
  gate->expires_at(asio::steady_timer::time_point::min());  // a wait now, or one already started, ends
  ASSERT_TRUE(run_until(io_, [&] { return out.has_value(); }));
  ASSERT_TRUE(*out) << out->error().describe();
  EXPECT_EQ((*out)->status, 200);
  EXPECT_EQ((*out)->body, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  EXPECT_EQ(seen, (*out)->body);
  EXPECT_EQ((*out)->header("content-type").value_or(""), "text/event-stream");
  EXPECT_EQ(get("/stream").status, 200);  // the next request on the pool works
}

TEST_F(HttpServerTest, OnBodyIsNotCalledForAnErrorAnswer) {
  Router r;
  r.add("GET", "/missing", [](ServerRequest) -> awaitable<ServerResponse> { co_return ServerResponse::text(503, "down"); });
  start(std::move(r));
  std::string seen;
  HttpRequest req{.url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/missing", .max_attempts = 1};
  req.on_body = [&](std::string_view piece) { seen.append(piece); };
  auto resp = run_coro(io_, client_->send(req));
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 503);
  EXPECT_EQ(resp->body, "down");
  EXPECT_TRUE(seen.empty());
}

}  // namespace
}  // namespace alertbot
