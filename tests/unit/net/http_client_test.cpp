// The curl HTTP client against a local Beast server on 127.0.0.1 (port 0).
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/test_certs.hpp"

namespace alertbot {
namespace {

using testing::run_coro;
using testing::run_until;
using namespace std::chrono_literals;

// Suspends the handler for `d` of real time (server side of a scenario, not a test wait).
awaitable<void> server_delay(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

class HttpClientTest : public ::testing::Test {
 protected:
  void start(Router router, HttpServerSettings s = {}) {
    s.listen = "127.0.0.1:0";
    auto server = start_http_server(io_.get_executor(), s, std::move(router));
    ASSERT_TRUE(server) << server.error().describe();
    server_ = std::move(*server);
  }
  std::string url(const std::string& path, const char* scheme = "http") {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  std::unique_ptr<HttpClient> client(HttpClientSettings s = {}) {
    s.backoff_base = 1ms;
    s.backoff_max = 5ms;
    return make_curl_http_client(io_.get_executor(), *clock_, s);
  }

  asio::io_context io_;
  std::unique_ptr<Clock> clock_ = make_system_clock();
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpClientTest, GetReturnsStatusHeadersAndBody) {
  Router r;
  r.add("GET", "/hello", [](ServerRequest req) -> awaitable<ServerResponse> {
    auto resp = ServerResponse::json(200, "{\"q\":\"" + req.query_param("name").value_or("") + "\"}");
    resp.headers.emplace_back("X-Test", "yes");
    co_return resp;
  });
  start(std::move(r));
  auto c = client();
  auto resp = run_coro(io_, c->send(HttpRequest{.url = url("/hello?name=bot")}));
  ASSERT_TRUE(resp) << resp.error().describe();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, "{\"q\":\"bot\"}");
  EXPECT_EQ(resp->header("x-test").value_or(""), "yes");
  EXPECT_EQ(resp->header("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(resp->attempts, 1);
}

TEST_F(HttpClientTest, PostSendsBodyAndHeaders) {
  Router r;
  r.add("POST", "/echo", [](ServerRequest req) -> awaitable<ServerResponse> {
    co_return ServerResponse::text(201, std::string(req.header("x-auth").value_or("")) + ":" + req.body);
  });
  start(std::move(r));
  auto c = client();
  std::string big(5000, 'x');  // above curl's 1 KiB Expect: 100-continue threshold
  auto resp = run_coro(io_, c->send(HttpRequest{.method = "POST", .url = url("/echo"), .headers = {{"X-Auth", "k"}}, .body = big}));
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 201);
  EXPECT_EQ(resp->body, "k:" + big);
}

TEST_F(HttpClientTest, TwoHundredRequestsInFlightOnOneThread) {
  // Every handler waits until all 200 requests have arrived: the test can only pass if the client
  // really has them all in flight at once, on the one thread running io_.
  constexpr int kRequests = 200;
  int arrived = 0;
  Router r;
  r.add("GET", "/barrier", [&](ServerRequest) -> awaitable<ServerResponse> {
    ++arrived;
    for (int i = 0; i < 2000 && arrived < kRequests; ++i) co_await server_delay(5ms);
    co_return ServerResponse::text(200, std::to_string(arrived));
  });
  start(std::move(r));
  auto c = client();
  int ok = 0;
  int done = 0;
  for (int i = 0; i < kRequests; ++i) {
    asio::co_spawn(io_, c->send(HttpRequest{.url = url("/barrier"), .timeout = 20s}),
                   [&](std::exception_ptr, const Result<HttpResponse>& r) {
                     ++done;
                     if (r && r->status == 200 && r->body == std::to_string(kRequests)) ++ok;
                   });
  }
  ASSERT_TRUE(run_until(io_, [&] { return done == kRequests; }));
  EXPECT_EQ(ok, kRequests);
}

TEST_F(HttpClientTest, TimeoutGivesTimeoutError) {
  Router r;
  r.add("GET", "/slow", [](ServerRequest) -> awaitable<ServerResponse> {
    co_await server_delay(3s);
    co_return ServerResponse::text(200, "late");
  });
  start(std::move(r), HttpServerSettings{.shutdown_grace = 10ms});
  auto c = client();
  auto resp = run_coro(io_, c->send(HttpRequest{.url = url("/slow"), .timeout = 200ms, .max_attempts = 1}));
  ASSERT_FALSE(resp);
  EXPECT_EQ(resp.error().code, Errc::Timeout) << resp.error().describe();
}

TEST_F(HttpClientTest, CancellationAbortsTheTransfer) {
  bool reached = false;
  Router r;
  r.add("GET", "/hang", [&](ServerRequest) -> awaitable<ServerResponse> {
    reached = true;
    co_await server_delay(5s);
    co_return ServerResponse::text(200, "late");
  });
  r.add("GET", "/ok", [](ServerRequest) -> awaitable<ServerResponse> { co_return ServerResponse::text(200, "ok"); });
  start(std::move(r));
  auto c = client();
  asio::cancellation_signal cancel;
  std::optional<Result<HttpResponse>> out;
  asio::co_spawn(io_, c->send(HttpRequest{.url = url("/hang")}),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr, const Result<HttpResponse>& r) { out = r; }));
  ASSERT_TRUE(run_until(io_, [&] { return reached; }));
  cancel.emit(asio::cancellation_type::terminal);
  ASSERT_TRUE(run_until(io_, [&] { return out.has_value(); }, 2s));
  ASSERT_FALSE(*out);
  EXPECT_EQ(out->error().code, Errc::Cancelled);
  // The client is still usable after a cancellation.
  auto again = run_coro(io_, c->send(HttpRequest{.url = url("/ok")}));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "ok");
}

TEST_F(HttpClientTest, RetriesIdempotentRequestAfter503) {
  int calls = 0;
  Router r;
  r.add("GET", "/flaky", [&](ServerRequest) -> awaitable<ServerResponse> {
    co_return ++calls == 1 ? ServerResponse::text(503, "busy") : ServerResponse::text(200, "fine");
  });
  start(std::move(r));
  auto c = client();
  auto resp = run_coro(io_, c->send(HttpRequest{.url = url("/flaky")}));
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->attempts, 2);
  EXPECT_EQ(calls, 2);
}

