#include "investigators/alerts/datadog.hpp"

#include <gtest/gtest.h>

#include "tests/unit/investigators/alerts/alert_test_util.hpp"

namespace alertbot::investigators {
namespace {

using namespace alert_tests;

TEST(DatadogWebhook, TriggeredWithTheDocumentedTemplate) {
  auto b = parse_file("alerts/datadog_webhook_triggered.json");
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->format, AlertFormat::Datadog);
  ASSERT_EQ(b->alerts.size(), 1u);
  const Alert& a = b->alerts[0];
  EXPECT_EQ(a.source, "datadog");
  EXPECT_EQ(a.name, "Checkout p99 latency high");
  EXPECT_EQ(a.status, AlertStatus::Firing);
  EXPECT_EQ(a.severity, "p1");
  EXPECT_EQ(a.labels.at("service"), "checkout");
  EXPECT_EQ(a.labels.at("env"), "prod");  // scope wins over tags
  EXPECT_EQ(a.labels.at("team"), "payments");
  EXPECT_EQ(a.labels.at("host"), "web-7");
  EXPECT_EQ(a.labels.at("priority"), "P1");
  EXPECT_EQ(a.labels.at("alertname"), "Checkout p99 latency high");
  EXPECT_EQ(a.labels.count("monitor"), 0u);  // bare tags are skipped
  EXPECT_EQ(a.annotations.at("query"), "avg(last_5m):p99:trace.http.request{service:checkout} > 2");
  EXPECT_EQ(a.annotations.at("transition"), "Triggered");
  EXPECT_EQ(a.starts_at, epoch(1767261600));
  EXPECT_FALSE(a.ends_at.has_value());
  EXPECT_EQ(a.links.source, "https://app.datadoghq.com/monitors/12345678?group=service%3Acheckout");
  EXPECT_EQ(a.group_key, "datadog:8b1e6a0c5ad9");
  EXPECT_EQ(a.fingerprint.size(), 16u);
  EXPECT_EQ(a.summary, "[Triggered on {service:checkout,env:prod}] Checkout p99 latency high");
}

TEST(DatadogWebhook, RecoveredJoinsItsTriggerAndDateMayBeANumber) {
  auto t = parse_file("alerts/datadog_webhook_triggered.json");
  auto r = parse_file("alerts/datadog_webhook_recovered.json");
  ASSERT_TRUE(t);
  ASSERT_TRUE(r) << r.error().describe();
  const Alert& a = r->alerts.at(0);
  EXPECT_EQ(a.status, AlertStatus::Resolved);
  EXPECT_EQ(a.group_key, t->alerts.at(0).group_key);
  EXPECT_EQ(a.fingerprint, t->alerts.at(0).fingerprint);
  EXPECT_EQ(a.name, t->alerts.at(0).name);
  ASSERT_TRUE(a.ends_at.has_value());
  EXPECT_EQ(*a.ends_at, epoch(1767262200));
  EXPECT_EQ(a.labels.count("host"), 0u);
}

TEST(DatadogWebhook, UnknownTransitionWarnsAndMissingFieldsAreNamed) {
  auto b = parse_alerts(R"j({"alert_id":1,"transition":"Exploded","title":"Disk full"})j", AlertFormat::Auto, test_context());
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->alerts.at(0).status, AlertStatus::Firing);
  EXPECT_EQ(b->alerts.at(0).starts_at, test_context().received_at);
  ASSERT_EQ(b->warnings.size(), 1u);
  EXPECT_TRUE(contains(b->warnings[0], "transition: unknown \"Exploded\""));
  EXPECT_TRUE(contains(error_of(parse_alerts(R"j({"alert_id":"","title":"x"})j", AlertFormat::Datadog, test_context())),
                       "datadog: alert_id: missing"));
  EXPECT_TRUE(contains(error_of(parse_alerts(R"j({"alert_id":"1","transition":"Triggered"})j", AlertFormat::Auto, test_context())),
                       "datadog: title: missing"));
  EXPECT_TRUE(contains(error_of(parse_alerts(R"j({"alert_id":"1","title":"x","date":"soon"})j", AlertFormat::Auto, test_context())),
                       "datadog: date: timestamp 'soon'"));
  EXPECT_TRUE(contains(error_of(parse_alerts(R"j({"alert_id":"1","title":"x","scope":["a"]})j", AlertFormat::Auto, test_context())),
                       "datadog: scope: expected a string or number, got an array"));
}

TEST(DatadogSlack, TriggeredMessageIsFreeTextPlusLinks) {
  auto b = parse_file("alerts/datadog_slack_triggered.json");
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_EQ(b->format, AlertFormat::Datadog);
  const Alert& a = b->alerts.at(0);
  EXPECT_EQ(a.source, "datadog-slack");
  EXPECT_EQ(a.name, "Checkout p99 latency high");
  EXPECT_EQ(a.status, AlertStatus::Firing);
  EXPECT_EQ(a.severity, "p1");
  EXPECT_EQ(a.service, "");  // "Checkout" is not the configured "checkout"
  EXPECT_EQ(a.starts_at, epoch(1767261601, 100000));
  EXPECT_EQ(a.links.source, "https://app.datadoghq.com/monitors/12345678");
  EXPECT_EQ(a.links.dashboard, "https://app.datadoghq.com/dashboard/abc-def-ghi");
  auto recovered = parse_alerts(R"j({"type":"message","text":"[P2] Recovered: latency on checkout"})j", AlertFormat::Auto,
                                test_context());
  ASSERT_TRUE(recovered) << recovered.error().describe();
  EXPECT_EQ(recovered->alerts.at(0).status, AlertStatus::Resolved);
  EXPECT_EQ(recovered->alerts.at(0).severity, "p2");
  EXPECT_EQ(recovered->alerts.at(0).service, "checkout");
  EXPECT_EQ(recovered->alerts.at(0).name, "latency on checkout");
  auto other = parse_alerts(R"j({"type":"message","text":"lunch?"})j", AlertFormat::Datadog, test_context());
  EXPECT_TRUE(contains(error_of(other), "datadog: alert_id: missing"));
}

}  // namespace
}  // namespace alertbot::investigators
