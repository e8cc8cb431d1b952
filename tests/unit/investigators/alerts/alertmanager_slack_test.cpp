#include <gtest/gtest.h>

#include "investigators/alerts/alertmanager_slack.hpp"
#include "investigators/service_map.hpp"
#include "tests/support/test_data.hpp"
#include "tests/unit/investigators/alerts/alert_test_util.hpp"

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

TEST(AlertmanagerSlack, DispatcherDetectsTheRealMessagesInEveryShape) {
  using alert_tests::test_context;
  std::string body = read_test_file("alertmanager_slack_firing.json");
  auto hook = parse_alerts(body, AlertFormat::Auto, test_context());
  ASSERT_TRUE(hook) << hook.error().describe();
  EXPECT_EQ(hook->format, AlertFormat::AlertmanagerSlack);
  ASSERT_EQ(hook->alerts.size(), 1u);
  EXPECT_EQ(hook->alerts[0].name, "Flapper");
  EXPECT_EQ(hook->alerts[0].service, "checkout");
  EXPECT_EQ(hook->alerts[0].starts_at, test_context().received_at);
  EXPECT_EQ(hook->group_key, hook->alerts[0].group_key);
  // The same message as a conversations.history item (ts, hex colour) and inside an Events API envelope.
  std::string history = R"j({"type":"message","subtype":"bot_message","ts":"1795578000.000100","username":"Alertmanager",
    "attachments":[{"title":"[FIRING:2] TargetUp (warning)","title_link":"http://am/#/alerts","color":"#a30200"}]})j";
  auto h = parse_alerts(history, AlertFormat::Auto, test_context());
  ASSERT_TRUE(h) << h.error().describe();
  EXPECT_EQ(h->alerts.at(0).count, 2);
  EXPECT_EQ(h->alerts.at(0).starts_at, kPosted + std::chrono::microseconds(100));
  std::string envelope = R"j({"type":"event_callback","event":)j" + history + "}";
  auto e = parse_alerts(envelope, AlertFormat::AlertmanagerSlack, test_context());
  ASSERT_TRUE(e) << e.error().describe();
  EXPECT_EQ(e->alerts.at(0).name, "TargetUp");
  // Without the sender's name, the title and Alertmanager's colour still identify it.
  auto anon = parse_alerts(R"j({"attachments":[{"title":"[RESOLVED] Flapper (checkout critical)","color":"good"}]})j",
                           AlertFormat::Auto, test_context());
  ASSERT_TRUE(anon) << anon.error().describe();
  EXPECT_EQ(anon->format, AlertFormat::AlertmanagerSlack);
  EXPECT_EQ(anon->alerts.at(0).status, AlertStatus::Resolved);
}

TEST(AlertmanagerSlack, DispatcherIgnoresOtherPeoplesMessages) {
  auto r = parse_alerts(R"j({"type":"message","user":"U1","text":"deploying checkout now","ts":"1795578000.000100"})j",
                        AlertFormat::Auto, alert_tests::test_context());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::NotFound);
  auto other = parse_alerts(R"j({"username":"deploybot","attachments":[{"title":"Deployed v2","color":"good"}]})j",
                            AlertFormat::Auto, alert_tests::test_context());
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, Errc::NotFound);
  EXPECT_NE(other.error().message.find("deploybot"), std::string::npos);
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
