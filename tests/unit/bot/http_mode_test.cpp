// HTTP mode end to end: the Slack workspace emulator POSTs signed events to the bot's own HTTP
// server (slack.mode: http), which stores them, answers 200 and investigates exactly as in Socket
// Mode. Also the Slack routes alone against a scripted handler, and the emulator's delivery
// (signing, Slack's retries) against a scripted app.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <deque>

#include "bot/app.hpp"
#include "bot/config.hpp"
#include "bot/http_mode.hpp"
#include "bot/report.hpp"
#include "net/form.hpp"
#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "slack/request_signature.hpp"
#include "store/store.hpp"
#include "tests/fakes/prometheus_fake.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/run_coro.hpp"
#include "tests/support/test_certs.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using testing::run_coro;
using testing::run_until;
using namespace std::chrono_literals;

constexpr const char* kChannel = "C0ALERTS";
constexpr const char* kSecret = "http-mode-signing-secret-4711";

// A port for the bot's server, chosen before anything starts. The emulator's request_url is fixed
// when it starts, and the bot's config needs the emulator's api_url before the bot exists, so one
// of the two ports has to be known first. The kernel picks it (port 0) and it is released at
// once; another process would have to grab that exact port in the moment before the bot binds it.
std::uint16_t pick_free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

HttpHeaders signed_headers(const std::string& secret, Clock::SystemTime now, const std::string& body,
                           const std::string& content_type = "application/json") {
  HttpHeaders h = slack::sign_request(secret, now, body);
  h.emplace_back("Content-Type", content_type);
  return h;
}

std::string event_callback(const std::string& event_id, const std::string& text) {
  json::object event{{"type", "message"}, {"subtype", "bot_message"}, {"bot_id", "B0WEBHOOK1"},
                     {"username", "Alertmanager"}, {"text", text}, {"ts", "1795578000.000100"},
                     {"channel", kChannel}};
  json::object body{{"type", "event_callback"}, {"event_id", event_id}, {"team_id", "T0EMULATE"},
                    {"event", std::move(event)}};
  return json::serialize(body);
}

// Sends one request and gives its response (any status), failing the test on a transport error.
HttpResponse send(asio::io_context& io, HttpClient& http, std::string url, std::string body, HttpHeaders headers,
                  std::string method = "POST") {
  HttpRequest req;
  req.method = std::move(method);
  req.url = std::move(url);
  req.body = std::move(body);
  req.headers = std::move(headers);
  req.max_attempts = 1;
  auto r = run_coro(io, http.send(std::move(req)));
  EXPECT_TRUE(r) << r.error().describe();
  return r ? *r : HttpResponse{};
}

// --- The bot in HTTP mode, end to end -----------------------------------------------------------

class HttpModeTest : public testing::BotHarness {
 protected:
  void SetUp() override {
    port_ = pick_free_port();
    fakes::SlackWorkspaceSettings ws;
    ws.bot_token = "xoxb-2222-http-bot-secret";
    ws.request_url = "http://127.0.0.1:" + std::to_string(port_) + "/slack/events";
    ws.signing_secret = kSecret;
    start_world(ws);
    config_.slack.mode = slack::SlackMode::Http;
    config_.slack.signing_secret = kSecret;
    config_.has_server = true;
    config_.server.listen = "127.0.0.1:" + std::to_string(port_);
  }

  // Starts the bot and waits until its HTTP server listens.
  void start_bot() {
    launch_app();
    ASSERT_TRUE(run_until(io_, [&] { return app_->http_port() != 0 || !running_; }));
    ASSERT_TRUE(running_) << (result_ && !*result_ ? result_->error().describe() : "");
    ASSERT_EQ(app_->http_port(), port_);
  }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  HttpResponse post(const std::string& path, const std::string& body, HttpHeaders headers) {
    return send(io_, *http_, url(path), body, std::move(headers));
  }

  std::optional<store::InboundEventRow> stored(const std::string& key) {
    auto e = run_coro(io_, seed().get_event(key));
    EXPECT_TRUE(e) << e.error().describe();
    return e ? *e : std::nullopt;
  }

