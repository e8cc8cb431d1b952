// The Web API client against the workspace emulator.
#include <gtest/gtest.h>

#include "net/clock.hpp"
#include "net/http_client.hpp"
#include "slack/rate_limiter.hpp"
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
  RateLimiter limiter_{*clock_};
};

TEST_F(WebApiTest, AuthTestGivesTheBotIdentity) {
  auto api = make_web_api(*http_, limiter_, settings_);
  auto id = run_coro(io_, api->auth_test());
  ASSERT_TRUE(id) << id.error().describe();
  EXPECT_EQ(id->user_id, "U0ALERTBOT");
  EXPECT_EQ(id->bot_id, "B0ALERTBOT");
  auto call = workspace_->calls("auth.test").at(0);
  EXPECT_EQ(call.token, settings_.bot_token);
}

TEST_F(WebApiTest, PostsInAThreadAndUpdatesInPlace) {
  auto api = make_web_api(*http_, limiter_, settings_);
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
  auto api = make_web_api(*http_, limiter_, settings_);
  auto missing = run_coro(io_, api->update_message("C0ALERTS", "1.000001", MessageContent{"x", ""}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::NotFound);
  EXPECT_EQ(slack_error_code(missing.error()), "message_not_found");

  settings_.bot_token = "xoxb-revoked";
  auto bad = make_web_api(*http_, limiter_, settings_);
  auto r = run_coro(io_, bad->auth_test());
  ASSERT_FALSE(r);
  EXPECT_EQ(slack_error_code(r.error()), "invalid_auth");
  EXPECT_TRUE(is_fatal_auth_error(slack_error_code(r.error())));
}

TEST_F(WebApiTest, OpensASocketUrlWithTheAppToken) {
  auto api = make_web_api(*http_, limiter_, settings_);
  auto url = run_coro(io_, api->open_socket_url());
  ASSERT_TRUE(url);
  EXPECT_EQ(url->rfind("ws://127.0.0.1:", 0), 0u) << *url;
  EXPECT_EQ(workspace_->calls("apps.connections.open").at(0).token, settings_.app_token);
}

}  // namespace
}  // namespace alertbot::slack

namespace alertbot::slack {
namespace {

TEST_F(WebApiTest, EphemeralPermalinkAndReactions) {
  auto api = make_web_api(*http_, limiter_, settings_);
  std::string parent = workspace_->post_user_message("C0ALERTS", "U0HUMAN", "alert!");
  auto eph = run_coro(io_, api->post_ephemeral("C0ALERTS", "U0HUMAN", MessageContent{"only you", ""}));
  ASSERT_TRUE(eph) << eph.error().describe();
  ASSERT_EQ(workspace_->ephemerals().size(), 1u);
  EXPECT_EQ(workspace_->ephemerals()[0].user, "U0HUMAN");
  EXPECT_TRUE(workspace_->channel_history("C0ALERTS").size() == 1) << "ephemerals are not in history";
  auto link = run_coro(io_, api->permalink("C0ALERTS", parent));
  ASSERT_TRUE(link);
  EXPECT_NE(link->find("/archives/C0ALERTS/p"), std::string::npos);
  ASSERT_TRUE(run_coro(io_, api->add_reaction("C0ALERTS", parent, "eyes")));
  ASSERT_TRUE(run_coro(io_, api->add_reaction("C0ALERTS", parent, "eyes"))) << "already_reacted is not an error";
  EXPECT_EQ(workspace_->message("C0ALERTS", parent)->reactions.at("eyes").size(), 1u);
  ASSERT_TRUE(run_coro(io_, api->remove_reaction("C0ALERTS", parent, "eyes")));
  EXPECT_TRUE(workspace_->message("C0ALERTS", parent)->reactions.empty());
  auto bad = run_coro(io_, api->add_reaction("C0ALERTS", "9.000000", "eyes"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::NotFound);
}

TEST_F(WebApiTest, HistoryRepliesAndInfo) {
  auto api = make_web_api(*http_, limiter_, settings_);
  std::string parent = workspace_->post_user_message("C0ALERTS", "U0HUMAN", "first");
  workspace_->post_user_message("C0ALERTS", "U0HUMAN", "in thread", parent);
  workspace_->post_user_message("C0ALERTS", "U0HUMAN", "second");
  auto hist = run_coro(io_, api->history("C0ALERTS", PageQuery{}));
  ASSERT_TRUE(hist);
  ASSERT_EQ(hist->messages.size(), 2u) << "thread replies are not in history";
  EXPECT_EQ(hist->messages[0].text, "second") << "newest first";
  auto thread = run_coro(io_, api->replies("C0ALERTS", parent, PageQuery{}));
  ASSERT_TRUE(thread);
  ASSERT_EQ(thread->messages.size(), 2u);
  EXPECT_EQ(thread->messages[1].thread_ts, parent);
  auto info = run_coro(io_, api->channel_info("C0ALERTS"));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->name, "c0alerts");
  auto user = run_coro(io_, api->user_info("U0ALERTBOT"));
  ASSERT_TRUE(user);
  EXPECT_TRUE(user->is_bot);
  EXPECT_EQ(run_coro(io_, api->channel_info("nope")).error().code, Errc::NotFound);
}

TEST_F(WebApiTest, UploadsAFileIntoAThread) {
  auto api = make_web_api(*http_, limiter_, settings_);
  std::string parent = workspace_->post_user_message("C0ALERTS", "U0HUMAN", "alert!");
  FileUpload f;
  f.channel = "C0ALERTS";
  f.thread_ts = parent;
  f.filename = "latency.png";
  f.title = "p99 latency";
  f.alt_text = "latency rose at 10:42";
  f.content_type = "image/png";
  f.bytes = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(5000, 'x');
  auto id = run_coro(io_, api->upload_file(f));
  ASSERT_TRUE(id) << id.error().describe();
  auto files = workspace_->files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].id, *id);
  EXPECT_TRUE(files[0].completed);
  EXPECT_EQ(files[0].bytes, f.bytes);
  EXPECT_EQ(files[0].title, "p99 latency");
  auto thread = workspace_->thread("C0ALERTS", parent);
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_EQ(thread[1].subtype, "file_share");
  EXPECT_EQ(thread[1].file_ids, std::vector<std::string>{*id});
}

