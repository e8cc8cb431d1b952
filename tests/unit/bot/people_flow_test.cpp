// What people do with the bot, end to end on the Slack workspace emulator: slash commands (with
// the ack's answer, refusals explained), silences, the report's buttons (feedback stored, a wrong
// cause named, a re-run reported in the same thread), mentions, App Home, and a storm of alerts
// becoming one calm thread per service.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "bot/app.hpp"
#include "bot/config.hpp"
#include "store/digest_records.hpp"
#include "store/store.hpp"
#include "tests/support/bot_harness.hpp"
#include "tests/support/run_coro.hpp"

namespace alertbot::bot {
namespace {

namespace json = boost::json;
using testing::run_coro;
using testing::run_until;
using namespace std::chrono_literals;

constexpr const char* kChannel = testing::kHarnessChannel;

class PeopleFlowTest : public testing::SocketBotHarness {
 protected:
  // Ephemeral messages the bot showed `user` (chat.postEphemeral), in order.
  std::vector<std::string> ephemerals(const std::string& user) {
    std::vector<std::string> out;
    for (const auto& c : ws_->calls("chat.postEphemeral")) {
      if (c.args.count("user") && c.args.at("user") == user) out.push_back(c.args.at("text"));
    }
    return out;
  }
  // Runs until `done`, moving the fake clock on by `step` whenever the bot has had nothing to run
  // for a slice of real time, so rate limits, counters and sleeps move on while work the bot is
  // waiting for (the store thread) never sees fake time race ahead of it: fake time runs at most
  // step/slice (10x) faster than real time, and only while the event loop is idle.
  bool settle(const std::function<bool()>& done, std::chrono::milliseconds step = 100ms) {
    constexpr std::chrono::milliseconds kIdleSlice{10};
    io_.restart();
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (io_.run_one_for(kIdleSlice) == 0) clock_.advance(step);
      if (io_.stopped()) io_.restart();
    }
    return true;
  }
  std::vector<store::DigestFeedback> feedback_rows();
  // What the bot answered in the acks of slash commands, in order.
  std::vector<std::string> command_acks() {
    std::vector<std::string> out;
    for (const auto& d : ws_->deliveries()) {
      if (d.type == "slash_commands" && d.acked) out.push_back(d.ack_frame);
    }
    return out;
  }
};

TEST_F(PeopleFlowTest, InvestigateCommandAnswersAtOnceThenReportsInAThread) {
  add_deploy("deploy-4121", 14min);
  start_bot();
  ws_->run_slash_command(kChannel, "U0HUMAN", "/investigate", "checkout 30m");
  ASSERT_TRUE(run_until(io_, [&] { return !reports_.empty(); }));
  // The ack carried the ephemeral "on it" (the emulator records it as the command's answer).
  auto acks = command_acks();
  ASSERT_FALSE(acks.empty());
  EXPECT_NE(acks.back().find("On it: investigating *checkout* over the last 30m"), std::string::npos) << acks.back();
  // A message in the channel starts the thread; the report is in it and names the deploy.
  std::vector<fakes::SlackMessage> top;
  for (auto& m : ws_->channel_history(kChannel)) {
    if (m.thread_ts.empty() || m.thread_ts == m.ts) top.push_back(m);
  }
  ASSERT_EQ(top.size(), 1u);
  const auto& parent = top.back();
  EXPECT_NE(parent.text.find("as <@U0HUMAN> asked"), std::string::npos) << parent.text;
  auto thread = thread_of(kChannel, parent.ts);
  ASSERT_EQ(thread.size(), 2u);
  EXPECT_NE(thread[1].blocks_json.find("deploy-4121"), std::string::npos);
  EXPECT_EQ(reports_[0].result.window_start, reports_[0].result.at - 30min);
}

TEST_F(PeopleFlowTest, RefusalsSayWhoMay) {
  config_.commands.rules["silence"] = CommandRule{{"U0LEAD"}, {"*"}};
  config_.commands.rules["investigate"] = CommandRule{{"*"}, {"C0OPS"}};
  start_bot();
  ws_->run_slash_command(kChannel, "U0HUMAN", "/alertbot", "silence checkout 1h");
  ws_->run_slash_command(kChannel, "U0HUMAN", "/investigate", "checkout");
  ws_->run_slash_command(kChannel, "U0HUMAN", "/investigate", "billing 1h");
  ASSERT_TRUE(run_until(io_, [&] { return command_acks().size() == 3; }));
  auto acks = command_acks();
  EXPECT_NE(acks[0].find("You can't run `silence` here: it is allowed for `U0LEAD` in every channel"), std::string::npos) << acks[0];
  EXPECT_NE(acks[1].find("allowed for everyone in `C0OPS`"), std::string::npos) << acks[1];
  EXPECT_NE(acks[2].find("billing"), std::string::npos) << acks[2];
  run_until(io_, [] { return false; }, 200ms);
  EXPECT_TRUE(reports_.empty());
  EXPECT_TRUE(ws_->calls("chat.postMessage").empty()) << "a refusal starts nothing";
}

TEST_F(PeopleFlowTest, HelpStatusDeploysAndSilence) {
  add_deploy("deploy-4121", 14min);
  start_bot();
  ws_->run_slash_command(kChannel, "U0HUMAN", "/alertbot", "help");
  ASSERT_TRUE(run_until(io_, [&] { return command_acks().size() == 1; }));
  EXPECT_NE(command_acks()[0].find("/alertbot silence"), std::string::npos);
  ws_->run_slash_command(kChannel, "U0HUMAN", "/alertbot", "deploys checkout");
  ASSERT_TRUE(run_until(io_, [&] { return ephemerals("U0HUMAN").size() == 1; }));
  EXPECT_NE(ephemerals("U0HUMAN")[0].find("deploy-4121"), std::string::npos) << ephemerals("U0HUMAN")[0];
  ws_->run_slash_command(kChannel, "U0HUMAN", "/alertbot", "silence checkout 2h failover drill");
  ASSERT_TRUE(run_until(io_, [&] { return ephemerals("U0HUMAN").size() == 2; }));
  EXPECT_NE(ephemerals("U0HUMAN")[1].find("silenced until"), std::string::npos);
  // A silenced service's alert is recorded, not investigated.
  std::string ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  run_until(io_, [] { return false; }, 300ms);
  EXPECT_EQ(thread_of(kChannel, ts).size(), 1u);
  EXPECT_TRUE(reports_.empty());
  ws_->run_slash_command(kChannel, "U0HUMAN", "/alertbot", "status");
  ASSERT_TRUE(run_until(io_, [&] { return ephemerals("U0HUMAN").size() == 3; }));
  EXPECT_NE(ephemerals("U0HUMAN")[2].find("Alertbot status"), std::string::npos);
  ws_->run_slash_command(kChannel, "U0HUMAN", "/alertbot", "digest");
  ASSERT_TRUE(run_until(io_, [&] { return ephemerals("U0HUMAN").size() == 4; }));
  EXPECT_NE(ephemerals("U0HUMAN")[3].find("igest"), std::string::npos) << ephemerals("U0HUMAN")[3];
}

std::vector<store::DigestFeedback> PeopleFlowTest::feedback_rows() {
  auto data = run_coro(io_, seed().digest_data(clock_.system_now() - 24h, clock_.system_now() + 1h));
  EXPECT_TRUE(data);
  return data ? data->feedback : std::vector<store::DigestFeedback>{};
}

TEST_F(PeopleFlowTest, ButtonsRecordFeedbackAndReRunReportsInTheSameThread) {
  add_deploy("deploy-4121", 14min);
  start_bot();
  std::string alert_ts = post_alert("[FIRING:1] CheckoutLatencyHigh (checkout critical)");
  ASSERT_TRUE(run_until(io_, [&] { return reports_.size() == 1; }));
  const std::string id = std::to_string(reports_[0].id);
  const std::string report_ts = thread_of(kChannel, alert_ts)[1].ts;
  ws_->click_button(kChannel, report_ts, "U0HUMAN", "feedback_helpful", id);
  ASSERT_TRUE(run_until(io_, [&] { return ephemerals("U0HUMAN").size() == 1; }));
  EXPECT_NE(ephemerals("U0HUMAN")[0].find("Thanks"), std::string::npos);
  ws_->click_button(kChannel, report_ts, "U0OTHER", "feedback_wrong", id);
  ASSERT_TRUE(run_until(io_, [&] { return ws_->calls("chat.postEphemeral").size() == 2; }));
  auto asked = ws_->calls("chat.postEphemeral").back();
  ASSERT_TRUE(asked.args.count("blocks"));
  EXPECT_NE(asked.args.at("blocks").find("feedback_wrong_pick"), std::string::npos);
  ws_->click_button(kChannel, report_ts, "U0OTHER", "feedback_wrong_pick", id + ":1");
  ASSERT_TRUE(run_until(io_, [&] { return ephemerals("U0OTHER").size() == 2; }));
  auto rows = feedback_rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].verdict, "helpful");
  EXPECT_EQ(rows[0].user, "U0HUMAN");
  EXPECT_EQ(rows[1].verdict, "wrong");
  EXPECT_NE(rows[1].comment.find("cause 1 was wrong"), std::string::npos) << rows[1].comment;
  // Re-run with a wider window: a new investigation, a new report in the same thread.
  ws_->click_button(kChannel, report_ts, "U0HUMAN", "rerun_wider", id);
  ASSERT_TRUE(run_until(io_, [&] { return reports_.size() == 2; }));
  auto thread = thread_of(kChannel, alert_ts);
  ASSERT_EQ(thread.size(), 3u) << "alert, first report, re-run report";
  EXPECT_NE(thread[2].blocks_json.find("Likely cause"), std::string::npos);
  EXPECT_NE(reports_[1].id, reports_[0].id);
  auto first_window = reports_[0].result.at - reports_[0].result.window_start;
  auto second_window = reports_[1].result.at - reports_[1].result.window_start;
  EXPECT_EQ(second_window, 3 * first_window);
}