  // Waits until the event's processing has written its outcome, and gives that row.
  store::InboundEventRow settled(const std::string& key) {
    std::optional<store::InboundEventRow> row;
    EXPECT_TRUE(run_until(io_, [&] {
      row = stored(key);
      return row && row->status != store::EventStatus::Received;
    })) << key;
    return row.value_or(store::InboundEventRow{});
  }

  std::string post_alert(const std::string& title) {
    json::object att{{"title", title}, {"title_link", "http://am.test:9093/#/alerts"}, {"text", ""}, {"color", "danger"}};
    json::object body{{"username", "Alertmanager"}, {"attachments", json::array{att}}};
    auto ts = ws_->post_webhook_message(kChannel, json::serialize(body));
    EXPECT_TRUE(ts);
    return ts ? *ts : "";
  }

  std::optional<fakes::Delivery> delivery_of(const std::string& alert_ts) {
    for (const auto& d : ws_->deliveries()) {
      if (d.payload_json.find(alert_ts) != std::string::npos && d.payload_json.find("bot_message") != std::string::npos) {
        return d;
      }
    }
    return std::nullopt;
  }

  std::uint16_t port_ = 0;
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), clock_);
};

TEST_F(HttpModeTest, SignedEventIsStoredAnsweredAndInvestigatedInTheThread) {
  start_bot();
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  // The emulator's signed POST was answered 2xx at the first attempt.
  auto d = delivery_of(alert_ts);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->acked);
  EXPECT_EQ(d->attempts, 1);
  auto row = settled(d->event_id);
  EXPECT_EQ(row.event.kind, "events_api");
  EXPECT_NE(row.event.payload.find(alert_ts), std::string::npos);
  EXPECT_EQ(row.status, store::EventStatus::Processed) << row.note;
  // Placeholder, then the report in place: the Web API path is Socket Mode's.
  auto thread = thread_of(kChannel, alert_ts);
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[1].bot_id, "B0ALERTBOT");
  EXPECT_EQ(thread[1].edits, 1);
  // No deploy is recorded here: the report shows the latency step and names no suspect.
  EXPECT_NE(thread[1].blocks_json.find("latency rose from 180 ms"), std::string::npos) << thread[1].blocks_json;
  EXPECT_NE(thread[1].blocks_json.find("No strong suspect"), std::string::npos) << thread[1].blocks_json;
  auto posts = ws_->calls("chat.postMessage");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_NE(posts[0].args.at("text").find("Investigating"), std::string::npos);
  EXPECT_EQ(posts[0].args.at("thread_ts"), alert_ts);
  EXPECT_EQ(ws_->calls("chat.update").size(), 1u);
  // The bot's own posts came back over HTTP too, and were answered like any event.
  EXPECT_TRUE(run_until(io_, [&] {
    auto all = ws_->deliveries();
    return all.size() >= 3 && std::all_of(all.begin(), all.end(), [](const fakes::Delivery& x) { return x.acked; });
  })) << "the alert, the placeholder and its update";
}