TEST_F(HttpClientTest, DoesNotRetryPostAfter503) {
  int calls = 0;
  Router r;
  r.add("POST", "/flaky", [&](ServerRequest) -> awaitable<ServerResponse> {
    ++calls;
    co_return ServerResponse::text(503, "busy");
  });
  start(std::move(r));
  auto c = client();
  auto resp = run_coro(io_, c->send(HttpRequest{.method = "POST", .url = url("/flaky"), .body = "x"}));
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 503);
  EXPECT_EQ(calls, 1);
}

TEST_F(HttpClientTest, GivesUpAfterMaxAttempts) {
  int calls = 0;
  Router r;
  r.add("GET", "/down", [&](ServerRequest) -> awaitable<ServerResponse> {
    ++calls;
    co_return ServerResponse::text(502, "bad gateway");
  });
  start(std::move(r));
  auto c = client();
  auto resp = run_coro(io_, c->send(HttpRequest{.url = url("/down"), .max_attempts = 4}));
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 502);
  EXPECT_EQ(resp->attempts, 4);
  EXPECT_EQ(calls, 4);
}

TEST_F(HttpClientTest, Honours429RetryAfterOnTheInjectedClock) {
  testing::FakeClock fake;
  int calls = 0;
  Router r;
  r.add("POST", "/limited", [&](ServerRequest) -> awaitable<ServerResponse> {
    if (++calls == 1) {
      auto resp = ServerResponse::json(429, "{\"ok\":false,\"error\":\"ratelimited\"}");
      resp.headers.emplace_back("Retry-After", "7");
      co_return resp;
    }
    co_return ServerResponse::json(200, "{\"ok\":true}");
  });
  start(std::move(r));
  auto c = make_curl_http_client(io_.get_executor(), fake);
  std::optional<Result<HttpResponse>> out;
  // A POST: 429 is retried even for non-idempotent requests (the server did not act on it).
  asio::co_spawn(io_, c->send(HttpRequest{.method = "POST", .url = url("/limited"), .body = "x"}),
                 [&](std::exception_ptr, const Result<HttpResponse>& r) { out = r; });
  ASSERT_TRUE(run_until(io_, [&] { return fake.sleepers() == 1; }));
  EXPECT_EQ(fake.next_wake_in(), std::chrono::seconds(7));
  EXPECT_EQ(calls, 1);
  fake.advance(6s);
  io_.poll();
  EXPECT_EQ(calls, 1) << "retried before Retry-After elapsed";
  fake.advance(1s);
  ASSERT_TRUE(run_until(io_, [&] { return out.has_value(); }));
  ASSERT_TRUE(*out);
  EXPECT_EQ((*out)->status, 200);
  EXPECT_EQ((*out)->attempts, 2);
  EXPECT_EQ(calls, 2);
}

