// The Socket Mode client against the workspace emulator over a real websocket on 127.0.0.1.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <map>

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

using testing::run_coro;
using testing::run_until;
using namespace std::chrono_literals;

class SocketModeClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws = fakes::SlackWorkspace::start(io_.get_executor(), clock_);
    ASSERT_TRUE(ws);
    workspace_ = std::move(*ws);
    settings_.api_url = workspace_->api_url();
    settings_.app_token = workspace_->settings().app_token;
    settings_.bot_token = workspace_->settings().bot_token;
    settings_.connections = 1;
  }
  void TearDown() override {
    if (client_) client_->stop();
    run_until(io_, [&] { return !running_; });
    run_coro(io_, workspace_->stop());
  }
  void start_client(EnvelopeHandler handler) {
    api_ = make_web_api(*http_, limiter_, settings_);
    SocketModeTimings t;
    t.backoff_base = 10ms;
    t.backoff_max = 10ms;
    client_ = std::make_unique<SocketModeClient>(*api_, clock_, settings_, std::move(handler), t);
    running_ = true;
    asio::co_spawn(io_, client_->run(), [&](std::exception_ptr, const Result<void>& r) {
      running_ = false;
      result_ = r;
    });
    ASSERT_TRUE(run_until(io_, [&] { return client_->open_sockets() == settings_.connections; }));
  }

  asio::io_context io_;
  testing::FakeClock clock_;
  std::unique_ptr<Clock> real_clock_ = make_system_clock();
  std::unique_ptr<HttpClient> http_ = make_curl_http_client(io_.get_executor(), *real_clock_);
  std::unique_ptr<fakes::SlackWorkspace> workspace_;
  SlackSettings settings_;
  RateLimiter limiter_{clock_};
  std::unique_ptr<WebApi> api_;
  std::unique_ptr<SocketModeClient> client_;
  bool running_ = false;
  std::optional<Result<void>> result_;
};

TEST_F(SocketModeClientTest, AcksOnlyAfterTheHandlerPersisted) {
  std::vector<std::string> seen_acked_state;
  start_client([&](const Envelope& env) -> awaitable<Result<std::optional<std::string>>> {
    // While the handler runs the emulator must not have the ack yet.
    for (const auto& d : workspace_->deliveries()) {
      if (d.envelope_id == env.envelope_id) seen_acked_state.emplace_back(d.acked ? "acked" : "pending");
    }
    co_return std::optional<std::string>();
  });
  workspace_->post_user_message("C0ALERTS", "U0HUMAN", "hello bot");
  ASSERT_TRUE(run_until(io_, [&] { return client_->acks() == 1; }));
  ASSERT_TRUE(run_until(io_, [&] { return !workspace_->deliveries().empty() && workspace_->deliveries()[0].acked; }));
  EXPECT_EQ(seen_acked_state, std::vector<std::string>{"pending"});
  auto d = workspace_->deliveries()[0];
  EXPECT_EQ(d.attempts, 1);
  auto ack = boost::json::parse(d.ack_frame).as_object();
  EXPECT_EQ(ack.at("envelope_id").as_string(), d.envelope_id);
  EXPECT_FALSE(ack.contains("payload"));
}

TEST_F(SocketModeClientTest, UnpersistedEnvelopeIsLeftForRedelivery) {
  int calls = 0;
  start_client([&](const Envelope& env) -> awaitable<Result<std::optional<std::string>>> {
    ++calls;
    if (calls == 1) co_return fail(Errc::Busy, "database locked");
    EXPECT_EQ(env.retry_attempt, 1);
    EXPECT_EQ(env.retry_reason, "timeout");
    co_return std::optional<std::string>();
  });
  workspace_->post_user_message("C0ALERTS", "U0HUMAN", "first try fails");
  ASSERT_TRUE(run_until(io_, [&] { return calls == 1 && clock_.sleepers() > 0; }));
  EXPECT_FALSE(workspace_->deliveries()[0].acked);
  clock_.advance(3s);  // the emulator redelivers after 3 s without an ack
  ASSERT_TRUE(run_until(io_, [&] { return workspace_->deliveries()[0].acked; }));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(workspace_->deliveries()[0].attempts, 2);
}