TEST_F(WebApiTest, ViewsAndAssistantStatus) {
  auto api = make_web_api(*http_, limiter_, settings_);
  ASSERT_TRUE(run_coro(io_, api->publish_view("U0HUMAN", R"({"type":"home","blocks":[]})")));
  EXPECT_NE(workspace_->home_view("U0HUMAN").find("home"), std::string::npos);
  auto view = run_coro(io_, api->open_view("1.2.trigger", R"({"type":"modal","title":{"type":"plain_text","text":"Wrong cause"},"blocks":[]})"));
  ASSERT_TRUE(view);
  EXPECT_FALSE(view->empty());
  std::string parent = workspace_->post_user_message("C0ALERTS", "U0HUMAN", "why?");
  ASSERT_TRUE(run_coro(io_, api->set_thread_status("C0ALERTS", parent, "is checking traces...")));
  EXPECT_EQ(workspace_->thread_status("C0ALERTS", parent), "is checking traces...");
}

TEST_F(WebApiTest, StreamsAReplyAndRefusesUpdatesWhileStreaming) {
  auto api = make_web_api(*http_, limiter_, settings_);
  std::string parent = workspace_->post_user_message("C0ALERTS", "U0HUMAN", "alert!");
  StreamStart s{"C0ALERTS", parent, "U0HUMAN", "T0EMULATE", "Looking at "};
  auto started = run_coro(io_, api->start_stream(s));
  ASSERT_TRUE(started) << started.error().describe();
  ASSERT_TRUE(run_coro(io_, api->append_stream("C0ALERTS", started->ts, "the deploy")));
  auto conflict = run_coro(io_, api->update_message("C0ALERTS", started->ts, MessageContent{"x", ""}));
  ASSERT_FALSE(conflict);
  EXPECT_EQ(slack_error_code(conflict.error()), "streaming_state_conflict");
  ASSERT_TRUE(run_coro(io_, api->stop_stream("C0ALERTS", started->ts, ".", "")));
  auto m = workspace_->message("C0ALERTS", started->ts);
  EXPECT_EQ(m->text, "Looking at the deploy.");
  EXPECT_EQ(m->streaming_state, "completed");
  StreamStart no_recipient{"C0ALERTS", parent, "", "", "x"};
  auto refused = run_coro(io_, api->start_stream(no_recipient));
  ASSERT_FALSE(refused);
  EXPECT_EQ(slack_error_code(refused.error()), "missing_recipient_user_id");
}

TEST_F(WebApiTest, ServerErrorsAreRetriedForUpdatesButNotForPosts) {
  auto api = make_web_api(*http_, limiter_, settings_);
  std::string parent = workspace_->post_user_message("C0ALERTS", "U0HUMAN", "alert!");
  auto posted = run_coro(io_, api->post_message("C0ALERTS", MessageContent{"v1", ""}, parent));
  ASSERT_TRUE(posted);
  workspace_->inject_http_errors("chat.update", 1, 503);
  auto updated = run_coro(io_, api->update_message("C0ALERTS", posted->ts, MessageContent{"v2", ""}));
  ASSERT_TRUE(updated) << updated.error().describe();
  EXPECT_EQ(workspace_->calls("chat.update").size(), 2u);
  workspace_->inject_http_errors("chat.postMessage", 1, 500);
  auto again = run_coro(io_, api->post_message("C0ALERTS", MessageContent{"v3", ""}, parent));
  ASSERT_FALSE(again) << "a post is not repeated after a 5xx: it may have gone through";
  EXPECT_EQ(again.error().code, Errc::Unavailable);
  EXPECT_EQ(workspace_->calls("chat.postMessage").size(), 2u);
}

}  // namespace
}  // namespace alertbot::slack
