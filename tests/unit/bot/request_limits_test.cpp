// Size limits on what reaches the running bot from outside: a request body over the bot's HTTP
// server limit (1 MiB) gets 413, stores nothing and leaves the server serving; a Socket Mode
// frame over the websocket limit (4 MiB) ends that socket, and the bot opens a new one and keeps
// answering.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "net/http_client.hpp"
#include "net/http_server.hpp"
#include "net/websocket.hpp"
#include "store/store.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using testing::run_coro;
using testing::run_until;
using namespace std::chrono_literals;

constexpr const char* kToken = "hook-secret-token";

class RequestLimitsTest : public testing::BotHarness {
 protected:
  void SetUp() override {
    fakes::SlackWorkspaceSettings ws;
    ws.bot_token = "xoxb-1111-test-bot-secret";
    ws.app_token = "xapp-1-test-app-secret";
    start_world(ws);
    config_.slack.app_token = ws.app_token;
    config_.slack.connections = 1;
    config_.has_server = true;
    config_.server.listen = "127.0.0.1:0";
    config_.has_hooks = true;
    config_.hooks.token = kToken;
    config_.hooks.channel = "C0HOOKS";
    launch_app();
    ASSERT_TRUE(run_until(io_, [&] { return (app_->open_sockets() == 1 && app_->http_port() > 0) || !running_; }));
    ASSERT_TRUE(running_);
    http_ = make_curl_http_client(io_.get_executor(), clock_);
  }

  Result<HttpResponse> send(const std::string& method, const std::string& path, std::string body) {
    HttpRequest req;
    req.method = method;
    req.url = "http://127.0.0.1:" + std::to_string(app_->http_port()) + path;
    req.headers = {{"Content-Type", "application/json"}, {"Authorization", std::string("Bearer ") + kToken}};
    req.body = std::move(body);
    return run_coro(io_, http_->send(std::move(req)));
  }

  std::size_t stored_events() {
    std::size_t n = 0;
    for (auto status : {store::EventStatus::Received, store::EventStatus::Processed, store::EventStatus::Rejected,
                        store::EventStatus::Ignored}) {
      auto events = run_coro(io_, seed().list_events(status, clock_.system_now() + 1h, 100));
      EXPECT_TRUE(events);
      if (events) n += events->size();
    }
    return n;
  }

  std::unique_ptr<HttpClient> http_;
};

TEST_F(RequestLimitsTest, AHookBodyOverTheLimitGets413StoresNothingAndTheBotKeepsServing) {
  ASSERT_EQ(HttpServerSettings{}.body_limit, 1024u * 1024u) << "the limit the bot's server runs with";
  json::object alert{{"name", "QueueBacklog"}, {"service", "checkout"}, {"severity", "warning"},
                     {"description", std::string(2 * 1024 * 1024, 'x')}};
  auto big = send("POST", "/hooks/generic", json::serialize(alert));
  ASSERT_TRUE(big) << big.error().describe();
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(stored_events(), 0u);
  // Just under the limit is read (and then judged on its content), not refused for its size.
  alert["description"] = std::string(900 * 1024, 'x');
  auto under = send("POST", "/hooks/generic", json::serialize(alert));
  ASSERT_TRUE(under) << under.error().describe();
  EXPECT_NE(under->status, 413);
  // The same limit holds on every route of the server, and the server still answers.
  auto metrics = send("POST", "/healthz", std::string(2 * 1024 * 1024, 'x'));
  ASSERT_TRUE(metrics) << metrics.error().describe();
  EXPECT_EQ(metrics->status, 413);
  auto health = send("GET", "/healthz", "");
  ASSERT_TRUE(health) << health.error().describe();
  EXPECT_EQ(health->status, 200);
  json::object small{{"name", "QueueBacklog"}, {"service", "checkout"}, {"severity", "warning"}, {"fingerprint", "q1"}};
  auto ok = send("POST", "/hooks/generic", json::serialize(small));
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_EQ(ok->status, 200);
}

TEST_F(RequestLimitsTest, ASocketModeFrameOverTheLimitEndsThatSocketAndTheBotReconnects) {
  ASSERT_EQ(WebSocketClientSettings{}.max_message_bytes, 4u * 1024u * 1024u) << "the limit Socket Mode reads with";
  ASSERT_EQ(ws_->calls("apps.connections.open").size(), 1u);
  // A message event whose envelope is over 4 MiB.
  ws_->post_user_message(testing::kHarnessChannel, "U0HUMAN", std::string(5 * 1024 * 1024, 'y'));
  // Replaced at once (the fake clock stands still: no backoff, and no redelivery of the big one).
  ASSERT_TRUE(run_until(io_, [&] { return ws_->calls("apps.connections.open").size() == 2 && app_->open_sockets() == 1; }));
  EXPECT_TRUE(running_);
  // The new socket carries the next envelope: a slash command is answered in its ack.
  ws_->run_slash_command(testing::kHarnessChannel, "U0HUMAN", "/alertbot", "help");
  ASSERT_TRUE(run_until(io_, [&] {
    for (const auto& d : ws_->deliveries()) {
      if (d.type == "slash_commands" && d.acked) return true;
    }
    return false;
  }));
}

}  // namespace
}  // namespace alertbot::bot
