#include <gtest/gtest.h>

#include "investigators/alerts/alertmanager_slack.hpp"
#include "investigators/service_map.hpp"
#include "tests/support/test_data.hpp"

namespace alertbot::investigators {
namespace {

using testing::read_test_file;
const Time kPosted = Time(std::chrono::seconds(1795578000));

TEST(AlertmanagerSlack, ReadsTheRealFiringMessage) {
  auto a = parse_alertmanager_slack(read_test_file("alertmanager_slack_firing.json"), kPosted, {"checkout", "payments"});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->source, "alertmanager-slack");
  EXPECT_EQ(a->name, "Flapper");
  EXPECT_EQ(a->status, AlertStatus::Firing);
  EXPECT_EQ(a->count, 1);
  EXPECT_EQ(a->severity, "critical");
  EXPECT_EQ(a->service, "checkout");
  EXPECT_EQ(a->starts_at, kPosted);
  EXPECT_EQ(a->links.source, "http://127.0.0.1:19093/#/alerts?receiver=slackish");
  EXPECT_EQ(a->labels.at("alertname"), "Flapper");
  EXPECT_EQ(a->fingerprint.size(), 16u);
}

TEST(AlertmanagerSlack, ResolvedMessageSharesTheGroupOfItsFiringOne) {
  auto firing = parse_alertmanager_slack(read_test_file("alertmanager_slack_firing.json"), kPosted, {"checkout"});
  auto resolved = parse_alertmanager_slack(read_test_file("alertmanager_slack_resolved.json"), kPosted, {"checkout"});
  ASSERT_TRUE(firing);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->status, AlertStatus::Resolved);
  EXPECT_EQ(resolved->group_key, firing->group_key);
  EXPECT_EQ(resolved->fingerprint, firing->fingerprint);
}

TEST(AlertmanagerSlack, AnAlertJoiningTheGroupKeepsTheGroupKey) {
  // A second alert with other labels shrinks the common labels in Alertmanager's title.
  auto one = parse_alertmanager_slack(R"j({"username":"Alertmanager","attachments":[{"title":"[FIRING:1] HighErrorRate (checkout critical)"}]})j",
                                      kPosted, {"checkout"});
  auto two = parse_alertmanager_slack(R"j({"username":"Alertmanager","attachments":[{"title":"[FIRING:2] HighErrorRate (checkout)"}]})j",
                                      kPosted, {"checkout"});
  ASSERT_TRUE(one);
  ASSERT_TRUE(two);
  EXPECT_EQ(one->group_key, two->group_key);
  EXPECT_EQ(two->count, 2);
}

TEST(AlertmanagerSlack, GroupOfTwoWithoutAKnownService) {
  auto a = parse_alertmanager_slack(read_test_file("alertmanager_slack_firing_group2.json"), kPosted, {"checkout"});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "TargetUp");
  EXPECT_EQ(a->count, 2);
  EXPECT_EQ(a->severity, "warning");
  EXPECT_EQ(a->service, "");
}

TEST(AlertmanagerSlack, CommunityTemplateTextGivesLabels) {
  std::string msg = R"json({"username":"AlertManager","attachments":[{"title":"[FIRING:1] HighLatency (checkout page)",
    "text":"*Alert:* HighLatency - p99 above 500ms\n*Description:* checkout is slow\n*Details:*\n  • *service:* `checkout`\n  • *pod:* `checkout-7d9`\n"}]})json";
  auto a = parse_alertmanager_slack(msg, kPosted, {});
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_EQ(a->labels.at("pod"), "checkout-7d9");
  EXPECT_EQ(a->service, "checkout");
  EXPECT_EQ(a->severity, "page");
  EXPECT_EQ(a->summary, "HighLatency - p99 above 500ms");
  EXPECT_EQ(a->annotations.at("description"), "checkout is slow");
}

TEST(AlertmanagerSlack, OtherMessagesAreNotFound) {
  for (const char* msg : {R"({"text":"hello team"})", R"({"username":"deploybot","attachments":[{"title":"Deployed v2"}]})"}) {
    auto a = parse_alertmanager_slack(msg, kPosted, {});
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code, Errc::NotFound) << msg;
  }
}

TEST(AlertmanagerSlack, UnreadableAlertmanagerTitleIsAParseError) {
  auto a = parse_alertmanager_slack(R"({"username":"Alertmanager","attachments":[{"title":"something odd"}]})", kPosted, {});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Errc::ParseError);
  EXPECT_NE(a.error().message.find("something odd"), std::string::npos);
  EXPECT_FALSE(parse_alertmanager_slack("not json", kPosted, {}));
}

TEST(ServiceMap, MatchLabelsWinThenLabelNamesThenTheGuess) {
  std::vector<ServiceSettings> services(2);
  services[0].name = "checkout";
  services[0].match = {{"team", "payments"}, {"app", "co"}};
  services[1].name = "search";
  Alert a;
  a.labels = {{"team", "payments"}, {"app", "co"}};
  EXPECT_EQ(map_service(a, services), "checkout");
  a.labels = {{"job", "search"}};
  EXPECT_EQ(map_service(a, services), "search");
  a.labels = {{"service", "unknown-svc"}};
  EXPECT_EQ(map_service(a, services), "unknown-svc");
  a.labels.clear();
  EXPECT_EQ(map_service(a, services), "");
}

}  // namespace
}  // namespace alertbot::investigators
