// The scenario that tests/node/sdk_scenario.js runs with the official Node SDK (ctest node_sdk),
// run here with alertbot's own client: slack::SocketModeClient and slack::WebApi over the curl
// HTTP client, against the in-process workspace emulator on 127.0.0.1. Connect (hello), receive
// an event and ack it, survive a refresh_requested disconnect, receive and ack a second event,
// post a reply in a thread and update it, and see the bot's own reply echoed back.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "slack/rate_limiter.hpp"
#include "slack/socket_mode_client.hpp"
#include "slack/web_api.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/fake_clock.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::slack {
namespace {

namespace json = boost::json;
using testing::run_coro;
using testing::run_until;

constexpr const char* kChannel = "C0SDKTEST";
constexpr const char* kHuman = "U0HUMAN01";

// An envelope as the handler saw it, with its inner event parsed.
struct Received {
  Envelope envelope;
  json::object event;
  std::string event_id;
};

class EmulatorScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws = fakes::SlackWorkspace::start(io_.get_executor(), clock_);
    ASSERT_TRUE(ws);
    workspace_ = std::move(*ws);
    settings_.api_url = workspace_->api_url();
    settings_.app_token = workspace_->settings().app_token;
    settings_.bot_token = workspace_->settings().bot_token;
    settings_.connections = 1;  // as the Node SDK: one socket per client
    api_ = make_web_api(*http_, limiter_, settings_);
  }
  void TearDown() override {
    if (client_) client_->stop();
    run_until(io_, [&] { return !running_; });
    run_coro(io_, workspace_->stop());
  }

  void start_client() {
    client_ = std::make_unique<SocketModeClient>(*api_, clock_, settings_, [this](const Envelope& env) -> awaitable<Result<std::optional<std::string>>> {
      Received r{env, {}, {}};
      auto payload = json::parse(env.payload_json).as_object();
      if (auto* id = payload.if_contains("event_id")) r.event_id = std::string(id->as_string());
      if (auto* ev = payload.if_contains("event")) r.event = ev->as_object();
      received_.push_back(std::move(r));
      co_return std::optional<std::string>();
    });
    running_ = true;
    asio::co_spawn(io_, client_->run(), [&](std::exception_ptr, const Result<void>&) { running_ = false; });
  }

  const Received* find_event(const std::string& ts, bool bot) const {
    for (const auto& r : received_) {
      auto* t = r.event.if_contains("ts");
      if (t && t->as_string() == ts && r.event.contains("bot_id") == bot && !r.event.contains("subtype")) return &r;
    }
    return nullptr;
  }

  std::optional<fakes::Delivery> delivery(const std::string& envelope_id) const {
    for (const auto& d : workspace_->deliveries()) {
      if (d.envelope_id == envelope_id) return d;
    }
    return std::nullopt;
  }

  // A person writes; the event arrives once and the emulator records its ack.
  std::string receive_and_ack(const std::string& text) {
    std::string ts = workspace_->post_user_message(kChannel, kHuman, text);
    EXPECT_TRUE(run_until(io_, [&] { return find_event(ts, false) != nullptr; })) << "no event for " << text;
    const Received* r = find_event(ts, false);
    if (!r) return ts;
    EXPECT_EQ(r->envelope.type, "events_api");
    EXPECT_EQ(r->envelope.retry_attempt, 0);
    EXPECT_EQ(r->event.at("type").as_string(), "message");
    EXPECT_EQ(r->event.at("channel").as_string(), kChannel);
    EXPECT_EQ(r->event.at("user").as_string(), kHuman);
    EXPECT_EQ(r->event.at("text").as_string(), text);
    std::string id = r->envelope.envelope_id;
    EXPECT_TRUE(run_until(io_, [&] { return delivery(id) && delivery(id)->acked; })) << "no ack for " << id;
    auto d = delivery(id);
    EXPECT_TRUE(d && d->attempts == 1 && d->event_id == r->event_id);
    return ts;
  }

  asio::io_context io_;
  testing::FakeClock clock_;  // the emulator's pings and redeliveries wait for it: none happen here
  std::unique_ptr<Clock> real_clock_ = make_system_clock();
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *real_clock_);
  RateLimiter limiter_{clock_};  // the few calls here fit in every bucket's burst: it never waits
  std::unique_ptr<fakes::SlackWorkspace> workspace_;
  SlackSettings settings_;
  std::unique_ptr<WebApi> api_;
  std::unique_ptr<SocketModeClient> client_;
  bool running_ = false;
  std::vector<Received> received_;
};