TEST_F(PeopleFlowTest, AMentionOutsideAReportInvestigatesAndAppHomeListsInvestigations) {
  add_deploy("deploy-4121", 14min);
  start_bot();
  std::string ts = ws_->post_user_message(kChannel, "U0HUMAN", "<@U0ALERTBOT> checkout 20m");
  ASSERT_TRUE(run_until(io_, [&] { return reports_.size() == 1; }));
  auto thread = thread_of(kChannel, ts);
  ASSERT_EQ(thread.size(), 2u) << "the report in the mention's thread, once (message and app_mention)";
  EXPECT_EQ(reports_[0].result.at - reports_[0].result.window_start, 20min);
  ws_->open_app_home("U0HUMAN");
  ASSERT_TRUE(run_until(io_, [&] { return !ws_->home_view("U0HUMAN").empty(); }));
  auto view = ws_->home_view("U0HUMAN");
  EXPECT_NE(view.find("checkout"), std::string::npos) << view;
  EXPECT_NE(view.find("#" + std::to_string(reports_[0].id)), std::string::npos) << view;
}

// 500 alerts over 20 services in 5 s: 20 threads, each with one report and one counter, not
// 500 replies. After the alerts, the fake clock moves only while the bot is idle (settle), so a
// slow store thread (ASan, a loaded machine) cannot make sources or leases time out on fake time.
TEST_F(PeopleFlowTest, AStormOfFiveHundredAlertsBecomesTwentyCalmThreads) {
  for (int s = 0; s < 20; ++s) {
    investigators::ServiceSettings svc;
    svc.name = "svc-" + std::to_string(s);
    config_.services.push_back(svc);
  }
  start_bot();
  std::map<std::string, std::string> first_of;  // service -> first alert message ts
  for (int i = 0; i < 500; ++i) {
    const std::string service = "svc-" + std::to_string(i % 20);
    const std::string name = i % 3 == 0 ? "HighLatency" : i % 3 == 1 ? "HighErrorRate" : "PodRestarts";
    std::string ts = post_alert("[FIRING:1] " + name + " (" + service + " critical)");
    first_of.emplace(service, ts);
    clock_.advance(10ms);
    run_until(io_, [] { return false; }, 1ms);
  }
  auto counters_done = [&] {
    if (reports_.size() < 20) return false;
    for (const auto& [service, ts] : first_of) {
      auto t = thread_of(kChannel, ts);
      if (t.size() != 3 || t[2].text.find("25 notifications") == std::string::npos) return false;
    }
    return true;
  };
  ASSERT_TRUE(settle(counters_done)) << reports_.size() << " reports";
  EXPECT_EQ(reports_.size(), 20u);
  // Every reply of the bot is in one of the 20 threads: 20 reports and 20 counters.
  EXPECT_EQ(ws_->calls("chat.postMessage").size(), 40u);
  int threads = 0;
  for (const auto& m : ws_->channel_history(kChannel)) {
    if (m.thread_ts.empty()) threads += thread_of(kChannel, m.ts).size() > 1;
  }
  EXPECT_EQ(threads, 20);
  auto t = thread_of(kChannel, first_of["svc-7"]);
  EXPECT_NE(t[2].text.find("HighErrorRate"), std::string::npos) << t[2].text;
  EXPECT_NE(t[2].text.find("PodRestarts"), std::string::npos) << t[2].text;
}

}  // namespace
}  // namespace alertbot::bot