TEST_F(HttpModeTest, WrongSignatureGets401AndNothingIsStored) {
  testing::LogCapture logs;
  start_bot();
  const std::string body = event_callback("EvFORGED01", "[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  HttpHeaders forged = signed_headers("not-the-signing-secret", clock_.system_now(), body);
  const std::string signature(find_header(forged, slack::kSignatureHeader).value_or(""));
  EXPECT_EQ(post("/slack/events", body, forged).status, 401);
  // Correctly signed six minutes ago: a replay.
  EXPECT_EQ(post("/slack/events", body, signed_headers(kSecret, clock_.system_now() - 6min, body)).status, 401);
  // Signed, then altered.
  HttpHeaders good = signed_headers(kSecret, clock_.system_now(), body);
  EXPECT_EQ(post("/slack/events", body + " ", good).status, 401);
  EXPECT_EQ(post("/slack/events", body, {{"Content-Type", "application/json"}}).status, 401);
  EXPECT_EQ(post("/slack/commands", "command=%2Fx&trigger_id=1.2.3", forged).status, 401);
  EXPECT_EQ(post("/slack/interactive", "payload=%7B%7D", forged).status, 401);
  io_.poll();
  EXPECT_FALSE(stored("EvFORGED01"));
  EXPECT_FALSE(stored("1.2.3"));
  EXPECT_TRUE(ws_->calls("chat.postMessage").empty());
  bool logged = false;
  for (const auto& line : logs.lines()) {
    EXPECT_EQ(line.find(signature), std::string::npos) << line;
    EXPECT_EQ(line.find(signature.substr(3)), std::string::npos) << line;
    EXPECT_EQ(line.find("not-the-signing-secret"), std::string::npos) << line;
    EXPECT_EQ(line.find(kSecret), std::string::npos) << line;
    logged = logged || line.find("signature mismatch") != std::string::npos;
  }
  EXPECT_TRUE(logged) << "a refusal says why";
}

TEST_F(HttpModeTest, RedeliveryIsAnswered200AndNotProcessedTwice) {
  start_bot();
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  auto d = delivery_of(alert_ts);
  ASSERT_TRUE(d);
  // Slack sends the same event again (it did not see our answer in time), freshly signed.
  HttpHeaders headers = signed_headers(kSecret, clock_.system_now(), d->payload_json);
  headers.emplace_back("X-Slack-Retry-Num", "1");
  headers.emplace_back("X-Slack-Retry-Reason", "http_timeout");
  EXPECT_EQ(post("/slack/events", d->payload_json, headers).status, 200);
  io_.poll();
  EXPECT_EQ(settled(d->event_id).status, store::EventStatus::Processed);
  EXPECT_EQ(ws_->calls("chat.postMessage").size(), 1u) << "one placeholder";
  EXPECT_EQ(ws_->calls("chat.update").size(), 1u);
  EXPECT_EQ(thread_of(kChannel, alert_ts).size(), 2u);
  EXPECT_EQ(reports_.size(), 1u);
}

TEST_F(HttpModeTest, UrlVerificationGetsTheChallengeAndSslCheckA200) {
  start_bot();
  const std::string body = R"({"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWM","type":"url_verification"})";
  auto r = post("/slack/events", body, signed_headers(kSecret, clock_.system_now(), body));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWM");
  auto ssl = post("/slack/commands", "ssl_check=1&token=legacy", {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(ssl.status, 200);
  EXPECT_EQ(ssl.body, "");
}

TEST_F(HttpModeTest, SlashCommandsAndInteractionsAreStoredLikeSocketModeEnvelopes) {
  start_bot();
  const std::string form = "application/x-www-form-urlencoded";
  const std::string command = form_encode({{"command", "/alertbot"}, {"text", "status"}, {"channel_id", kChannel},
                                           {"user_id", "U0HUMAN"}, {"trigger_id", "111.222.cmd"}});
  auto answer = post("/slack/commands", command, signed_headers(kSecret, clock_.system_now(), command, form));
  EXPECT_EQ(answer.status, 200);
  EXPECT_NE(answer.body.find("\"response_type\":\"ephemeral\""), std::string::npos) << answer.body;  // the ack's answer
  const std::string action =
      form_encode({{"payload", R"({"type":"block_actions","trigger_id":"333.444.act","actions":[{"action_id":"ack"}]})"}});
  EXPECT_EQ(post("/slack/interactive", action, signed_headers(kSecret, clock_.system_now(), action, form)).status, 200);
  auto cmd_row = settled("111.222.cmd");
  EXPECT_EQ(cmd_row.event.kind, "slash_commands");
  EXPECT_EQ(json::parse(cmd_row.event.payload).at("text").as_string(), "status");
  EXPECT_EQ(cmd_row.status, store::EventStatus::Processed) << cmd_row.note;
  auto act_row = settled("333.444.act");
  EXPECT_EQ(act_row.event.kind, "interactive");
  EXPECT_EQ(json::parse(act_row.event.payload).at("type").as_string(), "block_actions");
}

TEST_F(HttpModeTest, SignedButMalformedRequestIsKeptAsRejectedAndNotRetried) {
  start_bot();
  const std::string body = R"({"type":"event_callback","event":{)";
  auto r = post("/slack/events", body, signed_headers(kSecret, clock_.system_now(), body));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("x-slack-no-retry").value_or(""), "1");
  EXPECT_NE(r.body.find("not JSON"), std::string::npos) << r.body;
  EXPECT_EQ(settled(slack::body_key(body)).status, store::EventStatus::Rejected);
}

TEST_F(HttpModeTest, HealthAndReadinessAreServedNextToTheSlackRoutes) {
  start_bot();
  EXPECT_EQ(send(io_, *http_, url("/healthz"), "", {}, "GET").status, 200);
  EXPECT_EQ(send(io_, *http_, url("/readyz"), "", {}, "GET").status, 200);
  EXPECT_EQ(app_->open_sockets(), 0) << "no Socket Mode in HTTP mode";
  EXPECT_TRUE(ws_->calls("apps.connections.open").empty());
}

TEST_F(HttpModeTest, StopEndsRunAndClosesTheServer) {
  start_bot();
  app_->stop();
  ASSERT_TRUE(run_until(io_, [&] { return !running_; }));
  ASSERT_TRUE(result_);
  EXPECT_TRUE(*result_);
  EXPECT_EQ(app_->http_port(), 0);
}

TEST_F(HttpModeTest, CreateRefusesHttpModeWithoutAServerOrASigningSecret) {
  Config no_server = config_;
  no_server.has_server = false;
  auto a = App::create(io_.get_executor(), no_server, clock_);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::InvalidArgument);
  EXPECT_NE(a.error().message.find("server"), std::string::npos) << a.error().message;
  Config no_secret = config_;
  no_secret.slack.signing_secret.clear();
  auto b = App::create(io_.get_executor(), no_secret, clock_);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::InvalidArgument);
  EXPECT_NE(b.error().message.find("signing_secret"), std::string::npos) << b.error().message;
}

