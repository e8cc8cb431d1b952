// parse_command: every command form, the bounds on windows and durations, links and trace ids,
// and hostile text.
#include <gtest/gtest.h>

#include "bot/command_parse.hpp"

namespace alertbot::bot {
namespace {

using namespace std::chrono_literals;
const std::vector<std::string> kServices{"checkout", "payments", "checkout-api"};

TEST(ParseCommand, InvestigateServiceAndWindow) {
  auto r = parse_command("/investigate", "checkout 30m", kServices);
  EXPECT_EQ(r.name, "investigate");
  EXPECT_EQ(r.service, "checkout");
  EXPECT_EQ(r.window, 30min);
  EXPECT_TRUE(r.error.empty());
  EXPECT_EQ(parse_command("/investigate", "payments", kServices).window, kDefaultWindow);
  EXPECT_EQ(parse_command("/investigate", "2h checkout-api", kServices).service, "checkout-api");
}

TEST(ParseCommand, AnAlertLinkNamesItsService) {
  auto r = parse_command("/investigate", "<https://grafana.test/d/x?var-service=checkout-api&from=now-1h|dashboard> 2h", kServices);
  EXPECT_EQ(r.service, "checkout-api") << r.error;
  EXPECT_EQ(r.window, 2h);
  auto none = parse_command("/investigate", "https://grafana.test/d/x?var-service=billing", kServices);
  EXPECT_FALSE(none.error.empty());
}

TEST(ParseCommand, ATraceIdWithOrWithoutItsService) {
  auto r = parse_command("/investigate", "4BF92F3577B34DA6A3CE929D0E0E4736 payments", kServices);
  EXPECT_EQ(r.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(r.service, "payments");
  auto alone = parse_command("/investigate", "4bf92f3577b34da6a3ce929d0e0e4736", kServices);
  EXPECT_NE(alone.error.find("which service"), std::string::npos) << alone.error;
  auto single = parse_command("/investigate", "4bf92f3577b34da6", {"only"});
  EXPECT_EQ(single.service, "only");
}

TEST(ParseCommand, UsageErrorsSayWhatIsWrong) {
  EXPECT_NE(parse_command("/investigate", "", kServices).error.find("which service"), std::string::npos);
  EXPECT_NE(parse_command("/investigate", "billing", kServices).error.find("billing"), std::string::npos);
  EXPECT_NE(parse_command("/investigate", "checkout 3d", kServices).error.find("24h"), std::string::npos);
  EXPECT_NE(parse_command("/investigate", "checkout 0m", kServices).error.find("1m"), std::string::npos);
}

TEST(ParseCommand, AlertbotSubcommands) {
  EXPECT_EQ(parse_command("/alertbot", "", kServices).name, "help");
  EXPECT_EQ(parse_command("/alertbot", "HELP", kServices).name, "help");
  EXPECT_EQ(parse_command("/alertbot", "status", kServices).name, "status");
  EXPECT_EQ(parse_command("/alertbot", "digest", kServices).name, "digest");
  auto d = parse_command("/alertbot", "deploys payments", kServices);
  EXPECT_EQ(d.name, "deploys");
  EXPECT_EQ(d.service, "payments");
  EXPECT_FALSE(parse_command("/alertbot", "deploys", kServices).error.empty());
  auto s = parse_command("/alertbot", "silence checkout 2h planned failover", kServices);
  EXPECT_EQ(s.name, "silence");
  EXPECT_EQ(s.duration, 2h);
  EXPECT_EQ(s.reason, "planned failover");
  EXPECT_FALSE(parse_command("/alertbot", "silence checkout 30d", kServices).error.empty());
  EXPECT_FALSE(parse_command("/alertbot", "silence nope 1h", kServices).error.empty());
  EXPECT_FALSE(parse_command("/alertbot", "silence checkout", kServices).error.empty());
}

TEST(ParseCommand, AMentionReadsLikeInvestigate) {
  auto r = parse_command("/alertbot", "checkout 45m", kServices);
  EXPECT_EQ(r.name, "investigate");
  EXPECT_EQ(r.window, 45min);
  auto w = parse_command("/alertbot", "investigate payments", kServices);
  EXPECT_EQ(w.service, "payments");
  auto chat = parse_command("/alertbot", "what is going on", kServices);
  EXPECT_FALSE(chat.error.empty());
}

TEST(ParseCommand, HostileTextNeverBreaksIt) {
  std::string big(100000, 'x');
  EXPECT_FALSE(parse_command("/investigate", big, kServices).error.empty());
  EXPECT_LE(parse_command("/investigate", big, kServices).error.size(), 300u);
  EXPECT_FALSE(parse_command("/investigate", std::string("check\0out", 9), kServices).error.empty());
  auto ping = parse_command("/investigate", "<!channel>", kServices);
  EXPECT_FALSE(ping.error.empty());
  EXPECT_EQ(ping.error.find("<!channel>"), std::string::npos) << "quoted back escaped: " << ping.error;
}

}  // namespace
}  // namespace alertbot::bot