TEST_F(EmulatorScenarioTest, ConnectsAcksSurvivesRefreshPostsAndUpdatesInAThread) {
  // 1. Connect: the socket counts as open once hello arrived.
  start_client();
  ASSERT_TRUE(run_until(io_, [&] { return client_->open_sockets() == 1; }));
  EXPECT_EQ(workspace_->open_sockets(), 1);

  // 2. An event arrives and is acked.
  std::string parent_ts = receive_and_ack("first event from a person");

  // 3. refresh_requested: a fresh apps.connections.open URL and a new socket, opened while the old
  // one is still read; the emulator closes the old one 5 s later (on its clock), as Slack does.
  workspace_->send_disconnect("refresh_requested");
  ASSERT_TRUE(run_until(io_, [&] { return client_->connects() == 2 && workspace_->open_sockets() == 2; }));
  auto opens = workspace_->calls("apps.connections.open");
  ASSERT_EQ(opens.size(), 2u);
  EXPECT_TRUE(opens[0].ok && opens[1].ok);
  clock_.advance(std::chrono::seconds(5));
  ASSERT_TRUE(run_until(io_, [&] { return workspace_->open_sockets() == 1 && client_->open_sockets() == 1; }));
  receive_and_ack("second event, after the refresh");

  // 4. Web API: a reply in the thread, then an edit of it.
  auto me = run_coro(io_, api_->auth_test());
  ASSERT_TRUE(me) << me.error().describe();
  MessageContent first{"Investigating", R"([{"type":"section","text":{"type":"mrkdwn","text":"*Investigating* the alert"}}])"};
  auto posted = run_coro(io_, api_->post_message(kChannel, first, parent_ts));
  ASSERT_TRUE(posted) << posted.error().describe();
  EXPECT_EQ(posted->channel, kChannel);
  auto before = workspace_->message(kChannel, posted->ts);
  ASSERT_TRUE(before);
  EXPECT_NE(before->blocks_json.find("section"), std::string::npos) << "blocks were not kept";
  MessageContent done{"Done: deploy 42 did it", ""};
  auto updated = run_coro(io_, api_->update_message(kChannel, posted->ts, done));
  ASSERT_TRUE(updated) << updated.error().describe();
  EXPECT_EQ(updated->ts, posted->ts);
  auto thread = workspace_->thread(kChannel, parent_ts);
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[0].ts, parent_ts);
  EXPECT_EQ(thread[0].user, kHuman);
  EXPECT_EQ(thread[1].ts, posted->ts);
  EXPECT_EQ(thread[1].thread_ts, parent_ts);
  EXPECT_EQ(thread[1].text, "Done: deploy 42 did it");
  EXPECT_EQ(thread[1].edits, 1);
  EXPECT_EQ(thread[1].bot_id, me->bot_id);
  EXPECT_EQ(thread[1].user, me->user_id);
  EXPECT_EQ(thread[1].blocks_json, "") << "WebApi::update_message replaces the blocks (none given: none left)";

  // 5. The bot's own reply comes back as a message event; every delivery ends acked at once.
  ASSERT_TRUE(run_until(io_, [&] { return find_event(posted->ts, true) != nullptr; }));
  EXPECT_EQ(find_event(posted->ts, true)->event.at("thread_ts").as_string(), parent_ts);
  ASSERT_TRUE(run_until(io_, [&] {
    auto all = workspace_->deliveries();
    return all.size() >= 4 && std::all_of(all.begin(), all.end(), [](const fakes::Delivery& d) { return d.acked; });
  }));
  for (const auto& d : workspace_->deliveries()) EXPECT_EQ(d.attempts, 1) << d.envelope_id;
  EXPECT_EQ(client_->duplicates(), 0);
}

