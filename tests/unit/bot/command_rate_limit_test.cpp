// commands.rate_limit end to end on the Slack workspace emulator: the 11th /investigate from one
// user within a minute is refused in the command's ack with the time to retry and starts nothing;
// another user is not refused; after the window the first user may run again. Mentions that
// start an investigation and the report's Re-run button get the same limit, answered with an
// ephemeral message; help and status are not counted.
#include <gtest/gtest.h>

#include <algorithm>

#include "bot/commands.hpp"
#include "bot/config.hpp"
#include "store/store.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::bot {
namespace {

using testing::run_coro;
using testing::run_until;
using namespace std::chrono_literals;

constexpr const char* kChannel = testing::kHarnessChannel;

class CommandRateLimitTest : public testing::SocketBotHarness {
 protected:
  // What the bot answered in the acks of slash commands, in order.
  std::vector<std::string> command_acks() {
    std::vector<std::string> out;
    for (const auto& d : ws_->deliveries()) {
      if (d.type == "slash_commands" && d.acked) out.push_back(d.ack_frame);
    }
    return out;
  }
  // Runs one slash command and returns its ack.
  std::string run_command(const std::string& user, const std::string& command, const std::string& text) {
    const std::size_t before = command_acks().size();
    ws_->run_slash_command(kChannel, user, command, text);
    EXPECT_TRUE(run_until(io_, [&] { return command_acks().size() == before + 1; }));
    auto acks = command_acks();
    return acks.size() > before ? acks.back() : std::string();
  }
  // Ephemeral messages the bot showed `user` (chat.postEphemeral), in order.
  std::vector<std::string> ephemerals(const std::string& user) {
    std::vector<std::string> out;
    for (const auto& c : ws_->calls("chat.postEphemeral")) {
      if (c.args.count("user") && c.args.at("user") == user) out.push_back(c.args.at("text"));
    }
    return out;
  }
  // Moves the fake clock on until every stored event is processed (the bot's Slack calls are
  // paced on that clock), so that the bot can stop without work in flight.
  void settle_events() {
    EXPECT_TRUE(run_until(io_, [&] {
      clock_.advance(200ms);
      auto left = run_coro(io_, seed().list_events(store::EventStatus::Received, clock_.system_now() + 1h, 10));
      return left && left->empty();
    }, 60s));
  }
  // Investigations stored as asked by `user`.
  std::size_t investigations_by(const std::string& user) {
    auto recent = run_coro(io_, seed().recent_investigations(100));
    EXPECT_TRUE(recent);
    if (!recent) return 0;
    return static_cast<std::size_t>(
        std::count_if(recent->begin(), recent->end(), [&](const store::InvestigationRow& r) { return r.requested_by == user; }));
  }
};

TEST_F(CommandRateLimitTest, TheEleventhInvestigateWithinAMinuteIsRefusedInTheAckUntilTheWindowPasses) {
  start_bot();  // defaults: 10 per user, 30 per channel, per minute
  for (int i = 0; i < 10; ++i) {
    const std::string ack = run_command("U0HUMAN", "/investigate", "checkout 30m");
    ASSERT_NE(ack.find("On it: investigating *checkout*"), std::string::npos) << i << ": " << ack;
    clock_.advance(1s);
  }
  // t=10s: the 11th. The first one (t=0) leaves the window at t=60s: 50 s from now.
  const std::string refused = run_command("U0HUMAN", "/investigate", "checkout 30m");
  EXPECT_NE(refused.find("Slow down: you have reached your limit of 10 commands that start work per 1m"), std::string::npos)
      << refused;
  EXPECT_NE(refused.find("Try again in 50s"), std::string::npos) << refused;
  EXPECT_NE(refused.find("ephemeral"), std::string::npos) << refused;
  // Help and status are never counted, so they still answer.
  EXPECT_NE(run_command("U0HUMAN", "/alertbot", "help").find("/alertbot silence"), std::string::npos);
  // Another user in the same channel is not refused (the channel has had 10 of its 30).
  EXPECT_NE(run_command("U0OTHER", "/investigate", "checkout 30m").find("On it"), std::string::npos);
  // The refused command started nothing: ten investigations for U0HUMAN, once every event is done.
  ASSERT_TRUE(run_until(io_, [&] { return investigations_by("U0HUMAN") == 10 && investigations_by("U0OTHER") == 1; }));
  run_until(io_, [] { return false; }, 300ms);
  EXPECT_EQ(investigations_by("U0HUMAN"), 10u);
  EXPECT_TRUE(ephemerals("U0HUMAN").empty()) << "the ack said it; nothing more is sent";
  // After the window the user may run again.
  clock_.advance(50s);
  const std::string again = run_command("U0HUMAN", "/investigate", "checkout 30m");
  EXPECT_NE(again.find("On it: investigating *checkout*"), std::string::npos) << again;
  ASSERT_TRUE(run_until(io_, [&] { return investigations_by("U0HUMAN") == 11; }));
  settle_events();
}

TEST_F(CommandRateLimitTest, MentionsAndTheReRunButtonShareTheLimitAndAreToldPrivately) {
  config_.commands.rate_limit = CommandRateLimit{1, 30, std::chrono::minutes(1)};
  start_bot();
  const std::string first = ws_->post_user_message(kChannel, "U0HUMAN", "<@U0ALERTBOT> checkout 20m");
  ASSERT_TRUE(run_until(io_, [&] { return reports_.size() == 1; }));
  // The second mention within the minute: refused, privately, with the time to retry.
  const std::string ts = ws_->post_user_message(kChannel, "U0HUMAN", "<@U0ALERTBOT> checkout 20m");
  ASSERT_TRUE(run_until(io_, [&] { return ephemerals("U0HUMAN").size() == 1; }));
  EXPECT_NE(ephemerals("U0HUMAN")[0].find("Slow down"), std::string::npos) << ephemerals("U0HUMAN")[0];
  EXPECT_NE(ephemerals("U0HUMAN")[0].find("Try again in 1m"), std::string::npos) << ephemerals("U0HUMAN")[0];
  EXPECT_EQ(thread_of(kChannel, ts).size(), 1u) << "no investigation in the refused mention's thread";
  // The report's Re-run button is work too: refused for this user, not for another one.
  const std::string id = std::to_string(reports_[0].id);
  const auto thread = thread_of(kChannel, first);
  ASSERT_EQ(thread.size(), 2u);
  const std::string report_ts = thread[1].ts;
  ws_->click_button(kChannel, report_ts, "U0HUMAN", kActionRerun, id);
  ASSERT_TRUE(run_until(io_, [&] { return ephemerals("U0HUMAN").size() == 2; }));
  EXPECT_NE(ephemerals("U0HUMAN")[1].find("Slow down"), std::string::npos) << ephemerals("U0HUMAN")[1];
  ws_->click_button(kChannel, report_ts, "U0OTHER", kActionRerun, id);
  ASSERT_TRUE(run_until(io_, [&] { return reports_.size() == 2; }));
  EXPECT_TRUE(ephemerals("U0OTHER").empty());
  settle_events();
}

}  // namespace
}  // namespace alertbot::bot