TEST_F(SocketModeClientTest, RedeliveryOnAnotherSocketIsAckedButHandledOnce) {
  settings_.connections = 2;
  int calls = 0;
  bool release = false;
  start_client([&](const Envelope&) -> awaitable<Result<std::optional<std::string>>> {
    ++calls;
    // Slow persistence: the emulator's 3 s redelivery fires while this one is still running.
    while (!release) {
      asio::steady_timer t(co_await asio::this_coro::executor, 1ms);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return std::optional<std::string>();
  });
  workspace_->post_user_message("C0ALERTS", "U0HUMAN", "slow");
  ASSERT_TRUE(run_until(io_, [&] { return calls == 1 && clock_.sleepers() > 0; }));
  clock_.advance(3s);
  ASSERT_TRUE(run_until(io_, [&] { return client_->duplicates() == 1; }));
  release = true;
  ASSERT_TRUE(run_until(io_, [&] { return client_->acks() == 2; }));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(workspace_->deliveries()[0].attempts, 2);
}

TEST_F(SocketModeClientTest, RedeliveryWhileTheFirstSaveFailsIsNotAckedUntilSaved) {
  settings_.connections = 2;
  int calls = 0;
  bool release = false;
  start_client([&](const Envelope&) -> awaitable<Result<std::optional<std::string>>> {
    int call = ++calls;
    while (call == 1 && !release) {
      asio::steady_timer t(co_await asio::this_coro::executor, 1ms);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (call == 1) co_return fail(Errc::Busy, "database locked");
    co_return std::optional<std::string>();
  });
  workspace_->post_user_message("C0ALERTS", "U0HUMAN", "slow then failing");
  ASSERT_TRUE(run_until(io_, [&] { return calls == 1 && clock_.sleepers() > 0; }));
  clock_.advance(3s);  // redelivered to the other socket while the first save is still running
  ASSERT_TRUE(run_until(io_, [&] { return client_->duplicates() == 1; }));
  io_.poll();
  EXPECT_FALSE(workspace_->deliveries()[0].acked) << "nothing was saved yet: no ack";
  release = true;
  ASSERT_TRUE(run_until(io_, [&] { return workspace_->deliveries()[0].acked; }));
  EXPECT_EQ(calls, 2) << "the waiting redelivery saved it after the first attempt failed";
}

TEST_F(SocketModeClientTest, TheSameEventOnTwoSocketsIsHandledOnceAndAckedTwice) {
  settings_.connections = 2;
  std::map<std::string, int> calls;
  start_client([&](const Envelope& env) -> awaitable<Result<std::optional<std::string>>> {
    ++calls[env.dedupe_key];
    co_return std::optional<std::string>();
  });
  workspace_->set_duplicate_deliveries(true);
  for (int i = 0; i < 20; ++i) workspace_->post_user_message("C0ALERTS", "U0HUMAN", "twice " + std::to_string(i));
  ASSERT_TRUE(run_until(io_, [&] { return client_->acks() == 40; }));
  EXPECT_EQ(calls.size(), 20u);
  for (const auto& [id, n] : calls) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(client_->duplicates(), 20);
}

TEST_F(SocketModeClientTest, AckCarriesTheResponsePayload) {
  start_client([&](const Envelope&) -> awaitable<Result<std::optional<std::string>>> {
    co_return std::optional<std::string>("{\"text\":\"on it\"}");
  });
  workspace_->post_user_message("C0ALERTS", "U0HUMAN", "x");
  ASSERT_TRUE(run_until(io_, [&] { return !workspace_->deliveries().empty() && workspace_->deliveries()[0].acked; }));
  auto ack = boost::json::parse(workspace_->deliveries()[0].ack_frame).as_object();
  EXPECT_EQ(ack.at("payload").at("text").as_string(), "on it");
}

TEST_F(SocketModeClientTest, RefreshOpensTheReplacementBeforeTheOldSocketCloses) {
  start_client([&](const Envelope&) -> awaitable<Result<std::optional<std::string>>> { co_return std::nullopt; });
  EXPECT_EQ(client_->connects(), 1);
  workspace_->send_disconnect("refresh_requested");
  // The replacement is up while the refreshed socket is still open and read.
  ASSERT_TRUE(run_until(io_, [&] { return client_->connects() == 2 && workspace_->open_sockets() == 2; }));
  EXPECT_EQ(client_->open_sockets(), 2);
  workspace_->post_user_message("C0ALERTS", "U0HUMAN", "during the overlap");
  ASSERT_TRUE(run_until(io_, [&] { return client_->acks() == 1; }));
  clock_.advance(5s);  // Slack closes the refreshed socket
  ASSERT_TRUE(run_until(io_, [&] { return client_->open_sockets() == 1 && workspace_->open_sockets() == 1; }));
  workspace_->post_user_message("C0ALERTS", "U0HUMAN", "after refresh");
  ASSERT_TRUE(run_until(io_, [&] { return client_->acks() == 2; }));
  EXPECT_EQ(workspace_->calls("apps.connections.open").size(), 2u);
  for (const auto& d : workspace_->deliveries()) EXPECT_EQ(d.attempts, 1) << "nothing was lost in the switch";
}

TEST_F(SocketModeClientTest, AWarningLeadsToAReplacementAndTheOldSocketIsDrained) {
  start_client([&](const Envelope&) -> awaitable<Result<std::optional<std::string>>> { co_return std::nullopt; });
  workspace_->send_disconnect("warning");
  ASSERT_TRUE(run_until(io_, [&] { return client_->connects() == 2; }));
  clock_.advance(10s);  // Slack then sends refresh_requested on the old socket (ignored: replaced)
  clock_.advance(5s);   // and closes it
  ASSERT_TRUE(run_until(io_, [&] { return workspace_->open_sockets() == 1 && client_->open_sockets() == 1; }));
  EXPECT_EQ(client_->connects(), 2) << "the second disconnect on a replaced socket opens nothing more";
}

TEST_F(SocketModeClientTest, ADroppedSocketIsReplacedAtOnce) {
  start_client([&](const Envelope&) -> awaitable<Result<std::optional<std::string>>> { co_return std::nullopt; });
  workspace_->drop_sockets();
  ASSERT_TRUE(run_until(io_, [&] { return client_->connects() == 2 && client_->open_sockets() == 1; }));
  workspace_->post_user_message("C0ALERTS", "U0HUMAN", "after the drop");
  ASSERT_TRUE(run_until(io_, [&] { return client_->acks() == 1; }));
}

TEST_F(SocketModeClientTest, ASilentSocketIsFoundStaleAndReplaced) {
  SocketModeTimings t;
  t.backoff_base = 10ms;
  t.backoff_max = 10ms;
  t.idle_timeout = 600ms;  // real time: Beast pings at half of it and gives up at all of it
  api_ = make_web_api(*http_, limiter_, settings_);
  int handled = 0;
  client_ = std::make_unique<SocketModeClient>(*api_, clock_, settings_,
                                               [&](const Envelope&) -> awaitable<Result<std::optional<std::string>>> {
                                                 ++handled;
                                                 co_return std::nullopt;
                                               },
                                               t);
  running_ = true;
  asio::co_spawn(io_, client_->run(), [&](std::exception_ptr, const Result<void>& r) {
    running_ = false;
    result_ = r;
  });
  ASSERT_TRUE(run_until(io_, [&] { return client_->open_sockets() == 1; }));
  workspace_->freeze_sockets();
  workspace_->post_user_message("C0ALERTS", "U0HUMAN", "the last frame the frozen socket reads");
  ASSERT_TRUE(run_until(io_, [&] { return handled == 1; }));
  // No pong comes back and nothing else arrives: the client gives the socket up and reconnects.
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until(io_, [&] { return client_->connects() == 2 && client_->open_sockets() == 1; }, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << "a stale socket must be found within seconds";
  // Slack does not know the old socket is dead: an event sent there comes back 3 s later.
  workspace_->post_user_message("C0ALERTS", "U0HUMAN", "after the switch");
  for (int i = 0; i < 4 && handled < 2; ++i) {
    run_until(io_, [&] { return handled == 2; }, 500ms);
    if (handled < 2) clock_.advance(3s);
  }
  EXPECT_EQ(handled, 2);
}

TEST_F(SocketModeClientTest, LinkDisabledBacksOffInsteadOfLooping) {
  start_client([&](const Envelope&) -> awaitable<Result<std::optional<std::string>>> { co_return std::nullopt; });
  workspace_->send_disconnect("link_disabled");
  // The only sleeper left is the client's back-off (the workspace has no socket to ping).
  ASSERT_TRUE(run_until(io_, [&] { return client_->open_sockets() == 0 && workspace_->open_sockets() == 0 && clock_.sleepers() == 1; }));
  EXPECT_EQ(clock_.next_wake_in(), std::chrono::minutes(5));
  clock_.advance(std::chrono::minutes(5) - 1s);
  io_.poll();
  EXPECT_EQ(workspace_->calls("apps.connections.open").size(), 1u) << "no hot loop while Socket Mode is off";
  clock_.advance(1s);
  ASSERT_TRUE(run_until(io_, [&] { return client_->connects() == 2; }));
}

TEST_F(SocketModeClientTest, RefusedAppTokenEndsRunWithTheError) {
  settings_.app_token = "xapp-wrong";
  api_ = make_web_api(*http_, limiter_, settings_);
  client_ = std::make_unique<SocketModeClient>(*api_, clock_, settings_,
                                               [](const Envelope&) -> awaitable<Result<std::optional<std::string>>> { co_return std::nullopt; });
  auto r = run_coro(io_, client_->run());
  ASSERT_FALSE(r);
  EXPECT_EQ(slack_error_code(r.error()), "invalid_auth");
}

}  // namespace
}  // namespace alertbot::slack

namespace alertbot::slack {
namespace {

TEST_F(SocketModeClientTest, SlashCommandsAndButtonsArriveAsTheirEnvelopesAndAcksCarryAnswers) {
  std::vector<Envelope> seen;
  start_client([&](const Envelope& env) -> awaitable<Result<std::optional<std::string>>> {
    seen.push_back(env);
    if (env.type == "slash_commands") co_return std::optional<std::string>(R"({"response_type":"ephemeral","text":"On it"})");
    co_return std::optional<std::string>();
  });
  std::string trigger = workspace_->run_slash_command("C0ALERTS", "U0HUMAN", "/investigate", "checkout 1h");
  ASSERT_TRUE(run_until(io_, [&] { return client_->acks() == 1; }));
  std::string parent = workspace_->post_user_message("C0ALERTS", "U0HUMAN", "alert");
  workspace_->click_button("C0ALERTS", parent, "U0HUMAN", "helpful", "inv-7");
  ASSERT_TRUE(run_until(io_, [&] { return client_->acks() == 3; }));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].type, "slash_commands");
  EXPECT_TRUE(seen[0].accepts_response_payload);
  auto cmd = boost::json::parse(seen[0].payload_json).as_object();
  EXPECT_EQ(cmd.at("command").as_string(), "/investigate");
  EXPECT_EQ(cmd.at("text").as_string(), "checkout 1h");
  EXPECT_EQ(cmd.at("trigger_id").as_string(), trigger);
  EXPECT_EQ(seen[2].type, "interactive");
  auto click = boost::json::parse(seen[2].payload_json).as_object();
  EXPECT_EQ(click.at("actions").at(0).at("action_id").as_string(), "helpful");
  EXPECT_EQ(click.at("container").at("message_ts").as_string(), parent);
  auto ack = boost::json::parse(workspace_->deliveries()[0].ack_frame).as_object();
  EXPECT_EQ(ack.at("payload").at("text").as_string(), "On it");
}

}  // namespace
}  // namespace alertbot::slack