// The control API the Node scenario drives the emulator with: JSON in, JSON out, 400 with a reason.
TEST(EmulatorControlApi, DrivesTheWorkspaceAndRejectsBadInput) {
  asio::io_context io;
  testing::FakeClock clock;
  auto real_clock = make_system_clock();
  auto http = make_curl_http_client(io.get_executor(), *real_clock);
  fakes::SlackWorkspaceSettings settings;
  settings.control_api = true;
  auto ws = fakes::SlackWorkspace::start(io.get_executor(), clock, settings);
  ASSERT_TRUE(ws);
  std::string base = (*ws)->api_url().substr(0, (*ws)->api_url().size() - 4);  // ".../"
  auto call = [&](std::string method, const std::string& path, std::string body) {
    HttpRequest req{std::move(method), base + "_emulator/" + path, {{"Content-Type", "application/json"}}, std::move(body)};
    auto resp = run_coro(io, http->send(std::move(req)));
    EXPECT_TRUE(resp) << path;
    return resp ? std::make_pair(resp->status, json::parse(resp->body).as_object()) : std::make_pair(0, json::object{});
  };

  auto [status, posted] = call("POST", "messages", R"({"channel":"C0CTL","user":"U0HUMAN01","text":"hello"})");
  EXPECT_EQ(status, 200);
  std::string ts(posted.at("ts").as_string());
  EXPECT_EQ((*ws)->message("C0CTL", ts)->text, "hello");
  auto [reply_status, reply] = call("POST", "messages", R"({"channel":"C0CTL","user":"U0HUMAN01","text":"in thread","thread_ts":")" + ts + "\"}");
  EXPECT_EQ(reply_status, 200);
  auto [thread_status, thread] = call("GET", "thread?channel=C0CTL&ts=" + ts, "");
  EXPECT_EQ(thread_status, 200);
  ASSERT_EQ(thread.at("messages").as_array().size(), 2u);
  EXPECT_EQ(thread.at("messages").as_array()[1].at("text").as_string(), "in thread");
  auto [hook_status, hook] = call("POST", "webhook/C0ALERTS", R"({"username":"Alertmanager","text":"[FIRING:1] x"})");
  EXPECT_EQ(hook_status, 200);
  EXPECT_EQ((*ws)->message("C0ALERTS", std::string(hook.at("ts").as_string()))->subtype, "bot_message");
  EXPECT_EQ(call("POST", "rate_limit", R"({"method":"chat.postMessage","count":2,"retry_after":1})").first, 200);
  EXPECT_EQ(call("GET", "sockets", "").second.at("open").as_int64(), 0);
  auto [deliveries_status, deliveries] = call("GET", "deliveries", "");
  EXPECT_EQ(deliveries_status, 200);
  EXPECT_EQ(deliveries.at("deliveries").as_array().size(), 3u);
  EXPECT_FALSE(deliveries.at("deliveries").as_array()[0].at("acked").as_bool());

  auto expect_400 = [&](const std::string& path, std::string body, const std::string& reason) {
    auto [code, answer] = call("POST", path, std::move(body));
    EXPECT_EQ(code, 400) << path;
    EXPECT_FALSE(answer.at("ok").as_bool());
    EXPECT_EQ(answer.at("error").as_string(), reason) << path;
  };
  expect_400("messages", R"({"channel":"C0CTL","user":"U0HUMAN01"})", "text is required");
  expect_400("messages", "[1]", "body must be a JSON object");
  expect_400("messages", R"({"channel":"C0CTL","user":"U0HUMAN01","text":"x","thread_ts":"1.2"})", "thread_ts: no such message in C0CTL");
  expect_400("webhook/C0ALERTS", "{}", "no_text");
  expect_400("rate_limit", R"({"method":"chat.update","count":-1,"retry_after":1})", "count must be an integer in [0, 1000000]");
  expect_400("http_errors", R"({"method":"chat.update","count":1,"status":200})", "status must be an integer in [400, 599]");
  expect_400("duplicates", R"({"on":"yes"})", "on must be true or false");
  expect_400("disconnect", "{}", "reason is required");
  run_coro(io, (*ws)->stop());
}

}  // namespace
}  // namespace alertbot::slack
