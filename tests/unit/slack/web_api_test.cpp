// The Web API client against the workspace emulator.
#include <gtest/gtest.h>

#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "slack/web_api.hpp"
#include "tests/fakes/slack_workspace.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::slack {
namespace {

using testing::run_coro;

class WebApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws = fakes::SlackWorkspace::start(io_.get_executor(), *clock_);
    ASSERT_TRUE(ws);
    workspace_ = std::move(*ws);
    settings_.api_url = workspace_->api_url();
    settings_.bot_token = workspace_->settings().bot_token;
    settings_.app_token = workspace_->settings().app_token;
  }
  void TearDown() override { run_coro(io_, workspace_->stop()); }

  asio::io_context io_;
  std::unique_ptr<Clock> clock_ = make_system_clock();
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *clock_);
  std::unique_ptr<fakes::SlackWorkspace> workspace_;
  SlackSettings settings_;
};

TEST_F(WebApiTest, AuthTestGivesTheBotIdentity) {
  auto api = make_web_api(*http_, settings_);
  auto id = run_coro(io_, api->auth_test());
  ASSERT_TRUE(id) << id.error().describe();
  EXPECT_EQ(id->user_id, "U0ALERTBOT");
  EXPECT_EQ(id->bot_id, "B0ALERTBOT");
  auto call = workspace_->calls("auth.test").at(0);
  EXPECT_EQ(call.token, settings_.bot_token);
}

TEST_F(WebApiTest, PostsInAThreadAndUpdatesInPlace) {
  auto api = make_web_api(*http_, settings_);
  std::string parent = workspace_->post_user_message("C0ALERTS", "U0HUMAN", "alert!");
  auto posted = run_coro(io_, api->post_message("C0ALERTS", MessageContent{"Investigating...", ""}, parent));
  ASSERT_TRUE(posted) << posted.error().describe();
  EXPECT_EQ(posted->channel, "C0ALERTS");
  std::string blocks = R"([{"type":"section","text":{"type":"mrkdwn","text":"*done*"}}])";
  auto updated = run_coro(io_, api->update_message("C0ALERTS", posted->ts, MessageContent{"done", blocks}));
  ASSERT_TRUE(updated) << updated.error().describe();
  auto thread = workspace_->thread("C0ALERTS", parent);
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[1].text, "done");
  EXPECT_EQ(thread[1].blocks_json, blocks);
  EXPECT_EQ(thread[1].edits, 1);
  EXPECT_EQ(workspace_->calls("chat.postMessage").at(0).args.at("thread_ts"), parent);
}

TEST_F(WebApiTest, SlackErrorsBecomeTypedErrors) {
  auto api = make_web_api(*http_, settings_);
  auto missing = run_coro(io_, api->update_message("C0ALERTS", "1.000001", MessageContent{"x", ""}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::ProtocolError);
  EXPECT_EQ(slack_error_code(missing.error()), "message_not_found");

  settings_.bot_token = "xoxb-revoked";
  auto bad = make_web_api(*http_, settings_);
  auto r = run_coro(io_, bad->auth_test());
  ASSERT_FALSE(r);
  EXPECT_EQ(slack_error_code(r.error()), "invalid_auth");
  EXPECT_TRUE(is_fatal_auth_error(slack_error_code(r.error())));
}

TEST_F(WebApiTest, OpensASocketUrlWithTheAppToken) {
  auto api = make_web_api(*http_, settings_);
  auto url = run_coro(io_, api->open_socket_url());
  ASSERT_TRUE(url);
  EXPECT_EQ(url->rfind("ws://127.0.0.1:", 0), 0u) << *url;
  EXPECT_EQ(workspace_->calls("apps.connections.open").at(0).token, settings_.app_token);
}

}  // namespace
}  // namespace alertbot::slack