// --- The Slack routes alone, with a scripted EnvelopeHandler -------------------------------------

class SlackHttpRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router router;
    add_slack_http_routes(router, HttpModeSettings{.signing_secret = kSecret}, clock_,
                          [this](const slack::Envelope& env) -> awaitable<Result<std::optional<std::string>>> {
                            seen_.push_back(env);
                            co_return answer_;
                          });
    HttpServerSettings hs;
    hs.listen = "127.0.0.1:0";
    auto server = start_http_server(io_.get_executor(), hs, std::move(router));
    ASSERT_TRUE(server);
    server_ = std::move(*server);
  }
  void TearDown() override { run_coro(io_, server_->stop()); }

  HttpResponse post(const std::string& path, const std::string& body, const std::string& content_type) {
    return send(io_, *http_, "http://127.0.0.1:" + std::to_string(server_->port()) + path, body,
                signed_headers(kSecret, clock_.system_now(), body, content_type));
  }

  asio::io_context io_;
  testing::FakeClock clock_;
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), clock_);
  std::unique_ptr<HttpServer> server_;
  std::vector<slack::Envelope> seen_;
  Result<std::optional<std::string>> answer_ = std::optional<std::string>();
};

TEST_F(SlackHttpRoutesTest, AStoreFailureIsA500SoSlackRetries) {
  answer_ = fail(Errc::Busy, "database is locked");
  const std::string body = event_callback("EvBUSY0001", "hello");
  auto r = post("/slack/events", body, "application/json");
  EXPECT_EQ(r.status, 500);
  EXPECT_FALSE(r.header("x-slack-no-retry")) << "Slack must retry";
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].dedupe_key, "EvBUSY0001");
}

TEST_F(SlackHttpRoutesTest, RetryHeadersReachTheHandler) {
  const std::string body = event_callback("EvRETRY001", "hello");
  HttpHeaders headers = signed_headers(kSecret, clock_.system_now(), body);
  headers.emplace_back("X-Slack-Retry-Num", "3");
  headers.emplace_back("X-Slack-Retry-Reason", "http_error");
  auto r = send(io_, *http_, "http://127.0.0.1:" + std::to_string(server_->port()) + "/slack/events", body, headers);
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].retry_attempt, 3);
  EXPECT_EQ(seen_[0].retry_reason, "http_error");
}