TEST_F(HttpClientTest, RetryAfterAboveTheCapReturnsThe429) {
  Router r;
  r.add("GET", "/limited", [&](ServerRequest) -> awaitable<ServerResponse> {
    auto resp = ServerResponse::text(429, "slow down");
    resp.headers.emplace_back("Retry-After", "3600");
    co_return resp;
  });
  start(std::move(r));
  auto c = client(HttpClientSettings{.max_retry_after = 60s});
  auto resp = run_coro(io_, c->send(HttpRequest{.url = url("/limited")}));
  ASSERT_TRUE(resp);
  EXPECT_EQ(resp->status, 429);
  EXPECT_EQ(resp->attempts, 1);
}

TEST_F(HttpClientTest, ResponseAboveCapIsTooLarge) {
  Router r;
  r.add("GET", "/big", [](ServerRequest) -> awaitable<ServerResponse> {
    co_return ServerResponse::text(200, std::string(100000, 'a'));
  });
  start(std::move(r));
  auto c = client(HttpClientSettings{.max_response_bytes = 1000});
  auto resp = run_coro(io_, c->send(HttpRequest{.url = url("/big")}));
  ASSERT_FALSE(resp);
  EXPECT_EQ(resp.error().code, Errc::TooLarge);
}

TEST_F(HttpClientTest, ConnectionRefusedIsConnectFailed) {
  auto c = client();
  // Bind a port, learn it, close it: nothing listens there now.
  start(Router{});
  std::string dead = url("/");
  run_coro(io_, server_->stop());
  server_.reset();
  auto resp = run_coro(io_, c->send(HttpRequest{.url = dead, .max_attempts = 2}));
  ASSERT_FALSE(resp);
  EXPECT_EQ(resp.error().code, Errc::ConnectFailed) << resp.error().describe();
}

TEST_F(HttpClientTest, TlsFailsWithoutTheCaAndPassesWithIt) {
  auto certs = testing::make_test_certs();
  Router r;
  r.add("GET", "/secure", [](ServerRequest) -> awaitable<ServerResponse> { co_return ServerResponse::text(200, "tls ok"); });
  start(std::move(r), HttpServerSettings{.tls_cert_file = certs.server_cert, .tls_key_file = certs.server_key});

  auto untrusting = client();
  auto bad = run_coro(io_, untrusting->send(HttpRequest{.url = url("/secure", "https")}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::TlsError) << bad.error().describe();

  auto trusting = client(HttpClientSettings{.ca_file = certs.ca_cert});
  auto good = run_coro(io_, trusting->send(HttpRequest{.url = url("/secure", "https")}));
  ASSERT_TRUE(good) << good.error().describe();
  EXPECT_EQ(good->body, "tls ok");
}

}  // namespace
}  // namespace alertbot