TEST_F(SlackHttpRoutesTest, ASlashCommandAnswerCarriesTheHandlersResponsePayload) {
  answer_ = std::optional<std::string>(R"({"response_type":"ephemeral","text":"Investigating"})");
  auto r = post("/slack/commands", "command=%2Falertbot&text=status&trigger_id=9.9.9", "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"response_type":"ephemeral","text":"Investigating"})");
  EXPECT_NE(r.header("content-type").value_or("").find("application/json"), std::string::npos);
  // Events take no response payload: the answer is an empty 200.
  auto e = post("/slack/events", event_callback("EvPAYLOAD1", "x"), "application/json");
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(e.body, "");
}

TEST_F(SlackHttpRoutesTest, UnsignedRequestsNeverReachTheHandler) {
  auto r = send(io_, *http_, "http://127.0.0.1:" + std::to_string(server_->port()) + "/slack/events",
                event_callback("EvNOSIG001", "x"), {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(seen_.empty());
}

// --- The emulator's HTTP delivery, against a scripted app ---------------------------------------

class WorkspaceHttpDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router router;
    router.add("POST", "/slack/events", [this](ServerRequest req) -> awaitable<ServerResponse> {
      requests_.push_back(req);
      if (hold_next_) {
        hold_next_ = false;
        co_await release_.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      if (answers_.empty()) co_return ServerResponse::text(200, "");
      ServerResponse r = answers_.front();
      answers_.pop_front();
      co_return r;
    });
    HttpServerSettings hs;
    hs.listen = "127.0.0.1:0";
    hs.shutdown_grace = 100ms;
    auto server = start_http_server(io_.get_executor(), hs, std::move(router));
    ASSERT_TRUE(server);
    server_ = std::move(*server);
    fakes::SlackWorkspaceSettings ws;
    ws.request_url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/slack/events";
    ws.signing_secret = kSecret;
    auto workspace = fakes::SlackWorkspace::start(io_.get_executor(), clock_, ws);
    ASSERT_TRUE(workspace);
    ws_ = std::move(*workspace);
  }
  void TearDown() override {
    release_.cancel();
    run_coro(io_, ws_->stop());
    run_coro(io_, server_->stop());
  }

  std::optional<std::string_view> header(std::size_t i, std::string_view name) const {
    return find_header(requests_.at(i).headers, name);
  }
  // Waits until the emulator sleeps before its next retry, `in` from now.
  bool retry_due_in(Clock::Duration in) {
    return run_until(io_, [&] { return clock_.sleepers() == 1 && clock_.next_wake_in() == in; });
  }

  asio::io_context io_;
  testing::FakeClock clock_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<fakes::SlackWorkspace> ws_;
  std::vector<ServerRequest> requests_;
  std::deque<ServerResponse> answers_;
  bool hold_next_ = false;
  asio::steady_timer release_{io_, asio::steady_timer::time_point::max()};
};

TEST_F(WorkspaceHttpDeliveryTest, EventsArePostedAsSignedJsonAndA200IsTheAck) {
  ws_->post_user_message(kChannel, "U0HUMAN", "hello");
  ASSERT_TRUE(run_until(io_, [&] { return !ws_->deliveries().empty() && ws_->deliveries()[0].acked; }));
  ASSERT_EQ(requests_.size(), 1u);
  const auto& req = requests_[0];
  EXPECT_EQ(header(0, "content-type").value_or(""), "application/json");
  EXPECT_EQ(slack::verify_signature(kSecret, req.headers, req.body, clock_), slack::SignatureVerdict::Valid);
  EXPECT_FALSE(header(0, "x-slack-retry-num"));
  auto payload = json::parse(req.body).as_object();
  EXPECT_EQ(payload.at("type").as_string(), "event_callback");
  EXPECT_EQ(payload.at("event_id").as_string(), ws_->deliveries()[0].event_id);
  EXPECT_EQ(payload.at("event").at("text").as_string(), "hello");
  EXPECT_EQ(ws_->deliveries()[0].attempts, 1);
}

TEST_F(WorkspaceHttpDeliveryTest, HttpErrorsAreRetriedWithSlacksHeadersAndSchedule) {
  answers_ = {ServerResponse::text(500, "boom"), ServerResponse::text(503, "busy")};
  ws_->post_user_message(kChannel, "U0HUMAN", "hello");
  ASSERT_TRUE(run_until(io_, [&] { return requests_.size() == 2; })) << "the first retry goes out at once";
  EXPECT_EQ(header(1, "x-slack-retry-num").value_or(""), "1");
  EXPECT_EQ(header(1, "x-slack-retry-reason").value_or(""), "http_error");
  ASSERT_TRUE(retry_due_in(1min)) << "the second after a minute";
  clock_.advance(1min);
  ASSERT_TRUE(run_until(io_, [&] { return !ws_->deliveries().empty() && ws_->deliveries()[0].acked; }));
  ASSERT_EQ(requests_.size(), 3u);
  EXPECT_EQ(header(2, "x-slack-retry-num").value_or(""), "2");
  EXPECT_EQ(requests_[0].body, requests_[2].body) << "the same event each time";
  // Each attempt is signed afresh, at its own time.
  EXPECT_EQ(slack::verify_signature(kSecret, requests_[2].headers, requests_[2].body, clock_), slack::SignatureVerdict::Valid);
  EXPECT_NE(header(0, "x-slack-request-timestamp"), header(2, "x-slack-request-timestamp"));
  EXPECT_EQ(ws_->deliveries()[0].attempts, 3);
}

TEST_F(WorkspaceHttpDeliveryTest, GivesUpAfterThreeRetries) {
  for (int i = 0; i < 4; ++i) answers_.push_back(ServerResponse::text(500, "down"));
  ws_->post_user_message(kChannel, "U0HUMAN", "hello");
  ASSERT_TRUE(run_until(io_, [&] { return requests_.size() == 2; }));
  ASSERT_TRUE(retry_due_in(1min));
  clock_.advance(1min);
  ASSERT_TRUE(run_until(io_, [&] { return requests_.size() == 3; }));
  ASSERT_TRUE(retry_due_in(5min));
  clock_.advance(5min);
  ASSERT_TRUE(run_until(io_, [&] { return requests_.size() == 4 && clock_.sleepers() == 0; }));
  EXPECT_EQ(header(3, "x-slack-retry-num").value_or(""), "3");
  clock_.advance(1h);
  io_.poll();
  EXPECT_EQ(requests_.size(), 4u);
  EXPECT_FALSE(ws_->deliveries()[0].acked);
  EXPECT_EQ(ws_->deliveries()[0].attempts, 4);
}

TEST_F(WorkspaceHttpDeliveryTest, NoRetryHeaderStopsTheRetries) {
  ServerResponse refuse = ServerResponse::text(400, "never");
  refuse.headers.emplace_back("X-Slack-No-Retry", "1");
  answers_ = {refuse};
  ws_->post_user_message(kChannel, "U0HUMAN", "hello");
  ASSERT_TRUE(run_until(io_, [&] { return requests_.size() == 1 && clock_.sleepers() == 0; }));
  clock_.advance(10min);
  io_.poll();
  EXPECT_EQ(requests_.size(), 1u);
  EXPECT_FALSE(ws_->deliveries()[0].acked);
}

TEST_F(WorkspaceHttpDeliveryTest, NoAnswerWithinThreeSecondsIsRetriedAsATimeout) {
  hold_next_ = true;
  ws_->post_user_message(kChannel, "U0HUMAN", "hello");
  ASSERT_TRUE(run_until(io_, [&] { return requests_.size() == 1 && clock_.next_wake_in() == 3s; }));
  clock_.advance(3s);
  ASSERT_TRUE(run_until(io_, [&] { return !ws_->deliveries().empty() && ws_->deliveries()[0].acked; }));
  ASSERT_EQ(requests_.size(), 2u);
  EXPECT_EQ(header(1, "x-slack-retry-num").value_or(""), "1");
  EXPECT_EQ(header(1, "x-slack-retry-reason").value_or(""), "http_timeout");
}

}  // namespace
}  // namespace alertbot::bot
